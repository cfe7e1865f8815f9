"""Spending rows at chosen instants, for mandate tests.

The ordering area creates SpendingRecords when an order is paid (period = WIB month of paid_at);
these helpers build the same rows directly so a test can place a purchase at 23:30 WIB on the
last day of a month. Minimal Checkout/Order/OrderLine rows satisfy the foreign keys.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from marketplace.extensions import db
from marketplace.ledger.models import SpendingRecord
from marketplace.ledger.rules import channel_for_buyer
from marketplace.mandate import services
from marketplace.ordering.models import Checkout, Order, OrderLine
from marketplace.timeutil import WIB, naive_utc, period_of, year_of
from tests.factories import make_product, make_user, make_vendor


def wib(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    """A naive-UTC timestamp for a WIB wall-clock time (as stored)."""
    return naive_utc(datetime(year, month, day, hour, minute, tzinfo=WIB))


def make_spending(
    buyer, amount: int, at: datetime, *, vendor=None, local: bool = True, local_product: bool = True
) -> SpendingRecord:
    """One paid order line of `amount` by `buyer` at `at` (naive UTC), recorded as ordering does."""
    vendor = vendor or make_vendor(made_in_city=local)
    product = make_product(vendor, price=max(amount, 1))
    checkout = Checkout(
        buyer_id=buyer.id, idempotency_key=uuid.uuid4().hex, request_hash="0" * 64, total=amount
    )
    order = Order(
        number="T" + uuid.uuid4().hex[:12].upper(),
        checkout=checkout,
        buyer_id=buyer.id,
        vendor_id=vendor.id,
        status="paid",
        total=amount,
        paid_at=at,
        created_at=at,
    )
    line = OrderLine(
        order=order,
        product_id=product.id,
        name=product.name,
        unit=product.unit,
        quantity=1,
        unit_price=amount,
        line_total=amount,
    )
    db.session.add_all([checkout, order, line])
    db.session.flush()
    record = SpendingRecord(
        occurred_at=at,
        period=period_of(at),
        year=year_of(at),
        order_id=order.id,
        order_line_id=line.id,
        buyer_id=buyer.id,
        channel=channel_for_buyer(buyer.role),
        opd_id=buyer.opd_id,
        vendor_id=vendor.id,
        vendor_umk_class="micro",
        vendor_kelurahan=vendor.kelurahan,
        is_local_vendor=local and vendor.status == "verified",
        is_local_product=local_product,
        is_pdn=True,
        amount=amount,
    )
    db.session.add(record)
    db.session.flush()
    return record


def refund_spending(record: SpendingRecord, amount: int) -> SpendingRecord:
    """A refund share of `record`: a negative row in the sale's own period (as ordering does)."""
    refund = SpendingRecord(
        occurred_at=record.occurred_at,
        period=record.period,
        year=record.year,
        order_id=record.order_id,
        order_line_id=record.order_line_id,
        buyer_id=record.buyer_id,
        channel=record.channel,
        opd_id=record.opd_id,
        vendor_id=record.vendor_id,
        vendor_umk_class=record.vendor_umk_class,
        vendor_kelurahan=record.vendor_kelurahan,
        is_local_vendor=record.is_local_vendor,
        is_local_product=record.is_local_product,
        is_pdn=record.is_pdn,
        amount=-amount,
    )
    db.session.add(refund)
    db.session.flush()
    return refund


def make_admin(**kw):
    return make_user("admin", **kw)


def set_rule(
    effective_from: str,
    default_amount: int,
    by_position: dict[str, int] | None = None,
    admin=None,
    counts_on: str = "payment",
):
    """Set a rule through the real service, acting as if it were the first day of that period.
    These tests place paid orders (`make_spending`), so the rule counts at payment unless told
    otherwise (a new rule's own default is at receipt)."""
    admin = admin or make_admin()
    year, month = (int(x) for x in effective_from.split("-"))
    return services.set_mandate_rules(
        admin,
        default_amount=default_amount,
        by_position=by_position or {},
        effective_from=effective_from,
        counts_on=counts_on,
        now=wib(year, month, 1, 8),
    )


def session_login(client, user):
    """Log `client` in as `user` through the session cookie, like the login form does."""
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True
    return client
