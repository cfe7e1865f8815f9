"""CSV product import: the template shopkeepers fill in, and the import that creates or updates
the caller's products matched by SKU, one savepoint per row."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable
from typing import Any

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace import text

# A module reference, not names: catalog.models imports shops.models, and whichever of the two
# is imported first must not find the other half-initialised.
from marketplace.catalog import models as catalog
from marketplace.errors import ValidationFailed
from marketplace.extensions import db
from marketplace.money import parse_rupiah
from marketplace.shops import rules
from marketplace.shops.flag_reviews import claim_flags, reopen_claims
from marketplace.shops.models import Vendor
from marketplace.shops.products import FLAG_FIELDS, apply_stock_delta, record_movement
from marketplace.shops.profile import get_own_vendor

log = logging.getLogger(__name__)

# Outside a request (CLI, jobs) the locale selector answers the default, Indonesian.
_ = gettext

# Columns whose text may run over lines (tab, newline, CR allowed); no other column takes a
# control character.
MULTILINE_COLUMNS = frozenset({"description"})


def import_template_csv() -> str:
    """The CSV header and one example row shopkeepers fill in."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(rules.IMPORT_COLUMNS)
    writer.writerow(
        [
            "BRS-5KG",
            "Beras medium 5 kg",
            "Beras lokal pulen",
            "sembako",
            "karung",
            "68000",
            "20",
            "ya",
            "tidak",
            "ya",
            "ya",
            "5",
            "",
        ]
    )
    return out.getvalue()


def _read_csv(upload) -> tuple[list[str], list[list[str]]]:
    if upload is None or not getattr(upload, "filename", None):
        raise ValidationFailed(_("Pilih berkas CSV."), details={"file": [_("Wajib diisi.")]})
    raw = upload.stream.read()
    if not raw.strip():
        raise ValidationFailed(_("Berkas CSV kosong."), details={"file": [_("Berkas kosong.")]})
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed(
            _("Berkas harus CSV dengan encoding UTF-8."),
            details={"file": [_("Encoding harus UTF-8.")]},
        ) from None
    if "\x00" in text:
        raise ValidationFailed(_("Berkas ini bukan CSV."), details={"file": [_("Bukan CSV.")]})
    try:
        sample = text[:4096]
        dialect = csv.Sniffer().sniff(sample, delimiters=",;") if sample else csv.excel
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as err:
        raise ValidationFailed(
            _("Berkas CSV rusak: %(e)s", e=str(err)), details={"file": [str(err)]}
        ) from None
    header = [h.strip().lower() for h in rows[0]] if rows else []
    missing = [c for c in rules.REQUIRED_IMPORT_COLUMNS if c not in header]
    if missing:
        raise ValidationFailed(
            _("Kolom wajib tidak ada di baris judul: %(cols)s.", cols=", ".join(missing)),
            details={"file": [_("Kolom hilang: %(cols)s.", cols=", ".join(missing))]},
        )
    return header, rows[1:]


def _parse_import_row(record: dict[str, str]) -> dict[str, Any]:
    """One CSV row → product values; ValueError with a sentence for the shopkeeper."""
    values: dict[str, Any] = {}
    for column, cell in record.items():
        bad = text.first_control(cell or "", multiline=column in MULTILINE_COLUMNS)
        if bad is not None:
            raise ValueError(
                _(
                    "Kolom %(col)s berisi karakter kendali %(char)s; hapus lalu impor lagi.",
                    col=column,
                    char=text.codepoint(bad),
                )
            )
    sku = (record.get("sku") or "").strip()
    if not sku:
        raise ValueError(_("SKU wajib diisi (dipakai untuk mencocokkan saat impor ulang)."))
    if len(sku) > 64:
        raise ValueError(_("SKU terlalu panjang (maks. 64)."))
    values["sku"] = sku
    name = (record.get("name") or "").strip()
    if len(name) < 2 or len(name) > 200:
        raise ValueError(_("Nama produk wajib diisi (2–200 huruf)."))
    values["name"] = name
    values["description"] = (record.get("description") or "").strip()
    values["category"] = (record.get("category") or "").strip()
    if not values["category"]:
        raise ValueError(_("Kategori wajib diisi."))
    unit = (record.get("unit") or "").strip()
    if not unit or len(unit) > 20:
        raise ValueError(_("Satuan wajib diisi (maks. 20 huruf)."))
    values["unit"] = unit
    for key, label in (
        ("price", _("Harga")),
        ("stock", _("Stok")),
        ("low_stock_threshold", _("Batas stok menipis")),
    ):
        try:
            if key == "price":
                number = parse_rupiah(record.get(key)) if (record.get(key) or "").strip() else None
            else:
                number = rules.parse_whole_number(record.get(key))
        except ValueError:
            raise ValueError(
                _("%(label)s harus bilangan bulat: %(v)s", label=label, v=record.get(key))
            ) from None
        if key == "price":
            if number is None or number <= 0:
                raise ValueError(_("Harga harus lebih dari 0."))
            if number > 1_000_000_000:
                raise ValueError(_("Harga terlalu besar."))
        elif number is not None and (number < 0 or number > 10_000_000):
            raise ValueError(_("%(label)s tidak boleh negatif.", label=label))
        if number is not None:
            values[key] = number
    for key in ("is_active", "is_local_product", "is_pdn", "vat_exempt"):
        try:
            flag = rules.parse_bool(record.get(key))
        except ValueError:
            raise ValueError(
                _("Kolom %(col)s harus ya/tidak: %(v)s", col=key, v=record.get(key))
            ) from None
        if flag is not None:
            values[key] = flag
    try:
        tkdn = rules.parse_percent_bps(record.get("tkdn"))
    except ValueError:
        raise ValueError(_("Kolom tkdn harus persen 0–100: %(v)s", v=record.get("tkdn"))) from None
    if tkdn is not None:
        values["tkdn_bps"] = tkdn
    return values


def _import_row(user, vendor: Vendor, values: dict[str, Any], categories: dict[str, int]) -> str:
    slug = values.pop("category")
    if slug not in categories:
        category_id = db.session.scalar(
            select(catalog.Category.id).where(catalog.Category.slug == slug)
        )
        if category_id is None:
            raise ValueError(_("Kategori tidak dikenal: %(slug)s.", slug=slug))
        categories[slug] = category_id
    target_stock = values.pop("stock", None)
    product = db.session.scalar(
        select(catalog.Product).where(
            catalog.Product.vendor_id == vendor.id, catalog.Product.sku == values["sku"]
        )
    )
    outcome = "updated"
    identity = (product.name, product.category_id) if product is not None else None
    if product is None:
        outcome = "created"
        product = catalog.Product(vendor_id=vendor.id, stock=0)
        db.session.add(product)
    product.category_id = categories[slug]
    # PDN, local and VAT-exempt are claims: true waits for the city's review (flag_reviews).
    claims = {k: values.pop(k) for k in FLAG_FIELDS if k in values}
    for key, value in values.items():
        setattr(product, key, value)
    db.session.flush()
    if identity is not None and identity != (product.name, product.category_id):
        reopen_claims(user, product)
    try:
        claim_flags(user, product, claims)
    except ValidationFailed as err:
        raise ValueError(" ".join(m for msgs in err.details.values() for m in msgs)) from None
    if target_stock is not None and target_stock != product.stock:
        delta = target_stock - product.stock
        new_stock = apply_stock_delta(product, delta)
        if new_stock is None:
            raise ValueError(_("Stok tidak bisa diubah ke %(n)s.", n=target_stock))
        record_movement(product, delta, new_stock, "import", _("Impor CSV"), user)
    return outcome


def import_products(user, upload, progress: Callable[[int], Any] | None = None) -> dict[str, Any]:
    """Create or update the caller's products from a CSV, matched by SKU within the shop. Each
    row runs in its own savepoint: bad rows are reported (header = row 1) and good rows kept.
    A file that is not UTF-8 CSV or lacks required columns is refused whole (422)."""
    vendor = get_own_vendor(user)
    header, rows = _read_csv(upload)
    created = updated = 0
    errors: list[dict[str, Any]] = []
    categories: dict[str, int] = {}
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        if progress is not None:
            progress(1)
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            errors.append(
                {"row": number, "message": _("Baris punya lebih banyak kolom dari judul.")}
            )
            continue
        record = dict(zip(header, row))
        try:
            values = _parse_import_row(record)
            if values["sku"] in seen:
                raise ValueError(
                    _(
                        "SKU %(sku)s sudah ada di baris %(row)s.",
                        sku=values["sku"],
                        row=seen[values["sku"]],
                    )
                )
            with db.session.begin_nested():
                outcome = _import_row(user, vendor, values, categories)
            seen[values["sku"]] = number
        except ValueError as err:
            errors.append({"row": number, "message": str(err)})
            continue
        except IntegrityError:
            log.info("import row %s refused by a constraint", number)
            errors.append(
                {"row": number, "message": _("Baris ditolak oleh database (data tidak sah).")}
            )
            continue
        if outcome == "created":
            created += 1
        else:
            updated += 1
    db.session.commit()
    return {"created": created, "updated": updated, "errors": errors}
