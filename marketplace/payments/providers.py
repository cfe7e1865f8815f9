"""Payment providers behind one port: the sandbox (for demos and tests) and Stripe.

The provider is only asked to move money; our database stays the source of truth for orders.
Calls to Stripe carry deterministic idempotency keys so a retry after a crash never charges or
refunds twice (Stripe keeps keys ~24 h).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from marketplace.errors import MarketplaceError, NotFound, ValidationFailed


class PaymentProviderError(MarketplaceError):
    status, code, message = (
        502,
        "payment_provider_error",
        "The payment provider did not answer; try again.",
    )


@dataclass
class ProviderPayment:
    ref: str
    client_secret: str | None = None
    status: str = "requires_payment"


class PaymentProvider:
    name = "base"

    def create_payment(self, payment, checkout) -> ProviderPayment:  # pragma: no cover - interface
        raise NotImplementedError

    def refund(self, payment, amount: int, key: str) -> str:  # pragma: no cover - interface
        """Refund `amount` rupiah of `payment`; returns the provider's refund reference."""
        raise NotImplementedError


class SandboxProvider(PaymentProvider):
    """No real money: the buyer presses "Bayar (sandbox)" and the outcome is what they chose."""

    name = "sandbox"

    def create_payment(self, payment, checkout) -> ProviderPayment:
        return ProviderPayment(ref=f"sandbox_pay_{payment.id}")

    def refund(self, payment, amount: int, key: str) -> str:
        return f"sandbox_{key.replace(':', '_')}"


class StripeProvider(PaymentProvider):
    """A PaymentIntent per checkout (separate charges and transfers: the platform holds the money
    until fulfilment, then payouts transfer to vendors)."""

    name = "stripe"

    def _client(self):
        from marketplace.stripe_client import get_stripe_client

        return get_stripe_client()

    def create_payment(self, payment, checkout) -> ProviderPayment:
        import stripe

        from marketplace.stripe_client import CURRENCY, to_stripe_amount

        try:
            intent = self._client().v1.payment_intents.create(
                {
                    "amount": to_stripe_amount(payment.amount),
                    "currency": CURRENCY,
                    "transfer_group": f"checkout_{checkout.id}",
                    "metadata": {"checkout_id": str(checkout.id), "payment_id": str(payment.id)},
                    "automatic_payment_methods": {"enabled": True},
                },
                {"idempotency_key": f"checkout:{checkout.id}:payment_intent"},
            )
        except stripe.StripeError as err:
            current_app.logger.warning("stripe payment intent failed: %s", err)
            raise PaymentProviderError(
                details={"provider": getattr(err, "code", None) or str(err)[:200]}
            ) from err
        return ProviderPayment(ref=intent.id, client_secret=intent.client_secret)

    def refund(self, payment, amount: int, key: str) -> str:
        import stripe

        from marketplace.stripe_client import to_stripe_amount

        try:
            refund = self._client().v1.refunds.create(
                {
                    "payment_intent": payment.provider_ref,
                    "amount": to_stripe_amount(amount),
                    "metadata": {"payment_id": str(payment.id), "key": key},
                },
                {"idempotency_key": key},
            )
        except stripe.StripeError as err:
            current_app.logger.warning("stripe refund failed: %s", err)
            raise PaymentProviderError(
                details={"provider": getattr(err, "code", None) or str(err)[:200]}
            ) from err
        return refund.id


def sandbox_enabled() -> bool:
    return bool(current_app.config.get("PAYMENT_SANDBOX_ENABLED"))


def stripe_configured() -> bool:
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))


def available_methods() -> list[str]:
    methods = []
    if sandbox_enabled():
        methods.append("sandbox")
    if stripe_configured():
        methods.append("stripe")
    return methods


def provider_for(method: str) -> PaymentProvider:
    """The provider for a checkout's `payment_method`; 422 when it is not enabled here."""
    if method == "sandbox" and sandbox_enabled():
        return SandboxProvider()
    if method == "stripe" and stripe_configured():
        return StripeProvider()
    raise ValidationFailed(
        details={"payment_method": [f"Metode pembayaran {method} tidak tersedia."]}
    )


def provider_of(payment) -> PaymentProvider:
    """The provider that took `payment` (refunds go back the same way)."""
    if payment.provider == "stripe":
        return StripeProvider()
    if payment.provider == "sandbox":
        return SandboxProvider()
    raise NotFound("Unknown payment provider.")
