"""Payment rules without a database: the payment status machine, and what settles a payment."""

from __future__ import annotations

import pytest

from marketplace.payments import rules


def test_payment_status_only_moves_forward():
    assert rules.payment_can_move("requires_payment", "succeeded")
    assert rules.payment_can_move("failed", "succeeded")
    assert not rules.payment_can_move("succeeded", "failed")
    assert not rules.payment_can_move("canceled", "succeeded")


@pytest.mark.parametrize(
    "amount, currency, expected",
    [
        (15_000_000, "idr", None),
        (15_000_000, "IDR", None),  # currency codes compare without case
        (150_000, "idr", "amount_mismatch"),  # IDR taken as zero-decimal: 100× too little
        (14_999_999, "idr", "amount_mismatch"),
        (15_000_001, "idr", "amount_mismatch"),
        (None, "idr", "amount_mismatch"),
        (True, "idr", "amount_mismatch"),
        (15_000_000, "usd", "currency_mismatch"),
        (15_000_000, None, "currency_mismatch"),
        (15_000_000, 360, "currency_mismatch"),
        (1, "usd", "currency_mismatch"),  # the currency is named first
    ],
)
def test_a_settlement_must_be_the_exact_amount_in_the_payments_currency(amount, currency, expected):
    assert rules.settlement_mismatch(15_000_000, "idr", amount, currency) == expected


def test_a_one_rupiah_payment_settles_only_for_one_hundred_minor_units():
    assert rules.settlement_mismatch(100, "idr", 100, "idr") is None
    assert rules.settlement_mismatch(100, "idr", 1, "idr") == "amount_mismatch"
