"""Payment services: the sandbox confirmation and the Stripe webhook (each event id takes effect
once, one handler per event type).

The effect of an event and the insert of its id share one transaction, so a redelivery is a
no-op; payment and order statuses only move forward, so out-of-order deliveries are harmless.
What a payment means for its orders is ordering's business: it is asked through
`marketplace.ordering.payments_port` only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import stripe
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from marketplace import signals
from marketplace.accounts.models import User
from marketplace.audit.models import record_audit
from marketplace.errors import BadRequest, InvalidTransition, NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.ordering import payments_port
from marketplace.ordering.models import Checkout, Order
from marketplace.payments import lifecycle
from marketplace.payments.models import Payment, Refund, StripeEvent
from marketplace.payments.providers import ProviderPayment
from marketplace.payments.rules import payment_can_move, settlement_mismatch
from marketplace.payments.stripe_events import StripeEventBody, parse_stripe_event

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
def _refuse(payment: Payment, reason: str, event: StripeEventBody, **found: Any) -> None:
    """A Stripe event that names one of our payments but may not settle it: nothing changes
    but an audit row (actor: the system) that finance sees in its audit log, with what we
    expected and what Stripe reported. Flush only."""
    from marketplace.stripe_client import CURRENCY, to_stripe_amount

    log.warning("stripe event %s refused for payment %s: %s", event.id, payment.id, reason)
    record_audit(
        None,
        "payment.webhook_refused",
        "payment",
        payment.id,
        before={
            "provider": payment.provider,
            "provider_ref": payment.provider_ref,
            "status": payment.status,
            "amount": payment.amount,
            "stripe_amount": to_stripe_amount(payment.amount),
            "currency": CURRENCY,
        },
        after={"event_id": event.id, "event_type": event.type, **found},
        reason=reason,
    )


def _stripe_payment(event: StripeEventBody, intent_id: Any, metadata: Any = None) -> Payment | None:
    """The payment a Stripe event is about, only when it is Stripe's own: provider `stripe` and
    the same PaymentIntent id. A payment whose reference was never stored (the process stopped
    between Stripe's answer and our commit) is found by the payment id Stripe carries back in
    metadata, and takes the reference now. Any other payment the event names (a sandbox payment,
    another intent's) is refused and audited; None when it names none of ours."""
    payment = None
    if isinstance(intent_id, str) and intent_id:
        payment = db.session.scalar(
            _locked(select(Payment).where(Payment.provider_ref == intent_id))
        )
    by_metadata = False
    if payment is None:
        pid = metadata.get("payment_id") if isinstance(metadata, dict) else None
        if isinstance(pid, str) and pid.isdigit() and len(pid) <= 18:  # fits a BIGINT
            payment = db.session.scalar(_locked(select(Payment).where(Payment.id == int(pid))))
            by_metadata = True
    if payment is None:
        return None
    if payment.provider != "stripe":
        _refuse(payment, "not_a_stripe_payment", event, payment_intent=intent_id)
        return None
    if by_metadata:
        if payment.provider_ref is not None or not isinstance(intent_id, str) or not intent_id:
            _refuse(payment, "provider_reference_mismatch", event, payment_intent=intent_id)
            return None
        lifecycle.attach_provider_payment(payment, ProviderPayment(ref=intent_id))
    return payment


def _settles(payment: Payment, event: StripeEventBody, amounts: tuple, currency: Any) -> bool:
    """Whether every amount Stripe reports (asked, received) and its currency are exactly the
    payment's (IDR ×100 at Stripe); a mismatch is refused and audited for finance."""
    from marketplace.stripe_client import CURRENCY, to_stripe_amount

    for amount in amounts:
        why = settlement_mismatch(to_stripe_amount(payment.amount), CURRENCY, amount, currency)
        if why is not None:
            _refuse(payment, why, event, stripe_amount=amount, currency=currency)
            return False
    return True


def _on_intent_succeeded(event: StripeEventBody) -> Effects:
    obj = event.object
    payment = _stripe_payment(event, obj.get("id"), obj.get("metadata"))
    if payment is None:
        return Effects()
    received = obj.get("amount_received")
    amounts = (obj["amount"],) if received is None else (obj["amount"], received)
    if not _settles(payment, event, amounts, obj["currency"]):
        return Effects()
    # A payment we canceled (its orders expired) stays open at Stripe: if the buyer still
    # completes it the money did arrive, so book it and send it back (ordering voids it) too.
    if payment_can_move(payment.status, "succeeded") or payment.status == "canceled":
        return Effects(paid=_succeed(payment))
    return Effects()


def _on_intent_failed(event: StripeEventBody) -> Effects:
    obj = event.object
    payment = _stripe_payment(event, obj.get("id"), obj.get("metadata"))
    if payment is not None and payment_can_move(payment.status, "failed"):
        message = (obj.get("last_payment_error") or {}).get("message")
        message = message if isinstance(message, str) and message else "Pembayaran gagal."
        lifecycle.mark_failed(payment, message[:1000])
    return Effects()


def _on_intent_processing(event: StripeEventBody) -> Effects:
    obj = event.object
    payment = _stripe_payment(event, obj.get("id"), obj.get("metadata"))
    if payment is not None and payment_can_move(payment.status, "processing"):
        lifecycle.mark_processing(payment)
    return Effects()


def _on_charge_refunded(event: StripeEventBody) -> Effects:
    obj = event.object
    payment = _stripe_payment(event, obj.get("payment_intent"))
    if payment is None or not _settles(payment, event, (obj["amount"],), obj["currency"]):
        return Effects()
    refunded = obj["amount_refunded"]
    if refunded % 100 or refunded < 0:  # sen, or nonsense: not an amount we can book
        _refuse(payment, "amount_mismatch", event, amount_refunded=refunded)
        return Effects()
    return Effects(refunds=_sync_refunds(payment, refunded))


STRIPE_HANDLERS: dict[str, Callable[[StripeEventBody], Effects]] = {
    "payment_intent.succeeded": _on_intent_succeeded,
    "payment_intent.payment_failed": _on_intent_failed,
    "payment_intent.processing": _on_intent_processing,
    "charge.refunded": _on_charge_refunded,
}


def handle_stripe_webhook(payload: bytes, signature: str | None) -> dict[str, Any]:
    """Verify and apply one Stripe event: payment_intent.succeeded marks the orders paid,
    payment_intent.payment_failed records the failure, charge.refunded records refunds made at
    Stripe; other types are acknowledged. Only Stripe's own payments (same PaymentIntent) are
    touched, and only for exactly their amount in IDR: anything else changes nothing and leaves
    an audit row (`payment.webhook_refused`) for finance. 400 invalid_signature, 400
    malformed_event (a signed body that is not an event we can read; nothing changes)."""
    from marketplace.stripe_client import verify_webhook

    try:
        verify_webhook(payload, signature)
    except stripe.SignatureVerificationError:
        raise InvalidSignature() from None
    except ValueError:  # not UTF-8: it cannot carry Stripe's signature
        raise InvalidSignature() from None
    event = parse_stripe_event(payload)
    if db.session.get(StripeEvent, event.id) is not None:
        return {"received": True, "duplicate": True}
    db.session.add(
        StripeEvent(id=event.id, type=event.type, account=event.account, payload=event.raw)
    )
    try:
        db.session.flush()
    except IntegrityError:  # the same event delivered twice at once: the other one applies it
        db.session.rollback()
        return {"received": True, "duplicate": True}
    handler = STRIPE_HANDLERS.get(event.type)
    effects = handler(event) if handler is not None else Effects()
    db.session.commit()
    _announce(effects)
    return {"received": True, "type": event.type}


def _sync_refunds(payment: Payment, amount_refunded: int) -> list[Refund]:
    """Refunds made in the Stripe dashboard: record what Stripe refunded (`amount_refunded`, in
    Stripe's minor units) beyond what we know, spread over the payment's orders in id order (our
    own refunds are already recorded)."""
    from marketplace.stripe_client import from_stripe_amount

    refunded_at_stripe = from_stripe_amount(amount_refunded)
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
