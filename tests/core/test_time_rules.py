from datetime import UTC, datetime

from marketplace.timeutil import days_left_in_period, period_bounds, period_of, previous_period


def test_a_purchase_at_2330_wib_on_the_last_day_counts_for_that_month():
    # 23:30 WIB on 30 Nov = 16:30 UTC
    assert period_of(datetime(2026, 11, 30, 16, 30, tzinfo=UTC)) == "2026-11"


def test_midnight_wib_starts_the_next_period():
    assert period_of(datetime(2026, 11, 30, 17, 0, tzinfo=UTC)) == "2026-12"


def test_period_bounds_are_wib_midnights_in_naive_utc():
    start, end = period_bounds("2026-12")
    assert start == datetime(2026, 11, 30, 17, 0)
    assert end == datetime(2026, 12, 31, 17, 0)


def test_days_left_counts_today():
    assert days_left_in_period("2026-11", datetime(2026, 11, 29, 3, 0, tzinfo=UTC)) == 2
    assert days_left_in_period("2026-11", datetime(2026, 12, 1, 3, 0, tzinfo=UTC)) == 0


def test_previous_period_crosses_the_year():
    assert previous_period("2027-01") == "2026-12"


def test_iso_utc_writes_an_offset_and_takes_naive_values_as_utc():
    from datetime import timedelta, timezone

    from marketplace.timeutil import iso_utc

    assert iso_utc(None) is None
    assert iso_utc(datetime(2026, 11, 30, 17, 0)) == "2026-11-30T17:00:00+00:00"
    wib = timezone(timedelta(hours=7))
    assert iso_utc(datetime(2026, 12, 1, 0, 0, tzinfo=wib)) == "2026-11-30T17:00:00+00:00"
