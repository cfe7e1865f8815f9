"""HTTP routes of the finance area: the API (targets, realisation and its downloads, what the city
watches, journals, reconciliations, the audit log) and the finance pages."""

from __future__ import annotations

import re
from typing import Any

from flask import (
    Response,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from marshmallow import RAISE, Schema

from marketplace.accounts.queries import opd_choices
from marketplace.api import PageQuery, api_user, endpoint, json_body, page_args, require_role
from marketplace.errors import ValidationFailed
from marketplace.exports import CSV_MIMETYPE, XLSX_MIMETYPE, csv_chunks, xlsx_chunks
from marketplace.finance import bp, charts, closing, reconciliation, register, rules, services
from marketplace.finance.schemas import (
    AuditOut,
    AuditQuery,
    BudgetsOut,
    BudgetsSchema,
    ClosedPeriodBrief,
    ClosedPeriodOut,
    ClosedPeriodQuery,
    CorrectionOut,
    DateRangeDownload,
    JournalOut,
    JournalsQuery,
    ReconcileUploadForm,
    ReconciliationOut,
    ReconciliationSummaryOut,
    RegisterQuery,
    SpendingQuery,
    StripeReconcileSchema,
    TargetsOut,
    TargetsSchema,
    WatchQuery,
)
from marketplace.forms import form_rupiah, form_values, load_form
from marketplace.ledger.queries import ledger_balances
from marketplace.pages import page_arg, page_query
from marketplace.stripe_client import stripe_enabled
from marketplace.timeutil import current_period, iso_utc, previous_period

FINANCE_READERS = ("finance", "admin")
XLSX = services.EXPORT_MIMETYPES["xlsx"]


def _check_year(year: int) -> int:
    if not rules.MIN_YEAR <= year <= rules.MAX_YEAR:
        raise ValidationFailed(
            details={"year": [f"Tahun harus antara {rules.MIN_YEAR} dan {rules.MAX_YEAR}."]}
        )
    return year


# ---------------------------------------------------------------- API: targets and realisation
@endpoint(
    bp,
    "/finance/targets/<int:year>",
    "PUT",
    summary="Set a year's spending targets",
    roles=FINANCE_READERS,
    body=TargetsSchema,
    response=TargetsOut,
    tag="finance",
)
def put_targets(year, data):
    """Finance/admin: replace the year's UMK, PDN and local-product targets (rupiah), city-wide and
    optionally per OPD code; audited as targets.set. 422 for negative amounts or an unknown OPD."""
    return services.set_targets(api_user(), _check_year(year), data)


@endpoint(
    bp,
    "/finance/targets/<int:year>",
    summary="A year's spending targets",
    roles=FINANCE_READERS,
    response=TargetsOut,
    tag="finance",
)
def get_targets(year):
    """Finance/admin: the year's targets; zeros with `is_set: false` when none were set."""
    return services.get_targets(_check_year(year))


@endpoint(
    bp,
    "/finance/budgets/<int:year>",
    "PUT",
    summary="Set a year's OPD goods-and-services budgets",
    roles=FINANCE_READERS,
    body=BudgetsSchema,
    response=BudgetsOut,
    tag="finance",
)
def put_budgets(year, data):
    """Finance/admin: replace each OPD's goods-and-services budget (belanja barang/jasa) for the
    year, by OPD code; the UMK share (at least 40%) is measured against it. Audited as
    budgets.set; 422 for a negative amount or an unknown OPD."""
    return services.set_budgets(api_user(), _check_year(year), data["by_opd"])


@endpoint(
    bp,
    "/finance/budgets/<int:year>",
    summary="A year's OPD goods-and-services budgets",
    roles=FINANCE_READERS,
    response=BudgetsOut,
    tag="finance",
)
def get_budgets(year):
    """Finance/admin: the year's budgets by OPD code and their total; empty when none."""
    return services.get_budgets(_check_year(year))


# ---------------------------------------------------------------- API: closed months
@endpoint(
    bp,
    "/finance/periods/<period>/close",
    "POST",
    summary="Close a month",
    roles=FINANCE_READERS,
    response=ClosedPeriodOut,
    errors=[409, 422],
    tag="finance",
)
def post_close_period(period):
    """Finance/admin: close an ended month (city time zone). Its figures never change again: a
    later refund of its sales is booked in the month it happens, naming this one. Stores the
    month's snapshot (totals per channel, OPD, class, PDN, local) with its SHA-256; audited as
    period.close. 422 for a month not yet ended, 409 `period_closed` when closed already."""
    return closing.closed_view(closing.close_period(api_user(), period)), 201


@endpoint(
    bp,
    "/finance/periods",
    summary="Closed months",
    roles=FINANCE_READERS,
    query=PageQuery,
    paginated=True,
    response=ClosedPeriodBrief,
    tag="finance",
)
def list_closed_periods(args):
    """Finance/admin: every closed month, newest first, with its checksum."""
    return closing.list_closed(*page_args(args))


@endpoint(
    bp,
    "/finance/periods/<period>",
    summary="A closed month's snapshot",
    roles=FINANCE_READERS,
    query=ClosedPeriodQuery,
    response=ClosedPeriodOut,
    tag="finance",
    produces=["text/csv", XLSX],
)
def get_closed_period(period, args):
    """Finance/admin: the stored snapshot of a closed month, its checksum and whether the month's
    records still give it (`intact`); `format=csv|xlsx` downloads the snapshot rows exactly.
    404 when the month is not closed."""
    closed = closing.get_closed(period)
    if args["format"] != "json":
        return _file(*closing.export_snapshot(closed, args["format"]))
    return closing.closed_view(closed)


@endpoint(
    bp,
    "/finance/periods/<period>/corrections",
    summary="Corrections of a closed month",
    roles=FINANCE_READERS,
    query=PageQuery,
    paginated=True,
    response=CorrectionOut,
    tag="finance",
)
def list_period_corrections(period, args):
    """Finance/admin: every adjustment of month `period` booked after it was closed (refund
    shares of its sales, negative), with the month each was booked in and its order."""
    return closing.corrections(period, *page_args(args))


# ---------------------------------------------------------------- API: what an auditor gets
def _stream(columns: list[str], rows, fmt: str, name: str, title: str) -> Response:
    """A streamed CSV/XLSX download: rows are written as the database hands them over."""
    if fmt == "xlsx":
        body, mimetype = xlsx_chunks(columns, rows, title), XLSX_MIMETYPE
    else:
        body, mimetype = csv_chunks(columns, rows), CSV_MIMETYPE
    return Response(
        stream_with_context(body),
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{name}.{fmt}"',
            "Cache-Control": "no-store",
        },
    )


@endpoint(
    bp,
    "/finance/register",
    summary="The line-level transaction register (download)",
    roles=FINANCE_READERS,
    query=RegisterQuery,
    tag="finance",
    produces=["text/csv", XLSX],
)
def get_register(args):
    """Finance/admin: one row per spending record (each paid order line, each refund share of
    one) with date, channel and population, OPD, buyer NIP, shop NIB and NPWP, class, PDN, local,
    quantity, amount, VAT, PPh, and order and payment ids; streamed as CSV (default) or XLSX.
    Filter by local `year`, `period` or `channel`."""
    stmt = register.register_query(
        year=args["year"], period=args["period"], channel=args["channel"]
    )
    scope = args["period"] or args["year"] or "semua"
    return _stream(
        register.REGISTER_COLUMNS,
        register.register_rows(stmt),
        args["format"],
        f"register-transaksi-{scope}" + (f"-{args['channel']}" if args["channel"] else ""),
        "Register transaksi",
    )


@endpoint(
    bp,
    "/finance/exports/journal",
    summary="The journal, one row per ledger line (download)",
    roles=FINANCE_READERS,
    query=DateRangeDownload,
    tag="finance",
    produces=["text/csv", XLSX],
)
def get_journal_export(args):
    """Finance/admin: every ledger line with its journal, oldest first, between the inclusive
    local dates `from` and `to`; streamed as CSV (default) or XLSX."""
    return _stream(
        register.JOURNAL_COLUMNS,
        register.journal_rows(args["from_"], args["to"]),
        args["format"],
        "jurnal",
        "Jurnal",
    )


@endpoint(
    bp,
    "/finance/exports/audit-log",
    summary="The audit log (download)",
    roles=FINANCE_READERS,
    query=DateRangeDownload,
    tag="finance",
    produces=["text/csv", XLSX],
)
def get_audit_export(args):
    """Finance/admin: every audit-log entry, oldest first, with before and after as JSON,
    between the inclusive local dates `from` and `to`; streamed as CSV (default) or XLSX."""
    return _stream(
        register.AUDIT_COLUMNS,
        register.audit_rows(args["from_"], args["to"]),
        args["format"],
        "log-audit",
        "Log audit",
    )


def _file(content: bytes, mimetype: str, filename: str) -> Response:
    filename = re.sub(r"[^A-Za-z0-9_.-]", "_", filename)
    return Response(
        content,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def _download(report: dict, fmt: str) -> Response:
    return _file(*services.export_spending(report, fmt))


@endpoint(
    bp,
    "/finance/spending",
    summary="Targets against realisation",
    roles=FINANCE_READERS,
    query=SpendingQuery,
    tag="finance",
    produces=["text/csv", XLSX],
)
def get_spending(args):
    """Finance/admin: for a local year (default this one) the targets and their realisation: UMK
    (micro and small vendors), PDN, local-product and total spending net of refunds of the
    `opd_procurement` channel only (the government's own goods-and-services budget), the UMK share
    of the OPDs' budgets (`budget_share_bps`), and one row per month, OPD, vendor class or
    kelurahan (`group_by`). Civil servants' personal (`asn_personal`) and the public's purchases
    come under `reach`, per channel, with the same rows: the programme's reach, never
    realisation. Every report and row names its `population`. `format=csv|xlsx` downloads both,
    each row labelled."""
    report = services.spending_report(args["year"], args["group_by"])
    if args["format"] != "json":
        return _download(report, args["format"])
    report["targets"] = TargetsOut().dump(report["targets"])
    return report


@endpoint(
    bp,
    "/finance/watch",
    summary="What the city watches this period",
    roles=FINANCE_READERS,
    query=WatchQuery,
    tag="finance",
)
def get_watch(args):
    """Finance/admin: for a local period (default this month) verified vendors with no sales (paged
    with page/per_page), vendors at 80% or more of the fair-share cap, vendors that moved up a
    business class, turnover by kelurahan, and the open business-class flags (`class_flags`)."""
    page, per_page = page_args(args)
    result = services.watch_report(args["period"], page, per_page)
    for item in (*result["moved_up"], *result["class_flags"]):
        item["at"] = iso_utc(item["at"])
    return result


@endpoint(
    bp,
    "/finance/ledger/journals",
    summary="Ledger journals with their lines",
    roles=FINANCE_READERS,
    query=JournalsQuery,
    response=JournalOut,
    paginated=True,
    tag="finance",
)
def get_journals(args):
    """Finance/admin: journals newest first, each with its balanced lines; filter by `kind`."""
    return services.list_journals(args["kind"], *page_args(args))


# ---------------------------------------------------------------- API: reconciliations
@endpoint(
    bp,
    "/finance/reconciliations",
    "POST",
    summary="Reconcile Stripe with the ledger",
    roles=("finance",),
    multipart={"file": "file", "from": "string", "to": "string"},
    response=ReconciliationOut,
    status=201,
    errors=[400, 422, 502],
    tag="finance",
)
def post_reconciliation():
    """Finance: either a multipart `file` (Stripe balance-transactions CSV export, amounts in
    major units) or JSON `{source: "stripe", from, to}` (fetched from the Stripe API). Answers the
    kept result: matched, missing_in_ledger, missing_at_provider, amount_mismatches (each with a
    count and items) and the provider fees posted to the ledger (once per balance transaction)."""
    user = api_user()
    if request.files or (request.mimetype or "").startswith("multipart/"):
        upload = request.files.get("file")
        if upload is None:
            raise ValidationFailed(details={"file": ["Wajib diisi."]})
        form = load_form(
            ReconcileUploadForm(), request.form.to_dict(), message=ValidationFailed.message
        )
        return reconciliation.reconcile_csv(
            user, upload.read(), upload.filename, form["from_"], form["to"]
        ), 201
    data = load_form(
        StripeReconcileSchema(), json_body(), message=ValidationFailed.message, unknown=RAISE
    )
    return reconciliation.reconcile_stripe(user, data["from_"], data["to"]), 201


@endpoint(
    bp,
    "/finance/reconciliations",
    summary="Past reconciliations",
    roles=FINANCE_READERS,
    query=PageQuery,
    response=ReconciliationSummaryOut,
    paginated=True,
    tag="finance",
)
def list_reconciliations(args):
    """Finance/admin: reconciliations newest first with their counts."""
    return reconciliation.list_reconciliations(*page_args(args))


@endpoint(
    bp,
    "/finance/reconciliations/<int:rec_id>",
    summary="One reconciliation",
    roles=FINANCE_READERS,
    response=ReconciliationOut,
    tag="finance",
)
def get_reconciliation(rec_id):
    """Finance/admin: one reconciliation with its four groups; 404 when absent."""
    return reconciliation.get_reconciliation(rec_id)


# ---------------------------------------------------------------- API: audit log
@endpoint(
    bp,
    "/finance/audit-log",
    summary="The audit log",
    roles=FINANCE_READERS,
    query=AuditQuery,
    response=AuditOut,
    paginated=True,
    tag="finance",
)
def get_audit_log(args):
    """Finance/admin: who did what and when, before → after, newest first; filters `actor` (id,
    name or email), `action` (prefix), `target_type`, `from`/`to` (local dates, inclusive)."""
    page, per_page = page_args(args)
    return services.list_audit_log(
        actor=args["actor"],
        action=args["action"],
        target_type=args["target_type"],
        from_=args["from_"],
        to=args["to"],
        page=page,
        per_page=per_page,
    )


# ---------------------------------------------------------------- pages
def _query(schema: Schema) -> dict[str, Any]:
    return load_form(schema, page_query(request.args), message=_("Filter tidak valid."))


def _chart_labels() -> dict[str, str]:
    return {
        "realised": _("Realisasi kumulatif"),
        "target": _("Target tahunan"),
        "total": _("Total"),
        "umk": _("UMK"),
    }


@bp.get("/finance")
def dashboard():
    """Finance/admin: targets against realisation for a year with charts, and links to every
    finance page and download."""
    require_role(*FINANCE_READERS)
    args = _query(SpendingQuery())
    months = services.spending_report(args["year"], "month")
    year = months["year"]
    by_opd = services.spending_report(year, "opd")
    labels = _chart_labels()
    titles = {
        "umk": _("Usaha Mikro, Kecil dan Koperasi (UMK)"),
        "pdn": _("Produk dalam negeri (PDN)"),
        "local": _("Produk lokal"),
    }
    cumulative = [
        (
            kind,
            titles[kind],
            charts.cumulative_chart(
                months["rows"],
                kind,
                months["targets"][kind],
                _("Realisasi kumulatif %(k)s %(y)s", k=titles[kind], y=year),
                labels,
                until=current_period(),
            ),
        )
        for kind in rules.TARGET_KINDS
    ]
    opd_chart = charts.opd_bars(by_opd["rows"], _("Realisasi per OPD %(y)s", y=year), labels)
    this_year = services.current_year()
    return render_template(
        "finance/dashboard.html",
        report=months,
        by_opd=by_opd["rows"],
        cumulative=cumulative,
        opd_chart=opd_chart,
        titles=titles,
        year=year,
        years=list(range(this_year + 1, this_year - 5, -1)),
        format_bps=rules.format_bps,
        downloads={
            g: {
                f: url_for("finance.api_get_spending", year=year, group_by=g, format=f)
                for f in ("csv", "xlsx")
            }
            for g in rules.GROUP_BYS
        },
    )


def _targets_form(opd_codes: list[str]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {
        k: form_rupiah(request.form.get(k), k, errors, blank=0) for k in rules.TARGET_KINDS
    }
    by_opd: dict[str, dict[str, int]] = {}
    for code in opd_codes:
        raw = {k: request.form.get(f"opd-{code}-{k}", "") for k in rules.TARGET_KINDS}
        if not any(v.strip() for v in raw.values()):
            continue
        by_opd[code] = {k: form_rupiah(v, f"{code} {k}", errors, blank=0) for k, v in raw.items()}
    data["by_opd"] = by_opd
    if errors:
        raise ValidationFailed(_("Periksa isian target."), details=errors)
    return load_form(TargetsSchema(), data, message=_("Periksa isian target."), unknown=RAISE)


@bp.route("/finance/targets/<int:year>", methods=["GET", "POST"])
def targets_page(year):
    """Finance/admin: the form to set a year's targets city-wide and per OPD (confirmed first)."""
    user = require_role(*FINANCE_READERS)
    _check_year(year)
    opds = opd_choices()
    if request.method == "POST":
        services.set_targets(user, year, _targets_form([o.code for o in opds]))
        flash(_("Target tahun %(y)s disimpan.", y=year), "success")
        return redirect(url_for("finance.dashboard", year=year))
    return render_template(
        "finance/targets.html", year=year, targets=services.get_targets(year), opds=opds
    )


@bp.route("/finance/budgets/<int:year>", methods=["GET", "POST"])
def budgets_page(year):
    """Finance/admin: each OPD's goods-and-services budget for the year (confirmed first)."""
    user = require_role(*FINANCE_READERS)
    _check_year(year)
    opds = opd_choices()
    if request.method == "POST":
        errors: dict[str, list[str]] = {}
        by_opd = {}
        for opd in opds:
            raw = request.form.get(f"budget-{opd.code}", "")
            if raw.strip():
                by_opd[opd.code] = form_rupiah(raw, opd.code, errors, blank=0)
        if errors:
            raise ValidationFailed(_("Periksa isian anggaran."), details=errors)
        data = load_form(BudgetsSchema(), {"by_opd": by_opd}, message=_("Periksa isian anggaran."))
        services.set_budgets(user, year, data["by_opd"])
        flash(_("Anggaran belanja OPD tahun %(y)s disimpan.", y=year), "success")
        return redirect(url_for("finance.dashboard", year=year))
    return render_template(
        "finance/budgets.html", year=year, budgets=services.get_budgets(year), opds=opds
    )


@bp.get("/finance/periods")
def periods_page():
    """Finance/admin: the last twelve months, each closed (with its checksum) or closable."""
    require_role(*FINANCE_READERS)
    return render_template("finance/periods.html", months=closing.recent_months())


@bp.post("/finance/periods/<period>/close")
def close_period_page(period):
    """Finance/admin: close an ended month (the button asks first)."""
    user = require_role(*FINANCE_READERS)
    closed = closing.close_period(user, period)
    flash(_("Bulan %(p)s ditutup. Checksum: %(c)s", p=closed.period, c=closed.checksum), "success")
    return redirect(url_for("finance.period_page", period=closed.period))


@bp.get("/finance/periods/<period>")
def period_page(period):
    """Finance/admin: a closed month's snapshot, checksum, corrections and downloads."""
    require_role(*FINANCE_READERS)
    view = closing.closed_view(closing.get_closed(period))
    fixes = closing.corrections(period, page_arg(request.args))
    return render_template("finance/period.html", view=view, corrections=fixes)


@bp.get("/finance/watch")
def watch_page():
    """Finance/admin: vendors with no sales, near the cap, moving up a class, turnover by kelurahan."""
    require_role(*FINANCE_READERS)
    args = _query(WatchQuery())
    page, per_page = page_args(args)
    report = services.watch_report(args["period"], page, per_page)
    periods = [current_period()]
    while len(periods) < 12:
        periods.append(previous_period(periods[-1]))
    from marketplace.api import Page

    zero = report["zero_orders"]
    return render_template(
        "finance/watch.html",
        report=report,
        periods=periods,
        format_bps=rules.format_bps,
        zero_page=Page(
            items=zero["items"], page=zero["page"], per_page=zero["per_page"], total=zero["total"]
        ),
    )


@bp.get("/finance/ledger")
def ledger_page():
    """Finance/admin: account balances (summing to zero) and recent journals with their lines."""
    require_role(*FINANCE_READERS)
    args = _query(JournalsQuery())
    journals = services.list_journals(args["kind"], *page_args(args))
    return render_template(
        "finance/ledger.html",
        balances=ledger_balances(),
        journals=journals,
        kinds=services.journal_kinds(),
        kind=args["kind"],
    )


@bp.route("/finance/reconciliations", methods=["GET", "POST"])
def reconciliations_page():
    """Finance/admin: past reconciliations; finance uploads a Stripe CSV or fetches from Stripe."""
    if request.method == "POST":
        user = require_role("finance")
        if request.form.get("source") == "stripe":
            data = load_form(
                StripeReconcileSchema(),
                {
                    "source": "stripe",
                    "from": request.form.get("from", ""),
                    "to": request.form.get("to", ""),
                },
            )
            rec = reconciliation.reconcile_stripe(user, data["from_"], data["to"])
        else:
            upload = request.files.get("file")
            if upload is None or not upload.filename:
                raise ValidationFailed(_("Pilih berkas CSV ekspor Stripe."), details={})
            form = load_form(ReconcileUploadForm(), form_values(request.form))
            rec = reconciliation.reconcile_csv(
                user, upload.read(), upload.filename, form["from_"], form["to"]
            )
        flash(_("Rekonsiliasi #%(id)s selesai.", id=rec.id), "success")
        return redirect(url_for("finance.reconciliation_page", rec_id=rec.id))
    user = require_role(*FINANCE_READERS)
    items = reconciliation.list_reconciliations(*page_args(_query(PageQuery())))
    return render_template(
        "finance/reconciliations.html",
        page=items,
        can_run=user.role == "finance",
        stripe_on=stripe_enabled(),
    )


@bp.get("/finance/reconciliations/<int:rec_id>")
def reconciliation_page(rec_id):
    """Finance/admin: one reconciliation with its matched, missing and mismatched items."""
    require_role(*FINANCE_READERS)
    rec = reconciliation.get_reconciliation(rec_id)
    return render_template(
        "finance/reconciliation.html", rec=rec, data=ReconciliationOut().dump(rec)
    )


@bp.get("/finance/audit")
def audit_page():
    """Finance/admin: the audit log with filters and pagination (who, what, when, before → after)."""
    require_role(*FINANCE_READERS)
    args = _query(AuditQuery())
    page, per_page = page_args(args)
    entries = services.list_audit_log(
        actor=args["actor"],
        action=args["action"],
        target_type=args["target_type"],
        from_=args["from_"],
        to=args["to"],
        page=page,
        per_page=per_page,
    )
    return render_template(
        "finance/audit.html",
        page=entries,
        args=args,
        actions=services.audit_actions(),
        target_types=services.audit_target_types(),
    )
