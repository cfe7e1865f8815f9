"""HTTP routes of the catalog area: the public catalog API, admin categories, and the home,
browse, product, shop and category-admin pages. Routes parse, call one service and render."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from marketplace.api import endpoint, require_role
from marketplace.areas.services import area_choices
from marketplace.catalog import bp, services
from marketplace.catalog.schemas import (
    CategoryAdminSchema,
    CategoryCreateSchema,
    CategorySchema,
    CategoryUpdateSchema,
    ProductQuery,
    ProductSchema,
)
from marketplace.errors import ValidationFailed
from marketplace.forms import form_values, load_form
from marketplace.pages import page_query

VENDOR_TYPE_LABELS = {
    "kelontong": _l("Toko kelontong"),
    "umkm": _l("UMKM"),
    "food_centre": _l("Sentra kuliner"),
    "koperasi": _l("Koperasi"),
}


@bp.context_processor
def _catalog_helpers():
    return {"vendor_type_label": lambda t: VENDOR_TYPE_LABELS.get(t, t)}


def _viewer():
    return current_user._get_current_object() if current_user.is_authenticated else None


def _load(schema, data: dict):
    """A page's query or form values through its API schema; unknown keys are ignored."""
    return load_form(schema, data, message=ValidationFailed.message)


# ---------------------------------------------------------------- API
@endpoint(
    bp, "/categories", summary="List categories", public=True, response=CategorySchema, many=True
)
def list_categories():
    """Every category as `{slug, name}`, the name in the request's language."""
    return services.list_categories()


@endpoint(
    bp,
    "/products",
    summary="Search listed products",
    public=True,
    query=ProductQuery,
    response=ProductSchema,
    paginated=True,
)
def list_products(args):
    """A page of listed products for anyone; `nearest` ranks the caller's home kelurahan, then
    kecamatan, then shops with less sales this period. 422 for an unknown sort or a bad boolean."""
    return services.search_products(args, _viewer())


@endpoint(
    bp,
    "/products/<int:product_id>",
    summary="One listed product",
    public=True,
    response=ProductSchema,
    errors=[404],
)
def get_product(product_id):
    """A listed product with its shop and whether it can be bought now; 404 when unlisted."""
    return services.get_product_detail(product_id)


@endpoint(
    bp,
    "/admin/categories",
    summary="List categories with both names",
    roles=("admin",),
    response=CategoryAdminSchema,
    many=True,
)
def admin_list_categories():
    """Admin: every category with its Indonesian and English names."""
    return services.list_categories()


@endpoint(
    bp,
    "/admin/categories",
    "POST",
    summary="Create a category",
    roles=("admin",),
    body=CategoryCreateSchema,
    response=CategoryAdminSchema,
    status=201,
    errors=[409],
)
def admin_create_category(data):
    """Admin: add a category; 409 slug_taken."""
    return services.create_category(require_role("admin"), data)


@endpoint(
    bp,
    "/admin/categories/<slug>",
    "PATCH",
    summary="Change a category",
    roles=("admin",),
    body=CategoryUpdateSchema,
    response=CategoryAdminSchema,
    errors=[404, 409],
)
def admin_update_category(slug, data):
    """Admin: rename a category or change its slug; 404 unknown, 409 slug_taken."""
    return services.update_category(require_role("admin"), slug, data)


# ---------------------------------------------------------------- pages
@bp.get("/")
def home():
    """Home page for everyone: search, categories, local products, products near the caller."""
    return render_template("catalog/home.html", **services.home_highlights(_viewer()))


@bp.get("/products")
def browse():
    """Browse and search listed products with filters, sorts and pagination."""
    args = _load(ProductQuery(), page_query(request.args))
    page = services.search_products(args, _viewer())
    return render_template(
        "catalog/browse.html",
        page=page,
        args=args,
        categories=services.list_categories(),
        area_groups=area_choices(),
        can_sort_nearest=bool(getattr(_viewer(), "area_code", None)),
    )


@bp.get("/products/<int:product_id>")
def product_page(product_id: int):
    """One listed product with price, stock, shop, badges and the add-to-cart form; 404 unlisted."""
    product = services.get_product_detail(product_id)
    return render_template(
        "catalog/product.html",
        product=product,
        purchasable=services.is_purchasable(product),
        proximity=services.proximity_to(_viewer(), product.vendor),
    )


@bp.get("/shops/<int:vendor_id>")
def shop(vendor_id: int):
    """A verified shop's public page listing its products; 404 when not verified."""
    args = _load(ProductQuery(), page_query(request.args))
    vendor, page, at_cap = services.shop_page(vendor_id, args)
    return render_template("catalog/shop.html", vendor=vendor, page=page, at_cap=at_cap)


@bp.get("/admin/categories")
def admin_categories():
    """Admin page: list categories, add one, rename one."""
    require_role("admin")
    return render_template("catalog/admin_categories.html", categories=services.list_categories())


@bp.post("/admin/categories")
def admin_categories_create():
    """Admin form: add a category, then back to the list (errors are flashed)."""
    actor = require_role("admin")
    data = _load(CategoryCreateSchema(), _form())
    category = services.create_category(actor, data)
    flash(_("Kategori %(name)s ditambahkan.", name=category.name), "success")
    return redirect(url_for("catalog.admin_categories"))


@bp.post("/admin/categories/<slug>")
def admin_categories_update(slug: str):
    """Admin form: rename a category, then back to the list (errors are flashed)."""
    actor = require_role("admin")
    data = _load(CategoryUpdateSchema(), _form())
    category = services.update_category(actor, slug, data)
    flash(_("Kategori %(name)s disimpan.", name=category.name), "success")
    return redirect(url_for("catalog.admin_categories"))


def _form() -> dict:
    """The posted fields without the CSRF token; an empty English name clears it."""
    data = form_values(request.form)
    if "name_en" in data and not data["name_en"].strip():
        data["name_en"] = None
    return data
