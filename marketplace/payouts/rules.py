"""Payout rules with no database: how much to pay, the payout state machine, references,
idempotency keys, the bank file's cells and the `as_of` cut-off."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from marketplace.primitives import add_working_days
from marketplace.timeutil import local_zone, naive_utc, to_local

ADAPTERS = ("manual", "stripe")
STATUSES = ("pending", "exported", "paid", "failed", "cancelled")
OPEN_STATUSES = ("pending", "exported", "failed")  # money still in transit
RETRYABLE = ("pending", "failed")  # stripe payouts that may be attempted again

# Manual payouts are executed by finance from the bank file; Stripe ones by a Connect transfer.
# A failed Stripe transfer keeps the money in transit so a retry cannot pay it twice; cancelling
# is the only way back to the vendor's available balance.
TRANSITIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "manual": {
        "pending": ("exported", "paid", "cancelled"),
        "exported": ("paid", "cancelled"),
        "paid": (),
        "failed": ("cancelled",),
        "cancelled": (),
    },
    "stripe": {
        "pending": ("paid", "failed", "cancelled"),
        "failed": ("paid", "failed", "cancelled"),
        "exported": (),
        "paid": (),
        "cancelled": (),
    },
}


def can_transition(adapter: str, current: str, new: str) -> bool:
    return new in TRANSITIONS.get(adapter, {}).get(current, ())


@dataclass(frozen=True)
class PayoutSplit:
    """One vendor's payout: `amount` leaves, `debt_netted` clears the vendor's receivable and
    `debit_available` (their sum) comes off the available payable."""

    amount: int
    debt_netted: int
    debit_available: int


def payout_split(available: int, debt: int, eligible: int | None = None) -> PayoutSplit | None:
    """What to pay a vendor whose ledger holds `available` (payable, rupiah ≥ or < 0) and `debt`
    (refunds after an earlier payout). The debt is netted first; `eligible` caps the amount to
    what was available at the run's `as_of`. None when nothing positive is left to pay."""
    net = available - debt
    amount = net if eligible is None else min(net, eligible)
    if amount <= 0:
        return None
    return PayoutSplit(amount=amount, debt_netted=debt, debit_available=amount + debt)


def payout_reference(payout_id: int) -> str:
    """The reference printed on the bank transfer, so the vendor can match it."""
    return f"PKN-PO-{payout_id}"


def transfer_idempotency_key(payout_id: int, seq: int = 0) -> str:
    """Deterministic Stripe Idempotency-Key for a payout's transfer.

    Stripe replays the first answer of a key for 24 hours, errors included. After an unknown
    outcome (network error, 5xx) the same key must be reused so a transfer that did go through is
    not made twice; after a definitive refusal (4xx, nothing created) `seq` moves on, otherwise a
    retry would only replay the refusal.
    """
    base = f"payout:{payout_id}:transfer"
    return base if seq == 0 else f"{base}:{seq}"


def is_definitive_failure(http_status: int | None) -> bool:
    """A Stripe 4xx means the request was refused and nothing was created (409 = a concurrent
    request with the key, 429 = rate limited: both may still be in flight or replayable)."""
    return http_status is not None and 400 <= http_status < 500 and http_status not in (409, 429)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_as_of(value: str, tz: ZoneInfo | None = None) -> datetime:
    """ISO date or datetime → naive UTC cut-off. A date means the start of that day on the
    city's clock (`tz`, default `timeutil.local_zone()`); so does a datetime without an offset.
    Raises ValueError when invalid."""
    zone = local_zone(tz)
    value = (value or "").strip()
    if not value:
        raise ValueError("empty")
    if _DATE_RE.match(value):
        return naive_utc(datetime.combine(date.fromisoformat(value), time(0), tzinfo=zone))
    parsed = datetime.fromisoformat(value)  # Python 3.11+ reads a trailing Z
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return naive_utc(parsed)


def missing_bank_fields(
    bank_name: str | None, account_number: str | None, account_name: str | None
) -> list[str]:
    """The bank details a manual transfer needs and the vendor has not filled in."""
    fields = {
        "bank_name": bank_name,
        "bank_account_number": account_number,
        "bank_account_name": account_name,
    }
    return [name for name, value in fields.items() if not (value or "").strip()]


# A payout is transferred by the city's finance office (a bank file) or sent through Stripe on
# the working day after its run at the latest: the date the shop is told to expect its money.
TRANSFER_WORKING_DAYS = 1


def expected_by(created_at: datetime, status: str) -> date | None:
    """The day a payout still in transit should reach the shop: TRANSFER_WORKING_DAYS working
    days after the day (in the city's zone) it was made, so a payout made on Friday, on Christmas Eve 2026 or
    before Lebaran is expected on the next working day; None once paid, failed or cancelled."""
    if status not in ("pending", "exported"):
        return None
    return add_working_days(to_local(created_at).date(), TRANSFER_WORKING_DAYS)
