"""Payment services: the sandbox confirmation and the Stripe webhook (each event id takes effect
once, one handler per event type).

The effect of an event and the insert of its id share one transaction, so a redelivery is a
no-op; payment and order statuses only move forward, so out-of-order deliveries are harmless.
What a payment means for its orders is ordering's business: it is asked through
`marketplace.ordering.payments_port` only.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import stripe
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from marketplace import signals
from marketplace.accounts.models import User
from marketplace.errors import BadRequest, InvalidTransition, NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.ordering import payments_port
from marketplace.ordering.models import Checkout, Order
from marketplace.payments import lifecycle
from marketplace.payments.models import Payment, Refund, StripeEvent
from marketplace.payments.rules import payment_can_move

log = logging.getLogger(__name__)


class InvalidSignature(BadRequest):
    code, message = "invalid_signature", "The Stripe signature is missing, wrong or too old."


@dataclass
class Effects:
    """What an applied event leaves to announce once its transaction committed."""

    paid: list[Order] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)


def _locked(stmt):
    """SELECT … FOR UPDATE (PostgreSQL); SQLite serialises writers with BEGIN IMMEDIATE."""
    return stmt.with_for_update().execution_options(populate_existing=True)


def _succeed(payment: Payment, actor: User | None = None) -> list[Order]:
    """The payment succeeded: record it, then ordering marks its orders paid. Flush only."""
    lifecycle.mark_succeeded(payment)
    return payments_port.mark_checkout_paid(payment, actor)


def _announce(effects: Effects) -> None:
    """Signals after the commit: orders paid, refunds recorded."""
    payments_port.send_paid_signals(effects.paid)
    for refund in effects.refunds:
        signals.order_refunded.send(refund.order, refund=refund)


# ================================================================= sandbox
def confirm_sandbox_payment(buyer: User, payment_id: int, outcome: str) -> Payment:
    """The buyer's sandbox "pay" button: `succeeded` marks the orders paid, `failed` records a
    failed attempt (the orders stay payable until they expire). 404 when not theirs or the
    sandbox is off; 409 invalid_transition once the payment succeeded."""
    from marketplace.payments.providers import sandbox_enabled

    if not sandbox_enabled():
        raise NotFound()
    payment = db.session.scalar(
        _locked(
            select(Payment)
            .join(Checkout, Checkout.id == Payment.checkout_id)
            .where(
                Payment.id == payment_id,
                Checkout.buyer_id == buyer.id,
                Payment.provider == "sandbox",
            )
        )
    )
    if payment is None:
        raise NotFound("Pembayaran tidak ditemukan.")
    if outcome not in ("succeeded", "failed"):
        raise ValidationFailed(details={"outcome": ["succeeded atau failed."]})
    if not payment_can_move(payment.status, outcome):
        if payment.status == outcome:
            return payment
        raise InvalidTransition(
            "Pembayaran ini sudah selesai.", details={"from": payment.status, "to": outcome}
        )
    effects = Effects()
    if outcome == "succeeded":
        effects.paid = _succeed(payment, actor=buyer)
    else:
        lifecycle.mark_failed(payment, "Pembayaran sandbox ditolak.")
    db.session.commit()
    _announce(effects)
    return payment


# ================================================================= Stripe webhook
def _payment_for_intent(intent_id: str | None, metadata: dict | None = None) -> Payment | None:
    if intent_id:
        payment = db.session.scalar(
            _locked(select(Payment).where(Payment.provider_ref == intent_id))
        )
        if payment is not None:
            return payment
    pid = (metadata or {}).get("payment_id")
    if pid and str(pid).isdigit():
        return db.session.scalar(
            _locked(select(Payment).where(Payment.id == int(pid), Payment.provider == "stripe"))
        )
    return None


def _on_intent_succeeded(obj: dict[str, Any]) -> Effects:
    payment = _payment_for_intent(obj.get("id"), obj.get("metadata"))
    # A payment we canceled (its orders expired) stays open at Stripe: if the buyer still
    # completes it the money did arrive, so book it and send it back (ordering voids it) too.
    if payment is not None and (
        payment_can_move(payment.status, "succeeded") or payment.status == "canceled"
    ):
        return Effects(paid=_succeed(payment))
    return Effects()


def _on_intent_failed(obj: dict[str, Any]) -> Effects:
    payment = _payment_for_intent(obj.get("id"), obj.get("metadata"))
    if payment is not None and payment_can_move(payment.status, "failed"):
        error = obj.get("last_payment_error") or {}
        lifecycle.mark_failed(payment, (error.get("message") or "Pembayaran gagal.")[:1000])
    return Effects()


def _on_intent_processing(obj: dict[str, Any]) -> Effects:
    payment = _payment_for_intent(obj.get("id"), obj.get("metadata"))
    if payment is not None and payment_can_move(payment.status, "processing"):
        lifecycle.mark_processing(payment)
    return Effects()


def _on_charge_refunded(obj: dict[str, Any]) -> Effects:
    payment = _payment_for_intent(obj.get("payment_intent"))
    if payment is None:
        return Effects()
    return Effects(refunds=_sync_refunds(payment, obj))


STRIPE_HANDLERS: dict[str, Callable[[dict[str, Any]], Effects]] = {
    "payment_intent.succeeded": _on_intent_succeeded,
    "payment_intent.payment_failed": _on_intent_failed,
    "payment_intent.processing": _on_intent_processing,
    "charge.refunded": _on_charge_refunded,
}


def handle_stripe_webhook(payload: bytes, signature: str | None) -> dict[str, Any]:
    """Verify and apply one Stripe event: payment_intent.succeeded marks the orders paid,
    payment_intent.payment_failed records the failure, charge.refunded records refunds made at
    Stripe; other types are acknowledged. 400 invalid_signature / bad_request."""
    from marketplace.stripe_client import construct_event

    try:
        construct_event(payload, signature)
    except stripe.SignatureVerificationError:
        raise InvalidSignature() from None
    except ValueError:
        raise BadRequest("The webhook body is not a Stripe event.") from None
    try:
        raw = json.loads(payload)
    except ValueError:
        raise BadRequest("The webhook body is not JSON.") from None
    if not isinstance(raw, dict):
        raise BadRequest("The webhook body is not a Stripe event.")
    event_id, event_type = raw.get("id"), raw.get("type")
    if not isinstance(event_id, str) or not isinstance(event_type, str):
        raise BadRequest("The webhook body is not a Stripe event.")
    if db.session.get(StripeEvent, event_id) is not None:
        return {"received": True, "duplicate": True}
    db.session.add(
        StripeEvent(id=event_id, type=event_type, account=raw.get("account"), payload=raw)
    )
    try:
        db.session.flush()
    except IntegrityError:  # the same event delivered twice at once: the other one applies it
        db.session.rollback()
        return {"received": True, "duplicate": True}
    obj = raw.get("data", {}).get("object", {}) or {}
    handler = STRIPE_HANDLERS.get(event_type)
    effects = handler(obj) if handler is not None else Effects()
    db.session.commit()
    _announce(effects)
    return {"received": True, "type": event_type}


def _sync_refunds(payment: Payment, charge: dict[str, Any]) -> list[Refund]:
    """Refunds made in the Stripe dashboard: record what Stripe refunded beyond what we know,
    spread over the payment's orders in id order (our own refunds are already recorded)."""
    from marketplace.stripe_client import from_stripe_amount

    refunded_at_stripe = from_stripe_amount(charge.get("amount_refunded") or 0)
    known = (
        db.session.scalar(
            select(func.coalesce(func.sum(Refund.amount), 0)).where(Refund.payment_id == payment.id)
        )
        or 0
    )
    missing = refunded_at_stripe - int(known)
    if missing <= 0:
        return []
    created = payments_port.record_provider_refund(payment, missing, "Dikembalikan lewat Stripe.")
    left = missing - sum(r.amount for r in created)
    if left > 0:
        log.warning("stripe refunded %s more than payment %s can hold", left, payment.id)
    return created
