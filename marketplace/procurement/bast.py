"""The office's BAST (berita acara serah terima): once a shop recorded handing an office's order
over (`delivered`), the office's officer or PPK confirms the receipt with a numbered BAST
(BAST/<OPD>/<year>/0001) and the order becomes `received`; the BAST is printed as a PDF from the
same partial its page shows, signed, and its scan uploaded back (PDF, JPEG or PNG, at most 5 MB,
kept in EVIDENCE_FOLDER/bast, never public).

Who sees a BAST and its scan: anyone holding a role in its office, and its shop's owner; anyone
else gets 404. One BAST per order. Writes are audited (`procurement.bast_create`,
`procurement.bast_scan`) and own their transaction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import Opd, User
from marketplace.audit.models import record_audit
from marketplace.city import rupiah
from marketplace.documents import render_pdf
from marketplace.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.notifications.services import notify
from marketplace.ordering.models import Order
from marketplace.ordering.procurement_port import confirm_receipt, lock_office_order
from marketplace.procurement import bast_rules
from marketplace.procurement.models import Bast, PurchaseRequest
from marketplace.procurement.roles import Office, office_of, require_office
from marketplace.shops import rules as shop_rules
from marketplace.shops import uploads
from marketplace.timeutil import to_local, today_local

SCAN_FIELD = "scan"
NOT_FOUND = "BAST tidak ditemukan."


def scan_folder() -> Path:
    """Where signed scans are kept: beside the shops' evidence, outside the static folder."""
    return Path(current_app.config["EVIDENCE_FOLDER"]) / "bast"


def bast_url(bast: Bast) -> str:
    """The BAST's page (a path, so notifications need no request context)."""
    return f"/opd/bast/{bast.id}"


# ---------------------------------------------------------------- reading
def _loaded():
    return select(Bast).options(
        selectinload(Bast.order).selectinload(Order.lines),
        selectinload(Bast.request),
        selectinload(Bast.vendor),
        selectinload(Bast.opd),
        selectinload(Bast.created_by),
        selectinload(Bast.scan_uploaded_by),
    )


def _visible(user: User, bast: Bast | None) -> Bast:
    office = office_of(user)
    if bast is None or not bast_rules.may_see(
        office_opd_id=office.opd.id if office.opd else None,
        office_roles=office.roles,
        vendor_id=user.vendor_id,
        bast_opd_id=bast.opd_id,
        bast_vendor_id=bast.vendor_id,
    ):
        raise NotFound(NOT_FOUND)
    bast.may_upload = bast.opd_id == (office.opd.id if office.opd else None) and (
        bast_rules.may_make(office.roles)
    )
    return bast


def get_bast(user: User, bast_id: int) -> Bast:
    """One BAST with its order's lines, for its office (any role) and its shop; 404 otherwise.
    `may_upload` says whether the caller may upload its signed scan."""
    return _visible(user, db.session.scalar(_loaded().where(Bast.id == bast_id)))


def get_order_bast(user: User, order_id: int) -> Bast:
    """The BAST of one order (the shop's orders page links by order), same access as get_bast."""
    return _visible(user, db.session.scalar(_loaded().where(Bast.order_id == order_id)))


def attach_basts(office: Office, request: PurchaseRequest) -> None:
    """Give each of the request's orders its BAST (`order.bast`, None before one is made) and
    the request `may_receive`: whether the caller may make BASTs (officer or PPK)."""
    ids = [o.id for o in request.orders]
    found = {
        b.order_id: b for b in db.session.scalars(select(Bast).where(Bast.order_id.in_(ids))).all()
    }
    for order in request.orders:
        order.bast = found.get(order.id)
    request.may_receive = bast_rules.may_make(office.roles)


def bast_pdf(bast: Bast) -> bytes:
    """The BAST as an A4 PDF, from the same content partial as its page."""
    return render_pdf("procurement/bast_document.html", bast=bast)


def pdf_name(bast: Bast) -> str:
    return bast.number.replace("/", "-") + ".pdf"


def scan_file(user: User, bast_id: int) -> tuple[Path, str, str]:
    """The signed scan (path, mimetype, download name) for those who see the BAST; 404 when
    none was uploaded yet."""
    bast = get_bast(user, bast_id)
    if not bast.scan_path:
        raise NotFound("Pindaian BAST bertanda tangan belum diunggah.")
    path = scan_folder() / bast.scan_path
    if not path.is_file():
        raise NotFound("Pindaian BAST tidak ditemukan.")
    return path, shop_rules.DOCUMENT_MIMETYPES[bast.scan_type or "pdf"], bast.scan_name or path.name


# ---------------------------------------------------------------- making it
def _next_number(opd: Opd, year: int) -> str:
    """The next BAST number of the office's year, counted under the office's row lock (two
    BASTs made together get 0001 and 0002, never the same; the unique number backs it)."""
    db.session.execute(select(Opd.id).where(Opd.id == opd.id).with_for_update()).all()
    used = db.session.scalar(
        select(func.count()).select_from(Bast).where(Bast.opd_id == opd.id, Bast.year == year)
    )
    return bast_rules.bast_number(opd.code, year, int(used or 0) + 1)


def _exists() -> Conflict:
    return Conflict("Pesanan ini sudah memiliki BAST.", code="bast_exists")


def _snapshot(bast: Bast) -> dict[str, Any]:
    return {
        "number": bast.number,
        "order_id": bast.order_id,
        "request_id": bast.request_id,
        "vendor_id": bast.vendor_id,
        "received_on": bast.received_on.isoformat(),
        "total": bast.total,
        "scan_name": bast.scan_name,
        "scan_type": bast.scan_type,
    }


def create_bast(user: User, order_id: int, data: dict[str, Any]) -> Bast:
    """The office's officer or PPK confirms receiving a delivered order: a numbered BAST, the
    order `delivered → received`, audited, and the shop told. 403 without either role; 404 for
    an order not the office's; 409 `bast_exists` when the order has one, `invalid_transition`
    before the shop recorded the delivery; 422 for a day of receipt in the future or before the
    delivery. `received_on` defaults to today (local), `note` is optional."""
    office = require_office(user, *bast_rules.BAST_ROLES)
    order = lock_office_order(order_id, office.opd.id)
    if order is None:
        raise NotFound("Pesanan tidak ditemukan.")
    if db.session.scalar(select(Bast.id).where(Bast.order_id == order.id)) is not None:
        raise _exists()
    if not order.can_transition_to("received"):
        raise InvalidTransition(
            f"Pesanan {order.number} belum diserahkan toko; BAST dibuat setelah toko mencatat "
            "penyerahannya.",
            details={"from": order.status, "to": "received"},
        )
    received_on = data.get("received_on") or today_local()
    errors = bast_rules.received_on_errors(
        received_on, delivered_on=order.delivered_on, today=today_local()
    )
    if errors:
        raise ValidationFailed("Tanggal penerimaan belum benar.", details=errors)
    request = db.session.scalar(
        select(PurchaseRequest).where(
            PurchaseRequest.checkout_id == order.checkout_id,
            PurchaseRequest.opd_id == office.opd.id,
        )
    )
    if request is None:  # an invoice order of the office always comes from a request
        raise NotFound("Pesanan tidak ditemukan.")
    note = (data.get("note") or "").replace("\x00", "").strip()[:500] or None
    year = to_local(utcnow()).year
    bast = Bast(
        number=_next_number(office.opd, year),
        opd_id=office.opd.id,
        year=year,
        order_id=order.id,
        request_id=request.id,
        vendor_id=order.vendor_id,
        received_on=received_on,
        note=note,
        total=order.total,
        created_by_id=user.id,
    )
    db.session.add(bast)
    try:
        db.session.flush()
    except IntegrityError:  # another BAST of this order (or number) was made at the same moment
        db.session.rollback()
        raise _exists() from None
    confirm_receipt(order, user, f"Diterima kantor: {bast.number} ({received_on}).")
    record_audit(user, "procurement.bast_create", "bast", bast.id, after=_snapshot(bast))
    owner = order.vendor.owner
    if owner is not None:
        notify(
            owner,
            "order_received",
            f"Penerimaan pesanan {order.number} dikonfirmasi",
            f"{office.opd.name} menerima pesanan {order.number} ({rupiah(order.total)}) dengan "
            f"{bast.number}; pembayaran oleh bendahara menyusul.",
            bast_url(bast),
        )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise _exists() from None
    return bast


def upload_scan(user: User, bast_id: int, upload) -> Bast:
    """The office's officer or PPK uploads the signed BAST (PDF, JPEG or PNG by its bytes, at
    most 5 MB; 422 otherwise); a new scan replaces the previous one (audited with both)."""
    office = require_office(user, *bast_rules.BAST_ROLES)
    bast = db.session.scalar(
        select(Bast)
        .where(Bast.id == bast_id, Bast.opd_id == office.opd.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if bast is None:
        raise NotFound(NOT_FOUND)
    content, kind = uploads.read_checked_upload(
        upload,
        SCAN_FIELD,
        max_bytes=shop_rules.MAX_DOCUMENT_BYTES,
        sniff=shop_rules.sniff_document_type,
        missing="Lampirkan pindaian BAST yang sudah ditandatangani.",
        too_big=("Pindaian terlalu besar (maksimal 5 MB).", "Maksimal 5 MB."),
        wrong_type=("Pindaian harus berupa PDF, JPEG atau PNG.", "Harus PDF, JPEG atau PNG."),
    )
    before = _snapshot(bast)
    previous = bast.scan_path
    path = uploads.store_upload(
        scan_folder(), f"bast{bast.id}", shop_rules.DOCUMENT_EXTENSIONS[kind], content
    )
    bast.scan_path = path.name
    bast.scan_name = Path(upload.filename).name[:200]
    bast.scan_type = kind
    bast.scan_uploaded_at = utcnow()
    bast.scan_uploaded_by_id = user.id
    record_audit(
        user, "procurement.bast_scan", "bast", bast.id, before=before, after=_snapshot(bast)
    )
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        path.unlink(missing_ok=True)
        raise
    if previous and previous != path.name:
        (scan_folder() / previous).unlink(missing_ok=True)
    return get_bast(user, bast.id)
