"""Refunds of paid orders: through the provider, with the ledger and spending records reversed."""

from __future__ import annotations

from sqlalchemy import func, select

from marketplace import signals
from marketplace.accounts.models import User
from marketplace.audit.models import record_audit
from marketplace.errors import Forbidden, NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.ledger.models import (
    PLATFORM_COMMISSION,
    PROVIDER_CASH,
    VENDOR_AVAILABLE,
    VENDOR_PENDING,
    VENDOR_RECEIVABLE,
    SpendingRecord,
)
from marketplace.ledger.queries import refund_booking
from marketplace.ledger.services import post_journal, vendor_account_balance
from marketplace.ordering import rules
from marketplace.ordering.errors import NotRefundable
from marketplace.ordering.locking import locked
from marketplace.ordering.models import Order
from marketplace.payments.models import Refund
from marketplace.payments.providers import provider_of
from marketplace.payments.queries import payment_for_order
from marketplace.timeutil import naive_utc

REFUNDABLE = ("paid", "accepted", "ready", "completed")


def issue_refund(
    order: Order, amount: int, reason: str, actor: User | None, *, call_provider: bool = True
) -> Refund | None:
    """Refund `amount` of a paid order through its provider and reverse the ledger and the
    spending records. Flush only. None when there is nothing to refund."""
    if amount <= 0 or order.paid_at is None:
        return None
    payment = payment_for_order(order)
    if payment is None:
        return None
    refunded_before = order.refunded_total
    rc = rules.refund_commission_share(order.commission, order.total, refunded_before, amount)
    rv = amount - rc
    refund = Refund(
        order_id=order.id,
        payment_id=payment.id,
        amount=amount,
        reason=reason,
        status="pending",
        actor_id=actor.id if actor else None,
        commission_share=rc,
        vendor_share=rv,
    )
    db.session.add(refund)
    db.session.flush()
    if call_provider:
        refund.provider_ref = provider_of(payment).refund(
            payment, amount, key=f"refund:{refund.id}"
        )
    refund.status = "succeeded"
    lines: list[tuple] = []
    if order.status == "completed":
        # After completion the vendor's share sits in `available` (or was already paid out):
        # take what is still available, the rest becomes a receivable netted on the next payout.
        available = max(0, -vendor_account_balance(order.vendor_id, VENDOR_AVAILABLE))
        from_available = min(rv, available)
        lines += [
            (VENDOR_AVAILABLE, from_available, order.vendor_id),
            (VENDOR_RECEIVABLE, rv - from_available, order.vendor_id),
        ]
    else:
        lines.append((VENDOR_PENDING, rv, order.vendor_id))
    lines += [(PLATFORM_COMMISSION, rc), (PROVIDER_CASH, -amount)]
    post_journal(
        "refund",
        lines,
        memo=f"{order.number}: {reason}"[:500],
        reference=refund.provider_ref,
        order_id=order.id,
        payment_id=payment.id,
        refund_id=refund.id,
        actor_id=actor.id if actor else None,
    )
    now = naive_utc()
    originals = {
        r.order_line_id: r
        for r in db.session.scalars(
            select(SpendingRecord).where(
                SpendingRecord.order_id == order.id, SpendingRecord.refund_id.is_(None)
            )
        ).all()
    }
    refunded_by_line = dict(
        db.session.execute(
            select(SpendingRecord.order_line_id, func.coalesce(func.sum(SpendingRecord.amount), 0))
            .where(SpendingRecord.order_id == order.id, SpendingRecord.refund_id.is_not(None))
            .group_by(SpendingRecord.order_line_id)
        ).all()
    )
    shares = rules.refund_line_shares(
        [ln.line_total + int(refunded_by_line.get(ln.id, 0)) for ln in order.lines], amount
    )
    for line, share in zip(order.lines, shares):
        original = originals.get(line.id)
        if not share or original is None:
            continue
        # Reversed in the sale's own period, so the mandate and the cap of that month are net;
        # once finance closed that month, booked in this month as an adjustment naming it.
        db.session.add(
            SpendingRecord(
                **refund_booking(original, now),
                order_id=order.id,
                order_line_id=line.id,
                refund_id=refund.id,
                buyer_id=original.buyer_id,
                channel=original.channel,
                opd_id=original.opd_id,
                vendor_id=original.vendor_id,
                vendor_umk_class=original.vendor_umk_class,
                vendor_kelurahan=original.vendor_kelurahan,
                is_local_vendor=original.is_local_vendor,
                is_local_product=original.is_local_product,
                is_pdn=original.is_pdn,
                amount=-share,
            )
        )
    order.refunded_total = refunded_before + amount
    db.session.flush()
    return refund


def refund_order(actor: User, order_id: int, amount: int, reason: str) -> Refund:
    """Finance refunds part or all of a paid/accepted/ready/completed order through the provider.

    422 when `amount` is not positive or exceeds what is left (paid − refunded); 409
    not_refundable when the order's status allows no refund.
    """
    if actor.role not in ("finance", "admin"):
        raise Forbidden()
    if amount <= 0:
        raise ValidationFailed(
            "Jumlah pengembalian minimal Rp1.", details={"amount": ["Minimal 1."]}
        )
    order = db.session.scalar(locked(select(Order).where(Order.id == order_id)))
    if order is None:
        raise NotFound("Pesanan tidak ditemukan.")
    if order.status not in REFUNDABLE:
        raise NotRefundable(
            f"Pesanan berstatus {order.status} tidak dapat dikembalikan dananya.",
            details={"status": order.status},
        )
    remaining = order.paid_amount - order.refunded_total
    if amount > remaining:
        raise ValidationFailed(
            "Jumlah melebihi sisa yang dapat dikembalikan.",
            details={"amount": [f"Maksimal {remaining}."]},
        )
    before = {"refunded_total": order.refunded_total}
    refund = issue_refund(order, amount, reason.strip(), actor)
    record_audit(
        actor,
        "refund.create",
        "order",
        order.id,
        before=before,
        after={"refunded_total": order.refunded_total, "refund_id": refund.id, "amount": amount},
        reason=reason.strip(),
    )
    db.session.commit()
    signals.order_refunded.send(order, refund=refund)
    return refund
