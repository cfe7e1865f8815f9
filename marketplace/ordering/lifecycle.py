"""The order lifecycle after payment: the shop accepts, readies or rejects; the buyer cancels or
confirms receipt; jobs expire unpaid orders and complete ready ones.

Each public function owns its transaction; signals go out after the commit.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from marketplace import signals
from marketplace.accounts.models import User
from marketplace.errors import InvalidTransition, NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.ledger.models import VENDOR_AVAILABLE, VENDOR_PENDING
from marketplace.ledger.services import post_journal, release_cap
from marketplace.models_base import utcnow
from marketplace.ordering import rules
from marketplace.ordering.locking import locked
from marketplace.ordering.models import Order
from marketplace.ordering.refunds import issue_refund
from marketplace.ordering.stock import release_stock
from marketplace.payments import lifecycle as payment_lifecycle
from marketplace.payments.models import Refund
from marketplace.payments.queries import payment_for_order
from marketplace.timeutil import naive_utc, to_local, today_local

log = logging.getLogger(__name__)


def _buyer_order(buyer: User, order_id: int) -> Order:
    """A person's own prepaid order. An office's order on invoice is not the person's to
    cancel or confirm: the office's procurement pages handle it (404 here)."""
    order = db.session.scalar(
        locked(
            select(Order).where(
                Order.id == order_id,
                Order.buyer_id == buyer.id,
                Order.payment_terms == "prepaid",
            )
        )
    )
    if order is None:
        raise NotFound("Pesanan tidak ditemukan.")
    return order


def _vendor_order(user: User, order_id: int) -> Order:
    vendor_id = user.vendor_id if user.role == "vendor" else None
    order = db.session.scalar(
        locked(select(Order).where(Order.id == order_id, Order.vendor_id == (vendor_id or -1)))
    )
    if order is None:
        raise NotFound("Pesanan tidak ditemukan.")
    return order


def accept_order(user: User, order_id: int) -> Order:
    """The shop accepts a paid order (paid → accepted); 404 for another shop's order."""
    order = _vendor_order(user, order_id)
    order.transition_to("accepted", actor=user)
    db.session.commit()
    signals.order_accepted.send(order)
    return order


def mark_order_ready(user: User, order_id: int) -> Order:
    """The shop has the order ready for pickup/delivery (accepted → ready)."""
    order = _vendor_order(user, order_id)
    order.transition_to("ready", actor=user)
    db.session.commit()
    signals.order_ready.send(order)
    return order


def record_delivery(
    user: User,
    order_id: int,
    *,
    delivered_on,
    received_by: str,
    note: str | None = None,
) -> Order:
    """The shop records handing an office's order over (accepted or ready → delivered): the day,
    who at the office received it and an optional note. Only orders on invoice (a person confirms
    their own receipt); another shop's order → 404; 409 invalid_transition otherwise; 422 for a
    day in the future or before the shop accepted, or no receiver."""
    order = _vendor_order(user, order_id)
    if not order.can_transition_to("delivered"):
        raise InvalidTransition(
            f"Order {order.number} cannot go from {order.status} to delivered.",
            details={"from": order.status, "to": "delivered"},
        )
    received_by = (received_by or "").replace("\x00", "").strip()
    note = (note or "").replace("\x00", "").strip() or None
    errors = rules.delivery_errors(
        delivered_on,
        received_by,
        accepted_on=to_local(order.accepted_at).date() if order.accepted_at else None,
        today=today_local(),
    )
    if errors:
        raise ValidationFailed("Catatan pengiriman belum benar.", details=errors)
    order.transition_to(
        "delivered", actor=user, note=f"Diserahkan kepada {received_by} ({delivered_on})."
    )
    order.delivered_on = delivered_on
    order.delivery_received_by = received_by[:120]
    order.delivery_note = note[:500] if note else None
    db.session.commit()
    signals.order_delivered.send(order)
    return order


def reject_order(user: User, order_id: int, reason: str) -> Order:
    """The shop turns down a paid order: full refund and the stock goes back (paid → rejected)."""
    order = _vendor_order(user, order_id)
    order.transition_to("rejected", actor=user, note=reason)
    release_stock(order, user)
    refund = issue_refund(
        order, order.total - order.refunded_total, f"Ditolak toko: {reason}", user
    )
    db.session.commit()
    signals.order_rejected.send(order, reason=reason, refund=refund)
    if refund is not None:
        signals.order_refunded.send(order, refund=refund)
    return order


def cancel_order(buyer: User, order_id: int) -> Order:
    """The buyer cancels before the shop accepted: stock back, full refund when it was paid."""
    order = _buyer_order(buyer, order_id)
    was_paid = order.status == "paid"
    order.transition_to("cancelled", actor=buyer, note="Dibatalkan pembeli.")
    release_stock(order, buyer)
    release_cap([order.id])  # an unpaid order's claim on the shop's cap
    refund = None
    if was_paid:
        refund = issue_refund(
            order, order.total - order.refunded_total, "Dibatalkan pembeli.", buyer
        )
    db.session.commit()
    if refund is not None:
        signals.order_refunded.send(order, refund=refund)
    return order


def _complete(order: Order, actor: User | None, note: str | None = None) -> None:
    """ready → completed (the BAST): the vendor's pending payable becomes available. An order
    on invoice was never paid, so nothing is pending for its shop yet: its money is booked when
    the office's treasurer pays it."""
    order.transition_to("completed", actor=actor, note=note)
    if order.payment_terms == "invoice":
        return
    refunded_vendor = (
        db.session.scalar(
            select(func.coalesce(func.sum(Refund.vendor_share), 0)).where(
                Refund.order_id == order.id
            )
        )
        or 0
    )
    amount = order.total - order.commission - int(refunded_vendor)
    post_journal(
        "completion",
        [(VENDOR_PENDING, amount, order.vendor_id), (VENDOR_AVAILABLE, -amount, order.vendor_id)],
        memo=order.number,
        order_id=order.id,
        actor_id=actor.id if actor else None,
    )


def confirm_receipt(buyer: User, order_id: int) -> Order:
    """The buyer confirms receipt (BAST): ready → completed."""
    order = _buyer_order(buyer, order_id)
    _complete(order, buyer, "Diterima pembeli (BAST).")
    db.session.commit()
    signals.order_completed.send(order)
    return order


def complete_order(order: Order, actor: User | None = None) -> Order:
    """Complete a ready order (auto-completion job or an admin); 409 if it is not ready."""
    current = db.session.scalar(locked(select(Order).where(Order.id == order.id)))
    _complete(current, actor, None if actor else "Selesai otomatis.")
    db.session.commit()
    signals.order_completed.send(current)
    return current


def expire_due_orders(now=None, limit: int = 200) -> int:
    """Unpaid orders past `expires_at` become expired and give their stock back.

    Run by `flask run-order-jobs` and opportunistically before carts, checkouts and order lists,
    so stock is never stranded even without cron. Returns how many expired.
    """
    now = now or utcnow()
    ids = db.session.scalars(
        select(Order.id)
        .where(Order.status == "pending_payment", Order.expires_at <= now)
        .order_by(Order.id)
        .limit(limit)
    ).all()
    if not ids:
        return 0
    count = 0
    try:
        stmt = select(Order).where(Order.id.in_(ids)).order_by(Order.id)
        if db.engine.dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        for order in db.session.scalars(stmt.execution_options(populate_existing=True)).all():
            if order.status != "pending_payment" or order.expires_at > now:
                continue
            order.transition_to("expired", note="Tidak dibayar tepat waktu.")
            release_stock(order, None)
            release_cap([order.id])
            payment = payment_for_order(order)
            if payment is not None and all(
                o.status != "pending_payment" for o in payment.checkout.orders
            ):
                payment_lifecycle.cancel_unpaid(payment)  # nothing left to pay for
            count += 1
        db.session.commit()
    except Exception:  # never let housekeeping break the request that triggered it
        db.session.rollback()
        log.exception("expiring orders failed")
        return 0
    return count


def auto_complete_orders(now=None) -> int:
    """Ready orders AUTO_COMPLETE_DAYS working days old (rules.auto_complete_due: weekends,
    national holidays and cuti bersama do not count) are completed as if the buyer confirmed."""
    now = naive_utc(now) if now else utcnow()
    days = int(current_app.config["AUTO_COMPLETE_DAYS"])
    # N working days are at least N calendar days: the query narrows, the rule decides.
    cutoff = now - timedelta(days=days)
    candidates = db.session.execute(
        select(Order.id, Order.ready_at)
        .where(
            Order.status == "ready",
            Order.ready_at <= cutoff,
            # An office's order is completed by its BAST, never by the clock.
            Order.payment_terms == "prepaid",
        )
        .order_by(Order.id)
    ).all()
    ids = [oid for oid, ready_at in candidates if rules.auto_complete_due(ready_at, days) <= now]
    db.session.commit()
    count = 0
    for oid in ids:
        order = db.session.get(Order, oid)
        if order is None or order.status != "ready":
            continue
        try:
            complete_order(order)
            count += 1
        except InvalidTransition:
            db.session.rollback()
    return count
