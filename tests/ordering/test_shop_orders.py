"""The shop's orders have one read side: the API (`GET /api/v1/vendor/orders`) and the shop's
orders page list the same orders, and never the unpaid ones."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest

from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.ordering.cart import add_to_cart
from marketplace.ordering.checkout import place_checkout
from marketplace.ordering.lifecycle import (
    accept_order,
    cancel_order,
    expire_due_orders,
    reject_order,
)
from marketplace.ordering.queries import SHOP_ORDER_TABS, list_shop_orders, shop_order_counts
from tests.factories import (
    make_civil_servant,
    make_completed_order,
    make_paid_order,
    make_product,
    make_vendor,
)

ORDER_NUMBER = re.compile(r"PKN-\d{6}-\d{6}")


def _unpaid_order(product):
    buyer = make_civil_servant()
    add_to_cart(buyer, product.id, 1)
    checkout = place_checkout(
        buyer, uuid.uuid4().hex, {"fulfilment": "pickup", "payment_method": "sandbox"}
    )
    return checkout.orders[0]


@pytest.fixture
def shop_with_every_kind_of_order(app):
    """A shop with paid, accepted, rejected, cancelled-after-paying and completed orders, plus
    three never paid: pending_payment, expired and cancelled before paying."""
    vendor = make_vendor()
    product = make_product(vendor=vendor, stock=100)
    owner = vendor.owner
    paid = {
        "paid": make_paid_order(items=[(product, 1)]),
        "accepted": make_paid_order(items=[(product, 1)]),
        "rejected": make_paid_order(items=[(product, 1)]),
        "cancelled": make_paid_order(items=[(product, 1)]),
        "completed": make_completed_order(items=[(product, 1)]),
    }
    accept_order(owner, paid["accepted"].id)
    reject_order(owner, paid["rejected"].id, "Stok rusak")
    cancel_order(paid["cancelled"].buyer, paid["cancelled"].id)
    expired = _unpaid_order(product)
    expire_due_orders(now=utcnow() + timedelta(minutes=31))
    cancelled_unpaid = _unpaid_order(product)
    cancel_order(cancelled_unpaid.buyer, cancelled_unpaid.id)
    pending = _unpaid_order(product)
    db.session.commit()
    unpaid = {"pending_payment": pending, "expired": expired, "cancelled": cancelled_unpaid}
    for status, order in unpaid.items():
        db.session.refresh(order)
        assert order.status == status
    return vendor, {o.number for o in paid.values()}, {o.number for o in unpaid.values()}


def test_the_api_and_the_shop_page_list_the_same_orders_and_no_unpaid_one(
    api, client, login, shop_with_every_kind_of_order
):
    vendor, paid, unpaid = shop_with_every_kind_of_order
    body = api(vendor.owner).get("/api/v1/vendor/orders?per_page=100").json
    from_api = {o["number"] for o in body["items"]}
    login(client, vendor.owner)
    from_page: set[str] = set()
    for tab in SHOP_ORDER_TABS:
        resp = client.get(f"/shop/orders?tab={tab}")
        assert resp.status_code == 200
        from_page |= set(ORDER_NUMBER.findall(resp.get_data(as_text=True)))
    assert from_api == from_page == paid
    assert body["total"] == len(paid) == sum(shop_order_counts(vendor.owner).values())
    assert not unpaid & from_api and not unpaid & from_page


def test_asking_the_api_for_unpaid_statuses_lists_nothing(api, shop_with_every_kind_of_order):
    vendor, _, _ = shop_with_every_kind_of_order
    shop = api(vendor.owner)
    for status in ("pending_payment", "expired"):
        assert shop.get(f"/api/v1/vendor/orders?status={status}").json["items"] == []
    cancelled = shop.get("/api/v1/vendor/orders?status=cancelled").json["items"]
    assert [o["status"] for o in cancelled] == ["cancelled"]


def test_waiting_tabs_list_the_oldest_paid_first_and_the_api_the_newest_first(app):
    vendor = make_vendor()
    product = make_product(vendor=vendor, stock=10)
    first, second = (make_paid_order(items=[(product, 1)]) for _ in range(2))
    tab = list_shop_orders(vendor.owner, tab="paid")
    assert [o.id for o in tab.items] == [first.id, second.id]
    newest = list_shop_orders(vendor.owner, status="paid")
    assert [o.id for o in newest.items] == [second.id, first.id]
