"""Ordering services against the database: expiry, completion, ledger postings, spending records,
refund splits and signals."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from marketplace import signals
from marketplace.catalog.models import Product
from marketplace.errors import InvalidTransition, NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.ledger.models import (
    VENDOR_AVAILABLE,
    VENDOR_PENDING,
    VENDOR_RECEIVABLE,
    SpendingRecord,
)
from marketplace.ledger.services import account_balances, post_journal, vendor_account_balance
from marketplace.models_base import utcnow
from marketplace.ordering.cart import add_to_cart
from marketplace.ordering.checkout import place_checkout
from marketplace.ordering.lifecycle import (
    accept_order,
    auto_complete_orders,
    cancel_order,
    confirm_receipt,
    expire_due_orders,
    mark_order_ready,
)
from marketplace.ordering.models import Order
from marketplace.ordering.refunds import refund_order
from marketplace.payments.models import Payment, Refund
from marketplace.shops.models import StockMovement
from marketplace.timeutil import WIB, naive_utc
from tests.factories import (
    make_civil_servant,
    make_completed_order,
    make_paid_checkout,
    make_paid_order,
    make_product,
    make_user,
    make_vendor,
)

pytestmark = pytest.mark.usefixtures("app")


def _unpaid_checkout(buyer, items):
    for product, qty in items:
        add_to_cart(buyer, product.id, qty)
    return place_checkout(
        buyer, uuid.uuid4().hex, {"fulfilment": "pickup", "payment_method": "sandbox"}
    )


def _stock(pid):
    db.session.expire_all()
    return db.session.get(Product, pid).stock


def test_unpaid_orders_expire_and_give_their_stock_back():
    product = make_product(stock=5)
    checkout = _unpaid_checkout(make_civil_servant(), [(product, 3)])
    assert _stock(product.id) == 2
    assert expire_due_orders(now=utcnow() + timedelta(minutes=31)) == 1
    order = checkout.orders[0]
    db.session.refresh(order)
    assert order.status == "expired" and _stock(product.id) == 5
    kinds = db.session.scalars(
        select(StockMovement.kind).where(StockMovement.order_id == order.id)
    ).all()
    assert sorted(kinds) == ["release", "sale"]


def test_orders_not_yet_due_do_not_expire():
    product = make_product(stock=5)
    _unpaid_checkout(make_civil_servant(), [(product, 1)])
    assert expire_due_orders(now=utcnow() + timedelta(minutes=29)) == 0
    assert _stock(product.id) == 4


def test_paying_posts_one_balanced_journal_with_commission_and_spending_records(app):
    app.config["PLATFORM_COMMISSION_BPS"] = 500
    opd_buyer = make_civil_servant()
    vendor = make_vendor(kelurahan="Tegalsari", umk_class_override="small")
    product = make_product(vendor=vendor, price=20_000, is_local_product=True, is_pdn=True)
    order = make_paid_order(opd_buyer, [(product, 2)])
    assert order.commission == 2_000
    assert vendor_account_balance(vendor.id, VENDOR_PENDING) == -38_000
    assert account_balances()["platform_commission"] == -2_000
    record = db.session.scalar(select(SpendingRecord))
    assert (
        record.amount,
        record.opd_id,
        record.vendor_umk_class,
        record.vendor_kelurahan,
        record.is_local_vendor,
        record.is_local_product,
        record.is_pdn,
    ) == (40_000, opd_buyer.opd_id, "small", "Tegalsari", True, True, True)


def test_completion_moves_the_vendor_share_net_of_refunds_to_available(app):
    app.config["PLATFORM_COMMISSION_BPS"] = 1_000
    order = make_paid_order(items=[(make_product(price=10_000), 3)])
    refund_order(make_user("finance"), order.id, 10_000, "satu rusak")
    owner = order.vendor.owner
    accept_order(owner, order.id)
    mark_order_ready(owner, order.id)
    confirm_receipt(order.buyer, order.id)
    assert vendor_account_balance(order.vendor_id, VENDOR_PENDING) == 0
    assert vendor_account_balance(order.vendor_id, VENDOR_AVAILABLE) == -18_000
    assert sum(account_balances().values()) == 0


@pytest.mark.parametrize("amount", [0, -5_000])
def test_refund_order_refuses_an_amount_that_is_not_positive(amount):
    order = make_paid_order(items=[(make_product(price=10_000), 1)])
    with pytest.raises(ValidationFailed) as refused:
        refund_order(make_user("finance"), order.id, amount, "salah ketik")
    assert "amount" in refused.value.details
    db.session.rollback()
    db.session.refresh(order)
    assert order.refunded_total == 0
    assert db.session.scalar(select(func.count()).select_from(Refund)) == 0


def test_refund_after_payout_becomes_a_vendor_receivable():
    order = make_completed_order(items=[(make_product(price=10_000), 1)])
    vid = order.vendor_id
    # a payout moved the available balance out (what the payouts area posts)
    post_journal(
        "payout",
        [("vendor_payable_available", 10_000, vid), ("vendor_payout_in_transit", -10_000, vid)],
    )
    db.session.commit()
    refund_order(make_user("finance"), order.id, 4_000, "retur")
    assert vendor_account_balance(vid, VENDOR_RECEIVABLE) == 4_000
    assert vendor_account_balance(vid, VENDOR_AVAILABLE) == 0
    assert sum(account_balances().values()) == 0


def _ready_at(order, wib: datetime) -> None:
    """Pretend `order` became ready at the WIB moment `wib`."""
    db.session.execute(update(Order).where(Order.id == order.id).values(ready_at=naive_utc(wib)))
    db.session.commit()


def test_ready_orders_complete_automatically_after_the_waiting_days(app):
    order = make_paid_order()
    accept_order(order.vendor.owner, order.id)
    mark_order_ready(order.vendor.owner, order.id)
    # An ordinary week: ready Monday 7 September 2026 10:00 WIB → done Thursday 10:00.
    _ready_at(order, datetime(2026, 9, 7, 10, tzinfo=WIB))
    assert auto_complete_orders(now=datetime(2026, 9, 10, 9, 59, tzinfo=WIB)) == 0
    assert auto_complete_orders(now=datetime(2026, 9, 10, 10, 0, tzinfo=WIB)) == 1
    db.session.refresh(order)
    assert order.status == "completed" and order.events[-1].note == "Selesai otomatis."


@pytest.mark.parametrize(
    "ready, not_yet, due",
    [
        # Friday: the weekend does not count → Wednesday.
        ((2026, 9, 11, 15), (2026, 9, 14, 15), (2026, 9, 16, 15)),
        # Tuesday 17 March 2026: Nyepi, Idulfitri and cuti bersama (18–24 March) → Friday 27.
        ((2026, 3, 17, 8), (2026, 3, 26, 8), (2026, 3, 27, 8)),
        # Wednesday 23 December 2026: 24 (cuti bersama) and 25 (Natal) are off → 30 December.
        ((2026, 12, 23, 12), (2026, 12, 29, 12), (2026, 12, 30, 12)),
    ],
)
def test_auto_completion_counts_working_days_over_weekends_and_holidays(app, ready, not_yet, due):
    order = make_paid_order()
    accept_order(order.vendor.owner, order.id)
    mark_order_ready(order.vendor.owner, order.id)
    _ready_at(order, datetime(*ready, tzinfo=WIB))
    assert auto_complete_orders(now=datetime(*not_yet, tzinfo=WIB)) == 0
    assert auto_complete_orders(now=datetime(*due, tzinfo=WIB)) == 1


def test_signals_go_out_after_commit():
    seen = []

    def on_paid(order):
        seen.append(("paid", order.status))

    def on_completed(order):
        seen.append(("completed", order.status))

    def on_refunded(order, refund):
        seen.append(("refunded", refund.amount))

    signals.order_paid.connect(on_paid)
    signals.order_completed.connect(on_completed)
    signals.order_refunded.connect(on_refunded)
    try:
        order = make_completed_order(items=[(make_product(price=5_000), 1)])
        refund_order(make_user("finance"), order.id, 1_000, "potongan")
    finally:
        signals.order_paid.disconnect(on_paid)
        signals.order_completed.disconnect(on_completed)
        signals.order_refunded.disconnect(on_refunded)
    assert seen == [("paid", "paid"), ("completed", "completed"), ("refunded", 1_000)]


def test_vendor_services_are_scoped_to_their_own_shop():
    order = make_paid_order()
    with pytest.raises(NotFound):
        accept_order(make_vendor().owner, order.id)
    with pytest.raises(NotFound):
        cancel_order(make_civil_servant(), order.id)


def test_confirm_receipt_before_ready_is_an_invalid_transition():
    order = make_paid_order()
    with pytest.raises(InvalidTransition):
        confirm_receipt(order.buyer, order.id)


def test_a_multi_vendor_checkout_has_one_payment_and_one_order_per_vendor():
    a, b = make_product(), make_product()
    checkout = make_paid_checkout(items=[(a, 1), (b, 2)])
    assert sorted(o.vendor_id for o in checkout.orders) == sorted([a.vendor_id, b.vendor_id])
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 1
    assert len({o.number for o in checkout.orders}) == 2


def test_cli_jobs_run(app, runner):
    product = make_product(stock=2)
    _unpaid_checkout(make_civil_servant(), [(product, 2)])
    result = runner.invoke(args=["run-order-jobs"])
    assert result.exit_code == 0 and "expired 0" in result.output
