"""Payment services: Stripe webhooks (each event id takes effect once) and payment reads.

The effect of an event and the insert of its id share one transaction, so a redelivery is a
no-op; payment and order statuses only move forward, so out-of-order deliveries are harmless.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import stripe
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from marketplace.errors import BadRequest
from marketplace.extensions import db
from marketplace.ordering import rules
from marketplace.ordering import services as ordering
from marketplace.ordering.models import Order
from marketplace.payments.models import Payment, Refund, StripeEvent

log = logging.getLogger(__name__)


class InvalidSignature(BadRequest):
    code, message = "invalid_signature", "The Stripe signature is missing, wrong or too old."


def _payment_for_intent(intent_id: str | None, metadata: dict | None = None) -> Payment | None:
    if intent_id:
        payment = db.session.scalar(
            ordering._locked(select(Payment).where(Payment.provider_ref == intent_id))
        )
        if payment is not None:
            return payment
    pid = (metadata or {}).get("payment_id")
    if pid and str(pid).isdigit():
        return db.session.scalar(
            ordering._locked(
                select(Payment).where(Payment.id == int(pid), Payment.provider == "stripe")
            )
        )
    return None


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
    paid: list[Order] = []
    refunds: list[Refund] = []
    if event_type == "payment_intent.succeeded":
        payment = _payment_for_intent(obj.get("id"), obj.get("metadata"))
        # A payment we canceled (its orders expired) stays open at Stripe: if the buyer still
        # completes it the money did arrive, so book it and send it back (_void_stale) too.
        if payment is not None and (
            rules.payment_can_move(payment.status, "succeeded") or payment.status == "canceled"
        ):
            paid = ordering._mark_orders_paid(payment)
    elif event_type == "payment_intent.payment_failed":
        payment = _payment_for_intent(obj.get("id"), obj.get("metadata"))
        if payment is not None and rules.payment_can_move(payment.status, "failed"):
            payment.status = "failed"
            error = obj.get("last_payment_error") or {}
            payment.failure_message = (error.get("message") or "Pembayaran gagal.")[:1000]
    elif event_type == "payment_intent.processing":
        payment = _payment_for_intent(obj.get("id"), obj.get("metadata"))
        if payment is not None and rules.payment_can_move(payment.status, "processing"):
            payment.status = "processing"
    elif event_type == "charge.refunded":
        payment = _payment_for_intent(obj.get("payment_intent"))
        if payment is not None:
            refunds = _sync_refunds(payment, obj)
    db.session.commit()
    ordering._send_paid(paid)
    from marketplace import signals

    for refund in refunds:
        signals.order_refunded.send(refund.order, refund=refund)
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
    created: list[Refund] = []
    if missing <= 0:
        return created
    for order in ordering._lock_orders([o.id for o in payment.checkout.orders]):
        if missing <= 0:
            break
        if order.status not in ordering.REFUNDABLE and order.status not in (
            "cancelled",
            "rejected",
        ):
            continue
        take = min(missing, order.paid_amount - order.refunded_total)
        refund = ordering._refund(
            order, take, "Dikembalikan lewat Stripe.", None, call_provider=False
        )
        if refund is not None:
            created.append(refund)
            missing -= take
    if missing > 0:
        log.warning("stripe refunded %s more than payment %s can hold", missing, payment.id)
    return created
