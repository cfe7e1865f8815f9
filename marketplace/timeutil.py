"""Time rules: timestamps are stored in UTC; periods (`YYYY-MM`), years and days are the city's
(its time zone: WIB, WITA or WIT).

Every function that needs the zone takes `tz=`; without it the zone comes from `local_zone()`:
what `use_zone` installed (the app installs `marketplace.city`'s, so it follows the city's
settings), else `DEFAULT_ZONE`. This module stays pure: no Flask, no database."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

# Indonesia's three zones; a city's is in its settings (`marketplace.city`).
WIB, WITA, WIT = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Makassar"), ZoneInfo("Asia/Jayapura")
DEFAULT_ZONE = WIB
_zone_source: Callable[[], ZoneInfo | None] | None = None
PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
# The years a period or a date given to the city may name. Outside them nothing was sold, and
# near the ends of the calendar (0001-01, 9999-12) a local month's UTC bounds do not exist.
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


def use_zone(source: Callable[[], ZoneInfo | None] | ZoneInfo | None) -> None:
    """Where `local_zone()` comes from: a zone, a function answering one (or None for the
    default), or None for `DEFAULT_ZONE`. The app calls it once at start."""
    global _zone_source
    _zone_source = (lambda: source) if isinstance(source, ZoneInfo) else source


def local_zone(tz: ZoneInfo | None = None) -> ZoneInfo:
    """`tz` when given, else the installed source's zone, else `DEFAULT_ZONE` (WIB)."""
    if tz is not None:
        return tz
    return (_zone_source() if _zone_source else None) or DEFAULT_ZONE


def to_local(dt: datetime, tz: ZoneInfo | None = None) -> datetime:
    """A stored (naive UTC) or aware instant on the city's clock."""
    return as_utc(dt).astimezone(local_zone(tz))


def period_of(dt: datetime, tz: ZoneInfo | None = None) -> str:
    """The local month a UTC instant falls in. In WIB 2026-11-30T17:00Z is already 2026-12; in
    WITA (Makassar) 2026-11-30T16:30Z is 00:30 on 1 December, so 2026-12 too, while in WIB it is
    23:30 on 30 November, still 2026-11."""
    return to_local(dt, tz).strftime("%Y-%m")


def year_of(dt: datetime, tz: ZoneInfo | None = None) -> int:
    return to_local(dt, tz).year


def today_local() -> date:
    """Today's date on the city's clock."""
    return to_local(now_utc()).date()


def day_start(day: date, tz: ZoneInfo | None = None) -> datetime:
    """The first instant of a local calendar day, as stored (naive UTC)."""
    return naive_utc(datetime.combine(day, time(0), tzinfo=local_zone(tz)))


def current_period() -> str:
    """This month on the city's clock."""
    return period_of(now_utc())


def in_year_range(year: int) -> bool:
    return MIN_YEAR <= year <= MAX_YEAR


def is_period(value: str) -> bool:
    """`YYYY-MM` with a month 01–12 and a year from MIN_YEAR to MAX_YEAR."""
    m = PERIOD_RE.match(value or "")
    return bool(m) and in_year_range(int(m.group(1)))


def period_bounds(period: str, tz: ZoneInfo | None = None) -> tuple[datetime, datetime]:
    """Naive-UTC [start, end) of a local month, for range queries on stored timestamps."""
    year, month = _year_month(period)
    zone = local_zone(tz)
    start = datetime(year, month, 1, tzinfo=zone)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=zone)
    return naive_utc(start), naive_utc(end)


def year_bounds(year: int, tz: ZoneInfo | None = None) -> tuple[datetime, datetime]:
    zone = local_zone(tz)
    return naive_utc(datetime(year, 1, 1, tzinfo=zone)), naive_utc(
        datetime(year + 1, 1, 1, tzinfo=zone)
    )


def _year_month(period: str) -> tuple[int, int]:
    m = PERIOD_RE.match(period)
    if not m:
        raise ValueError(f"not a period: {period!r}")
    return int(m.group(1)), int(m.group(2))


def days_left_in_period(period: str, at: datetime | None = None, tz: ZoneInfo | None = None) -> int:
    """Whole local days left in `period` counting today (the day of `at`, default now, on the
    city's clock); 0 once it is over."""
    year, month = _year_month(period)
    first_after = date(year + (month == 12), month % 12 + 1, 1)
    today = to_local(at or now_utc(), tz).date()
    return max(0, (first_after - today).days)


def previous_period(period: str) -> str:
    """The month before `period` (the same in every zone)."""
    year, month = _year_month(period)
    return f"{year - (month == 1):04d}-{(month - 2) % 12 + 1:02d}"
