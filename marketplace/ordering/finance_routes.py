"""Finance routes of the ordering area: refunds (API and pages), the order search and one order
with its money, and the ledger balances."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from marketplace.accounts.duties import MONEY_MOVERS, may_move_money
from marketplace.api import Page, endpoint, require_role
from marketplace.city import rupiah
from marketplace.errors import ValidationFailed
from marketplace.ledger import queries as ledger_queries
from marketplace.ordering import bp, queries
from marketplace.ordering.models import ORDER_STATUSES
from marketplace.ordering.refunds import REFUNDABLE, refund_order
from marketplace.ordering.schemas import BalancesSchema, RefundBody, RefundSchema
from marketplace.pages import page_arg
from marketplace.payments.queries import payment_for_order

FINANCE = ("finance", "admin")  # may read orders and their money; only MONEY_MOVERS refund


# ================================================================= API
@endpoint(
    bp,
    "/orders/<int:order_id>/refunds",
    "POST",
    summary="Refund an order (finance)",
    roles=MONEY_MOVERS,
    body=RefundBody,
    response=RefundSchema,
    status=201,
    errors=[409, 422],
)
def create_refund(order_id, data):
    """Refund a paid order through its provider: `amount` for the whole order (spread pro rata)
    or `lines` by quantity or amount; the total ≤ paid − refunded, else 422 and nothing changes.
    Finance only: 403 for admins (separation of duties)."""
    return refund_order(
        require_role(*MONEY_MOVERS),
        order_id,
        data.get("amount"),
        data["reason"],
        lines=data.get("lines"),
    ), 201


@endpoint(
    bp,
    "/finance/ledger/balances",
    summary="Ledger account balances",
    roles=("finance", "admin"),
    response=BalancesSchema,
    tag="finance",
)
def ledger_balances():
    """Every account's balance (debit positive); they always sum to zero."""
    return ledger_queries.ledger_balances()


# ================================================================= pages: find and refund


@bp.get("/finance/orders")
def finance_orders():
    """Finance finds an order: by number (exact or prefix) and status, newest first, paginated."""
    require_role(*FINANCE)
    status = request.args.get("status")
    status = status if status in ORDER_STATUSES else None
    q = (request.args.get("q") or "").strip().upper()[:32]
    result: Page = queries.search_orders(
        number=q, status=status, page=page_arg(request.args), per_page=20
    )
    return render_template(
        "ordering/finance_orders.html", page=result, status=status, q=q, statuses=ORDER_STATUSES
    )


@bp.get("/finance/orders/<int:order_id>")
def finance_order(order_id):
    """One order for finance and admins: lines, totals, VAT, timeline, refunds so far, and the
    refund form for finance only (admins read it)."""
    user = require_role(*FINANCE)
    order = queries.get_order(user, order_id)
    refunds = queries.list_refunds(user, order_id)
    remaining = max(0, order.paid_amount - order.refunded_total)
    refundable = order.status in REFUNDABLE and remaining > 0
    return render_template(
        "ordering/finance_order.html",
        order=order,
        lines_by_id={ln.id: ln for ln in order.lines},
        refunds=refunds,
        remaining=remaining,
        refundable=refundable,
        can_refund=may_move_money(user),
        payment=payment_for_order(order),
    )


def _whole_rupiah(raw: str, field: str, errors: dict[str, list[str]]) -> int | None:
    """A positive whole rupiah typed in a field, or None with a message under `field`."""
    try:
        value = int(raw)
    except ValueError:
        errors.setdefault(field, []).append(_("Jumlah pengembalian harus bilangan bulat rupiah."))
        return None
    if value < 1:
        errors.setdefault(field, []).append(_("Jumlah pengembalian minimal Rp1."))
        return None
    return value


def _refund_form(form, order) -> tuple[int | None, list[dict] | None]:
    """The page's refund form as the API's body: a whole-order `amount` (mode `amount`, the
    default), or `lines` from each line's quantity (`qty-<id>`) or amount (`amt-<id>`)."""
    errors: dict[str, list[str]] = {}
    if form.get("mode") != "lines":
        amount = _whole_rupiah((form.get("amount") or "").strip(), _("Jumlah"), errors)
        if errors:
            raise ValidationFailed(next(iter(errors.values()))[0], details=errors)
        return amount, None
    lines: list[dict] = []
    for line in order.lines:
        qty = (form.get(f"qty-{line.id}") or "").strip()
        amt = (form.get(f"amt-{line.id}") or "").strip()
        if qty and qty != "0" and amt:
            errors.setdefault(line.name, []).append(
                _("Isi jumlah barang atau nilai rupiah, salah satu saja.")
            )
        elif qty and qty != "0":
            value = _whole_rupiah(qty, line.name, errors)
            if value is not None:
                lines.append({"order_line_id": line.id, "quantity": value})
        elif amt:
            value = _whole_rupiah(amt, line.name, errors)
            if value is not None:
                lines.append({"order_line_id": line.id, "amount": value})
    if not lines and not errors:
        errors[_("Baris")] = [_("Pilih setidaknya satu baris dengan jumlah barang atau nilai.")]
    if errors:
        raise ValidationFailed(_("Periksa baris yang dikembalikan."), details=errors)
    return None, lines


@bp.post("/finance/orders/<int:order_id>/refunds")
def finance_refund(order_id):
    """Refund from the finance page: a whole-order amount (spread pro rata) or chosen lines by
    quantity or amount; the total ≤ paid − refunded, with a reason. Finance only (403 for admins)."""
    user = require_role(*MONEY_MOVERS)
    order = queries.get_order(user, order_id)
    amount, lines = _refund_form(request.form, order)
    reason = (request.form.get("reason") or "").strip()
    if not reason or len(reason) > 1000:
        raise ValidationFailed(
            _("Alasan wajib diisi (maksimal 1000 karakter)."),
            details={"reason": [_("Alasan wajib diisi (maksimal 1000 karakter).")]},
        )
    refund = refund_order(user, order_id, amount, reason, lines=lines)
    flash(_("Pengembalian dana %(a)s dicatat.", a=rupiah(refund.amount)), "success")
    return redirect(url_for("ordering.finance_order", order_id=order_id))
