"""Issue 13's tenure rules with no database (for `make mutate`): who counts in a month, what a
joiner owes in their first month, exemptions."""

from datetime import date

import pytest

from marketplace.mandate import rules


def test_period_days():
    assert rules.period_days("2026-11") == (date(2026, 11, 1), date(2026, 11, 30))
    assert rules.period_days("2026-12") == (date(2026, 12, 1), date(2026, 12, 31))
    assert rules.period_days("2028-02") == (date(2028, 2, 1), date(2028, 2, 29))  # leap year
    assert rules.period_days("2027-02") == (date(2027, 2, 1), date(2027, 2, 28))


# ---------------------------------------------------------------- joiners
def test_joined_on_the_28th_of_a_30_day_month_owes_three_thirtieths():
    # The worked example: 28, 29 and 30 November are 3 of 30 days.
    joined = date(2026, 11, 28)
    assert rules.joiner_required(100_000, "2026-11", joined, "prorate") == 10_000
    assert rules.joiner_required(300_000, "2026-11", joined, "prorate") == 30_000
    assert rules.joiner_required(2_000_000, "2026-11", joined, "prorate") == 200_000


def test_pro_rating_rounds_down_in_the_asns_favour():
    # 29 December: 3 of 31 days; 100 000 × 3 / 31 = 9 677.4… → 9 677.
    assert rules.joiner_required(100_000, "2026-12", date(2026, 12, 29), "prorate") == 9_677
    # 2 of 31 days of 100 000 = 6 451.6… → 6 451 (down, never up).
    assert rules.joiner_required(100_000, "2026-12", date(2026, 12, 30), "prorate") == 6_451
    # The last day alone: 1/30.
    assert rules.joiner_required(100_000, "2026-11", date(2026, 11, 30), "prorate") == 3_333
    # The 2nd of a 30-day month: 29/30 of 100 000 = 96 666.6… → 96 666.
    assert rules.joiner_required(100_000, "2026-11", date(2026, 11, 2), "prorate") == 96_666


def test_joining_on_the_first_owes_the_whole_month_either_way():
    for policy in rules.JOINER_POLICIES:
        assert rules.joiner_required(100_000, "2026-11", date(2026, 11, 1), policy) == 100_000


def test_next_month_policy_owes_nothing_in_the_first_month():
    assert rules.joiner_required(100_000, "2026-11", date(2026, 11, 28), "next_month") == 0
    assert rules.joiner_required(100_000, "2026-11", date(2026, 11, 2), "next_month") == 0
    # ...and the whole minimum from the next month.
    assert rules.joiner_required(100_000, "2026-12", date(2026, 11, 28), "next_month") == 100_000


def test_only_the_joining_month_is_reduced():
    joined = date(2026, 11, 28)
    assert rules.joiner_required(100_000, "2026-12", joined, "prorate") == 100_000
    assert rules.joiner_required(100_000, "2027-01", joined, "prorate") == 100_000
    assert rules.joiner_required(100_000, "2026-11", None, "prorate") == 100_000
    assert rules.joiner_required(0, "2026-11", joined, "prorate") == 0


# ---------------------------------------------------------------- who counts
def test_a_leaver_counts_in_their_last_month_and_not_after():
    left = date(2026, 11, 10)
    assert rules.on_roster("2026-11", active=False, joined_on=None, left_on=left)
    assert not rules.on_roster("2026-12", active=False, joined_on=None, left_on=left)
    assert rules.on_roster("2026-10", active=False, joined_on=None, left_on=left)
    # Leaving on the 1st still counts that month; the day before the month does not.
    assert rules.on_roster("2026-11", active=False, joined_on=None, left_on=date(2026, 11, 1))
    assert not rules.on_roster("2026-11", active=False, joined_on=None, left_on=date(2026, 10, 31))


def test_inactive_without_a_leaving_day_never_counts():
    assert not rules.on_roster("2026-11", active=False, joined_on=None, left_on=None)


def test_a_joiner_counts_from_the_month_they_joined():
    joined = date(2026, 11, 28)
    assert rules.on_roster("2026-11", active=True, joined_on=joined, left_on=None)
    assert rules.on_roster("2026-12", active=True, joined_on=joined, left_on=None)
    assert not rules.on_roster("2026-10", active=True, joined_on=joined, left_on=None)
    assert rules.on_roster("2026-11", active=True, joined_on=date(2026, 11, 30), left_on=None)
    assert not rules.on_roster("2026-11", active=True, joined_on=date(2026, 12, 1), left_on=None)
    assert rules.on_roster("2026-11", active=True, joined_on=None, left_on=None)


# ---------------------------------------------------------------- exemptions
@pytest.mark.parametrize("policy", rules.JOINER_POLICIES)
def test_an_exemption_requires_nothing(policy):
    for joined in (None, date(2026, 11, 28)):
        assert (
            rules.required_for(300_000, "2026-11", joined_on=joined, policy=policy, exempt=True)
            == 0
        )


def test_without_exemption_the_joiner_rule_applies():
    assert (
        rules.required_for(
            100_000, "2026-11", joined_on=date(2026, 11, 28), policy="prorate", exempt=False
        )
        == 10_000
    )
    assert (
        rules.required_for(100_000, "2026-11", joined_on=None, policy="prorate", exempt=False)
        == 100_000
    )


def test_required_for_follows_the_rules_policy():
    joined = date(2026, 11, 28)
    assert (
        rules.required_for(100_000, "2026-11", joined_on=joined, policy="next_month", exempt=False)
        == 0
    )
    assert (
        rules.required_for(100_000, "2026-12", joined_on=joined, policy="next_month", exempt=False)
        == 100_000
    )


def test_small_amounts_round_down_to_nothing():
    assert rules.joiner_required(1, "2026-11", date(2026, 11, 28), "prorate") == 0
    assert rules.joiner_required(10, "2026-11", date(2026, 11, 28), "prorate") == 1


def test_shortfall():
    assert rules.shortfall(100_000, 40_000) == 60_000
    assert rules.shortfall(100_000, 100_000) == 0
    assert rules.shortfall(100_000, 150_000) == 0
    assert rules.shortfall(0, 0) == 0


def test_kinds_and_bodies():
    assert set(rules.EXEMPTION_KINDS) == {"leave", "secondment", "illness"}
    assert set(rules.READER_BODIES) == {"bkpsdm", "inspektorat"}
    assert rules.JOINER_POLICIES == ("prorate", "next_month")
