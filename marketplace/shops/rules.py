"""Vendor rules with no database: business classes (PP 7/2021 by declared sales or capital, the
PKP floor, the platform-sales cross-check), stock adjustment kinds, image and document sniffing,
the values a CSV import accepts, and a shop application's NIB, NPWP and status changes."""

from __future__ import annotations

import re
from datetime import date

from marketplace.primitives import add_working_days

# PP 7/2021 Pasal 35: a business's class comes from its annual sales (hasil penjualan tahunan) or,
# for a new business, its capital (modal usaha, excluding land and buildings), both in rupiah.
# The class is what the business declares and the city reviews; platform sales only cross-check it.
MICRO_MAX_SALES = 2_000_000_000  # usaha mikro: up to Rp2 miliar
SMALL_MAX_SALES = 15_000_000_000  # usaha kecil: more than Rp2 miliar up to Rp15 miliar
MEDIUM_MAX_SALES = 50_000_000_000  # usaha menengah: more than Rp15 miliar up to Rp50 miliar
MICRO_MAX_CAPITAL = 1_000_000_000  # usaha mikro: capital up to Rp1 miliar
SMALL_MAX_CAPITAL = 5_000_000_000  # usaha kecil: more than Rp1 miliar up to Rp5 miliar
MEDIUM_MAX_CAPITAL = 10_000_000_000  # usaha menengah: more than Rp5 miliar up to Rp10 miliar

# Above the medium ceiling a business is `large`: not UMK, so the city reviews whether it may sell.
CLASS_ORDER = ("micro", "small", "medium", "large")
SALES_CEILINGS = {"micro": MICRO_MAX_SALES, "small": SMALL_MAX_SALES, "medium": MEDIUM_MAX_SALES}
CAPITAL_CEILINGS = {
    "micro": MICRO_MAX_CAPITAL,
    "small": SMALL_MAX_CAPITAL,
    "medium": MEDIUM_MAX_CAPITAL,
}
# A PKP must collect VAT, which it only is above Rp4,8 miliar turnover (PP 55/2022): at least small.
PKP_FLOOR = "small"
DECLARATION_BASES = ("sales", "capital")
DECLARATION_SOURCES = ("oss_nib", "spt", "other")  # OSS/NIB data, the annual tax return, other
DECLARATION_STATUSES = ("pending", "approved", "rejected")
FLAG_KINDS = ("platform_sales", "large")
CLASS_BASES = ("declaration", "override", "default")
# Platform sales of a shop younger than a year are annualised over at least this many days, so a
# single busy first week does not extrapolate into a flag.
MIN_ANNUALISE_DAYS = 30
DAYS_PER_YEAR = 365


def _class_under(amount: int, ceilings: dict[str, int]) -> str:
    for cls in CLASS_ORDER[:-1]:
        if amount <= ceilings[cls]:
            return cls
    return "large"


def class_for_sales(amount: int) -> str:
    """The class for a year's sales: micro ≤ Rp2 miliar < small ≤ Rp15 miliar < medium
    ≤ Rp50 miliar < large."""
    return _class_under(amount, SALES_CEILINGS)


def class_for_capital(amount: int) -> str:
    """The class for a new business's capital (without land and buildings): micro ≤ Rp1 miliar
    < small ≤ Rp5 miliar < medium ≤ Rp10 miliar < large."""
    return _class_under(amount, CAPITAL_CEILINGS)


def at_least(cls: str, floor: str) -> str:
    """The higher of two classes."""
    return max(cls, floor, key=CLASS_ORDER.index)


def default_class(pkp: bool) -> str:
    """The class of a shop that has declared nothing yet: micro, or small for a PKP."""
    return PKP_FLOOR if pkp else "micro"


def class_for_declaration(basis: str, amount: int, pkp: bool) -> str:
    """The class a reviewed declaration gives: by sales or by capital, never below the PKP floor."""
    if basis not in DECLARATION_BASES:
        raise ValueError(basis)
    cls = class_for_sales(amount) if basis == "sales" else class_for_capital(amount)
    return at_least(cls, default_class(pkp))


def needs_city_review(cls: str) -> bool:
    """A `large` business is not UMK: the city reviews whether it belongs on the marketplace."""
    return cls == "large"


def moved_up(old: str, new: str) -> bool:
    """True when `new` is a higher class than `old` ("naik kelas")."""
    return CLASS_ORDER.index(new) > CLASS_ORDER.index(old)


def class_basis(override: str | None, declaration_id: int | None) -> str:
    """Where the class in force comes from: the admin's override, an approved declaration, or
    the default (micro, small for a PKP)."""
    if override:
        return "override"
    if declaration_id is not None:
        return "declaration"
    return "default"


def annualise(sales: int, days: int) -> int:
    """Platform sales over `days` (at most a year) scaled to a year, rounded down; a window
    shorter than MIN_ANNUALISE_DAYS counts as that many days."""
    window = min(max(days, MIN_ANNUALISE_DAYS), DAYS_PER_YEAR)
    return sales * DAYS_PER_YEAR // window


def sales_exceed_class(cls: str, annual_sales: int) -> bool:
    """Platform sales alone (a year's, annualised) above what the declared class allows: a flag
    for the city to look at, never a reason to change the class. `large` has no ceiling."""
    ceiling = SALES_CEILINGS.get(cls)
    return ceiling is not None and annual_sales > ceiling


def can_decide_declaration(status: str) -> bool:
    """Only a pending declaration is approved or rejected, once."""
    return status == "pending"


# ---------------------------------------------------------------- stock
ADJUSTMENT_KINDS = ("restock", "correction")
# A ceiling far above any shop's shelf that keeps `stock + delta` inside the INTEGER column.
MAX_STOCK = 10_000_000


def adjustment_kind(delta: int, kind: str | None = None) -> str:
    """The movement kind of a manual adjustment: the one given, else restock for an increase and
    correction for a decrease."""
    if kind:
        return kind
    return "restock" if delta > 0 else "correction"


def is_low_stock(stock: int, threshold: int) -> bool:
    """A product is low on stock when what is left is at or below its threshold."""
    return stock <= threshold


# ---------------------------------------------------------------- images
MAX_IMAGE_BYTES = 2 * 1024 * 1024
IMAGE_EXTENSIONS = {"jpeg": ".jpg", "png": ".png", "webp": ".webp"}


def sniff_image_type(head: bytes) -> str | None:
    """The real type of an image from its first bytes (never trust the file name or the
    Content-Type a browser sends): jpeg, png, webp or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


# Evidence of a business-class declaration: a scan or photo of the NIB/OSS page or the SPT.
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
DOCUMENT_EXTENSIONS = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png"}
DOCUMENT_MIMETYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}


def sniff_document_type(head: bytes) -> str | None:
    """The real type of an evidence document from its first bytes: pdf, jpeg, png or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    kind = sniff_image_type(head)
    return kind if kind in DOCUMENT_EXTENSIONS else None


# ---------------------------------------------------------------- CSV import
IMPORT_COLUMNS = (
    "sku",
    "name",
    "description",
    "category",
    "unit",
    "price",
    "stock",
    "is_active",
    "is_local_product",
    "is_pdn",
    "vat_exempt",
    "low_stock_threshold",
    "tkdn",  # percent, e.g. 43,56 (stored as basis points)
)
REQUIRED_IMPORT_COLUMNS = ("sku", "name", "category", "unit", "price")
TRUE_WORDS = {"1", "true", "yes", "y", "ya", "benar"}
FALSE_WORDS = {"0", "false", "no", "n", "tidak", "salah"}


def parse_bool(value: str | None) -> bool | None:
    """`ya`/`tidak`, `1`/`0`, `true`/`false`… → bool; blank → None; anything else → ValueError."""
    text = (value or "").strip().lower()
    if not text:
        return None
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(value)


def parse_whole_number(value: str | None) -> int | None:
    """A whole number as shopkeepers type it: `12500`, `12.500` or `Rp12.500`; blank → None."""
    text = (value or "").strip().replace(" ", "")
    if not text:
        return None
    if text.lower().startswith("rp"):
        text = text[2:]
    negative = text.startswith("-")
    digits = (text[1:] if negative else text).replace(".", "")
    if not digits.isdigit():
        raise ValueError(value)
    return -int(digits) if negative else int(digits)


# ---------------------------------------------------------------- shop applications
NIB_LENGTH = 13
_DIGITS_ONLY = re.compile(r"^\d+$")


def is_valid_nib(nib: str) -> bool:
    """A business's NIB (Nomor Induk Berusaha, from OSS) is exactly 13 digits."""
    return len(nib) == NIB_LENGTH and bool(_DIGITS_ONLY.match(nib))


# A koperasi (UU 25/1992) is a legal entity from its deed's approval: since 2019 the Minister of
# Law's AHU system numbers it `AHU-0001234.AH.01.26.TAHUN 2021` (01.26 is the register of
# cooperatives); before that the Ministry of Cooperatives and the regional offices wrote slash
# numbers with a `BH` part, e.g. `503/BH/XVI.14/437.76/2010` or `12345/BH/XVI/1999`.
KOPERASI_TYPES = ("koperasi",)
KOPERASI_NUMBER_MESSAGE = (
    "Nomor badan hukum koperasi tidak dikenali. Tulis seperti AHU-0001234.AH.01.26.TAHUN 2021"
    " atau nomor lama seperti 503/BH/XVI.14/437.76/2010."
)
_AHU = re.compile(r"^AHU-?\s*(\d{1,7})\s*\.\s*AH\s*\.\s*01\s*\.\s*(\d{2})\s*\.?\s*TAHUN\s*(\d{4})$")
_OLD_PART = re.compile(r"^[0-9A-Z][0-9A-Z.\-]*$")
_YEAR_MIN, _YEAR_MAX = 1945, 2100


def normalise_koperasi_number(value: str | None) -> str | None:
    """The legal-entity number of a koperasi in one written form: upper case, single spaces, a
    leading `No.`/`Nomor` dropped; AHU numbers with seven digits (`AHU-0001234.AH.01.26.TAHUN
    2021`). None for a blank value; ValueError when it has neither shape."""
    text = " ".join((value or "").split()).upper()
    text = re.sub(r"^(NOMOR|NO\.?)\s*:?\s*", "", text)
    if not text:
        return None
    ahu = _AHU.match(text)
    if ahu:
        number, register, year = ahu.groups()
        if not _YEAR_MIN <= int(year) <= _YEAR_MAX:
            raise ValueError(KOPERASI_NUMBER_MESSAGE)
        return f"AHU-{int(number):07d}.AH.01.{register}.TAHUN {year}"
    parts = [part.strip() for part in text.split("/")]
    if (
        len(text) <= 100
        and len(parts) >= 3
        and "BH" in parts[1:]
        and parts[0][:1].isdigit()
        and all(_OLD_PART.match(part) for part in parts)
    ):
        return "/".join(parts)
    raise ValueError(KOPERASI_NUMBER_MESSAGE)


def legal_entity_problem(vendor_type: str, number: str | None) -> str | None:
    """Why a shop's legal-entity number cannot be accepted, or None: a koperasi must give its
    number, other kinds of seller have none to give (their NIB identifies them)."""
    if vendor_type in KOPERASI_TYPES:
        return None if number else "Nomor badan hukum koperasi wajib untuk koperasi."
    return "Hanya koperasi yang mengisi nomor badan hukum koperasi." if number else None


# Vendor status changes an admin may make: verify a pending or suspended shop, suspend a
# pending (rejecting the application) or verified one.
VENDOR_TRANSITIONS = {
    "verified": ("pending", "suspended"),
    "suspended": ("pending", "verified"),
}


def can_change_vendor_status(current: str, target: str) -> bool:
    return current in VENDOR_TRANSITIONS.get(target, ())


# ---------------------------------------------------------------- product flags under review
# PDN, local product and VAT exemption are the shop's *claims*; only the city's approval makes
# them count (SPEC §3 "Spending records"). A claim of true, or a changed TKDN, waits for review;
# taking a flag back (false) is conservative and applies at once.
FLAGS = ("is_pdn", "is_local_product", "vat_exempt")
REVIEW_STATUSES = ("pending", "approved", "rejected", "withdrawn")
# TKDN (Tingkat Komponen Dalam Negeri) is stored in basis points: 4356 = 43,56 %.
TKDN_MAX_BPS = 10_000

KEEP, APPLY, REVIEW = "keep", "apply", "review"


def flag_value(flag: str, on: bool, tkdn_bps: int | None = None) -> tuple[bool, int | None]:
    """What a claim of one flag is: the flag, and for PDN its TKDN (none when not PDN)."""
    return (bool(on), tkdn_bps if flag == "is_pdn" and on else None)


def claim_action(
    new: tuple[bool, int | None],
    claimed: tuple[bool, int | None],
    effective: tuple[bool, int | None],
) -> str:
    """What a shop's edit of one flag does, given its current claim and the approved value.

    keep: the claim did not change. apply: the new claim is false (conservative) or is the
    approved value again, so it takes effect at once and any pending review is withdrawn.
    review: a new claim of true or a changed TKDN, which counts only once the city approves it.
    """
    if new == claimed:
        return KEEP
    if not new[0] or new == effective:
        return APPLY
    return REVIEW


def flag_state(claimed: bool, latest_status: str | None) -> str | None:
    """The review state the shop sees for one flag: `pending` while a claim waits, `rejected`
    after the city refused it (the claim is then reset), `approved` for a claim in force, None
    when nothing is claimed. Without a pending review the claim equals the approved value."""
    if latest_status == "pending":
        return "pending"
    if claimed:
        return "approved"
    if latest_status == "rejected":
        return "rejected"
    return None


def parse_percent_bps(value: str | None) -> int | None:
    """A percentage as people type it (`43,56`, `43.56`, `40 %`) → basis points (4356); blank →
    None. More than two decimals, a negative or above 100 % → ValueError."""
    text = (value or "").strip().replace("%", "").replace(" ", "").replace(",", ".")
    if not text:
        return None
    whole, sep, fraction = text.partition(".")
    if not whole.isdigit() or (sep and not fraction.isdigit()) or len(fraction) > 2:
        raise ValueError(value)
    bps = int(whole) * 100 + int(fraction.ljust(2, "0"))
    if bps > TKDN_MAX_BPS:
        raise ValueError(value)
    return bps


def format_percent_bps(bps: int | None) -> str:
    """4356 → `43,56`, 4000 → `40`; None → empty."""
    if bps is None:
        return ""
    whole, cents = divmod(bps, 100)
    return f"{whole},{cents:02d}" if cents else str(whole)


# PP 49/2022 (barang kebutuhan pokok dibebaskan dari PPN): the goods, with the words that
# name them in a product's name. Only these may be approved as VAT-exempt; flour and cooking oil
# are taxable (domain notes §5), and so is anything prepared from these goods.
BASIC_NECESSITIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "beras": ("Beras dan gabah", ("beras", "gabah")),
    "jagung": ("Jagung", ("jagung",)),
    "sagu": ("Sagu", ("sagu",)),
    "kedelai": ("Kedelai", ("kedelai",)),
    "garam": ("Garam konsumsi", ("garam",)),
    "daging": ("Daging", ("daging", "ayam potong", "karkas")),
    "telur": ("Telur", ("telur",)),
    "susu": ("Susu perah", ("susu segar", "susu perah")),
    "buah": ("Buah-buahan", ("buah", "pisang", "jeruk", "apel", "mangga", "pepaya", "salak")),
    "sayur": (
        "Sayur-sayuran",
        ("sayur", "bayam", "kangkung", "sawi", "kubis", "wortel", "tomat", "cabai", "cabe"),
    ),
    "ubi": ("Ubi-ubian", ("ubi", "singkong", "talas", "kentang")),
    "bumbu": ("Bumbu-bumbuan", ("bawang", "jahe", "kunyit", "lengkuas", "kemiri", "ketumbar")),
    "gula": ("Gula konsumsi", ("gula pasir", "gula putih", "gula kristal")),
}
# Categories of prepared or manufactured goods: nothing in them is a basic necessity, even when
# its name says "beras" (jamu beras kencur) or "daging" (rawon daging).
PREPARED_CATEGORIES = frozenset(
    {
        "kuliner-siap-saji",
        "kue-dan-roti",
        "makanan-ringan",
        "minuman",
        "fashion",
        "kerajinan",
        "kebersihan-rumah",
    }
)
# Words of processed goods that share a word with a basic necessity but pay PPN.
PROCESSED_WORDS = frozenset(
    {"minyak", "tepung", "kecap", "sambal", "saus", "keripik", "kerupuk", "sirup", "instan"}
)


def basic_necessity_of(name: str, category_slug: str | None = None) -> str | None:
    """The PP 49/2022 good a product is, from its name and category, or None when it is not one
    (then it may not be approved as VAT-exempt). `"Beras Premium 5 kg"` → `"beras"`."""
    if category_slug in PREPARED_CATEGORIES:
        return None
    words = re.findall(r"[a-z]+", name.lower())
    if PROCESSED_WORDS.intersection(words):
        return None
    text = f" {' '.join(words)} "
    for key, (_label, names) in BASIC_NECESSITIES.items():
        if any(f" {n} " in text for n in names):
            return key
    return None


# ---------------------------------------------------------------- review reminders
def review_due(submitted_on: date, working_days: int) -> date:
    """The day a submission to the city (a shop application, a business-class declaration, a
    product's flag claims) should have been decided: `working_days` working days after the
    (WIB) day it came in; weekends, libur nasional and cuti bersama do not count."""
    return add_working_days(submitted_on, working_days)


def review_overdue(submitted_on: date, today: date, working_days: int) -> bool:
    """Whether the admins are reminded of a submission today: its review day has come."""
    return today >= review_due(submitted_on, working_days)
