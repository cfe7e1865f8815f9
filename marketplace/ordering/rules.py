"""Ordering rules with no database: line VAT, commission, refund splits, order numbers.

Every amount is integer rupiah; rounding is half-up (marketplace.money) and splits sum exactly.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from marketplace.money import allocate, percent_bps, round_half_up, vat_included

MAX_CART_QUANTITY = 999


def line_vat(line_total: int, *, vendor_pkp: bool, vat_exempt: bool) -> int:
    """PPN contained in a tax-inclusive line: only PKP vendors charge it, sembako are exempt."""
    if not vendor_pkp or vat_exempt:
        return 0
    return vat_included(line_total)


def commission_for(total: int, bps: int) -> int:
    """The platform commission on an order total (frozen on the order at checkout)."""
    return percent_bps(total, bps)


def refund_commission_share(commission: int, total: int, refunded_before: int, amount: int) -> int:
    """The commission part of a refund of `amount` after `refunded_before` was refunded already.

    Cumulative rounding: share = round(c × after / total) − round(c × before / total), so repeated
    partial refunds add up to exactly the whole commission once the order is fully refunded.
    """
    if total <= 0 or commission <= 0:
        return 0

    def upto(refunded: int) -> int:
        return round_half_up(Decimal(commission) * Decimal(refunded) / Decimal(total))

    return upto(refunded_before + amount) - upto(refunded_before)


def refund_line_shares(line_remaining: list[int], amount: int) -> list[int]:
    """How much of a refund of `amount` each line carries, in proportion to what is still
    unrefunded on each line (`line_remaining`); the shares sum exactly to `amount`.

    Splitting what remains (not re-splitting the running total) keeps every share between 0 and
    its line's remainder, so no later partial refund moves a rupiah back onto a line, and a full
    refund nets every line to exactly 0.
    """
    if amount > sum(line_remaining):
        raise ValueError("a refund cannot exceed what is left on the lines")
    return allocate(amount, line_remaining)


def order_number(period: str, order_id: int) -> str:
    """Human-readable, unique: `PKN-202611-000123` (WIB month of creation + the order id)."""
    return f"PKN-{period.replace('-', '')}-{order_id:06d}"


def request_hash(data: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a request body (keys sorted, no spaces)."""
    canonical = json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
