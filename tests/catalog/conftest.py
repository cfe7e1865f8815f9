"""Catalog test helpers: sales written straight into spending records (what a paid order leaves
behind), so local matching and the fair-share cap can be tested without the checkout."""

from __future__ import annotations

import itertools
import uuid

import pytest

from marketplace.extensions import db
from marketplace.ledger.models import SpendingRecord
from marketplace.ordering.models import Checkout, Order, OrderLine
from marketplace.timeutil import current_period, naive_utc
from tests.factories import make_product, make_user

_numbers = itertools.count(1)


def record_sale(vendor, amount: int, *, period: str | None = None, buyer=None) -> SpendingRecord:
    """One paid order line of `amount` rupiah for `vendor`, recorded in `period` (default now)."""
    buyer = buyer or make_user("public")
    product = make_product(vendor, stock=0, price=max(amount, 1))
    checkout = Checkout(
        buyer_id=buyer.id, idempotency_key=uuid.uuid4().hex, request_hash="x" * 64, total=amount
    )
    db.session.add(checkout)
    db.session.flush()
    order = Order(
        number=f"T-{next(_numbers):06d}-{uuid.uuid4().hex[:6]}",
        checkout_id=checkout.id,
        buyer_id=buyer.id,
        vendor_id=vendor.id,
        status="paid",
        total=amount,
        paid_at=naive_utc(),
    )
    db.session.add(order)
    db.session.flush()
    line = OrderLine(
        order_id=order.id,
        product_id=product.id,
        name=product.name,
        unit="kg",
        quantity=1,
        unit_price=amount,
        line_total=amount,
    )
    db.session.add(line)
    db.session.flush()
    period = period or current_period()
    record = SpendingRecord(
        occurred_at=naive_utc(),
        period=period,
        year=int(period[:4]),
        order_id=order.id,
        order_line_id=line.id,
        buyer_id=buyer.id,
        vendor_id=vendor.id,
        vendor_umk_class="micro",
        vendor_kelurahan=vendor.kelurahan,
        is_local_product=False,
        is_pdn=True,
        amount=amount,
    )
    db.session.add(record)
    db.session.flush()
    return record


@pytest.fixture
def sale():
    return record_sale
