"""Finance rules with no database: which spending counts for which target, progress, cumulative
series, business-class moves, and how a provider's reporting category maps to our ledger."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from marketplace import timeutil
from marketplace.ledger.rules import counts_for_targets
from marketplace.money import percent_bps, round_half_up

# PP 7/2021 art. 35 / Perpres 12/2021 art. 65: "UMK" is usaha mikro dan kecil. Spending with a
# medium business is neither UMK nor excluded from PDN.
UMK_CLASSES = ("micro", "small")
# Perpres 12/2021 art. 65 sets the 40% for "usaha mikro, usaha kecil dan koperasi": spending at a
# koperasi counts toward the UMK figure whatever its business class. Both are frozen on the
# spending record at the sale (vendor_umk_class, vendor_type), so a closed month never moves.
UMK_VENDOR_TYPES = ("koperasi",)
# What the UMK figure is called wherever it is shown or exported.
UMK_LABEL = "Usaha Mikro, Kecil dan Koperasi"
CLASS_RANK = {"micro": 0, "small": 1, "medium": 2, "large": 3}
# The order of the rows per class in reports: koperasi, counted with UMK, follow small.
REPORT_CLASS_ORDER = ("micro", "small", "koperasi", "medium", "large")
TARGET_KINDS = ("umk", "pdn", "local")
SUM_KEYS = ("umk", "pdn", "local", "total")
GROUP_BYS = ("month", "opd", "vendor_class", "kelurahan")
# Inpres 2/2022 / PP 7/2021: at least 40% of goods/services spending on UMK products.
UMK_SHARE_FLOOR_BPS = 4000
# Which population a figure counts, written on every report, row set and export.
TARGET_POPULATION = "target_realisation"  # opd_procurement: the budget's own spending
REACH_POPULATION = "programme_reach"  # asn_personal and public: not realisation
# A vendor is "near the cap" from 80% of the fair-share cap.
NEAR_CAP_BPS = 8000
# The year range of reports and targets is the one every period and date keeps to.
MIN_YEAR, MAX_YEAR = timeutil.MIN_YEAR, timeutil.MAX_YEAR


def is_umk(umk_class: str | None, vendor_type: str | None = None) -> bool:
    """Whether spending counts toward the UMK figure: a micro or small business, or a koperasi
    of any class."""
    return umk_class in UMK_CLASSES or vendor_type in UMK_VENDOR_TYPES


def report_class_rank(vendor_class: str | None) -> int:
    """Where a per-class row goes in reports (unknown values last)."""
    order = REPORT_CLASS_ORDER
    return order.index(vendor_class) if vendor_class in order else len(order)


def classify(
    amount: int,
    umk_class: str | None,
    is_pdn: bool,
    is_local_product: bool,
    vendor_type: str | None = None,
) -> dict[str, int]:
    """The four sums one spending record adds to (the SQL report applies the same rule)."""
    return {
        "umk": amount if is_umk(umk_class, vendor_type) else 0,
        "pdn": amount if is_pdn else 0,
        "local": amount if is_local_product else 0,
        "total": amount,
    }


def progress_bps(realised: int, target: int) -> int | None:
    """Realised as basis points of the target (10 000 = 100%), half-up; None without a target."""
    if not target or target <= 0:
        return None
    return round_half_up(Decimal(realised) * Decimal(10_000) / Decimal(target))


def share_bps(part: int, total: int) -> int | None:
    """`part` as basis points of `total`; None when nothing was spent."""
    if not total or total <= 0:
        return None
    return round_half_up(Decimal(part) * Decimal(10_000) / Decimal(total))


def population_of(channel: str) -> str:
    """Which population a channel's spending belongs to: the budget's own purchasing is target
    realisation, everything else the programme's reach."""
    return TARGET_POPULATION if counts_for_targets(channel) else REACH_POPULATION


def meets_umk_floor(umk: int, budget: int) -> bool | None:
    """Whether UMK spending is at least 40% of the goods-and-services budget (PP 7/2021 art. 35,
    Perpres 12/2021 art. 65); None when no budget was entered."""
    if budget <= 0:
        return None
    return umk * 10_000 >= budget * UMK_SHARE_FLOOR_BPS


def vat_share(amount: int, line_total: int, line_vat: int) -> int:
    """The VAT inside `amount` of an order line of `line_total` carrying `line_vat`: all of it
    for the whole line, the same proportion (half-up, sign kept) for a refund share."""
    if line_total <= 0 or amount == 0:
        return 0
    if amount == line_total:
        return line_vat
    share = round_half_up(Decimal(abs(amount)) * Decimal(line_vat) / Decimal(line_total))
    return -share if amount < 0 else share


def bps_percent(bps: int | None) -> str | None:
    """Basis points as a plain percentage for a data file: 4356 → "43.56", 10000 → "100.00";
    None stays None (no TKDN known)."""
    if bps is None:
        return None
    sign = "-" if bps < 0 else ""
    whole, rest = divmod(abs(bps), 100)
    return f"{sign}{whole}.{rest:02d}"


def format_bps(bps: int | None) -> str:
    """4520 → "45,2%" (Indonesian decimal comma); None → "–"."""
    if bps is None:
        return "–"
    whole, rest = divmod(abs(bps), 100)
    tenth = round_half_up(Decimal(rest) / Decimal(10))
    if tenth == 10:
        whole, tenth = whole + 1, 0
    sign = "-" if bps < 0 else ""
    return f"{sign}{whole},{tenth}%"


def near_cap_threshold(cap: int) -> int:
    return percent_bps(cap, NEAR_CAP_BPS)


def moved_up(before: str | None, after: str | None) -> bool:
    """True when a vendor's business class went up (micro → small → medium → large)."""
    if before not in CLASS_RANK or after not in CLASS_RANK:
        return False
    return CLASS_RANK[after] > CLASS_RANK[before]


def with_cumulative(rows: Iterable[dict]) -> list[dict]:
    """Add `cumulative_<key>` running sums (rows in period order)."""
    running = {k: 0 for k in SUM_KEYS}
    out = []
    for row in rows:
        row = dict(row)
        for k in SUM_KEYS:
            running[k] += int(row.get(k, 0))
            row[f"cumulative_{k}"] = running[k]
        out.append(row)
    return out


def zero_sums() -> dict[str, int]:
    return {k: 0 for k in SUM_KEYS}


def add_sums(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return {k: int(a.get(k, 0)) + int(b.get(k, 0)) for k in SUM_KEYS}


# ---------------------------------------------------------------- provider reconciliation
# Stripe's balance-transaction `reporting_category` (preferred) or `type` → our category.
# docs.stripe.com/reports/reporting-categories: group by reporting_category, not type.
_CATEGORY_ALIASES = {
    "charge": "charge",
    "payment": "charge",
    "refund": "refund",
    "payment_refund": "refund",
    "refund_failure": "refund",
    "transfer": "transfer",
    "transfer_reversal": "transfer",
    "connect_collection_transfer": "transfer",
    "payout": "payout",
    "payout_reversal": "payout",
    "payout_failure": "payout",
    "fee": "fee",
    "stripe_fee": "fee",
    "application_fee": "fee",
    "tax": "fee",
    "network_cost": "fee",
}
PROVIDER_CATEGORIES = ("charge", "refund", "transfer", "payout", "fee")
# Categories whose every row must have a ledger journal (payouts to the platform's own bank
# move money inside `provider_cash`, fees are posted by the reconciliation itself).
LEDGER_CATEGORIES = ("charge", "refund", "transfer")
# Journal kinds written by other areas, grouped the same way.
JOURNAL_KIND_CATEGORY = {
    "payment": "charge",
    "charge": "charge",
    "order_payment": "charge",
    "refund": "refund",
    "order_refund": "refund",
    "payout": "transfer",
    "transfer": "transfer",
    "payout_transfer": "transfer",
}
PROVIDER_ID_PREFIXES = ("ch_", "py_", "pi_", "re_", "pyr_", "tr_", "trr_", "po_", "txn_")


def provider_category(reporting_category: str | None, type_: str | None) -> str:
    """Our category for a balance transaction; "other" for ones we do not reconcile."""
    for value in (reporting_category, type_):
        key = (value or "").strip().lower()
        if key in _CATEGORY_ALIASES:
            return _CATEGORY_ALIASES[key]
    return "other"


def journal_category(kind: str, reference: str | None = None) -> str | None:
    """The provider category a journal kind answers to (None for internal journals)."""
    key = (kind or "").lower()
    if key in JOURNAL_KIND_CATEGORY:
        category = JOURNAL_KIND_CATEGORY[key]
        if category == "transfer" and reference and reference.startswith("po_"):
            return "payout"
        return category
    if "refund" in key:
        return "refund"
    return None


def looks_like_provider_id(value: str | None) -> bool:
    return bool(value) and value.startswith(PROVIDER_ID_PREFIXES)


def parse_major_amount(value: str | None) -> int:
    """A Stripe report amount in major units ("150000.00", "-1,500.00") → whole rupiah.

    Raises ValueError for text that is not a number or has sen (Peken handles whole rupiah).
    """
    text = (value or "").strip().replace(",", "").replace(" ", "")
    if text == "":
        return 0
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not an amount") from None
    if not amount.is_finite():
        raise ValueError(f"{value!r} is not an amount")
    if amount != amount.to_integral_value():
        raise ValueError(f"{value!r} has sen")
    return int(amount)
