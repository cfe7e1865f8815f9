"""Business class under PP 7/2021 (micro, small, medium, large) from the business itself: the
shop declares its annual sales (or capital, for a new business) with evidence, the city approves
or rejects; PKP is a floor; the admin may override. Platform sales never change a class: the
nightly check only raises flags for the city. Every class change is audited and notified."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from marketplace.api import Page, paginate
from marketplace.audit.models import record_audit
from marketplace.city import current_city
from marketplace.errors import InvalidTransition, NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.ledger.models import SpendingRecord
from marketplace.notifications.services import notify
from marketplace.shops import rules, uploads
from marketplace.shops.errors import DeclarationPending
from marketplace.shops.models import BusinessClassDeclaration, BusinessClassFlag, Vendor
from marketplace.shops.profile import get_own_vendor
from marketplace.timeutil import naive_utc, now_utc

# Outside a request (CLI, jobs) the locale selector answers the default, Indonesian.
_ = gettext

SHOP_CLASS_URL = "/shop/business-class"


def _class_label(cls: str) -> str:
    return {
        "micro": _("usaha mikro"),
        "small": _("usaha kecil"),
        "medium": _("usaha menengah"),
        "large": _("usaha besar"),
    }[cls]


# ---------------------------------------------------------------- platform sales (cross-check)
def rolling_12m_sales(vendor: Vendor, at: datetime | None = None) -> int:
    """Paid order lines net of refunds over the last 365 days (rolling, not calendar year)."""
    since = naive_utc((at or now_utc()) - timedelta(days=rules.DAYS_PER_YEAR))
    total = db.session.scalar(
        select(func.coalesce(func.sum(SpendingRecord.amount), 0)).where(
            SpendingRecord.vendor_id == vendor.id, SpendingRecord.occurred_at >= since
        )
    )
    return int(total or 0)


def annualised_platform_sales(vendor: Vendor, at: datetime | None = None) -> int:
    """The last 12 months' platform sales, scaled to a year for a shop younger than that."""
    now = naive_utc(at or now_utc())
    days = (now - vendor.created_at).days if vendor.created_at else rules.DAYS_PER_YEAR
    return rules.annualise(rolling_12m_sales(vendor, at), days)


def _raise_flag(
    vendor: Vendor, kind: str, amount: int, ceiling: int | None, declaration_id=None
) -> bool:
    """Open a flag of `kind` for the shop, or refresh the figures of the one already open (one
    open flag per kind). Flushes only; True when a new flag was opened."""
    flag = next((f for f in vendor.open_class_flags if f.kind == kind), None)
    new = flag is None
    if new:
        flag = BusinessClassFlag(vendor_id=vendor.id, kind=kind)
        db.session.add(flag)
    flag.umk_class = vendor.effective_umk_class
    flag.amount, flag.ceiling, flag.declaration_id = amount, ceiling, declaration_id
    db.session.flush()
    if new:
        db.session.expire(vendor, ["open_class_flags"])
    return new


def check_platform_sales(vendor: Vendor, at: datetime | None = None) -> bool:
    """Flag the shop when its (annualised) platform sales exceed what its class in force allows.
    Never changes the class. Flushes only; True when a new flag was opened."""
    annual = annualised_platform_sales(vendor, at)
    cls = vendor.effective_umk_class
    if not rules.sales_exceed_class(cls, annual):
        return False
    return _raise_flag(vendor, "platform_sales", annual, rules.SALES_CEILINGS.get(cls))


def refresh_business_classes(vendor_ids: list[int] | None = None, progress=None) -> int:
    """The nightly cross-check of every shop (for cron): raises flags, changes no class; commits
    per batch. Returns how many new flags it raised."""
    ids = (
        vendor_ids
        if vendor_ids is not None
        else list(db.session.scalars(select(Vendor.id).order_by(Vendor.id)))
    )
    raised = 0
    for i, vendor_id in enumerate(ids, start=1):
        vendor = db.session.get(Vendor, vendor_id)
        if vendor is not None and check_platform_sales(vendor):
            raised += 1
        if i % 200 == 0:
            db.session.commit()
        if progress:
            progress(1)
    db.session.commit()
    return raised


# ---------------------------------------------------------------- reading a shop's class
def _class_state(vendor: Vendor) -> dict[str, Any]:
    """What an audit row records before and after a class change."""
    return {
        "umk_class": vendor.effective_umk_class,
        "declared_class": vendor.umk_class,
        "umk_class_override": vendor.umk_class_override,
        "basis": vendor.umk_class_basis,
        "declaration_id": vendor.umk_class_declaration_id,
    }


def business_class_of(vendor: Vendor) -> dict[str, Any]:
    """The class in force, where it comes from, open flags, and platform sales beside it."""
    pending = db.session.scalar(
        select(BusinessClassDeclaration.id).where(
            BusinessClassDeclaration.vendor_id == vendor.id,
            BusinessClassDeclaration.status == "pending",
        )
    )
    return {
        "vendor_id": vendor.id,
        "umk_class": vendor.effective_umk_class,
        "basis": vendor.umk_class_basis,
        "declaration_id": vendor.umk_class_declaration_id,
        "override": vendor.umk_class_override,
        "pkp": vendor.pkp,
        "pending_declaration_id": pending,
        "class_review_flag": vendor.class_review_flag,
        "flags": list(vendor.open_class_flags),
        "rolling_12m_sales": rolling_12m_sales(vendor),
        "annualised_platform_sales": annualised_platform_sales(vendor),
    }


def get_business_class(user) -> dict[str, Any]:
    """The caller's class, its basis, open flags and platform sales."""
    return business_class_of(get_own_vendor(user))


def _vendor(vendor_id: int) -> Vendor:
    vendor = db.session.get(Vendor, vendor_id)
    if vendor is None:
        raise NotFound(_("Toko tidak ditemukan."))
    return vendor


def get_vendor_business_class(admin, vendor_id: int) -> tuple[Vendor, dict[str, Any]]:
    """Any shop's class, for the admin."""
    vendor = _vendor(vendor_id)
    return vendor, business_class_of(vendor)


def _notify_class(vendor: Vendor, title: str, body: str) -> None:
    notify(vendor.owner, "business_class", title, body, url=SHOP_CLASS_URL)


def _texts(vendor: Vendor, make):
    """Notification texts in the shop owner's language."""
    with force_locale(vendor.owner.locale or "id"):
        title, body = make()
        return str(title), str(body)


def override_business_class(
    admin, vendor_id: int, umk_class: str | None, reason: str | None = None
) -> dict[str, Any]:
    """Set (or clear with None) the admin's override of a shop's class; audited, and the shop is
    notified. 422 when it would put a PKP below small."""
    vendor = _vendor(vendor_id)
    if umk_class and vendor.pkp and rules.at_least(umk_class, rules.PKP_FLOOR) != umk_class:
        raise ValidationFailed(
            _("Toko PKP paling rendah usaha kecil."),
            details={"umk_class": [_("Toko PKP paling rendah usaha kecil.")]},
        )
    before = _class_state(vendor)
    vendor.umk_class_override = umk_class
    after = _class_state(vendor)
    record_audit(
        admin,
        "vendor.class_override",
        "vendor",
        vendor.id,
        before=before,
        after=after,
        reason=reason,
    )
    if before["umk_class"] != after["umk_class"]:
        _notify_class(
            vendor,
            *_texts(
                vendor,
                lambda: (
                    _("Kelas usaha Anda sekarang %(c)s", c=_class_label(after["umk_class"])),
                    _(
                        "%(office)s menetapkan kelas usaha toko Anda. %(r)s",
                        office=current_city().office_shops,
                        r=reason or "",
                    ),
                ),
            ),
        )
    db.session.commit()
    return business_class_of(vendor)


# ---------------------------------------------------------------- declarations
def submit_declaration(user, data: dict[str, Any], upload) -> BusinessClassDeclaration:
    """The shop declares its annual sales (or capital) for a year with a document as evidence;
    the city reviews it. 422 for a missing, too large or unreadable document; 409
    `declaration_pending` while another declaration waits for review."""
    vendor = get_own_vendor(user)
    if _pending_of(vendor.id) is not None:
        raise DeclarationPending(
            _(
                "Pernyataan sebelumnya masih menunggu pemeriksaan %(office)s.",
                office=current_city().office_shops,
            )
        )
    content, kind = uploads.read_checked_upload(
        upload,
        "document",
        max_bytes=rules.MAX_DOCUMENT_BYTES,
        sniff=rules.sniff_document_type,
        missing=_("Lampirkan dokumen bukti."),
        too_big=(_("Dokumen terlalu besar (maksimal 5 MB)."), _("Maksimal 5 MB.")),
        wrong_type=(_("Dokumen harus berupa PDF, JPEG atau PNG."), _("Harus PDF, JPEG atau PNG.")),
    )
    path = uploads.store_upload(
        current_app.config["EVIDENCE_FOLDER"],
        f"d{vendor.id}",
        rules.DOCUMENT_EXTENSIONS[kind],
        content,
    )
    declaration = BusinessClassDeclaration(
        vendor_id=vendor.id,
        basis=data["basis"],
        amount=data["amount"],
        year=data["year"],
        source=data["source"],
        note=data.get("note"),
        document_path=path.name,
        document_name=Path(upload.filename).name[:200],
        document_type=kind,
        status="pending",
        submitted_by_id=user.id,
    )
    db.session.add(declaration)
    try:
        db.session.commit()
    except IntegrityError:  # another declaration of the shop was sent at the same moment
        db.session.rollback()
        path.unlink(missing_ok=True)
        raise DeclarationPending(
            _(
                "Pernyataan sebelumnya masih menunggu pemeriksaan %(office)s.",
                office=current_city().office_shops,
            )
        ) from None
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return declaration


def _pending_of(vendor_id: int) -> int | None:
    return db.session.scalar(
        select(BusinessClassDeclaration.id).where(
            BusinessClassDeclaration.vendor_id == vendor_id,
            BusinessClassDeclaration.status == "pending",
        )
    )


def list_own_declarations(user, page: int = 1, per_page: int = 20) -> Page:
    """The caller's shop's declarations, newest first."""
    vendor = get_own_vendor(user)
    return paginate(
        select(BusinessClassDeclaration)
        .where(BusinessClassDeclaration.vendor_id == vendor.id)
        .order_by(BusinessClassDeclaration.id.desc()),
        page,
        per_page,
    )


def list_declarations(status: str | None = "pending", page: int = 1, per_page: int = 20) -> Page:
    """The admin's review queue: declarations of one status (all when None); pending ones oldest
    first, the others newest first."""
    stmt = select(BusinessClassDeclaration)
    if status:
        stmt = stmt.where(BusinessClassDeclaration.status == status)
    order = (
        BusinessClassDeclaration.id.asc()
        if status == "pending"
        else BusinessClassDeclaration.id.desc()
    )
    return paginate(stmt.order_by(order), page, per_page)


def get_declaration(declaration_id: int) -> BusinessClassDeclaration:
    """One declaration, for the admin; 404 when absent."""
    declaration = db.session.get(BusinessClassDeclaration, declaration_id)
    if declaration is None:
        raise NotFound(_("Pernyataan tidak ditemukan."))
    return declaration


def declaration_document(user, declaration_id: int) -> tuple[Path, str, str]:
    """The evidence file of a declaration (path, mimetype, download name) for its shop's owner
    or an admin; 404 for anyone else, as if it did not exist."""
    declaration = db.session.get(BusinessClassDeclaration, declaration_id)
    if declaration is None or (user.role != "admin" and declaration.vendor.owner_id != user.id):
        raise NotFound(_("Pernyataan tidak ditemukan."))
    path = Path(current_app.config["EVIDENCE_FOLDER"]) / declaration.document_path
    if not path.is_file():
        raise NotFound(_("Dokumen tidak ditemukan."))
    return path, rules.DOCUMENT_MIMETYPES[declaration.document_type], declaration.document_name


def _decide(declaration_id: int, status: str) -> BusinessClassDeclaration:
    """Move a pending declaration to `status` with a conditional UPDATE, so two admins deciding
    at once cannot both win; 404 when absent, 409 `invalid_transition` when already decided."""
    declaration = get_declaration(declaration_id)
    if not rules.can_decide_declaration(declaration.status):
        raise InvalidTransition(_("Pernyataan ini sudah diputuskan."))
    done = db.session.execute(
        update(BusinessClassDeclaration)
        .where(
            BusinessClassDeclaration.id == declaration_id,
            BusinessClassDeclaration.status == "pending",
        )
        .values(status=status)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        raise InvalidTransition(_("Pernyataan ini sudah diputuskan."))
    db.session.refresh(declaration)
    return declaration


def approve_declaration(admin, declaration_id: int, reason: str | None = None):
    """Approve a declaration: the shop's class becomes the PP 7/2021 class of the declared
    figure (PKP at least small) and replaces any override; a `large` business is flagged for the
    city's review. Audited as vendor.class_changed; the shop is notified."""
    declaration = _decide(declaration_id, "approved")
    vendor = declaration.vendor
    cls = rules.class_for_declaration(declaration.basis, declaration.amount, vendor.pkp)
    before = _class_state(vendor)
    vendor.umk_class, vendor.umk_class_override = cls, None
    vendor.umk_class_declaration_id = declaration.id
    declaration.decided_class = cls
    declaration.review_reason = reason
    declaration.reviewed_by_id, declaration.reviewed_at = admin.id, naive_utc()
    if rules.needs_city_review(cls):
        _raise_flag(vendor, "large", declaration.amount, None, declaration.id)
    record_audit(
        admin,
        "vendor.class_changed",
        "vendor",
        vendor.id,
        before=before,
        after=_class_state(vendor),
        reason=reason or _("Pernyataan #%(id)s disetujui.", id=declaration.id),
    )
    _notify_class(
        vendor,
        *_texts(
            vendor,
            lambda: (
                _("Pernyataan kelas usaha disetujui: %(c)s", c=_class_label(cls)),
                _(
                    "%(office)s menyetujui pernyataan tahun %(y)s. Kelas usaha toko Anda"
                    " sekarang %(c)s.",
                    office=current_city().office_shops,
                    y=declaration.year,
                    c=_class_label(cls),
                ),
            ),
        ),
    )
    db.session.commit()
    return declaration


def reject_declaration(admin, declaration_id: int, reason: str):
    """Reject a declaration with a reason the shop sees; the class stays as it was. Audited;
    the shop is notified."""
    declaration = _decide(declaration_id, "rejected")
    declaration.review_reason = reason
    declaration.reviewed_by_id, declaration.reviewed_at = admin.id, naive_utc()
    record_audit(
        admin,
        "business_class.declaration_rejected",
        "business_class_declaration",
        declaration.id,
        before={"status": "pending"},
        after={"status": "rejected", "vendor_id": declaration.vendor_id},
        reason=reason,
    )
    vendor = declaration.vendor
    _notify_class(
        vendor,
        *_texts(
            vendor,
            lambda: (
                _("Pernyataan kelas usaha ditolak"),
                _("Alasan: %(r)s. Anda dapat mengirim pernyataan baru.", r=reason),
            ),
        ),
    )
    db.session.commit()
    return declaration


# ---------------------------------------------------------------- flags
def list_flags(open_only: bool = True, page: int = 1, per_page: int = 20) -> Page:
    """Business-class flags, open ones by default, oldest first."""
    stmt = select(BusinessClassFlag)
    if open_only:
        stmt = stmt.where(BusinessClassFlag.resolved_at.is_(None))
    return paginate(stmt.order_by(BusinessClassFlag.id), page, per_page)


def resolve_flag(admin, flag_id: int, reason: str) -> BusinessClassFlag:
    """Close a flag with what the city decided; audited. 404 absent, 409 already resolved."""
    flag = db.session.get(BusinessClassFlag, flag_id)
    if flag is None:
        raise NotFound(_("Tanda tidak ditemukan."))
    if flag.resolved_at is not None:
        raise InvalidTransition(_("Tanda ini sudah ditutup."))
    flag.resolved_at, flag.resolved_by_id, flag.resolution = naive_utc(), admin.id, reason
    record_audit(
        admin,
        "business_class.flag_resolved",
        "business_class_flag",
        flag.id,
        before={"open": True, "vendor_id": flag.vendor_id, "kind": flag.kind},
        after={"open": False},
        reason=reason,
    )
    db.session.commit()
    return flag


def open_flag_rows() -> list[dict[str, Any]]:
    """Open flags with their shop, for the finance/admin watch."""
    flags = db.session.scalars(
        select(BusinessClassFlag)
        .where(BusinessClassFlag.resolved_at.is_(None))
        .order_by(BusinessClassFlag.id)
    ).all()
    return [
        {
            "id": f.id,
            "vendor": {
                "id": f.vendor.id,
                "name": f.vendor.name,
                "kelurahan": f.vendor.kelurahan,
                "type": f.vendor.type,
            },
            "kind": f.kind,
            "umk_class": f.umk_class,
            "amount": f.amount,
            "ceiling": f.ceiling,
            "at": f.created_at,
        }
        for f in flags
    ]
