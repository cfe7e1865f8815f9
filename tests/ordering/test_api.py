"""The ordering API end to end through the test client: cart, checkout, lifecycle, refunds."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.ledger.models import FairShareCap, JournalEntry, SpendingRecord
from marketplace.ordering.models import Checkout, Order
from marketplace.payments.models import Refund
from marketplace.shops.models import StockMovement
from marketplace.timeutil import current_period
from tests.factories import (
    make_civil_servant,
    make_completed_order,
    make_paid_order,
    make_product,
    make_user,
    make_vendor,
)

SANDBOX = {"fulfilment": "pickup", "payment_method": "sandbox"}


def _checkout(client, body=None, key=None):
    return client.post(
        "/api/v1/checkout",
        json=body or SANDBOX,
        headers={"Idempotency-Key": key or uuid.uuid4().hex},
    )


def _stock(product_id):
    db.session.expire_all()
    return db.session.get(Product, product_id).stock


def _pay(client, body):
    return client.post(
        f"/api/v1/payments/{body['payment']['id']}/sandbox-confirm", json={"outcome": "succeeded"}
    )


# ----------------------------------------------------------------- cart
def test_buyer_fills_the_cart_and_sees_lines_and_total(api):
    buyer = make_civil_servant()
    product = make_product(price=12_500, stock=5)
    client = api(buyer)
    resp = client.put(f"/api/v1/cart/items/{product.id}", json={"quantity": 2})
    assert resp.status_code == 200, resp.json
    assert resp.json["items"][0]["line_total"] == 25_000
    assert resp.json["items"][0]["vendor_id"] == product.vendor_id
    assert resp.json["total"] == 25_000
    assert client.get("/api/v1/cart").json["total"] == 25_000


def test_quantity_zero_and_delete_remove_the_line(api):
    buyer = make_user("public")
    a, b = make_product(), make_product()
    client = api(buyer)
    client.put(f"/api/v1/cart/items/{a.id}", json={"quantity": 1})
    client.put(f"/api/v1/cart/items/{b.id}", json={"quantity": 1})
    assert (
        client.put(f"/api/v1/cart/items/{a.id}", json={"quantity": 0}).json["items"][0][
            "product_id"
        ]
        == b.id
    )
    assert client.delete(f"/api/v1/cart/items/{b.id}").json["items"] == []


@pytest.mark.parametrize("quantity", [-1, 1000, "2", 1.5, None, True])
def test_cart_rejects_a_bad_quantity_with_422(api, quantity):
    product = make_product()
    resp = api(make_civil_servant()).put(
        f"/api/v1/cart/items/{product.id}", json={"quantity": quantity}
    )
    assert resp.status_code == 422
    assert "quantity" in resp.json["error"]["details"]


def test_cart_refuses_more_than_stock_and_unlisted_products(api):
    client = api(make_civil_servant())
    product = make_product(stock=3)
    resp = client.put(f"/api/v1/cart/items/{product.id}", json={"quantity": 4})
    assert resp.status_code == 409 and resp.json["error"]["code"] == "out_of_stock"
    hidden = make_product(vendor=make_vendor(status="pending"))
    assert client.put(f"/api/v1/cart/items/{hidden.id}", json={"quantity": 1}).status_code == 404
    assert client.put("/api/v1/cart/items/999999", json={"quantity": 1}).status_code == 404
    assert client.get("/api/v1/cart").json["items"] == []


@pytest.mark.parametrize("role", ["vendor", "finance", "admin"])
def test_only_buyers_have_a_cart(api, role):
    assert api(make_user(role)).get("/api/v1/cart").status_code == 403


def test_anonymous_cart_is_401(api):
    assert api().get("/api/v1/cart").status_code == 401


# ----------------------------------------------------------------- checkout
def test_checkout_with_two_vendors_makes_two_orders_under_one_payment(api):
    buyer = make_civil_servant()
    a, b = make_product(price=10_000, stock=5), make_product(price=7_000, stock=5)
    client = api(buyer)
    client.put(f"/api/v1/cart/items/{a.id}", json={"quantity": 2})
    client.put(f"/api/v1/cart/items/{b.id}", json={"quantity": 1})
    resp = _checkout(client)
    assert resp.status_code == 201, resp.json
    body = resp.json
    assert body["total"] == 27_000
    assert sorted(o["total"] for o in body["orders"]) == [7_000, 20_000]
    assert {o["vendor"]["id"] for o in body["orders"]} == {a.vendor_id, b.vendor_id}
    assert all(
        o["status"] == "pending_payment" and o["number"].startswith("PKN-") for o in body["orders"]
    )
    assert body["payment"]["provider"] == "sandbox"
    assert _stock(a.id) == 3 and _stock(b.id) == 4
    assert client.get("/api/v1/cart").json["items"] == []
    paid = _pay(client, body)
    assert paid.status_code == 200 and paid.json["status"] == "succeeded"
    statuses = [client.get(f"/api/v1/orders/{o['id']}").json["status"] for o in body["orders"]]
    assert statuses == ["paid", "paid"]
    assert db.session.scalar(select(func.sum(SpendingRecord.amount))) == 27_000


def test_checkout_replays_the_same_answer_for_the_same_key(api):
    client = api(make_civil_servant())
    product = make_product(stock=5)
    client.put(f"/api/v1/cart/items/{product.id}", json={"quantity": 1})
    first = _checkout(client, key="k-1")
    second = _checkout(client, key="k-1")
    assert first.status_code == second.status_code == 201
    assert first.json == second.json
    assert db.session.scalar(select(func.count()).select_from(Checkout)) == 1
    assert _stock(product.id) == 4


def test_checkout_with_the_same_key_and_another_body_is_422(api):
    client = api(make_civil_servant())
    product = make_product(stock=5)
    client.put(f"/api/v1/cart/items/{product.id}", json={"quantity": 1})
    assert _checkout(client, key="k-2").status_code == 201
    other = _checkout(
        client,
        {"fulfilment": "delivery", "address": "Jl. Tunjungan 1", "payment_method": "sandbox"},
        key="k-2",
    )
    assert other.status_code == 422
    assert other.json["error"]["code"] == "idempotency_conflict"


def test_idempotency_keys_are_scoped_per_buyer(api):
    a, b = make_civil_servant(), make_civil_servant()
    product = make_product(stock=5)
    for buyer in (a, b):
        api(buyer).put(f"/api/v1/cart/items/{product.id}", json={"quantity": 1})
    assert _checkout(api(a), key="shared").status_code == 201
    second = _checkout(api(b), key="shared")
    assert second.status_code == 201
    assert db.session.scalar(select(func.count()).select_from(Order)) == 2


def test_checkout_needs_an_idempotency_key(api):
    client = api(make_civil_servant())
    resp = client.post("/api/v1/checkout", json=SANDBOX)
    assert resp.status_code == 400 and resp.json["error"]["code"] == "idempotency_key_required"
    assert _checkout(client, key="x" * 256).status_code == 400


def test_checkout_of_an_empty_cart_is_422(api):
    resp = _checkout(api(make_civil_servant()))
    assert resp.status_code == 422 and resp.json["error"]["code"] == "empty_cart"


def test_delivery_needs_an_address(api):
    client = api(make_civil_servant())
    product = make_product()
    client.put(f"/api/v1/cart/items/{product.id}", json={"quantity": 1})
    resp = _checkout(client, {"fulfilment": "delivery", "payment_method": "sandbox"})
    assert resp.status_code == 422 and "address" in resp.json["error"]["details"]


def test_stripe_is_refused_when_not_configured(api):
    client = api(make_civil_servant())
    product = make_product()
    client.put(f"/api/v1/cart/items/{product.id}", json={"quantity": 1})
    resp = _checkout(client, {"fulfilment": "pickup", "payment_method": "stripe"})
    assert resp.status_code == 422 and "payment_method" in resp.json["error"]["details"]
    assert _stock(product.id) == 10


def test_out_of_stock_at_checkout_takes_nothing(api):
    buyer = make_civil_servant()
    plenty, scarce = make_product(stock=10), make_product(stock=2)
    client = api(buyer)
    client.put(f"/api/v1/cart/items/{plenty.id}", json={"quantity": 3})
    client.put(f"/api/v1/cart/items/{scarce.id}", json={"quantity": 2})
    db.session.get(Product, scarce.id).stock = 1  # someone else bought one meanwhile
    db.session.commit()
    resp = _checkout(client)
    assert resp.status_code == 409 and resp.json["error"]["code"] == "out_of_stock"
    assert resp.json["error"]["details"]["product_id"] == scarce.id
    assert _stock(plenty.id) == 10 and _stock(scarce.id) == 1
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    assert (
        db.session.scalar(
            select(func.count()).select_from(StockMovement).where(StockMovement.kind == "sale")
        )
        == 0
    )


def test_vendor_at_cap_cannot_be_checked_out_and_nothing_is_taken(api, app):
    vendor = make_vendor()
    product = make_product(vendor=vendor, price=10_000, stock=10)
    make_paid_order(items=[(product, 2)])  # 20 000 sold this period
    db.session.add(FairShareCap(period=current_period(), amount=25_000))
    db.session.commit()
    client = api(make_civil_servant())
    # below the cap: allowed once even though it crosses it
    client.put(f"/api/v1/cart/items/{product.id}", json={"quantity": 1})
    crossing = _checkout(client)
    assert crossing.status_code == 201
    _pay(client, crossing.json)
    resp = client.put(f"/api/v1/cart/items/{product.id}", json={"quantity": 1})
    assert resp.status_code == 409 and resp.json["error"]["code"] == "vendor_cap_reached"
    assert _stock(product.id) == 7


def test_checkout_splits_vat_only_for_pkp_vendors_and_non_exempt_products(api):
    pkp = make_vendor(pkp=True)
    taxed = make_product(vendor=pkp, price=11_100, stock=5)
    exempt = make_product(vendor=pkp, price=10_000, stock=5, vat_exempt=True)
    client = api(make_civil_servant())
    client.put(f"/api/v1/cart/items/{taxed.id}", json={"quantity": 1})
    client.put(f"/api/v1/cart/items/{exempt.id}", json={"quantity": 1})
    order = _checkout(client).json["orders"][0]
    vats = {line["product_id"]: line["vat"] for line in order["lines"]}
    assert vats == {taxed.id: 1_100, exempt.id: 0}
    assert order["vat_total"] == 1_100


# ----------------------------------------------------------------- reading orders
def test_another_buyer_gets_404_for_my_order(api):
    order = make_paid_order()
    stranger = api(make_civil_servant())
    assert stranger.get(f"/api/v1/orders/{order.id}").status_code == 404
    assert stranger.post(f"/api/v1/orders/{order.id}/cancel").status_code == 404
    assert stranger.get("/api/v1/orders").json["total"] == 0


def test_order_has_the_spec_shape(api):
    order = make_paid_order()
    body = api(order.buyer).get(f"/api/v1/orders/{order.id}").json
    for key in (
        "id",
        "number",
        "status",
        "buyer_id",
        "vendor",
        "lines",
        "total",
        "vat_total",
        "refunded_total",
        "fulfilment",
        "created_at",
        "paid_at",
        "completed_at",
    ):
        assert key in body
    assert set(body["lines"][0]) >= {
        "product_id",
        "name",
        "quantity",
        "unit_price",
        "line_total",
        "vat",
    }
    assert [e["to_status"] for e in body["events"]] == ["pending_payment", "paid"]


def test_orders_are_listed_per_role_and_filtered_by_status(api):
    order = make_paid_order()
    make_paid_order()
    assert api(order.buyer).get("/api/v1/orders").json["total"] == 1
    assert api(order.vendor.owner).get("/api/v1/orders").json["total"] == 1
    assert api(make_user("finance")).get("/api/v1/orders?status=paid").json["total"] == 2
    assert api(make_user("finance")).get("/api/v1/orders?status=completed").json["total"] == 0
    assert api(make_user("admin")).get("/api/v1/orders?status=nonsense").status_code == 422
    vendor_page = api(order.vendor.owner).get("/api/v1/vendor/orders?per_page=1").json
    assert vendor_page["total"] == 1 and vendor_page["per_page"] == 1


# ----------------------------------------------------------------- lifecycle
def test_vendor_moves_an_order_to_ready_and_buyer_confirms_receipt(api):
    order = make_paid_order()
    shop = api(order.vendor.owner)
    assert shop.post(f"/api/v1/vendor/orders/{order.id}/accept").json["status"] == "accepted"
    assert shop.post(f"/api/v1/vendor/orders/{order.id}/accept").status_code == 409
    assert shop.post(f"/api/v1/vendor/orders/{order.id}/ready").json["status"] == "ready"
    done = api(order.buyer).post(f"/api/v1/orders/{order.id}/confirm-receipt")
    assert done.status_code == 200 and done.json["status"] == "completed"
    assert done.json["completed_at"]


def test_another_shop_cannot_touch_my_order(api):
    order = make_paid_order()
    other = make_vendor()
    resp = api(other.owner).post(f"/api/v1/vendor/orders/{order.id}/accept")
    assert resp.status_code == 404


def test_vendor_reject_needs_a_reason_and_refunds_in_full(api):
    order = make_paid_order(items=[(make_product(stock=5, price=10_000), 2)])
    shop = api(order.vendor.owner)
    assert shop.post(f"/api/v1/vendor/orders/{order.id}/reject", json={}).status_code == 422
    resp = shop.post(f"/api/v1/vendor/orders/{order.id}/reject", json={"reason": "Stok rusak"})
    assert resp.status_code == 200 and resp.json["status"] == "rejected"
    assert resp.json["refunded_total"] == 20_000
    assert _stock(order.lines[0].product_id) == 5


def test_buyer_cancels_a_paid_order_with_a_full_refund_and_stock_back(api):
    product = make_product(stock=4, price=5_000)
    order = make_paid_order(items=[(product, 3)])
    resp = api(order.buyer).post(f"/api/v1/orders/{order.id}/cancel")
    assert resp.status_code == 200 and resp.json["status"] == "cancelled"
    assert resp.json["refunded_total"] == 15_000
    assert _stock(product.id) == 4
    assert db.session.scalar(select(func.sum(SpendingRecord.amount))) == 0


def test_buyer_cannot_cancel_after_acceptance(api):
    order = make_paid_order()
    api(order.vendor.owner).post(f"/api/v1/vendor/orders/{order.id}/accept")
    resp = api(order.buyer).post(f"/api/v1/orders/{order.id}/cancel")
    assert resp.status_code == 409 and resp.json["error"]["code"] == "invalid_transition"


# ----------------------------------------------------------------- refunds
def test_finance_refunds_partially_then_the_rest_and_no_more(api):
    order = make_paid_order(items=[(make_product(price=10_000, stock=5), 3)])
    finance = api(make_user("finance"))
    url = f"/api/v1/orders/{order.id}/refunds"
    first = finance.post(url, json={"amount": 10_001, "reason": "Barang kurang"})
    assert first.status_code == 201 and first.json["amount"] == 10_001
    too_much = finance.post(url, json={"amount": 20_000, "reason": "lagi"})
    assert too_much.status_code == 422
    rest = finance.post(url, json={"amount": 19_999, "reason": "Sisanya"})
    assert rest.status_code == 201
    assert api(order.buyer).get(f"/api/v1/orders/{order.id}").json["refunded_total"] == 30_000
    records = db.session.scalars(select(SpendingRecord.amount)).all()
    assert sum(records) == 0 and sum(r for r in records if r < 0) == -30_000


def test_refund_needs_finance_a_reason_and_a_positive_amount(api):
    order = make_paid_order()
    url = f"/api/v1/orders/{order.id}/refunds"
    assert api(order.buyer).post(url, json={"amount": 1, "reason": "x"}).status_code == 403
    finance = api(make_user("finance"))
    assert finance.post(url, json={"amount": 0, "reason": "x"}).status_code == 422
    assert finance.post(url, json={"amount": 100}).status_code == 422
    assert (
        finance.post("/api/v1/orders/999999/refunds", json={"amount": 1, "reason": "x"}).status_code
        == 404
    )


def test_an_admin_cannot_refund_an_order_and_nothing_changes(api):
    """Separation of duties: admins approve shops, finance moves money."""
    order = make_paid_order(items=[(make_product(price=10_000, stock=5), 1)])
    resp = api(make_user("admin")).post(
        f"/api/v1/orders/{order.id}/refunds", json={"amount": 1_000, "reason": "x"}
    )
    assert resp.status_code == 403 and resp.json["error"]["code"] == "forbidden"
    assert db.session.scalar(select(func.count()).select_from(Refund)) == 0
    assert api(order.buyer).get(f"/api/v1/orders/{order.id}").json["refunded_total"] == 0


def test_ledger_balances_sum_to_zero_after_a_mix_of_everything(api, app):
    app.config["PLATFORM_COMMISSION_BPS"] = 250
    completed = make_completed_order(items=[(make_product(price=33_333, stock=5), 1)])
    paid = make_paid_order(items=[(make_product(price=10_001, stock=5), 3)])
    cancelled = make_paid_order()
    api(cancelled.buyer).post(f"/api/v1/orders/{cancelled.id}/cancel")
    finance = api(make_user("finance"))
    finance.post(
        f"/api/v1/orders/{completed.id}/refunds", json={"amount": 3_333, "reason": "rusak"}
    )
    finance.post(f"/api/v1/orders/{paid.id}/refunds", json={"amount": 7, "reason": "selisih"})
    body = finance.get("/api/v1/finance/ledger/balances").json
    assert body["total"] == 0
    assert sum(body["accounts"].values()) == 0
    assert body["accounts"]["provider_cash"] == 33_333 + 30_003 - 3_333 - 7
    assert db.session.scalar(select(func.count()).select_from(JournalEntry)) >= 6


def test_ledger_balances_are_for_finance_only(api):
    assert api(make_civil_servant()).get("/api/v1/finance/ledger/balances").status_code == 403


# ----------------------------------------------------------------- caps
def test_admin_sets_a_period_cap_and_it_is_audited(api):
    admin = api(make_user("admin"))
    resp = admin.put("/api/v1/admin/caps/2026-11", json={"amount": 5_000_000})
    assert resp.status_code == 200 and resp.json["amount"] == 5_000_000
    assert admin.put("/api/v1/admin/caps/2026-13", json={"amount": 1}).status_code == 422
    listed = admin.get("/api/v1/admin/caps").json
    assert listed["items"][0] == {**listed["items"][0], "period": "2026-11", "amount": 5_000_000}
    from marketplace.audit.models import AuditLog

    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == "cap.set")
        )
        == 1
    )
    assert (
        api(make_user("finance")).put("/api/v1/admin/caps/2026-11", json={"amount": 1}).status_code
        == 403
    )
