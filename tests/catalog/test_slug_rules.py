"""Catalog rules at their edges: slug length bounds, slug cleanup, unknown sorts."""

from __future__ import annotations

import pytest

from marketplace.catalog import rules


@pytest.mark.parametrize(
    ("slug", "valid"),
    [
        ("a", False),
        ("ab", True),
        ("a" * 60, True),
        ("a" * 61, False),
        ("kue-dan-roti", True),
        ("kue--roti", False),
        ("-kue", False),
        ("Kue", False),
        ("", False),
        (None, False),
    ],
)
def test_a_slug_is_2_to_60_lowercase_words_joined_by_single_hyphens(slug, valid):
    assert rules.is_valid_slug(slug) is valid


@pytest.mark.parametrize(
    ("value", "slug"),
    [
        (" Kue dan Roti ", "kue-dan-roti"),
        ("kue__dan  roti", "kue-dan-roti"),
        ("kue - roti", "kue-roti"),
        ("-kue-", "kue"),
        ("_ kue _", "kue"),
        ("", ""),
        (None, ""),
    ],
)
def test_slugs_are_cleaned_to_single_hyphens_without_ends(value, slug):
    assert rules.normalize_slug(value) == slug


def test_an_unknown_sort_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown sort 'cheapest'"):
        rules.effective_sort("cheapest", has_terms=False, has_origin=False)


def test_sorts_and_search_bounds():
    assert rules.SORTS == ("relevance", "price", "-price", "newest", "nearest")
    assert (rules.MAX_TERMS, rules.MAX_TERM_LENGTH) == (8, 50)
    assert (rules.SAME_KELURAHAN, rules.SAME_KECAMATAN, rules.ELSEWHERE) == (0, 1, 2)
