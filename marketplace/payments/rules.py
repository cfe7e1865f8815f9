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
