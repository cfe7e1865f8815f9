"""Edge-case properties of the integer-rupiah rules (marketplace.money) not covered by
tests/core/test_money_rules.py: an exact-fraction oracle for half-up rounding, zero and negative
inputs, and the shape of allocate's parts."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marketplace.money import allocate, percent_bps, vat_included

FAST = settings(max_examples=150, deadline=None, database=None)
amounts = st.integers(0, 10**13)
rates = st.integers(0, 10_000)


def half_up(value: Fraction) -> int:
    """Half-up (away from zero on .5) with exact arithmetic: the oracle."""
    sign = -1 if value < 0 else 1
    magnitude = abs(value)
    floor = magnitude.numerator // magnitude.denominator
    return sign * (floor + (1 if magnitude - floor >= Fraction(1, 2) else 0))


# ---------------------------------------------------------------- vat_included
@FAST
@given(gross=amounts, bps=st.integers(1, 10_000))
def test_vat_included_equals_the_exact_fraction_rounded_half_up(gross, bps):
    assert vat_included(gross, bps) == half_up(Fraction(gross * bps, 10_000 + bps))


@FAST
@given(gross=amounts)
def test_vat_included_never_exceeds_the_price_and_leaves_a_non_negative_net(gross):
    vat = vat_included(gross)
    assert 0 <= vat <= gross
    assert gross - vat >= 0


@FAST
@given(gross=st.integers(0, 10**12), extra=st.integers(0, 10**6))
def test_a_dearer_price_never_contains_less_vat(gross, extra):
    assert vat_included(gross + extra) >= vat_included(gross)


@pytest.mark.parametrize(("gross", "bps"), [(0, 1100), (-5_000, 1100), (10_000, 0), (10_000, -100)])
def test_no_vat_on_zero_or_negative_prices_or_rates(gross, bps):
    assert vat_included(gross, bps) == 0


def test_the_smallest_price_that_carries_one_rupiah_of_vat_is_five():
    # 5 × 11/111 = 0.495… → 0 and 6 × 11/111 = 0.594… → 1: rounding is half-up, not up.
    assert vat_included(5) == 0
    assert vat_included(6) == 1


# ---------------------------------------------------------------- percent_bps
@FAST
@given(amount=st.integers(-(10**13), 10**13), bps=st.integers(0, 20_000))
def test_percent_bps_equals_the_exact_fraction_rounded_half_up(amount, bps):
    assert percent_bps(amount, bps) == half_up(Fraction(amount * bps, 10_000))


@FAST
@given(gross=amounts, bps=rates)
def test_commission_and_vendor_share_split_the_gross_exactly_and_stay_in_range(gross, bps):
    commission = percent_bps(gross, bps)
    vendor_share = gross - commission
    assert commission + vendor_share == gross
    assert 0 <= commission <= gross
    assert 0 <= vendor_share <= gross


@FAST
@given(amount=amounts, bps=rates)
def test_percent_bps_of_a_refund_is_symmetric_to_the_sale(amount, bps):
    assert percent_bps(-amount, bps) == -percent_bps(amount, bps)


def test_percent_bps_edges():
    assert percent_bps(12_345, 0) == 0
    assert percent_bps(12_345, 10_000) == 12_345
    assert percent_bps(0, 250) == 0
    assert percent_bps(2, 2_500) == 1  # 0.5 → 1
    assert percent_bps(-2, 2_500) == -1  # half-up is away from zero


# ---------------------------------------------------------------- allocate
@FAST
@given(
    total=st.integers(0, 10**12), weights=st.lists(st.integers(0, 10_000), min_size=1, max_size=12)
)
def test_allocate_never_gives_a_negative_part_or_anything_to_a_zero_weight(total, weights):
    parts = allocate(total, weights)
    assert sum(parts) == total
    assert all(p >= 0 for p in parts)
    if sum(weights):
        assert all(p == 0 for p, w in zip(parts, weights) if w == 0)


@FAST
@given(
    total=st.integers(-(10**12), 10**12),
    weights=st.lists(st.integers(1, 10_000), min_size=1, max_size=12),
    factor=st.integers(2, 1_000),
)
def test_allocate_depends_only_on_the_weights_proportions(total, weights, factor):
    assert allocate(total, weights) == allocate(total, [w * factor for w in weights])


@FAST
@given(
    total=st.integers(-(10**12), 10**12),
    weights=st.lists(st.integers(1, 10_000), min_size=1, max_size=12),
)
def test_each_part_is_its_exact_share_floored_or_plus_one(total, weights):
    parts = allocate(total, weights)
    for part, weight in zip(parts, weights):
        exact = Fraction(abs(total) * weight, sum(weights))
        floor = exact.numerator // exact.denominator
        assert abs(part) in (floor, floor + 1)


@FAST
@given(total=st.integers(-(10**12), 10**12), weight=st.integers(0, 10_000))
def test_one_weight_takes_everything(total, weight):
    assert allocate(total, [weight]) == [total]


@FAST
@given(weights=st.lists(st.integers(0, 10_000), min_size=1, max_size=12))
def test_nothing_to_split_gives_zero_parts(weights):
    assert allocate(0, weights) == [0] * len(weights)


def test_equal_weights_give_the_leftover_to_the_earliest():
    assert allocate(5, [1, 1, 1, 1]) == [2, 1, 1, 1]
    assert allocate(2, [0, 3, 3, 3]) == [0, 1, 1, 0]


@pytest.mark.parametrize("weights", [[], [1, -1], [-3]])
def test_allocate_refuses_no_weights_or_negative_weights(weights):
    with pytest.raises(ValueError):
        allocate(100, weights)
