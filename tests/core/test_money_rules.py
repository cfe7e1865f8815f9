from hypothesis import given, settings
from hypothesis import strategies as st

from marketplace.money import allocate, format_rupiah, percent_bps, vat_included


def test_allocate_gives_leftover_rupiah_to_the_first_equal_shares():
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]


def test_allocate_splits_negative_totals_the_same_way():
    assert allocate(-100, [1, 1, 1]) == [-34, -33, -33]


def test_allocate_with_zero_weights_splits_evenly():
    assert allocate(10, [0, 0]) == [5, 5]


@settings(max_examples=200, deadline=None)
@given(st.integers(-(10**12), 10**12), st.lists(st.integers(1, 10_000), min_size=1, max_size=20))
def test_allocated_parts_always_sum_to_the_total_and_stay_within_one_of_the_exact_share(
    total, weights
):
    parts = allocate(total, weights)
    assert sum(parts) == total
    for part, weight in zip(parts, weights):
        exact = total * weight / sum(weights)
        assert abs(part - exact) < 1 + 1e-6 * abs(total)


def test_vat_contained_in_a_tax_inclusive_price_is_eleven_over_one_hundred_eleven():
    assert vat_included(111_000) == 11_000
    assert vat_included(10_000) == 991  # 990.99… rounds half-up to 991
    assert vat_included(0) == 0


def test_percent_in_basis_points_rounds_half_up():
    assert percent_bps(1_000, 250) == 25
    assert percent_bps(100, 50) == 1  # 0.5 → 1 (half-up, not banker's 0)


def test_rupiah_is_formatted_with_dots_for_thousands():
    assert format_rupiah(12_500) == "Rp12.500"
    assert format_rupiah(2_000_000) == "Rp2.000.000"
    assert format_rupiah(-500) == "-Rp500"
