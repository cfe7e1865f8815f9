"""Payment rules with no database: the payment status machine.

Statuses only move forward, so Stripe events delivered late or out of order are harmless.
"""

from __future__ import annotations

PAYMENT_RANK = {"requires_payment": 0, "processing": 1, "failed": 1, "succeeded": 2, "canceled": 2}


def payment_can_move(current: str, new: str) -> bool:
    """Payment statuses only move forward: a late `failed` never undoes `succeeded`; a failed
    attempt may still succeed later (the buyer retries on the same PaymentIntent)."""
    if current == new:
        return False
    if current in ("succeeded", "canceled"):
        return False
    return PAYMENT_RANK[new] >= PAYMENT_RANK[current]


def settlement_mismatch(
    expected_minor: int, expected_currency: str, amount_minor: object, currency: object
) -> str | None:
    """Why a provider's report of money received does not settle our payment, or None when it
    does: the same currency (case aside) and exactly the amount we asked for, in the provider's
    minor units. A payment is never settled for less, nor for more, nor in another currency."""
    if not isinstance(currency, str) or currency.lower() != expected_currency.lower():
        return "currency_mismatch"
    if isinstance(amount_minor, bool) or amount_minor != expected_minor:
        return "amount_mismatch"
    return None
