"""Shop rules at their edges: class moves, stock adjustment kinds, the shortest WebP header and
what the CSV import reports back."""

from __future__ import annotations

import pytest

from marketplace.shops import rules


@pytest.mark.parametrize(
    ("old", "new", "up"),
    [
        ("micro", "micro", False),
        ("micro", "small", True),
        ("micro", "medium", True),
        ("small", "small", False),
        ("small", "medium", True),
        ("small", "micro", False),
        ("medium", "medium", False),
        ("medium", "micro", False),
        ("medium", "large", True),
        ("large", "medium", False),
    ],
)
def test_moving_up_means_a_strictly_higher_class(old, new, up):
    assert rules.moved_up(old, new) is up


@pytest.mark.parametrize(
    ("delta", "kind"),
    [(1, "restock"), (2, "restock"), (0, "correction"), (-1, "correction")],
)
def test_an_increase_is_a_restock_and_anything_else_a_correction(delta, kind):
    assert rules.adjustment_kind(delta) == kind


def test_the_kinds_and_thresholds_of_pp_7_2021():
    assert rules.ADJUSTMENT_KINDS == ("restock", "correction")
    assert rules.CLASS_ORDER == ("micro", "small", "medium", "large")
    assert (rules.MICRO_MAX_SALES, rules.SMALL_MAX_SALES, rules.MEDIUM_MAX_SALES) == (
        2_000_000_000,
        15_000_000_000,
        50_000_000_000,
    )


def test_the_shortest_webp_header_is_twelve_bytes():
    assert rules.sniff_image_type(b"RIFF\x10\x00\x00\x00WEBP") == "webp"
    assert rules.sniff_image_type(b"RIFF\x10\x00\x00\x00WEB") is None


def test_image_types_and_their_extensions():
    assert rules.IMAGE_EXTENSIONS == {"jpeg": ".jpg", "png": ".png", "webp": ".webp"}
    assert rules.MAX_IMAGE_BYTES == 2 * 1024 * 1024


@pytest.mark.parametrize(("text", "value"), [("12 500", 12_500), ("Rp 12.500", 12_500)])
def test_whole_numbers_may_be_typed_with_spaces(text, value):
    assert rules.parse_whole_number(text) == value


def test_values_the_import_cannot_read_are_named_in_the_error():
    with pytest.raises(ValueError, match="^mungkin$"):
        rules.parse_bool("mungkin")
    with pytest.raises(ValueError, match="^dua belas$"):
        rules.parse_whole_number("dua belas")


@pytest.mark.parametrize("word", ["1", "true", "yes", "y", "ya", "benar"])
def test_every_yes_word(word):
    assert rules.parse_bool(word.upper()) is True


@pytest.mark.parametrize("word", ["0", "false", "no", "n", "tidak", "salah"])
def test_every_no_word(word):
    assert rules.parse_bool(f" {word} ") is False


def test_import_columns():
    assert rules.REQUIRED_IMPORT_COLUMNS == ("sku", "name", "category", "unit", "price")
    assert set(rules.REQUIRED_IMPORT_COLUMNS) <= set(rules.IMPORT_COLUMNS)
