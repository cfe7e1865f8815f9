"""Finance rules pinned answer by answer: the tables mutmut cannot mutate (classes, thresholds,
Stripe category aliases, journal kinds, provider id prefixes) and the report helpers' edges."""

from __future__ import annotations

import pytest

from marketplace.finance import rules


def test_umk_is_micro_and_small_and_classes_rank_micro_small_medium():
    assert rules.UMK_CLASSES == ("micro", "small")
    assert rules.CLASS_RANK == {"micro": 0, "small": 1, "medium": 2, "large": 3}


def test_regulatory_thresholds():
    assert rules.UMK_SHARE_FLOOR_BPS == 4_000  # Inpres 2/2022: 40% to UMK
    assert rules.NEAR_CAP_BPS == 8_000  # near the cap from 80%
    assert (rules.MIN_YEAR, rules.MAX_YEAR) == (2000, 2100)


@pytest.mark.parametrize(
    ("before", "after", "up"),
    [
        ("micro", "micro", False),
        ("micro", "small", True),
        ("micro", "medium", True),
        ("small", "micro", False),
        ("small", "small", False),
        ("small", "medium", True),
        ("medium", "micro", False),
        ("medium", "small", False),
        ("medium", "medium", False),
        (None, "medium", False),
        ("small", None, False),
        ("large", "medium", False),
    ],
)
def test_every_class_move(before, after, up):
    assert rules.moved_up(before, after) is up


# Every alias, written out: dropping one would leave those Stripe rows unreconciled ("other").
ALIASES = [
    ("charge", "charge"),
    ("payment", "charge"),
    ("refund", "refund"),
    ("payment_refund", "refund"),
    ("refund_failure", "refund"),
    ("transfer", "transfer"),
    ("transfer_reversal", "transfer"),
    ("connect_collection_transfer", "transfer"),
    ("payout", "payout"),
    ("payout_reversal", "payout"),
    ("payout_failure", "payout"),
    ("fee", "fee"),
    ("stripe_fee", "fee"),
    ("application_fee", "fee"),
    ("tax", "fee"),
    ("network_cost", "fee"),
]


@pytest.mark.parametrize(("name", "category"), ALIASES)
def test_every_stripe_category_alias(name, category):
    assert rules.provider_category(name, None) == category
    assert rules.provider_category(None, name) == category  # the `type` when no category
    assert rules.provider_category(f"  {name.upper()} ", None) == category


def test_aliases_cover_exactly_the_provider_categories():
    assert {c for _, c in ALIASES} == set(rules.PROVIDER_CATEGORIES)
    assert rules.LEDGER_CATEGORIES == ("charge", "refund", "transfer")


@pytest.mark.parametrize(
    ("category", "type_", "expected"),
    [
        ("refund", "charge", "refund"),  # reporting_category wins over type
        ("adjustment", "charge", "charge"),  # an unknown category falls back to the type
        (None, None, "other"),
        ("", "", "other"),
        ("contribution", "adjustment", "other"),
    ],
)
def test_reporting_category_first_then_type_else_other(category, type_, expected):
    assert rules.provider_category(category, type_) == expected


@pytest.mark.parametrize(
    ("kind", "reference", "category"),
    [
        ("payment", None, "charge"),
        ("charge", None, "charge"),
        ("order_payment", None, "charge"),
        ("refund", None, "refund"),
        ("order_refund", None, "refund"),
        ("payout", None, "transfer"),
        ("transfer", "tr_1", "transfer"),
        ("payout_transfer", "po_9", "payout"),
        ("payout", "po_1", "payout"),
        ("ORDER_PAYMENT", None, "charge"),
        ("partial_refund", None, "refund"),  # any other refund journal
        ("Refund_Adjustment", None, "refund"),
        ("completion", None, None),
        ("", None, None),
        (None, None, None),
    ],
)
def test_every_journal_kind_category(kind, reference, category):
    assert rules.journal_category(kind, reference) == category


@pytest.mark.parametrize(
    ("value", "looks"),
    [
        *[(f"{p}123", True) for p in ("ch_", "py_", "pi_", "re_", "pyr_", "tr_", "trr_", "po_")],
        ("txn_1", True),
        ("PKN-PO-1", False),
        ("cus_123", False),
        ("", False),
        (None, False),
    ],
)
def test_provider_ids_are_recognised_by_stripe_prefixes(value, looks):
    assert rules.looks_like_provider_id(value) is looks


@pytest.mark.parametrize(
    ("bps", "text"),
    [
        (0, "0,0%"),
        (5, "0,1%"),  # 0.05% half-up
        (4, "0,0%"),
        (4_520, "45,2%"),
        (10_000, "100,0%"),
        (9_995, "100,0%"),
        (-4_520, "-45,2%"),
        (-5, "-0,1%"),
        (None, "–"),
    ],
)
def test_basis_points_text(bps, text):
    assert rules.format_bps(bps) == text


@pytest.mark.parametrize(
    ("part", "total", "bps"),
    [(1, 1, 10_000), (40, 100, 4_000), (1, 3, 3_333), (0, 5, 0), (5, 0, None), (5, -5, None)],
)
def test_share_in_basis_points(part, total, bps):
    assert rules.share_bps(part, total) == bps


@pytest.mark.parametrize(
    ("realised", "target", "bps"),
    [(1, 1, 10_000), (3, 2, 15_000), (0, 7, 0), (5, 0, None), (5, -5, None), (5, None, None)],
)
def test_progress_in_basis_points(realised, target, bps):
    assert rules.progress_bps(realised, target) == bps


def test_sums_start_at_zero_and_add_key_by_key_with_missing_keys_as_zero():
    assert rules.zero_sums() == {"umk": 0, "pdn": 0, "local": 0, "total": 0}
    a = {"umk": 1, "pdn": 2, "local": 3, "total": 4}
    assert rules.add_sums(a, {"umk": 10, "total": 40}) == {
        "umk": 11,
        "pdn": 2,
        "local": 3,
        "total": 44,
    }
    assert rules.add_sums({}, a) == a
    assert rules.add_sums(a, {}) == a


def test_a_row_without_a_sum_adds_nothing_to_the_running_total():
    rows = rules.with_cumulative([{"total": 5}, {"umk": 2, "total": 1}])
    assert [r["cumulative_umk"] for r in rows] == [0, 2]
    assert [r["cumulative_pdn"] for r in rows] == [0, 0]
    assert [r["cumulative_total"] for r in rows] == [5, 6]


@pytest.mark.parametrize(("text", "rupiah"), [("1 500 000.00", 1_500_000), ("-1,500", -1_500)])
def test_report_amounts_may_group_digits_with_spaces_or_commas(text, rupiah):
    assert rules.parse_major_amount(text) == rupiah


@pytest.mark.parametrize(
    ("text", "reason"),
    [("12.50", "has sen"), ("abc", "not an amount"), ("Infinity", "not an amount")],
)
def test_refused_amounts_say_why(text, reason):
    with pytest.raises(ValueError, match=reason):
        rules.parse_major_amount(text)
