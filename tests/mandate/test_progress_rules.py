"""Mandate rules pinned answer by answer: progress (a @property, which mutmut leaves alone),
the compliance rate, position keys and the cleanup of the position names an admin types."""

from __future__ import annotations

import pytest

from marketplace.mandate.rules import (
    DEMO_BY_POSITION,
    DEMO_DEFAULT_AMOUNT,
    Progress,
    compliance_rate_bps,
    normalise_positions,
    position_key,
)


@pytest.mark.parametrize(
    ("required", "spent", "percent", "remaining", "compliant"),
    [
        (100_000, 0, 0, 100_000, False),
        (100_000, 1, 0, 99_999, False),
        (100_000, 999, 0, 99_001, False),
        (100_000, 1_000, 1, 99_000, False),
        (100_000, 99_999, 99, 1, False),  # never shown as 100% while not compliant
        (100_000, 100_000, 100, 0, True),
        (100_000, 100_001, 100, 0, True),
        (100_000, 1_000_000, 100, 0, True),
        (100_000, -5_000, 0, 105_000, False),  # refunds larger than the month's purchases
        (3, 2, 66, 1, False),  # whole percent rounded down: 66.7 → 66
        (0, 0, 100, 0, True),  # nothing required: done
        (0, 50_000, 100, 0, True),
    ],
)
def test_progress_is_whole_percent_rounded_down_and_compliant_from_the_minimum(
    required, spent, percent, remaining, compliant
):
    progress = Progress("2026-05", required=required, spent=spent)
    assert (progress.percent, progress.remaining, progress.compliant) == (
        percent,
        remaining,
        compliant,
    )


@pytest.mark.parametrize(
    ("compliant", "total", "bps"),
    [
        (0, 0, 0),
        (0, -1, 0),
        (0, 1, 0),
        (1, 1, 10_000),
        (1, 2, 5_000),
        (2, 2, 10_000),
        (1, 3, 3_333),  # 3333.3
        (2, 3, 6_667),  # 6666.7
        (1, 6, 1_667),  # 1666.7
        (1, 16, 625),  # 625.0
        (1, 80_000, 0),  # 0.125
        (1, 20_000, 1),  # 0.5 → 1 (half-up)
        (1, 40_000, 0),  # 0.25
    ],
)
def test_compliance_rate_is_the_compliant_share_in_basis_points_half_up(compliant, total, bps):
    assert compliance_rate_bps(compliant, total) == bps


@pytest.mark.parametrize(
    ("position", "key"),
    [("Camat", "camat"), ("  CAMAT ", "camat"), ("Kepala Seksi", "kepala seksi"), (None, "")],
)
def test_position_keys_are_what_sql_lower_trim_gives(position, key):
    """The compliance query matches positions with `lower(trim(position))`; the key must equal it."""
    assert position_key(position) == key


def test_position_cleanup_reports_every_bad_name_and_keeps_every_good_one():
    long_name = "Kepala " + "x" * 114  # 121 characters
    just_fits = "Staf " + "y" * 115  # 120 characters
    clean, errors = normalise_positions(
        {
            "   ": 5,
            "Camat": 2_000_000,
            long_name: 1,
            "Lurah": 1_000_000,
            " camat ": 3,
            just_fits: 7,
            "Kepala   Seksi": 300_000,
        }
    )
    assert clean == {
        "Camat": 2_000_000,
        "Lurah": 1_000_000,
        just_fits: 7,
        "Kepala Seksi": 300_000,
    }
    assert errors == {
        "   ": ["Nama jabatan tidak boleh kosong."],
        long_name: ["Nama jabatan paling banyak 120 karakter."],
        " camat ": ["Jabatan ini sama dengan 'Camat'."],
    }


def test_the_demo_defaults_are_the_published_camat_figure_and_a_rank_ladder():
    assert DEMO_DEFAULT_AMOUNT == 100_000
    assert DEMO_BY_POSITION == {
        "Camat": 2_000_000,
        "Lurah": 1_000_000,
        "Kepala Seksi": 300_000,
        "Staf": 100_000,
    }
