"""HTTP routes of shop applications and their review: the application API and `/shop/apply`
page for a public user, and the admin's shop list, shop page, verify and suspend (API and
pages). Routes parse, call one service in `applications` and answer. Imported by routes.py; the
URLs and the OpenAPI tag are the ones these routes had in the accounts area."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import RAISE

from marketplace.api import api_user, endpoint, page_args, require_role
from marketplace.areas.services import area_choices
from marketplace.city import current_city
from marketplace.extensions import db
from marketplace.forms import load_form
from marketplace.security import safe_next
from marketplace.shops import applications, bp
from marketplace.shops.schemas import (
    DecisionSchema,
    VendorApplicationSchema,
    VendorListQuery,
    VendorSchema,
)

TAG = "accounts"


# ================================================================= API
@endpoint(
    bp,
    "/vendor-applications",
    "POST",
    summary="Apply to open a shop",
    roles=("public", "vendor"),
    body=VendorApplicationSchema,
    response=VendorSchema,
    status=201,
    errors=[403, 409],
    tag=TAG,
)
def apply_for_vendor(data):
    """A `public` user applies for a shop: 201 vendor `pending`, the user becomes `vendor`;
    403 for other roles, 409 already_has_shop for a shop owner applying again."""
    return applications.apply_for_vendor(api_user(), data)


@endpoint(
    bp,
    "/admin/vendors",
    summary="Shops for review",
    roles=("admin",),
    query=VendorListQuery,
    response=VendorSchema,
    paginated=True,
    tag=TAG,
)
def list_vendors(args):
    """Every shop, newest first, optionally by `status` and name (`q`)."""
    page, per_page = page_args(args)
    return applications.list_vendors(
        status=args.get("status"), q=args.get("q"), page=page, per_page=per_page
    )


@endpoint(
    bp,
    "/admin/vendors/<int:vendor_id>",
    summary="One shop",
    roles=("admin",),
    response=VendorSchema,
    tag=TAG,
)
def get_vendor(vendor_id):
    """One shop with its registration data and status; 404 when absent."""
    return applications.get_vendor(vendor_id)


@endpoint(
    bp,
    "/admin/vendors/<int:vendor_id>/verify",
    "POST",
    summary="Verify a shop",
    roles=("admin",),
    body=DecisionSchema,
    response=VendorSchema,
    errors=[409],
    tag=TAG,
)
def verify_vendor(vendor_id, data):
    """Verify a pending or suspended shop (audited); 409 invalid_transition if already verified."""
    return applications.verify_vendor(api_user(), vendor_id, data.get("reason"))


@endpoint(
    bp,
    "/admin/vendors/<int:vendor_id>/suspend",
    "POST",
    summary="Suspend a shop",
    roles=("admin",),
    body=DecisionSchema,
    response=VendorSchema,
    errors=[409],
    tag=TAG,
)
def suspend_vendor(vendor_id, data):
    """Suspend a shop or reject a pending application (audited); 409 if already suspended."""
    return applications.suspend_vendor(api_user(), vendor_id, data.get("reason"))


# ================================================================= pages: opening a shop
_VENDOR_LABELS = {
    "shop_name": "Nama toko",
    "type": "Jenis usaha",
    "nib": "NIB",
    "npwp": "NPWP",
    "legal_entity_number": "Nomor badan hukum koperasi",
    "phone": "Nomor telepon / WhatsApp",
    "pkp": "PKP",
    "kelurahan": "Kelurahan",
    "kecamatan": "Kecamatan",
    "address": "Alamat",
    "made_in_city": "Diproduksi di kota",
}


@bp.route("/shop/apply", methods=["GET", "POST"])
def vendor_application_page():
    """A public user applies to open a shop; afterwards the page shows the shop's status."""
    user = api_user()
    if request.method == "GET":
        return render_template(
            "shops/vendor_application.html",
            user=user,
            vendor=user.vendor,
            area_groups=area_choices(),
        )
    form = request.form
    raw = {
        k: form.get(k, "")
        for k in (
            "shop_name",
            "type",
            "nib",
            "npwp",
            "legal_entity_number",
            "phone",
            "kelurahan",
            "kecamatan",
            "address",
        )
    }
    raw["pkp"] = form.get("pkp") == "on"
    if form.get("made_in_city") in ("yes", "no"):
        raw["made_in_city"] = form.get("made_in_city") == "yes"
    data = load_form(
        VendorApplicationSchema(),
        raw,
        labels={k: _(v) for k, v in _VENDOR_LABELS.items()},
        unknown=RAISE,
    )
    applications.apply_for_vendor(user, data)
    flash(
        _(
            "Pengajuan toko terkirim. %(office)s akan memverifikasi data Anda.",
            office=current_city().office_shops,
        ),
        "success",
    )
    return redirect(url_for("vendor.vendor_application_page"))


# ================================================================= pages: admin review
@bp.get("/admin/vendors")
def admin_vendors():
    """All shops with a status filter, name search and pagination."""
    require_role("admin")
    args = request.args
    status = (
        args.get("status") if args.get("status") in ("pending", "verified", "suspended") else None
    )
    try:
        page = max(1, min(int(args.get("page", 1)), 1_000_000))
    except ValueError:
        page = 1
    result = applications.list_vendors(
        status=status, q=(args.get("q") or "").strip()[:100] or None, page=page, per_page=20
    )
    return render_template(
        "shops/admin_vendors.html", page=result, status=status, q=args.get("q", "")
    )


@bp.get("/admin/vendors/<int:vendor_id>")
def admin_vendor(vendor_id: int):
    """One shop's registration data with the verify and suspend forms."""
    require_role("admin")
    return render_template("shops/admin_vendor.html", vendor=applications.get_vendor(vendor_id))


@bp.post("/admin/vendors/<int:vendor_id>/verify")
def admin_verify_vendor(vendor_id: int):
    """Verify a shop from the admin pages."""
    vendor = applications.verify_vendor(
        require_role("admin"), vendor_id, request.form.get("reason")
    )
    flash(_("Toko %(name)s terverifikasi.", name=vendor.name), "success")
    return redirect(
        safe_next(request.form.get("next"), url_for("vendor.admin_vendor", vendor_id=vendor_id))
    )


@bp.post("/admin/vendors/<int:vendor_id>/suspend")
def admin_suspend_vendor(vendor_id: int):
    """Suspend a shop (or reject an application) from the admin pages."""
    vendor = applications.suspend_vendor(
        require_role("admin"), vendor_id, request.form.get("reason")
    )
    flash(_("Toko %(name)s dibekukan.", name=vendor.name), "success")
    return redirect(
        safe_next(request.form.get("next"), url_for("vendor.admin_vendor", vendor_id=vendor_id))
    )


@bp.get("/admin")
def admin_home():
    """Admin dashboard: counts, shops waiting for verification, recent admin actions. It lives with
    the shop review because that is most of what it shows (and the shop area may read accounts)."""
    require_role("admin")
    from marketplace.audit.models import AuditLog

    pending = applications.list_vendors(status="pending", page=1, per_page=10)
    pending.items.sort(key=lambda v: v.created_at)
    recent = db.session.scalars(db.select(AuditLog).order_by(AuditLog.id.desc()).limit(10)).all()
    return render_template(
        "shops/admin_home.html", counts=applications.admin_counts(), pending=pending, recent=recent
    )
