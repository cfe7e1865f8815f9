"""Money rules with no database: integer rupiah, explicit half-up rounding, exact splits."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

# PPN is 11% effective (12% on an 11/12 base since PMK 131/2024); prices shown are tax-inclusive.
VAT_RATE_BPS = 1100


def round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def vat_included(gross: int, rate_bps: int = VAT_RATE_BPS) -> int:
    """The VAT contained in a tax-inclusive `gross`: gross × r / (1 + r), half-up to the rupiah."""
    if gross <= 0 or rate_bps <= 0:
        return 0
    rate = Decimal(rate_bps) / Decimal(10_000)
    return round_half_up(Decimal(gross) * rate / (1 + rate))


def percent_bps(amount: int, bps: int) -> int:
    """`amount × bps / 10 000`, half-up."""
    return round_half_up(Decimal(amount) * Decimal(bps) / Decimal(10_000))


def allocate(total: int, weights: list[int]) -> list[int]:
    """Split `total` in proportion to `weights` so the parts sum exactly to `total`.

    Each part is floored, then the leftover rupiah go one by one to the largest remainders
    (ties to the earliest): 100 over (1, 1, 1) gives 34, 33, 33.
    """
    if not weights:
        raise ValueError("allocate needs at least one weight")
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum(weights)
    if weight_sum == 0:
        weights, weight_sum = [1] * len(weights), len(weights)
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    parts = [magnitude * w // weight_sum for w in weights]
    remainders = [(magnitude * w % weight_sum, -i) for i, w in enumerate(weights)]
    leftover = magnitude - sum(parts)
    for _, neg_i in sorted(remainders, reverse=True)[:leftover]:
        parts[-neg_i] += 1
    return [sign * p for p in parts]


def format_rupiah(amount: int | None, symbol: str = "Rp", separator: str = ".") -> str:
    """`12500` → `Rp12.500` (Indonesian thousands separator). A city may write it otherwise
    (`city.rupiah` passes its `currency_symbol` and `thousands_separator`)."""
    if amount is None:
        return "–"
    sign = "-" if amount < 0 else ""
    return f"{sign}{symbol}{abs(int(amount)):,}".replace(",", separator)


# `12500`, `12.500`, `Rp12.500`, `Rp 12.500`, `Rp. 12.500`: digits, grouped by dots in threes or
# not grouped at all, after an optional "Rp" sign.
_RUPIAH = re.compile(r"(?:rp\.?\s*)?(\d{1,3}(?:\.\d{3})+|\d+)", re.IGNORECASE)

# What a page or the API answers (422) when parse_rupiah refuses a text.
RUPIAH_FORMAT_MESSAGE = (
    "Jumlah harus bilangan bulat rupiah tanpa sen, misalnya 100000 atau 100.000."
)


def parse_rupiah(text: str | None) -> int:
    """A whole, non-negative rupiah amount as people type it → `int`.

    Accepted: plain digits (`12500`), dots as thousands separators in groups of three
    (`12.500`, `2.000.000`), optionally after `Rp`, `Rp.` or `Rp ` in any case (`Rp12.500`,
    `rp 12.500`); whitespace around the text is ignored. `0` is accepted.

    Refused with `ValueError` (callers answer 422 with `RUPIAH_FORMAT_MESSAGE`): empty text,
    negative amounts, a decimal comma or sen (`12,50`, `1,500`), shorthand (`12,5rb`, `12k`,
    `1jt`), badly grouped dots (`12.50`, `1.2.3`) and anything else. Rupiah have no sen in
    Peken, so `12,50` is never silently read as 1250 or 12.
    """
    match = _RUPIAH.fullmatch((text or "").strip())
    if match is None:
        raise ValueError(f"{text!r} is not a whole rupiah amount")
    return int(match.group(1).replace(".", ""))
