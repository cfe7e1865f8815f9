"""What the procurement area may ask of ordering (its only way in): place an office's approved
purchase as orders on invoice, one per shop, with the stock taken at once.

Orders on invoice (`payment_terms="invoice"`) start in `placed`: the shop accepts, readies or
rejects them like any order, but they never expire and no card payment is opened for them. No
ledger entry and no spending record is written here: a sale is recognised when it is paid
(`payments_port.mark_checkout_paid` for card orders); the office's treasurer pays these later,
and that slice books them.

The function only flushes: the caller commits (or rolls back on an error, giving nothing back
because nothing was kept).
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.ledger.rules import OPD_PROCUREMENT
from marketplace.models_base import utcnow
from marketplace.ordering import rules
from marketplace.ordering.cart import is_listed
from marketplace.ordering.checkout import add_order_lines
from marketplace.ordering.errors import ProductUnavailable
from marketplace.ordering.models import Checkout, Order, OrderEvent
from marketplace.ordering.stock import take_stock
from marketplace.shops.models import StockMovement
from marketplace.timeutil import period_of


@dataclass(frozen=True)
class InvoiceLine:
    """One line of an approved purchase: the product and the quantity and unit price approved."""

    product_id: int
    quantity: int
    unit_price: int


def place_invoice_orders(
    *,
    buyer: User,
    approver: User,
    opd_id: int,
    budget_line: str,
    key: str,
    address: str | None,
    lines: list[InvoiceLine],
) -> tuple[Checkout, list[Order]]:
    """One order on invoice per shop for `lines`, under one checkout keyed `key` (unique per
    buyer, so one purchase is never placed twice). The stock is taken with one conditional UPDATE
    per line in product-id order; a short line raises 409 out_of_stock and an unlisted product
    409 product_unavailable, leaving the caller to roll back. Prices are the approved ones.
    Flush only."""
    products = {
        p.id: p
        for p in db.session.scalars(
            select(Product).where(Product.id.in_([ln.product_id for ln in lines]))
        ).all()
    }
    for line in lines:
        product = products.get(line.product_id)
        if not is_listed(product):
            name = product.name if product else str(line.product_id)
            raise ProductUnavailable(
                f"{name} tidak dijual lagi.",
                details={"product_id": line.product_id, "name": name},
            )
    stock_after = {
        line.product_id: take_stock(products[line.product_id], line.quantity)
        for line in sorted(lines, key=lambda ln: ln.product_id)
    }

    checkout = Checkout(
        buyer_id=buyer.id,
        idempotency_key=key,
        request_hash=rules.request_hash({"key": key}),
        fulfilment="delivery",
        address=address,
        payment_method="invoice",
        response_status=201,
        response_body={"procurement": key},
    )
    db.session.add(checkout)
    by_vendor: OrderedDict[int, list[InvoiceLine]] = OrderedDict()
    for line in sorted(lines, key=lambda ln: (products[ln.product_id].vendor_id, ln.product_id)):
        by_vendor.setdefault(products[line.product_id].vendor_id, []).append(line)
    now = utcnow()
    bps = int(current_app.config.get("PLATFORM_COMMISSION_BPS", 0))
    orders: list[Order] = []
    grand_total = 0
    for vendor_id, vlines in by_vendor.items():
        vendor = products[vlines[0].product_id].vendor
        order = Order(
            checkout=checkout,
            buyer_id=buyer.id,
            vendor_id=vendor_id,
            channel=OPD_PROCUREMENT,
            payment_terms="invoice",
            opd_id=opd_id,
            budget_line=budget_line,
            status="placed",
            fulfilment="delivery",
            address=address,
            total=0,
            number="tmp-" + uuid.uuid4().hex[:28],
            expires_at=None,
            created_at=now,
        )
        add_order_lines(
            order,
            vendor.pkp,
            ((products[ln.product_id], ln.quantity, ln.unit_price) for ln in vlines),
            bps,
        )
        order.events.append(
            OrderEvent(
                from_status=None,
                to_status="placed",
                actor_id=approver.id,
                note="Disetujui PPK; dibayar bendahara setelah diterima.",
                created_at=now,
            )
        )
        db.session.add(order)
        db.session.flush()
        order.number = rules.order_number(period_of(now), order.id)
        for line in vlines:
            db.session.add(
                StockMovement(
                    product_id=line.product_id,
                    delta=-line.quantity,
                    stock_after=stock_after[line.product_id],
                    kind="sale",
                    note=order.number,
                    actor_id=approver.id,
                    order_id=order.id,
                )
            )
        grand_total += order.total
        orders.append(order)
    checkout.total = grand_total
    db.session.flush()
    return checkout, orders


def invoice_key(request_id: int) -> str:
    """The checkout key of an office's purchase request (one placement per request)."""
    return f"procurement:{request_id}"


def orders_of_checkout(checkout_id: int) -> list[Order]:
    """The orders placed under one checkout, by id."""
    return list(
        db.session.scalars(
            select(Order).where(Order.checkout_id == checkout_id).order_by(Order.id)
        ).all()
    )


def lock_office_order(order_id: int, opd_id: int) -> Order | None:
    """An office's order on invoice, row-locked and re-read, or None when it is not one of
    `opd_id`'s (the caller answers 404)."""
    return db.session.scalar(
        select(Order)
        .where(
            Order.id == order_id,
            Order.opd_id == opd_id,
            Order.payment_terms == "invoice",
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def confirm_receipt(order: Order, actor: User, note: str) -> None:
    """The office confirmed receiving the order with its BAST: `delivered → received` (409
    invalid_transition from any other status), recorded on the order's timeline. Flush only."""
    order.transition_to("received", actor=actor, note=note)
    db.session.flush()
