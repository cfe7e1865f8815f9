"""Finance rules with no database."""

import pytest

from marketplace.finance import rules


def test_only_micro_and_small_vendors_count_as_umk():
    assert rules.is_umk("micro") and rules.is_umk("small")
    assert not rules.is_umk("medium")
    assert rules.classify(1000, "medium", True, False) == {
        "umk": 0,
        "pdn": 1000,
        "local": 0,
        "total": 1000,
    }
    assert rules.classify(-500, "small", False, True) == {
        "umk": -500,
        "pdn": 0,
        "local": -500,
        "total": -500,
    }


def test_progress_is_basis_points_rounded_half_up_and_none_without_target():
    assert rules.progress_bps(1, 3) == 3333
    assert rules.progress_bps(2, 3) == 6667
    assert rules.progress_bps(500, 0) is None
    assert rules.share_bps(40, 100) == 4000
    assert rules.share_bps(10, 0) is None


def test_basis_points_are_shown_with_an_indonesian_decimal_comma():
    assert rules.format_bps(4520) == "45,2%"
    assert rules.format_bps(9999) == "100,0%"
    assert rules.format_bps(None) == "–"


def test_cumulative_sums_run_in_row_order():
    rows = rules.with_cumulative(
        [
            {"umk": 1, "pdn": 2, "local": 3, "total": 4},
            {"umk": 10, "pdn": 0, "local": -3, "total": 10},
        ]
    )
    assert rows[1]["cumulative_umk"] == 11
    assert rows[1]["cumulative_local"] == 0
    assert rows[1]["cumulative_total"] == 14


def test_near_cap_threshold_is_eighty_percent_of_the_cap():
    assert rules.near_cap_threshold(30_000_000) == 24_000_000


@pytest.mark.parametrize(
    "before, after, up",
    [
        ("micro", "small", True),
        ("small", "medium", True),
        ("micro", "medium", True),
        ("small", "micro", False),
        ("small", "small", False),
        ("medium", "large", True),
        ("large", "medium", False),
        (None, "small", False),
    ],
)
def test_moving_up_a_class_means_a_higher_pp7_class(before, after, up):
    assert rules.moved_up(before, after) is up


@pytest.mark.parametrize(
    "category, type_, expected",
    [
        ("charge", "charge", "charge"),
        (None, "payment", "charge"),
        ("refund", "refund", "refund"),
        ("", "payment_refund", "refund"),
        ("transfer", "transfer", "transfer"),
        ("payout", "payout", "payout"),
        ("fee", "stripe_fee", "fee"),
        ("", "adjustment", "other"),
    ],
)
def test_provider_rows_are_grouped_by_reporting_category_first(category, type_, expected):
    assert rules.provider_category(category, type_) == expected


@pytest.mark.parametrize(
    "text, rupiah", [("150000.00", 150000), ("-1,500.00", -1500), ("", 0), ("42", 42)]
)
def test_report_amounts_in_major_units_become_whole_rupiah(text, rupiah):
    assert rules.parse_major_amount(text) == rupiah


@pytest.mark.parametrize("text", ["12.50", "abc", "NaN"])
def test_amounts_with_sen_or_not_numbers_are_refused(text):
    with pytest.raises(ValueError):
        rules.parse_major_amount(text)


def test_journal_kinds_map_to_provider_categories():
    assert rules.journal_category("payment") == "charge"
    assert rules.journal_category("refund") == "refund"
    assert rules.journal_category("payout", "tr_1") == "transfer"
    assert rules.journal_category("payout", "po_1") == "payout"
    assert rules.journal_category("completion") is None


def test_cumulative_chart_is_an_svg_with_one_bar_per_month_up_to_now_and_escaped_labels():
    from marketplace.finance import charts

    rows = rules.with_cumulative(
        [
            {
                "period": f"2026-{m:02d}",
                "label": f"2026-{m:02d}",
                "umk": 10,
                "pdn": 0,
                "local": 0,
                "total": 10,
            }
            for m in range(1, 13)
        ]
    )
    svg = str(
        charts.cumulative_chart(
            rows, "umk", 200, "<UMK & co>", {"realised": "R", "target": "T"}, until="2026-03"
        )
    )
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<rect") == 3
    assert "&lt;UMK &amp; co&gt;" in svg and "<UMK" not in svg
    assert "stroke-dasharray" in svg  # the target line is drawn


def test_opd_bars_draw_one_total_and_one_umk_bar_per_opd():
    from marketplace.finance import charts

    svg = str(
        charts.opd_bars(
            [
                {
                    "opd_code": "DINKOP",
                    "label": "Dinkop",
                    "total": 100,
                    "umk": 40,
                    "target_umk": 80,
                },
                {"opd_code": None, "label": "Umum", "total": 0, "umk": 0, "target_umk": 0},
            ],
            "OPD",
            {},
        )
    )
    assert svg.count("<rect") == 2 and "DINKOP" in svg and "Umum" not in svg


def test_the_umk_floor_is_forty_percent_of_the_goods_and_services_budget():
    # PP 7/2021 art. 35 / Perpres 12/2021 art. 65: 40% of Rp1.000.000.000 is Rp400.000.000.
    assert rules.meets_umk_floor(400_000_000, 1_000_000_000) is True
    assert rules.meets_umk_floor(399_999_999, 1_000_000_000) is False
    assert rules.meets_umk_floor(400_000_001, 1_000_000_000) is True
    assert rules.meets_umk_floor(0, 1) is False
    assert rules.meets_umk_floor(5, 0) is None
    assert rules.meets_umk_floor(5, -1) is None
    assert rules.TARGET_POPULATION != rules.REACH_POPULATION


def test_the_vat_of_a_refund_share_is_the_lines_vat_in_proportion():
    # Rp108.000 with VAT included: 108 000 × 11/111 = 10 703 (half-up).
    assert rules.vat_share(108_000, 108_000, 10_703) == 10_703
    assert rules.vat_share(-54_000, 108_000, 10_703) == -5352  # 5351.5 → 5352
    assert rules.vat_share(54_000, 108_000, 10_703) == 5352
    assert rules.vat_share(-108_000, 108_000, 10_703) == -10_703
    assert rules.vat_share(-1, 3, 1) == 0  # 0.33 → 0
    assert rules.vat_share(-2, 3, 1) == -1  # 0.67 → 1
    assert rules.vat_share(5, 0, 0) == 0
    assert rules.vat_share(-5, 10, 0) == 0
    assert rules.vat_share(-1, 1, 1) == -1  # a one-rupiah line refunded in full
    assert rules.vat_share(0, 10, 1) == 0
    assert rules.vat_share(1, 3, 2) == 1  # 0.67 → 1: one rupiah is a share too


def test_tkdn_basis_points_are_written_as_a_plain_percentage():
    assert rules.bps_percent(4356) == "43.56"
    assert rules.bps_percent(10_000) == "100.00"
    assert rules.bps_percent(5) == "0.05"
    assert rules.bps_percent(0) == "0.00"
    assert rules.bps_percent(-150) == "-1.50"
    assert rules.bps_percent(None) is None


def test_only_office_purchasing_is_target_realisation():
    assert rules.population_of("opd_procurement") == rules.TARGET_POPULATION
    assert rules.population_of("asn_personal") == rules.REACH_POPULATION
    assert rules.population_of("public") == rules.REACH_POPULATION


def test_a_koperasi_counts_as_umk_whatever_its_class():
    assert rules.classify(1_000, None, False, False, "koperasi")["umk"] == 1_000
    assert rules.classify(1_000, "medium", False, False, "koperasi")["umk"] == 1_000
    assert rules.classify(1_000, "medium", False, False, "umkm")["umk"] == 0


def test_report_rows_go_micro_small_koperasi_medium_large_then_unknown():
    ranks = [rules.report_class_rank(c) for c in ("micro", "small", "koperasi", "medium", "large")]
    assert ranks == [0, 1, 2, 3, 4]
    assert rules.report_class_rank(None) == rules.report_class_rank("other") == 5
