"""City rules (issue 11): defaults per Kemendagri code, overrides, validation, and periods in the
city's zone (a WITA city's month starts 1 hour before a WIB city's)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from marketplace import city_rules, timeutil
from marketplace.city_rules import defaults_for, problems, resolve, timezone_of
from marketplace.money import format_rupiah
from marketplace.timeutil import WIB, WITA

# 00:30 WITA on 1 December 2026 = 23:30 WIB on 30 November = 16:30 UTC on 30 November.
BOUNDARY = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)


# ---------------------------------------------------------------- the zone of a city
@pytest.mark.parametrize(
    ("code", "zone"),
    [
        ("35.78", "Asia/Jakarta"),  # Surabaya
        ("31.74", "Asia/Jakarta"),  # Jakarta Selatan
        ("34.71", "Asia/Jakarta"),  # Yogyakarta
        ("51.71", "Asia/Makassar"),  # Denpasar
        ("52.71", "Asia/Makassar"),  # Mataram
        ("53.71", "Asia/Makassar"),  # Kupang
        ("63.71", "Asia/Makassar"),  # Banjarmasin
        ("64.72", "Asia/Makassar"),  # Samarinda
        ("65.71", "Asia/Makassar"),  # Tarakan
        ("71.71", "Asia/Makassar"),  # Manado
        ("73.71", "Asia/Makassar"),  # Makassar
        ("76.01", "Asia/Makassar"),  # Sulawesi Barat
        ("81.71", "Asia/Jayapura"),  # Ambon
        ("82.71", "Asia/Jayapura"),  # Ternate
        ("91.71", "Asia/Jayapura"),  # Jayapura
        ("97.01", "Asia/Jayapura"),
        ("61.71", "Asia/Jakarta"),  # Pontianak: Kalimantan Barat is WIB
        ("62.71", "Asia/Jakarta"),  # Palangka Raya: Kalimantan Tengah is WIB
    ],
)
def test_the_zone_follows_the_province(code, zone):
    assert timezone_of(code) == zone


# ---------------------------------------------------------------- known cities
def test_surabaya_is_the_default_city_with_dinkopdag():
    city = defaults_for("35.78")
    assert city.name == "Kota Surabaya"
    assert city.short_name == "Surabaya"
    assert city.platform_name == "Peken Surabaya"
    assert city.office_shops == "Dinkopdag"
    assert city.district_label == "Kecamatan" and city.village_label == "Kelurahan"
    assert city.timezone == "Asia/Jakarta" and city.zone_label == "WIB"
    assert (city.currency_symbol, city.thousands_separator) == ("Rp", ".")


def test_malang_has_diskopindag():
    city = defaults_for("35.73")
    assert (city.name, city.short_name, city.office_shops) == (
        "Kota Malang",
        "Malang",
        "Diskopindag",
    )
    assert city.platform_name == "Peken Malang"


def test_yogyakarta_says_kemantren():
    city = defaults_for("34.71")
    assert city.district_label == "Kemantren" and city.village_label == "Kelurahan"


def test_makassar_counts_in_wita():
    city = defaults_for("73.71")
    assert city.name == "Kota Makassar"
    assert city.timezone == "Asia/Makassar" and city.zone_label == "WITA"
    assert city.zone == ZoneInfo("Asia/Makassar")


def test_jakarta_selatan_drops_the_administrative_prefix():
    city = defaults_for("31.74")
    assert city.name == "Kota Administrasi Jakarta Selatan"
    assert city.short_name == "Jakarta Selatan"


def test_mojokerto_is_known():
    assert defaults_for("35.76").short_name == "Mojokerto"


def test_a_kabupaten_has_desa_and_an_unknown_city_gets_generic_offices():
    regency = defaults_for("35.07")  # Kabupaten Malang
    assert regency.name == "Kabupaten Malang" and regency.short_name == "Malang"
    assert regency.village_label == "Desa"
    assert regency.office_finance == "BPKAD"
    assert defaults_for("51.71").zone_label == "WITA"  # Denpasar: derived, not listed


def test_a_code_lokal_does_not_know_still_resolves():
    city = defaults_for("99.99")
    assert city.name == "Kota 99.99"
    assert city_rules.official_name("99.99") is None
    assert city_rules.official_name("nonsense") is None


@pytest.mark.parametrize(
    ("code", "ok"), [("35.78", True), ("3578", False), ("35.7", False), ("", False)]
)
def test_city_codes_are_two_pairs_of_digits(code, ok):
    assert city_rules.is_city_code(code) is ok


def test_kota_and_kabupaten_by_their_number():
    assert city_rules.is_kabupaten("35.07") and city_rules.is_kabupaten("35.69")
    assert not city_rules.is_kabupaten("35.71") and not city_rules.is_kabupaten("35.78")
    assert not city_rules.is_kabupaten("35.70")  # kota are numbered from 71; 70 is no kabupaten
    assert not city_rules.is_kabupaten("bad")
    assert not city_rules.is_city_code(None)


# ---------------------------------------------------------------- overrides
def test_later_overrides_win_and_blank_ones_are_ignored():
    city = resolve(
        "35.78",
        {"office_shops": "Diskop", "timezone": ""},
        {"office_shops": "Dinkopdag Baru", "name": None, "unknown": "x"},
    )
    assert city.office_shops == "Dinkopdag Baru"
    assert city.timezone == "Asia/Jakarta" and city.name == "Kota Surabaya"


def test_the_short_name_follows_a_new_name_unless_set():
    city = resolve("35.78", {"name": "Kota Pahlawan"})
    assert (city.short_name, city.platform_name) == ("Pahlawan", "Peken Pahlawan")
    city = resolve("35.78", {"name": "Kota Pahlawan"}, {"short_name": "Sby"})
    assert (city.short_name, city.platform_name) == ("Sby", "Peken Sby")


def test_the_platform_name_follows_a_new_short_name_unless_set():
    assert resolve("35.78", {"short_name": "Suroboyo"}).platform_name == "Peken Suroboyo"
    assert (
        resolve("35.78", {"short_name": "Sby", "platform_name": "E-Peken"}).platform_name
        == "E-Peken"
    )


def test_env_keys_name_each_setting():
    assert city_rules.ENV_KEYS["name"] == "PEKEN_CITY_NAME"
    assert city_rules.ENV_KEYS["short_name"] == "PEKEN_CITY_SHORT_NAME"
    assert city_rules.ENV_KEYS["timezone"] == "PEKEN_TIMEZONE"
    assert city_rules.ENV_KEYS["office_shops"] == "PEKEN_OFFICE_SHOPS"
    assert "code" not in city_rules.EDITABLE


def test_a_city_as_a_dict_carries_its_zone_label():
    assert defaults_for("73.71").as_dict()["zone_label"] == "WITA"


# ---------------------------------------------------------------- validation
def test_good_settings_have_no_problems():
    assert problems({"name": "Kota Malang", "timezone": "Asia/Jayapura", "name_en": None}) == {
        "name_en": ["Pengaturan tidak dikenal."]
    }
    assert problems({"thousands_separator": ",", "office_hr": None}) == {}


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"timezone": "Europe/Paris"}, "timezone"),
        ({"timezone": "WITA"}, "timezone"),
        ({"name": "   "}, "name"),
        ({"office_shops": ""}, "office_shops"),
        ({"platform_name": "x" * 201}, "platform_name"),
        ({"currency_symbol": "Rupiah Rp"}, "currency_symbol"),
        ({"thousands_separator": "-"}, "thousands_separator"),
        ({"thousands_separator": ""}, "thousands_separator"),
    ],
)
def test_bad_settings_are_named(values, field):
    assert set(problems(values)) == {field}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"name": " "}, "Wajib diisi."),
        ({"office_hr": "x" * 201}, "Terlalu panjang."),
        ({"currency_symbol": "123456789"}, "Terlalu panjang."),
        ({"thousands_separator": "."}, None),
        ({"thousands_separator": ","}, None),
        ({"thousands_separator": " "}, None),
        ({"thousands_separator": "\u00a0"}, None),
        ({"thousands_separator": "'"}, None),
        ({"thousands_separator": ".."}, "Pemisah ribuan harus titik, koma, spasi atau apostrof."),
        (
            {"timezone": "Asia/Jakarta "},
            None,
        ),
        (
            {"timezone": "UTC"},
            "Zona waktu harus Asia/Jakarta (WIB), Asia/Makassar (WITA) atau Asia/Jayapura (WIT).",
        ),
        ({"platform_name": "x" * 200}, None),
        ({"currency_symbol": "12345678"}, None),
    ],
)
def test_each_problem_has_its_message(values, message):
    (key,) = values
    assert problems(values) == ({key: [message]} if message else {})


def test_every_bad_setting_is_reported_not_just_the_first():
    found = problems({"unknown": "x", "office_hr": None, "name": "", "timezone": "UTC"})
    assert set(found) == {"unknown", "name", "timezone"}
    found = problems({"office_hr": None, "short_name": "ok", "name": ""})
    assert set(found) == {"name"}


def test_spaces_around_a_name_are_dropped_but_a_space_separator_is_kept():
    city = resolve("35.78", {"name": "  Kota X  ", "thousands_separator": " "})
    assert city.name == "Kota X" and city.thousands_separator == " "
    assert resolve("35.78", {"thousands_separator": ""}).thousands_separator == "."
    assert resolve("35.78", {}) == defaults_for("35.78")
    # a skipped value does not end the layer
    assert resolve("35.78", {"name": None, "x": "y", "office_hr": "BKD"}).office_hr == "BKD"


def test_names_may_be_two_hundred_characters():
    assert problems({"office_shops_name": "x" * 200, "currency_symbol": "IDR "}) == {}


# ---------------------------------------------------------------- currency display
def test_rupiah_with_the_city_symbol_and_separator():
    assert format_rupiah(1_234_500) == "Rp1.234.500"
    assert format_rupiah(-12_500, "IDR ", ",") == "-IDR 12,500"
    assert format_rupiah(None, "IDR ", ",") == "–"


# ---------------------------------------------------------------- periods in the city's zone
def test_0030_wita_on_the_first_is_the_new_month_in_makassar_but_not_in_surabaya():
    assert timeutil.period_of(BOUNDARY, WITA) == "2026-12"
    assert timeutil.period_of(BOUNDARY, WIB) == "2026-11"
    assert timeutil.year_of(datetime(2026, 12, 31, 16, 30, tzinfo=UTC), WITA) == 2027
    assert timeutil.year_of(datetime(2026, 12, 31, 16, 30, tzinfo=UTC), WIB) == 2026


def test_a_wita_month_runs_from_1600_utc_and_a_wib_month_from_1700_utc():
    start, end = timeutil.period_bounds("2026-12", WITA)
    assert (start, end) == (datetime(2026, 11, 30, 16, 0), datetime(2026, 12, 31, 16, 0))
    start, end = timeutil.period_bounds("2026-12", WIB)
    assert (start, end) == (datetime(2026, 11, 30, 17, 0), datetime(2026, 12, 31, 17, 0))
    naive = BOUNDARY.replace(tzinfo=None)
    wita_start, wita_end = timeutil.period_bounds("2026-12", WITA)
    assert wita_start <= naive < wita_end
    wib_start, wib_end = timeutil.period_bounds("2026-11", WIB)
    assert wib_start <= naive < wib_end


def test_year_bounds_and_days_in_wita():
    assert timeutil.year_bounds(2027, WITA) == (
        datetime(2026, 12, 31, 16, 0),
        datetime(2027, 12, 31, 16, 0),
    )
    assert timeutil.day_start(datetime(2026, 12, 1).date(), WITA) == datetime(2026, 11, 30, 16, 0)
    assert timeutil.to_local(BOUNDARY, WITA).hour == 0
    assert timeutil.days_left_in_period("2026-11", BOUNDARY, WITA) == 0
    assert timeutil.days_left_in_period("2026-11", BOUNDARY, WIB) == 1
    assert timeutil.days_left_in_period("2026-12", BOUNDARY, WITA) == 31
    assert timeutil.days_left_in_period("2026-12", BOUNDARY, WIB) == 32
    assert timeutil.previous_period("2026-12") == "2026-11"
    assert timeutil.previous_period("2027-01") == "2026-12"


def test_today_and_this_month_follow_the_installed_zone():
    try:
        for zone in (WIB, WITA, timeutil.WIT):
            timeutil.use_zone(zone)
            before = datetime.now(zone)
            today, period = timeutil.today_local(), timeutil.current_period()
            after = datetime.now(zone)
            assert today in (before.date(), after.date())
            assert period in (before.strftime("%Y-%m"), after.strftime("%Y-%m"))
    finally:
        from marketplace import city

        timeutil.use_zone(city.zone_source)


def test_the_installed_zone_is_used_without_tz_and_the_default_is_wib():
    try:
        timeutil.use_zone(WITA)
        assert timeutil.period_of(BOUNDARY) == "2026-12"
        assert timeutil.period_bounds("2026-12")[0] == datetime(2026, 11, 30, 16, 0)
        assert timeutil.local_zone() == WITA
        assert timeutil.local_zone(WIB) == WIB  # an explicit zone wins
        timeutil.use_zone(lambda: None)  # a source without an answer: the default
        assert timeutil.period_of(BOUNDARY) == "2026-11"
        timeutil.use_zone(None)
        assert timeutil.local_zone() == timeutil.DEFAULT_ZONE == WIB
        assert timeutil.period_of(BOUNDARY) == "2026-11"
    finally:
        from marketplace import city

        timeutil.use_zone(city.zone_source)  # as the app installs it
