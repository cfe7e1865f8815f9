"""Mandate rules without a database: position matching, rule history, progress arithmetic."""

from dataclasses import dataclass, field

import pytest

from marketplace.mandate import rules


@dataclass
class Rule:
    effective_from: str
    default_amount: int
    by_position: dict = field(default_factory=dict)


CITY = Rule("2026-01", 100_000, {"Camat": 2_000_000, "Lurah": 1_000_000, "Kepala Seksi": 300_000})


@pytest.mark.parametrize("position", ["Camat", "camat", "  CAMAT  ", "cAmAt\t"])
def test_position_matching_ignores_case_and_surrounding_spaces(position):
    assert rules.required_amount(CITY, position) == 2_000_000


@pytest.mark.parametrize("position", ["Staf Ahli", "", None, "Camat Muda"])
def test_a_position_without_its_own_amount_gets_the_default(position):
    assert rules.required_amount(CITY, position) == 100_000


def test_nothing_is_required_before_any_rule_exists():
    assert rules.required_amount(None, "Camat") == 0
    assert rules.Progress("2026-01", required=0, spent=0).compliant


def test_history_judges_each_period_by_the_latest_rule_in_force():
    january = Rule("2026-01", 100_000)
    april = Rule("2026-04", 150_000)
    history = [april, january]
    assert rules.rule_in_force(history, "2025-12") is None
    assert rules.rule_in_force(history, "2026-01") is january
    assert rules.rule_in_force(history, "2026-03") is january
    assert rules.rule_in_force(history, "2026-04") is april
    assert rules.rule_in_force(history, "2027-02") is april


def test_a_rule_for_a_later_period_does_not_change_an_earlier_required_amount():
    history = [CITY]
    before = rules.required_amount(rules.rule_in_force(history, "2026-05"), "Lurah")
    history.append(Rule("2026-06", 50_000, {"Lurah": 5_000_000}))
    assert (
        rules.required_amount(rules.rule_in_force(history, "2026-05"), "Lurah")
        == before
        == 1_000_000
    )
    assert rules.required_amount(rules.rule_in_force(history, "2026-06"), "Lurah") == 5_000_000


def test_spending_exactly_the_minimum_is_compliant_with_nothing_remaining():
    progress = rules.Progress("2026-05", required=100_000, spent=100_000)
    assert progress.compliant and progress.remaining == 0 and progress.percent == 100


def test_spending_below_the_minimum_leaves_the_difference_remaining():
    progress = rules.Progress("2026-05", required=2_000_000, spent=500_000)
    assert not progress.compliant
    assert progress.remaining == 1_500_000
    assert progress.percent == 25


def test_overspending_caps_the_percent_and_never_makes_remaining_negative():
    progress = rules.Progress("2026-05", required=100_000, spent=350_000)
    assert progress.percent == 100 and progress.remaining == 0


def test_a_net_negative_month_shows_zero_percent():
    assert rules.Progress("2026-05", required=100_000, spent=-5_000).percent == 0


def test_position_names_are_trimmed_and_case_insensitive_duplicates_refused():
    clean, errors = rules.normalise_positions(
        {"  Camat ": 2_000_000, "Kepala   Seksi": 300_000, "CAMAT": 1, "   ": 5}
    )
    assert clean == {"Camat": 2_000_000, "Kepala Seksi": 300_000}
    assert set(errors) == {"CAMAT", "   "}


@pytest.mark.parametrize(
    ("compliant", "total", "bps"),
    [(0, 0, 0), (0, 3, 0), (1, 3, 3333), (2, 3, 6667), (3, 3, 10_000), (1, 8, 1250)],
)
def test_compliance_rate_is_in_basis_points_rounded_half_up(compliant, total, bps):
    assert rules.compliance_rate_bps(compliant, total) == bps


@pytest.mark.parametrize(
    ("days_left", "window", "inside"),
    [(0, 5, False), (1, 5, True), (5, 5, True), (6, 5, False), (3, 0, False)],
)
def test_reminders_go_out_only_in_the_last_days_of_an_open_period(days_left, window, inside):
    assert rules.in_reminder_window(days_left, window) is inside
