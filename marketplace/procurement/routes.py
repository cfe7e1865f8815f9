"""HTTP routes of procurement: the office's cart and purchase requests (`/api/v1/opd/...` and
the `/opd` pages) and the admin's office roles (`/api/v1/admin/opds/...`, `/admin/opds`).

Every endpoint asks `roles.require_office` (403 without the role) and reads only the caller's
office (another office's request is 404)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.api import api_user, endpoint, page_args, require_role
from marketplace.catalog.services import search_products
from marketplace.forms import form_values, load_form
from marketplace.pages import page_arg
from marketplace.procurement import bp, queries, requests, roles, rules
from marketplace.procurement.schemas import (
    AssignRoleSchema,
    CartFieldsSchema,
    CartItemSchema,
    OfficeCartSchema,
    OfficeSchema,
    RejectSchema,
    RequestQuery,
    RequestSchema,
    RequestSummarySchema,
    RoleHolderSchema,
)

TAG = "procurement"


# ================================================================= API: the office
@endpoint(
    bp,
    "/opd/me",
    summary="My office and procurement roles",
    roles=("civil_servant",),
    response=OfficeSchema,
    tag=TAG,
)
def my_office():
    """The caller's OPD and the procurement roles they hold in it (an empty list: none)."""
    return roles.office_of(api_user())


@endpoint(
    bp,
    "/opd/cart",
    summary="The office's cart",
    roles=("civil_servant",),
    response=OfficeCartSchema,
    errors=[403],
    tag=TAG,
)
def get_office_cart():
    """The officer's office cart (a draft request) priced as the catalogue sells it now."""
    return requests.get_cart(api_user())


@endpoint(
    bp,
    "/opd/cart",
    "PATCH",
    summary="Budget line, activity and purpose of the office's cart",
    roles=("civil_servant",),
    body=CartFieldsSchema,
    response=OfficeCartSchema,
    errors=[403, 422],
    tag=TAG,
)
def update_office_cart(data):
    """Set the kode rekening belanja (e.g. 5.1.02.01.01.0024), the kegiatan and the purpose."""
    return requests.update_cart(api_user(), data)


@endpoint(
    bp,
    "/opd/cart/items",
    "PUT",
    summary="Set a product's quantity in the office's cart",
    roles=("civil_servant",),
    body=CartItemSchema,
    response=OfficeCartSchema,
    errors=[403, 404, 422],
    tag=TAG,
)
def set_office_cart_item(data):
    """Quantity 0 removes the product; a product the catalogue does not list is 404."""
    return requests.set_cart_item(api_user(), data["product_id"], data["quantity"])


@endpoint(
    bp,
    "/opd/cart/submit",
    "POST",
    summary="Submit the office's cart as a purchase request",
    roles=("civil_servant",),
    response=RequestSchema,
    status=201,
    errors=[403, 409, 422],
    tag=TAG,
)
def submit_office_cart():
    """The cart becomes a numbered request (PR/<OPD>/<year>/0001) with its lines priced now;
    422 above OPD_PURCHASE_MAX, outside OPD_ALLOWED_CATEGORIES or with a field missing."""
    user = api_user()
    submitted = requests.submit_request(user)
    return queries.get_request(user, submitted.id), 201


@endpoint(
    bp,
    "/opd/requests",
    summary="The office's purchase requests",
    roles=("civil_servant",),
    query=RequestQuery,
    response=RequestSummarySchema,
    paginated=True,
    errors=[403],
    tag=TAG,
)
def list_office_requests(args):
    """Submitted requests of the caller's office, newest first (`?status=`)."""
    return queries.list_requests(api_user(), status=args.get("status"), **_page(args))


def _page(args) -> dict:
    page, per_page = page_args(args)
    return {"page": page, "per_page": per_page}


@endpoint(
    bp,
    "/opd/requests/<int:request_id>",
    summary="One purchase request",
    roles=("civil_servant",),
    response=RequestSchema,
    errors=[403, 404],
    tag=TAG,
)
def get_office_request(request_id):
    """The request with its lines, history, orders and the caller's possible actions."""
    return queries.get_request(api_user(), request_id)


@endpoint(
    bp,
    "/opd/requests/<int:request_id>/approve",
    "POST",
    summary="Approve a purchase request",
    roles=("civil_servant",),
    response=RequestSchema,
    errors=[403, 404, 409],
    tag=TAG,
)
def approve_office_request(request_id):
    """The PPK approves: one order on invoice per shop, stock taken now (409 when short, nothing
    changes). 403 own_request when the PPK submitted it."""
    user = api_user()
    requests.approve_request(user, request_id)
    return queries.get_request(user, request_id)


@endpoint(
    bp,
    "/opd/requests/<int:request_id>/reject",
    "POST",
    summary="Reject a purchase request",
    roles=("civil_servant",),
    body=RejectSchema,
    response=RequestSchema,
    errors=[403, 404, 409, 422],
    tag=TAG,
)
def reject_office_request(request_id, data):
    """The PPK rejects with a reason (required)."""
    user = api_user()
    requests.reject_request(user, request_id, data["reason"])
    return queries.get_request(user, request_id)


@endpoint(
    bp,
    "/opd/requests/<int:request_id>/cancel",
    "POST",
    summary="Cancel a purchase request",
    roles=("civil_servant",),
    response=RequestSchema,
    errors=[403, 404, 409],
    tag=TAG,
)
def cancel_office_request(request_id):
    """The officer who submitted it withdraws it while it waits for the PPK."""
    user = api_user()
    requests.cancel_request(user, request_id)
    return queries.get_request(user, request_id)


# ================================================================= API: the admin
@endpoint(
    bp,
    "/admin/opds/<code>/roles",
    summary="Procurement roles of an OPD",
    roles=("admin",),
    response=RoleHolderSchema,
    many=True,
    errors=[404],
    tag=TAG,
)
def list_office_roles(code):
    """Who holds which procurement role in the OPD."""
    return roles.list_roles(code)[1]


@endpoint(
    bp,
    "/admin/opds/<code>/roles",
    "POST",
    summary="Give a civil servant a procurement role",
    roles=("admin",),
    body=AssignRoleSchema,
    response=RoleHolderSchema,
    status=201,
    errors=[404, 409, 422],
    tag=TAG,
)
def assign_office_role(code, data):
    """Only a civil servant of that OPD may hold its roles (422 otherwise); audited."""
    return roles.assign_role(require_role("admin"), code, data), 201


@endpoint(
    bp,
    "/admin/opds/<code>/roles/<int:role_id>",
    "DELETE",
    summary="Take a procurement role back",
    roles=("admin",),
    status=204,
    errors=[404],
    tag=TAG,
)
def remove_office_role(code, role_id):
    """Audited; 404 for a role of another OPD."""
    roles.remove_role(require_role("admin"), code, role_id)
    return "", 204


# ================================================================= pages: the office
@bp.app_context_processor
def _office_nav():
    """`holds_office_role()` for the navigation: asked only for civil servants, once a page."""

    def holds_office_role() -> bool:
        user = current_user
        return bool(user.is_authenticated and roles.holds_any_role(user))

    return {"holds_office_role": holds_office_role}


def _role_labels() -> dict[str, str]:
    return {
        rules.OFFICER: _("Pejabat pengadaan"),
        rules.PPK: _("Pejabat pembuat komitmen (PPK)"),
        rules.TREASURER: _("Bendahara pengeluaran"),
        rules.HEAD: _("Kepala OPD"),
    }


def _status_labels() -> dict[str, str]:
    return {
        rules.DRAFT: _("Draf"),
        rules.SUBMITTED: _("Menunggu persetujuan"),
        rules.APPROVED: _("Disetujui"),
        rules.REJECTED: _("Ditolak"),
        rules.CANCELLED: _("Dibatalkan"),
    }


@bp.get("/opd")
def requests_page():
    """The office's purchase requests (paginated), with a way to the cart for officers."""
    user = require_role("civil_servant")
    office = roles.require_office(user)
    status = request.args.get("status")
    status = status if status in rules.REQUEST_STATUSES else None
    result = queries.list_requests(user, status=status, page=page_arg(request.args))
    return render_template(
        "procurement/requests.html",
        office=office,
        page=result,
        status=status,
        statuses=[s for s in rules.REQUEST_STATUSES if s != rules.DRAFT],
        status_labels=_status_labels(),
        role_labels=_role_labels(),
    )


@bp.get("/opd/cart")
def cart_page():
    """The officer's office cart: the budget line, activity and purpose, the lines, and a
    search of the catalogue to add products."""
    user = require_role("civil_servant")
    cart = requests.get_cart(user)
    q = (request.args.get("q") or "").strip()[:100]
    found = search_products({"q": q, "in_stock": True, "per_page": 10}) if q else None
    return render_template("procurement/cart.html", cart=cart, q=q, found=found)


@bp.post("/opd/cart")
def cart_fields_page():
    user = require_role("civil_servant")
    data = load_form(
        CartFieldsSchema(),
        form_values(request.form),
        labels={
            "budget_line": _("Kode rekening belanja"),
            "activity": _("Kegiatan/sub-kegiatan"),
            "purpose": _("Keperluan"),
        },
    )
    requests.update_cart(user, data)
    flash(_("Data permintaan disimpan."), "success")
    return redirect(url_for("procurement.cart_page"))


@bp.post("/opd/cart/items")
def cart_item_page():
    user = require_role("civil_servant")
    data = load_form(
        CartItemSchema(),
        form_values(request.form),
        labels={"product_id": _("Produk"), "quantity": _("Jumlah")},
    )
    requests.set_cart_item(user, data["product_id"], data["quantity"])
    flash(_("Keranjang OPD diperbarui."), "success")
    return redirect(url_for("procurement.cart_page"))


@bp.post("/opd/cart/submit")
def cart_submit_page():
    submitted = requests.submit_request(require_role("civil_servant"))
    flash(_("Permintaan %(n)s diajukan ke PPK.", n=submitted.number), "success")
    return redirect(url_for("procurement.request_page", request_id=submitted.id))


@bp.get("/opd/requests/<int:request_id>")
def request_page(request_id: int):
    """One request: lines, totals, status, history, orders and the caller's actions."""
    user = require_role("civil_servant")
    found = queries.get_request(user, request_id)
    return render_template(
        "procurement/request.html",
        req=found,
        status_labels=_status_labels(),
    )


@bp.post("/opd/requests/<int:request_id>/approve")
def approve_page(request_id: int):
    found = requests.approve_request(require_role("civil_servant"), request_id)
    flash(_("Permintaan %(n)s disetujui; pesanan dikirim ke toko.", n=found.number), "success")
    return redirect(url_for("procurement.request_page", request_id=request_id))


@bp.post("/opd/requests/<int:request_id>/reject")
def reject_page(request_id: int):
    user = require_role("civil_servant")
    data = load_form(
        RejectSchema(), form_values(request.form), labels={"reason": _("Alasan penolakan")}
    )
    found = requests.reject_request(user, request_id, data["reason"])
    flash(_("Permintaan %(n)s ditolak.", n=found.number), "success")
    return redirect(url_for("procurement.request_page", request_id=request_id))


@bp.post("/opd/requests/<int:request_id>/cancel")
def cancel_page(request_id: int):
    found = requests.cancel_request(require_role("civil_servant"), request_id)
    flash(_("Permintaan %(n)s dibatalkan.", n=found.number), "success")
    return redirect(url_for("procurement.request_page", request_id=request_id))


# ================================================================= pages: the admin
@bp.get("/admin/opds")
def admin_opds_page():
    """Every OPD with how many procurement roles it has."""
    require_role("admin")
    return render_template("procurement/admin_opds.html", opds=roles.list_opds())


@bp.get("/admin/opds/<code>/roles")
def admin_roles_page(code: str):
    """The OPD's role holders, a form to add one and a button to remove each."""
    require_role("admin")
    opd, rows = roles.list_roles(code)
    return render_template(
        "procurement/admin_roles.html",
        opd=opd,
        rows=rows,
        staff=roles.staff_of(opd),
        role_labels=_role_labels(),
    )


@bp.post("/admin/opds/<code>/roles")
def admin_assign_page(code: str):
    actor = require_role("admin")
    data = load_form(
        AssignRoleSchema(),
        form_values(request.form, drop_blank=True),
        labels={"user_id": _("ASN"), "role": _("Peran")},
    )
    row = roles.assign_role(actor, code, data)
    flash(
        _("%(name)s kini %(role)s.", name=row.user.name, role=_role_labels()[row.role]), "success"
    )
    return redirect(url_for("procurement.admin_roles_page", code=row.opd.code))


@bp.post("/admin/opds/<code>/roles/<int:role_id>/remove")
def admin_remove_page(code: str, role_id: int):
    roles.remove_role(require_role("admin"), code, role_id)
    flash(_("Peran dicabut."), "success")
    return redirect(url_for("procurement.admin_roles_page", code=code))


# The office's BAST (its API and pages), the treasurer's side (payments, taxes, documents) and
# the SPJ bundle register their routes on the same blueprint.
from marketplace.procurement import bast_routes, payment_routes, spj_routes  # noqa: F401
