"""Time rules: timestamps are stored in UTC; periods (`YYYY-MM`) and years are in WIB."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")
PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
# The years a period or a date given to the city may name. Outside them nothing was sold, and
# near the ends of the calendar (0001-01, 9999-12) a WIB month's UTC bounds do not exist.
MIN_YEAR, MAX_YEAR = 2000, 2100


def now_utc() -> datetime:
    """Aware UTC now. Columns store naive UTC (see `naive_utc`)."""
    return datetime.now(UTC)


def naive_utc(dt: datetime | None = None) -> datetime:
    dt = dt or now_utc()
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return dt


def as_utc(dt: datetime) -> datetime:
    """A stored (naive UTC) timestamp as an aware UTC datetime."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def iso_utc(dt: datetime | None) -> str | None:
    """A timestamp as the API writes it: ISO 8601 in UTC with its offset
    (`2026-11-30T17:00:00+00:00`); a stored naive value is taken as UTC. None stays None."""
    return None if dt is None else as_utc(dt).isoformat()


def to_wib(dt: datetime) -> datetime:
    return as_utc(dt).astimezone(WIB)


def period_of(dt: datetime) -> str:
    """The WIB month a UTC instant falls in: 2026-11-30T17:00Z is already 2026-12."""
    return to_wib(dt).strftime("%Y-%m")


def year_of(dt: datetime) -> int:
    return to_wib(dt).year


def current_period() -> str:
    return period_of(now_utc())


def in_year_range(year: int) -> bool:
    return MIN_YEAR <= year <= MAX_YEAR


def is_period(value: str) -> bool:
    """`YYYY-MM` with a month 01–12 and a year from MIN_YEAR to MAX_YEAR."""
    m = PERIOD_RE.match(value or "")
    return bool(m) and in_year_range(int(m.group(1)))


def period_bounds(period: str) -> tuple[datetime, datetime]:
    """Naive-UTC [start, end) of a WIB month, for range queries on stored timestamps."""
    m = PERIOD_RE.match(period)
    if not m:
        raise ValueError(f"not a period: {period!r}")
    year, month = int(m.group(1)), int(m.group(2))
    start = datetime(year, month, 1, tzinfo=WIB)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=WIB)
    return naive_utc(start), naive_utc(end)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    return naive_utc(datetime(year, 1, 1, tzinfo=WIB)), naive_utc(
        datetime(year + 1, 1, 1, tzinfo=WIB)
    )


def days_left_in_period(period: str, at: datetime | None = None) -> int:
    """Whole WIB days left in `period` counting today; 0 once it is over."""
    _, end = period_bounds(period)
    at_wib = to_wib(at or now_utc())
    end_wib = as_utc(end).astimezone(WIB)
    if at_wib >= end_wib:
        return 0
    return (end_wib.date() - at_wib.date()).days


def previous_period(period: str) -> str:
    start, _ = period_bounds(period)
    return period_of(as_utc(start) - timedelta(seconds=1))
