"""A payment's own row and status, written here only: opened at checkout, attached to the
provider's payment, then succeeded, failed, processing or canceled.

Nothing here knows orders, so ordering (checkout, expiry) and the payment services (sandbox,
Stripe) both call it. Flush-free: the caller owns the transaction. Which moves are allowed is
the rule in `payments.rules`; these functions record a move the caller decided.
"""

from __future__ import annotations

from marketplace.extensions import db
from marketplace.ordering.models import Checkout
from marketplace.payments.models import Payment
from marketplace.payments.providers import ProviderPayment

CANCELABLE = ("requires_payment", "failed")  # never `processing`: money may be on its way


def open_payment(checkout: Checkout, amount: int) -> Payment:
    """The one payment of a checkout, for `amount`, with the checkout's payment method."""
    payment = Payment(
        checkout_id=checkout.id,
        provider=checkout.payment_method,
        status="requires_payment",
        amount=amount,
    )
    db.session.add(payment)
    return payment


def attach_provider_payment(payment: Payment, result: ProviderPayment) -> None:
    """The provider opened its side (a PaymentIntent): keep its reference and client secret."""
    payment.provider_ref = result.ref
    payment.client_secret = result.client_secret


def mark_succeeded(payment: Payment) -> None:
    payment.status = "succeeded"
    payment.failure_message = None


def mark_failed(payment: Payment, message: str) -> None:
    payment.status = "failed"
    payment.failure_message = message


def mark_processing(payment: Payment) -> None:
    payment.status = "processing"


def cancel_unpaid(payment: Payment) -> bool:
    """Nothing is left to pay for (its orders expired): cancel a payment still waiting or failed.
    Returns whether it was canceled."""
    if payment.status not in CANCELABLE:
        return False
    payment.status = "canceled"
    return True


def report(payment: Payment, message: str) -> None:
    """Tell the buyer what happened to a payment that succeeded anyway (e.g. money sent back)."""
    payment.failure_message = message
