"""Mandate rules with no database: position matching, rule resolution, progress arithmetic."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Protocol

# Defaults for a fresh installation (demo data): the only published e-Peken figure is the camat's
# Rp2.000.000 a month; other cities set Rp50.000–Rp200.000 by rank (see docs/domain notes).
DEMO_DEFAULT_AMOUNT = 100_000
DEMO_BY_POSITION = {
    "Camat": 2_000_000,
    "Lurah": 1_000_000,
    "Kepala Seksi": 300_000,
    "Staf": 100_000,
}


class RuleLike(Protocol):
    effective_from: str
    default_amount: int

    @property
    def by_position(self) -> Mapping[str, int]: ...


def position_key(position: str | None) -> str:
    """How positions are matched: trimmed and case-insensitive ("  CAMAT " is "camat").

    The compliance query applies the same `lower(trim(position))` in SQL.
    """
    return (position or "").strip().lower()


def rule_in_force(rules: Iterable[RuleLike], period: str) -> RuleLike | None:
    """The rule that judges `period`: the latest one with effective_from ≤ period (YYYY-MM sorts
    as text), so a rule added for a later period never rewrites an earlier one."""
    candidates = [r for r in rules if r.effective_from <= period]
    return max(candidates, key=lambda r: r.effective_from, default=None)


def required_amount(rule: RuleLike | None, position: str | None) -> int:
    """The monthly minimum for `position` under `rule`: its own amount, else the default; 0 when
    no rule is in force yet."""
    if rule is None:
        return 0
    key = position_key(position)
    for name, amount in rule.by_position.items():
        if position_key(name) == key:
            return int(amount)
    return int(rule.default_amount)


def normalise_positions(
    by_position: Mapping[str, int],
) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Trim the position names an admin typed; report empty and duplicate (case-insensitive) names.

    Returns (clean map, errors by position).
    """
    clean: dict[str, int] = {}
    seen: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for raw, amount in by_position.items():
        name = " ".join(str(raw).split())
        key = position_key(name)
        if not key:
            errors.setdefault(str(raw), []).append("Nama jabatan tidak boleh kosong.")
            continue
        if len(name) > 120:
            errors.setdefault(str(raw), []).append("Nama jabatan paling banyak 120 karakter.")
            continue
        if key in seen:
            errors.setdefault(str(raw), []).append(f"Jabatan ini sama dengan {seen[key]!r}.")
            continue
        seen[key] = name
        clean[name] = int(amount)
    return clean, errors


@dataclass(frozen=True)
class Progress:
    """One civil servant's standing for one period (integer rupiah)."""

    period: str
    required: int
    spent: int
    rule_effective_from: str | None = None
    exemption: str | None = None  # the kind of an approved exemption for the period

    @property
    def remaining(self) -> int:
        return max(self.required - self.spent, 0)

    @property
    def compliant(self) -> bool:
        return self.spent >= self.required

    @property
    def percent(self) -> int:
        """Whole percent of the minimum reached, 0..100 (100 when nothing is required)."""
        if self.required <= 0:
            return 100
        if self.spent <= 0:
            return 0
        return min(100, self.spent * 100 // self.required)


def compliance_rate_bps(compliant: int, total: int) -> int:
    """Share of compliant civil servants in basis points, half-up (0 when there is nobody)."""
    if total <= 0:
        return 0
    return (compliant * 20_000 + total) // (2 * total)


def in_reminder_window(days_left: int, window_days: int) -> bool:
    """Reminders go out while the period is still open and ends within `window_days` days."""
    return 0 < days_left <= window_days


# ---------------------------------------------------------------- leavers, joiners, exemptions
# (issue 13). Dates are local calendar days; a period is "YYYY-MM".

JOINERS_PRORATE = "prorate"
JOINERS_NEXT_MONTH = "next_month"
JOINER_POLICIES = (JOINERS_PRORATE, JOINERS_NEXT_MONTH)

EXEMPTION_KINDS = {
    "leave": "Cuti",
    "secondment": "Tugas belajar / diperbantukan",
    "illness": "Sakit",
}
EXEMPTION_STATUSES = ("requested", "approved", "rejected")

# Who reads the city's month-end compliance (a per-user flag the admin assigns).
READER_BODIES = {"bkpsdm": "BKPSDM", "inspektorat": "Inspektorat"}


def period_days(period: str) -> tuple[date, date]:
    """The first and last local day of `period` ("2026-11" → 1 and 30 November 2026)."""
    year, month = (int(part) for part in period.split("-"))
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def on_roster(period: str, *, active: bool, joined_on: date | None, left_on: date | None) -> bool:
    """Whether a civil servant counts in `period`'s compliance.

    They count from the month they joined (no date: joined before records began) up to and
    including the month they left: an ASN deactivated on 10 May still owes May, and drops out
    from June. An inactive ASN with no leaving date (deactivated for another reason) never
    counts.
    """
    first, last = period_days(period)
    if joined_on is not None and joined_on > last:
        return False
    if active:
        return True
    return left_on is not None and left_on >= first


def joiner_required(full: int, period: str, joined_on: date | None, policy: str) -> int:
    """What a civil servant who joined on `joined_on` owes in `period` of a `full` minimum.

    Only the month they joined is reduced; joining on the 1st owes the whole month either way.
    - `prorate`: by the days left in the month counting the day they joined, rounded DOWN to
      the rupiah (in the ASN's favour): full × (days_in_month − day + 1) // days_in_month.
      Joined on 28 November (30 days) with Rp100.000 → 3 days → Rp10.000; Rp2.000.000 →
      Rp200.000. Joined on 29 December (31 days) with Rp100.000 → 3/31 → Rp9.677 (9.677,4…).
    - `next_month`: nothing in the month they joined (Rp0), the whole minimum from the next.
    """
    first, last = period_days(period)
    if joined_on is None or not (first < joined_on <= last):
        return full
    if policy == JOINERS_NEXT_MONTH:
        return 0
    days = last.day
    return full * (days - joined_on.day + 1) // days


def required_for(
    full: int,
    period: str,
    *,
    joined_on: date | None,
    policy: str,
    exempt: bool,
) -> int:
    """The month's minimum after tenure and exemption: an approved exemption for the month
    requires nothing; otherwise a joiner's first month is reduced (`joiner_required`)."""
    if exempt:
        return 0
    return joiner_required(full, period, joined_on, policy)


def shortfall(required: int, spent: int) -> int:
    """How much is missing to the minimum (0 when met or exceeded)."""
    return max(required - spent, 0)
