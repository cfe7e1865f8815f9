"""The tax rules of an office (OPD) purchase, as data: one row per regime and effective date.

`procurement.tax_rules.assess` reads the row in force on the purchase date. A new rate, threshold or
tax object code is a new row with its own `effective_from` and legal basis, never an edit of an
old row (a purchase assessed before the change must come out the same when it is reprinted).

Sources (issue 12, deliverable 3; see docs/DEVELOPING.md, "OPD purchase taxes"):

- `treasurer`: the city's spending treasurer (bendahara pengeluaran) collects. PMK
  231/PMK.03/2019 as amended by PMK 59/PMK.03/2022 makes a government office the collector of PPN
  on a PKP supplier's invoice and of PPh Pasal 22 on its purchases of goods; neither is collected
  on a payment of at most Rp2.000.000 *excluding* PPN that is not split from a larger purchase.
  PPh 22 is 1,5% of the purchase price excluding PPN (PMK 34/PMK.010/2017, Pasal 2 and the same
  Rp2.000.000 exclusion), 100% higher for a supplier without NPWP (UU PPh Pasal 22 ayat (3)).
  Tax object code 22-910-01 "Pemungutan oleh Bendaharawan" (e-Bupot Unifikasi / Coretax BPPU),
  deposited under KAP 411122 KJS 910; the collected PPN under KAP 411211 KJS 920.
- `platform`: a procurement marketplace appointed as "Pihak Lain" under PMK 58/PMK.03/2022 (in
  force 1 May 2022) collects PPN at the Pasal 7 ayat (1) UU PPN rate on every PKP supplier's
  invoice and PPh 22 of 0,5% of the invoice value excluding PPN, with no Rp2.000.000 exclusion.
  Tax object code 22-101-01 (PPh 22 "melalui Pihak Lain dalam Sistem Informasi Pengadaan
  Pemerintah", not final).
- PPN is 11% from 1 April 2022 (UU HPP). From 1 January 2025 the faktur shows 12% on "DPP nilai
  lain" of 11/12 of the price (PMK 131/2024), which is 11% of the price for every good that is
  not a PPnBM luxury good, so the amount is unchanged: `ppn_rate` is that effective 11%, the rate
  `money.vat_included` and checkout use (order lines' `vat`); the nominal rate and the 11/12
  fraction are kept for the faktur. PP 49/2022 basic necessities (products flagged `vat_exempt`)
  carry no PPN, and a shop that is not PKP charges none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

TREASURER = "treasurer"
PLATFORM = "platform"
REGIMES = (TREASURER, PLATFORM)
DEFAULT_REGIME = TREASURER
# The setting that picks the regime (Flask config / city settings); its value is one of REGIMES.
REGIME_SETTING = "OPD_TAX_REGIME"


@dataclass(frozen=True)
class TaxRule:
    """The rates and thresholds of one regime from `effective_from` on (until a later row)."""

    regime: str
    effective_from: date
    collector: str  # who collects and withholds: the office's treasurer or the platform
    ppn_nominal_rate: Decimal  # the rate printed on the faktur
    ppn_base_fraction: Decimal  # "DPP nilai lain" ÷ price before VAT (1 before 2025)
    ppn_threshold: int  # PPN is collected only when the price before VAT is above this
    pph22_rate: Decimal  # of the price before VAT, for a shop with an NPWP
    pph22_threshold: int  # PPh 22 is withheld only when the price before VAT is above this
    pph22_no_npwp_factor: Decimal  # the rate is multiplied by this for a shop without NPWP
    pph22_object_code: str  # kode objek pajak on the withholding slip (bukti potong)
    pph22_object_name: str
    pph22_deposit_code: str | None  # KAP-KJS of the deposit (billing code), when known
    ppn_deposit_code: str | None
    legal_basis: str

    @property
    def ppn_rate(self) -> Decimal:
        """The effective PPN rate on the price before VAT (11% both before and since 2025)."""
        return self.ppn_nominal_rate * self.ppn_base_fraction


_TREASURER_BASIS = (
    "PMK 231/PMK.03/2019 s.t.d.d. PMK 59/PMK.03/2022 (Instansi Pemerintah memungut PPN dan "
    "PPh Pasal 22); PMK 34/PMK.010/2017 (PPh Pasal 22 1,5% dari harga pembelian tidak termasuk "
    "PPN, kecuali pembayaran paling banyak Rp2.000.000 tidak termasuk PPN dan tidak dipecah-pecah); "
    "Pasal 22 ayat (3) UU PPh (tarif 100% lebih tinggi tanpa NPWP)"
)
_PLATFORM_BASIS = (
    "PMK 58/PMK.03/2022 (Pihak Lain dalam Sistem Informasi Pengadaan Pemerintah memungut PPN dan "
    "PPh Pasal 22 0,5% dari nilai tagihan tidak termasuk PPN); Pasal 22 ayat (3) UU PPh (tarif "
    "100% lebih tinggi tanpa NPWP)"
)
_DPP_NILAI_LAIN = "; PMK 131/2024 (PPN 12% atas DPP nilai lain 11/12 dari harga jual)"

# What a regime's rows share; each row below adds its date, PPN rate and legal basis.
_TREASURER = {
    "regime": TREASURER,
    "collector": TREASURER,
    "ppn_threshold": 2_000_000,
    "pph22_rate": Decimal("0.015"),
    "pph22_threshold": 2_000_000,
    "pph22_no_npwp_factor": Decimal(2),
    "pph22_object_code": "22-910-01",
    "pph22_object_name": "Pemungutan oleh Bendaharawan",
    "pph22_deposit_code": "411122-910",
    "ppn_deposit_code": "411211-920",
}
_PLATFORM = {
    "regime": PLATFORM,
    "collector": PLATFORM,
    "ppn_threshold": 0,
    "pph22_rate": Decimal("0.005"),
    "pph22_threshold": 0,
    "pph22_no_npwp_factor": Decimal(2),
    "pph22_object_code": "22-101-01",
    "pph22_object_name": (
        "Penghasilan sehubungan dengan transaksi penjualan barang yang dilakukan melalui Pihak "
        "Lain dalam Sistem Informasi Pengadaan Pemerintah (tidak final)"
    ),
    # The platform deposits under its own billing codes; not verified here, so left empty.
    "pph22_deposit_code": None,
    "ppn_deposit_code": None,
}

ELEVEN = {"ppn_nominal_rate": Decimal("0.11"), "ppn_base_fraction": Decimal(1)}
TWELVE_ON_ELEVEN_TWELFTHS = {
    "ppn_nominal_rate": Decimal("0.12"),
    "ppn_base_fraction": Decimal(11) / Decimal(12),
}

TAX_RULES: tuple[TaxRule, ...] = (
    TaxRule(effective_from=date(2022, 4, 1), legal_basis=_TREASURER_BASIS, **ELEVEN, **_TREASURER),
    TaxRule(
        effective_from=date(2025, 1, 1),
        legal_basis=_TREASURER_BASIS + _DPP_NILAI_LAIN,
        **TWELVE_ON_ELEVEN_TWELFTHS,
        **_TREASURER,
    ),
    TaxRule(effective_from=date(2022, 5, 1), legal_basis=_PLATFORM_BASIS, **ELEVEN, **_PLATFORM),
    TaxRule(
        effective_from=date(2025, 1, 1),
        legal_basis=_PLATFORM_BASIS + _DPP_NILAI_LAIN,
        **TWELVE_ON_ELEVEN_TWELFTHS,
        **_PLATFORM,
    ),
)
