"""The fair-share cap rule, with no database."""

from marketplace.ledger import rules


def test_cap_is_reached_at_the_cap_not_before():
    assert rules.vendor_cap_state(29_999_999, 30_000_000) == "open"
    assert rules.vendor_cap_state(30_000_000, 30_000_000) == "reached"


def test_a_shop_over_the_cap_is_at_the_cap():
    assert rules.is_at_cap(30_000_001, 30_000_000)
    assert not rules.is_at_cap(0, 30_000_000)


def test_a_civil_servant_buys_with_their_own_salary_and_anyone_else_is_the_public():
    assert rules.channel_for_buyer("civil_servant") == "asn_personal"
    assert rules.channel_for_buyer("public") == "public"
    # No person's role makes a purchase the budget's own: OPD procurement is placed explicitly.
    for role in ("admin", "finance", "vendor", "anything"):
        assert rules.channel_for_buyer(role) == "public"


def test_only_opd_procurement_counts_for_the_targets():
    assert rules.CHANNELS == ("asn_personal", "public", "opd_procurement")
    assert rules.counts_for_targets("opd_procurement")
    assert not rules.counts_for_targets("asn_personal")
    assert not rules.counts_for_targets("public")
    assert set(rules.TARGET_CHANNELS) | set(rules.REACH_CHANNELS) == set(rules.CHANNELS)
    assert not set(rules.TARGET_CHANNELS) & set(rules.REACH_CHANNELS)


def test_a_refund_is_booked_in_the_sales_month_until_that_month_is_closed():
    assert rules.booking_period("2026-11", "2026-12", closed=False) == ("2026-11", None)
    assert rules.booking_period("2026-11", "2026-12", closed=True) == ("2026-12", "2026-11")
    assert rules.booking_period("2026-12", "2026-12", closed=True) == ("2026-12", None)


def test_only_an_ended_month_can_be_closed():
    assert rules.can_close("2026-11", "2026-12")
    assert rules.can_close("2025-12", "2026-01")
    assert not rules.can_close("2026-12", "2026-12")
    assert not rules.can_close("2027-01", "2026-12")
