"""HTTP routes for the roster's leavers and joiners, mandate exemptions and the month-end lists
(issue 13): the API and the pages. Each calls one service of `roster_sync`, `exemptions` or
`month_end` and answers."""

from __future__ import annotations

import re
from datetime import date

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.queries import opd_choices
from marketplace.api import PERIOD_MESSAGE, api_user, endpoint, page_args, require_role
from marketplace.errors import ValidationFailed
from marketplace.forms import load_form
from marketplace.mandate import bp, exemptions, month_end, roster_sync, rules
from marketplace.mandate.lifecycle_schemas import (
    CivilServantQuery,
    CivilServantSchema,
    CompletionSchema,
    DeactivateBody,
    DecisionBody,
    ExemptionBody,
    ExemptionQuery,
    ExemptionSchema,
    LeaversBody,
    MonthEndQuery,
    MonthEndRowSchema,
    ReactivateBody,
    ReaderBody,
    ReaderSchema,
)
from marketplace.pages import page_query
from marketplace.timeutil import current_period, is_period


def _period(period: str) -> str:
    if not is_period(period):
        raise ValidationFailed(details={"period": [PERIOD_MESSAGE]})
    return period


def _upload_bytes() -> bytes:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationFailed(
            _("Unggah berkas CSV pada kolom `file`."), details={"file": [_("Wajib diunggah.")]}
        )
    return upload.read()


def _form_date(name: str) -> date | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(
            details={name: [_("Tanggal YYYY-MM-DD, mis. 2026-11-28.")]}
        ) from None


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on", "ya")


# ================================================================= API: roster
@endpoint(
    bp,
    "/admin/civil-servants",
    summary="Civil servants on the roster",
    roles=("admin",),
    query=CivilServantQuery,
    response=CivilServantSchema,
    paginated=True,
    tag="mandate",
)
def list_civil_servants(args):
    """Admin: civil servants by name, NIP or email (`q`), `status` active|inactive, `opd`
    code, with the day they joined and left the roster."""
    return roster_sync.list_civil_servants(
        api_user(),
        q=args["q"],
        status=args["status"],
        opd=args["opd"],
        page=args["page"],
        per_page=min(args["per_page"], 100),
    )


@endpoint(
    bp,
    "/admin/civil-servants/<int:user_id>/deactivate",
    "POST",
    summary="Deactivate one civil servant (a leaver)",
    roles=("admin",),
    body=DeactivateBody,
    response=CivilServantSchema,
    errors=[404],
    tag="mandate",
)
def deactivate_civil_servant(user_id: int, data):
    """Admin: the ASN left (retired, moved) on `left_on` (default today): no sign-in; the
    mandate still counts them that month, not after. Audited; idempotent."""
    return roster_sync.deactivate_civil_servant(api_user(), user_id, **data)


@endpoint(
    bp,
    "/admin/civil-servants/<int:user_id>/reactivate",
    "POST",
    summary="Reactivate one civil servant",
    roles=("admin",),
    body=ReactivateBody,
    response=CivilServantSchema,
    errors=[404],
    tag="mandate",
)
def reactivate_civil_servant(user_id: int, data):
    """Admin: the ASN is back on the roster from `joined_on` (default today; that month is
    their first again, pro-rated by the rule). Audited; idempotent."""
    return roster_sync.reactivate_civil_servant(api_user(), user_id, **data)


@endpoint(
    bp,
    "/admin/civil-servants/roster-complete",
    "POST",
    summary="Import a complete roster and preview (or deactivate) its leavers",
    roles=("admin",),
    multipart={"file": "file"},
    response=CompletionSchema,
    errors=[413, 422],
    tag="mandate",
)
def roster_complete():
    """Admin: import the roster CSV as `POST /admin/civil-servants/import` does, declare it
    complete for form field `scope` (`city` or an OPD code) and answer the active civil
    servants of that scope it does not list (`absent`). With `confirm=true` they are also
    deactivated (leaving day `left_on`, default today); otherwise confirm them with
    `POST /admin/civil-servants/leavers`."""
    actor = require_role("admin")
    data = _upload_bytes()
    return roster_sync.complete_import(
        actor,
        data,
        request.form.get("scope", ""),
        confirm=_truthy(request.form.get("confirm")),
        left_on=_form_date("left_on"),
        reason=(request.form.get("reason") or "").strip()[:300] or None,
    )


@endpoint(
    bp,
    "/admin/civil-servants/leavers",
    "POST",
    summary="Deactivate the leavers of a complete roster",
    roles=("admin",),
    body=LeaversBody,
    tag="mandate",
)
def confirm_leavers(data):
    """Admin: deactivate the previewed leavers (`user_ids`, active ASN of `scope`; 422 naming
    any other), leaving day `left_on` (default today). Audited once and per ASN."""
    count = roster_sync.deactivate_leavers(api_user(), **data)
    return {"deactivated": count}


# ================================================================= API: exemptions
@endpoint(
    bp,
    "/mandate/exemptions",
    summary="Mandate exemption requests",
    roles=("civil_servant", "admin"),
    query=ExemptionQuery,
    response=ExemptionSchema,
    paginated=True,
    tag="mandate",
)
def list_exemptions(args):
    """The requests the caller may see: the admin all; an ASN their own; an office head also
    their office's. Filters `status`, `period`."""
    page, per_page = page_args(args)
    return exemptions.list_exemptions(
        api_user(), status=args["status"], period=args["period"], page=page, per_page=per_page
    )


@endpoint(
    bp,
    "/mandate/exemptions",
    "POST",
    summary="Ask for a mandate exemption",
    roles=("civil_servant", "admin"),
    body=ExemptionBody,
    response=ExemptionSchema,
    status=201,
    errors=[403, 404, 409],
    tag="mandate",
)
def create_exemption(data):
    """Ask that `period` not be required (`kind` leave|secondment|illness, with a `reason`):
    for oneself, or as office head for an ASN of one's office (`user_id`). 409
    exemption_exists or period_closed."""
    return exemptions.request_exemption(api_user(), **data)


@endpoint(
    bp,
    "/mandate/exemptions/<int:exemption_id>",
    summary="One mandate exemption request",
    roles=("civil_servant", "admin"),
    response=ExemptionSchema,
    errors=[404],
    tag="mandate",
)
def get_exemption(exemption_id: int):
    """One request the caller may see (404 otherwise)."""
    return exemptions.get_exemption(api_user(), exemption_id)


@endpoint(
    bp,
    "/mandate/exemptions/<int:exemption_id>/approve",
    "POST",
    summary="Approve a mandate exemption",
    roles=("admin",),
    body=DecisionBody,
    response=ExemptionSchema,
    errors=[404, 409],
    tag="mandate",
)
def approve_exemption(exemption_id: int, data):
    """Admin: the month requires Rp0 of the ASN; shown in the report. Audited, ASN notified."""
    return exemptions.decide_exemption(api_user(), exemption_id, approve=True, note=data["note"])


@endpoint(
    bp,
    "/mandate/exemptions/<int:exemption_id>/reject",
    "POST",
    summary="Reject a mandate exemption",
    roles=("admin",),
    body=DecisionBody,
    response=ExemptionSchema,
    errors=[404, 409],
    tag="mandate",
)
def reject_exemption(exemption_id: int, data):
    """Admin: the request is refused (may be asked again). Audited, ASN notified."""
    return exemptions.decide_exemption(api_user(), exemption_id, approve=False, note=data["note"])


# ================================================================= API: month end
@endpoint(
    bp,
    "/mandate/month-end",
    summary="Closed months with their compliance summary",
    tag="mandate",
)
def list_month_ends():
    """BKPSDM/Inspektorat readers, finance, admin: each closed month's frozen city summary,
    newest first (403 for anyone else)."""
    return {"items": month_end.closed_months(api_user())}


def _month_end_download(period: str, args) -> Response:
    rows = month_end.month_end_rows(
        api_user(), period, opd=args["opd"], short_only=args["short_only"]
    )
    if args["format"] == "tpp":
        if not current_app.config.get("MANDATE_TPP_DEDUCTION"):
            abort(404)
        rows = [r for r in rows if r["shortfall"] > 0]
        name = f"potongan-tpp-{period}"
    else:
        name = f"kepatuhan-akhir-bulan-{period}" + (f"-{args['opd']}" if args["opd"] else "")
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
    return Response(
        month_end.month_end_csv(rows).encode("utf-8-sig"),
        mimetype="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}.csv"',
            "Cache-Control": "no-store",
        },
    )


@endpoint(
    bp,
    "/mandate/month-end/<period>",
    summary="A closed month's compliance: summary and who fell short",
    query=MonthEndQuery,
    response=MonthEndRowSchema,
    paginated=True,
    errors=[403, 404],
    tag="mandate",
    produces=["text/csv"],
)
def get_month_end(period: str, args):
    """Readers, finance, admin: the frozen city `summary`, `by_opd`, and a page of ASN who fell
    short (`short_only=false`: everyone), with NIP, name, OPD, position, required, spent,
    shortfall and exemption. `format=csv` downloads the rows; `format=tpp` the shortfall list
    as the performance-allowance deduction input (only when MANDATE_TPP_DEDUCTION is on). 404
    for a month not closed."""
    period = _period(period)
    if args["format"] != "json":
        return _month_end_download(period, args)
    page, per_page = args["page"], min(args["per_page"], 200)
    return month_end.month_end_report(
        api_user(),
        period,
        opd=args["opd"],
        short_only=args["short_only"],
        page=page,
        per_page=per_page,
    )


@endpoint(
    bp,
    "/mandate/office/<period>",
    summary="An office head's closed month",
    roles=("civil_servant",),
    errors=[403, 404],
    tag="mandate",
)
def get_office_month(period: str):
    """The head of an OPD: every ASN of the office with required, spent, shortfall and
    exemption as frozen at the close, those who fell short first."""
    result = month_end.office_report(api_user(), _period(period))
    result["items"] = MonthEndRowSchema(many=True).dump(result["items"])
    return result


@endpoint(
    bp,
    "/mandate/readers",
    summary="Month-end readers (BKPSDM, Inspektorat)",
    roles=("admin",),
    response=ReaderSchema,
    many=True,
    tag="mandate",
)
def list_readers():
    """Admin: who reads the city's month-end compliance."""
    return month_end.list_readers(api_user())


@endpoint(
    bp,
    "/mandate/readers/<int:user_id>",
    "PUT",
    summary="Make a user a month-end reader",
    roles=("admin",),
    body=ReaderBody,
    response=ReaderSchema,
    errors=[404],
    tag="mandate",
)
def put_reader(user_id: int, data):
    """Admin: the user (ASN, finance or admin) reads the month-end figures as `bkpsdm` or
    `inspektorat`. Audited."""
    return month_end.set_reader(api_user(), user_id=user_id, body=data["body"])


@endpoint(
    bp,
    "/mandate/readers/<int:user_id>",
    "DELETE",
    summary="Remove a month-end reader",
    roles=("admin",),
    errors=[404],
    tag="mandate",
)
def delete_reader(user_id: int):
    """Admin: the user no longer reads the month-end figures. Audited."""
    month_end.remove_reader(api_user(), user_id)
    return {"removed": True}


# ================================================================= pages
@bp.get("/admin/civil-servants")
def civil_servants_page():
    """Admin: find an ASN by name, NIP or email; deactivate (leaver) or reactivate them."""
    user = require_role("admin")
    args = load_form(
        CivilServantQuery(), page_query(request.args), message=_("Filter tidak valid.")
    )
    page, per_page = page_args(args)
    result = roster_sync.list_civil_servants(
        user, q=args["q"], status=args["status"], opd=args["opd"], page=page, per_page=per_page
    )
    return render_template(
        "mandate/civil_servants.html", result=result, args=args, opds=opd_choices()
    )


@bp.post("/admin/civil-servants/<int:user_id>/deactivate")
def deactivate_page(user_id: int):
    user = require_role("admin")
    person = roster_sync.deactivate_civil_servant(
        user,
        user_id,
        left_on=_form_date("left_on"),
        reason=(request.form.get("reason") or "").strip()[:300] or None,
    )
    flash(_("%(n)s dinonaktifkan.", n=person["name"]), "success")
    return redirect(url_for("mandate.civil_servants_page", q=person["nip"]))


@bp.post("/admin/civil-servants/<int:user_id>/reactivate")
def reactivate_page(user_id: int):
    user = require_role("admin")
    person = roster_sync.reactivate_civil_servant(user, user_id, joined_on=_form_date("joined_on"))
    flash(_("%(n)s diaktifkan kembali.", n=person["name"]), "success")
    return redirect(url_for("mandate.civil_servants_page", q=person["nip"]))


@bp.route("/admin/civil-servants/roster-complete", methods=["GET", "POST"])
def roster_complete_page():
    """Admin: upload the complete roster of an OPD or the city; see the import and the ASN it
    no longer lists, then confirm their deactivation."""
    user = require_role("admin")
    completion = None
    if request.method == "POST":
        completion = roster_sync.complete_import(
            user, _upload_bytes(), request.form.get("scope", "")
        )
    return render_template(
        "mandate/roster_complete.html", completion=completion, opds=opd_choices()
    )


@bp.post("/admin/civil-servants/leavers")
def leavers_page():
    user = require_role("admin")
    ids = []
    for raw in request.form.getlist("user_id"):
        if raw.isdigit():
            ids.append(int(raw))
    if not ids:
        raise ValidationFailed(_("Pilih ASN yang dinonaktifkan."))
    count = roster_sync.deactivate_leavers(
        user, ids, request.form.get("scope", ""), left_on=_form_date("left_on")
    )
    flash(_("%(n)s ASN dinonaktifkan.", n=count), "success")
    return redirect(url_for("mandate.civil_servants_page", status="inactive"))


@bp.route("/mandate/exemptions", methods=["GET", "POST"])
def exemptions_page():
    """ASN and office heads ask for an exemption; the admin decides. Each sees their own list."""
    user = require_role("civil_servant", "admin")
    if request.method == "POST":
        raw_user = (request.form.get("user_id") or "").strip()
        exemptions.request_exemption(
            user,
            period=(request.form.get("period") or "").strip(),
            kind=(request.form.get("kind") or "").strip(),
            reason=request.form.get("reason") or "",
            user_id=int(raw_user) if raw_user.isdigit() else None,
        )
        flash(_("Pengajuan pembebasan terkirim."), "success")
        return redirect(url_for("mandate.exemptions_page"))
    args = load_form(ExemptionQuery(), page_query(request.args), message=_("Filter tidak valid."))
    page, per_page = page_args(args)
    return render_template(
        "mandate/exemptions.html",
        result=exemptions.list_exemptions(
            user, status=args["status"], period=args["period"], page=page, per_page=per_page
        ),
        staff=exemptions.heads_staff(user),
        kinds=rules.EXEMPTION_KINDS,
        this_period=current_period(),
    )


@bp.post("/mandate/exemptions/<int:exemption_id>/<any(approve, reject):decision>")
def decide_exemption_page(exemption_id: int, decision: str):
    user = require_role("admin")
    row = exemptions.decide_exemption(
        user,
        exemption_id,
        approve=decision == "approve",
        note=(request.form.get("note") or "").strip()[:500] or None,
    )
    flash(
        _("Pengajuan %(n)s %(p)s disetujui.", n=row["name"], p=row["period"])
        if decision == "approve"
        else _("Pengajuan %(n)s %(p)s ditolak.", n=row["name"], p=row["period"]),
        "success",
    )
    return redirect(url_for("mandate.exemptions_page", status="requested"))


@bp.get("/mandate/month-end")
def month_end_index_page():
    """BKPSDM, Inspektorat, finance, admin: the closed months and their summaries."""
    user = require_role()
    return render_template("mandate/month_end_index.html", months=month_end.closed_months(user))


@bp.get("/mandate/month-end/<period>")
def month_end_page(period: str):
    """One closed month: the city summary, per OPD, who fell short, the CSV (and TPP) links."""
    user = require_role()
    args = load_form(MonthEndQuery(), page_query(request.args), message=_("Filter tidak valid."))
    report = month_end.month_end_report(
        user,
        _period(period),
        opd=args["opd"],
        short_only=args["short_only"],
        page=args["page"],
        per_page=min(args["per_page"], 100),
    )
    return render_template("mandate/month_end.html", report=report, args=args)


@bp.get("/mandate/office")
def office_index_page():
    """An office head: the closed months of their office."""
    user = require_role("civil_servant")
    return render_template("mandate/office_index.html", months=month_end.office_months(user))


@bp.get("/mandate/office/<period>")
def office_month_page(period: str):
    """An office head: their staff's standing in a closed month, who fell short first."""
    user = require_role("civil_servant")
    return render_template(
        "mandate/office_month.html", report=month_end.office_report(user, _period(period))
    )


@bp.route("/admin/mandate-readers", methods=["GET", "POST"])
def readers_page():
    """Admin: who reads the month-end figures (BKPSDM, Inspektorat); add one by email."""
    user = require_role("admin")
    if request.method == "POST":
        row = month_end.set_reader(
            user,
            email=request.form.get("email") or "",
            body=(request.form.get("body") or "").strip(),
        )
        flash(
            _("%(n)s ditunjuk sebagai pembaca %(b)s.", n=row["name"], b=row["body_label"]),
            "success",
        )
        return redirect(url_for("mandate.readers_page"))
    return render_template(
        "mandate/readers.html", readers=month_end.list_readers(user), bodies=rules.READER_BODIES
    )


@bp.post("/admin/mandate-readers/<int:user_id>/remove")
def remove_reader_page(user_id: int):
    user = require_role("admin")
    month_end.remove_reader(user, user_id)
    flash(_("Pembaca rekap dihapus."), "success")
    return redirect(url_for("mandate.readers_page"))


@bp.app_context_processor
def _lifecycle_context():
    """`exemption_label(kind)` and `month_end_reader()` for templates (the navigation)."""
    return {
        "exemption_label": lambda kind: _(rules.EXEMPTION_KINDS.get(kind, kind)),
        "month_end_reader": lambda: month_end.reader_body(current_user),
    }
