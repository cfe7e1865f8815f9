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


@pytest.mark.parametrize("sort", ["relevance", "price", "-price", "newest", "nearest"])
def test_the_five_sorts_are_accepted(sort):
    assert rules.effective_sort(sort, has_terms=True, has_origin=True) == sort


def test_a_search_keeps_at_most_eight_words_of_at_most_fifty_characters():
    words = [f"kata{i}" for i in range(9)]
    assert rules.search_terms(" ".join(words)) == words[:8]
    assert rules.search_terms("a" * 51) == ["a" * 50]
    assert rules.search_terms("b" * 50) == ["b" * 50]


def test_nearer_shops_rank_lower():
    mojo, airlangga, darmo = "35.78.08.1002", "35.78.08.1003", "35.78.04.1005"
    same_kelurahan = rules.proximity_rank(mojo, mojo)
    same_kecamatan = rules.proximity_rank(mojo, airlangga)
    elsewhere = rules.proximity_rank(mojo, darmo)
    assert (same_kelurahan, same_kecamatan, elsewhere) == (0, 1, 2)
