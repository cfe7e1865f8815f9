"""Rules of the treasurer's payment of an office's orders and of the deposit of the taxes withheld,
with no database (issue 12, deliverables 3 and 4).

- Which orders may be paid (`PAYABLE_ORDER_STATUSES`: handed over to the office; the BAST slice
  adds its `received` status here).
- How they are paid (`PAYMENT_METHODS`): SP2D LS with its number and date, the regional
  government credit card (KKPD) with the card transaction's reference, or petty cash (UP/GU)
  with the number of the treasurer's receipt.
- The ledger journals of a payment and of a deposit (`settlement_lines`, `deposit_lines`):
  the shop's share (gross less commission less what was withheld) becomes available for its
  payout, the withheld PPN and PPh 22 are owed to the state (`TAX_PAYABLE`) until their deposit
  with an NTPN clears them.
- Document numbers: invoice, kwitansi and bukti potong of one payment.

Messages are Indonesian (they reach the treasurer as they are).
"""

from __future__ import annotations

import re
from datetime import date

from marketplace.ledger.models import (
    OFFICE_TAX_HELD,
    PLATFORM_COMMISSION,
    PROVIDER_CASH,
    TAX_PAYABLE,
    VENDOR_AVAILABLE,
)
from marketplace.procurement.tax_tables import PLATFORM

# ---------------------------------------------------------------- what may be paid
# An order the office confirmed receiving with its BAST (`received`): a payment (LS above all)
# is made against the BAST, so a merely `delivered` order waits for it.
PAYABLE_ORDER_STATUSES: tuple[str, ...] = ("received",)

# ---------------------------------------------------------------- how it is paid
SP2D, KKPD, UP_GU = "sp2d", "kkpd", "up_gu"
PAYMENT_METHODS = (SP2D, KKPD, UP_GU)
METHOD_LABELS = {
    SP2D: "SP2D LS",
    KKPD: "Kartu Kredit Pemerintah Daerah (KKPD)",
    UP_GU: "Uang persediaan (UP/GU)",
}
REFERENCE_LABELS = {
    SP2D: "Nomor SP2D",
    KKPD: "Referensi transaksi KKPD",
    UP_GU: "Nomor bukti kas UP/GU",
}
MAX_REFERENCE = 64

# ---------------------------------------------------------------- the taxes withheld
PPN, PPH22 = "ppn", "pph22"
TAX_KINDS = (PPN, PPH22)
TAX_LABELS = {PPN: "PPN", PPH22: "PPh Pasal 22"}
# NTPN (Nomor Transaksi Penerimaan Negara): 16 letters and digits on the deposit's receipt.
_NTPN = re.compile(r"^[0-9A-Z]{16}$")


def payment_problem(order_status: str, payment_terms: str, already_paid: bool) -> str | None:
    """Why an office's order cannot be paid now, or None. Codes: `already_paid` (409),
    `not_invoice` (404: not an office's order), `not_received` (409: no BAST yet)."""
    if payment_terms != "invoice":
        return "not_invoice"
    if already_paid:
        return "already_paid"
    if order_status not in PAYABLE_ORDER_STATUSES:
        return "not_received"
    return None


def reference_problem(method: str, reference: str | None) -> str | None:
    """Why the payment's reference is refused, or None (it is required for every method)."""
    text = (reference or "").strip()
    if not text:
        return f"{REFERENCE_LABELS.get(method, 'Referensi')} wajib diisi."
    if len(text) > MAX_REFERENCE:
        return f"Paling banyak {MAX_REFERENCE} karakter."
    return None


def date_problem(day: date, today: date, *, not_before: date | None = None) -> str | None:
    """Why a payment's or deposit's date is refused: never in the future, never before
    `not_before` (the hand-over, or the payment the deposit is for)."""
    if day > today:
        return "Tanggal tidak boleh di masa depan."
    if not_before is not None and day < not_before:
        return f"Tanggal tidak boleh sebelum {not_before.isoformat()}."
    return None


def normalise_ntpn(value: str | None) -> str:
    """The NTPN in capitals without spaces or dashes, or ValueError (Indonesian)."""
    text = re.sub(r"[\s-]+", "", value or "").upper()
    if not text:
        raise ValueError("NTPN wajib diisi.")
    if not _NTPN.match(text):
        raise ValueError("NTPN terdiri dari 16 huruf/angka, seperti tertera pada bukti setor.")
    return text


def recognition_period(paid_period: str, now_period: str, paid_period_closed: bool) -> str:
    """The month a payment's sale is counted in: the month of the SP2D's (or payment's) date, the
    APBD's own realisation date, unless finance closed that month already, then the month it is
    recorded in (a closed month never changes)."""
    return now_period if paid_period_closed else paid_period


# ---------------------------------------------------------------- the ledger
def tax_clearing_account(collector: str) -> str:
    """Where the withheld taxes sit until their deposit. The platform (PMK 58/2022) receives the
    office's whole payment and deposits the taxes from its own cash; the office's treasurer
    (PMK 59/2022) keeps them back and pays only the net, so the platform's books hold them as
    held by the office (`OFFICE_TAX_HELD`) against what is owed to the state."""
    return PROVIDER_CASH if collector == PLATFORM else OFFICE_TAX_HELD


def settlement_lines(
    *,
    gross: int,
    withheld: int,
    commission: int,
    vendor_id: int,
    collector: str,
) -> list[tuple]:
    """The journal of one paid order on invoice (debit > 0 > credit): the money received (the
    net, or the whole gross when the platform collects), the shop's share available for its
    payout (goods handed over already), the commission, and the withheld taxes owed to the
    state. Sums to zero by construction; refuses amounts that do not fit."""
    # (a negative gross with both parts ≥ 0 is refused by the second test)
    if min(withheld, commission) < 0 or withheld + commission > gross:
        raise ValueError("withheld taxes and commission cannot exceed the order's total")
    net = gross - withheld
    if tax_clearing_account(collector) == PROVIDER_CASH:
        received = [(PROVIDER_CASH, gross)]
    else:
        received = [(PROVIDER_CASH, net), (OFFICE_TAX_HELD, withheld)]
    return [
        *received,
        (VENDOR_AVAILABLE, -(net - commission), vendor_id),
        (PLATFORM_COMMISSION, -commission),
        (TAX_PAYABLE, -withheld),
    ]


def deposit_lines(amount: int, collector: str) -> list[tuple]:
    """The journal of a deposit of `amount` withheld taxes: the liability to the state is cleared
    against where the money was held."""
    if amount <= 0:
        raise ValueError("a deposit is of a positive amount")
    return [(TAX_PAYABLE, amount), (tax_clearing_account(collector), -amount)]


# ---------------------------------------------------------------- document numbers
INVOICE, RECEIPT, SLIP = "invoice", "kwitansi", "bukti-potong"
DOCUMENTS = (INVOICE, RECEIPT, SLIP)
DOCUMENT_TITLES = {
    INVOICE: "Tagihan (invoice)",
    RECEIPT: "Kwitansi",
    SLIP: "Bukti potong PPh Pasal 22",
}
_PREFIX = {RECEIPT: "KW", SLIP: "BP22"}


def document_number(kind: str, order_number: str, year: int, payment_id: int) -> str:
    """The invoice is the order's (`INV-PKN-202612-000123`: the shop bills it before payment);
    the kwitansi and the bukti potong are the payment's, by the local year of its recording and
    its id (`KW-2026-000042`, `BP22-2026-000042`)."""
    if kind == INVOICE:
        return f"INV-{order_number}"
    return f"{_PREFIX[kind]}-{year}-{payment_id:06d}"
