"""The fair-share cap rule, with no database."""

from marketplace.ledger import rules


def test_cap_is_reached_at_the_cap_not_before():
    assert rules.vendor_cap_state(29_999_999, 30_000_000) == "open"
    assert rules.vendor_cap_state(30_000_000, 30_000_000) == "reached"


def test_a_shop_over_the_cap_is_at_the_cap():
    assert rules.is_at_cap(30_000_001, 30_000_000)
    assert not rules.is_at_cap(0, 30_000_000)
