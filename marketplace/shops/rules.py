"""Vendor rules with no database: business classes, stock adjustment kinds, image sniffing,
the values a CSV import accepts, and a shop application's NIB, NPWP and status changes."""

from __future__ import annotations

import re

# PP 7/2021 Pasal 35: business classes by annual sales (hasil penjualan tahunan), in rupiah.
MICRO_MAX_SALES = 2_000_000_000  # usaha mikro: up to Rp2 miliar
SMALL_MAX_SALES = 15_000_000_000  # usaha kecil: more than Rp2 miliar up to Rp15 miliar
MEDIUM_MAX_SALES = 50_000_000_000  # usaha menengah: more than Rp15 miliar up to Rp50 miliar

CLASS_ORDER = ("micro", "small", "medium")


def class_for_sales(amount: int) -> str:
    """The UMK class for a year's sales. Sales above the medium ceiling stay `medium`: the
    marketplace only knows the three classes its vendors may have (PP 7/2021 calls them large,
    and large businesses are not eligible sellers), so the admin reviews such a shop by hand."""
    if amount <= MICRO_MAX_SALES:
        return "micro"
    if amount <= SMALL_MAX_SALES:
        return "small"
    return "medium"


def moved_up(old: str, new: str) -> bool:
    """True when `new` is a higher class than `old` ("naik kelas")."""
    return CLASS_ORDER.index(new) > CLASS_ORDER.index(old)


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
_NPWP_PUNCTUATION = re.compile(r"[\s.\-/]")


def is_valid_nib(nib: str) -> bool:
    """A business's NIB (Nomor Induk Berusaha, from OSS) is exactly 13 digits."""
    return len(nib) == NIB_LENGTH and bool(_DIGITS_ONLY.match(nib))


def normalise_npwp(npwp: str | None) -> str | None:
    """Digits of a tax number written with its usual punctuation (`01.234.567.8-901.000`).

    NPWP has 15 digits; since 2024 the 16-digit form (NIK-based) is used too. Returns None for an
    empty value and raises ValueError when it is neither length.
    """
    if npwp is None or not npwp.strip():
        return None
    digits = _NPWP_PUNCTUATION.sub("", npwp.strip())
    if not _DIGITS_ONLY.match(digits) or len(digits) not in (15, 16):
        raise ValueError("NPWP harus 15 atau 16 angka.")
    return digits


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
