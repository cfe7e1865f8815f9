"""The office's treasurer pays its orders on invoice and deposits the taxes withheld (issue 12,
deliverables 3 and 4).

- `order_taxes`: the DPP, PPN, PPh 22 and net payable of one order under the city's regime
  (`OPD_TAX_REGIME`, `tax_rules.assess`); `request_payments`: every order of a purchase with
  its taxes, as paid or as they would be paid today.
- `pay_orders`: the treasurer records the payment of one order or of every order of a request
  (SP2D LS, KKPD or UP/GU): the taxes are assessed and frozen, the sale is recognised (spending
  records with the OPD and budget line, in the month of the payment, which is always open), the
  ledger gets a balanced journal (`payment_rules.settlement_lines`) with the withheld taxes owed
  to the state, the shop's share becomes available for its payout, and the shop and the officer
  are told. Paying an order twice is 409.
- `deposit_taxes`: the treasurer records the deposit of withheld taxes of one kind with its NTPN,
  which clears what the ledger owes the state; `list_withholdings` shows what is still owed.

Each write owns its transaction.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import User
from marketplace.audit.models import record_audit
from marketplace.city import rupiah
from marketplace.errors import Conflict, NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.ledger.queries import is_closed
from marketplace.ledger.services import post_journal
from marketplace.models_base import utcnow
from marketplace.notifications.services import notify
from marketplace.ordering.models import Order
from marketplace.ordering.procurement_payment_port import lock_invoice_orders, mark_invoice_paid
from marketplace.ordering.procurement_port import orders_of_checkout
from marketplace.procurement import payment_rules as prules
from marketplace.procurement import rules, tax_rules
from marketplace.procurement.models import PurchaseRequest
from marketplace.procurement.payment_models import (
    OpdPayment,
    OpdPaymentLine,
    TaxDeposit,
    TaxWithholding,
)
from marketplace.procurement.roles import office_of, require_office
from marketplace.timeutil import day_start, period_of, today_local


# ---------------------------------------------------------------- the taxes of an order
def current_regime() -> str:
    """The city's tax regime for office purchases (the `OPD_TAX_REGIME` setting)."""
    return tax_rules.regime_from(current_app.config)


def order_taxes(order: Order, *, on: date | None = None) -> tax_rules.TaxAssessment:
    """The taxes of one office's order if it were paid on `on` (default today) under the city's
    regime: the shop's PKP status and NPWP as they stand."""
    vendor = order.vendor
    return tax_rules.assess(
        order.lines,
        shop_pkp=bool(vendor.pkp),
        shop_has_npwp=bool(vendor.npwp),
        regime=current_regime(),
        on=on or today_local(),
    )


def _percent(bps: int) -> str:
    """150 → "1,5%" (Indonesian decimal comma)."""
    whole, rest = divmod(int(bps), 100)
    return f"{whole},{str(rest).rstrip('0')}%" if rest else f"{whole}%"


def _rate_bps(rate) -> int:
    return tax_rules.rate_bps(rate)


def _view(order: Order, payment: OpdPayment | None) -> dict[str, Any]:
    """One order's taxes for the API and the page: frozen on its payment, else assessed now."""
    if payment is not None:
        figures = {
            "regime": payment.regime,
            "gross": payment.gross,
            "dpp": payment.dpp,
            "ppn": payment.ppn,
            "ppn_collected": payment.ppn_collected,
            "pph22_rate_bps": payment.pph22_rate_bps,
            "pph22": payment.pph22,
            "net_payable": payment.net_payable,
        }
    else:
        taxes = order_taxes(order)
        figures = {
            "regime": taxes.regime,
            "gross": taxes.gross,
            "dpp": taxes.dpp,
            "ppn": taxes.ppn,
            "ppn_collected": taxes.ppn_collected,
            "pph22_rate_bps": _rate_bps(taxes.pph22_rate),
            "pph22": taxes.pph22,
            "net_payable": taxes.net_payable,
        }
    figures["withheld"] = figures["ppn_collected"] + figures["pph22"]
    figures["pph22_rate"] = _percent(figures["pph22_rate_bps"])
    payable = (
        payment is None
        and prules.payment_problem(order.status, order.payment_terms, order.paid_at is not None)
        is None
    )
    return {
        "order": order,
        "order_id": order.id,
        "number": order.number,
        "vendor": order.vendor.name,
        "status": order.status,
        "shop_pkp": bool(order.vendor.pkp),
        "shop_has_npwp": bool(order.vendor.npwp),
        **figures,
        "payable": payable,
        "payment": payment,
    }


def _payments_of(order_ids: list[int]) -> dict[int, OpdPayment]:
    if not order_ids:
        return {}
    rows = db.session.scalars(
        select(OpdPayment)
        .where(OpdPayment.order_id.in_(order_ids))
        .options(selectinload(OpdPayment.withholdings))
    ).all()
    return {p.order_id: p for p in rows}


def _office_request(user: User, request_id: int, *roles: str) -> PurchaseRequest:
    office = require_office(user, *roles)
    request = db.session.scalar(
        select(PurchaseRequest).where(
            PurchaseRequest.id == request_id,
            PurchaseRequest.opd_id == office.opd.id,
            PurchaseRequest.status != rules.DRAFT,
        )
    )
    if request is None:
        raise NotFound("Permintaan pembelian tidak ditemukan.")
    return request


def request_payments(user: User, request_id: int) -> dict[str, Any]:
    """Every order of the office's request with its taxes (frozen when paid), the totals, and
    whether the caller may pay (the office's treasurer). Another office's request is 404."""
    request = _office_request(user, request_id)
    orders = orders_of_checkout(request.checkout_id) if request.checkout_id else []
    paid = _payments_of([o.id for o in orders])
    views = [_view(o, paid.get(o.id)) for o in orders]
    keys = ("gross", "dpp", "ppn", "ppn_collected", "pph22", "net_payable", "withheld")
    return {
        "request_id": request.id,
        "regime": current_regime(),
        "orders": views,
        "totals": {k: sum(v[k] for v in views) for k in keys},
        "can_pay": office_of(user).holds(rules.TREASURER),
        "methods": list(prules.PAYMENT_METHODS),
    }


# ---------------------------------------------------------------- paying
def _payment_errors(data: dict[str, Any], today: date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    problem = prules.reference_problem(data["method"], data.get("reference"))
    if problem:
        errors["reference"] = [problem]
    problem = prules.date_problem(data["paid_on"], today)
    if problem:
        errors["paid_on"] = [problem]
    return errors


_PAY_CONFLICTS = {
    "already_paid": "Pesanan {n} sudah dibayar.",
    "not_received": "Pesanan {n} belum diterima dengan BAST; bayar setelah BAST dibuat.",
}


def pay_orders(
    user: User, request_id: int, data: dict[str, Any], order_id: int | None = None
) -> list[OpdPayment]:
    """The treasurer pays one order of the request (`order_id`) or every order handed over and
    still unpaid (`data`: method, reference, paid_on; the others wait, a cancelled one is never
    paid). 403 without the treasurer's role, 404 for another
    office's request or an order not of it, 422 for a bad reference or date, 409 when an order
    is paid already or not handed over yet (nothing is written then)."""
    request = _office_request(user, request_id, rules.TREASURER)
    today = today_local()
    errors = _payment_errors(data, today)
    if errors:
        raise ValidationFailed("Periksa data pembayaran.", details=errors)
    order_ids = (
        [o.id for o in orders_of_checkout(request.checkout_id)] if request.checkout_id else []
    )
    if order_id is not None:
        if order_id not in order_ids:
            raise NotFound("Pesanan tidak ditemukan.")
        order_ids = [order_id]
    if not order_ids:
        raise Conflict("Permintaan ini belum punya pesanan.", code="nothing_to_pay")
    orders = lock_invoice_orders(order_ids)
    paid_before = _payments_of(order_ids)
    if order_id is None:  # the whole request: every order handed over and still unpaid
        unpaid = [o for o in orders if o.id not in paid_before and o.paid_at is None]
        if not unpaid:
            raise Conflict("Semua pesanan permintaan ini sudah dibayar.", code="already_paid")
        orders = [o for o in unpaid if o.status in prules.PAYABLE_ORDER_STATUSES]
        if not orders:
            raise Conflict(
                "Belum ada pesanan yang diterima dengan BAST; bayar setelah BAST dibuat.",
                code="not_received",
            )
    for order in orders:
        problem = prules.payment_problem(
            order.status, order.payment_terms, order.id in paid_before or order.paid_at is not None
        )
        if problem == "not_invoice":
            raise NotFound("Pesanan tidak ditemukan.")
        if problem:
            raise Conflict(_PAY_CONFLICTS[problem].format(n=order.number), code=problem)
        if order.delivered_on and data["paid_on"] < order.delivered_on:
            raise ValidationFailed(
                "Periksa data pembayaran.",
                details={"paid_on": ["Tanggal bayar sebelum barang diserahkan."]},
            )
    method_label = prules.METHOD_LABELS[data["method"]]
    reference = data["reference"].strip()
    paid_at = recognised_at(data["paid_on"])
    payments = []
    try:
        for order in orders:
            payments.append(_pay(user, request, order, data["method"], reference, data["paid_on"]))
            note = f"Dibayar bendahara: {method_label} {reference}"
            mark_invoice_paid(order, user, note, paid_at)
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("Pesanan ini sudah dibayar.", code="already_paid") from None
    for payment in payments:
        _notify_paid(request, payment, method_label, reference)
    db.session.commit()
    return payments


def recognised_at(paid_on: date) -> datetime:
    """When the sale of a payment dated `paid_on` is counted: now for a payment of today; for an
    earlier date (an SP2D recorded late), midday of that local day, unless finance closed its
    month already, then now (`payment_rules.recognition_period`)."""
    now = utcnow()
    if paid_on >= today_local():
        return now
    then = day_start(paid_on) + timedelta(hours=12)
    period = prules.recognition_period(period_of(then), period_of(now), is_closed(period_of(then)))
    return then if period == period_of(then) else now


def _pay(
    user: User, request: PurchaseRequest, order: Order, method: str, reference: str, paid_on: date
) -> OpdPayment:
    taxes = order_taxes(order, on=paid_on)
    payment = OpdPayment(
        opd_id=request.opd_id,
        request_id=request.id,
        order_id=order.id,
        vendor_id=order.vendor_id,
        method=method,
        reference=reference,
        paid_on=paid_on,
        year=today_local().year,
        regime=taxes.regime,
        collector=taxes.rule.collector,
        shop_pkp=taxes.shop_pkp,
        shop_has_npwp=taxes.shop_has_npwp,
        gross=taxes.gross,
        dpp=taxes.dpp,
        ppn=taxes.ppn,
        ppn_collected=taxes.ppn_collected,
        pph22_rate_bps=_rate_bps(taxes.pph22_rate),
        pph22=taxes.pph22,
        net_payable=taxes.net_payable,
        commission=order.commission,
        pph22_object_code=taxes.slip.object_code if taxes.slip else None,
        recorded_by_id=user.id,
    )
    for line, tax in zip(order.lines, taxes.lines):
        payment.lines.append(
            OpdPaymentLine(
                order_line_id=line.id,
                line_total=tax.line_total,
                dpp=tax.dpp,
                ppn=tax.ppn,
                ppn_collected=tax.ppn_collected,
                pph22=tax.pph22,
                net_payable=tax.net_payable,
            )
        )
    db.session.add(payment)
    db.session.flush()  # the unique order: a second payment of it fails here
    for kind, amount in ((prules.PPN, taxes.ppn_collected), (prules.PPH22, taxes.pph22)):
        if amount:
            db.session.add(
                TaxWithholding(
                    opd_id=request.opd_id, payment_id=payment.id, tax=kind, amount=amount
                )
            )
    journal = post_journal(
        "opd_payment",
        prules.settlement_lines(
            gross=taxes.gross,
            withheld=taxes.withheld,
            commission=order.commission,
            vendor_id=order.vendor_id,
            collector=taxes.rule.collector,
        ),
        memo=f"{order.number} · {prules.METHOD_LABELS[method]} {reference}",
        reference=reference[:100],
        order_id=order.id,
        actor_id=user.id,
    )
    payment.journal_id = journal.id
    record_audit(
        user,
        "procurement.payment",
        "opd_payment",
        payment.id,
        after={
            "order": order.number,
            "method": method,
            "reference": reference,
            "paid_on": paid_on.isoformat(),
            "gross": payment.gross,
            "ppn_collected": payment.ppn_collected,
            "pph22": payment.pph22,
            "net_payable": payment.net_payable,
        },
    )
    return payment


def _notify_paid(request: PurchaseRequest, payment: OpdPayment, method: str, ref: str) -> None:
    order = payment.order
    owner = order.vendor.owner
    if owner is not None:
        notify(
            owner,
            "procurement_paid",
            f"Pesanan OPD {order.number} dibayar",
            f"{request.opd.name} membayar {rupiah(payment.gross)} ({method} {ref}); dipotong "
            f"pajak {rupiah(payment.withheld)}, diterima toko {rupiah(payment.net_payable)}.",
            f"/opd/orders/{order.id}/kwitansi",
        )
    notify(
        request.officer,
        "procurement_paid",
        f"Pesanan {order.number} ({request.number}) dibayar",
        f"Bendahara membayar {order.vendor.name} {rupiah(payment.net_payable)} ({method} {ref}).",
        f"/opd/requests/{request.id}",
    )


# ---------------------------------------------------------------- withheld taxes
def list_withholdings(user: User, *, deposited: bool = False) -> dict[str, Any]:
    """The office's withheld taxes not deposited yet (or, `deposited`, the deposited ones, newest
    first), with the total owed per tax. Any role of the office sees them."""
    office = require_office(user)
    stmt = (
        select(TaxWithholding)
        .where(
            TaxWithholding.opd_id == office.opd.id,
            TaxWithholding.deposit_id.is_not(None)
            if deposited
            else TaxWithholding.deposit_id.is_(None),
        )
        .options(
            selectinload(TaxWithholding.payment).selectinload(OpdPayment.order),
            selectinload(TaxWithholding.payment).selectinload(OpdPayment.vendor),
            selectinload(TaxWithholding.deposit),
        )
        .order_by(TaxWithholding.id.desc() if deposited else TaxWithholding.id)
    )
    rows = list(db.session.scalars(stmt.limit(500)).all())
    totals = {kind: 0 for kind in prules.TAX_KINDS}
    for row in rows:
        totals[row.tax] += row.amount
    return {
        "opd": office.opd,
        "withholdings": rows,
        "totals": totals,
        "can_deposit": office.holds(rules.TREASURER),
    }


def deposit_taxes(user: User, data: dict[str, Any]) -> TaxDeposit:
    """The treasurer records a deposit of withheld taxes of one kind (`tax`) with its NTPN and
    date: the named withholdings (`withholding_ids`), or every one of that kind still owed. 404
    for a withholding not of the office, 409 when one is deposited already or the NTPN was used,
    422 for a bad NTPN or date. The ledger's debt to the state is cleared by the amount."""
    office = require_office(user, rules.TREASURER)
    errors: dict[str, list[str]] = {}
    ntpn = None
    try:
        ntpn = prules.normalise_ntpn(data.get("ntpn"))
    except ValueError as err:
        errors["ntpn"] = [str(err)]
    problem = prules.date_problem(data["deposited_on"], today_local())
    if problem:
        errors["deposited_on"] = [problem]
    if errors:
        raise ValidationFailed("Periksa data setoran.", details=errors)
    stmt = (
        select(TaxWithholding)
        .where(TaxWithholding.opd_id == office.opd.id, TaxWithholding.tax == data["tax"])
        .options(selectinload(TaxWithholding.payment))
        .order_by(TaxWithholding.id)
        .with_for_update()
    )
    ids = data.get("withholding_ids") or []
    if ids:
        rows = list(db.session.scalars(stmt.where(TaxWithholding.id.in_(ids))).all())
        if len(rows) != len(set(ids)):
            raise NotFound("Potongan pajak tidak ditemukan.")
        if any(r.deposit_id is not None for r in rows):
            raise Conflict("Sebagian potongan ini sudah disetor.", code="already_deposited")
    else:
        rows = list(db.session.scalars(stmt.where(TaxWithholding.deposit_id.is_(None))).all())
        if not rows:
            raise Conflict("Tidak ada potongan pajak yang belum disetor.", code="nothing_owed")
    latest = max(r.payment.paid_on for r in rows)
    problem = prules.date_problem(data["deposited_on"], today_local(), not_before=latest)
    if problem:
        raise ValidationFailed("Periksa data setoran.", details={"deposited_on": [problem]})
    if db.session.scalar(select(TaxDeposit.id).where(TaxDeposit.ntpn == ntpn)) is not None:
        raise Conflict("NTPN ini sudah dicatat untuk setoran lain.", code="ntpn_used")
    amount = sum(r.amount for r in rows)
    deposit = TaxDeposit(
        opd_id=office.opd.id,
        tax=data["tax"],
        ntpn=ntpn,
        deposited_on=data["deposited_on"],
        amount=amount,
        recorded_by_id=user.id,
    )
    db.session.add(deposit)
    by_collector: dict[str, int] = defaultdict(int)
    for row in rows:
        row.deposit = deposit
        by_collector[row.payment.collector] += row.amount
    lines: list[tuple] = []
    for collector, part in sorted(by_collector.items()):
        lines += prules.deposit_lines(part, collector)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("NTPN ini sudah dicatat untuk setoran lain.", code="ntpn_used") from None
    journal = post_journal(
        "tax_deposit",
        lines,
        memo=f"Setor {prules.TAX_LABELS[data['tax']]} {office.opd.code} NTPN {ntpn}",
        reference=ntpn,
        actor_id=user.id,
    )
    deposit.journal_id = journal.id
    record_audit(
        user,
        "procurement.tax_deposit",
        "opd_tax_deposit",
        deposit.id,
        after={
            "tax": deposit.tax,
            "ntpn": ntpn,
            "deposited_on": deposit.deposited_on.isoformat(),
            "amount": amount,
            "withholdings": [r.id for r in rows],
        },
    )
    db.session.commit()
    return deposit


# ---------------------------------------------------------------- documents
def get_document(user: User, order_id: int, kind: str) -> dict[str, Any]:
    """What the invoice, kwitansi or bukti potong of an office's order says, for any role of the
    order's office and for the order's shop; anyone else (and a kwitansi before payment, a bukti
    potong without PPh 22) is 404."""
    order = db.session.scalar(
        select(Order)
        .where(Order.id == order_id, Order.payment_terms == "invoice")
        .options(selectinload(Order.lines), selectinload(Order.vendor))
    )
    if order is None or not _may_see(user, order):
        raise NotFound("Dokumen tidak ditemukan.")
    payment = _payments_of([order.id]).get(order.id)
    if payment is None and order.status in ("cancelled", "rejected"):
        raise NotFound("Pesanan ini dibatalkan; tidak ada tagihan.")
    if kind != prules.INVOICE and payment is None:
        raise NotFound("Dokumen ini ada setelah pesanan dibayar.")
    if kind == prules.SLIP and not payment.pph22:
        raise NotFound("Tidak ada PPh Pasal 22 yang dipotong dari pesanan ini.")
    request = db.session.scalar(
        select(PurchaseRequest).where(PurchaseRequest.checkout_id == order.checkout_id)
    )
    taxes = _view(order, payment)
    lines = payment.lines if payment else None
    assessed = None if payment else order_taxes(order)
    return {
        "kind": kind,
        "title": prules.DOCUMENT_TITLES[kind],
        "number": prules.document_number(
            kind, order.number, payment.year if payment else 0, payment.id if payment else 0
        ),
        "order": order,
        "request": request,
        "opd": request.opd if request else None,
        "vendor": order.vendor,
        "taxes": taxes,
        "payment": payment,
        "method_label": prules.METHOD_LABELS.get(payment.method) if payment else None,
        "line_taxes": list(
            zip(order.lines, lines if lines is not None else assessed.lines, strict=True)
        ),
        "rule": tax_rules.rule_for(taxes["regime"], payment.paid_on if payment else today_local()),
        "treasurer": db.session.get(User, payment.recorded_by_id) if payment else None,
    }


def _may_see(user: User, order: Order) -> bool:
    if user.role == "vendor":
        return user.vendor_id is not None and user.vendor_id == order.vendor_id
    office = office_of(user)
    return bool(office.roles) and office.opd is not None and office.opd.id == order.opd_id
