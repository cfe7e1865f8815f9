"""The nota retur (credit note) of a refund of a PKP shop's sale: what was returned, its DPP and
PPN, for the page and the PDF. Reads only.

A PKP seller that takes goods back issues a nota retur so the PPN it charged is corrected; only
sales of PKP shops carry PPN, so other refunds have none (404).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from marketplace.accounts.models import User
from marketplace.documents import render_pdf
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.ordering import queries, rules
from marketplace.ordering.models import Order, OrderLine
from marketplace.payments.models import Refund
from marketplace.timeutil import year_of


@dataclass
class CreditNoteLine:
    name: str
    unit: str
    quantity: int | None  # None: refunded by amount, not by quantity
    unit_price: int
    amount: int
    vat: int


@dataclass
class CreditNote:
    number: str
    refund: Refund
    order: Order
    buyer: User
    lines: list[CreditNoteLine]

    @property
    def issued_at(self) -> datetime:
        return self.refund.created_at

    @property
    def amount(self) -> int:
        return sum(ln.amount for ln in self.lines)

    @property
    def ppn(self) -> int:
        return sum(ln.vat for ln in self.lines)

    @property
    def dpp(self) -> int:
        return self.amount - self.ppn


def get_credit_note(user: User, refund_id: int) -> CreditNote:
    """The credit note of one refund of an order the user may see (the buyer, the shop, finance);
    404 when the refund is not theirs, or when the shop is not PKP (no PPN, no note)."""
    refund = db.session.get(Refund, refund_id)
    try:
        order = queries.get_order(user, refund.order_id if refund else -1)
    except NotFound:
        # the same answer whether the refund is absent or someone else's
        raise NotFound(_("Pengembalian dana tidak ditemukan.")) from None
    if not order.vendor.pkp:
        raise NotFound(_("Nota retur hanya dibuat untuk penjualan toko PKP; toko ini bukan PKP."))
    by_id: dict[int, OrderLine] = {ln.id: ln for ln in order.lines}
    lines = [
        CreditNoteLine(
            name=by_id[rl.order_line_id].name,
            unit=by_id[rl.order_line_id].unit,
            quantity=rl.quantity,
            unit_price=by_id[rl.order_line_id].unit_price,
            amount=rl.amount,
            vat=rl.vat,
        )
        for rl in refund.lines
    ]
    return CreditNote(
        number=rules.credit_note_number(year_of(refund.created_at), refund.id),
        refund=refund,
        order=order,
        buyer=order.buyer,
        lines=lines,
    )


def credit_note_pdf(note: CreditNote) -> bytes:
    """The credit note as an A4 PDF, from the same content partial as its page."""
    return render_pdf("ordering/credit_note_document.html", note=note)
