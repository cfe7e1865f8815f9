"""HTTP routes of the vendor area: the `/api/v1/vendor/*` API for the shopkeeper's own shop and
the `/shop` pages. Routes parse, call one service, answer. Shop applications and the admin's
review of shops are in `application_routes`; business-class declarations, their review and the
override in `business_class_routes`."""

from __future__ import annotations

from datetime import date

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import RAISE

from marketplace.api import PageQuery, api_user, endpoint, page_args, require_role
from marketplace.errors import ValidationFailed
from marketplace.forms import load_form
from marketplace.money import parse_rupiah
from marketplace.ordering import queries as shop_orders
from marketplace.pages import page_arg
from marketplace.shops import (
    application_routes,  # noqa: F401  (its routes join this blueprint)
    bp,
    business_class_routes,  # noqa: F401  (its routes join this blueprint)
    flag_review_routes,  # noqa: F401  (its routes join this blueprint)
    flag_reviews,
    imports,
    products,
    profile,
    reports,
    rules,
)
from marketplace.shops import business_class as classes
from marketplace.shops import orders as shop_order
from marketplace.shops.schemas import (
    ProductCreateSchema,
    ProductImportResultSchema,
    ProductListQuery,
    ProductOwnerSchema,
    ProductUpdateSchema,
    ShopSalesReportQuery,
    ShopSalesReportSchema,
    ShopSchema,
    ShopUpdateSchema,
    StockAdjustmentResultSchema,
    StockAdjustmentSchema,
    StockMovementSchema,
)
from marketplace.timeutil import in_year_range, now_utc, today_local

VENDOR = ("vendor",)


# ================================================================ API


def _shop_form(schema, form: dict) -> dict:
    """A shop page's form through its API schema (forms.load_form): errors keyed by field name,
    which the shop templates show beside each field; a field the schema does not know is refused."""
    return load_form(schema, form, message=_("Periksa isian yang ditandai."), unknown=RAISE)


@endpoint(
    bp, "/vendor/shop", summary="My shop profile", roles=VENDOR, response=ShopSchema, tag="vendor"
)
def get_shop():
    """The caller's shop, with bank details and status; 404 when the vendor has no shop."""
    return profile.get_shop(api_user())


@endpoint(
    bp,
    "/vendor/shop",
    "PATCH",
    summary="Edit my shop profile",
    roles=VENDOR,
    body=ShopUpdateSchema,
    response=ShopSchema,
    tag="vendor",
)
def patch_shop(data):
    """Change name, description, phone (E.164), NPWP (16 digits), address and bank details;
    an invalid phone or NPWP is 422. Status, NIB and class are
    the city's and are refused as unknown fields (422)."""
    return profile.update_shop(api_user(), data)


@endpoint(
    bp,
    "/vendor/products",
    summary="My products",
    roles=VENDOR,
    query=ProductListQuery,
    response=ProductOwnerSchema,
    paginated=True,
    tag="vendor",
)
def list_products(args):
    """A page of the caller's products; `q` searches name and SKU, `active` and `low_stock`
    filter."""
    page, per_page = page_args(args)
    return products.list_products(
        api_user(),
        q=args.get("q"),
        active=args.get("active"),
        low_stock=args.get("low_stock"),
        page=page,
        per_page=per_page,
    )


@endpoint(
    bp,
    "/vendor/products",
    "POST",
    summary="Add a product",
    roles=VENDOR,
    body=ProductCreateSchema,
    response=ProductOwnerSchema,
    status=201,
    errors=[409],
    tag="vendor",
)
def create_product(data):
    """Create a product in the caller's shop; initial stock becomes an `initial` movement.
    422 unknown category; 409 `sku_taken`."""
    return products.create_product(api_user(), data)


@endpoint(
    bp,
    "/vendor/products/<int:product_id>",
    summary="One of my products",
    roles=VENDOR,
    response=ProductOwnerSchema,
    tag="vendor",
)
def get_product(product_id):
    """A product of the caller's shop; 404 for another shop's."""
    return products.get_own_product(api_user(), product_id)


@endpoint(
    bp,
    "/vendor/products/<int:product_id>",
    "PATCH",
    summary="Edit one of my products",
    roles=VENDOR,
    body=ProductUpdateSchema,
    response=ProductOwnerSchema,
    errors=[409],
    tag="vendor",
)
def patch_product(product_id, data):
    """Edit fields of a product (is_active=false deactivates it); stock is refused here (422):
    use stock adjustments."""
    return products.update_product(api_user(), product_id, data)


@endpoint(
    bp,
    "/vendor/products/<int:product_id>/image",
    "POST",
    summary="Upload a product photo",
    roles=VENDOR,
    multipart={"image": "file"},
    response=ProductOwnerSchema,
    errors=[422],
    tag="vendor",
)
def upload_product_image(product_id):
    """Multipart `image`: JPEG, PNG or WebP (checked by its bytes), at most 2 MB."""
    return products.save_product_image(api_user(), product_id, request.files.get("image"))


@endpoint(
    bp,
    "/vendor/products/<int:product_id>/stock-adjustments",
    "POST",
    summary="Restock or correct stock",
    roles=VENDOR,
    body=StockAdjustmentSchema,
    response=StockAdjustmentResultSchema,
    status=201,
    errors=[409],
    tag="vendor",
)
def adjust_stock(product_id, data):
    """Add (restock) or remove (correction) stock with a reason; 409 `insufficient_stock` when
    the result would be below zero, and nothing changes."""
    return products.adjust_stock(
        api_user(), product_id, data["delta"], data["reason"], data.get("kind")
    )


@endpoint(
    bp,
    "/vendor/products/<int:product_id>/stock-movements",
    summary="Stock history",
    roles=VENDOR,
    query=PageQuery,
    response=StockMovementSchema,
    paginated=True,
    tag="vendor",
)
def list_stock_movements(product_id, args):
    """Every change of a product's stock (sales, releases, restocks, corrections, imports) with
    who, why and when, newest first."""
    page, per_page = page_args(args)
    return products.list_stock_movements(api_user(), product_id, page, per_page)


@endpoint(
    bp,
    "/vendor/products/import",
    "POST",
    summary="Import products from CSV",
    roles=VENDOR,
    multipart={"file": "file"},
    response=ProductImportResultSchema,
    errors=[422],
    tag="vendor",
)
def import_products():
    """Multipart CSV `file` (columns as in the template) → {created, updated, errors}; rows are
    matched by SKU so a re-import updates; bad rows are reported and never block good ones."""
    return imports.import_products(api_user(), request.files.get("file"))


@endpoint(
    bp,
    "/vendor/products/import-template",
    summary="CSV template for product import",
    roles=VENDOR,
    produces=["text/csv"],
    tag="vendor",
)
def import_template():
    """The import CSV header with one example row."""
    return _csv_download(imports.import_template_csv(), "peken-produk-template.csv")


@endpoint(
    bp,
    "/vendor/sales-report",
    summary="My sales per day or month",
    roles=VENDOR,
    query=ShopSalesReportQuery,
    response=ShopSalesReportSchema,
    produces=["text/csv"],
    tag="vendor",
)
def sales_report(args):
    """Paid order lines net of refunds per day or month (the city's clock) (`?format=csv` downloads it)."""
    report = reports.sales_report(
        api_user(), args["group_by"], args.get("date_from"), args.get("date_to")
    )
    if args["format"] == "csv":
        return _csv_download(
            reports.sales_report_csv(report),
            f"penjualan-{report['date_from']}-{report['date_to']}.csv",
        )
    return report


def _csv_download(text: str, filename: str) -> Response:
    """A CSV attachment with a BOM, so spreadsheet programs read UTF-8 (rupiah, names) right."""
    return Response(
        "\ufeff" + text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# ================================================================ pages
INT_FIELDS = ("price", "stock", "low_stock_threshold")
BOOL_FIELDS = ("is_active", "is_local_product", "is_pdn", "vat_exempt")


@bp.context_processor
def _flag_helpers():
    """The product form shows each flag claim's review state and the TKDN in percent."""
    return {
        "product_flag_states": flag_reviews.flag_states,
        "format_percent": rules.format_percent_bps,
    }


PRODUCT_TEXT_FIELDS = ("name", "description", "category", "unit", "sku")


def _shopkeeper():
    return require_role(*VENDOR)


def _product_form(form, *, with_stock: bool) -> dict:
    """Form fields → the API body shape (checkboxes absent = false; `12.500` = 12500)."""
    values: dict = {k: form.get(k, "") for k in PRODUCT_TEXT_FIELDS if k in form}
    for key in INT_FIELDS:
        if key == "stock" and not with_stock:
            continue
        raw = (form.get(key) or "").strip()
        if raw:
            try:
                values[key] = parse_rupiah(raw) if key == "price" else rules.parse_whole_number(raw)
            except ValueError:
                values[key] = raw  # the schema answers "not a valid integer"
    for key in BOOL_FIELDS:
        values[key] = key in form
    if "tkdn" in form:
        try:
            values["tkdn_bps"] = rules.parse_percent_bps(form.get("tkdn"))
        except ValueError:
            values["tkdn_bps"] = form.get("tkdn")  # the schema answers "not a valid integer"
    return values


@bp.get("/shop")
def dashboard():
    """The shopkeeper's home: new orders, low stock, today's sales and business class."""
    _shopkeeper()
    return render_template("shops/dashboard.html", **reports.dashboard(api_user()))


@bp.route("/shop/profile", methods=["GET", "POST"])
def profile_page():
    """Edit the shop profile and bank account for payouts."""
    user = _shopkeeper()
    vendor = profile.get_shop(user)
    errors: dict = {}
    if request.method == "POST":
        form = {k: request.form.get(k, "") for k in profile.SHOP_FIELDS if k in request.form}
        try:
            profile.update_shop(user, _shop_form(ShopUpdateSchema(), form))
        except ValidationFailed as err:
            # Re-render with what was typed: retyping on a phone is what shopkeepers hate most.
            errors = err.details
            return render_template(
                "shops/profile.html", vendor=vendor, values=request.form, errors=errors
            ), 422
        flash(_("Profil toko disimpan."), "success")
        return redirect(url_for("vendor.profile_page"))
    return render_template("shops/profile.html", vendor=vendor, values=None, errors=errors)


@bp.get("/shop/products")
def products_page():
    """The shop's products with search, filters and pagination."""
    user = _shopkeeper()
    q = request.args.get("q") or None
    filter_ = request.args.get("filter", "")
    page = page_arg(request.args)
    result = products.list_products(
        user,
        q=q,
        page=page,
        per_page=20,
        active={"active": True, "inactive": False}.get(filter_),
        low_stock=True if filter_ == "low" else None,
    )
    return render_template(
        "shops/products.html",
        page=result,
        q=q or "",
        filter=filter_,
        vendor=profile.get_shop(user),
    )


@bp.route("/shop/products/new", methods=["GET", "POST"])
def product_new_page():
    """Create a product (name, category, price, initial stock…)."""
    user = _shopkeeper()
    if request.method == "POST":
        try:
            data = _shop_form(ProductCreateSchema(), _product_form(request.form, with_stock=True))
            product = products.create_product(user, data)
        except ValidationFailed as err:
            return render_template(
                "shops/product_form.html",
                product=None,
                values=request.form,
                errors=err.details,
                categories=products.list_categories(),
            ), 422
        flash(_("Produk %(name)s ditambahkan.", name=product.name), "success")
        return redirect(url_for("vendor.product_edit_page", product_id=product.id))
    return render_template(
        "shops/product_form.html",
        product=None,
        values=None,
        errors={},
        categories=products.list_categories(),
    )


@bp.route("/shop/products/<int:product_id>/edit", methods=["GET", "POST"])
def product_edit_page(product_id: int):
    """Edit a product and its photo."""
    user = _shopkeeper()
    product = products.get_own_product(user, product_id)
    if request.method == "POST":
        try:
            data = _shop_form(ProductUpdateSchema(), _product_form(request.form, with_stock=False))
            products.update_product(user, product_id, data)
        except ValidationFailed as err:
            return render_template(
                "shops/product_form.html",
                product=product,
                values=request.form,
                errors=err.details,
                categories=products.list_categories(),
            ), 422
        flash(_("Produk disimpan."), "success")
        return redirect(url_for("vendor.product_edit_page", product_id=product_id))
    return render_template(
        "shops/product_form.html",
        product=product,
        values=None,
        errors={},
        categories=products.list_categories(),
    )


@bp.post("/shop/products/<int:product_id>/image")
def product_image_page(product_id: int):
    """Upload the product photo from the edit page."""
    user = _shopkeeper()
    products.save_product_image(user, product_id, request.files.get("image"))
    flash(_("Foto produk disimpan."), "success")
    return redirect(url_for("vendor.product_edit_page", product_id=product_id))


@bp.post("/shop/products/<int:product_id>/active")
def product_active_page(product_id: int):
    """Deactivate (hide from buyers) or reactivate a product; asked for confirmation first."""
    user = _shopkeeper()
    if request.form.get("active") not in ("0", "1"):
        raise ValidationFailed(details={"active": [_("Wajib diisi.")]})
    active = request.form.get("active") == "1"
    product = products.update_product(user, product_id, {"is_active": active})
    flash(
        _("%(name)s ditampilkan lagi.", name=product.name)
        if active
        else _("%(name)s dinonaktifkan.", name=product.name),
        "success",
    )
    return redirect(
        request.form.get("next")
        if request.form.get("next", "").startswith("/shop")
        else url_for("vendor.products_page")
    )


@bp.route("/shop/products/<int:product_id>/stock", methods=["GET", "POST"])
def stock_page(product_id: int):
    """Quick restock buttons, a correction form with a reason, and the movement history."""
    user = _shopkeeper()
    if request.method == "POST":
        raw = {"delta": request.form.get("delta", ""), "reason": request.form.get("reason", "")}
        if request.form.get("kind"):
            raw["kind"] = request.form["kind"]
        try:
            raw["delta"] = rules.parse_whole_number(raw["delta"])
        except ValueError:
            pass
        data = _shop_form(StockAdjustmentSchema(), raw)
        result = products.adjust_stock(
            user, product_id, data["delta"], data["reason"], data.get("kind")
        )
        flash(_("Stok sekarang %(n)s.", n=result.stock), "success")
        return redirect(url_for("vendor.stock_page", product_id=product_id))
    product = products.get_own_product(user, product_id)
    page = page_arg(request.args)
    movements = products.list_stock_movements(user, product_id, page, 20)
    return render_template(
        "shops/stock.html",
        product=product,
        movements=movements,
        low=rules.is_low_stock(product.stock, product.low_stock_threshold),
    )


@bp.route("/shop/products/import", methods=["GET", "POST"])
def import_page():
    """Upload a product CSV and see which rows were created, updated or refused."""
    user = _shopkeeper()
    result = None
    if request.method == "POST":
        result = imports.import_products(user, request.files.get("file"))
        flash(
            _(
                "%(c)s produk baru, %(u)s diperbarui, %(e)s baris gagal.",
                c=result["created"],
                u=result["updated"],
                e=len(result["errors"]),
            ),
            "warning" if result["errors"] else "success",
        )
    return render_template("shops/import.html", result=result, columns=rules.IMPORT_COLUMNS)


@bp.get("/shop/orders")
def orders_page():
    """The shop's paid orders by status (tabs with counts), each with its next action."""

    user = _shopkeeper()
    tab = request.args.get("tab", "paid")
    if tab not in shop_orders.SHOP_ORDER_TABS:
        tab = "paid"
    page = page_arg(request.args)
    return render_template(
        "shops/orders.html",
        tab=tab,
        tabs=shop_orders.SHOP_ORDER_TABS,
        counts=shop_orders.shop_order_counts(user),
        page=shop_orders.list_shop_orders(user, tab=tab, page=page),
        today_iso=today_local().isoformat(),
    )


def _back_to_orders(default_tab: str):

    tab = request.form.get("tab") or default_tab
    return redirect(
        url_for("vendor.orders_page", tab=tab if tab in shop_orders.SHOP_ORDER_TABS else None)
    )


@bp.post("/shop/orders/<int:order_id>/accept")
def accept_order_page(order_id: int):
    """Accept a paid order (ordering's state machine; 409 flashes when not allowed)."""
    from marketplace.ordering.lifecycle import accept_order

    user = _shopkeeper()
    shop_order.get_shop_order(user, order_id)
    order = accept_order(user, order_id)
    flash(_("Pesanan %(n)s diterima. Siapkan barangnya.", n=order.number), "success")
    return _back_to_orders("paid")


@bp.post("/shop/orders/<int:order_id>/reject")
def reject_order_page(order_id: int):
    """Reject a paid order with a reason; the buyer is refunded in full by ordering."""
    from marketplace.ordering.lifecycle import reject_order

    user = _shopkeeper()
    shop_order.get_shop_order(user, order_id)
    reason = (request.form.get("reason") or "").replace("\x00", "").strip()[:1000]
    if len(reason) < 3:
        raise ValidationFailed(
            _("Tulis alasan penolakan untuk pembeli."), details={"reason": [_("Wajib diisi.")]}
        )
    order = reject_order(user, order_id, reason)
    flash(
        _("Pesanan %(n)s ditolak; pembeli mendapat pengembalian dana.", n=order.number), "success"
    )
    return _back_to_orders("paid")


@bp.post("/shop/orders/<int:order_id>/ready")
def ready_order_page(order_id: int):
    """Mark an accepted order ready for pickup or delivery."""
    from marketplace.ordering.lifecycle import mark_order_ready

    user = _shopkeeper()
    shop_order.get_shop_order(user, order_id)
    order = mark_order_ready(user, order_id)
    flash(_("Pesanan %(n)s siap.", n=order.number), "success")
    return _back_to_orders("accepted")


@bp.post("/shop/orders/<int:order_id>/deliver")
def deliver_order_page(order_id: int):
    """Record handing an office's order over: the day, who received it, an optional note."""
    from marketplace.ordering.lifecycle import record_delivery

    user = _shopkeeper()
    shop_order.get_shop_order(user, order_id)
    try:
        delivered_on = date.fromisoformat(request.form.get("delivered_on") or "")
    except ValueError:
        raise ValidationFailed(
            _("Isi tanggal serah terima."), details={"delivered_on": [_("Wajib diisi.")]}
        ) from None
    order = record_delivery(
        user,
        order_id,
        delivered_on=delivered_on,
        received_by=(request.form.get("received_by") or "")[:120],
        note=(request.form.get("note") or "")[:500],
    )
    flash(
        _("Pengiriman pesanan %(n)s dicatat. Kantor mengonfirmasi dengan BAST.", n=order.number),
        "success",
    )
    return _back_to_orders("ready")


@bp.get("/shop/orders/<int:order_id>/slip")
def order_slip_page(order_id: int):
    """A printable slip to pack with the order."""
    user = _shopkeeper()
    order = shop_order.get_shop_order(user, order_id)
    return render_template(
        "shops/slip.html",
        order=order,
        vendor=profile.get_shop(user),
        refunds=shop_orders.list_refunds(user, order.id),
        printed_at=now_utc(),
    )


@bp.get("/shop/pick-list")
def pick_list_page():
    """Products and quantities to prepare for the accepted orders, added up."""
    user = _shopkeeper()
    lines, orders = shop_order.pick_list(user)
    return render_template("shops/pick_list.html", lines=lines, orders=orders, today=now_utc())


@bp.get("/shop/sales")
def sales_page():
    """Sales per day or month with a CSV download, and the business class card."""
    user = _shopkeeper()
    group_by = request.args.get("group_by", "day")
    if group_by not in ("day", "month"):
        group_by = "day"
    date_from, date_to = _date_arg("from"), _date_arg("to")
    report = reports.sales_report(user, group_by, date_from, date_to)
    return render_template(
        "shops/sales.html", report=report, business_class=classes.get_business_class(user)
    )


def _date_arg(name: str) -> date | None:
    raw = request.args.get(name) or ""
    try:
        day = date.fromisoformat(raw) if raw else None
        if day is not None and not in_year_range(day.year):
            raise ValueError(raw)
        return day
    except ValueError:
        raise ValidationFailed(
            _("Tanggal tidak sah: %(v)s", v=raw), details={name: [raw]}
        ) from None
