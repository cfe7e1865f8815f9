"""Shop applications and their verification: a public user applies to open a shop, the admin
lists, reads, verifies or suspends shops (audited, the owner notified). Each public function owns
its transaction (commits once) and raises `marketplace.errors` classes."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from marketplace import primitives
from marketplace.accounts.models import ROLES, Opd, User
from marketplace.api import Page, paginate
from marketplace.areas.services import resolve_place
from marketplace.audit.models import record_audit
from marketplace.city import current_city
from marketplace.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.shops import rules
from marketplace.shops.flag_reviews import pending_count
from marketplace.shops.models import Vendor

# Outside a request (CLI, jobs) the locale selector answers the default, Indonesian.
_ = gettext


def apply_for_vendor(user: User, data: dict[str, Any]) -> Vendor:
    """A `public` user opens a shop: it starts `pending` and the user becomes `vendor`.

    409 already_has_shop when they have one, 403 for other roles, 422 when the kelurahan is not
    one area of the city (`areas.services.resolve_place`: ambiguous, unknown, another kecamatan).
    """
    if db.session.scalar(select(Vendor.id).where(Vendor.owner_id == user.id)) is not None:
        raise Conflict(_("Anda sudah memiliki toko."), code="already_has_shop")
    if user.role != "public":
        raise Forbidden(_("Hanya akun warga (public) yang dapat mengajukan toko."))
    area_code, kelurahan, kecamatan = _vendor_place(data)
    vendor = Vendor(
        owner_id=user.id,
        name=data["shop_name"],
        type=data["type"],
        status="pending",
        nib=data["nib"],
        **_identifiers(data),
        pkp=bool(data.get("pkp")),
        area_code=area_code,
        kelurahan=kelurahan,
        kecamatan=kecamatan,
        address=data["address"],
        made_in_city=bool(data["made_in_city"]),
        umk_class=rules.default_class(bool(data.get("pkp"))),
    )
    user.role = "vendor"
    db.session.add(vendor)
    try:
        db.session.commit()
    except IntegrityError:  # a second application sent at the same moment
        db.session.rollback()
        raise Conflict(_("Anda sudah memiliki toko."), code="already_has_shop") from None
    return vendor


def _identifiers(data: dict[str, Any]) -> dict[str, str | None]:
    """NPWP (16 digits), phone (E.164) and a koperasi's legal-entity number in their stored
    forms; the API schema has checked them, the demo and the CLI pass them as typed. 422 when
    one does not parse or the legal-entity number does not fit the kind of seller."""
    parsers = {
        "npwp": primitives.parse_npwp,
        "phone": primitives.parse_phone,
        "legal_entity_number": rules.normalise_koperasi_number,
    }
    values, details = {}, {}
    for key, parse in parsers.items():
        try:
            values[key] = parse(data.get(key))
        except ValueError as err:
            details[key] = [_(str(err))]
    problem = rules.legal_entity_problem(data["type"], values.get("legal_entity_number"))
    if problem and "legal_entity_number" not in details:
        details["legal_entity_number"] = [_(problem)]
    if details:
        raise ValidationFailed(details=details)
    return values


def _vendor_place(data: dict[str, Any]) -> tuple[str | None, str, str]:
    """(area code, kelurahan, kecamatan) of an application: the resolved area's names, or the
    names as given while the city has no areas loaded."""
    kelurahan = (data.get("kelurahan") or "").strip()
    kecamatan = (data.get("kecamatan") or "").strip()
    code = data.get("area_code")
    if not kelurahan and not code:
        raise ValidationFailed(details={"kelurahan": [_("Wajib diisi.")]})
    place = resolve_place(kelurahan=kelurahan, kecamatan=kecamatan, code=code)
    if place is not None:
        return place.code, place.name, place.kecamatan_name
    if not kecamatan:
        raise ValidationFailed(details={"kecamatan": [_("Wajib diisi.")]})
    return None, kelurahan, kecamatan


def get_vendor(vendor_id: int) -> Vendor:
    """Admin view of one shop; 404 when absent."""
    vendor = db.session.get(Vendor, vendor_id)
    if vendor is None:
        raise NotFound(_("Toko tidak ditemukan."))
    return vendor


def list_vendors(
    *, status: str | None = None, q: str | None = None, page: int = 1, per_page: int = 20
) -> Page:
    """Shops for the admin, newest first, filtered by status and name."""
    # The open class flags come in one query: the list shows a "under review" badge per shop.
    stmt = select(Vendor).options(selectinload(Vendor.open_class_flags))
    if status:
        stmt = stmt.where(Vendor.status == status)
    if q:
        stmt = stmt.where(func.lower(Vendor.name).contains(q.lower(), autoescape=True))
    stmt = stmt.order_by(Vendor.created_at.desc(), Vendor.id.desc())
    return paginate(stmt, page, per_page)


def _decide(actor: User, vendor_id: int, target: str, reason: str | None) -> Vendor:
    from marketplace.notifications.services import notify

    vendor = db.session.scalar(select(Vendor).where(Vendor.id == vendor_id).with_for_update())
    if vendor is None:
        raise NotFound(_("Toko tidak ditemukan."))
    if not rules.can_change_vendor_status(vendor.status, target):
        raise InvalidTransition(
            _("Toko berstatus %(s)s tidak dapat diubah menjadi %(t)s.", s=vendor.status, t=target)
        )
    before = {"status": vendor.status}
    vendor.status = target
    vendor.status_reason = (reason or "").strip()[:500] or None
    if target == "verified":
        vendor.verified_at = utcnow()
    record_audit(
        actor,
        f"vendor.{'verify' if target == 'verified' else 'suspend'}",
        "vendor",
        vendor.id,
        before=before,
        after={"status": target},
        reason=vendor.status_reason,
    )
    if target == "verified":
        title = _("Toko %(name)s sudah terverifikasi", name=vendor.name)
        body = _("Produk aktif Anda kini tampil dan dapat dibeli.")
    else:
        title = _("Toko %(name)s dibekukan", name=vendor.name)
        body = vendor.status_reason or _(
            "Hubungi %(office)s untuk keterangan.", office=current_city().office_shops
        )
    notify(vendor.owner, f"vendor.{target}", title, body, "/shop/apply")
    db.session.commit()
    return vendor


def verify_vendor(actor: User, vendor_id: int, reason: str | None = None) -> Vendor:
    """Admin verifies a pending or suspended shop (audited, owner notified); 404, 409."""
    return _decide(actor, vendor_id, "verified", reason)


def suspend_vendor(actor: User, vendor_id: int, reason: str | None = None) -> Vendor:
    """Admin suspends a shop or rejects a pending one (audited, owner notified); 404, 409."""
    return _decide(actor, vendor_id, "suspended", reason)


def admin_counts() -> dict[str, Any]:
    """Numbers for the admin dashboard: users per role, shops per status, products waiting for
    the review of their flag claims."""
    roles = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    statuses = dict(
        db.session.execute(select(Vendor.status, func.count()).group_by(Vendor.status)).all()
    )
    return {
        "roles": {r: roles.get(r, 0) for r in ROLES},
        "vendors": {s: statuses.get(s, 0) for s in ("pending", "verified", "suspended")},
        "opds": db.session.scalar(select(func.count()).select_from(Opd)) or 0,
        "flag_reviews": pending_count(),
    }
