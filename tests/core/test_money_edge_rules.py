"""Money rules at their edges: the largest-remainder split, zero and sign, refused weights."""

from __future__ import annotations

import pytest

from marketplace.money import allocate, format_rupiah, vat_included


@pytest.mark.parametrize(
    ("total", "weights", "parts"),
    [
        (2, [6, 5], [1, 1]),  # remainders 1/11 and 10/11: the leftover goes to the second
        (1, [2, 1], [1, 0]),
        (1, [1, 2], [0, 1]),
        (10, [3, 3, 4], [3, 3, 4]),
        (7, [1, 1, 1], [3, 2, 2]),
        (0, [5, 5], [0, 0]),
        (-2, [6, 5], [-1, -1]),
    ],
)
def test_leftover_rupiah_go_to_the_largest_remainders(total, weights, parts):
    assert allocate(total, weights) == parts


def test_allocate_refuses_no_weights_and_negative_weights():
    with pytest.raises(ValueError, match="^allocate needs at least one weight$"):
        allocate(100, [])
    with pytest.raises(ValueError, match="^weights must not be negative$"):
        allocate(100, [1, -1])


@pytest.mark.parametrize(
    ("gross", "rate_bps", "vat"),
    [
        (111_000, 1_100, 11_000),
        (0, 1_100, 0),
        (-111_000, 1_100, 0),  # no VAT is "contained" in a negative or zero amount
        (111_000, 0, 0),
        (111_000, -1_100, 0),
        (1, 10_000, 1),  # a 100% levy on Rp1 contains half a rupiah: half-up to 1
        (3, 10_000, 2),  # 1.5 → 2
    ],
)
def test_vat_contained_is_gross_times_rate_over_one_plus_rate_half_up(gross, rate_bps, vat):
    assert vat_included(gross, rate_bps) == vat


@pytest.mark.parametrize(
    ("amount", "text"),
    [(None, "–"), (0, "Rp0"), (1, "Rp1"), (-1, "-Rp1"), (1_000, "Rp1.000"), (-12_500, "-Rp12.500")],
)
def test_rupiah_text_has_a_sign_only_when_negative_and_a_dash_when_unknown(amount, text):
    assert format_rupiah(amount) == text
