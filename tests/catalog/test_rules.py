"""Catalog rules with no database."""

from __future__ import annotations

import pytest

from marketplace.catalog import rules


def test_search_terms_are_lower_cased_deduplicated_words():
    assert rules.search_terms("  Minyak  GORENG minyak ") == ["minyak", "goreng"]


def test_search_terms_of_nothing_is_empty():
    assert rules.search_terms(None) == [] and rules.search_terms("   ") == []


def test_search_terms_are_bounded_in_number_and_length():
    terms = rules.search_terms(" ".join(f"kata{i}" for i in range(20)) + " " + "x" * 500)

    assert len(terms) == rules.MAX_TERMS
    assert all(len(t) <= rules.MAX_TERM_LENGTH for t in rules.search_terms("y" * 500))


@pytest.mark.parametrize(
    "sort, has_terms, has_origin, expected",
    [
        ("nearest", False, True, "nearest"),
        ("nearest", True, False, "relevance"),
        ("nearest", False, False, "newest"),
        (None, False, False, "relevance"),
        ("-price", True, True, "-price"),
    ],
)
def test_effective_sort_falls_back_when_nearest_has_no_home(sort, has_terms, has_origin, expected):
    assert rules.effective_sort(sort, has_terms=has_terms, has_origin=has_origin) == expected


def test_effective_sort_rejects_an_unknown_sort():
    with pytest.raises(ValueError):
        rules.effective_sort("cheapest", has_terms=False, has_origin=False)


def test_proximity_ranks_same_kelurahan_then_same_kecamatan_then_elsewhere():
    airlangga, mojo, darmo = "35.78.08.1003", "35.78.08.1002", "35.78.04.1005"
    assert rules.proximity_rank(airlangga, "3578081003") == rules.SAME_KELURAHAN
    assert rules.proximity_rank(airlangga, mojo) == rules.SAME_KECAMATAN
    assert rules.proximity_rank(airlangga, darmo) == rules.ELSEWHERE
    assert rules.proximity_rank(None, darmo) == rules.ELSEWHERE
    assert rules.proximity_rank(airlangga, None) == rules.ELSEWHERE


@pytest.mark.parametrize(
    "is_active, status, stock, at_cap, expected",
    [
        (True, "verified", 1, False, True),
        (True, "verified", 0, False, False),
        (True, "verified", 5, True, False),
        (False, "verified", 5, False, False),
        (True, "pending", 5, False, False),
        (True, "suspended", 5, False, False),
    ],
)
def test_purchasable_needs_listed_in_stock_and_below_the_cap(
    is_active, status, stock, at_cap, expected
):
    assert (
        rules.is_purchasable(is_active=is_active, vendor_status=status, stock=stock, at_cap=at_cap)
        is expected
    )


def test_localized_name_uses_english_only_when_set():
    assert rules.localized_name("Sembako", "Staple foods", "en") == "Staple foods"
    assert rules.localized_name("Sembako", None, "en") == "Sembako"
    assert rules.localized_name("Sembako", "Staple foods", "id") == "Sembako"


def test_slugs_are_normalized_and_validated():
    assert rules.normalize_slug("  Kue dan_Roti ") == "kue-dan-roti"
    assert rules.is_valid_slug("kue-dan-roti")
    assert (
        not rules.is_valid_slug("Kue Roti")
        and not rules.is_valid_slug("-x")
        and not rules.is_valid_slug("a")
    )
