"""Ordering rules without a database: the state machine, VAT, commission and refund splits."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marketplace.errors import InvalidTransition
from marketplace.ordering import rules
from marketplace.ordering.models import ORDER_STATUSES, TRANSITIONS, Order

ALLOWED = [(a, b) for a, targets in TRANSITIONS.items() for b in targets]
FORBIDDEN = [
    ("paid", "pending_payment"),
    ("accepted", "cancelled"),
    ("accepted", "rejected"),
    ("ready", "accepted"),
    ("completed", "ready"),
    ("expired", "paid"),
    ("cancelled", "paid"),
    ("rejected", "paid"),
    ("pending_payment", "completed"),
    ("pending_payment", "rejected"),
    ("paid", "completed"),
    ("completed", "cancelled"),
]


@pytest.mark.parametrize("start,end", ALLOWED)
def test_every_allowed_transition_moves_and_records_an_event(start, end):
    order = Order(status=start, number="PKN-TEST")
    order.transition_to(end, note="alasan")
    assert order.status == end
    assert order.events[-1].from_status == start and order.events[-1].to_status == end


@pytest.mark.parametrize("start,end", FORBIDDEN)
def test_forbidden_transitions_raise_invalid_transition(start, end):
    order = Order(status=start, number="PKN-TEST")
    with pytest.raises(InvalidTransition) as err:
        order.transition_to(end)
    assert err.value.status == 409 and err.value.code == "invalid_transition"
    assert order.status == start


def test_the_spec_lifecycle_is_exactly_the_transition_table():
    assert set(TRANSITIONS) == set(ORDER_STATUSES)
    assert set(ALLOWED) == {
        ("pending_payment", "paid"),
        ("pending_payment", "expired"),
        ("pending_payment", "cancelled"),
        ("paid", "accepted"),
        ("paid", "cancelled"),
        ("paid", "rejected"),
        ("accepted", "ready"),
        ("ready", "completed"),
    }


def test_paid_and_completed_stamp_their_times():
    order = Order(status="pending_payment", number="X")
    order.transition_to("paid")
    assert order.paid_at is not None


def test_vat_only_for_pkp_vendors_on_taxable_goods():
    assert rules.line_vat(111_000, vendor_pkp=True, vat_exempt=False) == 11_000
    assert rules.line_vat(111_000, vendor_pkp=False, vat_exempt=False) == 0
    assert rules.line_vat(111_000, vendor_pkp=True, vat_exempt=True) == 0
    assert rules.line_vat(15_000, vendor_pkp=True, vat_exempt=False) == 1_486  # 1486.49 half-up


def test_commission_is_rounded_half_up_in_basis_points():
    assert rules.commission_for(10_000, 0) == 0
    assert rules.commission_for(10_000, 250) == 250
    assert rules.commission_for(10_002, 250) == 250  # 250.05
    assert rules.commission_for(10_020, 250) == 251  # 250.5 → 251


def test_partial_refunds_give_back_exactly_the_whole_commission():
    total, commission = 10_001, rules.commission_for(10_001, 333)
    parts = [
        rules.refund_commission_share(commission, total, before, amount)
        for before, amount in [(0, 3_333), (3_333, 3_333), (6_666, 3_335)]
    ]
    assert sum(parts) == commission


@settings(max_examples=200, deadline=None)
@given(
    total=st.integers(1, 10**9),
    bps=st.integers(0, 2_000),
    cuts=st.lists(st.integers(1, 10**6), min_size=1, max_size=6),
)
def test_any_refund_sequence_sums_to_the_commission_when_complete(total, bps, cuts):
    commission = rules.commission_for(total, bps)
    refunded, shares = 0, []
    for cut in cuts:
        amount = min(cut, total - refunded)
        if amount <= 0:
            break
        shares.append(rules.refund_commission_share(commission, total, refunded, amount))
        refunded += amount
    if refunded < total:
        shares.append(rules.refund_commission_share(commission, total, refunded, total - refunded))
    assert sum(shares) == commission
    assert all(0 <= s for s in shares)


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.integers(1, 10**7), min_size=1, max_size=6), data=st.data())
def test_refund_line_shares_sum_to_the_amount_and_net_to_zero_when_full(lines, data):
    total = sum(lines)
    first = data.draw(st.integers(1, total))
    a = rules.refund_line_shares(lines, first)
    remaining = [line - share for line, share in zip(lines, a)]
    b = rules.refund_line_shares(remaining, total - first)
    assert sum(a) == first
    assert [x + y for x, y in zip(a, b)] == lines


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(st.integers(1, 10**6), min_size=1, max_size=6),
    cuts=st.lists(st.integers(1, 10**9), min_size=1, max_size=8),
)
def test_every_partial_refund_share_stays_between_zero_and_what_is_left_on_the_line(lines, cuts):
    """At most eight partial refunds, then the rest: each share stays within what is left on its
    line, and together they return every line exactly (bounded steps: no unbounded draws)."""
    remaining = list(lines)
    for cut in [*cuts, None]:
        left_in_total = sum(remaining)
        if not left_in_total:
            break
        amount = left_in_total if cut is None else 1 + (cut - 1) % left_in_total
        shares = rules.refund_line_shares(remaining, amount)
        assert sum(shares) == amount
        assert all(0 <= share <= left for share, left in zip(shares, remaining))
        remaining = [left - share for left, share in zip(remaining, shares)]
    assert remaining == [0] * len(lines)


def test_order_numbers_are_readable_and_unique_per_id():
    assert rules.order_number("2026-11", 123) == "PKN-202611-000123"


def test_request_hash_ignores_key_order():
    assert rules.request_hash({"a": 1, "b": 2}) == rules.request_hash({"b": 2, "a": 1})
    assert rules.request_hash({"a": 1}) != rules.request_hash({"a": 2})
