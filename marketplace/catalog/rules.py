"""Catalog rules with no database: search terms, sorts, local matching and what may be bought."""

from __future__ import annotations

import re

# Proximity (the `nearest` sort, lower is nearer) is an area rule: by Kemendagri code.
from marketplace.areas.rules import (  # noqa: F401 (the catalogue names them as its own)
    ELSEWHERE,
    SAME_KECAMATAN,
    SAME_KELURAHAN,
    proximity_rank,
)

SORTS = ("relevance", "price", "-price", "newest", "nearest")
MAX_TERMS = 8
MAX_TERM_LENGTH = 50
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def search_terms(q: str | None) -> list[str]:
    """The words of a search, lower-cased, deduplicated and bounded: every one must match.

    `"Minyak  GORENG minyak"` → `["minyak", "goreng"]`. At most 8 words of 50 characters, so a
    pasted paragraph cannot turn into a huge query.
    """
    seen: list[str] = []
    for word in (q or "").lower().split():
        word = word[:MAX_TERM_LENGTH]
        if word not in seen:
            seen.append(word)
        if len(seen) == MAX_TERMS:
            break
    return seen


def effective_sort(sort: str | None, *, has_terms: bool, has_origin: bool) -> str:
    """The sort actually applied. `nearest` needs the caller's home kelurahan; without one it
    falls back to relevance for a search and to newest for browsing. `relevance` with no search
    words means alphabetical order."""
    sort = sort or "relevance"
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}")
    if sort == "nearest" and not has_origin:
        return "relevance" if has_terms else "newest"
    return sort


def is_purchasable(*, is_active: bool, vendor_status: str, stock: int, at_cap: bool) -> bool:
    """A product can go in a checkout only when it is listed (active, verified shop), in stock,
    and its shop has not reached the fair-share cap of the period (SPEC §3)."""
    return bool(is_active) and vendor_status == "verified" and stock > 0 and not at_cap


def localized_name(name: str, name_en: str | None, locale: str) -> str:
    """A category name in the interface language; Indonesian when no English name is set."""
    if locale == "en" and name_en:
        return name_en
    return name


def normalize_slug(value: str) -> str:
    """`" Kue dan Roti "` → `"kue-dan-roti"`: lower case, spaces and underscores as hyphens."""
    slug = re.sub(r"[\s_]+", "-", (value or "").strip().lower())
    return re.sub(r"-{2,}", "-", slug).strip("-")


def is_valid_slug(slug: str) -> bool:
    return bool(SLUG_RE.match(slug or "")) and 2 <= len(slug) <= 60
