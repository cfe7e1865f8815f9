"""The SPJ bundle of a purchase request (issue 12, deliverable 5): what the spending treasurer's
accountability report (surat pertanggungjawaban) needs, as one download in two forms, a single
PDF and a ZIP, built from the same parts.

The parts, in order: a cover with a checklist; the request and its approval (number, OPD, budget
line, activity, purpose, lines, totals, history, the PPK's decision); per order its invoice,
kwitansi and bukti potong PPh 22 (`payments.get_document`, rendered by the same template as their
PDFs), its BAST (`bast.bast_pdf`) and the BAST's signed scan; and the payment record (method,
reference, date and amounts per order, the withheld taxes and their NTPN).

The signed scan goes into the ZIP as the file that was uploaded. In the single PDF a PDF scan's
pages are appended as they are (pypdf); a JPEG or PNG scan becomes a page of its own showing the
image; a scan that cannot be read (a damaged PDF, a missing file) is named on the cover as "ada di
ZIP" / "belum ada" instead. Whatever does not exist yet (no orders before approval, no BAST before
receipt, no kwitansi before payment) is listed on the cover as "belum ada", so the bundle can be
downloaded at any stage; a bukti potong when no PPh 22 was withheld, and the documents of an order
the shop rejected or cancelled, are "tidak berlaku".

Who: anyone holding a role in the request's office (`queries.get_request`: 403 without a role,
404 for another office's request or a draft). Reading only; nothing is written.
"""

from __future__ import annotations

import base64
import io
import logging
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError

from marketplace.accounts.models import User
from marketplace.documents import render_pdf, zip_bundle
from marketplace.errors import NotFound
from marketplace.models_base import utcnow
from marketplace.procurement import bast as bast_docs
from marketplace.procurement import payment_rules as prules
from marketplace.procurement import payments, queries
from marketplace.procurement.models import PurchaseRequest

log = logging.getLogger(__name__)

# The state of one item of the checklist.
PRESENT, MISSING, NOT_APPLICABLE = "ada", "belum ada", "tidak berlaku"
# Orders the shop refused or that were called off: nothing follows them.
DEAD_ORDER_STATUSES = ("cancelled", "rejected")


@dataclass
class Part:
    """One item of the bundle: its label on the cover, its file name in the ZIP, its state, and
    its bytes when present. `in_pdf` is False for a part the single PDF cannot hold (then
    `pdf_note` says why)."""

    label: str
    filename: str
    state: str = PRESENT
    content: bytes | None = None
    in_pdf: bool = True
    pdf_note: str | None = None
    group: str = ""
    mimetype: str = "application/pdf"


@dataclass
class Bundle:
    request: PurchaseRequest
    parts: list[Part] = field(default_factory=list)

    @property
    def stem(self) -> str:
        return "SPJ-" + _safe(self.request.number or f"PR-{self.request.id}")

    @property
    def complete(self) -> bool:
        return all(p.state != MISSING for p in self.parts)


def _safe(number: str) -> str:
    return number.replace("/", "-")


# ---------------------------------------------------------------- the parts
def build(user: User, request_id: int) -> Bundle:
    """Every part of the request's SPJ, rendered (the cover is made by `spj_pdf`/`spj_zip`)."""
    request = queries.get_request(user, request_id)
    bundle = Bundle(request)
    stem = _safe(request.number)
    bundle.parts.append(
        Part(
            _("Permintaan pembelian dan persetujuan PPK"),
            f"01-{stem}.pdf",
            content=render_pdf("procurement/request_document.html", req=request),
        )
    )
    if not request.orders:
        bundle.parts.append(
            Part(
                _("Pesanan ke toko (dibuat setelah PPK menyetujui)"),
                "-",
                state=NOT_APPLICABLE if request.status != "submitted" else MISSING,
            )
        )
    record = payments.request_payments(user, request.id)
    by_order = {v["order_id"]: v for v in record["orders"]}
    for index, order in enumerate(request.orders, start=2):
        bundle.parts.extend(_order_parts(user, order, by_order[order.id], f"{index:02d}"))
    paid = [v for v in record["orders"] if v["payment"] is not None]
    live = [o for o in request.orders if o.status not in DEAD_ORDER_STATUSES]
    label = _("Rekap pembayaran (SP2D/KKPD/UP-GU)")
    if paid:
        content = render_pdf(
            "procurement/payment_record_document.html", req=request, record=record, paid=paid
        )
        name = f"{len(request.orders) + 2:02d}-Rekap-pembayaran-{stem}.pdf"
        bundle.parts.append(Part(label, name, content=content))
    else:
        state = MISSING if live or request.status == "submitted" else NOT_APPLICABLE
        bundle.parts.append(Part(label, "-", state))
    return bundle


def _order_parts(user: User, order, view: dict[str, Any], prefix: str) -> list[Part]:
    group = f"{order.number} · {order.vendor.name}"
    dead = order.status in DEAD_ORDER_STATUSES and view["payment"] is None
    payment = view["payment"]
    paid = payment is not None

    def document(kind: str, label: str, ready: bool) -> Part:
        return _document(user, order, kind, label, prefix, group, dead=dead, ready=ready)

    parts = [
        document(prules.INVOICE, _("Invoice"), True),
        document(prules.RECEIPT, _("Kwitansi"), paid),
    ]
    if paid and not payment.pph22:
        label = _("Bukti potong PPh Pasal 22 (tidak ada PPh dipotong)")
        parts.append(Part(label, "-", NOT_APPLICABLE, group=group))
    else:
        parts.append(document(prules.SLIP, _("Bukti potong PPh Pasal 22"), paid))
    found = order.bast
    if found is None:
        state = NOT_APPLICABLE if dead else MISSING
        parts.append(Part(_("BAST"), "-", state, group=group))
        parts.append(Part(_("Pindaian BAST bertanda tangan"), "-", state, group=group))
        return parts
    found = bast_docs.get_bast(user, found.id)
    bast_stem = _safe(found.number)
    parts.append(
        Part(
            _("BAST") + " " + found.number,
            f"{prefix}-{bast_stem}.pdf",
            content=bast_docs.bast_pdf(found),
            group=group,
        )
    )
    parts.append(_scan(user, found, f"{prefix}-{bast_stem}-pindaian", group))
    return parts


def _document(
    user: User, order, kind: str, label: str, prefix: str, group: str, *, dead: bool, ready: bool
) -> Part:
    if dead:
        return Part(label, "-", NOT_APPLICABLE, group=group)
    if not ready:
        return Part(label, "-", MISSING, group=group)
    doc = payments.get_document(user, order.id, kind)
    return Part(
        f"{label} {doc['number']}",
        f"{prefix}-{_safe(doc['number'])}.pdf",
        content=render_pdf("procurement/document_pdf.html", doc=doc),
        group=group,
    )


def _scan(user: User, found, stem: str, group: str) -> Part:
    label = _("Pindaian BAST bertanda tangan")
    if not found.scan_path:
        return Part(label, "-", MISSING, group=group)
    try:
        path, mimetype, name = bast_docs.scan_file(user, found.id)
    except NotFound:
        return Part(label, "-", MISSING, group=group)
    content = path.read_bytes()
    extension = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png"}.get(found.scan_type or "", "")
    return Part(
        f"{label} ({name})",
        stem + (extension or path.suffix),
        content=content,
        group=group,
        mimetype=mimetype,
    )


# ---------------------------------------------------------------- the two forms
def _cover(bundle: Bundle, *, form: str) -> bytes:
    return render_pdf(
        "procurement/spj_cover_document.html",
        req=bundle.request,
        parts=bundle.parts,
        complete=bundle.complete,
        form=form,
        printed_at=utcnow(),
        states={"present": PRESENT, "missing": MISSING, "na": NOT_APPLICABLE},
    )


def spj_zip(user: User, request_id: int) -> tuple[bytes, str]:
    """The ZIP: the cover (00-Daftar-isi.pdf), then each present part as its own file (the scan
    as uploaded). Returns (bytes, download name)."""
    bundle = build(user, request_id)
    files = [("00-Daftar-isi.pdf", _cover(bundle, form="zip"))]
    files += [(p.filename, p.content) for p in bundle.parts if p.content is not None]
    return zip_bundle(files), bundle.stem + ".zip"


def spj_pdf(user: User, request_id: int) -> tuple[bytes, str]:
    """The single PDF: the cover, then each present part's pages in the bundle's order (a PDF
    scan's own pages, an image scan as a page showing it). Returns (bytes, download name)."""
    bundle = build(user, request_id)
    pages: list[bytes] = []
    for part in bundle.parts:
        if part.content is None:
            continue
        pages.append(_as_pdf(part))
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(_cover(bundle, form="pdf"))))
    for content in pages:
        if content:
            writer.append(PdfReader(io.BytesIO(content)))
    writer.add_metadata({"/Title": f"SPJ {bundle.request.number}"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), bundle.stem + ".pdf"


def _as_pdf(part: Part) -> bytes:
    """The part's pages for the single PDF; b"" (and a note on the cover) when it has none."""
    mimetype = part.mimetype
    if mimetype in ("image/jpeg", "image/png"):
        src = f"data:{mimetype};base64,{base64.b64encode(part.content).decode()}"
        return render_pdf("procurement/spj_image_document.html", label=part.label, src=src)
    try:
        PdfReader(io.BytesIO(part.content), strict=False).pages[0]
    except (PyPdfError, ValueError, IndexError, KeyError, TypeError) as exc:
        log.warning("SPJ: %s cannot be embedded: %s", part.filename, exc)
        part.in_pdf = False
        part.pdf_note = _("tidak dapat disematkan; ada di ZIP")
        return b""
    return part.content
