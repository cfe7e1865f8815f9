"""What the payments area may ask of ordering (its only way in): a checkout's payment arrived,
the paid signals, and refunds made at the provider. Everything else in ordering is not for
payments to call.

The functions only flush: the caller (a webhook or the sandbox confirmation) commits, then sends
the signals.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from marketplace import signals
from marketplace.accounts.models import User
from marketplace.city import rupiah
from marketplace.extensions import db
from marketplace.ledger.models import (
    BUYER_REFUNDS,
    PLATFORM_COMMISSION,
    PROVIDER_CASH,
    VENDOR_PENDING,
    SpendingRecord,
)
from marketplace.ledger.queries import vendors_at_cap
from marketplace.ledger.services import post_journal, release_cap
from marketplace.models_base import utcnow
from marketplace.ordering.locking import lock_orders, lock_vendors
from marketplace.ordering.models import Order
from marketplace.ordering.refunds import REFUNDABLE, issue_refund
from marketplace.ordering.stock import release_stock
from marketplace.payments import lifecycle as payment_lifecycle
from marketplace.payments.models import Payment, Refund
from marketplace.payments.providers import provider_of
from marketplace.timeutil import period_of, year_of

log = logging.getLogger(__name__)


def mark_checkout_paid(payment: Payment, actor: User | None = None) -> list[Order]:
    """The checkout's payment succeeded (payments already set its status): its pending orders
    become paid (ledger + spending records). Orders that expired or were cancelled meanwhile
    cannot be filled any more: their amount is sent back through the provider and the payment's
    failure_message says so. Flush only; returns the orders that became paid."""
    orders = lock_orders(
        list(
            db.session.scalars(
                select(Order.id).where(Order.checkout_id == payment.checkout_id)
            ).all()
        )
    )
    _expire_late_over_cap(orders)
    paid = [o for o in orders if o.status == "pending_payment"]
    stale = [o for o in orders if o not in paid]
    for order in paid:
        order.transition_to("paid", actor=actor)
        _record_spending(order)
    # Paid: the spending records count towards the cap now; expired: the room is free.
    release_cap(o.id for o in orders)
    if paid:
        lines: list[tuple] = [(PROVIDER_CASH, sum(o.total for o in paid))]
        for order in paid:
            lines.append((VENDOR_PENDING, -(order.total - order.commission), order.vendor_id))
            lines.append((PLATFORM_COMMISSION, -order.commission))
        post_journal(
            "payment",
            lines,
            memo=", ".join(o.number for o in paid),
            reference=payment.provider_ref,
            payment_id=payment.id,
            order_id=paid[0].id if len(paid) == 1 else None,
            actor_id=actor.id if actor else None,
        )
    if stale:
        _void_stale(payment, stale)
    return paid


def _expire_late_over_cap(orders: list[Order]) -> None:
    """Orders past their time that the expiry job has not reached yet no longer hold room under
    their shop's fair-share cap; other buyers may have taken it meanwhile. Paying such an order
    is one more checkout crossing the cap: allowed while the shop is below it (counted under the
    shop's lock, like a checkout), else the order expires here and its money goes back."""
    now = utcnow()
    late = [
        o
        for o in orders
        if o.status == "pending_payment" and o.expires_at is not None and o.expires_at <= now
    ]
    if not late:
        return
    lock_vendors(o.vendor_id for o in late)
    capped = vendors_at_cap({o.vendor_id for o in late})
    for order in late:
        if order.vendor_id in capped:
            order.transition_to("expired", note="Tidak dibayar tepat waktu.")
            release_stock(order, None)


def _void_stale(payment: Payment, stale: list[Order]) -> None:
    """Money arrived for orders that expired first: send it back and say so on the payment."""
    amount = sum(o.total for o in stale)
    numbers = ", ".join(o.number for o in stale)
    ref = provider_of(payment).refund(payment, amount, key=f"payment:{payment.id}:void")
    post_journal(
        "payment",
        [(PROVIDER_CASH, amount), (BUYER_REFUNDS, -amount)],
        memo=f"Pembayaran untuk pesanan kedaluwarsa {numbers}",
        reference=payment.provider_ref,
        payment_id=payment.id,
    )
    post_journal(
        "refund",
        [(BUYER_REFUNDS, amount), (PROVIDER_CASH, -amount)],
        memo=f"Dikembalikan: pesanan {numbers} sudah kedaluwarsa",
        reference=ref,
        payment_id=payment.id,
    )
    payment_lifecycle.report(
        payment,
        f"Pesanan {numbers} sudah kedaluwarsa sebelum pembayaran masuk; "
        f"{rupiah(amount)} dikembalikan.",
    )
    log.warning(
        "payment %s arrived after orders %s closed; %s refunded", payment.id, numbers, amount
    )


def _record_spending(order: Order) -> None:
    buyer, vendor = order.buyer, order.vendor
    paid_at = order.paid_at
    for line in order.lines:
        db.session.add(
            SpendingRecord(
                occurred_at=paid_at,
                period=period_of(paid_at),
                year=year_of(paid_at),
                order_id=order.id,
                order_line_id=line.id,
                buyer_id=buyer.id,
                channel=order.channel,
                # an office's purchase counts for the order's OPD, whoever placed it
                opd_id=order.opd_id if order.opd_id is not None else buyer.opd_id,
                vendor_id=vendor.id,
                vendor_umk_class=vendor.effective_umk_class,
                vendor_type=vendor.type,
                vendor_kelurahan=vendor.kelurahan,
                vendor_area_code=vendor.area_code,
                is_local_vendor=vendor.status == "verified" and vendor.made_in_city,
                is_local_product=line.is_local_product,
                is_pdn=line.is_pdn,
                amount=line.line_total,
                budget_line=order.budget_line,
            )
        )


def send_paid_signals(orders: list[Order]) -> None:
    """After the commit: `order_paid` for each order `mark_checkout_paid` returned."""
    for order in orders:
        signals.order_paid.send(order)


def record_provider_refund(payment: Payment, amount: int, reason: str) -> list[Refund]:
    """Money the provider refunded on its own (e.g. the Stripe dashboard): spread `amount` over
    the payment's refundable orders in id order, reversing ledger and spending like our own
    refunds but without calling the provider again. Flush only; returns the refunds recorded
    (their sum is less than `amount` when the orders cannot hold it all)."""
    created: list[Refund] = []
    for order in lock_orders([o.id for o in payment.checkout.orders]):
        if amount <= 0:
            break
        if order.status not in REFUNDABLE and order.status not in ("cancelled", "rejected"):
            continue
        take = min(amount, order.paid_amount - order.refunded_total)
        refund = issue_refund(order, take, reason, None, call_provider=False)
        if refund is not None:
            created.append(refund)
            amount -= take
    return created
