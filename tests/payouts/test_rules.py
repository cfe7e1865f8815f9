"""Payout rules with no database."""

from datetime import date, datetime

import pytest

from marketplace.payouts import rules
from marketplace.timeutil import WIB, naive_utc


def test_payout_is_the_available_balance_when_there_is_no_debt():
    split = rules.payout_split(150_000, 0)
    assert (split.amount, split.debt_netted, split.debit_available) == (150_000, 0, 150_000)


def test_debt_is_netted_from_the_payout_and_cleared_from_available():
    split = rules.payout_split(150_000, 40_000)
    assert split.amount == 110_000
    assert split.debt_netted == 40_000
    assert split.debit_available == 150_000


def test_no_payout_when_debt_covers_the_whole_balance():
    assert rules.payout_split(40_000, 40_000) is None
    assert rules.payout_split(10_000, 40_000) is None


def test_no_payout_for_a_vendor_with_only_debt_or_nothing():
    assert rules.payout_split(0, 25_000) is None
    assert rules.payout_split(0, 0) is None


def test_as_of_caps_the_payout_to_what_was_eligible_then():
    split = rules.payout_split(150_000, 0, eligible=100_000)
    assert split.amount == 100_000 and split.debit_available == 100_000


def test_as_of_cap_never_pays_more_than_is_available_now():
    assert rules.payout_split(60_000, 0, eligible=100_000).amount == 60_000
    assert rules.payout_split(60_000, 0, eligible=0) is None


@pytest.mark.parametrize(
    "adapter,current,new,allowed",
    [
        ("manual", "pending", "paid", True),
        ("manual", "exported", "paid", True),
        ("manual", "paid", "paid", False),
        ("manual", "cancelled", "paid", False),
        ("manual", "pending", "exported", True),
        ("manual", "paid", "cancelled", False),
        ("stripe", "pending", "failed", True),
        ("stripe", "failed", "paid", True),
        ("stripe", "failed", "cancelled", True),
        ("stripe", "paid", "failed", False),
        ("stripe", "pending", "exported", False),
    ],
)
def test_payout_state_machine(adapter, current, new, allowed):
    assert rules.can_transition(adapter, current, new) is allowed


def test_bank_reference_names_the_payout():
    assert rules.payout_reference(42) == "PKN-PO-42"


def test_idempotency_key_is_deterministic_and_moves_on_only_after_a_refusal():
    assert rules.transfer_idempotency_key(7) == "payout:7:transfer"
    assert rules.transfer_idempotency_key(7) == rules.transfer_idempotency_key(7, 0)
    assert rules.transfer_idempotency_key(7, 1) == "payout:7:transfer:1"


@pytest.mark.parametrize(
    "status,definitive",
    [
        (400, True),
        (402, True),
        (404, True),
        (409, False),
        (429, False),
        (500, False),
        (None, False),
    ],
)
def test_only_a_stripe_refusal_counts_as_definitive(status, definitive):
    assert rules.is_definitive_failure(status) is definitive


def test_csv_cells_cannot_become_spreadsheet_formulas():
    assert rules.csv_cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert rules.csv_cell("-1") == "'-1"
    assert rules.csv_cell("Toko Makmur") == "Toko Makmur"
    assert rules.csv_cell(None) == ""


def test_as_of_date_is_the_start_of_that_day_in_jakarta():
    assert rules.parse_as_of("2026-05-01") == datetime(2026, 4, 30, 17, 0)


def test_as_of_datetime_keeps_its_offset_and_naive_means_wib():
    assert rules.parse_as_of("2026-05-01T10:00:00Z") == datetime(2026, 5, 1, 10, 0)
    assert rules.parse_as_of("2026-05-01T10:00:00") == datetime(2026, 5, 1, 3, 0)


@pytest.mark.parametrize("value", ["", "yesterday", "2026-13-01", "2026-02-30"])
def test_as_of_rejects_what_is_not_an_iso_date(value):
    with pytest.raises(ValueError):
        rules.parse_as_of(value)


def test_missing_bank_fields_lists_blank_ones():
    assert rules.missing_bank_fields("BCA", " ", None) == [
        "bank_account_number",
        "bank_account_name",
    ]
    assert rules.missing_bank_fields("BCA", "123", "Ani") == []


@pytest.mark.parametrize(
    "made_wib, expected",
    [
        ((2026, 9, 7, 14), date(2026, 9, 8)),  # Monday → Tuesday: an ordinary week
        ((2026, 9, 11, 14), date(2026, 9, 14)),  # Friday → Monday
        ((2026, 9, 8, 6, 30), date(2026, 9, 9)),  # 06:30 WIB Tuesday is Monday in UTC
        ((2026, 3, 17, 10), date(2026, 3, 25)),  # before Nyepi and Lebaran 2026
        ((2026, 12, 23, 10), date(2026, 12, 28)),  # cuti bersama 24 Dec, Natal 25 Dec
    ],
)
def test_a_payout_in_transit_is_expected_the_next_working_day(made_wib, expected):
    made = naive_utc(datetime(*made_wib, tzinfo=WIB))
    assert rules.expected_by(made, "pending") == expected
    assert rules.expected_by(made, "exported") == expected


@pytest.mark.parametrize("status", ["paid", "failed", "cancelled"])
def test_a_payout_no_longer_in_transit_has_no_expected_day(status):
    assert rules.expected_by(datetime(2026, 9, 7, 3), status) is None


def test_a_cut_off_day_starts_on_the_citys_own_clock():
    from zoneinfo import ZoneInfo

    makassar = ZoneInfo("Asia/Makassar")  # WITA, UTC+8
    assert rules.parse_as_of("2026-05-01", makassar) == datetime(2026, 4, 30, 16, 0)
    assert rules.parse_as_of("2026-05-01T10:00:00", makassar) == datetime(2026, 5, 1, 2, 0)
