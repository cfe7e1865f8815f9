"""Ledger rules with no database: the fair-share cap."""

from __future__ import annotations


def vendor_cap_state(sales: int, cap: int) -> str:
    """`open` below the cap, `reached` at or over it (a checkout may cross it once)."""
    return "reached" if sales >= cap else "open"


def is_at_cap(sales: int, cap: int) -> bool:
    """Whether a shop with `sales` this period is at or over `cap`: not listed, not purchasable."""
    return vendor_cap_state(sales, cap) == "reached"
