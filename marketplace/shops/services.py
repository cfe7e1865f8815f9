"""The shopkeeper's own shop: profile, products, images, stock, CSV import, order views, sales
report and business class. Every query is scoped to the caller's shop; another shop's object is
NotFound. Services commit once; helpers (`_…`, `refresh_umk_class`) only flush."""

from __future__ import annotations

import csv
import io
import logging
import secrets
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext
from marshmallow import ValidationError as MarshmallowValidationError
from sqlalchemy import case, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from marketplace.api import Page, paginate
from marketplace.audit.models import record_audit

# A module reference, not names: catalog.models imports vendor.models, and whichever of the two
# is imported first must not find the other half-initialised.
from marketplace.catalog import models as catalog
from marketplace.errors import NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.ledger.models import SpendingRecord
from marketplace.shops import rules
from marketplace.shops.errors import InsufficientStock, ShopNotFound, SkuTaken
from marketplace.shops.models import StockMovement, Vendor
from marketplace.timeutil import WIB, naive_utc, now_utc, period_of, to_wib

log = logging.getLogger(__name__)


# Outside a request (CLI, jobs) the locale selector answers the default, Indonesian.
_ = gettext


SHOP_FIELDS = (
    "name",
    "description",
    "phone",
    "address",
    "bank_name",
    "bank_account_number",
    "bank_account_name",
)
PRODUCT_FIELDS = (
    "name",
    "description",
    "unit",
    "price",
    "sku",
    "is_active",
    "is_local_product",
    "is_pdn",
    "vat_exempt",
    "low_stock_threshold",
)


# ---------------------------------------------------------------- the caller's shop
def get_own_vendor(user) -> Vendor:
    """The shop owned by `user`; ShopNotFound (404) when the user has none."""
    vendor = db.session.scalar(select(Vendor).where(Vendor.owner_id == user.id))
    if vendor is None:
        raise ShopNotFound(_("Anda belum punya toko."))
    return vendor


def get_shop(user) -> Vendor:
    """The caller's shop profile."""
    return get_own_vendor(user)


def update_shop(user, data: dict[str, Any]) -> Vendor:
    """Change the editable profile fields of the caller's shop (never status, NIB or class)."""
    vendor = get_own_vendor(user)
    for key in SHOP_FIELDS:
        if key not in data:
            continue
        value = data[key]
        if key in ("name", "address"):
            if not value:
                raise ValidationFailed(details={key: [_("Wajib diisi.")]})
        else:
            value = value or None  # a cleared optional field is stored as NULL
        setattr(vendor, key, value)
    db.session.commit()
    return vendor


# ---------------------------------------------------------------- products
def _own_product(vendor: Vendor, product_id: int, *, lock: bool = False) -> catalog.Product:
    stmt = select(catalog.Product).where(
        catalog.Product.id == product_id, catalog.Product.vendor_id == vendor.id
    )
    if lock:
        stmt = stmt.with_for_update()
    product = db.session.scalar(stmt)
    if product is None:
        raise NotFound(_("Produk tidak ditemukan."))
    return product


def get_own_product(user, product_id: int) -> catalog.Product:
    """One product of the caller's shop; 404 when absent or another shop's."""
    return _own_product(get_own_vendor(user), product_id)


def _category(slug: str) -> catalog.Category:
    category = db.session.scalar(select(catalog.Category).where(catalog.Category.slug == slug))
    if category is None:
        raise ValidationFailed(
            details={"category": [_("Kategori tidak dikenal: %(slug)s.", slug=slug)]}
        )
    return category


def _check_sku_free(vendor: Vendor, sku: str | None, product_id: int | None = None) -> None:
    if not sku:
        return
    stmt = select(catalog.Product.id).where(
        catalog.Product.vendor_id == vendor.id, catalog.Product.sku == sku
    )
    if product_id is not None:
        stmt = stmt.where(catalog.Product.id != product_id)
    if db.session.scalar(stmt) is not None:
        raise SkuTaken(
            _("SKU %(sku)s sudah dipakai produk lain di toko Anda.", sku=sku),
            details={"sku": [_("Sudah dipakai.")]},
        )


def _movement(
    product: catalog.Product, delta: int, stock_after: int, kind: str, note: str | None, actor
) -> StockMovement:
    movement = StockMovement(
        product_id=product.id,
        delta=delta,
        stock_after=stock_after,
        kind=kind,
        note=note,
        actor_id=actor.id if actor else None,
    )
    db.session.add(movement)
    db.session.flush()
    return movement


def list_products(
    user,
    *,
    q: str | None = None,
    active: bool | None = None,
    low_stock: bool | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Page:
    """A page of the caller's products by name, filtered by text, active and low stock."""
    vendor = get_own_vendor(user)
    stmt = (
        select(catalog.Product)
        .where(catalog.Product.vendor_id == vendor.id)
        .options(selectinload(catalog.Product.category))
        .order_by(catalog.Product.name, catalog.Product.id)
    )
    q = (q or "").replace("\x00", "").strip()[:200]
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(catalog.Product.name).like(like),
                func.lower(catalog.Product.sku).like(like),
            )
        )
    if active is not None:
        stmt = stmt.where(catalog.Product.is_active.is_(active))
    if low_stock is not None:
        cond = catalog.Product.stock <= catalog.Product.low_stock_threshold
        stmt = stmt.where(cond if low_stock else ~cond)
    return paginate(stmt, page, per_page)


def create_product(user, data: dict[str, Any]) -> catalog.Product:
    """Add a product to the caller's shop; its initial stock is recorded as an `initial` movement.
    A pending shop may prepare products: they are listed once the city verifies it."""
    vendor = get_own_vendor(user)
    category = _category(data["category"])
    _check_sku_free(vendor, data.get("sku"))
    product = catalog.Product(
        vendor_id=vendor.id,
        category_id=category.id,
        stock=data.get("stock", 0),
        description=data.get("description") or "",
    )
    for key in PRODUCT_FIELDS:
        if key in data and key != "description":
            setattr(product, key, data[key])
    product.sku = data.get("sku") or None
    db.session.add(product)
    db.session.flush()
    if product.stock:
        _movement(product, product.stock, product.stock, "initial", _("Stok awal"), user)
    db.session.commit()
    return product


def update_product(user, product_id: int, data: dict[str, Any]) -> catalog.Product:
    """Edit a product of the caller's shop (deactivate with is_active=false); stock is not here."""
    vendor = get_own_vendor(user)
    product = _own_product(vendor, product_id)
    if "category" in data:
        product.category_id = _category(data["category"]).id
    if "sku" in data:
        _check_sku_free(vendor, data["sku"], product.id)
    for key in PRODUCT_FIELDS:
        if key in data:
            value = data[key]
            if key == "description":
                value = value or ""
            if key == "sku":
                value = value or None
            setattr(product, key, value)
    db.session.commit()
    return product


def save_product_image(user, product_id: int, upload) -> catalog.Product:
    """Store a product photo (JPEG, PNG or WebP by its real bytes, at most 2 MB) under a random
    name in UPLOAD_FOLDER; the old photo is removed."""
    product = get_own_product(user, product_id)
    if upload is None or not getattr(upload, "filename", None):
        raise ValidationFailed(_("Pilih foto produk."), details={"image": [_("Wajib diisi.")]})
    content = upload.stream.read(rules.MAX_IMAGE_BYTES + 1)
    if len(content) > rules.MAX_IMAGE_BYTES:
        raise ValidationFailed(
            _("Foto terlalu besar (maksimal 2 MB)."), details={"image": [_("Maksimal 2 MB.")]}
        )
    kind = rules.sniff_image_type(content[:16])
    if kind is None:
        raise ValidationFailed(
            _("Foto harus berupa JPEG, PNG atau WebP."),
            details={"image": [_("Harus JPEG, PNG atau WebP.")]},
        )
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    name = f"p{product.id}-{secrets.token_hex(12)}{rules.IMAGE_EXTENSIONS[kind]}"
    (folder / name).write_bytes(content)
    old, product.image_path = product.image_path, name
    try:
        db.session.commit()
    except Exception:
        (folder / name).unlink(missing_ok=True)
        raise
    if old and "/" not in old and old != name:
        (folder / old).unlink(missing_ok=True)
    return product


# ---------------------------------------------------------------- stock
def _apply_stock_delta(product: catalog.Product, delta: int) -> int | None:
    """Add `delta` to the product's stock only if the result stays within 0…MAX_STOCK, in one
    conditional UPDATE, so it is safe against concurrent checkouts. The new stock, or None if
    refused."""
    new_stock = db.session.execute(
        update(catalog.Product)
        .where(
            catalog.Product.id == product.id,
            catalog.Product.stock + delta >= 0,
            catalog.Product.stock + delta <= rules.MAX_STOCK,
        )
        .values(stock=catalog.Product.stock + delta)
        .returning(catalog.Product.stock)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if new_stock is not None:
        db.session.expire(product, ["stock", "updated_at"])
    return new_stock


@dataclass
class StockAdjustment:
    stock: int
    movement: StockMovement


def adjust_stock(
    user, product_id: int, delta: int, reason: str, kind: str | None = None
) -> StockAdjustment:
    """Restock or correct a product of the caller's shop and record who, why and when.
    InsufficientStock (409) when the result would be below zero; nothing changes then."""
    vendor = get_own_vendor(user)
    product = _own_product(vendor, product_id)
    new_stock = _apply_stock_delta(product, delta)
    if new_stock is None:
        current = db.session.scalar(
            select(catalog.Product.stock).where(catalog.Product.id == product.id)
        )
        if delta > 0:
            raise ValidationFailed(
                _("Stok paling banyak %(max)s.", max=rules.MAX_STOCK),
                details={"delta": [_("Stok paling banyak %(max)s.", max=rules.MAX_STOCK)]},
            )
        raise InsufficientStock(
            _(
                "Stok tidak cukup: sisa %(stock)s, tidak bisa dikurangi %(n)s.",
                stock=current,
                n=abs(delta),
            ),
            details={"stock": current, "delta": delta},
        )
    movement = _movement(
        product, delta, new_stock, rules.adjustment_kind(delta, kind), reason, user
    )
    db.session.commit()
    return StockAdjustment(stock=new_stock, movement=movement)


def list_stock_movements(user, product_id: int, page: int = 1, per_page: int = 20) -> Page:
    """Every stock change of one product of the caller's shop, newest first."""
    product = get_own_product(user, product_id)
    stmt = (
        select(StockMovement)
        .where(StockMovement.product_id == product.id)
        .options(selectinload(StockMovement.actor))
        .order_by(StockMovement.created_at.desc(), StockMovement.id.desc())
    )
    return paginate(stmt, page, per_page)


# ---------------------------------------------------------------- CSV import
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
    if product is None:
        outcome = "created"
        product = catalog.Product(vendor_id=vendor.id, stock=0)
        db.session.add(product)
    product.category_id = categories[slug]
    for key, value in values.items():
        setattr(product, key, value)
    db.session.flush()
    if target_stock is not None and target_stock != product.stock:
        delta = target_stock - product.stock
        new_stock = _apply_stock_delta(product, delta)
        if new_stock is None:
            raise ValueError(_("Stok tidak bisa diubah ke %(n)s.", n=target_stock))
        _movement(product, delta, new_stock, "import", _("Impor CSV"), user)
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


# ---------------------------------------------------------------- orders (read side for pages)
# Lists and counts of the shop's orders: marketplace.ordering.queries (one read side for the API
# and the pages).
def get_shop_order(user, order_id: int):
    """One order of the caller's shop; 404 when absent or another shop's."""
    from marketplace.ordering.models import Order

    vendor = get_own_vendor(user)
    order = db.session.scalar(
        select(Order).where(Order.id == order_id, Order.vendor_id == vendor.id)
    )
    if order is None:
        raise NotFound(_("Pesanan tidak ditemukan."))
    return order


@dataclass
class PickLine:
    product_id: int
    name: str
    unit: str
    quantity: int
    orders: int


def pick_list(user) -> tuple[list[PickLine], list[Any]]:
    """What to prepare now: quantities of each product over the shop's accepted orders."""
    from marketplace.ordering.models import Order, OrderLine

    vendor = get_own_vendor(user)
    rows = db.session.execute(
        select(
            OrderLine.product_id,
            OrderLine.name,
            OrderLine.unit,
            func.sum(OrderLine.quantity),
            func.count(func.distinct(OrderLine.order_id)),
        )
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.vendor_id == vendor.id, Order.status == "accepted")
        .group_by(OrderLine.product_id, OrderLine.name, OrderLine.unit)
        .order_by(OrderLine.name)
    ).all()
    orders = db.session.scalars(
        select(Order)
        .where(Order.vendor_id == vendor.id, Order.status == "accepted")
        .options(selectinload(Order.lines), selectinload(Order.buyer))
        .order_by(Order.accepted_at, Order.id)
    ).all()
    return [PickLine(pid, name, unit, int(qty), int(n)) for pid, name, unit, qty, n in rows], list(
        orders
    )


# ---------------------------------------------------------------- sales
def _wib_day_start(day: date) -> datetime:
    return naive_utc(datetime(day.year, day.month, day.day, tzinfo=WIB))


def _months_between(first: date, last: date) -> list[str]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


MAX_REPORT_DAYS = 366
MAX_REPORT_MONTHS = 120
REPORT_DATES = (date(2000, 1, 1), date(2100, 12, 31))


def _check_report_range(group_by: str, date_from: date, date_to: date) -> None:
    for key, value in (("from", date_from), ("to", date_to)):
        if not REPORT_DATES[0] <= value <= REPORT_DATES[1]:
            raise ValidationFailed(details={key: [_("Tanggal di luar rentang 2000–2100.")]})
    if date_from > date_to:
        raise ValidationFailed(details={"from": [_("Tanggal awal harus sebelum tanggal akhir.")]})
    if group_by == "day" and (date_to - date_from).days >= MAX_REPORT_DAYS:
        raise ValidationFailed(
            _("Laporan harian paling panjang 366 hari; pilih bulanan."),
            details={"from": [_("Rentang terlalu panjang.")]},
        )
    if group_by == "month" and len(_months_between(date_from, date_to)) > MAX_REPORT_MONTHS:
        raise ValidationFailed(
            _("Laporan bulanan paling panjang 120 bulan."),
            details={"from": [_("Rentang terlalu panjang.")]},
        )


def _sales_by_key(vendor: Vendor, group_by: str, start: datetime, end: datetime):
    """(key, gross, refunds, order ids) per WIB day or month. Months are grouped in SQL on the
    stored WIB period; days need the WIB date of each UTC instant, so they are added up here
    (at most 366 days of one shop)."""
    in_range = (
        SpendingRecord.vendor_id == vendor.id,
        SpendingRecord.occurred_at >= start,
        SpendingRecord.occurred_at < end,
    )
    gross: dict[str, int] = defaultdict(int)
    refunds: dict[str, int] = defaultdict(int)
    orders: dict[str, set[int]] = defaultdict(set)
    if group_by == "month":
        signed = db.session.execute(
            select(
                SpendingRecord.period,
                func.coalesce(
                    func.sum(case((SpendingRecord.amount > 0, SpendingRecord.amount), else_=0)), 0
                ),
                func.coalesce(
                    func.sum(case((SpendingRecord.amount < 0, -SpendingRecord.amount), else_=0)), 0
                ),
            )
            .where(*in_range)
            .group_by(SpendingRecord.period)
        ).all()
        positive_orders = db.session.execute(
            select(SpendingRecord.period, SpendingRecord.order_id)
            .where(*in_range, SpendingRecord.amount > 0)
            .distinct()
        ).all()
        for period, order_id in positive_orders:
            orders[period].add(order_id)
        for period, plus, minus in signed:
            gross[period], refunds[period] = int(plus), int(minus)
        return gross, refunds, orders
    records = db.session.execute(
        select(SpendingRecord.occurred_at, SpendingRecord.order_id, SpendingRecord.amount).where(
            *in_range
        )
    ).all()
    for occurred_at, order_id, amount in records:
        key = to_wib(occurred_at).date().isoformat()
        if amount >= 0:
            gross[key] += int(amount)
            orders[key].add(order_id)
        else:
            refunds[key] += -int(amount)
    return gross, refunds, orders


def sales_report(
    user, group_by: str = "day", date_from: date | None = None, date_to: date | None = None
) -> dict[str, Any]:
    """The shop's sales per WIB day or month: paid order lines (gross), refunds and net, from the
    spending records. Defaults: the last 30 days, or the last 12 months. 422 for ranges outside
    2000–2100, longer than 366 days (daily) or 120 months (monthly)."""
    vendor = get_own_vendor(user)
    today = to_wib(now_utc()).date()
    date_to = date_to or today
    for key, value in (("from", date_from), ("to", date_to)):
        if value is not None and not REPORT_DATES[0] <= value <= REPORT_DATES[1]:
            raise ValidationFailed(details={key: [_("Tanggal di luar rentang 2000–2100.")]})
    if date_from is None:
        date_from = (
            date_to - timedelta(days=29)
            if group_by == "day"
            else date(date_to.year - 1 + (date_to.month == 12), date_to.month % 12 + 1, 1)
        )
    _check_report_range(group_by, date_from, date_to)
    start, end = _wib_day_start(date_from), _wib_day_start(date_to + timedelta(days=1))
    gross, refunds, orders = _sales_by_key(vendor, group_by, start, end)
    if group_by == "day":
        keys = [
            (date_from + timedelta(days=i)).isoformat()
            for i in range((date_to - date_from).days + 1)
        ]
    else:
        keys = _months_between(date_from, date_to)
    rows = [
        {
            "period": k,
            "orders": len(orders[k]),
            "gross": gross[k],
            "refunds": refunds[k],
            "net": gross[k] - refunds[k],
        }
        for k in keys
    ]
    totals = {
        "orders": len(set().union(*orders.values())) if orders else 0,
        "gross": sum(gross.values()),
        "refunds": sum(refunds.values()),
    }
    totals["net"] = totals["gross"] - totals["refunds"]
    return {
        "group_by": group_by,
        "date_from": date_from,
        "date_to": date_to,
        "rows": rows,
        "totals": totals,
    }


def sales_report_csv(report: dict[str, Any]) -> str:
    """The sales report as CSV (one row per day or month, then the total)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["period", "orders", "gross", "refunds", "net"])
    for row in report["rows"]:
        writer.writerow([row["period"], row["orders"], row["gross"], row["refunds"], row["net"]])
    t = report["totals"]
    writer.writerow(["total", t["orders"], t["gross"], t["refunds"], t["net"]])
    return out.getvalue()


def sales_today(vendor: Vendor) -> int:
    """Net sales of the shop since midnight WIB."""
    start = _wib_day_start(to_wib(now_utc()).date())
    total = db.session.scalar(
        select(func.coalesce(func.sum(SpendingRecord.amount), 0)).where(
            SpendingRecord.vendor_id == vendor.id, SpendingRecord.occurred_at >= start
        )
    )
    return int(total or 0)


# ---------------------------------------------------------------- business class
def rolling_12m_sales(vendor: Vendor, at: datetime | None = None) -> int:
    """Paid order lines net of refunds over the last 365 days (rolling, not calendar year)."""
    since = naive_utc((at or now_utc()) - timedelta(days=365))
    total = db.session.scalar(
        select(func.coalesce(func.sum(SpendingRecord.amount), 0)).where(
            SpendingRecord.vendor_id == vendor.id, SpendingRecord.occurred_at >= since
        )
    )
    return int(total or 0)


def refresh_umk_class(vendor: Vendor) -> bool:
    """Recompute the derived class from rolling sales; when it changes ("naik kelas" or back
    down), store it and audit it. Flushes only; True when the class changed."""
    derived = rules.class_for_sales(rolling_12m_sales(vendor))
    if derived == vendor.umk_class:
        return False
    old, vendor.umk_class = vendor.umk_class, derived
    record_audit(
        None,
        "vendor.class_changed",
        "vendor",
        vendor.id,
        before={"umk_class": old},
        after={"umk_class": derived},
    )
    db.session.flush()
    return True


def refresh_business_classes(vendor_ids: list[int] | None = None, progress=None) -> int:
    """Refresh every shop's class (for cron); commits per batch. Returns how many changed."""
    ids = (
        vendor_ids
        if vendor_ids is not None
        else list(db.session.scalars(select(Vendor.id).order_by(Vendor.id)))
    )
    changed = 0
    for i, vendor_id in enumerate(ids, start=1):
        vendor = db.session.get(Vendor, vendor_id)
        if vendor is not None and refresh_umk_class(vendor):
            changed += 1
        if i % 200 == 0:
            db.session.commit()
        if progress:
            progress(1)
    db.session.commit()
    return changed


def business_class_of(vendor: Vendor) -> dict[str, Any]:
    """Rolling sales, the class in force, the class the sales imply and the override."""
    sales = rolling_12m_sales(vendor)
    return {
        "vendor_id": vendor.id,
        "rolling_12m_sales": sales,
        "umk_class": vendor.effective_umk_class,
        "derived_class": rules.class_for_sales(sales),
        "override": vendor.umk_class_override,
    }


def get_business_class(user) -> dict[str, Any]:
    """The caller's class: rolling 12-month sales, the class in force, the derived one and any
    admin override."""
    return business_class_of(get_own_vendor(user))


def get_vendor_business_class(admin, vendor_id: int) -> tuple[Vendor, dict[str, Any]]:
    """Any shop's class, for the admin."""
    vendor = db.session.get(Vendor, vendor_id)
    if vendor is None:
        raise NotFound(_("Toko tidak ditemukan."))
    return vendor, business_class_of(vendor)


def override_business_class(
    admin, vendor_id: int, umk_class: str | None, reason: str | None = None
) -> dict[str, Any]:
    """Set (or clear with None) the admin's override of a shop's class, audited."""
    vendor = db.session.get(Vendor, vendor_id)
    if vendor is None:
        raise NotFound(_("Toko tidak ditemukan."))
    before = {
        "umk_class_override": vendor.umk_class_override,
        "umk_class": vendor.effective_umk_class,
    }
    vendor.umk_class_override = umk_class
    record_audit(
        admin,
        "vendor.class_override",
        "vendor",
        vendor.id,
        before=before,
        after={"umk_class_override": umk_class, "umk_class": vendor.effective_umk_class},
        reason=reason,
    )
    db.session.commit()
    return business_class_of(vendor)


def list_categories() -> list[catalog.Category]:
    """Categories a product may be filed under (for the product form)."""
    return list(db.session.scalars(select(catalog.Category).order_by(catalog.Category.name)))


# ---------------------------------------------------------------- dashboard
def low_stock_products(vendor: Vendor, limit: int = 20) -> list[catalog.Product]:
    """Active products at or below their low-stock threshold, emptiest first."""
    return list(
        db.session.scalars(
            select(catalog.Product)
            .where(
                catalog.Product.vendor_id == vendor.id,
                catalog.Product.is_active.is_(True),
                catalog.Product.stock <= catalog.Product.low_stock_threshold,
            )
            .order_by(catalog.Product.stock, catalog.Product.name)
            .limit(limit)
        )
    )


def dashboard(user) -> dict[str, Any]:
    """What a shopkeeper sees first: orders waiting per status, low stock, today's sales, class."""
    from marketplace.ordering.queries import shop_order_counts

    vendor = get_own_vendor(user)
    product_count = (
        db.session.scalar(
            select(func.count())
            .select_from(catalog.Product)
            .where(catalog.Product.vendor_id == vendor.id)
        )
        or 0
    )
    return {
        "vendor": vendor,
        "order_counts": shop_order_counts(user),
        "low_stock": low_stock_products(vendor),
        "sales_today": sales_today(vendor),
        "product_count": product_count,
        "business_class": business_class_of(vendor),
        "period": period_of(now_utc()),
    }


def parse_form_with(schema, form: dict[str, Any]) -> dict[str, Any]:
    """Load page form values with an API schema, so pages and the API validate alike."""
    try:
        return schema.load(form)
    except MarshmallowValidationError as err:
        messages = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
        raise ValidationFailed(_("Periksa isian yang ditandai."), details=messages) from None
