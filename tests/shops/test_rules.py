"""Vendor rules with no database: PP 7/2021 classes at their exact boundaries, stock kinds,
image sniffing and the values a CSV import accepts."""

import pytest

from marketplace.shops import rules


@pytest.mark.parametrize(
    "amount, expected",
    [
        (0, "micro"),
        (-5_000, "micro"),
        (2_000_000_000, "micro"),
        (2_000_000_001, "small"),
        (15_000_000_000, "small"),
        (15_000_000_001, "medium"),
        (50_000_000_000, "medium"),
        (50_000_000_001, "large"),
    ],
)
def test_business_class_follows_pp_7_2021_thresholds_at_exact_boundaries(amount, expected):
    assert rules.class_for_sales(amount) == expected


def test_moving_from_micro_to_small_counts_as_naik_kelas():
    assert rules.moved_up("micro", "small")
    assert not rules.moved_up("medium", "small")


def test_adjustment_kind_defaults_to_restock_for_increase_and_correction_for_decrease():
    assert rules.adjustment_kind(5) == "restock"
    assert rules.adjustment_kind(-1) == "correction"
    assert rules.adjustment_kind(3, "correction") == "correction"


def test_stock_at_the_threshold_is_low():
    assert rules.is_low_stock(5, 5)
    assert not rules.is_low_stock(6, 5)


@pytest.mark.parametrize(
    "head, kind",
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "png"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "webp"),
        (b"GIF89a\x01\x00", None),
        (b"<svg xmlns=", None),
        (b"RIFF\x10\x00\x00\x00WAVEfmt ", None),
        (b"", None),
    ],
)
def test_image_type_is_read_from_the_bytes_not_the_name(head, kind):
    assert rules.sniff_image_type(head) == kind


@pytest.mark.parametrize(
    "text, value",
    [
        ("ya", True),
        ("Tidak", False),
        ("1", True),
        ("0", False),
        ("TRUE", True),
        ("", None),
        (None, None),
    ],
)
def test_csv_yes_no_values_are_understood(text, value):
    assert rules.parse_bool(text) is value


def test_csv_yes_no_rejects_other_words():
    with pytest.raises(ValueError):
        rules.parse_bool("mungkin")


@pytest.mark.parametrize(
    "text, value",
    [
        ("12500", 12500),
        ("12.500", 12500),
        ("Rp12.500", 12500),
        (" 7 ", 7),
        ("-3", -3),
        ("", None),
    ],
)
def test_whole_numbers_are_read_as_shopkeepers_type_them(text, value):
    assert rules.parse_whole_number(text) == value


@pytest.mark.parametrize("text", ["12,5", "abc", "1e3", "--1"])
def test_fractions_and_words_are_not_whole_numbers(text):
    with pytest.raises(ValueError):
        rules.parse_whole_number(text)
