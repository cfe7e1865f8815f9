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
    http_client = cfg.get("STRIPE_HTTP_CLIENT") or stripe.RequestsClient(
        timeout=float(cfg.get("STRIPE_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))
    )
    return stripe.StripeClient(
        cfg["STRIPE_SECRET_KEY"],
        http_client=http_client,
        max_network_retries=int(cfg.get("STRIPE_MAX_NETWORK_RETRIES", DEFAULT_RETRIES)),
    )


# The library waits 80 s per attempt by default and retries with a backoff of min(0.5·2^(n-1), 5)
# seconds (stripe/_http_client.py): with 2 retries a dead connection would hold the request for
# over four minutes, long after gunicorn killed the worker (30 s), which leaves the checkout
# half done. Keep every call well inside the worker's timeout; a checkout stalled anyway is
# resumed by a retry with its key (ordering.checkout, CHECKOUT_RESUME_AFTER_SECONDS).
DEFAULT_TIMEOUT_SECONDS = 8
DEFAULT_RETRIES = 2


def worst_case_seconds(timeout: float, retries: int) -> float:
    """The longest a Stripe call can take: every attempt timing out, plus the longest backoff
    sleeps between them (stripe-python's HTTPClient: 0.5 s doubling, at most 5 s)."""
    sleeps = sum(min(0.5 * 2 ** (n - 1), 5.0) for n in range(1, retries + 1))
    return timeout * (retries + 1) + sleeps


def check_timeouts(cfg) -> None:
    """Refuse to start when a Stripe call could outlive the worker (WORKER_TIMEOUT) or the
    point where a stalled checkout may be resumed (CHECKOUT_RESUME_AFTER_SECONDS)."""
    worst = worst_case_seconds(
        float(cfg.get("STRIPE_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS)),
        int(cfg.get("STRIPE_MAX_NETWORK_RETRIES", DEFAULT_RETRIES)),
    )
    limit = min(float(cfg["WORKER_TIMEOUT"]), float(cfg["CHECKOUT_RESUME_AFTER_SECONDS"]))
    if worst >= limit:
        raise RuntimeError(
            f"a Stripe call may take {worst:.1f} s (STRIPE_TIMEOUT_SECONDS × "
            f"(STRIPE_MAX_NETWORK_RETRIES + 1) + backoff); keep it below WORKER_TIMEOUT and "
            f"CHECKOUT_RESUME_AFTER_SECONDS ({limit:.0f} s)"
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
