"""Refunds name their lines (issue 9): by line with a quantity or an amount, or for the whole
order spread pro rata; only the refunded lines' spending, PDN/local figures and VAT move."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.ledger.models import SpendingRecord
from marketplace.ordering.models import Order, OrderLine
from marketplace.payments.models import Refund, RefundLine
from tests.factories import (
    make_civil_servant,
    make_paid_order,
    make_product,
    make_user,
    make_vendor,
)


def _order(order_id: int) -> Order:
    db.session.expire_all()
    return db.session.get(Order, order_id)


def _mixed_order():
    """The issue's shape: a PKP shop's order with one PDN line of Rp14.500, another PDN line and
    an imported line, all taxable."""
    shop = make_vendor(pkp=True, npwp="012345678901234")
    pdn = make_product(shop, price=14_500, name="Tempe Lokal", is_pdn=True)
    other = make_product(shop, price=62_000, name="Beras Lokal", is_pdn=True)
    imported = make_product(shop, price=69_000, name="Keju Impor", is_pdn=False)
    order = make_paid_order(items=[(pdn, 1), (other, 2), (imported, 1)])
    by_name = {ln.name: ln for ln in order.lines}
    return order, by_name["Tempe Lokal"], by_name["Beras Lokal"], by_name["Keju Impor"]


def _spending_by_line(order_id: int) -> dict[int, int]:
    return dict(
        db.session.execute(
            select(SpendingRecord.order_line_id, func.sum(SpendingRecord.amount))
            .where(SpendingRecord.order_id == order_id)
            .group_by(SpendingRecord.order_line_id)
        ).all()
    )


def _pdn_spent(order_id: int) -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(SpendingRecord.amount), 0)).where(
            SpendingRecord.order_id == order_id, SpendingRecord.is_pdn.is_(True)
        )
    )


def _refund_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Refund))


# ----------------------------------------------------------------- the worked example
def test_refunding_one_pdn_line_leaves_the_imported_line_and_its_vat_untouched(api):
    order, pdn, other, imported = _mixed_order()
    before_spending = _spending_by_line(order.id)
    pdn_before = _pdn_spent(order.id)
    buyer_view = api(order.buyer).get(f"/api/v1/orders/{order.id}").json
    vat_before = buyer_view["vat_total"]
    assert vat_before == pdn.vat + other.vat + imported.vat and pdn.vat == 1_437

    resp = api(make_user("finance")).post(
        f"/api/v1/orders/{order.id}/refunds",
        json={"lines": [{"order_line_id": pdn.id, "quantity": 1}], "reason": "Tempe basi"},
    )

    assert resp.status_code == 201, resp.json
    assert resp.json["amount"] == 14_500 and resp.json["vat"] == 1_437
    assert resp.json["lines"] == [
        {"order_line_id": pdn.id, "quantity": 1, "amount": 14_500, "vat": 1_437}
    ]
    after_spending = _spending_by_line(order.id)
    assert after_spending[imported.id] == before_spending[imported.id] == 69_000
    assert after_spending[other.id] == before_spending[other.id]
    assert after_spending[pdn.id] == 0
    assert _pdn_spent(order.id) == pdn_before - 14_500
    body = api(order.buyer).get(f"/api/v1/orders/{order.id}").json
    assert body["vat_total"] == vat_before - 1_437
    assert body["refunded_vat"] == 1_437 and body["refunded_total"] == 14_500
    line = next(ln for ln in body["lines"] if ln["id"] == pdn.id)
    assert (line["refunded_quantity"], line["refunded_amount"], line["refunded_vat"]) == (
        1,
        14_500,
        1_437,
    )


def test_a_refund_by_quantity_costs_quantity_times_unit_price_and_counts_the_quantity(api):
    order = make_paid_order(items=[(make_product(price=5_000), 3)])
    line = order.lines[0]
    finance = api(make_user("finance"))
    url = f"/api/v1/orders/{order.id}/refunds"
    first = finance.post(
        url, json={"lines": [{"order_line_id": line.id, "quantity": 2}], "reason": "x"}
    )
    assert first.status_code == 201 and first.json["amount"] == 10_000
    again = finance.post(
        url, json={"lines": [{"order_line_id": line.id, "quantity": 2}], "reason": "x"}
    )
    assert again.status_code == 422
    assert again.json["error"]["details"] == {"lines.0.quantity": ["Antara 1 dan 1."]}
    db.session.expire_all()
    assert (
        db.session.get(OrderLine, line.id).refunded_quantity,
        _order(order.id).refunded_total,
    ) == (
        2,
        10_000,
    )


def test_a_refund_by_amount_names_its_line_and_the_rest_stays_refundable(api):
    order, pdn, _other, imported = _mixed_order()
    finance = api(make_user("finance"))
    url = f"/api/v1/orders/{order.id}/refunds"
    resp = finance.post(
        url, json={"lines": [{"order_line_id": imported.id, "amount": 9_000}], "reason": "penyok"}
    )
    assert resp.status_code == 201
    assert resp.json["lines"][0]["quantity"] is None
    rest = finance.post(
        url, json={"lines": [{"order_line_id": imported.id, "amount": 60_001}], "reason": "lagi"}
    )
    assert rest.status_code == 422
    assert rest.json["error"]["details"] == {"lines.0.amount": ["Antara 1 dan 60000."]}
    assert _spending_by_line(order.id)[pdn.id] == 14_500


# ----------------------------------------------------------------- whole-order refunds
def test_a_whole_order_amount_is_still_spread_pro_rata_and_every_refund_names_its_lines(api):
    order, pdn, other, imported = _mixed_order()
    resp = api(make_user("finance")).post(
        f"/api/v1/orders/{order.id}/refunds", json={"amount": 10_001, "reason": "selisih"}
    )
    assert resp.status_code == 201
    shares = {rl["order_line_id"]: rl["amount"] for rl in resp.json["lines"]}
    assert set(shares) == {pdn.id, other.id, imported.id}
    assert sum(shares.values()) == 10_001
    assert all(rl["quantity"] is None for rl in resp.json["lines"])
    refunds = db.session.scalars(
        select(SpendingRecord).where(SpendingRecord.refund_id == resp.json["id"])
    ).all()
    assert {r.order_line_id: -r.amount for r in refunds} == shares


def test_a_whole_order_refund_after_a_line_refund_spreads_over_what_is_left_only(api):
    order, pdn, other, imported = _mixed_order()
    finance = api(make_user("finance"))
    url = f"/api/v1/orders/{order.id}/refunds"
    finance.post(url, json={"lines": [{"order_line_id": pdn.id, "quantity": 1}], "reason": "a"})
    rest = order.total - 14_500
    resp = finance.post(url, json={"amount": rest, "reason": "semua"})
    assert resp.status_code == 201
    shares = {rl["order_line_id"]: rl["amount"] for rl in resp.json["lines"]}
    assert shares == {other.id: 124_000, imported.id: 69_000}
    body = api(order.buyer).get(f"/api/v1/orders/{order.id}").json
    assert body["vat_total"] == 0 and body["refunded_vat"] == sum(ln.vat for ln in order.lines)


def test_refunding_every_line_in_pieces_returns_exactly_the_vat_total(api):
    order, pdn, other, imported = _mixed_order()
    vat_total = order.vat_total
    finance = api(make_user("finance"))
    url = f"/api/v1/orders/{order.id}/refunds"
    steps = [
        [{"order_line_id": imported.id, "amount": 33_333}],
        [{"order_line_id": other.id, "quantity": 1}, {"order_line_id": pdn.id, "amount": 7}],
        [
            {"order_line_id": imported.id, "amount": 69_000 - 33_333},
            {"order_line_id": other.id, "quantity": 1},
            {"order_line_id": pdn.id, "amount": 14_493},
        ],
    ]
    for lines in steps:
        assert finance.post(url, json={"lines": lines, "reason": "retur"}).status_code == 201
    done = _order(order.id)
    assert done.refunded_total == done.total
    assert done.refunded_vat == vat_total and done.net_vat == 0
    assert all(ln.refunded_vat == ln.vat for ln in done.lines)
    vat_rows = db.session.scalar(select(func.sum(RefundLine.vat)))
    assert vat_rows == vat_total
    assert sum(_spending_by_line(order.id).values()) == 0


def test_a_cancelled_order_refunds_every_line_and_all_its_vat(api):
    shop = make_vendor(pkp=True)
    order = make_paid_order(items=[(make_product(shop, price=11_100), 2)])
    resp = api(order.buyer).post(f"/api/v1/orders/{order.id}/cancel")
    assert resp.status_code == 200
    assert resp.json["vat_total"] == 0 and resp.json["refunded_vat"] == 2_200
    rows = db.session.scalars(select(RefundLine)).all()
    assert [(r.order_line_id, r.amount, r.vat) for r in rows] == [
        (order.lines[0].id, 22_200, 2_200)
    ]


def test_an_exempt_line_returns_no_vat(app):
    from marketplace.ordering.refunds import refund_order

    shop = make_vendor(pkp=True)
    order = make_paid_order(items=[(make_product(shop, price=20_000, vat_exempt=True), 1)])
    refund = refund_order(make_user("finance"), order.id, 20_000, "sembako")
    assert refund.vat == 0 and _order(order.id).refunded_vat == 0


# ----------------------------------------------------------------- validation
def _bad_bodies(order, other_order):
    a, b = order.lines[0].id, order.lines[1].id
    foreign = other_order.lines[0].id
    return [
        ({"reason": "x"}, "amount"),
        ({"amount": 10, "lines": [{"order_line_id": a, "amount": 1}], "reason": "x"}, "amount"),
        ({"lines": [], "reason": "x"}, "lines"),
        ({"lines": [{"order_line_id": a}], "reason": "x"}, "lines"),
        ({"lines": [{"order_line_id": a, "quantity": 1, "amount": 5}], "reason": "x"}, "lines"),
        ({"lines": [{"order_line_id": a, "quantity": True}], "reason": "x"}, "lines"),
        ({"lines": [{"order_line_id": a, "quantity": 0}], "reason": "x"}, "lines"),
        ({"lines": [{"order_line_id": a, "amount": "5"}], "reason": "x"}, "lines"),
        ({"lines": [{"quantity": 1}], "reason": "x"}, "lines"),
        ({"lines": [{"order_line_id": a, "quantity": 1}]}, "reason"),
        (
            {"lines": [{"order_line_id": foreign, "quantity": 1}], "reason": "x"},
            "lines.0.order_line_id",
        ),
        (
            {
                "lines": [{"order_line_id": b, "quantity": 1}, {"order_line_id": b, "amount": 1}],
                "reason": "x",
            },
            "lines.1.order_line_id",
        ),
        ({"lines": [{"order_line_id": a, "quantity": 2}], "reason": "x"}, "lines.0.quantity"),
        ({"lines": [{"order_line_id": b, "amount": 40_001}], "reason": "x"}, "lines.0.amount"),
        (
            {
                "lines": [{"order_line_id": b, "amount": 1}, {"order_line_id": a, "quantity": 5}],
                "reason": "x",
            },
            "lines.1.quantity",
        ),
    ]


def test_every_bad_refund_body_is_a_422_naming_its_field_and_changes_nothing(api):
    shop = make_vendor()
    order = make_paid_order(
        items=[(make_product(shop, price=14_500), 1), (make_product(shop, price=40_000), 1)]
    )
    other_order = make_paid_order()
    finance = api(make_user("finance"))
    url = f"/api/v1/orders/{order.id}/refunds"
    spending_before = _spending_by_line(order.id)
    for body, field in _bad_bodies(order, other_order):
        resp = finance.post(url, json=body)
        assert resp.status_code == 422, (body, resp.json)
        assert resp.json["error"]["code"] == "validation_error"
        assert field in resp.json["error"]["details"], (body, resp.json)
    assert _refund_count() == 0
    assert _order(order.id).refunded_total == 0
    assert _spending_by_line(order.id) == spending_before


def test_order_answers_carry_line_ids_for_buyer_shop_and_finance(api):
    order = make_paid_order(buyer=make_civil_servant())
    ids = [ln.id for ln in order.lines]
    for user, url in [
        (order.buyer, f"/api/v1/orders/{order.id}"),
        (order.vendor.owner, f"/api/v1/vendor/orders/{order.id}"),
        (make_user("finance"), f"/api/v1/orders/{order.id}"),
    ]:
        body = api(user).get(url).json
        assert [ln["id"] for ln in body["lines"]] == ids
    listed = api(order.buyer).get("/api/v1/orders").json["items"][0]
    assert [ln["id"] for ln in listed["lines"]] == ids


@pytest.mark.parametrize("status_code_for", ["buyer", "vendor"])
def test_only_finance_refunds_lines(api, status_code_for):
    order = make_paid_order()
    user = order.buyer if status_code_for == "buyer" else order.vendor.owner
    resp = api(user).post(
        f"/api/v1/orders/{order.id}/refunds",
        json={"lines": [{"order_line_id": order.lines[0].id, "quantity": 1}], "reason": "x"},
    )
    assert resp.status_code == 403 and _refund_count() == 0


# ----------------------------------------------------------------- separation of duties
@pytest.mark.parametrize("role", ["admin", "vendor", "civil_servant", "public"])
def test_only_finance_may_refund_even_when_the_service_is_called_directly(app, role):
    """refund_order itself refuses: an admin approves shops, so may not also send money."""
    from marketplace.audit.models import AuditLog
    from marketplace.errors import Forbidden
    from marketplace.ordering.refunds import refund_order

    order = make_paid_order(items=[(make_product(price=20_000), 1)])
    with pytest.raises(Forbidden):
        refund_order(make_user(role), order.id, 5_000, "Barang rusak")
    db.session.rollback()
    assert _order(order.id).refunded_total == 0
    assert db.session.scalar(select(func.count()).select_from(Refund)) == 0
    refunds_audited = select(func.count()).select_from(AuditLog)
    assert db.session.scalar(refunds_audited.where(AuditLog.action == "refund.create")) == 0
