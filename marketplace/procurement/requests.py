"""The office's cart and its purchase requests: the officer fills the cart (a draft request) and
submits it; the PPK approves (orders placed on invoice with each shop) or rejects; the officer
may cancel while it waits.

Each public function owns its transaction; notifications are added in it.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import Opd, User
from marketplace.catalog.models import Category, Product
from marketplace.catalog.services import get_listed_product
from marketplace.city import rupiah
from marketplace.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.notifications.services import notify
from marketplace.ordering.procurement_port import InvoiceLine, invoice_key, place_invoice_orders
from marketplace.procurement import rules
from marketplace.procurement.models import (
    PurchaseRequest,
    PurchaseRequestEvent,
    PurchaseRequestLine,
)
from marketplace.procurement.roles import Office, holders, require_office
from marketplace.timeutil import to_local

_PROBLEM_ERRORS = {
    "forbidden": Forbidden,
    "own_request": Forbidden,
    "not_submitter": Forbidden,
    "invalid_transition": InvalidTransition,
    "reason_required": ValidationFailed,
}


# ---------------------------------------------------------------- the office's cart
def _draft(office: Office, *, create: bool) -> PurchaseRequest | None:
    draft = db.session.scalar(
        select(PurchaseRequest)
        .where(
            PurchaseRequest.opd_id == office.opd.id,
            PurchaseRequest.officer_id == office.user.id,
            PurchaseRequest.status == rules.DRAFT,
        )
        .options(selectinload(PurchaseRequest.lines).selectinload(PurchaseRequestLine.product))
        .order_by(PurchaseRequest.id)
        .limit(1)
    )
    if draft is None and create:
        draft = PurchaseRequest(
            opd_id=office.opd.id, officer_id=office.user.id, status=rules.DRAFT, total=0
        )
        db.session.add(draft)
        db.session.flush()
    return draft


def get_cart(user: User) -> dict[str, Any]:
    """The officer's office cart: the draft's fields and lines priced as the catalogue sells
    them now, with a warning on each line that could not be submitted as it is."""
    office = require_office(user, rules.OFFICER)
    draft = _draft(office, create=False)
    allowed = allowed_categories()
    lines, total = [], 0
    for line in draft.lines if draft else []:
        product = line.product
        warning = None
        if not (product.is_active and product.vendor.status == "verified"):
            warning = "unavailable"
        elif line.quantity > product.stock:
            warning = "out_of_stock"
        elif rules.disallowed([_slug(product)], allowed):
            warning = "category_not_allowed"
        line_total = product.price * line.quantity
        total += line_total
        lines.append(
            {
                "product_id": product.id,
                "name": product.name,
                "unit": product.unit,
                "vendor_id": product.vendor_id,
                "vendor_name": product.vendor.name,
                "quantity": line.quantity,
                "unit_price": product.price,
                "line_total": line_total,
                "stock": product.stock,
                "warning": warning,
            }
        )
    return {
        "opd": office.opd,
        "budget_line": draft.budget_line if draft else None,
        "activity": draft.activity if draft else None,
        "purpose": draft.purpose if draft else None,
        "lines": lines,
        "total": total,
        "maximum": purchase_maximum(),
        "allowed_categories": list(allowed),
    }


def update_cart(user: User, data: dict[str, Any]) -> dict[str, Any]:
    """Set the cart's budget line, activity and purpose (each only when given); the budget
    line's format is checked here (422), the rest at submission."""
    office = require_office(user, rules.OFFICER)
    draft = _draft(office, create=True)
    if "budget_line" in data:
        value = (data["budget_line"] or "").strip()
        if value:
            try:
                value = rules.normalise_budget_line(value)
            except ValueError as err:
                raise ValidationFailed(str(err), details={"budget_line": [str(err)]}) from None
        draft.budget_line = value or None
    for key in ("activity", "purpose"):
        if key in data:
            setattr(draft, key, (data[key] or "").strip() or None)
    db.session.commit()
    return get_cart(user)


def set_cart_item(user: User, product_id: int, quantity: int) -> dict[str, Any]:
    """Put `quantity` of a listed product in the office's cart (0 removes it); 404 for a
    product the catalogue does not list."""
    office = require_office(user, rules.OFFICER)
    draft = _draft(office, create=True)
    line = next((ln for ln in draft.lines if ln.product_id == product_id), None)
    if quantity <= 0:
        if line is not None:
            draft.lines.remove(line)
        db.session.commit()
        return get_cart(user)
    if quantity > rules.MAX_QUANTITY:
        raise ValidationFailed(
            f"Paling banyak {rules.MAX_QUANTITY} per barang.",
            details={"quantity": [f"Paling banyak {rules.MAX_QUANTITY}."]},
        )
    product = get_listed_product(product_id)
    if line is None:
        draft.lines.append(PurchaseRequestLine(product_id=product.id, quantity=quantity))
    else:
        line.quantity = quantity
    db.session.commit()
    return get_cart(user)


# ---------------------------------------------------------------- limits
def purchase_maximum() -> int:
    return int(current_app.config.get("OPD_PURCHASE_MAX", 0) or 0)


def allowed_categories() -> tuple[str, ...]:
    return rules.parse_category_list(current_app.config.get("OPD_ALLOWED_CATEGORIES"))


def _slug(product: Product) -> str | None:
    return product.category.slug if product.category else None


def _category_names(slugs: list[str | None]) -> list[str]:
    names = dict(
        db.session.execute(
            select(Category.slug, Category.name).where(Category.slug.in_([s for s in slugs if s]))
        ).all()
    )
    return [names.get(s, s) if s else "tanpa kategori" for s in slugs]


# ---------------------------------------------------------------- submission
def _event(request: PurchaseRequest, previous: str | None, actor: User, note=None) -> None:
    request.events.append(
        PurchaseRequestEvent(
            from_status=previous,
            to_status=request.status,
            actor_id=actor.id,
            note=note,
            created_at=utcnow(),
        )
    )


def _next_number(opd: Opd, year: int) -> str:
    """The next number of the office's year, counted under the office's row lock (two officers
    submitting together get 0001 and 0002, never the same)."""
    db.session.execute(select(Opd.id).where(Opd.id == opd.id).with_for_update()).all()
    used = db.session.scalar(
        select(func.count())
        .select_from(PurchaseRequest)
        .where(
            PurchaseRequest.opd_id == opd.id,
            PurchaseRequest.year == year,
            PurchaseRequest.number.is_not(None),
        )
    )
    return rules.request_number(opd.code, year, int(used or 0) + 1)


def _url(request: PurchaseRequest) -> str:
    """The request's page (a path, so jobs and the demo notify without a request context)."""
    return f"/opd/requests/{request.id}"


def submit_request(user: User) -> PurchaseRequest:
    """The officer submits the office's cart: every field present and the budget line well
    formed (422), every product listed (409 product_unavailable), in the allowed categories and
    the total within OPD_PURCHASE_MAX (422); the lines are priced now and the request gets its
    number. The office's PPKs (but the submitter) are told it waits for them."""
    office = require_office(user, rules.OFFICER)
    draft = _draft(office, create=False)
    if draft is None or not draft.lines:
        raise ValidationFailed(
            "Keranjang OPD masih kosong.", code="empty_cart", details={"lines": ["Kosong."]}
        )
    errors: dict[str, list[str]] = {}
    budget_line = draft.budget_line
    try:
        budget_line = rules.normalise_budget_line(draft.budget_line)
    except ValueError as err:
        errors["budget_line"] = [str(err)]
    if not draft.activity:
        errors["activity"] = ["Kegiatan/sub-kegiatan wajib diisi."]
    if not draft.purpose:
        errors["purpose"] = ["Keperluan wajib diisi."]
    if errors:
        raise ValidationFailed("Lengkapi data permintaan.", details=errors)
    for line in draft.lines:
        product = line.product
        if not (product.is_active and product.vendor.status == "verified"):
            raise Conflict(
                f"{product.name} tidak dijual lagi; hapus dari keranjang.",
                code="product_unavailable",
                details={"product_id": product.id, "name": product.name},
            )
    outside = rules.disallowed([_slug(ln.product) for ln in draft.lines], allowed_categories())
    if outside:
        names = ", ".join(_category_names(outside))
        raise ValidationFailed(
            f"Kategori {names} tidak termasuk belanja yang diizinkan untuk OPD.",
            code="category_not_allowed",
            details={"lines": [f"Kategori tidak diizinkan: {names}."]},
        )
    total = sum(line.product.price * line.quantity for line in draft.lines)
    maximum = purchase_maximum()
    if rules.over_maximum(total, maximum):
        raise ValidationFailed(
            f"Total {rupiah(total)} melebihi batas satu pembelian OPD ({rupiah(maximum)}).",
            code="over_purchase_max",
            details={"total": [f"Paling banyak {rupiah(maximum)}."]},
        )
    # Nothing is written before every check passed: the lines are priced as sold now.
    for line in draft.lines:
        product = line.product
        line.vendor_id = product.vendor_id
        line.name, line.unit, line.unit_price = product.name, product.unit, product.price
        line.line_total = product.price * line.quantity
    draft.budget_line = budget_line
    now = utcnow()
    year = to_local(now).year
    draft.total = total
    draft.year = year
    draft.number = _next_number(office.opd, year)
    draft.status, draft.submitted_at = rules.SUBMITTED, now
    _event(draft, rules.DRAFT, user)
    for ppk in holders(office.opd.id, rules.PPK):
        if ppk.id != user.id:
            notify(
                ppk,
                "procurement_submitted",
                f"Permintaan {draft.number} menunggu persetujuan",
                f"{user.name} mengajukan belanja {rupiah(total)} ({draft.activity}).",
                _url(draft),
            )
    db.session.commit()
    return draft


# ---------------------------------------------------------------- the decision
def _locked_request(office: Office, request_id: int) -> PurchaseRequest:
    """The office's request, row-locked; another office's (or a draft) answers 404."""
    request = db.session.scalar(
        select(PurchaseRequest)
        .where(
            PurchaseRequest.id == request_id,
            PurchaseRequest.opd_id == office.opd.id,
            PurchaseRequest.status != rules.DRAFT,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if request is None:
        raise NotFound("Permintaan pembelian tidak ditemukan.")
    return request


def _check(office: Office, request: PurchaseRequest, target: str, reason=None) -> None:
    problem = rules.transition_problem(
        request.status,
        target,
        actor_roles=office.roles,
        actor_id=office.user.id,
        submitter_id=request.officer_id,
        reason=reason,
    )
    if problem:
        code, message = problem
        details = {"reason": [message]} if code == "reason_required" else {}
        raise _PROBLEM_ERRORS[code](message, code=code, details=details)


def approve_request(user: User, request_id: int) -> PurchaseRequest:
    """The PPK approves: one order on invoice per shop is placed at the approved prices with the
    stock taken now. Stock short → 409 out_of_stock and nothing changes (the request stays
    submitted). The submitter can never approve their own request (403 own_request)."""
    office = require_office(user)
    request = _locked_request(office, request_id)
    _check(office, request, rules.APPROVED)
    try:
        checkout, orders = place_invoice_orders(
            buyer=request.officer,
            approver=user,
            opd_id=request.opd_id,
            budget_line=request.budget_line or "",
            key=invoice_key(request.id),
            address=office.opd.name,
            lines=[
                InvoiceLine(ln.product_id, ln.quantity, ln.unit_price or 0) for ln in request.lines
            ],
        )
    except Exception:
        db.session.rollback()
        raise
    request.checkout_id = checkout.id
    request.status, request.decided_at, request.decided_by_id = rules.APPROVED, utcnow(), user.id
    numbers = ", ".join(o.number for o in orders)
    _event(request, rules.SUBMITTED, user, f"Pesanan: {numbers}")
    notify(
        request.officer,
        "procurement_approved",
        f"Permintaan {request.number} disetujui",
        f"{user.name} menyetujui belanja {rupiah(request.total)}; pesanan {numbers} dikirim ke toko.",
        _url(request),
    )
    for order in orders:
        owner = order.vendor.owner
        if owner is not None:
            notify(
                owner,
                "order_placed",
                f"Pesanan OPD {order.number}",
                f"{office.opd.name} memesan {rupiah(order.total)}; dibayar bendahara setelah "
                "barang diterima.",
                "/shop/orders",
            )
    db.session.commit()
    return request


def reject_request(user: User, request_id: int, reason: str) -> PurchaseRequest:
    """The PPK rejects with a reason (422 without one); the officer is told why."""
    office = require_office(user)
    request = _locked_request(office, request_id)
    reason = (reason or "").strip()
    _check(office, request, rules.REJECTED, reason)
    request.status, request.decided_at, request.decided_by_id = rules.REJECTED, utcnow(), user.id
    request.decision_reason = reason
    _event(request, rules.SUBMITTED, user, reason)
    notify(
        request.officer,
        "procurement_rejected",
        f"Permintaan {request.number} ditolak",
        f"{user.name}: {reason}",
        _url(request),
    )
    db.session.commit()
    return request


def cancel_request(user: User, request_id: int) -> PurchaseRequest:
    """The officer who submitted it withdraws a request still waiting for the PPK."""
    office = require_office(user)
    request = _locked_request(office, request_id)
    _check(office, request, rules.CANCELLED)
    request.status = rules.CANCELLED
    _event(request, rules.SUBMITTED, user, "Dibatalkan pengaju.")
    db.session.commit()
    return request
