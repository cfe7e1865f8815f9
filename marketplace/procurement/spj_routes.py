"""HTTP routes of a purchase's SPJ bundle on the procurement blueprint: one download in two forms,
a single PDF and a ZIP (`/api/v1/opd/requests/{id}/spj.pdf|.zip` and the request page's links
`/opd/requests/{id}/spj.pdf|.zip`). Any role of the request's office; 403 without a role, another
office's request 404 (`procurement.spj`)."""

from __future__ import annotations

from marketplace.api import api_user, endpoint, require_role
from marketplace.documents import send_pdf, send_zip
from marketplace.procurement import bp, spj

TAG = "procurement"


# ================================================================= API
@endpoint(
    bp,
    "/opd/requests/<int:request_id>/spj.pdf",
    summary="The purchase's SPJ bundle as one PDF",
    roles=("civil_servant",),
    errors=[403, 404],
    tag=TAG,
    produces=["application/pdf"],
)
def get_request_spj_pdf(request_id):
    """A cover with the checklist (what is still "belum ada"), the request and its approval,
    per order the invoice, kwitansi, bukti potong PPh 22, BAST and its signed scan, and the
    payment record, in one PDF. Any role of the office; downloadable at any stage."""
    return send_pdf(*spj.spj_pdf(api_user(), request_id))


@endpoint(
    bp,
    "/opd/requests/<int:request_id>/spj.zip",
    summary="The purchase's SPJ bundle as a ZIP",
    roles=("civil_servant",),
    errors=[403, 404],
    tag=TAG,
    produces=["application/zip"],
)
def get_request_spj_zip(request_id):
    """The same parts as separate files (00-Daftar-isi.pdf first, the signed BAST scan as it
    was uploaded)."""
    return send_zip(*spj.spj_zip(api_user(), request_id))


# ================================================================= pages
@bp.get("/opd/requests/<int:request_id>/spj.pdf")
def spj_pdf_page(request_id: int):
    return send_pdf(*spj.spj_pdf(require_role("civil_servant"), request_id))


@bp.get("/opd/requests/<int:request_id>/spj.zip")
def spj_zip_page(request_id: int):
    return send_zip(*spj.spj_zip(require_role("civil_servant"), request_id))
