"""HTTP routes of the PP 7/2021 business class: the shop's declarations (API and the
`/shop/business-class` page), the admin's review queue of declarations and flags (API and the
`/admin/business-class` page), the evidence download and the admin's override. Routes parse,
call one service in `business_class` and answer. Imported by routes.py."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from marshmallow import RAISE

from marketplace.api import api_user, endpoint, page_args, require_role
from marketplace.city import current_city
from marketplace.errors import ValidationFailed
from marketplace.forms import form_values, load_form
from marketplace.pages import page_arg
from marketplace.shops import bp, rules
from marketplace.shops import business_class as classes
from marketplace.shops.schemas import (
    ApproveDeclarationSchema,
    BusinessClassFlagSchema,
    BusinessClassOverrideSchema,
    BusinessClassSchema,
    DeclarationAdminSchema,
    DeclarationCreateSchema,
    DeclarationListQuery,
    DeclarationSchema,
    FlagListQuery,
    ReasonSchema,
)

VENDOR, ADMIN = ("vendor",), ("admin",)
DECLARATION_FORM = {
    "document": "file",
    "basis": "string",
    "amount": "integer",
    "year": "integer",
    "source": "string",
    "note": "string",
}
_LABELS = {
    "basis": "Dasar",
    "amount": "Jumlah",
    "year": "Tahun",
    "source": "Sumber",
    "note": "Catatan",
}


def _declaration_form() -> dict:
    """The posted declaration fields through the API's schema (422 keyed by field)."""
    return load_form(
        DeclarationCreateSchema(),
        form_values(request.form, drop_blank=True),
        message=_("Periksa isian yang ditandai."),
        unknown=RAISE,
    )


def _reason_form(schema=ReasonSchema) -> dict:
    return load_form(schema(), {"reason": request.form.get("reason") or None})


# ================================================================ API: the shop
@endpoint(
    bp,
    "/vendor/business-class",
    summary="My business class",
    roles=VENDOR,
    response=BusinessClassSchema,
    tag="vendor",
)
def business_class():
    """The class in force (PP 7/2021), its basis (declaration, override or default), open
    review flags, and platform sales beside it as a cross-check."""
    return classes.get_business_class(api_user())


@endpoint(
    bp,
    "/vendor/business-class/declarations",
    "POST",
    summary="Declare my annual sales or capital",
    roles=VENDOR,
    multipart=DECLARATION_FORM,
    response=DeclarationSchema,
    status=201,
    errors=[409, 422],
    tag="vendor",
)
def create_declaration():
    """Multipart: `basis` (sales|capital), `amount` (rupiah), `year`, `source`
    (oss_nib|spt|other), optional `note`, and the evidence `document` (PDF, JPEG or PNG, at most
    5 MB) → 201 pending declaration; 409 `declaration_pending` while one waits for review."""
    return classes.submit_declaration(
        api_user(), _declaration_form(), request.files.get("document")
    )


@endpoint(
    bp,
    "/vendor/business-class/declarations",
    summary="My declarations",
    roles=VENDOR,
    query=DeclarationListQuery,
    response=DeclarationSchema,
    paginated=True,
    tag="vendor",
)
def list_my_declarations(args):
    """The caller's shop's declarations with their review outcome, newest first."""
    return classes.list_own_declarations(api_user(), *page_args(args))


# ================================================================ API: the city
@endpoint(
    bp,
    "/admin/business-class/declarations",
    summary="Business-class declarations to review",
    roles=ADMIN,
    query=DeclarationListQuery,
    response=DeclarationAdminSchema,
    paginated=True,
    tag="admin",
)
def list_declarations(args):
    """The review queue: `status` pending (default, oldest first), approved, rejected or all,
    each with the class approval would give (`proposed_class`)."""
    status = None if args["status"] == "all" else args["status"]
    return classes.list_declarations(status, *page_args(args))


@endpoint(
    bp,
    "/admin/business-class/declarations/<int:declaration_id>",
    summary="One declaration",
    roles=ADMIN,
    response=DeclarationAdminSchema,
    tag="admin",
)
def get_declaration(declaration_id):
    """One declaration with its shop; 404 when absent."""
    return classes.get_declaration(declaration_id)


@endpoint(
    bp,
    "/admin/business-class/declarations/<int:declaration_id>/approve",
    "POST",
    summary="Approve a declaration",
    roles=ADMIN,
    body=ApproveDeclarationSchema,
    response=DeclarationAdminSchema,
    errors=[404, 409],
    tag="admin",
)
def approve_declaration(declaration_id, data):
    """Set the shop's class from the declared figure (PP 7/2021, PKP at least small; a large
    business is flagged); audited and notified. 409 `invalid_transition` when already decided."""
    return classes.approve_declaration(api_user(), declaration_id, data.get("reason"))


@endpoint(
    bp,
    "/admin/business-class/declarations/<int:declaration_id>/reject",
    "POST",
    summary="Reject a declaration",
    roles=ADMIN,
    body=ReasonSchema,
    response=DeclarationAdminSchema,
    errors=[404, 409],
    tag="admin",
)
def reject_declaration(declaration_id, data):
    """Reject with a `reason` the shop sees; the class does not change. Audited and notified."""
    return classes.reject_declaration(api_user(), declaration_id, data["reason"])


@endpoint(
    bp,
    "/admin/business-class/flags",
    summary="Business-class flags",
    roles=ADMIN,
    query=FlagListQuery,
    response=BusinessClassFlagSchema,
    paginated=True,
    tag="admin",
)
def list_flags(args):
    """Open flags (`open=false` for all): platform sales above the declared class, large
    businesses."""
    return classes.list_flags(args["open"], *page_args(args))


@endpoint(
    bp,
    "/admin/business-class/flags/<int:flag_id>/resolve",
    "POST",
    summary="Close a business-class flag",
    roles=ADMIN,
    body=ReasonSchema,
    response=BusinessClassFlagSchema,
    errors=[404, 409],
    tag="admin",
)
def resolve_flag(flag_id, data):
    """Close a flag with what the city decided (`reason`); audited. 409 when already closed."""
    return classes.resolve_flag(api_user(), flag_id, data["reason"])


@endpoint(
    bp,
    "/admin/vendors/<int:vendor_id>/business-class",
    "PUT",
    summary="Override a shop's business class",
    roles=ADMIN,
    body=BusinessClassOverrideSchema,
    response=BusinessClassSchema,
    errors=[404],
    tag="admin",
)
def override_business_class(vendor_id, data):
    """Set the class by hand (micro, small, medium, large; a PKP at least small) or clear the
    override with null; audited and notified."""
    return classes.override_business_class(
        api_user(), vendor_id, data["umk_class"], data.get("reason")
    )


# ================================================================ pages
@bp.get("/business-class/declarations/<int:declaration_id>/document")
def declaration_document_page(declaration_id: int):
    """The evidence document, for the shop that sent it and for admins only (404 otherwise)."""
    path, mimetype, name = classes.declaration_document(api_user(), declaration_id)
    return send_file(path, mimetype=mimetype, as_attachment=True, download_name=name)


@bp.route("/shop/business-class", methods=["GET", "POST"])
def shop_business_class_page():
    """The shop's class and its basis, the declaration form with evidence, past declarations."""
    user = require_role(*VENDOR)
    errors: dict = {}
    if request.method == "POST":
        try:
            classes.submit_declaration(user, _declaration_form(), request.files.get("document"))
        except ValidationFailed as err:
            errors = err.details
        else:
            flash(
                _(
                    "Pernyataan terkirim. %(office)s akan memeriksanya.",
                    office=current_city().office_shops,
                ),
                "success",
            )
            return redirect(url_for("vendor.shop_business_class_page"))
    page = classes.list_own_declarations(user, page_arg(request.args), 20)
    body = render_template(
        "shops/business_class.html",
        bc=classes.get_business_class(user),
        declarations=page,
        values=request.form if errors else None,
        errors=errors,
        labels=_LABELS,
        sources=rules.DECLARATION_SOURCES,
    )
    return (body, 422) if errors else body


@bp.get("/admin/business-class")
def admin_business_class_queue():
    """The city's review queue: pending declarations (oldest first) and open flags."""
    require_role(*ADMIN)
    status = request.args.get("status", "pending")
    if status not in (*rules.DECLARATION_STATUSES, "all"):
        status = "pending"
    return render_template(
        "shops/admin_business_class.html",
        status=status,
        declarations=classes.list_declarations(
            None if status == "all" else status, page_arg(request.args), 20
        ),
        flags=classes.list_flags(True, 1, 100),
        preview=rules.class_for_declaration,
    )


@bp.post("/admin/business-class/declarations/<int:declaration_id>/approve")
def admin_approve_declaration(declaration_id: int):
    """Approve a declaration from the queue (asked for confirmation first)."""
    admin = require_role(*ADMIN)
    data = _reason_form(ApproveDeclarationSchema)
    declaration = classes.approve_declaration(admin, declaration_id, data.get("reason"))
    flash(
        _(
            "Pernyataan %(name)s disetujui: kelas %(c)s.",
            name=declaration.vendor.name,
            c=declaration.decided_class,
        ),
        "success",
    )
    return redirect(url_for("vendor.admin_business_class_queue"))


@bp.post("/admin/business-class/declarations/<int:declaration_id>/reject")
def admin_reject_declaration(declaration_id: int):
    """Reject a declaration with a reason from the queue."""
    admin = require_role(*ADMIN)
    declaration = classes.reject_declaration(admin, declaration_id, _reason_form()["reason"])
    flash(_("Pernyataan %(name)s ditolak.", name=declaration.vendor.name), "success")
    return redirect(url_for("vendor.admin_business_class_queue"))


@bp.post("/admin/business-class/flags/<int:flag_id>/resolve")
def admin_resolve_flag(flag_id: int):
    """Close a flag with what the city decided."""
    admin = require_role(*ADMIN)
    classes.resolve_flag(admin, flag_id, _reason_form()["reason"])
    flash(_("Tanda ditutup."), "success")
    return redirect(url_for("vendor.admin_business_class_queue"))


@bp.route("/admin/vendors/<int:vendor_id>/class", methods=["GET", "POST"])
def admin_business_class(vendor_id: int):
    """Admin: a shop's class, its basis and flags, and the override (audited)."""
    admin = require_role(*ADMIN)
    if request.method == "POST":
        raw = request.form.get("umk_class") or None
        data = load_form(
            BusinessClassOverrideSchema(),
            {"umk_class": raw, "reason": request.form.get("reason") or None},
            message=_("Periksa isian yang ditandai."),
        )
        classes.override_business_class(admin, vendor_id, data["umk_class"], data.get("reason"))
        flash(_("Kelas usaha disimpan."), "success")
        return redirect(url_for("vendor.admin_business_class", vendor_id=vendor_id))
    vendor, info = classes.get_vendor_business_class(admin, vendor_id)
    return render_template("shops/admin_class.html", vendor=vendor, info=info)
