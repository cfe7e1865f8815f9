"""The payout state machine written out for every (adapter, from, to), and the edges of the
payout split, the bank details check and the `as_of` parser."""

from __future__ import annotations

import pytest

from marketplace.payouts import rules

ST = ("pending", "exported", "paid", "failed", "cancelled")
ALLOWED = {
    # manual: finance exports the bank file, then marks it paid (or cancels); nothing fails
    ("manual", "pending", "exported"),
    ("manual", "pending", "paid"),
    ("manual", "pending", "cancelled"),
    ("manual", "exported", "paid"),
    ("manual", "exported", "cancelled"),
    ("manual", "failed", "cancelled"),
    # stripe: a transfer is paid or fails; a failed one may be retried (and fail again)
    ("stripe", "pending", "paid"),
    ("stripe", "pending", "failed"),
    ("stripe", "pending", "cancelled"),
    ("stripe", "failed", "paid"),
    ("stripe", "failed", "failed"),
    ("stripe", "failed", "cancelled"),
}
EVERY = [(a, c, n) for a in rules.ADAPTERS for c in ST for n in ST]


@pytest.mark.parametrize(("adapter", "current", "new"), EVERY)
def test_every_payout_transition(adapter, current, new):
    assert rules.can_transition(adapter, current, new) is ((adapter, current, new) in ALLOWED)


@pytest.mark.parametrize(
    ("adapter", "current", "new"),
    [("bank_jatim", "pending", "paid"), ("manual", "sent", "paid"), ("stripe", "unknown", "paid")],
)
def test_unknown_adapters_and_statuses_allow_nothing(adapter, current, new):
    assert rules.can_transition(adapter, current, new) is False


def test_status_groups():
    assert rules.ADAPTERS == ("manual", "stripe")
    assert rules.STATUSES == ST
    assert set(rules.TRANSITIONS["manual"]) == set(ST) == set(rules.TRANSITIONS["stripe"])
    assert rules.OPEN_STATUSES == ("pending", "exported", "failed")
    assert rules.RETRYABLE == ("pending", "failed")


def test_one_rupiah_left_is_paid_out():
    split = rules.payout_split(1, 0)
    assert (split.amount, split.debt_netted, split.debit_available) == (1, 0, 1)
    assert rules.payout_split(5, 4).amount == 1


def test_missing_bank_fields_are_named_by_their_field():
    assert rules.missing_bank_fields(None, "", "  ") == [
        "bank_name",
        "bank_account_number",
        "bank_account_name",
    ]


@pytest.mark.parametrize("value", ["", "   ", None])
def test_an_empty_as_of_is_refused_as_empty(value):
    with pytest.raises(ValueError, match="^empty$"):
        rules.parse_as_of(value)


@pytest.mark.parametrize("text", ["=1+1", "+62", "-5", "@SUM(A1)", "\tx", "\rx"])
def test_every_formula_start_is_neutralised(text):
    assert rules.csv_cell(text) == "'" + text
