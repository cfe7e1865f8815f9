"""HTTP routes of the city's review of product flags (PDN with TKDN, local product, VAT-exempt):
the admin API (`/api/v1/admin/product-flags…`) and the `/admin/product-flags` page. Routes parse,
call one service in `flag_reviews` and answer. Imported by routes.py."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from marketplace.api import PageQuery, api_user, endpoint, page_args, require_role
from marketplace.forms import load_form
from marketplace.pages import page_arg
from marketplace.shops import bp, flag_reviews, rules
from marketplace.shops.schemas import FlagDecisionSchema, FlagReviewItemSchema, ProductOwnerSchema

TAG = "admin"


def _queue(page: int, per_page: int):
    result = flag_reviews.list_pending(page, per_page)
    result.items = [flag_reviews.review_item(p) for p in result.items]
    return result


# ================================================================= API
@endpoint(
    bp,
    "/admin/product-flags",
    summary="Product flag claims waiting for review",
    roles=("admin",),
    query=PageQuery,
    response=FlagReviewItemSchema,
    paginated=True,
    tag=TAG,
)
def list_flag_reviews(args):
    """Products whose PDN, local or VAT-exempt claim waits for the city, longest waiting first;
    `basic_necessity` names the PP 49/2022 good the product matches (null: not exemptable)."""
    return _queue(*page_args(args))


@endpoint(
    bp,
    "/admin/product-flags/<int:product_id>/approve",
    "POST",
    summary="Approve a product's flag claims",
    roles=("admin",),
    body=FlagDecisionSchema,
    response=ProductOwnerSchema,
    errors=[404, 409, 422],
    tag=TAG,
)
def approve_flag_review(product_id, data):
    """Approve the pending claims (all, or `flags`); they count for sales from now on. 404,
    409 no_pending_review, 422 not_basic_necessity (VAT exemption outside PP 49/2022)."""
    return flag_reviews.approve_flags(api_user(), product_id, data["flags"], data["reason"])


@endpoint(
    bp,
    "/admin/product-flags/<int:product_id>/reject",
    "POST",
    summary="Reject a product's flag claims",
    roles=("admin",),
    body=FlagDecisionSchema,
    response=ProductOwnerSchema,
    errors=[404, 409, 422],
    tag=TAG,
)
def reject_flag_review(product_id, data):
    """Reject the pending claims (all, or `flags`) with a `reason` (422 without one); the shop
    is notified. 404, 409 no_pending_review."""
    return flag_reviews.reject_flags(api_user(), product_id, data["flags"], data["reason"])


# ================================================================= pages
@bp.get("/admin/product-flags")
def admin_flag_reviews():
    """The review queue: each product's pending claims with approve and reject forms."""
    require_role("admin")
    return render_template(
        "shops/admin_flag_reviews.html",
        page=_queue(page_arg(request.args), 20),
        necessities=rules.BASIC_NECESSITIES,
        percent=rules.format_percent_bps,
    )


def _decision_form() -> dict:
    form = {"reason": request.form.get("reason", "")}
    flags = [f for f in request.form.getlist("flags") if f]
    if flags:
        form["flags"] = flags
    return load_form(FlagDecisionSchema(), form, labels={"reason": _("Alasan")})


def _decide_from_page(decide, product_id: int, message: str):
    """Run one decision service with the posted form and go back to the queue."""
    actor = require_role("admin")
    data = _decision_form()
    product = decide(actor, product_id, data["flags"], data["reason"])
    flash(message % {"name": product.name}, "success")
    return redirect(url_for("vendor.admin_flag_reviews"))


@bp.post("/admin/product-flags/<int:product_id>/approve")
def admin_approve_flags(product_id: int):
    """Approve a product's ticked claims from the queue page."""
    return _decide_from_page(flag_reviews.approve_flags, product_id, _("Klaim %(name)s disetujui."))


@bp.post("/admin/product-flags/<int:product_id>/reject")
def admin_reject_flags(product_id: int):
    """Reject a product's ticked claims, with a reason, from the queue page."""
    return _decide_from_page(flag_reviews.reject_flags, product_id, _("Klaim %(name)s ditolak."))
