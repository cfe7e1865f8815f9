"""HTTP routes of the treasurer's side of procurement, on the procurement blueprint: the taxes and
payment of a purchase, the withheld taxes and their deposit (`/api/v1/opd/...` and the `/opd`
pages), and the documents of an office's order (invoice, kwitansi, bukti potong) as a page and a
PDF for the office and the order's shop.

Paying and depositing ask for the office's treasurer (403 otherwise); another office's request,
order or withholding answers 404."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from marketplace.api import api_user, endpoint, require_role
from marketplace.documents import render_pdf, send_pdf
from marketplace.forms import form_values, load_form
from marketplace.procurement import bp, payments
from marketplace.procurement import payment_rules as prules
from marketplace.procurement.payment_schemas import (
    DepositBodySchema,
    DepositSchema,
    OpdPaymentSchema,
    PayBodySchema,
    RequestPaymentsSchema,
    WithholdingQuery,
    WithholdingsSchema,
)
from marketplace.timeutil import today_local

TAG = "procurement"
OFFICE_OR_SHOP = ("civil_servant", "vendor")


# ================================================================= API
@endpoint(
    bp,
    "/opd/requests/<int:request_id>/payments",
    summary="Taxes and payments of a purchase",
    roles=("civil_servant",),
    response=RequestPaymentsSchema,
    errors=[403, 404],
    tag=TAG,
)
def get_request_payments(request_id):
    """Each order with its DPP, PPN, PPh 22 and net payable to the shop under the city's regime
    (OPD_TAX_REGIME), frozen once paid, and its payment."""
    return payments.request_payments(api_user(), request_id)


@endpoint(
    bp,
    "/opd/requests/<int:request_id>/payments",
    "POST",
    summary="Record the payment of a purchase's orders",
    roles=("civil_servant",),
    body=PayBodySchema,
    response=OpdPaymentSchema,
    many=True,
    status=201,
    errors=[403, 404, 409, 422],
    tag=TAG,
)
def pay_request(request_id, data):
    """The office's treasurer records payment by SP2D LS, KKPD or UP/GU of one order
    (`order_id`) or of every unpaid order of the request. Only orders the shop handed over may
    be paid (409 not_received: no BAST yet); an order paid already is 409 already_paid."""
    return payments.pay_orders(api_user(), request_id, data, data.get("order_id")), 201


@endpoint(
    bp,
    "/opd/taxes/withholdings",
    summary="The office's withheld taxes",
    roles=("civil_servant",),
    query=WithholdingQuery,
    response=WithholdingsSchema,
    errors=[403],
    tag=TAG,
)
def list_tax_withholdings(args):
    """The PPN and PPh 22 withheld from the office's payments and not deposited yet (with
    `?deposited=true`: those deposited, with their NTPN), and the total per tax."""
    return payments.list_withholdings(api_user(), deposited=args["deposited"])


@endpoint(
    bp,
    "/opd/taxes/deposits",
    "POST",
    summary="Record the deposit of withheld taxes (NTPN)",
    roles=("civil_servant",),
    body=DepositBodySchema,
    response=DepositSchema,
    status=201,
    errors=[403, 404, 409, 422],
    tag=TAG,
)
def create_tax_deposit(data):
    """The treasurer records the deposit of one tax (ppn or pph22) with its NTPN and date; it
    clears what the ledger owes the state. 409 already_deposited, ntpn_used or nothing_owed."""
    return payments.deposit_taxes(api_user(), data), 201


# ================================================================= pages
@bp.app_context_processor
def _payment_helpers():
    """`opd_payments(request_id)` for the request page (asked only when it shows orders)."""

    def opd_payments(request_id: int):
        return payments.request_payments(require_role("civil_servant"), request_id)

    return {
        "opd_payments": opd_payments,
        "payment_method_labels": _method_labels,
        "tax_labels": _tax_labels,
    }


def _method_labels() -> dict[str, str]:
    return {
        prules.SP2D: _("SP2D LS"),
        prules.KKPD: _("Kartu Kredit Pemerintah Daerah (KKPD)"),
        prules.UP_GU: _("Uang persediaan (UP/GU)"),
    }


def _tax_labels() -> dict[str, str]:
    return {prules.PPN: _("PPN"), prules.PPH22: _("PPh Pasal 22")}


@bp.post("/opd/requests/<int:request_id>/pay")
def pay_page(request_id: int):
    user = require_role("civil_servant")
    data = load_form(
        PayBodySchema(),
        form_values(request.form, drop_blank=True),
        labels={
            "method": _("Cara bayar"),
            "reference": _("Nomor SP2D / referensi"),
            "paid_on": _("Tanggal bayar"),
        },
    )
    paid = payments.pay_orders(user, request_id, data, data.get("order_id"))
    flash(
        _(
            "Pembayaran %(orders)s dicatat.",
            orders=", ".join(p.order.number for p in paid),
        ),
        "success",
    )
    return redirect(url_for("procurement.request_page", request_id=request_id))


@bp.get("/opd/taxes")
def taxes_page():
    """Withheld taxes still owed to the state, a deposit form for the treasurer, and the latest
    deposited ones."""
    user = require_role("civil_servant")
    owed = payments.list_withholdings(user)
    done = payments.list_withholdings(user, deposited=True)
    return render_template(
        "procurement/taxes.html",
        owed=owed,
        done=done,
        today=today_local(),
    )


@bp.post("/opd/taxes/deposit")
def deposit_page():
    user = require_role("civil_servant")
    data = load_form(
        DepositBodySchema(),
        form_values(request.form, drop_blank=True),
        labels={"tax": _("Pajak"), "ntpn": _("NTPN"), "deposited_on": _("Tanggal setor")},
    )
    deposit = payments.deposit_taxes(user, data)
    flash(_("Setoran dengan NTPN %(ntpn)s dicatat.", ntpn=deposit.ntpn), "success")
    return redirect(url_for("procurement.taxes_page"))


# ================================================================= documents
def _document(order_id: int, kind: str) -> dict:
    return payments.get_document(require_role(*OFFICE_OR_SHOP), order_id, kind)


def _page(order_id: int, kind: str):
    doc = _document(order_id, kind)
    return render_template("procurement/document.html", doc=doc, pdf_endpoint=_PDF[kind])


def _pdf(order_id: int, kind: str):
    doc = _document(order_id, kind)
    pdf = render_pdf("procurement/document_pdf.html", doc=doc)
    return send_pdf(pdf, f"{doc['number']}.pdf")


@bp.get("/opd/orders/<int:order_id>/invoice")
def invoice_page(order_id: int):
    """The shop's invoice of an office's order: lines, DPP, PPN, PPh 22 and net payable."""
    return _page(order_id, prules.INVOICE)


@bp.get("/opd/orders/<int:order_id>/invoice.pdf")
def invoice_pdf(order_id: int):
    return _pdf(order_id, prules.INVOICE)


@bp.get("/opd/orders/<int:order_id>/kwitansi")
def receipt_page(order_id: int):
    """The kwitansi of a paid office's order, the amount in words."""
    return _page(order_id, prules.RECEIPT)


@bp.get("/opd/orders/<int:order_id>/kwitansi.pdf")
def receipt_pdf(order_id: int):
    return _pdf(order_id, prules.RECEIPT)


@bp.get("/opd/orders/<int:order_id>/bukti-potong")
def slip_page(order_id: int):
    """The bukti potong of the PPh 22 withheld from a paid office's order."""
    return _page(order_id, prules.SLIP)


@bp.get("/opd/orders/<int:order_id>/bukti-potong.pdf")
def slip_pdf(order_id: int):
    return _pdf(order_id, prules.SLIP)


_PDF = {
    prules.INVOICE: "procurement.invoice_pdf",
    prules.RECEIPT: "procurement.receipt_pdf",
    prules.SLIP: "procurement.slip_pdf",
}
