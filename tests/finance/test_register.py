"""Issue 9 part 7: the line-level transaction register, the journal and the audit log as
streamed CSV and XLSX downloads for auditors."""

import csv
import io

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.finance import register
from marketplace.ledger.models import SpendingRecord
from marketplace.ordering.refunds import refund_order
from marketplace.payments.queries import payment_for_order
from marketplace.timeutil import year_of
from tests.factories import (
    make_civil_servant,
    make_paid_order,
    make_product,
    make_user,
    make_vendor,
)


def _csv(resp) -> list[dict]:
    assert resp.status_code == 200, resp.data[:300]
    return list(csv.DictReader(io.StringIO(resp.data.decode("utf-8-sig"))))


def _sale():
    ani = make_civil_servant(nip="199001012020121001")
    shop = make_vendor(nib="1234567890123", npwp="01.234.567.8-901.000", pkp=True)
    rice = make_product(shop, name="Beras", price=60_000, stock=9, is_pdn=True)
    choc = make_product(shop, name="Cokelat impor", price=48_000, stock=9, is_pdn=False)
    order = make_paid_order(ani, [(rice, 1), (choc, 1)])
    return order


def test_the_register_has_a_row_per_line_and_refund_share_with_everything_an_auditor_asks(api):
    order = _sale()
    refund_order(make_user("finance"), order.id, 10_800, "kurang")
    client = api(make_user("finance"))
    resp = client.get(f"/api/v1/finance/register?year={year_of(order.paid_at)}")
    assert resp.is_streamed
    assert "attachment" in resp.headers["Content-Disposition"]
    rows = _csv(resp)
    assert list(rows[0]) == register.REGISTER_COLUMNS
    sales = [r for r in rows if not r["refund_id"]]
    assert len(sales) == 2
    payment = payment_for_order(order)
    for row in sales:
        assert row["channel"] == "asn_personal" and row["population"] == "programme_reach"
        assert row["buyer_nip"] == "199001012020121001"
        assert row["shop_nib"] == "1234567890123"
        assert row["shop_npwp"] == "01.234.567.8-901.000"
        assert row["order_number"] == order.number
        assert row["payment_id"] == str(payment.id)
        assert row["quantity"] == "1"
        assert row["pph"] == ""
    by_name = {r["product"]: r for r in sales}
    lines = {line.name: line for line in order.lines}
    assert by_name["Beras"]["is_pdn"] == "True" and by_name["Cokelat impor"]["is_pdn"] == "False"
    for name, line in lines.items():
        assert int(by_name[name]["amount"]) == line.line_total
        assert int(by_name[name]["vat"]) == line.vat
    total = db.session.scalar(select(func.sum(SpendingRecord.amount)))
    assert sum(int(r["amount"]) for r in rows) == total == order.total - 10_800
    refunds = [r for r in rows if r["refund_id"]]
    assert refunds and all(int(r["amount"]) < 0 for r in refunds)
    # Each refund row carries the VAT its refund line returned; together the order's.
    assert -sum(int(r["vat"]) for r in refunds) == order.refunded_vat > 0


def test_a_refund_of_one_line_by_quantity_shows_its_quantity_and_vat(api):
    order = _sale()
    rice = next(line for line in order.lines if line.name == "Beras")
    client = api(make_user("finance"))
    resp = client.post(
        f"/api/v1/orders/{order.id}/refunds",
        json={"lines": [{"order_line_id": rice.id, "quantity": 1}], "reason": "apek"},
    )
    assert resp.status_code == 201, resp.json
    rows = _csv(client.get("/api/v1/finance/register"))
    refunds = [r for r in rows if r["refund_id"]]
    assert [(r["product"], r["quantity"], int(r["amount"])) for r in refunds] == [
        ("Beras", "-1", -60_000)
    ]
    assert int(refunds[0]["vat"]) == -rice.vat


def test_the_register_shows_the_tkdn_frozen_at_the_sale(api):
    shop = make_vendor()
    rice = make_product(shop, name="Beras", price=60_000, stock=9, is_pdn=True)
    rice.tkdn_bps = 4356  # as the city approved it
    choc = make_product(shop, name="Cokelat impor", price=48_000, stock=9, is_pdn=False)
    db.session.commit()
    order = make_paid_order(make_civil_servant(), [(rice, 1), (choc, 1)])
    rice.tkdn_bps = 9000  # a later review does not rewrite what was sold
    db.session.commit()
    assert {line.name: line.tkdn_bps for line in order.lines} == {
        "Beras": 4356,
        "Cokelat impor": None,
    }
    rows = _csv(api(make_user("finance")).get("/api/v1/finance/register"))
    assert {r["product"]: r["tkdn_percent"] for r in rows} == {
        "Beras": "43.56",
        "Cokelat impor": "",
    }
