"""Checkout and refund rules that the mutation run showed untested: the commission share of a
refund at its edges, a refund larger than what is left, and the canonical request hash."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

import pytest

from marketplace.ordering import rules


def test_an_order_without_commission_gives_none_back_on_refund():
    assert rules.refund_commission_share(0, 10_000, 0, 10_000) == 0
    assert rules.refund_commission_share(0, 10_000, 4_000, 1_000) == 0


def test_an_order_with_nothing_to_refund_has_no_commission_share():
    assert rules.refund_commission_share(100, 0, 0, 0) == 0


def test_a_one_rupiah_order_refunded_in_full_returns_its_one_rupiah_commission():
    assert rules.refund_commission_share(1, 1, 0, 1) == 1


def test_a_refund_cannot_take_more_than_is_left_on_the_lines():
    with pytest.raises(ValueError, match="^a refund cannot exceed what is left on the lines$"):
        rules.refund_line_shares([1_000, 500], 1_501)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_request_hash_is_the_sha256_of_compact_sorted_utf8_json():
    """The hash is stored with each idempotency key; changing its canonical form would make a
    retried checkout look like a different request."""
    body = {"lines": [{"qty": 2, "product_id": 7}], "note": "gula pasir, 1 kg"}
    assert rules.request_hash(body) == _sha(
        '{"lines":[{"product_id":7,"qty":2}],"note":"gula pasir, 1 kg"}'
    )


def test_request_hash_keeps_non_ascii_text_as_utf8():
    assert rules.request_hash({"catatan": "kué"}) == _sha('{"catatan":"kué"}')


def test_request_hash_writes_dates_and_decimals_as_text():
    assert rules.request_hash({"day": date(2026, 11, 30), "qty": Decimal("1.5")}) == _sha(
        '{"day":"2026-11-30","qty":"1.5"}'
    )
