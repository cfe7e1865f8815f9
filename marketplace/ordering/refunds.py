"""Refunds of paid orders: through the provider, with the ledger and spending records reversed."""

from __future__ import annotations

from sqlalchemy import select

from marketplace import signals
from marketplace.accounts.duties import require_money_mover
from marketplace.accounts.models import User
from marketplace.audit.models import record_audit
from marketplace.errors import NotFound, ValidationFailed
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
from marketplace.payments.models import Refund, RefundLine
from marketplace.payments.providers import provider_of
from marketplace.payments.queries import payment_for_order
from marketplace.timeutil import naive_utc

REFUNDABLE = ("paid", "accepted", "ready", "completed")


def issue_refund(
    order: Order,
    amount: int,
    reason: str,
    actor: User | None,
    *,
    call_provider: bool = True,
    line_amounts: dict[int, int] | None = None,
    line_quantities: dict[int, int] | None = None,
) -> Refund | None:
    """Refund `amount` of a paid order through its provider and reverse the ledger, the VAT and
    the spending records of the lines it names. Flush only. None when there is nothing to refund.

    `line_amounts` ({order_line_id: amount}, summing to `amount`) names the lines refunded, with
    `line_quantities` for those refunded by quantity; without it the amount is spread over the
    lines in proportion to what is left on each (a whole-order refund).
    """
    if amount <= 0 or order.paid_at is None:
        return None
    payment = payment_for_order(order)
    if payment is None:
        return None
    if line_amounts is None:
        shares = rules.refund_line_shares(
            [ln.line_total - ln.refunded_amount for ln in order.lines], amount
        )
        line_amounts = {ln.id: share for ln, share in zip(order.lines, shares) if share}
    line_quantities = line_quantities or {}
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
    for line in order.lines:
        share = line_amounts.get(line.id, 0)
        if not share:
            continue
        vat = rules.refund_vat_share(
            line.vat, line.line_total, line.refunded_amount, share, vat_exempt=line.vat_exempt
        )
        quantity = line_quantities.get(line.id)
        refund.lines.append(
            RefundLine(order_line_id=line.id, quantity=quantity, amount=share, vat=vat)
        )
        line.refunded_amount += share
        line.refunded_quantity += quantity or 0
        line.refunded_vat += vat
        order.refunded_vat += vat
    _reverse_spending(order, refund, line_amounts)
    order.refunded_total = refunded_before + amount
    db.session.flush()
    return refund


def _reverse_spending(order: Order, refund: Refund, line_amounts: dict[int, int]) -> None:
    """The negative spending records of a refund, one per refunded line: only the lines named
    move the PDN, local, class and mandate figures. The one writer of refund spending records."""
    now = naive_utc()
    originals = {
        r.order_line_id: r
        for r in db.session.scalars(
            select(SpendingRecord).where(
                SpendingRecord.order_id == order.id, SpendingRecord.refund_id.is_(None)
            )
        ).all()
    }
    for line_id, share in sorted(line_amounts.items()):
        original = originals.get(line_id)
        if not share or original is None:
            continue
        # Reversed in the sale's own period, so the mandate and the cap of that month are net;
        # once finance closed that month, booked in this month as an adjustment naming it.
        db.session.add(
            SpendingRecord(
                **refund_booking(original, now),
                order_id=order.id,
                order_line_id=line_id,
                refund_id=refund.id,
                buyer_id=original.buyer_id,
                channel=original.channel,
                opd_id=original.opd_id,
                vendor_id=original.vendor_id,
                vendor_umk_class=original.vendor_umk_class,
                vendor_type=original.vendor_type,
                vendor_kelurahan=original.vendor_kelurahan,
                vendor_area_code=original.vendor_area_code,
                is_local_vendor=original.is_local_vendor,
                is_local_product=original.is_local_product,
                is_pdn=original.is_pdn,
                amount=-share,
                budget_line=original.budget_line,
            )
        )


def _refundable_lines(order: Order) -> dict[int, rules.RefundableLine]:
    return {
        ln.id: rules.RefundableLine(
            quantity=ln.quantity,
            unit_price=ln.unit_price,
            line_total=ln.line_total,
            refunded_quantity=ln.refunded_quantity,
            refunded_amount=ln.refunded_amount,
        )
        for ln in order.lines
    }


def refund_order(
    actor: User,
    order_id: int,
    amount: int | None,
    reason: str,
    *,
    lines: list[dict] | None = None,
) -> Refund:
    """Finance refunds part or all of a paid/accepted/ready/completed order through the provider:
    `amount` for the whole order (spread pro rata over the lines), or `lines` naming order lines
    with a quantity or an amount each.

    422 (nothing changed) when `amount` is not positive or exceeds what is left (paid − refunded),
    or when a named line is not the order's, named twice, or asks more than is left of it; 409
    not_refundable when the order's status allows no refund; 403 for anyone but finance (an
    admin approves shops, so may not also send money: separation of duties).
    """
    require_money_mover(actor)
    if (amount is None) == (lines is None):
        raise ValidationFailed(
            "Isi jumlah untuk seluruh pesanan atau pilih baris, salah satu saja.",
            details={"amount": ["Isi amount atau lines, salah satu saja."]},
        )
    if amount is not None and amount <= 0:
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
    plan = None
    if lines is not None:
        plan = rules.plan_line_refund(_refundable_lines(order), lines)
        if plan.errors:
            raise ValidationFailed(
                _line_errors_message(order, lines, plan.errors), details=plan.errors
            )
        amount = sum(plan.amounts.values())
    remaining = order.paid_amount - order.refunded_total
    if amount > remaining:
        raise ValidationFailed(
            "Jumlah melebihi sisa yang dapat dikembalikan.",
            details={"lines" if plan else "amount": [f"Maksimal {remaining}."]},
        )
    before = {"refunded_total": order.refunded_total, "refunded_vat": order.refunded_vat}
    refund = issue_refund(
        order,
        amount,
        reason.strip(),
        actor,
        line_amounts=plan.amounts if plan else None,
        line_quantities=plan.quantities if plan else None,
    )
    record_audit(
        actor,
        "refund.create",
        "order",
        order.id,
        before=before,
        after={
            "refunded_total": order.refunded_total,
            "refunded_vat": order.refunded_vat,
            "refund_id": refund.id,
            "amount": amount,
            "lines": {str(k): v for k, v in sorted(refund_line_amounts(refund).items())},
        },
        reason=reason.strip(),
    )
    db.session.commit()
    signals.order_refunded.send(order, refund=refund)
    return refund


def _line_errors_message(order: Order, lines: list[dict], errors: dict[str, list[str]]) -> str:
    """One sentence naming each refused line by its product, for the page's flash message."""
    names = {ln.id: ln.name for ln in order.lines}
    parts = []
    for key, messages in errors.items():
        index = int(key.split(".")[1])
        name = names.get(lines[index]["order_line_id"], f"#{lines[index]['order_line_id']}")
        parts.append(f"{name}: {' '.join(messages)}")
    return "Periksa baris yang dikembalikan. " + "; ".join(parts)


def refund_line_amounts(refund: Refund) -> dict[int, int]:
    """{order_line_id: amount} of one refund."""
    return {rl.order_line_id: rl.amount for rl in refund.lines}
