"""Indonesian primitives through lokal-id (marketplace.primitives): NPWP, phones, terbilang and
the working-day calendar with the real 2026 holidays and cuti bersama (SKB 3 Menteri)."""

import datetime as dt

import pytest

from marketplace import primitives as p


# ---------------------------------------------------------------- NPWP
@pytest.mark.parametrize(
    "typed",
    ["01.234.567.8-901.000", "012345678901000", "01 234 567 8 901 000", "0012345678901000"],
)
def test_an_npwp_written_any_way_is_stored_as_its_16_digits(typed):
    assert p.parse_npwp(typed) == "0012345678901000"


def test_a_nik_based_npwp_is_stored_as_the_nik():
    assert p.parse_npwp("3578 0155 0590 0001") == "3578015505900001"


@pytest.mark.parametrize(
    "typed", ["12345", "01.234.567.8-901.00", "01234567890100012", "01.234.567.8-901.00X"]
)
def test_an_npwp_of_the_wrong_length_is_refused_in_indonesian(typed):
    with pytest.raises(ValueError, match="NPWP harus 15 angka"):
        p.parse_npwp(typed)


def test_a_16_digit_npwp_not_starting_with_zero_must_be_a_real_nik():
    # 35.78.01, born "72"-05-90 (a woman's day 32): no such day, so it is no NIK.
    with pytest.raises(ValueError, match="NIK"):
        p.parse_npwp("3578017205900001")


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_a_blank_npwp_is_none(blank):
    assert p.parse_npwp(blank) is None


def test_an_npwp_is_shown_in_the_dotted_15_digit_form():
    assert p.format_npwp("0012345678901000") == "01.234.567.8-901.000"
    assert p.format_npwp("3578015505900001") == "3578015505900001"
    assert p.format_npwp(None) == ""


def test_a_stored_npwp_that_does_not_parse_is_shown_as_it_is_and_flagged():
    assert p.format_npwp("ABC-123") == "ABC-123"
    assert not p.npwp_is_valid("ABC-123")
    assert p.npwp_is_valid("0012345678901000")
    assert p.npwp_is_valid(None)


# ---------------------------------------------------------------- phones
@pytest.mark.parametrize(
    "typed", ["0812-3456-7890", "+62 812 3456 7890", "6281234567890", "081234567890"]
)
def test_a_mobile_number_is_stored_in_e164(typed):
    assert p.parse_phone(typed) == "+6281234567890"


def test_a_landline_is_stored_in_e164_and_shown_with_its_area_code():
    assert p.parse_phone("(031) 555-1234") == "+62315551234"
    assert p.format_phone("+62315551234") == "(031) 5551234"
    assert p.whatsapp_link("+62315551234") is None


@pytest.mark.parametrize("typed", ["12345", "0812", "+1 415 555 0100", "0812-3456-789012345"])
def test_a_number_that_is_not_indonesian_is_refused(typed):
    with pytest.raises(ValueError):
        p.parse_phone(typed)


def test_a_mobile_number_is_shown_nationally_with_a_whatsapp_link():
    assert p.format_phone("+6281234567890") == "0812-3456-7890"
    assert p.whatsapp_link("+6281234567890") == "https://wa.me/6281234567890"
    assert p.whatsapp_link(None) is None
    assert p.parse_phone("  ") is None
    assert p.format_phone("kantor") == "kantor"  # kept from before validation


# ---------------------------------------------------------------- terbilang
@pytest.mark.parametrize(
    "amount, words",
    [
        (1_500_000, "satu juta lima ratus ribu rupiah"),
        (12_500, "dua belas ribu lima ratus rupiah"),
        (1_001, "seribu satu rupiah"),
        (0, "nol rupiah"),
    ],
)
def test_amounts_in_words(amount, words):
    assert p.amount_in_words(amount) == words


# ---------------------------------------------------------------- working days
def test_one_working_day_after_17_march_2026_is_25_march_over_nyepi_and_lebaran():
    assert p.add_working_days("2026-03-17", 1) == "2026-03-25"
    assert p.add_working_days(dt.date(2026, 3, 17), 1) == dt.date(2026, 3, 25)


def test_christmas_eve_2026_is_cuti_bersama():
    assert not p.is_working_day("2026-12-24")
    assert not p.is_working_day("2026-12-25")
    assert p.add_working_days("2026-12-23", 1) == "2026-12-28"


def test_an_ordinary_week_keeps_monday_to_friday():
    assert p.add_working_days("2026-09-07", 3) == "2026-09-10"  # Monday → Thursday
    assert p.add_working_days("2026-09-11", 1) == "2026-09-14"  # Friday → Monday
    assert p.add_working_days("2026-09-10", -3) == "2026-09-07"
    assert p.add_working_days("2026-09-10", 0) == "2026-09-10"
    assert p.count_working_days("2026-09-07", "2026-09-13") == 5


def test_years_without_a_published_skb_count_weekends_only():
    assert not p.has_holiday_data(2028)
    assert p.is_working_day("2028-01-03")  # a Monday
    assert p.is_working_day("2028-12-25")  # Christmas 2028: no decree yet, so a working day
    assert not p.is_working_day("2028-01-01")  # a Saturday
    assert p.add_working_days("2027-12-31", 1) == "2028-01-03"


def test_working_days_counted_over_lebaran_2026():
    # 16–27 March 2026: 10 weekdays, of which 18, 19, 20, 23 and 24 are off.
    assert p.count_working_days("2026-03-16", "2026-03-27") == 5
    assert p.count_working_days("2026-03-27", "2026-03-16") == 0


def test_a_date_that_is_not_iso_is_refused():
    with pytest.raises(ValueError):
        p.is_working_day("17-03-2026")


# ---------------------------------------------------------------- exact messages and edges
def test_refusals_say_exactly_what_is_wrong_in_indonesian():
    with pytest.raises(ValueError) as npwp:
        p.parse_npwp("12345")
    assert str(npwp.value) == p.NPWP_MESSAGE
    with pytest.raises(ValueError) as nik:
        p.parse_npwp("3578017205900001")
    assert str(nik.value).startswith("NPWP 16 digit yang tidak diawali 0 adalah NIK")
    with pytest.raises(ValueError) as phone:
        p.parse_phone("0812")
    assert str(phone.value) == "Nomor HP harus 10–13 digit (termasuk 0 di depan)."
    with pytest.raises(ValueError) as day:
        p.is_working_day("17-03-2026")
    assert str(day.value) == "Tanggal harus berformat YYYY-MM-DD: 17-03-2026"


def test_a_blank_or_unparsable_stored_phone_is_shown_as_it_is():
    assert p.format_phone("") == ""
    assert p.format_phone(None) == ""
    assert p.format_phone("0812") == "0812"
    assert p.whatsapp_link("0812") is None


def test_zero_working_days_is_the_day_itself_and_negative_counts_back():
    assert p.add_working_days("2026-09-09", 0) == "2026-09-09"
    assert p.add_working_days("2026-09-14", -1) == "2026-09-11"  # Monday → Friday
    assert p.add_working_days(dt.date(2026, 9, 9), 2) == dt.date(2026, 9, 11)
