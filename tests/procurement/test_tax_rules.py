"""OPD purchase taxes without a database (issue 12, deliverables 3 and 8): the worked examples in
both regimes, the Rp2.000.000 edge, VAT-exempt lines, the table by date, and properties that the
parts always add up."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.money import vat_included
from marketplace.ordering.rules import line_vat
from marketplace.procurement import tax_rules
from marketplace.procurement.tax_rules import Line, assess, regime_from, rule_for
from marketplace.procurement.tax_tables import PLATFORM, REGIMES, TAX_RULES, TREASURER

ON = date(2026, 12, 7)  # PMK 131/2024 in force: 12% on 11/12, i.e. 11% of the price


def _assess(totals, *, pkp=True, npwp=True, regime=TREASURER, exempt=(), on=ON):
    lines = [Line(t, vat_exempt=i in exempt) for i, t in enumerate(totals)]
    return assess(lines, shop_pkp=pkp, shop_has_npwp=npwp, regime=regime, on=on)


def _summary(a):
    return (a.gross, a.dpp, a.ppn, a.ppn_collected, a.pph22, a.net_payable)


# --- Worked examples (issue 12, deliverable 8) -------------------------------------------------
# PKP shop, NPWP, Rp1.500.000 of taxable goods: PPN = 1.500.000 × 11/111 = 148.648,65 → 148.649.
# Treasurer: the price before VAT (1.351.351) is not above Rp2.000.000, so the treasurer collects
# nothing; the shop remits its PPN itself and is paid the whole invoice.
# Platform (PMK 58/2022): PPN collected, PPh 22 = 0,5% × 1.351.351 = 6.756,76 → 6.757.
# PKP shop, NPWP, Rp12.000.000: PPN 1.189.189 (1.189.189,19), DPP 10.810.811;
# treasurer PPh 22 = 1,5% × 10.810.811 = 162.162,17 → 162.162; platform 0,5% → 54.054,06 → 54.054.
# Non-PKP shop without NPWP: no PPN, DPP = gross; PPh 22 doubled: 3% (treasurer), 1% (platform).
WORKED = [
    # (gross, pkp, npwp, regime) → (gross, dpp, ppn, ppn_collected, pph22, net_payable)
    ((1_500_000, True, True, TREASURER), (1_500_000, 1_351_351, 148_649, 0, 0, 1_500_000)),
    ((1_500_000, True, True, PLATFORM), (1_500_000, 1_351_351, 148_649, 148_649, 6_757, 1_344_594)),
    (
        (12_000_000, True, True, TREASURER),
        (12_000_000, 10_810_811, 1_189_189, 1_189_189, 162_162, 10_648_649),
    ),
    (
        (12_000_000, True, True, PLATFORM),
        (12_000_000, 10_810_811, 1_189_189, 1_189_189, 54_054, 10_756_757),
    ),
    ((12_000_000, False, False, TREASURER), (12_000_000, 12_000_000, 0, 0, 360_000, 11_640_000)),
    ((12_000_000, False, False, PLATFORM), (12_000_000, 12_000_000, 0, 0, 120_000, 11_880_000)),
    ((1_500_000, False, False, TREASURER), (1_500_000, 1_500_000, 0, 0, 0, 1_500_000)),
    ((1_500_000, False, False, PLATFORM), (1_500_000, 1_500_000, 0, 0, 15_000, 1_485_000)),
    # A non-PKP shop with NPWP: the plain rates.
    ((12_000_000, False, True, TREASURER), (12_000_000, 12_000_000, 0, 0, 180_000, 11_820_000)),
    ((12_000_000, False, True, PLATFORM), (12_000_000, 12_000_000, 0, 0, 60_000, 11_940_000)),
    # A PKP shop without NPWP cannot really exist, but the rule is the same: doubled.
    (
        (12_000_000, True, False, TREASURER),
        (12_000_000, 10_810_811, 1_189_189, 1_189_189, 324_324, 10_486_487),
    ),
]


@pytest.mark.parametrize("given_,expected", WORKED)
def test_worked_examples(given_, expected):
    gross, pkp, npwp, regime = given_
    a = _assess([gross], pkp=pkp, npwp=npwp, regime=regime)
    assert _summary(a) == expected
    assert a.regime == regime and a.rule.regime == regime
    assert a.shop_pkp is pkp and a.shop_has_npwp is npwp
    assert a.withheld == expected[3] + expected[4]
    assert a.net_payable + a.withheld == a.gross


def test_the_worked_examples_are_the_same_under_the_2022_rates():
    """Before 2025 PPN was a plain 11%; since PMK 131/2024 it is 12% of 11/12: the same amounts."""
    for (gross, pkp, npwp, regime), expected in WORKED:
        a = _assess([gross], pkp=pkp, npwp=npwp, regime=regime, on=date(2024, 12, 31))
        assert _summary(a) == expected
        assert a.rule.ppn_nominal_rate == Decimal("0.11")


def test_treasurer_slip_for_the_12_million_purchase():
    a = _assess([12_000_000])
    assert a.slip == tax_rules.WithholdingSlip(
        tax="PPh Pasal 22",
        object_code="22-910-01",
        object_name="Pemungutan oleh Bendaharawan",
        rate=Decimal("0.015"),
        base=10_810_811,
        amount=162_162,
        without_npwp=False,
        collector=TREASURER,
        deposit_code="411122-910",
        legal_basis=a.rule.legal_basis,
    )
    assert "PMK 59/PMK.03/2022" in a.slip.legal_basis
    assert "PMK 34/PMK.010/2017" in a.slip.legal_basis
    assert "PMK 131/2024" in a.slip.legal_basis
    assert a.rule.ppn_deposit_code == "411211-920"
    assert a.ppn_collected_by == TREASURER


def test_platform_slip_without_npwp_is_doubled_and_names_pmk_58():
    a = _assess([12_000_000], pkp=False, npwp=False, regime=PLATFORM)
    assert a.slip is not None
    assert a.slip.object_code == "22-101-01"
    assert "Pihak Lain" in a.slip.object_name
    assert a.slip.rate == Decimal("0.010")
    assert a.pph22_rate == Decimal("0.010")
    assert (a.slip.base, a.slip.amount) == (12_000_000, 120_000)
    assert a.slip.without_npwp is True
    assert a.slip.collector == PLATFORM
    assert a.slip.deposit_code is None
    assert "PMK 58/PMK.03/2022" in a.slip.legal_basis
    assert a.ppn_collected_by is None  # a non-PKP shop charges no PPN


def test_no_slip_when_nothing_is_withheld():
    a = _assess([1_500_000])
    assert a.pph22 == 0 and a.slip is None
    assert a.ppn_collected_by == "shop"  # below the threshold the PKP shop remits its own PPN
    assert a.pph22_rate == Decimal("0.015")


# --- The Rp2.000.000 edge: on the price before VAT, and "above" is strict -----------------------


@pytest.mark.parametrize(
    "gross,pph22,net",
    [
        (2_000_000, 0, 2_000_000),  # at most Rp2.000.000: excluded
        (2_000_001, 30_000, 1_970_001),  # 1,5% × 2.000.001 = 30.000,015 → 30.000
        (1_999_999, 0, 1_999_999),
    ],
)
def test_threshold_edge_for_a_non_pkp_shop(gross, pph22, net):
    a = _assess([gross], pkp=False)
    assert (a.dpp, a.pph22, a.net_payable) == (gross, pph22, net)


def test_threshold_is_on_the_price_before_vat_for_a_pkp_shop():
    # Rp2.000.000 including VAT is only 1.801.802 before VAT: nothing collected.
    assert _summary(_assess([2_000_000])) == (2_000_000, 1_801_802, 198_198, 0, 0, 2_000_000)
    # 2.220.000 including VAT is exactly 2.000.000 before VAT: still excluded.
    assert _summary(_assess([2_220_000])) == (2_220_000, 2_000_000, 220_000, 0, 0, 2_220_000)
    # One rupiah more is above it: the treasurer collects the PPN and withholds PPh 22.
    a = _assess([2_220_001])
    assert _summary(a) == (2_220_001, 2_000_001, 220_000, 220_000, 30_000, 1_970_001)
    assert a.ppn_collected_by == TREASURER


def test_platform_has_no_threshold():
    a = _assess([1_110], regime=PLATFORM)
    assert _summary(a) == (1_110, 1_000, 110, 110, 5, 995)


def test_threshold_counts_the_whole_purchase_not_one_line():
    """The Rp2.000.000 is per payment and may not be split: two lines of Rp1.500.000 are above."""
    a = _assess([1_500_000, 1_500_000], pkp=False)
    assert a.pph22 == 45_000
    assert [ln.pph22 for ln in a.lines] == [22_500, 22_500]


# --- VAT-exempt goods ---------------------------------------------------------------------------


def test_vat_exempt_line_mixed_with_a_taxable_one():
    """Beras Rp5.000.000 (PP 49/2022, exempt) and minyak goreng Rp3.330.000 (taxable) from a PKP
    shop: PPN only on the oil (3.330.000 × 11/111 = 330.000); PPh 22 on all goods' price before
    VAT (8.000.000 × 1,5% = 120.000), split 75.000 / 45.000 by DPP."""
    a = _assess([5_000_000, 3_330_000], exempt={0})
    assert _summary(a) == (8_330_000, 8_000_000, 330_000, 330_000, 120_000, 7_880_000)
    beras, oil = a.lines
    assert beras == tax_rules.LineTax(5_000_000, False, 5_000_000, 0, 0, 75_000, 4_925_000)
    assert oil == tax_rules.LineTax(3_330_000, True, 3_000_000, 330_000, 330_000, 45_000, 2_955_000)
    # The faktur's DPP nilai lain covers only the taxable good: 3.000.000 × 11/12.
    assert a.dpp_other_value == 2_750_000


def test_all_exempt_purchase_has_no_ppn_but_pph22():
    a = _assess([5_000_000, 3_000_000], exempt={0, 1})
    assert _summary(a) == (8_000_000, 8_000_000, 0, 0, 120_000, 7_880_000)
    assert a.dpp_other_value == 0
    assert a.ppn_collected_by is None


def test_dpp_other_value_is_eleven_twelfths_since_2025_and_the_dpp_before():
    assert _assess([12_000_000]).dpp_other_value == 9_909_910  # 10.810.811 × 11/12 = 9.909.910,08
    assert _assess([12_000_000], on=date(2024, 6, 1)).dpp_other_value == 10_810_811
    # 12% of the DPP nilai lain is the PPN to within a rupiah.
    a = _assess([12_000_000])
    assert abs(a.dpp_other_value * Decimal("0.12") - a.ppn) <= 1


# --- Rounding: explicit half-up ------------------------------------------------------------------


def test_pph22_rounds_half_up():
    # 0,5% × 500 = 2,5 → 3 (banker's rounding would give 2); 0,5% × 100 = 0,5 → 1.
    assert _assess([500], pkp=False, regime=PLATFORM).pph22 == 3
    assert _assess([100], pkp=False, regime=PLATFORM).pph22 == 1
    assert _assess([99], pkp=False, regime=PLATFORM).pph22 == 0  # 0,495 → 0


def test_ppn_rounds_half_up_like_checkout():
    # 555 × 11/111 = 55 exactly; 5 × 11/111 = 0,495 → 0; 50 × 11/111 = 4,95 → 5.
    assert [_assess([g], regime=PLATFORM).ppn for g in (555, 5, 50)] == [55, 0, 5]


# --- The table and the setting -------------------------------------------------------------------


def test_rule_for_picks_the_row_in_force():
    assert rule_for(TREASURER, date(2022, 4, 1)).effective_from == date(2022, 4, 1)
    assert rule_for(TREASURER, date(2024, 12, 31)).effective_from == date(2022, 4, 1)
    assert rule_for(TREASURER, date(2025, 1, 1)).effective_from == date(2025, 1, 1)
    assert rule_for(PLATFORM, date(2022, 5, 1)).effective_from == date(2022, 5, 1)
    assert rule_for(PLATFORM, ON).ppn_nominal_rate == Decimal("0.12")
    with pytest.raises(ValueError, match="^no treasurer tax rule is in force on 2022-03-31$"):
        rule_for(TREASURER, date(2022, 3, 31))
    with pytest.raises(ValueError, match="^no platform tax rule is in force on 2022-04-30$"):
        rule_for(PLATFORM, date(2022, 4, 30))
    with pytest.raises(ValueError, match="^unknown tax regime 'bumn'$"):
        rule_for("bumn", ON)


def test_a_future_rate_change_is_a_new_row():
    """A new row (say PPh 22 at 2% from 2027) applies from its date; older purchases keep theirs."""
    old = rule_for(TREASURER, ON)
    new = replace(old, effective_from=date(2027, 1, 1), pph22_rate=Decimal("0.02"))
    rules = (*TAX_RULES, new)
    assert rule_for(TREASURER, date(2026, 12, 31), rules) is old
    assert rule_for(TREASURER, date(2027, 1, 1), rules) is new
    assert rule_for(TREASURER, date(2030, 1, 1), rules) is new
    # Rows are found by date, not by their place in the table.
    assert rule_for(TREASURER, date(2027, 1, 1), (new, *TAX_RULES)) is new


def test_every_row_is_consistent():
    for rule in TAX_RULES:
        assert rule.regime in REGIMES and rule.collector == rule.regime
        assert rule.ppn_rate == Decimal("0.11")  # 11% effective, as checkout charges
        assert tax_rules.rate_bps(rule.ppn_rate) == 1100
        assert rule.pph22_no_npwp_factor == 2
        assert rule.legal_basis and rule.pph22_object_code
    by_regime = {r: [x for x in TAX_RULES if x.regime == r] for r in REGIMES}
    assert {r.pph22_rate for r in by_regime[TREASURER]} == {Decimal("0.015")}
    assert {r.pph22_rate for r in by_regime[PLATFORM]} == {Decimal("0.005")}
    assert {(r.ppn_threshold, r.pph22_threshold) for r in by_regime[TREASURER]} == {
        (2_000_000, 2_000_000)
    }
    assert {(r.ppn_threshold, r.pph22_threshold) for r in by_regime[PLATFORM]} == {(0, 0)}


def test_rate_bps_refuses_a_rate_finer_than_a_basis_point():
    assert tax_rules.rate_bps(Decimal("0.015")) == 150
    with pytest.raises(ValueError, match=r"^rate 0\.00015 is not a whole number of basis points$"):
        tax_rules.rate_bps(Decimal("0.00015"))


def test_line_ppn_uses_the_rule_rate():
    rule = rule_for(PLATFORM, ON)
    assert tax_rules.line_ppn(1_110, taxable=True, rule=rule) == 110
    assert tax_rules.line_ppn(1_110, taxable=False, rule=rule) == 0
    twelve = replace(rule, ppn_nominal_rate=Decimal("0.12"), ppn_base_fraction=Decimal(1))
    assert tax_rules.line_ppn(1_120, taxable=True, rule=twelve) == 120


def test_regime_from_the_setting():
    assert regime_from({}) == TREASURER
    assert regime_from({"OPD_TAX_REGIME": None}) == TREASURER
    assert regime_from({"OPD_TAX_REGIME": ""}) == TREASURER
    assert regime_from({"OPD_TAX_REGIME": "platform"}) == PLATFORM
    assert regime_from({"OPD_TAX_REGIME": " Platform "}) == PLATFORM
    assert regime_from({"OPD_TAX_REGIME": "treasurer"}) == TREASURER
    with pytest.raises(
        ValueError, match="^OPD_TAX_REGIME must be one of treasurer, platform, not 'pmk58'$"
    ):
        regime_from({"OPD_TAX_REGIME": "pmk58"})


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="^a purchase has at least one line$"):
        assess([], shop_pkp=True, shop_has_npwp=True, regime=TREASURER, on=ON)
    with pytest.raises(ValueError, match="^line totals must not be negative$"):
        _assess([1_000, -1])
    assert _assess([0]).gross == 0  # a free line is not an error


def test_order_lines_are_read_as_they_are():
    """Anything with `line_total` and `vat_exempt` (an OrderLine) is a line."""

    class FakeOrderLine:
        def __init__(self, line_total, vat_exempt):
            self.line_total, self.vat_exempt = line_total, vat_exempt

    a = assess(
        [FakeOrderLine(3_330_000, False), FakeOrderLine(5_000_000, True)],
        shop_pkp=True,
        shop_has_npwp=True,
        regime=TREASURER,
        on=ON,
    )
    assert (a.ppn, a.pph22) == (330_000, 120_000)


# --- Properties ----------------------------------------------------------------------------------

LINES = st.lists(
    st.tuples(st.integers(min_value=0, max_value=60_000_000), st.booleans()),
    min_size=1,
    max_size=6,
)
DATES = st.dates(min_value=date(2022, 5, 1), max_value=date(2030, 12, 31))


@given(LINES, st.booleans(), st.booleans(), st.sampled_from(REGIMES), DATES)
def test_components_always_sum(lines, pkp, npwp, regime, on):
    a = assess(
        [Line(t, vat_exempt=e) for t, e in lines],
        shop_pkp=pkp,
        shop_has_npwp=npwp,
        regime=regime,
        on=on,
    )
    rule = a.rule
    assert a.gross == sum(t for t, _ in lines)
    for (total, exempt), ln in zip(lines, a.lines, strict=True):
        assert ln.line_total == total
        assert ln.taxable == (pkp and not exempt)
        assert ln.dpp + ln.ppn == total  # DPP + PPN = gross on every line
        assert ln.ppn == line_vat(total, vendor_pkp=pkp, vat_exempt=exempt)  # as checkout
        assert ln.net_payable + ln.ppn_collected + ln.pph22 == total
        assert 0 <= ln.pph22 <= ln.dpp
    assert a.dpp + a.ppn == a.gross
    assert a.net_payable + a.withheld == a.gross
    assert sum(ln.dpp for ln in a.lines) == a.dpp
    assert sum(ln.ppn for ln in a.lines) == a.ppn
    assert sum(ln.ppn_collected for ln in a.lines) == a.ppn_collected
    assert sum(ln.pph22 for ln in a.lines) == a.pph22
    assert sum(ln.net_payable for ln in a.lines) == a.net_payable
    # PPN is collected by the collector above the threshold, else remitted by the shop.
    assert a.ppn_collected == (a.ppn if a.dpp > rule.ppn_threshold else 0)
    # PPh 22 is the (doubled without NPWP) rate of the DPP, half-up, above the threshold only.
    factor = 1 if npwp else 2
    assert a.pph22_rate == rule.pph22_rate * factor
    exact = Decimal(a.dpp) * a.pph22_rate
    if a.dpp > rule.pph22_threshold:
        assert abs(a.pph22 - exact) <= Decimal("0.5")
        assert (a.slip is not None) == (a.pph22 > 0)
    else:
        assert a.pph22 == 0 and a.slip is None
    if not pkp:
        assert a.ppn == 0 and a.dpp == a.gross and a.dpp_other_value == 0


@given(st.integers(min_value=0, max_value=10**12))
def test_single_taxable_line_matches_money_vat_included(gross):
    a = _assess([gross], regime=PLATFORM)
    assert a.ppn == vat_included(gross)
    assert a.lines[0].ppn == a.ppn and a.lines[0].dpp == a.dpp


@given(st.integers(min_value=0, max_value=4_000_000), st.sampled_from(REGIMES), st.booleans())
def test_non_pkp_threshold_is_strictly_above_two_million(gross, regime, npwp):
    a = _assess([gross], pkp=False, npwp=npwp, regime=regime)
    withheld = a.pph22 > 0
    if regime == TREASURER:
        assert withheld == (gross > 2_000_000)
    rate = Decimal("0.015") if regime == TREASURER else Decimal("0.005")
    assert a.pph22_rate == (rate if npwp else rate * 2)
