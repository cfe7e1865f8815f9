"""HTTP routes of the payouts area: the vendor balance and payouts API, the finance payout API,
and the finance and shop payout pages. Routes parse, call one service and answer."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import Schema

from marketplace.api import PageQuery, api_user, endpoint, page_args, require_role
from marketplace.forms import form_values, load_form
from marketplace.money import format_rupiah
from marketplace.pages import page_arg
from marketplace.payouts import bp, rules, services
from marketplace.payouts.schemas import (
    BalanceSchema,
    CancelSchema,
    MarkPaidSchema,
    PayoutListQuery,
    PayoutRunCreateSchema,
    PayoutRunSchema,
    PayoutSchema,
    ShopPayoutSchema,
)
from marketplace.security import safe_next

VENDOR = ("vendor",)
FINANCE = ("finance",)
FINANCE_READ = ("finance", "admin")


def _csv_response(filename: str, text: str, flagged: list[dict[str, Any]]) -> Response:
    resp = Response(text, mimetype="text/csv")
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Vendors left out of the file (no bank account) so a script can warn as the page does.
    resp.headers["X-Peken-Excluded-Vendors"] = ",".join(str(f["vendor_id"]) for f in flagged)
    return resp


# ================================================================= vendor API
@endpoint(
    bp,
    "/vendor/balance",
    summary="My shop's balance",
    roles=VENDOR,
    response=BalanceSchema,
    tag="vendor",
)
def vendor_balance():
    """The shop's money from the ledger: pending (paid, not completed), available (completed, not
    paid out, net of debt: negative when refunds after a payout exceed it), paid_out, in_transit,
    debt. 404 when the vendor has no shop."""
    return services.shop_balance(api_user())


@endpoint(
    bp,
    "/vendor/payouts",
    summary="My shop's payouts",
    roles=VENDOR,
    query=PageQuery,
    response=ShopPayoutSchema,
    paginated=True,
    tag="vendor",
)
def vendor_payouts(args):
    """The shop's payouts, newest first, paginated; only the caller's shop."""
    return services.list_shop_payouts(api_user(), *page_args(args))


# ================================================================= finance API
@endpoint(
    bp,
    "/finance/payout-runs",
    "POST",
    summary="Run payouts",
    roles=FINANCE,
    body=PayoutRunCreateSchema,
    response=PayoutRunSchema,
    status=201,
    tag="finance",
)
def create_payout_run(data):
    """One payout per vendor with a positive available balance net of debt (money available
    before `as_of` when given); `adapter` manual (bank file) or stripe (Connect transfer, sent at
    once). A second run right after creates no payouts. 422 bad as_of/adapter or Stripe off."""
    return services.run_payouts(api_user(), as_of=data.get("as_of"), adapter=data["adapter"]), 201


@endpoint(
    bp,
    "/finance/payout-runs",
    summary="Payout runs",
    roles=FINANCE_READ,
    query=PageQuery,
    response=PayoutRunSchema,
    paginated=True,
    tag="finance",
)
def list_payout_runs(args):
    """Payout runs with their payouts, newest first."""
    return services.list_runs(*page_args(args))


@endpoint(
    bp,
    "/finance/payout-runs/<int:run_id>",
    summary="One payout run",
    roles=FINANCE_READ,
    response=PayoutRunSchema,
    tag="finance",
)
def get_payout_run(run_id):
    """A payout run, its payouts and the vendors it flagged; 404 when absent."""
    return services.get_run(run_id)


@endpoint(
    bp,
    "/finance/payout-runs/<int:run_id>/bank-file",
    summary="Bank transfer file (CSV)",
    roles=FINANCE,
    produces=["text/csv"],
    errors=[422],
    tag="finance",
)
def payout_run_bank_file(run_id):
    """CSV of a manual run's payouts still to transfer (vendor, bank, account number and name,
    amount, PKN-PO-<id>); they become `exported`. 422 no_bank_file for a Stripe run."""
    return _csv_response(*services.export_bank_file(api_user(), run_id))


@endpoint(
    bp,
    "/finance/payouts",
    summary="Payouts",
    roles=FINANCE_READ,
    query=PayoutListQuery,
    response=PayoutSchema,
    paginated=True,
    tag="finance",
)
def list_payouts(args):
    """Every payout, newest first, by `status`, `vendor_id` and `run_id`."""
    page, per_page = page_args(args)
    return services.list_payouts(
        status=args.get("status"),
        vendor_id=args.get("vendor_id"),
        run_id=args.get("run_id"),
        page=page,
        per_page=per_page,
    )


@endpoint(
    bp,
    "/finance/payouts/<int:payout_id>",
    summary="One payout",
    roles=FINANCE_READ,
    response=PayoutSchema,
    tag="finance",
)
def get_payout(payout_id):
    """One payout; 404 when absent."""
    return services.get_payout(payout_id)


@endpoint(
    bp,
    "/finance/payouts/<int:payout_id>/mark-paid",
    "POST",
    summary="Mark a payout paid",
    roles=FINANCE,
    body=MarkPaidSchema,
    response=PayoutSchema,
    errors=[409],
    tag="finance",
)
def mark_payout_paid(payout_id, data):
    """Confirm a manual payout was transferred, with the bank's reference; 409 invalid_transition
    when it is a Stripe payout or not pending/exported."""
    return services.mark_payout_paid(api_user(), payout_id, data["bank_reference"])


@endpoint(
    bp,
    "/finance/payouts/<int:payout_id>/cancel",
    "POST",
    summary="Cancel an unpaid payout",
    roles=FINANCE,
    body=CancelSchema,
    response=PayoutSchema,
    errors=[409],
    tag="finance",
)
def cancel_payout(payout_id, data):
    """Cancel a payout that was not paid (e.g. returned by the bank): the money is available to
    the vendor again. 409 invalid_transition when already paid or cancelled."""
    return services.cancel_payout(api_user(), payout_id, data["reason"])


@endpoint(
    bp,
    "/finance/payouts/<int:payout_id>/retry",
    "POST",
    summary="Retry a Stripe payout",
    roles=FINANCE,
    response=PayoutSchema,
    errors=[409, 422],
    tag="finance",
)
def retry_payout(payout_id):
    """Try a failed Stripe transfer again with its deterministic idempotency key; 409 for manual
    or settled payouts."""
    return services.retry_payout(api_user(), payout_id)


# ================================================================= pages
def _form(schema: Schema, labels: dict[str, str]) -> dict[str, Any]:
    """Load a page form with the API schema (blank fields count as not sent); field errors are
    keyed by their visible label."""
    return load_form(schema, form_values(request.form, drop_blank=True), labels=labels)


@bp.get("/finance/payouts")
def finance_payouts():
    """Finance: run payouts now, the runs so far and the payouts still waiting for action."""
    user = require_role(*FINANCE_READ)
    status = request.args.get("status")
    if status not in rules.STATUSES:
        status = "open"
    wanted = rules.OPEN_STATUSES if status == "open" else status
    payouts = services.list_payouts(status=wanted, page=1, per_page=100)
    return render_template(
        "payouts/finance_payouts.html",
        runs=services.list_runs(page_arg(request.args), 10),
        payouts=payouts,
        status=status,
        can_act=user.role == "finance",
        statuses=rules.STATUSES,
    )


@bp.post("/finance/payouts/run")
def finance_run_payouts():
    """Finance presses "run payouts now" (after confirming)."""
    user = require_role(*FINANCE)
    data = _form(
        PayoutRunCreateSchema(), {"as_of": _("Sampai tanggal"), "adapter": _("Cara bayar")}
    )
    run = services.run_payouts(user, as_of=data.get("as_of"), adapter=data["adapter"])
    if run.payouts:
        flash(
            _(
                "%(n)s pembayaran dibuat, total %(total)s.",
                n=len(run.payouts),
                total=format_rupiah(run.total),
            ),
            "success",
        )
    else:
        flash(_("Tidak ada saldo yang perlu dibayarkan saat ini."), "warning")
    if run.flagged:
        flash(_("%(n)s toko dilewati; lihat rinciannya di bawah.", n=len(run.flagged)), "warning")
    return redirect(url_for("payouts.finance_run", run_id=run.id))


@bp.get("/finance/payouts/runs/<int:run_id>")
def finance_run(run_id: int):
    """Finance: one run with its payouts, skipped vendors, bank file and actions."""
    user = require_role(*FINANCE_READ)
    return render_template(
        "payouts/finance_run.html", run=services.get_run(run_id), can_act=user.role == "finance"
    )


@bp.get("/finance/payouts/runs/<int:run_id>/bank-file")
def finance_bank_file(run_id: int):
    """Finance downloads the run's bank transfer CSV."""
    user = require_role(*FINANCE)
    return _csv_response(*services.export_bank_file(user, run_id))


def _back(payout) -> Any:
    """Back to where the form was (a safe local `next`), else the payout's run."""
    return redirect(
        safe_next(request.form.get("next"), url_for("payouts.finance_run", run_id=payout.run_id))
    )


@bp.post("/finance/payouts/<int:payout_id>/mark-paid")
def finance_mark_paid(payout_id: int):
    """Finance marks a manual payout paid with the bank's reference (after confirming)."""
    user = require_role(*FINANCE)
    data = _form(MarkPaidSchema(), {"bank_reference": _("Referensi bank")})
    payout = services.mark_payout_paid(user, payout_id, data["bank_reference"])
    flash(_("Pembayaran %(ref)s ditandai sudah dibayar.", ref=payout.reference), "success")
    return _back(payout)


@bp.post("/finance/payouts/<int:payout_id>/cancel")
def finance_cancel(payout_id: int):
    """Finance cancels an unpaid payout; its money returns to the vendor's available balance."""
    user = require_role(*FINANCE)
    data = _form(CancelSchema(), {"reason": _("Alasan")})
    payout = services.cancel_payout(user, payout_id, data["reason"])
    flash(
        _("Pembayaran %(ref)s dibatalkan; saldonya kembali tersedia.", ref=payout.reference),
        "success",
    )
    return _back(payout)


@bp.post("/finance/payouts/<int:payout_id>/retry")
def finance_retry(payout_id: int):
    """Finance retries a failed Stripe payout."""
    user = require_role(*FINANCE)
    payout = services.retry_payout(user, payout_id)
    if payout.status == "paid":
        flash(_("Pembayaran %(ref)s berhasil dikirim.", ref=payout.reference), "success")
    else:
        flash(
            _(
                "Pembayaran %(ref)s masih gagal: %(msg)s",
                ref=payout.reference,
                msg=payout.failure_message or payout.failure_code or "",
            ),
            "error",
        )
    return _back(payout)


@bp.get("/shop/payouts")
def shop_payouts():
    """The shopkeeper's balance cards (pending, available, paid out) and payout history."""
    user = require_role(*VENDOR)
    vendor = services.own_vendor(user)
    return render_template(
        "payouts/shop_payouts.html",
        vendor=vendor,
        balance=services.vendor_balance(vendor.id),
        payouts=services.list_shop_payouts(user, page_arg(request.args), 20),
    )
