"""Mandate rules with no database: position matching, rule resolution, progress arithmetic."""

from __future__ import annotations

import calendar
import re
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
    counts_on: str = "receipt"
    position_class: str | None = None

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


# ---------------------------------------------------------------- position classes
# A rule gives an amount per position *class* (camat, lurah, eselon III, kepala seksi, staf…);
# roster positions map to classes by the admin's match rules. Precedence (first that matches):
#   1. exact   — the whole position equals a class name or an exact name listed for a class
#   2. alias   — the whole position equals another spelling listed for a class ("Sekcam")
#   3. pattern — `*` stands for any text ("Camat *", "Kepala Seksi *"); the longest pattern
#                (most letters besides `*`) first, then alphabetical
#   4. echelon — the roster's echelon/rank code ("III.a", "IV/b"); "III" covers "III.a" and
#                "III.b"; the longest code first
# All text comparisons ignore case and runs of spaces. A named position comes before its rank on
# purpose: a camat is eselon III.a and a lurah IV.a, yet each owes their own class's amount.
# No match → the rule's default amount.
EXACT, ALIAS, PATTERN, ECHELON = "exact", "alias", "pattern", "echelon"
MATCH_KINDS = (EXACT, ALIAS, PATTERN, ECHELON)  # also the precedence
COUNTS_ON = ("receipt", "payment")  # when spending counts: the buyer's receipt (default) or payment
MAX_MATCH_TEXT = 120

# The mapping a fresh installation starts with (also written by migration c13a00000001).
# Amounts stay in the rule (DEMO_BY_POSITION); a class without one owes the default.
DEFAULT_CLASSES: dict[str, tuple[tuple[str, str], ...]] = {
    "Camat": ((PATTERN, "Camat *"),),
    "Lurah": ((PATTERN, "Lurah *"),),
    "Eselon III": (
        (PATTERN, "Sekretaris *"),
        (PATTERN, "Kepala Bidang *"),
        (PATTERN, "Kepala Bagian *"),
        (ECHELON, "III"),
    ),
    "Kepala Seksi": (
        (ALIAS, "Kasi"),
        (PATTERN, "Kasi *"),
        (PATTERN, "Kepala Seksi *"),
        (PATTERN, "Kepala Sub Bagian *"),
        (PATTERN, "Kasubag *"),
        (PATTERN, "Sekretaris Kelurahan *"),
        (ECHELON, "IV"),
    ),
    "Staf": ((ALIAS, "Staf Pelaksana"), (ALIAS, "Pelaksana"), (PATTERN, "Staf *")),
}


def text_key(text: str | None) -> str:
    """How position texts compare: case-insensitive, with runs of spaces as one space
    ("KEPALA SEKSI  Kesejahteraan Sosial" → "kepala seksi kesejahteraan sosial")."""
    return " ".join((text or "").split()).lower()


_ECHELON_SPLIT = re.compile(r"^([ivx]+)([a-e])$")


def echelon_key(code: str | None) -> str:
    """An echelon or rank code as compared: lower case, no spaces, `/` and `-` read as `.`, and a
    letter after the numeral split off ("III/a", "iii.A", "IIIa" → "iii.a")."""
    key = "".join((code or "").split()).lower().replace("/", ".").replace("-", ".")
    split = _ECHELON_SPLIT.match(key)
    return f"{split.group(1)}.{split.group(2)}" if split else key


def match_key(kind: str, text: str | None) -> str:
    """The stored key of a match rule's text for its kind."""
    return echelon_key(text) if kind == ECHELON else text_key(text)


@dataclass(frozen=True)
class PositionMatch:
    """One match rule: `key` is `match_key(kind, text)`; `class_key` the class it maps to."""

    kind: str
    key: str
    class_key: str
    id: int | None = None


def pattern_matches(pattern: str, key: str) -> bool:
    """Whether a pattern key ("camat *") matches a position key; `*` is any text, even none."""
    parts = pattern.split("*")
    if len(parts) == 1:
        return pattern == key
    if not (key.startswith(parts[0]) and key.endswith(parts[-1])):
        return False
    if len(key) < len(parts[0]) + len(parts[-1]):
        return False
    at, end = len(parts[0]), len(key) - len(parts[-1])
    for middle in parts[1:-1]:
        found = key.find(middle, at, end)
        if found < 0:
            return False
        at = found + len(middle)
    return True


def echelon_covers(rule_key: str, key: str) -> bool:
    """A code rule covers the same code and its sub-levels ("iii" covers "iii.a", not "iiia")."""
    return key == rule_key or key.startswith(rule_key + ".")


def _specificity(match: PositionMatch) -> tuple[int, str]:
    return (-len(match.key.replace("*", "")), match.key)


def match_position(
    position: str | None, echelon: str | None, matches: Iterable[PositionMatch]
) -> PositionMatch | None:
    """The match rule that gives a roster position its class, by MATCH_KINDS precedence; None when
    nothing matches (the default amount applies)."""
    by_kind: dict[str, list[PositionMatch]] = {kind: [] for kind in MATCH_KINDS}
    for match in matches:
        if match.kind in by_kind:
            by_kind[match.kind].append(match)
    key = text_key(position)
    code = echelon_key(echelon)
    for kind in MATCH_KINDS:
        for match in sorted(by_kind[kind], key=_specificity):
            if kind in (EXACT, ALIAS):
                hit = bool(key) and match.key == key
            elif kind == PATTERN:
                hit = bool(key) and pattern_matches(match.key, key)
            else:
                hit = bool(code) and echelon_covers(match.key, code)
            if hit:
                return match
    return None


_ECHELON_TEXT = re.compile(r"^[A-Za-z0-9./ -]{1,16}$")


def match_problem(kind: str, text: str) -> str | None:
    """Why a match rule the admin typed cannot be kept (Indonesian), or None."""
    if kind not in MATCH_KINDS:
        return "Jenis aturan harus salah satu dari: " + ", ".join(MATCH_KINDS) + "."
    if not text_key(text):
        return "Teks aturan tidak boleh kosong."
    if len(text) > MAX_MATCH_TEXT:
        return f"Teks aturan paling banyak {MAX_MATCH_TEXT} karakter."
    if kind == ECHELON:
        if not _ECHELON_TEXT.match(text.strip()):
            return "Kode eselon/golongan hanya huruf, angka, titik, garis miring; paling banyak 16."
        return None
    if kind == PATTERN and "*" not in text:
        return "Pola harus memuat * (mis. Camat *); tanpa * gunakan nama persis."
    if kind == PATTERN and not text_key(text.replace("*", "")):
        return "Pola harus memuat kata selain *."
    if kind != PATTERN and "*" in text:
        return "Tanda * hanya untuk pola."
    return None


@dataclass(frozen=True)
class Assignment:
    """A civil servant's class and amount under one mapping."""

    class_key: str | None
    required: int


def required_for_class(
    class_key: str | None, amounts: Mapping[str, int], default_amount: int
) -> int:
    """The monthly minimum of a class: its amount in the rule, else the default."""
    if class_key is not None and class_key in amounts:
        return int(amounts[class_key])
    return int(default_amount)


def mapping_changes(
    people: Iterable[tuple[int, str | None, str | None]],
    before: Iterable[PositionMatch],
    after: Iterable[PositionMatch],
    amounts: Mapping[str, int],
    default_amount: int,
) -> tuple[dict[str | None, tuple[int, int]], list[tuple[int, Assignment, Assignment]]]:
    """What a change of mapping does to `people` ((id, position, echelon)): the head count per
    class (None: unmatched) before and after, and each person whose class or amount changes."""
    before, after = list(before), list(after)
    counts: dict[str | None, list[int]] = {}
    changed: list[tuple[int, Assignment, Assignment]] = []
    for person_id, position, echelon in people:
        old_match = match_position(position, echelon, before)
        new_match = match_position(position, echelon, after)
        old_key = old_match.class_key if old_match else None
        new_key = new_match.class_key if new_match else None
        counts.setdefault(old_key, [0, 0])[0] += 1
        counts.setdefault(new_key, [0, 0])[1] += 1
        old = Assignment(old_key, required_for_class(old_key, amounts, default_amount))
        new = Assignment(new_key, required_for_class(new_key, amounts, default_amount))
        if old != new:
            changed.append((person_id, old, new))
    return {k: (v[0], v[1]) for k, v in counts.items()}, changed
