"""Time rules that do not depend on the server's clock zone: stored timestamps are UTC, periods
and years are WIB months and years, and a period is exactly `YYYY-MM` with a real month."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

import pytest

from marketplace.timeutil import (
    MAX_YEAR,
    MIN_YEAR,
    WIB,
    as_utc,
    current_period,
    in_year_range,
    is_period,
    naive_utc,
    now_utc,
    period_bounds,
    period_of,
    year_bounds,
    year_of,
)


@pytest.fixture
def server_clock_in_new_york():
    """A server whose local time zone is neither UTC nor WIB (the rules must not read it)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("2026-01", True),
        ("2026-09", True),
        ("2026-10", True),
        ("2026-12", True),
        ("2026-00", False),
        ("2026-13", False),
        ("2026-1", False),
        ("26-01", False),
        ("2026/01", False),
        ("2026-01-01", False),
        (" 2026-01", False),
        ("", False),
        (None, False),
        ("2000-01", True),
        ("2100-12", True),
        ("1999-12", False),
        ("2101-01", False),
        ("0000-01", False),
        ("0001-01", False),
        ("9999-12", False),
    ],
)
def test_a_period_is_a_four_digit_year_and_a_month_from_01_to_12(value, valid):
    assert is_period(value) is valid


@pytest.mark.parametrize(
    ("year", "inside"), [(1999, False), (2000, True), (2026, True), (2100, True), (2101, False)]
)
def test_periods_and_dates_keep_to_the_years_2000_to_2100(year, inside):
    assert (MIN_YEAR, MAX_YEAR) == (2000, 2100)
    assert in_year_range(year) is inside


@pytest.mark.parametrize("value", ["2026-00", "2026-13", "2026-1", "juli"])
def test_bounds_of_something_that_is_not_a_period_are_refused(value):
    with pytest.raises(ValueError, match="not a period"):
        period_bounds(value)


def test_a_wib_year_runs_from_wib_new_year_to_wib_new_year_in_naive_utc():
    assert year_bounds(2026) == (datetime(2025, 12, 31, 17, 0), datetime(2026, 12, 31, 17, 0))


def test_the_year_of_an_instant_is_its_wib_year():
    assert year_of(datetime(2026, 12, 31, 16, 59, tzinfo=UTC)) == 2026
    assert year_of(datetime(2026, 12, 31, 17, 0, tzinfo=UTC)) == 2027
    assert year_of(datetime(2026, 12, 31, 17, 0)) == 2027  # naive = stored UTC


def test_an_aware_wib_time_keeps_its_instant():
    """23:30 WIB on 30 November is still November (it is 16:30 UTC, not 23:30 UTC)."""
    late_evening = datetime(2026, 11, 30, 23, 30, tzinfo=WIB)
    assert period_of(late_evening) == "2026-11"
    assert as_utc(late_evening) == datetime(2026, 11, 30, 16, 30, tzinfo=UTC)
    assert naive_utc(late_evening) == datetime(2026, 11, 30, 16, 30)


@pytest.mark.usefixtures("server_clock_in_new_york")
def test_stored_naive_timestamps_are_utc_whatever_the_server_zone():
    assert period_of(datetime(2026, 11, 30, 16, 30)) == "2026-11"
    assert period_of(datetime(2026, 11, 30, 17, 0)) == "2026-12"
    assert as_utc(datetime(2026, 11, 30, 16, 30)) == datetime(2026, 11, 30, 16, 30, tzinfo=UTC)


@pytest.mark.usefixtures("server_clock_in_new_york")
def test_aware_times_are_written_in_utc_whatever_the_server_zone():
    wib = datetime(2026, 11, 30, 23, 30, tzinfo=WIB)
    assert as_utc(wib).utcoffset() == timedelta(0)
    assert naive_utc(wib) == datetime(2026, 11, 30, 16, 30)


@pytest.mark.usefixtures("server_clock_in_new_york")
def test_now_is_an_aware_utc_instant():
    now = now_utc()
    assert now.utcoffset() == timedelta(0)
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)
    assert abs(naive_utc() - datetime.now(UTC).replace(tzinfo=None)) < timedelta(seconds=5)


@pytest.mark.usefixtures("server_clock_in_new_york")
def test_the_current_period_is_the_wib_month_of_now():
    before = datetime.now(WIB).strftime("%Y-%m")
    period = current_period()
    after = datetime.now(WIB).strftime("%Y-%m")
    assert period in (before, after) and is_period(period)
