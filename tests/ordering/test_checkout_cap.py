"""The fair-share cap at checkout counts unpaid, unexpired orders as well as paid ones (SPEC §3,
issue 10): a checkout crossing the cap is allowed once, expired or cancelled orders give their
room back, paying an order does not count it twice, refunds net out."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, select

from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.ledger.models import CapReservation, FairShareCap
from marketplace.ledger.queries import vendor_sales, vendors_at_cap, vendors_at_cap_ids
from marketplace.models_base import utcnow
from marketplace.ordering.cart import add_to_cart
from marketplace.ordering.checkout import place_checkout
from marketplace.ordering.lifecycle import cancel_order, expire_due_orders
from marketplace.ordering.models import Order
from marketplace.timeutil import current_period
from tests.factories import make_civil_servant, make_product, make_vendor

BODY = {"fulfilment": "pickup", "payment_method": "sandbox"}
PRICE = 10_000_000
CAP = 30_000_000


def _capped_shop(stock=100):
    vendor = make_vendor()
    product = make_product(vendor=vendor, price=PRICE, stock=stock)
    db.session.add(FairShareCap(period=current_period(), amount=CAP))
    db.session.commit()
    return vendor, product


def _carts(product, n, quantity=1):
    """`n` buyers who put `product` in their carts while its shop was still open."""
    buyers = [make_civil_servant() for _ in range(n)]
    for buyer in buyers:
        add_to_cart(buyer, product.id, quantity)
    db.session.commit()
    return buyers


def _try_checkout(product, buyer=None):
    """A buyer with `product` in the cart checks out; (status, error code, checkout)."""
    buyer = buyer or _carts(product, 1)[0]
    try:
        checkout = place_checkout(buyer, uuid.uuid4().hex, BODY)
    except Exception as err:  # noqa: BLE001 - the domain error is the answer
        return getattr(err, "status", 500), getattr(err, "code", repr(err)), None
    return checkout.response_status, None, checkout


def _pay(checkout):
    from marketplace.payments.models import Payment
    from marketplace.payments.services import confirm_sandbox_payment

    payment = db.session.scalar(select(Payment).where(Payment.checkout_id == checkout.id))
    return confirm_sandbox_payment(checkout.buyer, payment.id, "succeeded")


def test_unpaid_orders_count_towards_the_cap_so_the_crossing_checkout_is_the_last(app):
    vendor, product = _capped_shop()
    answers = [_try_checkout(product, buyer)[:2] for buyer in _carts(product, 6)]
    # 0 → 10, 10 → 20, 20 → 30 juta (the one crossing: allowed once); then the shop is at the cap
    assert answers == [(201, None)] * 3 + [(409, "vendor_cap_reached")] * 3
    assert vendor_sales(vendor.id, current_period()) == 3 * PRICE
    assert vendor.id in vendors_at_cap([vendor.id])


def test_a_shop_full_of_unpaid_orders_is_not_listed(app, client):
    vendor, product = _capped_shop()
    for _ in range(3):
        _try_checkout(product)
    assert vendors_at_cap_ids(current_period()) == [vendor.id]
    listing = client.get(f"/api/v1/products?vendor_id={vendor.id}").get_json()
    assert listing["total"] == 0
    detail = client.get(f"/api/v1/products/{product.id}")
    assert detail.status_code == 200 and detail.get_json()["purchasable"] is False


def test_an_expired_unpaid_order_gives_its_room_under_the_cap_back(app):
    vendor, product = _capped_shop()
    waiting = _carts(product, 5)
    for buyer in waiting[:3]:
        _try_checkout(product, buyer)
    assert _try_checkout(product, waiting[3])[1] == "vendor_cap_reached"
    first = db.session.scalars(select(Order).order_by(Order.id)).first()
    # Its time passed: it no longer counts even before the expiry job runs …
    first.expires_at = utcnow() - timedelta(seconds=1)
    db.session.execute(
        CapReservation.__table__.update()
        .where(CapReservation.order_id == first.id)
        .values(expires_at=first.expires_at)
    )
    db.session.commit()
    assert vendor_sales(vendor.id, current_period()) == 2 * PRICE
    # … and the job deletes its claim with the order.
    assert expire_due_orders() == 1
    assert db.session.scalar(select(func.count()).select_from(CapReservation)) == 2
    assert _try_checkout(product, waiting[4])[0] == 201


def test_a_cancelled_unpaid_order_gives_its_room_back(app):
    vendor, product = _capped_shop()
    for _ in range(3):
        _try_checkout(product)
    order = db.session.scalars(select(Order).order_by(Order.id)).first()
    cancel_order(order.buyer, order.id)
    assert vendor_sales(vendor.id, current_period()) == 2 * PRICE
    assert _try_checkout(product)[0] == 201


def test_paying_an_order_does_not_count_it_twice(app):
    vendor, product = _capped_shop()
    _, _, checkout = _try_checkout(product)
    assert vendor_sales(vendor.id, current_period()) == PRICE
    _pay(checkout)
    db.session.expire_all()
    assert db.session.get(Order, checkout.orders[0].id).status == "paid"
    assert vendor_sales(vendor.id, current_period()) == PRICE
    assert db.session.scalar(select(func.count()).select_from(CapReservation)) == 0


def test_a_refund_makes_room_under_the_cap_again(app):
    from marketplace.ordering.refunds import refund_order
    from tests.factories import make_user

    vendor, product = _capped_shop()
    waiting = _carts(product, 4)
    checkouts = [_try_checkout(product, buyer)[2] for buyer in waiting[:3]]
    _pay(checkouts[0])
    assert _try_checkout(product, waiting[3])[1] == "vendor_cap_reached"
    order = db.session.scalars(select(Order).where(Order.checkout_id == checkouts[0].id)).one()
    refund_order(make_user("finance"), order.id, PRICE, "Barang rusak")
    assert vendor_sales(vendor.id, current_period()) == 2 * PRICE
    assert _try_checkout(product)[0] == 201


def test_a_late_payment_is_refused_when_the_shop_filled_up_meanwhile(app):
    from tests.finance.helpers import record_spending

    vendor, product = _capped_shop()
    _, _, late = _try_checkout(product)
    late_order = late.orders[0]
    # Its half hour passed before the expiry job came by, and the shop sold its cap meanwhile.
    db.session.get(Order, late_order.id).expires_at = utcnow() - timedelta(seconds=1)
    db.session.execute(
        CapReservation.__table__.update()
        .where(CapReservation.order_id == late_order.id)
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    record_spending(CAP, vendor=vendor)
    db.session.commit()
    _pay(late)
    db.session.expire_all()
    assert db.session.get(Order, late_order.id).status == "expired"
    assert vendor_sales(vendor.id, current_period()) == CAP
    assert db.session.get(Product, product.id).stock == 100


def test_a_late_payment_is_still_taken_while_the_shop_has_room(app):
    vendor, product = _capped_shop()
    _, _, late = _try_checkout(product)
    db.session.get(Order, late.orders[0].id).expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    _pay(late)
    db.session.expire_all()
    assert db.session.get(Order, late.orders[0].id).status == "paid"
    assert vendor_sales(vendor.id, current_period()) == PRICE
