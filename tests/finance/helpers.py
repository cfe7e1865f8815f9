"""Small builders for finance tests: spending records, journals and Stripe payments written
directly, so a test controls dates, classes and amounts exactly."""

from __future__ import annotations

import itertools
from datetime import datetime

from marketplace.extensions import db
from marketplace.ledger.models import PROVIDER_CASH, VENDOR_PENDING, SpendingRecord
from marketplace.ledger.rules import OPD_PROCUREMENT, channel_for_buyer
from marketplace.ledger.services import post_journal
from marketplace.ordering.models import Checkout, Order, OrderLine
from marketplace.payments.models import Payment, Refund
from marketplace.timeutil import naive_utc, period_of, year_of
from tests.factories import make_civil_servant, make_product, make_vendor

_seq = itertools.count(1)


def make_order(vendor=None, buyer=None, amount: int = 10_000):
    """A paid order with one line (no stock or payment side effects)."""
    n = next(_seq)
    vendor = vendor or make_vendor()
    buyer = buyer or make_civil_servant()
    product = make_product(vendor, price=max(amount, 1), stock=0)
    checkout = Checkout(
        buyer_id=buyer.id, idempotency_key=f"fin-{n}", request_hash="x" * 64, total=amount
    )
    db.session.add(checkout)
    db.session.flush()
    order = Order(
        number=f"FIN-{n:06d}",
        checkout_id=checkout.id,
        buyer_id=buyer.id,
        vendor_id=vendor.id,
        status="paid",
        total=amount,
        paid_at=naive_utc(),
    )
    order.lines.append(
        OrderLine(
            product_id=product.id,
            name=product.name,
            unit="kg",
            quantity=1,
            unit_price=amount,
            line_total=amount,
        )
    )
    db.session.add(order)
    db.session.flush()
    return order


def record_spending(
    amount: int,
    *,
    at: datetime | None = None,
    vendor=None,
    buyer=None,
    opd=None,
    umk_class: str = "micro",
    is_pdn: bool = True,
    is_local_product: bool = True,
    kelurahan: str | None = None,
    order=None,
    channel: str | None = None,
) -> SpendingRecord:
    """One spending record as the ordering area writes it (period/year in WIB from `at`).

    The channel defaults to `opd_procurement` (target realisation: what most finance tests are
    about) unless a `buyer` is given, whose role then decides it (`asn_personal`, `public`)."""
    at = naive_utc(at) if at else naive_utc()
    vendor = vendor or (order.vendor if order else make_vendor())
    if channel is None:
        channel = channel_for_buyer(buyer.role) if buyer is not None else OPD_PROCUREMENT
    if buyer is None and opd is not None:
        buyer = make_civil_servant(opd=opd)
    order = order or make_order(vendor, buyer, abs(amount))
    buyer_user = order.buyer
    record = SpendingRecord(
        occurred_at=at,
        period=period_of(at),
        year=year_of(at),
        order_id=order.id,
        order_line_id=order.lines[0].id,
        buyer_id=buyer_user.id,
        channel=channel,
        opd_id=opd.id if opd is not None else buyer_user.opd_id,
        vendor_id=vendor.id,
        vendor_umk_class=umk_class,
        vendor_type=vendor.type,
        vendor_kelurahan=kelurahan or vendor.kelurahan,
        is_local_vendor=True,
        is_local_product=is_local_product,
        is_pdn=is_pdn,
        amount=amount,
    )
    db.session.add(record)
    db.session.flush()
    return record


def make_stripe_payment(amount: int, provider_ref: str, *, vendor=None):
    """A succeeded Stripe payment for one order (provider_ref is the PaymentIntent id)."""
    order = make_order(vendor, amount=amount)
    payment = Payment(
        checkout_id=order.checkout_id,
        provider="stripe",
        status="succeeded",
        amount=amount,
        provider_ref=provider_ref,
    )
    db.session.add(payment)
    db.session.flush()
    return order, payment


def post_payment_journal(
    order, amount: int, *, reference: str | None = None, payment=None, at: datetime | None = None
):
    journal = post_journal(
        "payment",
        [(PROVIDER_CASH, amount), (VENDOR_PENDING, -amount, order.vendor_id)],
        reference=reference,
        order_id=order.id,
        payment_id=payment.id if payment else None,
    )
    if at is not None:
        journal.created_at = naive_utc(at)
        db.session.flush()
    return journal


def make_stripe_refund(order, payment, amount: int, provider_ref: str) -> Refund:
    refund = Refund(
        order_id=order.id,
        payment_id=payment.id,
        amount=amount,
        reason="test",
        provider_ref=provider_ref,
    )
    db.session.add(refund)
    db.session.flush()
    return refund
