"""The catalog: which products are listed, search with local matching, shop pages, the home
highlights and the admin's categories.

Listed = active products of verified shops, minus shops that reached the fair-share cap this
period (SPEC §3). Other areas reuse `listed_products_query`, `get_listed_product` and
`is_purchasable` so the rule lives in one place.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload

from marketplace.api import Page, page_args, paginate
from marketplace.areas.models import Area
from marketplace.areas.services import get_area, resolve_place
from marketplace.audit.models import record_audit
from marketplace.catalog import rules
from marketplace.catalog.models import Category, Product
from marketplace.errors import Conflict, NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.ledger.queries import (
    vendor_at_cap,
    vendor_sales_subquery,
    vendors_at_cap_ids,
)
from marketplace.shops.models import Vendor
from marketplace.timeutil import current_period

HIGHLIGHTS = 6


# Outside a request (CLI, jobs) the locale selector answers the default, Indonesian.
_ = gettext


class ProductNotFound(NotFound):
    code, message = "product_not_found", "This product does not exist or is not listed."


class ShopNotListed(NotFound):
    code, message = "shop_not_found", "This shop does not exist or is not verified."


class CategoryNotFound(NotFound):
    code, message = "category_not_found", "This category does not exist."


class SlugTaken(Conflict):
    code, message = "slug_taken", "Another category already uses this slug."


# ---------------------------------------------------------------- what is listed
def listed_products_query(period: str | None = None, *, include_capped: bool = False) -> Select:
    """`select(Product)` joined to its Vendor, limited to listed products: active, of a verified
    shop, and (unless `include_capped`) of a shop below the fair-share cap of `period`
    (default: the current local period). Add filters and ordering to it; it does not run the
    listing (it reads the cap and the ids of the shops at the cap)."""
    stmt = (
        select(Product)
        .join(Product.vendor)
        .where(Product.is_active.is_(True), Vendor.status == "verified")
    )
    if not include_capped:
        # The capped shops are read once here (a handful of ids) instead of being a subquery that
        # the count and the page would each re-aggregate over the whole period's sales.
        capped = vendors_at_cap_ids(period or current_period())
        if capped:
            stmt = stmt.where(Product.vendor_id.not_in(capped))
    return stmt


def get_listed_product(product_id: int) -> Product:
    """The product if it is listed (active, verified shop), whatever its stock or its shop's cap:
    a shop at the cap keeps its product pages, and checkout answers 409 vendor_cap_reached.
    Raises ProductNotFound (404) for an absent, inactive or pending/suspended shop's product."""
    product = db.session.scalar(
        listed_products_query(include_capped=True)
        .where(Product.id == product_id)
        .options(contains_eager(Product.vendor), selectinload(Product.category))
    )
    if product is None:
        raise ProductNotFound(_("Produk tidak ditemukan atau tidak dijual."))
    return product


def is_purchasable(product: Product, period: str | None = None) -> bool:
    """True when `product` can be bought now: listed, in stock and its shop below the cap.
    Always asks the database (a cached answer could predate a sale); leaves the cap answer on
    the product (`cap_reached`) for the API's `purchasable`."""
    product.cap_reached = vendor_at_cap(product.vendor_id, period)
    return rules.is_purchasable(
        is_active=product.is_active,
        vendor_status=product.vendor.status,
        stock=product.stock,
        at_cap=product.cap_reached,
    )


def get_product_detail(product_id: int) -> Product:
    """One listed product for anyone, with `purchasable` known; 404 when unlisted."""
    product = get_listed_product(product_id)
    is_purchasable(product)
    return product


# ---------------------------------------------------------------- search and local matching
def _origin(viewer) -> Area | None:
    """The caller's home area for `nearest` (by code), None without one."""
    code = getattr(viewer, "area_code", None) if viewer is not None else None
    return get_area(code)


def proximity_to(viewer, vendor: Vendor) -> int | None:
    """How near `vendor` is to the caller's home (rules.SAME_KELURAHAN, SAME_KECAMATAN or
    ELSEWHERE); None when the caller has no home area."""
    origin = _origin(viewer)
    if origin is None:
        return None
    return rules.proximity_rank(origin.code, vendor.area_code)


def _name_hits(terms: list[str]):
    """How many search words the name contains (names outrank descriptions)."""
    return sum(
        (case((Product.name.icontains(t, autoescape=True), 1), else_=0) for t in terms), start=0
    )


def _ordering(stmt: Select, sort: str, terms: list[str], origin, period: str) -> Select:
    if sort == "price":
        return stmt.order_by(Product.price.asc(), Product.id.asc())
    if sort == "-price":
        return stmt.order_by(Product.price.desc(), Product.id.asc())
    if sort == "newest":
        return stmt.order_by(Product.created_at.desc(), Product.id.desc())
    relevance = [_name_hits(terms).desc()] if terms else []
    if sort == "nearest":
        # Codes are hierarchical: a kelurahan's code starts with its kecamatan's code and a dot.
        proximity = case(
            (Vendor.area_code == origin.code, rules.SAME_KELURAHAN),
            (Vendor.area_code.startswith(origin.kecamatan_code + "."), rules.SAME_KECAMATAN),
            else_=rules.ELSEWHERE,
        )
        # Among equally near shops the one that sold least this period comes first, so orders
        # spread evenly (the purpose of e-Peken's fair-share cap).
        sales = vendor_sales_subquery(period)
        stmt = stmt.outerjoin(sales, sales.c.vendor_id == Product.vendor_id)
        return stmt.order_by(
            proximity,
            func.coalesce(sales.c.sales, 0).asc(),
            *relevance,
            Product.name.asc(),
            Product.id.asc(),
        )
    return stmt.order_by(*relevance, Product.name.asc(), Product.id.asc())


def _kelurahan_filter(kelurahan: str, kecamatan: str | None):
    """Shops in the kelurahan a person named (a code, a name unique in the city, or a name and
    its kecamatan; 422 when ambiguous or unknown); by name while the city has no areas."""
    place = resolve_place(kelurahan=kelurahan, kecamatan=kecamatan)
    if place is None:
        return func.lower(Vendor.kelurahan) == kelurahan.strip().lower()
    return Vendor.area_code == place.code


def search_products(args: dict[str, Any], viewer=None) -> Page:
    """A page of listed products for anyone, filtered by `q` (every word in the name or the
    description, case-insensitive), category slug, shop, kelurahan, local-only and in-stock, and
    sorted by relevance, price, -price, newest or nearest to the caller's home kelurahan.
    `Page.extra["sort"]` tells which sort was applied (nearest falls back without a home)."""
    period = current_period()
    stmt = listed_products_query(period).options(
        contains_eager(Product.vendor), selectinload(Product.category)
    )
    terms = rules.search_terms(args.get("q"))
    for term in terms:
        stmt = stmt.where(
            or_(
                Product.name.icontains(term, autoescape=True),
                Product.description.icontains(term, autoescape=True),
            )
        )
    if args.get("category"):
        stmt = stmt.where(
            Product.category_id.in_(
                select(Category.id).where(Category.slug == args["category"].lower())
            )
        )
    if args.get("vendor_id"):
        stmt = stmt.where(Product.vendor_id == args["vendor_id"])
    if args.get("kelurahan"):
        stmt = stmt.where(_kelurahan_filter(args["kelurahan"], args.get("kecamatan")))
    if args.get("local_only"):
        stmt = stmt.where(Product.is_local_product.is_(True))
    if args.get("in_stock"):
        stmt = stmt.where(Product.stock > 0)
    origin = _origin(viewer) if args.get("sort") == "nearest" else None
    sort = rules.effective_sort(
        args.get("sort"), has_terms=bool(terms), has_origin=origin is not None
    )
    page = paginate(_ordering(stmt, sort, terms, origin, period), *page_args(args), count_stmt=stmt)
    for product in page.items:
        product.cap_reached = False  # the listing already left out shops at the cap
    page.extra["sort"] = sort
    return page


def _highlight(viewer=None, **args) -> list[Product]:
    return search_products({"page": 1, "per_page": HIGHLIGHTS, **args}, viewer).items


def home_highlights(viewer=None) -> dict[str, Any]:
    """What the home page shows: categories, local (UMKM) products, products near the caller's
    home kelurahan (when known) and the newest products."""
    origin = _origin(viewer)
    return {
        "categories": list_categories(),
        "local_products": _highlight(local_only=True, in_stock=True, sort="newest"),
        "near_products": _highlight(viewer, in_stock=True, sort="nearest") if origin else [],
        "home_kelurahan": origin.name if origin else None,
        "newest_products": _highlight(sort="newest"),
    }


def get_listed_shop(vendor_id: int) -> Vendor:
    """A verified shop for its public page; ShopNotListed (404) when absent or not verified."""
    vendor = db.session.scalar(
        select(Vendor).where(Vendor.id == vendor_id, Vendor.status == "verified")
    )
    if vendor is None:
        raise ShopNotListed(_("Toko tidak ditemukan atau belum terverifikasi."))
    return vendor


def shop_page(vendor_id: int, args: dict[str, Any]) -> tuple[Vendor, Page, bool]:
    """A verified shop, a page of its listed products and whether it is at the cap this period
    (then its products are off the listing until the next period)."""
    vendor = get_listed_shop(vendor_id)
    page = search_products({**args, "vendor_id": vendor.id}, None)
    return vendor, page, vendor_at_cap(vendor.id)


# ---------------------------------------------------------------- categories
def list_categories() -> list[Category]:
    """Every category, by Indonesian name."""
    return list(db.session.scalars(select(Category).order_by(Category.name, Category.id)))


def get_category(slug: str) -> Category:
    """One category by slug; CategoryNotFound (404)."""
    category = None
    if rules.is_valid_slug(slug):  # a malformed slug (even a NUL byte) is simply not found
        category = db.session.scalar(select(Category).where(Category.slug == slug))
    if category is None:
        raise CategoryNotFound(_("Kategori tidak ditemukan."))
    return category


def _snapshot(category: Category) -> dict[str, Any]:
    return {"slug": category.slug, "name": category.name, "name_en": category.name_en}


def _ensure_slug_free(slug: str, exclude_id: int | None = None) -> None:
    stmt = select(Category.id).where(Category.slug == slug)
    if exclude_id is not None:
        stmt = stmt.where(Category.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        raise SlugTaken(
            _("Slug %(slug)s sudah dipakai kategori lain.", slug=slug),
            details={"slug": [_("Sudah dipakai.")]},
        )


def _commit_category(category: Category) -> None:
    try:
        db.session.commit()
    except IntegrityError:  # two admins racing for one slug
        db.session.rollback()
        raise SlugTaken(
            _("Slug %(slug)s sudah dipakai kategori lain.", slug=category.slug),
            details={"slug": [_("Sudah dipakai.")]},
        ) from None


def create_category(actor, data: dict[str, Any]) -> Category:
    """Admin: add a category `{slug, name, name_en?}`; SlugTaken (409) when the slug is used."""
    slug = data["slug"]
    _ensure_slug_free(slug)
    category = Category(slug=slug, name=data["name"], name_en=data.get("name_en") or None)
    db.session.add(category)
    db.session.flush()
    record_audit(actor, "category.create", "category", category.id, after=_snapshot(category))
    _commit_category(category)
    return category


def update_category(actor, slug: str, data: dict[str, Any]) -> Category:
    """Admin: rename a category or change its slug; 404 unknown slug, 409 slug taken,
    422 when nothing to change."""
    category = get_category(slug)
    if not any(k in data for k in ("slug", "name", "name_en")):
        raise ValidationFailed(
            _("Tidak ada yang diubah."), details={"_schema": [_("Kirim slug, name atau name_en.")]}
        )
    before = _snapshot(category)
    if "slug" in data and data["slug"] != category.slug:
        _ensure_slug_free(data["slug"], exclude_id=category.id)
        category.slug = data["slug"]
    if data.get("name"):
        category.name = data["name"]
    if "name_en" in data:
        category.name_en = data["name_en"] or None
    record_audit(
        actor, "category.update", "category", category.id, before=before, after=_snapshot(category)
    )
    _commit_category(category)
    return category
