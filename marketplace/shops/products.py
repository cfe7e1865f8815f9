"""The shopkeeper's products: create, edit, photo, stock adjustments and their movement history,
low stock. Every query is scoped to the caller's shop; another shop's product is NotFound.
Services commit once; helpers only flush."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import selectinload

from marketplace.api import Page, paginate

# A module reference, not names: catalog.models imports shops.models, and whichever of the two
# is imported first must not find the other half-initialised.
from marketplace.catalog import models as catalog
from marketplace.errors import NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.shops import rules, uploads
from marketplace.shops.errors import InsufficientStock, SkuTaken
from marketplace.shops.flag_reviews import claim_flags, reopen_claims
from marketplace.shops.models import StockMovement, Vendor
from marketplace.shops.profile import get_own_vendor

# Outside a request (CLI, jobs) the locale selector answers the default, Indonesian.
_ = gettext


PRODUCT_FIELDS = (
    "name",
    "description",
    "unit",
    "price",
    "sku",
    "is_active",
    "low_stock_threshold",
)
# The flag claims go through flag_reviews.claim_flags: a claim of true waits for the city.
FLAG_FIELDS = ("is_pdn", "tkdn_bps", "is_local_product", "vat_exempt")


def _flag_claims(data: dict[str, Any]) -> dict[str, Any]:
    return {k: data[k] for k in FLAG_FIELDS if k in data}


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


def record_movement(
    product: catalog.Product, delta: int, stock_after: int, kind: str, note: str | None, actor
) -> StockMovement:
    """Record one stock change of a product (who, why, the stock after); flushes only."""
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
        .options(selectinload(catalog.Product.category), selectinload(catalog.Product.flag_reviews))
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
    A pending shop may prepare products: they are listed once the city verifies it. Its PDN,
    local and VAT-exempt claims wait for the city's review (until then: none of them)."""
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
    claim_flags(user, product, _flag_claims(data))
    if product.stock:
        record_movement(product, product.stock, product.stock, "initial", _("Stok awal"), user)
    db.session.commit()
    return product


def update_product(user, product_id: int, data: dict[str, Any]) -> catalog.Product:
    """Edit a product of the caller's shop (deactivate with is_active=false); stock is not here.
    A flag claimed true (or a changed TKDN) waits for the city's review; false applies at once.
    A new name or category sends the approved flags back to review (they were about the old one)."""
    vendor = get_own_vendor(user)
    product = _own_product(vendor, product_id)
    identity = (product.name, product.category_id)
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
    if (product.name, product.category_id) != identity:
        reopen_claims(user, product)
    claim_flags(user, product, _flag_claims(data))
    db.session.commit()
    return product


def save_product_image(user, product_id: int, upload) -> catalog.Product:
    """Store a product photo (JPEG, PNG or WebP by its real bytes, at most 2 MB) under a random
    name in UPLOAD_FOLDER; the old photo is removed."""
    product = get_own_product(user, product_id)
    content, kind = uploads.read_checked_upload(
        upload,
        "image",
        max_bytes=rules.MAX_IMAGE_BYTES,
        sniff=rules.sniff_image_type,
        missing=_("Pilih foto produk."),
        too_big=(_("Foto terlalu besar (maksimal 2 MB)."), _("Maksimal 2 MB.")),
        wrong_type=(_("Foto harus berupa JPEG, PNG atau WebP."), _("Harus JPEG, PNG atau WebP.")),
    )
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    name = uploads.store_upload(
        folder, f"p{product.id}", rules.IMAGE_EXTENSIONS[kind], content
    ).name
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
def apply_stock_delta(product: catalog.Product, delta: int) -> int | None:
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
    new_stock = apply_stock_delta(product, delta)
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
    movement = record_movement(
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


def list_categories() -> list[catalog.Category]:
    """Categories a product may be filed under (for the product form)."""
    return list(db.session.scalars(select(catalog.Category).order_by(catalog.Category.name)))


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
