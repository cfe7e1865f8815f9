"""The taxes of an office (OPD) purchase from one shop, with no database (issue 12, deliverable 3).

`assess(lines, shop_pkp=…, shop_has_npwp=…, regime=…, on=…)` gives, for one order (one shop):

- gross: what the lines cost, VAT included (prices in Peken are VAT-inclusive for a PKP shop);
- PPN: per line exactly as checkout computes it (`ordering.rules.line_vat`, i.e.
  `money.vat_included`: gross × r / (1 + r), half-up to the rupiah), only for a PKP shop and not
  for PP 49/2022 basic necessities (`vat_exempt`); DPP (price before VAT) = gross − PPN per line,
  so DPP + PPN = gross on every line and the purchase's totals are the lines' sums;
- who collects the PPN: the collector (treasurer or platform) when the regime's threshold is
  passed, otherwise the shop itself, which then invoices and remits it as on any sale;
- PPh 22: the regime's rate (doubled without NPWP, UU PPh Pasal 22 ayat (3)) of the purchase's
  DPP, half-up, only when the DPP is *above* the threshold (PMK 34/PMK.010/2017 and PMK
  231/PMK.03/2019 s.t.d.d. PMK 59/PMK.03/2022 exclude a payment of at most Rp2.000.000 excluding
  PPN); split over the lines by DPP with `money.allocate`, so the parts sum exactly;
- net payable to the shop: gross − PPN collected − PPh 22 withheld, so net + withheld = gross;
- the data of the withholding slip (bukti potong / BPPU): tax object code, rate, base, amount,
  legal basis.

Rates and thresholds are rows of `procurement.tax_tables.TAX_RULES` (legal basis and
effective-from date on each). Integer rupiah everywhere, `Decimal` rates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from marketplace.money import allocate, round_half_up, vat_included
from marketplace.procurement.tax_tables import (
    DEFAULT_REGIME,
    REGIME_SETTING,
    REGIMES,
    TAX_RULES,
    TaxRule,
)

PPH22 = "PPh Pasal 22"


class TaxableLine(Protocol):
    """What `assess` reads of a line: an `OrderLine` has both."""

    line_total: int  # VAT-inclusive, whole rupiah
    vat_exempt: bool


@dataclass(frozen=True)
class Line:
    """A line given by hand (tests, previews before an order exists)."""

    line_total: int
    vat_exempt: bool = False


@dataclass(frozen=True)
class LineTax:
    line_total: int  # gross, VAT included
    taxable: bool  # a PKP shop's good that is not VAT-exempt
    dpp: int
    ppn: int
    ppn_collected: int  # by the collector; 0 when the shop remits the PPN itself
    pph22: int
    net_payable: int


@dataclass(frozen=True)
class WithholdingSlip:
    """What the bukti potong of the PPh 22 says (the office's and shop's identities are added by
    whoever prints it)."""

    tax: str
    object_code: str
    object_name: str
    rate: Decimal  # the rate applied, doubled already for a shop without NPWP
    base: int  # DPP: the price before VAT
    amount: int
    without_npwp: bool
    collector: str
    deposit_code: str | None
    legal_basis: str


@dataclass(frozen=True)
class TaxAssessment:
    regime: str
    rule: TaxRule
    shop_pkp: bool
    shop_has_npwp: bool
    gross: int
    dpp: int  # price before VAT, all lines
    ppn: int  # the PPN contained in the gross
    dpp_other_value: int  # "DPP nilai lain" of the taxable lines, for the faktur
    ppn_collected: int  # by the collector (treasurer or platform)
    pph22_rate: Decimal
    pph22: int
    net_payable: int
    lines: tuple[LineTax, ...]
    slip: WithholdingSlip | None

    @property
    def withheld(self) -> int:
        """What the collector keeps back from the gross and owes the state."""
        return self.ppn_collected + self.pph22

    @property
    def ppn_collected_by(self) -> str | None:
        """Who remits the PPN: the collector, the shop itself (below the threshold), or nobody."""
        if not self.ppn:
            return None
        return self.rule.collector if self.ppn_collected else "shop"


def regime_from(settings: Mapping[str, Any]) -> str:
    """The regime named by the `OPD_TAX_REGIME` setting (`treasurer` when unset or empty)."""
    value = str(settings.get(REGIME_SETTING) or DEFAULT_REGIME).strip().lower()
    if value not in REGIMES:
        raise ValueError(f"{REGIME_SETTING} must be one of {', '.join(REGIMES)}, not {value!r}")
    return value


def rule_for(regime: str, on: date, rules: Sequence[TaxRule] = TAX_RULES) -> TaxRule:
    """The row of `regime` in force on `on`: the latest whose `effective_from` is not after it."""
    if regime not in REGIMES:
        raise ValueError(f"unknown tax regime {regime!r}")
    rows = [r for r in rules if r.regime == regime and r.effective_from <= on]
    if not rows:
        raise ValueError(f"no {regime} tax rule is in force on {on.isoformat()}")
    return max(rows, key=lambda r: r.effective_from)


def rate_bps(rate: Decimal) -> int:
    """A rate as whole basis points (what `money.vat_included` takes); refuses a finer rate."""
    bps = rate * 10_000
    if bps != bps.to_integral_value():
        raise ValueError(f"rate {rate} is not a whole number of basis points")
    return int(bps)


def line_ppn(line_total: int, *, taxable: bool, rule: TaxRule) -> int:
    """The PPN contained in a VAT-inclusive line: `ordering.rules.line_vat` at the rule's rate."""
    if not taxable:
        return 0
    return vat_included(line_total, rate_bps(rule.ppn_rate))


def assess(
    lines: Sequence[TaxableLine],
    *,
    shop_pkp: bool,
    shop_has_npwp: bool,
    regime: str,
    on: date,
) -> TaxAssessment:
    """The taxes of one purchase from one shop on date `on` under `regime` (see the module)."""
    if not lines:
        raise ValueError("a purchase has at least one line")
    if any(int(ln.line_total) < 0 for ln in lines):
        raise ValueError("line totals must not be negative")
    rule = rule_for(regime, on)

    # (gross, taxable, DPP, PPN) per line; PPN exactly as checkout put it on the order line.
    parts: list[tuple[int, bool, int, int]] = []
    for ln in lines:
        total = int(ln.line_total)
        taxable = shop_pkp and not ln.vat_exempt
        ppn_in = line_ppn(total, taxable=taxable, rule=rule)
        parts.append((total, taxable, total - ppn_in, ppn_in))
    gross = sum(p[0] for p in parts)
    dpp = sum(p[2] for p in parts)
    ppn = sum(p[3] for p in parts)
    taxable_dpp = sum(p[2] for p in parts if p[1])

    collects_ppn = dpp > rule.ppn_threshold
    ppn_collected = ppn if collects_ppn else 0

    pph22_rate = rule.pph22_rate if shop_has_npwp else rule.pph22_rate * rule.pph22_no_npwp_factor
    pph22 = round_half_up(Decimal(dpp) * pph22_rate) if dpp > rule.pph22_threshold else 0
    line_pph22 = allocate(pph22, [p[2] for p in parts])

    line_taxes = []
    for (total, taxable, line_dpp, line_ppn_), withheld in zip(parts, line_pph22):
        collected = line_ppn_ if collects_ppn else 0
        line_taxes.append(
            LineTax(
                line_total=total,
                taxable=taxable,
                dpp=line_dpp,
                ppn=line_ppn_,
                ppn_collected=collected,
                pph22=withheld,
                net_payable=total - collected - withheld,
            )
        )
    slip = None
    if pph22:
        slip = WithholdingSlip(
            tax=PPH22,
            object_code=rule.pph22_object_code,
            object_name=rule.pph22_object_name,
            rate=pph22_rate,
            base=dpp,
            amount=pph22,
            without_npwp=not shop_has_npwp,
            collector=rule.collector,
            deposit_code=rule.pph22_deposit_code,
            legal_basis=rule.legal_basis,
        )
    return TaxAssessment(
        regime=regime,
        rule=rule,
        shop_pkp=shop_pkp,
        shop_has_npwp=shop_has_npwp,
        gross=gross,
        dpp=dpp,
        ppn=ppn,
        dpp_other_value=round_half_up(Decimal(taxable_dpp) * rule.ppn_base_fraction),
        ppn_collected=ppn_collected,
        pph22_rate=pph22_rate,
        pph22=pph22,
        net_payable=gross - ppn_collected - pph22,
        lines=tuple(line_taxes),
        slip=slip,
    )
