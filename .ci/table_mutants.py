"""Hand-made mutants for what mutmut leaves alone: module-level tables (state and rank tables,
thresholds, aliases, word lists, patterns) and `@property` rules.

Each mutant is one textual edit of one rules module. The edit is made in a throwaway copy of
`marketplace/` and `tests/`, and the fast rule tests of that area run against it (Hypothesis
derandomized); a mutant that no test notices is a survivor. The working tree is never touched.

    python .ci/table_mutants.py [--jobs 2] [--only finance]
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAST_TESTS = ["-o", "python_files=test_rules.py test_*_rules.py test_*_properties.py"]

MONEY = "marketplace/money.py"
TIME = "marketplace/timeutil.py"
ORDERING = "marketplace/ordering/rules.py"
PAYMENTS = "marketplace/payments/rules.py"
MANDATE = "marketplace/mandate/rules.py"
FINANCE = "marketplace/finance/rules.py"
PAYOUTS = "marketplace/payouts/rules.py"
SHOPS = "marketplace/shops/rules.py"
ACCOUNTS = "marketplace/accounts/rules.py"
CATALOG = "marketplace/catalog/rules.py"
TEXT = "marketplace/text.py"
TAX_TABLES = "marketplace/procurement/tax_tables.py"
TAX_RULES = "marketplace/procurement/tax_rules.py"
AREAS = "marketplace/areas/rules.py"

# (module, exact text, replacement). The text must occur exactly once in the module. Edits that
# no input can tell apart are left out and listed in docs/mutation.md (e.g. dropping the `^` of
# PERIOD_RE, which `re.match` anchors anyway).
EDITS: list[tuple[str, str, str]] = [
    (MONEY, "VAT_RATE_BPS = 1100", "VAT_RATE_BPS = 1000"),
    (MONEY, "VAT_RATE_BPS = 1100", "VAT_RATE_BPS = 1200"),
    # timeutil: the period pattern and the city's zone
    (TIME, r"(0[1-9]|1[0-2])$", r"(0[0-9]|1[0-2])$"),
    (TIME, r"(0[1-9]|1[0-2])$", r"(0[1-9]|1[0-3])$"),
    (TIME, r"(0[1-9]|1[0-2])$", r"(0?[1-9]|1[0-2])$"),
    (TIME, r"(0[1-9]|1[0-2])$", r"(0[1-9]|1[0-2])"),
    (TIME, 'ZoneInfo("Asia/Jakarta")', 'ZoneInfo("Asia/Makassar")'),
    (TIME, "MIN_YEAR, MAX_YEAR = 2000, 2100", "MIN_YEAR, MAX_YEAR = 2001, 2100"),
    (TIME, "MIN_YEAR, MAX_YEAR = 2000, 2100", "MIN_YEAR, MAX_YEAR = 2000, 2099"),
    # text: the boundary's character classes
    (TEXT, 'MULTILINE_ALLOWED = "\\t\\n\\r"', 'MULTILINE_ALLOWED = "\\t\\n"'),
    (TEXT, 'MULTILINE_ALLOWED = "\\t\\n\\r"', 'MULTILINE_ALLOWED = "\\n\\r"'),
    (TEXT, r"[\x00-\x1f\x7f-\x9f]", r"[\x01-\x1f\x7f-\x9f]"),
    (TEXT, r"[\x00-\x1f\x7f-\x9f]", r"[\x00-\x1f\x80-\x9f]"),
    (TEXT, r"[\x00-\x1f\x7f-\x9f]", r"[\x00-\x1f\x7f-\x9e]"),
    (TEXT, r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800", r"[\x00-\x09\x0b\x0c\x0e-\x1f\ud800"),
    (TEXT, r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800", r"[\x00-\x08\x0c\x0e-\x1f\ud800"),
    (TEXT, r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800", r"[\x00-\x08\x0b\x0c\x0d-\x1f\ud800"),
    (TEXT, r"\x0e-\x1f\ud800-\udfff]", r"\x0e-\x1f]"),
    (TEXT, '_INVISIBLE_EXTRA = frozenset("\\u034f', '_INVISIBLE_EXTRA = frozenset("'),
    (TIME, 'ZoneInfo("Asia/Jakarta")', 'ZoneInfo("UTC")'),
    # payments: the payment rank table
    (PAYMENTS, '"requires_payment": 0,', '"requires_payment": 1,'),
    (PAYMENTS, '"processing": 1,', '"processing": 0,'),
    (PAYMENTS, '"processing": 1,', '"processing": 2,'),
    (PAYMENTS, '"failed": 1,', '"failed": 0,'),
    (PAYMENTS, '"failed": 1,', '"failed": 2,'),
    (PAYMENTS, '"succeeded": 2,', '"succeeded": 0,'),
    (PAYMENTS, '"canceled": 2}', '"canceled": 0}'),
    # mandate: Progress (@property) and the demo defaults
    (
        MANDATE,
        "min(100, self.spent * 100 // self.required)",
        "min(100, -(-self.spent * 100 // self.required))",
    ),
    (
        MANDATE,
        "min(100, self.spent * 100 // self.required)",
        "round(min(100, self.spent * 100 / self.required))",
    ),
    (
        MANDATE,
        "min(100, self.spent * 100 // self.required)",
        "min(99, self.spent * 100 // self.required)",
    ),
    (MANDATE, "min(100, self.spent * 100 // self.required)", "self.spent * 100 // self.required"),
    (MANDATE, "            return 100\n", "            return 0\n"),
    (
        MANDATE,
        "        if self.required <= 0:\n            return 100",
        "        if self.required < 0:\n            return 100",
    ),
    (MANDATE, "        if self.spent <= 0:\n            return 0\n", ""),
    (MANDATE, "return max(self.required - self.spent, 0)", "return self.required - self.spent"),
    (
        MANDATE,
        "return max(self.required - self.spent, 0)",
        "return max(self.required - self.spent, 1)",
    ),
    (MANDATE, "return self.spent >= self.required", "return self.spent > self.required"),
    (MANDATE, "DEMO_DEFAULT_AMOUNT = 100_000", "DEMO_DEFAULT_AMOUNT = 50_000"),
    (MANDATE, '"Camat": 2_000_000,', '"Camat": 1_000_000,'),
    # finance: classes, thresholds, journal kinds
    (FINANCE, 'UMK_CLASSES = ("micro", "small")', 'UMK_CLASSES = ("micro",)'),
    (FINANCE, 'UMK_CLASSES = ("micro", "small")', 'UMK_CLASSES = ("micro", "small", "medium")'),
    (FINANCE, '"small": 1, "medium": 2, "large": 3}', '"small": 2, "medium": 2, "large": 3}'),
    (FINANCE, '"small": 1, "medium": 2, "large": 3}', '"small": 0, "medium": 2, "large": 3}'),
    (FINANCE, 'CLASS_RANK = {"micro": 0,', 'CLASS_RANK = {"micro": 1,'),
    (FINANCE, '"medium": 2, "large": 3}', '"medium": 2, "large": 2}'),
    (FINANCE, "UMK_SHARE_FLOOR_BPS = 4000", "UMK_SHARE_FLOOR_BPS = 3000"),
    (FINANCE, "NEAR_CAP_BPS = 8000", "NEAR_CAP_BPS = 9000"),
    (
        FINANCE,
        'LEDGER_CATEGORIES = ("charge", "refund", "transfer")',
        'LEDGER_CATEGORIES = ("charge", "refund")',
    ),
    (
        FINANCE,
        '    "payout": "transfer",\n    "transfer"',
        '    "payout": "payout",\n    "transfer"',
    ),
    (FINANCE, '    "order_payment": "charge",\n', ""),
    (FINANCE, '    "payout_transfer": "transfer",\n', ""),
    # payouts: the state machine and the status groups
    (
        PAYOUTS,
        '"pending": ("exported", "paid", "cancelled")',
        '"pending": ("exported", "cancelled")',
    ),
    (PAYOUTS, '"exported": ("paid", "cancelled")', '"exported": ("paid", "failed", "cancelled")'),
    (
        PAYOUTS,
        '"failed": ("cancelled",),\n        "cancelled": (),\n    },\n    "stripe"',
        '"failed": ("paid", "cancelled"),\n        "cancelled": (),\n    },\n    "stripe"',
    ),
    (PAYOUTS, '"failed": ("paid", "failed", "cancelled")', '"failed": ("paid", "cancelled")'),
    (
        PAYOUTS,
        '"pending": ("paid", "failed", "cancelled")',
        '"pending": ("paid", "failed", "exported", "cancelled")',
    ),
    (
        PAYOUTS,
        '"exported": (),\n        "paid": (),\n        "cancelled": (),\n    },\n}',
        '"exported": ("paid",),\n        "paid": (),\n        "cancelled": (),\n    },\n}',
    ),
    (
        PAYOUTS,
        'OPEN_STATUSES = ("pending", "exported", "failed")',
        'OPEN_STATUSES = ("pending", "exported")',
    ),
    (PAYOUTS, 'RETRYABLE = ("pending", "failed")', 'RETRYABLE = ("failed",)'),
    (
        PAYOUTS,
        '_FORMULA_START = ("=", "+", "-", "@", "\\t", "\\r")',
        '_FORMULA_START = ("=", "+", "-", "@")',
    ),
    # shops: PP 7/2021 thresholds, class order, kinds, images, import columns
    (SHOPS, "MICRO_MAX_SALES = 2_000_000_000", "MICRO_MAX_SALES = 1_999_999_999"),
    (SHOPS, "MICRO_MAX_SALES = 2_000_000_000", "MICRO_MAX_SALES = 2_000_000_001"),
    (SHOPS, "SMALL_MAX_SALES = 15_000_000_000", "SMALL_MAX_SALES = 14_999_999_999"),
    (SHOPS, "SMALL_MAX_SALES = 15_000_000_000", "SMALL_MAX_SALES = 15_000_000_001"),
    (SHOPS, "MEDIUM_MAX_SALES = 50_000_000_000", "MEDIUM_MAX_SALES = 49_000_000_000"),
    (SHOPS, "MEDIUM_MAX_SALES = 50_000_000_000", "MEDIUM_MAX_SALES = 50_000_000_001"),
    (SHOPS, "MICRO_MAX_CAPITAL = 1_000_000_000", "MICRO_MAX_CAPITAL = 999_999_999"),
    (SHOPS, "MICRO_MAX_CAPITAL = 1_000_000_000", "MICRO_MAX_CAPITAL = 1_000_000_001"),
    (SHOPS, "SMALL_MAX_CAPITAL = 5_000_000_000", "SMALL_MAX_CAPITAL = 5_000_000_001"),
    (SHOPS, "MEDIUM_MAX_CAPITAL = 10_000_000_000", "MEDIUM_MAX_CAPITAL = 10_000_000_001"),
    (
        SHOPS,
        'CLASS_ORDER = ("micro", "small", "medium", "large")',
        'CLASS_ORDER = ("small", "micro", "medium", "large")',
    ),
    (
        SHOPS,
        'CLASS_ORDER = ("micro", "small", "medium", "large")',
        'CLASS_ORDER = ("micro", "small", "large", "medium")',
    ),
    (SHOPS, 'PKP_FLOOR = "small"', 'PKP_FLOOR = "micro"'),
    (SHOPS, "MIN_ANNUALISE_DAYS = 30", "MIN_ANNUALISE_DAYS = 31"),
    (SHOPS, "DAYS_PER_YEAR = 365", "DAYS_PER_YEAR = 366"),
    (
        SHOPS,
        'DECLARATION_SOURCES = ("oss_nib", "spt", "other")',
        'DECLARATION_SOURCES = ("oss_nib", "spt")',
    ),
    (SHOPS, 'FLAG_KINDS = ("platform_sales", "large")', 'FLAG_KINDS = ("platform_sales",)'),
    (SHOPS, "MAX_DOCUMENT_BYTES = 5 * 1024 * 1024", "MAX_DOCUMENT_BYTES = 5 * 1024 * 1025"),
    (SHOPS, 'DOCUMENT_EXTENSIONS = {"pdf": ".pdf",', 'DOCUMENT_EXTENSIONS = {"pdf": ".pd",'),
    (SHOPS, 'ADJUSTMENT_KINDS = ("restock", "correction")', 'ADJUSTMENT_KINDS = ("restock",)'),
    (SHOPS, "MAX_IMAGE_BYTES = 2 * 1024 * 1024", "MAX_IMAGE_BYTES = 2 * 1024 * 1025"),
    (SHOPS, 'IMAGE_EXTENSIONS = {"jpeg": ".jpg",', 'IMAGE_EXTENSIONS = {"jpeg": ".jpeg",'),
    (
        SHOPS,
        'REQUIRED_IMPORT_COLUMNS = ("sku", "name", "category", "unit", "price")',
        'REQUIRED_IMPORT_COLUMNS = ("sku", "name", "category", "price")',
    ),
    # shops: product flags under review, TKDN bounds, the PP 49/2022 table and its exclusions
    (SHOPS, "TKDN_MAX_BPS = 10_000", "TKDN_MAX_BPS = 9_999"),
    (SHOPS, "TKDN_MAX_BPS = 10_000", "TKDN_MAX_BPS = 10_001"),
    (SHOPS, '("beras", "gabah")', '("beras",)'),
    (SHOPS, '"jagung": ("Jagung", ("jagung",)),', ""),
    (SHOPS, '"sagu": ("Sagu", ("sagu",)),', ""),
    (SHOPS, '"kedelai": ("Kedelai", ("kedelai",)),', ""),
    (SHOPS, '"garam": ("Garam konsumsi", ("garam",)),', ""),
    (SHOPS, '("daging", "ayam potong", "karkas")', '("daging", "karkas")'),
    (SHOPS, '("daging", "ayam potong", "karkas")', '("daging", "ayam potong")'),
    (SHOPS, '"telur": ("Telur", ("telur",)),', ""),
    (SHOPS, '("susu segar", "susu perah")', '("susu",)'),
    (SHOPS, '("susu segar", "susu perah")', '("susu segar",)'),
    (SHOPS, '("buah", "pisang",', '("buah",'),
    (SHOPS, '("sayur", "bayam",', '("sayur",'),
    (SHOPS, '("ubi", "singkong",', '("ubi",'),
    (SHOPS, '("bawang", "jahe",', '("bawang",'),
    (SHOPS, '("gula pasir", "gula putih", "gula kristal")', '("gula",)'),
    (SHOPS, '("gula pasir", "gula putih", "gula kristal")', '("gula pasir", "gula putih")'),
    (SHOPS, '        "kuliner-siap-saji",\n', ""),
    (SHOPS, '        "kue-dan-roti",\n', ""),
    (SHOPS, '        "makanan-ringan",\n', ""),
    (SHOPS, '        "minuman",\n', ""),
    (SHOPS, '        "fashion",\n', ""),
    (SHOPS, '        "kerajinan",\n', ""),
    (SHOPS, '        "kebersihan-rumah",\n', ""),
    (SHOPS, '{"minyak", "tepung",', '{"tepung",'),
    (SHOPS, '{"minyak", "tepung",', '{"minyak",'),
    (SHOPS, '"kecap", "sambal",', '"sambal",'),
    (SHOPS, '"kecap", "sambal",', '"kecap",'),
    (SHOPS, '"saus", "keripik",', '"keripik",'),
    (SHOPS, '"saus", "keripik",', '"saus",'),
    (SHOPS, '"kerupuk", "sirup", "instan"}', '"sirup", "instan"}'),
    (SHOPS, '"kerupuk", "sirup", "instan"}', '"kerupuk", "instan"}'),
    (SHOPS, '"kerupuk", "sirup", "instan"}', '"kerupuk", "sirup"}'),
    # accounts: lengths; shops: the NIB length and the vendor status table
    (ACCOUNTS, "PASSWORD_MIN = 8", "PASSWORD_MIN = 7"),
    (ACCOUNTS, "PASSWORD_MAX = 128", "PASSWORD_MAX = 127"),
    (ACCOUNTS, "NIP_LENGTH = 18", "NIP_LENGTH = 16"),
    (SHOPS, "NIB_LENGTH = 13", "NIB_LENGTH = 12"),
    (SHOPS, '"verified": ("pending", "suspended"),', '"verified": ("pending",),'),
    (
        SHOPS,
        '"verified": ("pending", "suspended"),',
        '"verified": ("pending", "suspended", "verified"),',
    ),
    (SHOPS, '"suspended": ("pending", "verified"),', '"suspended": ("verified",),'),
    (
        SHOPS,
        '"suspended": ("pending", "verified"),',
        '"suspended": ("pending", "verified"),\n    "pending": ("suspended",),',
    ),
    # catalog: sorts, bounds, proximity ranks, the slug pattern
    (
        CATALOG,
        'SORTS = ("relevance", "price", "-price", "newest", "nearest")',
        'SORTS = ("relevance", "price", "-price", "newest")',
    ),
    (CATALOG, "MAX_TERMS = 8", "MAX_TERMS = 9"),
    (CATALOG, "MAX_TERM_LENGTH = 50", "MAX_TERM_LENGTH = 40"),
    (
        CATALOG,
        r'SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")',
        r'SLUG_RE = re.compile(r"^[a-z0-9-]+$")',
    ),
    (
        AREAS,
        "SAME_KELURAHAN, SAME_KECAMATAN, ELSEWHERE = 0, 1, 2",
        "SAME_KELURAHAN, SAME_KECAMATAN, ELSEWHERE = 0, 2, 1",
    ),
    # OPD purchase taxes (issue 12): the table of rates, thresholds and codes, the effective PPN
    # rate property, the regime setting and the slip's tax name
    (TAX_TABLES, '"ppn_threshold": 2_000_000,', '"ppn_threshold": 1_999_999,'),
    (TAX_TABLES, '"pph22_threshold": 2_000_000,', '"pph22_threshold": 1_999_999,'),
    (TAX_TABLES, '"pph22_threshold": 2_000_000,', '"pph22_threshold": 2_000_001,'),
    (TAX_TABLES, '"ppn_threshold": 0,', '"ppn_threshold": 1,'),
    (TAX_TABLES, '"pph22_threshold": 0,', '"pph22_threshold": 1,'),
    (TAX_TABLES, '"pph22_rate": Decimal("0.015"),', '"pph22_rate": Decimal("0.0150001"),'),
    (TAX_TABLES, '"pph22_rate": Decimal("0.005"),', '"pph22_rate": Decimal("0.0051"),'),
    (
        TAX_TABLES,
        '"pph22_threshold": 2_000_000,\n    "pph22_no_npwp_factor": Decimal(2),',
        '"pph22_threshold": 2_000_000,\n    "pph22_no_npwp_factor": Decimal(1),',
    ),
    (
        TAX_TABLES,
        '"pph22_threshold": 0,\n    "pph22_no_npwp_factor": Decimal(2),',
        '"pph22_threshold": 0,\n    "pph22_no_npwp_factor": Decimal(1),',
    ),
    (TAX_TABLES, '"pph22_object_code": "22-910-01"', '"pph22_object_code": "22-100-17"'),
    (TAX_TABLES, '"pph22_object_code": "22-101-01"', '"pph22_object_code": "22-101-02"'),
    (TAX_TABLES, '"pph22_deposit_code": "411122-910"', '"pph22_deposit_code": "411122-100"'),
    (TAX_TABLES, '"ppn_deposit_code": "411211-920"', '"ppn_deposit_code": "411211-900"'),
    (TAX_TABLES, '"collector": TREASURER,', '"collector": PLATFORM,'),
    (TAX_TABLES, '"collector": PLATFORM,', '"collector": TREASURER,'),
    (
        TAX_TABLES,
        'ELEVEN = {"ppn_nominal_rate": Decimal("0.11")',
        'ELEVEN = {"ppn_nominal_rate": Decimal("0.12")',
    ),
    (TAX_TABLES, "Decimal(11) / Decimal(12)", "Decimal(10) / Decimal(12)"),
    (
        TAX_TABLES,
        "return self.ppn_nominal_rate * self.ppn_base_fraction",
        "return self.ppn_nominal_rate",
    ),
    (TAX_TABLES, "effective_from=date(2022, 4, 1)", "effective_from=date(2022, 4, 2)"),
    (TAX_TABLES, "effective_from=date(2022, 5, 1)", "effective_from=date(2022, 4, 1)"),
    (TAX_TABLES, "legal_basis=_TREASURER_BASIS + _DPP_NILAI_LAIN", "legal_basis=_TREASURER_BASIS"),
    (TAX_TABLES, "PMK 59/PMK.03/2022 (Instansi", "PMK 58/PMK.03/2022 (Instansi"),
    (TAX_TABLES, "DEFAULT_REGIME = TREASURER", "DEFAULT_REGIME = PLATFORM"),
    (TAX_TABLES, 'REGIME_SETTING = "OPD_TAX_REGIME"', 'REGIME_SETTING = "OPD_TAX"'),
    (TAX_TABLES, "REGIMES = (TREASURER, PLATFORM)", "REGIMES = (TREASURER,)"),
    (TAX_RULES, 'PPH22 = "PPh Pasal 22"', 'PPH22 = "PPh 22"'),
]


def _drop_each_line(module: str, start: str, end: str) -> list[tuple[str, str, str]]:
    """One mutant per entry of a multi-line table: that entry's line removed."""
    text = (ROOT / module).read_text("utf-8")
    begin = text.index(start)
    table = text[begin : text.index(end, begin) + len(end)]
    lines = table.splitlines(keepends=True)
    return [
        (module, table, "".join(lines[:i] + lines[i + 1 :]))
        for i in range(1, len(lines) - 1)
        if lines[i].strip()
    ]


def _drop_each_word(module: str, assignment: str) -> list[tuple[str, str, str]]:
    """One mutant per word of a one-line tuple or set: that word removed."""
    text = (ROOT / module).read_text("utf-8")
    line = next(x for x in text.splitlines() if x.startswith(assignment))
    words = re.findall(r'"[^"]*"', line)
    opening, closing = ("{", "}") if line.endswith("}") else ("(", ")")
    head = line[: line.index(opening) + 1]
    out = []
    for word in words:
        fewer = ", ".join(w for w in words if w != word)
        out.append((module, line, f"{head}{fewer}{closing}"))
    return out


def all_edits() -> list[tuple[str, str, str]]:
    return [
        *EDITS,
        *_drop_each_line(FINANCE, "_CATEGORY_ALIASES = {\n", "}"),
        *_drop_each_word(FINANCE, "PROVIDER_ID_PREFIXES = "),
        *_drop_each_word(SHOPS, "TRUE_WORDS = "),
        *_drop_each_word(SHOPS, "FALSE_WORDS = "),
    ]


def tests_for(module: str) -> list[str]:
    """The fast tests of the module's area; money, time, ordering and ledger rules are used by all."""
    area = Path(module).parent.name
    if area not in ("marketplace", "ordering", "ledger") and (ROOT / "tests" / area).is_dir():
        return [f"tests/{area}"]
    return ["tests"]


def run_one(job: int, module: str, old: str, new: str, copies: list[Path]) -> bool:
    """True when the fast tests notice the edit (the mutant is killed)."""
    copy = copies[job % len(copies)]
    target = copy / module
    original = target.read_text("utf-8")
    target.write_text(original.replace(old, new, 1), "utf-8")
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-x",
                "-q",
                "-p",
                "no:cacheprovider",
                "-p",
                "no:xdist",
                *FAST_TESTS,
                *tests_for(module),
            ],
            cwd=copy,
            env={**os.environ, "PYTHONPATH": str(copy), "HYPOTHESIS_PROFILE": "mutation"},
            capture_output=True,
            check=False,
        )
    finally:
        target.write_text(original, "utf-8")
    if result.returncode not in (0, 1):  # collection or import error: the edit broke the module
        return True
    return result.returncode == 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", default="", help="run only modules whose path contains this")
    args = parser.parse_args()

    edits = [e for e in all_edits() if args.only in e[0]]
    for module, old, _ in edits:
        count = (ROOT / module).read_text("utf-8").count(old)
        if count != 1:
            print(f"stale hand-made mutant ({count} matches) in {module}: {old!r}", file=sys.stderr)
            return 2
    with tempfile.TemporaryDirectory(prefix="table-mutants-") as tmp:
        copies = []
        for i in range(max(1, args.jobs)):
            copy = Path(tmp) / str(i)
            for name in ("marketplace", "tests"):
                shutil.copytree(
                    ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__")
                )
            shutil.copy2(ROOT / "pyproject.toml", copy / "pyproject.toml")
            copies.append(copy)
        # Each copy serves one job at a time: job i uses copy i % jobs, batches of `jobs`.
        killed: dict[int, bool] = {}
        with ThreadPoolExecutor(max_workers=len(copies)) as pool:
            for start in range(0, len(edits), len(copies)):
                batch = list(enumerate(edits))[start : start + len(copies)]
                futures = {i: pool.submit(run_one, i, *edit, copies) for i, edit in batch}
                killed.update({i: f.result() for i, f in futures.items()})

    by_module: dict[str, list[bool]] = defaultdict(list)
    for i, (module, _, _) in enumerate(edits):
        by_module[module].append(killed[i])
    print(f"{'module (hand-made table mutants)':<34} {'mutants':>7} {'killed':>7} {'score':>7}")
    for module, results in sorted(by_module.items()):
        print(
            f"{module:<34} {len(results):>7} {sum(results):>7} {100 * sum(results) / len(results):>6.1f}%"
        )
    survivors = [e for i, e in enumerate(edits) if not killed[i]]
    if survivors:
        print("\nHand-made survivors:")
        for module, old, new in survivors:
            changed = [
                line
                for line in difflib.ndiff(old.splitlines(), new.splitlines())
                if line[:1] in "-+"
            ]
            print(f"  {module}: {' | '.join(x.strip() for x in changed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
