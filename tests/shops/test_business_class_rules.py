"""PP 7/2021 business classes as pure rules: every boundary of the sales and capital paths, the
PKP floor, `large` above the medium ceiling, and the platform-sales cross-check."""

from __future__ import annotations

import pytest

from marketplace.shops import rules

MILIAR = 1_000_000_000


@pytest.mark.parametrize(
    ("sales", "expected"),
    [
        (0, "micro"),
        (1, "micro"),
        (2 * MILIAR - 1, "micro"),
        (2 * MILIAR, "micro"),
        (2 * MILIAR + 1, "small"),
        (15 * MILIAR - 1, "small"),
        (15 * MILIAR, "small"),
        (15 * MILIAR + 1, "medium"),
        (50 * MILIAR - 1, "medium"),
        (50 * MILIAR, "medium"),
        (50 * MILIAR + 1, "large"),
        (10**15, "large"),
    ],
)
def test_annual_sales_give_the_pp_7_2021_class_at_every_boundary(sales, expected):
    assert rules.class_for_sales(sales) == expected
    assert rules.class_for_declaration("sales", sales, pkp=False) == expected


@pytest.mark.parametrize(
    ("capital", "expected"),
    [
        (0, "micro"),
        (MILIAR - 1, "micro"),
        (MILIAR, "micro"),
        (MILIAR + 1, "small"),
        (5 * MILIAR, "small"),
        (5 * MILIAR + 1, "medium"),
        (10 * MILIAR, "medium"),
        (10 * MILIAR + 1, "large"),
    ],
)
def test_capital_of_a_new_business_gives_the_pp_7_2021_class_at_every_boundary(capital, expected):
    assert rules.class_for_capital(capital) == expected
    assert rules.class_for_declaration("capital", capital, pkp=False) == expected


def test_the_same_figure_means_another_class_by_capital_than_by_sales():
    # Rp1,5 miliar: micro by sales (≤ 2), small by capital (> 1).
    assert rules.class_for_declaration("sales", 1_500_000_000, pkp=False) == "micro"
    assert rules.class_for_declaration("capital", 1_500_000_000, pkp=False) == "small"


@pytest.mark.parametrize(
    ("basis", "amount", "expected"),
    [
        ("sales", 0, "small"),
        ("sales", 2 * MILIAR, "small"),
        ("sales", 2 * MILIAR + 1, "small"),
        ("sales", 15 * MILIAR + 1, "medium"),
        ("sales", 50 * MILIAR + 1, "large"),
        ("capital", MILIAR, "small"),
        ("capital", 5 * MILIAR + 1, "medium"),
        ("capital", 10 * MILIAR + 1, "large"),
    ],
)
def test_a_pkp_is_at_least_small_and_keeps_any_higher_class(basis, amount, expected):
    assert rules.class_for_declaration(basis, amount, pkp=True) == expected


def test_a_pkp_declaring_pkp_turnover_is_small_never_micro():
    # The shop: PKP means more than Rp4,8 miliar turnover; a stale Rp1 miliar figure
    # cannot make it micro.
    assert rules.class_for_declaration("sales", 4_800_000_001, pkp=True) == "small"
    assert rules.class_for_declaration("sales", 1 * MILIAR, pkp=True) == "small"


def test_an_unknown_basis_is_refused():
    with pytest.raises(ValueError, match="assets"):
        rules.class_for_declaration("assets", 1, pkp=False)


@pytest.mark.parametrize(
    ("cls", "floor", "expected"),
    [
        ("micro", "micro", "micro"),
        ("micro", "small", "small"),
        ("small", "small", "small"),
        ("medium", "small", "medium"),
        ("large", "small", "large"),
        ("small", "medium", "medium"),
    ],
)
def test_at_least_takes_the_higher_class(cls, floor, expected):
    assert rules.at_least(cls, floor) == expected


def test_a_shop_without_declaration_is_micro_or_small_when_pkp():
    assert rules.default_class(False) == "micro"
    assert rules.default_class(True) == "small"
    assert rules.PKP_FLOOR == "small"


@pytest.mark.parametrize(
    ("cls", "review"), [("micro", False), ("small", False), ("medium", False), ("large", True)]
)
def test_only_a_large_business_needs_the_citys_review(cls, review):
    assert rules.needs_city_review(cls) is review


@pytest.mark.parametrize(
    ("override", "declaration_id", "basis"),
    [
        ("small", 7, "override"),
        ("medium", None, "override"),
        (None, 7, "declaration"),
        (None, 0, "declaration"),
        ("", 7, "declaration"),
        (None, None, "default"),
    ],
)
def test_the_basis_of_a_class_is_override_then_declaration_then_default(
    override, declaration_id, basis
):
    assert rules.class_basis(override, declaration_id) == basis


@pytest.mark.parametrize(
    ("sales", "days", "annual"),
    [
        (1_000, 365, 1_000),
        (1_000, 400, 1_000),
        (1_000, 364, 1_002),
        (730, 73, 3_650),
        (300, 30, 3_650),
        (300, 29, 3_650),
        (300, 1, 3_650),
        (300, 0, 3_650),
        (0, 10, 0),
    ],
)
def test_platform_sales_of_a_young_shop_are_annualised_over_at_least_30_days(sales, days, annual):
    assert rules.annualise(sales, days) == annual
    assert rules.MIN_ANNUALISE_DAYS == 30 and rules.DAYS_PER_YEAR == 365


@pytest.mark.parametrize(
    ("cls", "annual", "flag"),
    [
        ("micro", 2 * MILIAR, False),
        ("micro", 2 * MILIAR + 1, True),
        ("small", 15 * MILIAR, False),
        ("small", 15 * MILIAR + 1, True),
        ("medium", 50 * MILIAR, False),
        ("medium", 50 * MILIAR + 1, True),
        ("large", 10**15, False),
        ("micro", 0, False),
    ],
)
def test_platform_sales_above_the_declared_class_raise_a_flag_at_the_ceiling(cls, annual, flag):
    assert rules.sales_exceed_class(cls, annual) is flag


@pytest.mark.parametrize(
    ("status", "ok"), [("pending", True), ("approved", False), ("rejected", False)]
)
def test_only_a_pending_declaration_is_decided(status, ok):
    assert rules.can_decide_declaration(status) is ok


def test_the_thresholds_sources_and_kinds_of_pp_7_2021():
    assert (rules.MICRO_MAX_CAPITAL, rules.SMALL_MAX_CAPITAL, rules.MEDIUM_MAX_CAPITAL) == (
        MILIAR,
        5 * MILIAR,
        10 * MILIAR,
    )
    assert rules.DECLARATION_BASES == ("sales", "capital")
    assert rules.DECLARATION_SOURCES == ("oss_nib", "spt", "other")
    assert rules.DECLARATION_STATUSES == ("pending", "approved", "rejected")
    assert rules.FLAG_KINDS == ("platform_sales", "large")
    assert rules.CLASS_BASES == ("declaration", "override", "default")


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"%PDF-1.7\n", "pdf"),
        (b"%PDF", None),
        (b"\xff\xd8\xff\xe0", "jpeg"),
        (b"\x89PNG\r\n\x1a\n", "png"),
        (b"RIFF\x10\x00\x00\x00WEBP", None),
        (b"PK\x03\x04", None),
        (b"", None),
    ],
)
def test_evidence_documents_are_pdf_jpeg_or_png_by_their_bytes(head, kind):
    assert rules.sniff_document_type(head) == kind


def test_evidence_documents_are_at_most_5_mb():
    assert rules.MAX_DOCUMENT_BYTES == 5 * 1024 * 1024
    assert rules.DOCUMENT_EXTENSIONS == {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png"}
    assert rules.DOCUMENT_MIMETYPES["pdf"] == "application/pdf"
