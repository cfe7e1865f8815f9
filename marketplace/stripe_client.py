"""The one place a `stripe.StripeClient` is built, so payments (intents, webhooks), payouts
(Connect transfers) and finance (balance transactions) talk to Stripe the same way.

IDR is a two-decimal currency in the Stripe API: Rp150.000 is sent as 15000000. Convert only
here at the boundary (`to_stripe_amount` / `from_stripe_amount`); the rest of the code uses
integer rupiah. Tests inject a fake `stripe.HTTPClient` through STRIPE_HTTP_CLIENT, so the real
library's request and response code runs with no network.
"""

from __future__ import annotations

import stripe
from flask import current_app

from marketplace.errors import MarketplaceError

CURRENCY = "idr"


class StripeNotConfigured(MarketplaceError):
    status, code, message = 422, "stripe_not_configured", "Stripe is not configured on this server."


def stripe_enabled() -> bool:
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))


def get_stripe_client() -> stripe.StripeClient:
    """A StripeClient from config; raises StripeNotConfigured without STRIPE_SECRET_KEY."""
    cfg = current_app.config
    if not cfg.get("STRIPE_SECRET_KEY"):
        raise StripeNotConfigured()
    return stripe.StripeClient(
        cfg["STRIPE_SECRET_KEY"],
        http_client=cfg.get("STRIPE_HTTP_CLIENT"),
        max_network_retries=cfg.get("STRIPE_MAX_NETWORK_RETRIES", 2),
    )


def to_stripe_amount(rupiah: int) -> int:
    """Whole rupiah → Stripe minor units (×100)."""
    return int(rupiah) * 100


def from_stripe_amount(minor: int) -> int:
    """Stripe minor units → whole rupiah; sen are not used in practice, so they must be zero."""
    minor = int(minor)
    if minor % 100:
        raise ValueError(f"IDR amount {minor} has sen; Peken only handles whole rupiah")
    return minor // 100


def verify_webhook(payload: bytes, signature: str | None) -> None:
    """Verify a webhook's signature on the raw body (300 s tolerance), nothing more: the body's
    shape is ours to check (the library would build an Event from any JSON, or fail oddly on a
    JSON array). Raises stripe.SignatureVerificationError, or UnicodeDecodeError for a body that
    is not UTF-8."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        raise StripeNotConfigured("Stripe webhooks are not configured on this server.")
    stripe.WebhookSignature.verify_header(payload, signature or "", secret, tolerance=300)


def construct_event(payload: bytes, signature: str | None) -> stripe.Event:
    """Verify a webhook's signature on the raw body (300 s tolerance) and parse it."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        raise StripeNotConfigured("Stripe webhooks are not configured on this server.")
    return stripe.Webhook.construct_event(payload, signature or "", secret, tolerance=300)
