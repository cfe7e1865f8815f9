"""Shop application rules that need no database: NIB, a koperasi's legal-entity number and the
vendor status changes an admin may make (NPWP: tests/core/test_primitives_rules.py)."""

import pytest

from marketplace.shops import rules


def test_nib_must_be_exactly_13_digits():
    assert rules.is_valid_nib("1234567890123")
    assert not rules.is_valid_nib("123456789012")
    assert not rules.is_valid_nib("12345678901a3")


@pytest.mark.parametrize(
    "raw, number",
    [
        ("AHU-0001234.AH.01.26.TAHUN 2021", "AHU-0001234.AH.01.26.TAHUN 2021"),
        ("ahu-1234.ah.01.26.tahun 2021", "AHU-0001234.AH.01.26.TAHUN 2021"),
        ("Nomor: AHU-0001234.AH.01.26.Tahun  2021", "AHU-0001234.AH.01.26.TAHUN 2021"),
        ("503/BH/XVI.14/437.76/2010", "503/BH/XVI.14/437.76/2010"),
        ("No. 12345/BH/XVI/1999", "12345/BH/XVI/1999"),
        ("518 / 123 / bh / XVI.21 / 2015", "518/123/BH/XVI.21/2015"),
        ("", None),
        (None, None),
    ],
)
def test_a_koperasi_legal_entity_number_is_written_one_way(raw, number):
    assert rules.normalise_koperasi_number(raw) == number


@pytest.mark.parametrize(
    "raw",
    [
        "koperasi kami",
        "AHU-123",
        "AHU-0001234.AH.01.26.TAHUN 1800",
        "AHU-00012345678.AH.01.26.TAHUN 2021",
        "1234567890123",
        "BH/12/2010",
        "12/34/2010",
        "12/BH/<script>",
    ],
)
def test_something_that_is_not_a_koperasi_number_is_refused(raw):
    with pytest.raises(ValueError, match="AHU-0001234.AH.01.26.TAHUN 2021"):
        rules.normalise_koperasi_number(raw)


def test_only_a_koperasi_gives_a_legal_entity_number_and_it_must():
    assert rules.legal_entity_problem("koperasi", "AHU-0001234.AH.01.26.TAHUN 2021") is None
    assert rules.legal_entity_problem("koperasi", None) == (
        "Nomor badan hukum koperasi wajib untuk koperasi."
    )
    assert rules.legal_entity_problem("umkm", None) is None
    assert rules.legal_entity_problem("kelontong", "12345/BH/XVI/1999") == (
        "Hanya koperasi yang mengisi nomor badan hukum koperasi."
    )


@pytest.mark.parametrize(
    "current, target, allowed",
    [
        ("pending", "verified", True),
        ("suspended", "verified", True),
        ("verified", "verified", False),
        ("pending", "suspended", True),
        ("verified", "suspended", True),
        ("suspended", "suspended", False),
        ("verified", "pending", False),
    ],
)
def test_vendor_status_changes_only_between_allowed_states(current, target, allowed):
    assert rules.can_change_vendor_status(current, target) is allowed


def test_vendor_choices_in_the_application_schemas_match_the_vendor_model():
    from marketplace.shops import models, schemas

    assert schemas.VENDOR_TYPES == models.VENDOR_TYPES
    assert schemas.VENDOR_STATUSES == models.VENDOR_STATUSES


@pytest.mark.parametrize("year", ["1945", "2100"])
def test_an_ahu_number_of_any_year_from_1945_to_2100_is_accepted(year):
    assert rules.normalise_koperasi_number(f"AHU-1.AH.01.26.TAHUN {year}") == (
        f"AHU-0000001.AH.01.26.TAHUN {year}"
    )


@pytest.mark.parametrize("year", ["1944", "2101"])
def test_an_ahu_number_outside_1945_to_2100_is_refused(year):
    with pytest.raises(ValueError):
        rules.normalise_koperasi_number(f"AHU-1.AH.01.26.TAHUN {year}")


def test_an_old_number_has_three_parts_or_more_a_leading_digit_and_at_most_100_characters():
    assert rules.normalise_koperasi_number("1A/BH/XVI") == "1A/BH/XVI"
    longest = "1/BH/" + "X" * 95
    assert rules.normalise_koperasi_number(longest) == longest
    for refused in ("12/BH", longest + "X"):
        with pytest.raises(ValueError):
            rules.normalise_koperasi_number(refused)
