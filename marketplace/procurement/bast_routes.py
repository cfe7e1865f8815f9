"""HTTP routes of the office's BAST on the procurement blueprint: the API
(`/api/v1/opd/orders/{id}/bast`, `/api/v1/opd/bast/{id}`, its PDF and its signed scan) and the
pages (`/opd/bast/{id}` for the office and the shop, the forms on the request page).

The office's officer or PPK makes a BAST and uploads its scan; anyone holding a role in the office
and the order's shop read them; anyone else gets 404 (`procurement.bast`)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from marketplace.api import api_user, endpoint, require_role
from marketplace.documents import send_pdf
from marketplace.forms import form_values, load_form
from marketplace.procurement import bast, bp
from marketplace.procurement.bast_schemas import BastCreateSchema, BastSchema

TAG = "procurement"
READERS = ("civil_servant", "vendor")
SCAN_FORM = {"scan": "file"}
SCAN_TYPES = ["application/pdf", "image/jpeg", "image/png"]


# ================================================================= API
@endpoint(
    bp,
    "/opd/orders/<int:order_id>/bast",
    "POST",
    summary="Confirm receiving a delivered order with a BAST",
    roles=("civil_servant",),
    body=BastCreateSchema,
    response=BastSchema,
    status=201,
    errors=[403, 404, 409, 422],
    tag=TAG,
)
def create_office_bast(order_id, data):
    """The office's officer or PPK makes the order's BAST (BAST/<OPD>/<year>/0001) with the day
    of receipt (`received_on`, default today) and an optional `note`; the order becomes
    `received` and its shop is told. 409 `bast_exists` for a second one, `invalid_transition`
    before the shop recorded the delivery; 422 for a day in the future or before the delivery."""
    user = api_user()
    made = bast.create_bast(user, order_id, data)
    return bast.get_bast(user, made.id), 201


@endpoint(
    bp,
    "/opd/bast/<int:bast_id>",
    summary="One BAST",
    roles=READERS,
    response=BastSchema,
    errors=[404],
    tag=TAG,
)
def get_office_bast(bast_id):
    """The BAST with its order's items, for its office (any role) and its shop; 404 otherwise."""
    return bast.get_bast(api_user(), bast_id)


@endpoint(
    bp,
    "/opd/bast/<int:bast_id>/pdf",
    summary="The BAST as a PDF",
    roles=READERS,
    errors=[404],
    tag=TAG,
    produces=["application/pdf"],
)
def get_office_bast_pdf(bast_id):
    """The printable BAST (A4) with its signature blocks, to sign and upload back."""
    found = bast.get_bast(api_user(), bast_id)
    return send_pdf(bast.bast_pdf(found), bast.pdf_name(found))


@endpoint(
    bp,
    "/opd/bast/<int:bast_id>/scan",
    "POST",
    summary="Upload the signed BAST",
    roles=("civil_servant",),
    multipart=SCAN_FORM,
    response=BastSchema,
    errors=[403, 404, 422],
    tag=TAG,
)
def upload_office_bast_scan(bast_id):
    """Multipart `scan`: the signed BAST as PDF, JPEG or PNG (at most 5 MB), by the office's
    officer or PPK; a new scan replaces the previous one."""
    return bast.upload_scan(api_user(), bast_id, request.files.get("scan"))


@endpoint(
    bp,
    "/opd/bast/<int:bast_id>/scan",
    summary="Download the signed BAST",
    roles=READERS,
    errors=[404],
    tag=TAG,
    produces=SCAN_TYPES,
)
def get_office_bast_scan(bast_id):
    """The signed scan as uploaded, for the office and the shop; 404 before one is uploaded."""
    return _send_scan(bast_id)


def _send_scan(bast_id: int):
    path, mimetype, name = bast.scan_file(api_user(), bast_id)
    response = send_file(path, mimetype=mimetype, as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response


# ================================================================= pages
def _labels() -> dict[str, str]:
    return {"received_on": _("Tanggal diterima"), "note": _("Catatan"), "scan": _("Pindaian")}


@bp.post("/opd/orders/<int:order_id>/bast")
def create_bast_page(order_id: int):
    """The request page's form: make the order's BAST, then show it."""
    user = require_role("civil_servant")
    data = load_form(
        BastCreateSchema(), form_values(request.form, drop_blank=True), labels=_labels()
    )
    made = bast.create_bast(user, order_id, data)
    flash(
        _(
            "%(n)s dibuat; pesanan diterima. Cetak, tanda tangani, lalu unggah pindaiannya.",
            n=made.number,
        ),
        "success",
    )
    return redirect(url_for("procurement.bast_page", bast_id=made.id))


@bp.get("/opd/orders/<int:order_id>/bast")
def order_bast_page(order_id: int):
    """The BAST of an order (the shop's orders page links by order)."""
    found = bast.get_order_bast(require_role(*READERS), order_id)
    return redirect(url_for("procurement.bast_page", bast_id=found.id))


@bp.get("/opd/bast/<int:bast_id>")
def bast_page(bast_id: int):
    """The BAST as it prints, with its PDF, its scan and (for the officer or PPK) the upload."""
    found = bast.get_bast(require_role(*READERS), bast_id)
    return render_template("procurement/bast.html", bast=found)


@bp.get("/opd/bast/<int:bast_id>.pdf")
def bast_pdf_page(bast_id: int):
    found = bast.get_bast(require_role(*READERS), bast_id)
    return send_pdf(bast.bast_pdf(found), bast.pdf_name(found))


@bp.get("/opd/bast/<int:bast_id>/scan")
def bast_scan_page(bast_id: int):
    require_role(*READERS)
    return _send_scan(bast_id)


@bp.post("/opd/bast/<int:bast_id>/scan")
def bast_scan_upload_page(bast_id: int):
    found = bast.upload_scan(require_role("civil_servant"), bast_id, request.files.get("scan"))
    flash(_("Pindaian %(n)s diunggah.", n=found.number), "success")
    return redirect(url_for("procurement.bast_page", bast_id=bast_id))
