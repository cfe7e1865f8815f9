"""`money.parse_rupiah`: the one reading of a typed rupiah amount, for pages and imports."""

import pytest

from marketplace.money import parse_rupiah


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("12.500", 12500),
        ("Rp12.500", 12500),
        ("Rp 12.500", 12500),
        ("Rp. 12.500", 12500),
        ("rp12.500", 12500),
        ("RP 2.000.000", 2_000_000),
        ("12500", 12500),
        ("  12500 ", 12500),
        ("0", 0),
        ("999", 999),
        ("1.000", 1000),
    ],
)
def test_reads_whole_rupiah_as_people_type_them(text, amount):
    assert parse_rupiah(text) == amount


@pytest.mark.parametrize(
    "text",
    [
        "12,5rb",
        "12,50",
        "1,500",
        "12.50",
        "1.2.3",
        "12k",
        "1jt",
        "-12500",
        "Rp-12.500",
        "",
        "   ",
        None,
        "Rp",
        "12 500",
        "abc",
        "1e5",
    ],
)
def test_refuses_sen_shorthand_negative_and_empty_text(text):
    with pytest.raises(ValueError):
        parse_rupiah(text)


def test_a_refusal_names_what_was_typed():
    with pytest.raises(ValueError, match="12,5rb"):
        parse_rupiah("12,5rb")
