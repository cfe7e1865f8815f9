"""Payment rules without a database: the payment status machine."""

from __future__ import annotations

from marketplace.payments import rules


def test_payment_status_only_moves_forward():
    assert rules.payment_can_move("requires_payment", "succeeded")
    assert rules.payment_can_move("failed", "succeeded")
    assert not rules.payment_can_move("succeeded", "failed")
    assert not rules.payment_can_move("canceled", "succeeded")
