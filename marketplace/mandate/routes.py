"""HTTP routes of the mandate area: the API (progress, rules, compliance and its downloads) and
the pages (my progress, the compliance report, the rules form)."""

from __future__ import annotations

import re
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import RAISE, Schema

from marketplace.accounts.queries import opd_choices
from marketplace.api import PageQuery, api_user, endpoint, page_args, require_role
from marketplace.errors import ValidationFailed
from marketplace.forms import form_rupiah, load_form
from marketplace.mandate import (
    bp,
    lifecycle_routes,  # noqa: F401  (its routes join this blueprint: leavers, exemptions, month end)
    services,
)
from marketplace.mandate.schemas import (
    SORTS,
    ByOpdQuery,
    ComplianceQuery,
    ComplianceRowSchema,
    OpdComplianceSchema,
    PeriodQuery,
    ProgressSchema,
    RulesBody,
    RuleSchema,
)
from marketplace.pages import page_query
from marketplace.timeutil import current_period, previous_period

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---------------------------------------------------------------- API
@endpoint(
    bp,
    "/mandate/me",
    summary="My mandate progress",
    roles=("civil_servant",),
    query=PeriodQuery,
    response=ProgressSchema,
    tag="mandate",
)
def mandate_me(args):
    """The calling civil servant's required and spent amounts for `period` (default: this local
    month); 422 for a malformed period."""
    return services.my_mandate(api_user(), args["period"])


@endpoint(
    bp,
    "/mandate/rules",
    "PUT",
    summary="Set the mandate rule from a period on",
    roles=("admin",),
    body=RulesBody,
    response=RuleSchema,
    tag="mandate",
)
def put_mandate_rules(data):
    """Admin: set the default and per-position monthly minimum from `effective_from` on (upsert
    of that period's rule, audited); 422 for bad amounts or a period that already began."""
    return services.set_mandate_rules(api_user(), **data)


@endpoint(
    bp,
    "/mandate/rules",
    summary="Mandate rule history",
    roles=("admin", "finance"),
    query=PageQuery,
    response=RuleSchema,
    paginated=True,
    tag="mandate",
)
def get_mandate_rules(args):
    """Admin/finance: every rule, newest first; `in_force` marks the one judging this month."""
    return services.list_mandate_rules(*page_args(args))


def _download(args) -> Response:
    user = api_user()
    period, rows = services.compliance_rows(
        user, args["period"], opd=args["opd"], compliant=args["compliant"], sort=args["sort"]
    )
    name = f"kepatuhan-asn-{period}" + (f"-{args['opd']}" if args["opd"] else "")
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
    if args["format"] == "csv":
        body, mimetype = (
            services.compliance_csv(rows).encode("utf-8-sig"),
            "text/csv; charset=utf-8",
        )
    else:
        body, mimetype = services.compliance_xlsx(rows, period), XLSX
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{name}.{args["format"]}"',
            "Cache-Control": "no-store",
        },
    )


@endpoint(
    bp,
    "/mandate/compliance",
    summary="Mandate compliance of civil servants",
    roles=("finance", "admin"),
    query=ComplianceQuery,
    response=ComplianceRowSchema,
    paginated=True,
    tag="mandate",
    produces=["text/csv", XLSX],
)
def get_mandate_compliance(args):
    """Finance/admin: a page of civil servants with required, spent and compliant for `period`
    (filters `opd` code, `compliant`, `sort`), plus `summary` {civil_servants, compliant, rate
    (0..1), rate_bps, spent, required_total, shortfall} over the period and OPD. `format=csv|xlsx`
    downloads every matching row."""
    if args["format"] != "json":
        return _download(args)
    return services.compliance_report(
        api_user(),
        args["period"],
        opd=args["opd"],
        compliant=args["compliant"],
        sort=args["sort"],
        page=args["page"],
        per_page=min(args["per_page"], 100),
    )


@endpoint(
    bp,
    "/mandate/compliance/by-opd",
    summary="Mandate compliance per OPD",
    roles=("finance", "admin"),
    query=ByOpdQuery,
    tag="mandate",
)
def get_mandate_compliance_by_opd(args):
    """Finance/admin: per OPD, how many civil servants, how many compliant, rate and amounts for
    `period`, lowest rate first, plus the city-wide `summary`."""
    result = services.compliance_by_opd(api_user(), args["period"])
    result["items"] = OpdComplianceSchema(many=True).dump(result["items"])
    return result


# ---------------------------------------------------------------- pages
def _query(schema: Schema) -> dict[str, Any]:
    return load_form(schema, page_query(request.args), message=_("Filter tidak valid."))


def _recent_periods(anchor: str, count: int = 12) -> list[str]:
    periods = [anchor]
    while len(periods) < count:
        periods.append(previous_period(periods[-1]))
    return periods


@bp.get("/mandate")
def my_progress():
    """Civil servant: this month's (or ?period=) progress toward the minimum and what counted."""
    user = require_role("civil_servant")
    args = _query(PeriodQuery())
    period = args["period"] or current_period()
    page, per_page = page_args(_query(PageQuery()))
    return render_template(
        "mandate/my_progress.html",
        progress=services.my_mandate(user, period),
        spending=services.counted_spending_page(user, period, page, per_page),
        periods=_recent_periods(current_period()),
        show_mandate_widget=False,
    )


@bp.get("/finance/compliance")
def compliance_page():
    """Finance/admin: compliance for a period with OPD/compliant filters, sorting, summary, the
    per-OPD table, a paginated ASN table and CSV/XLSX downloads."""
    user = require_role("finance", "admin")
    args = _query(ComplianceQuery())
    report = services.compliance_report(
        user,
        args["period"],
        opd=args["opd"],
        compliant=args["compliant"],
        sort=args["sort"],
        page=args["page"],
        per_page=min(args["per_page"], 100),
    )
    by_opd = services.compliance_by_opd(user, report.extra["period"], with_summary=False)
    download = {
        k: v
        for k, v in {
            "period": report.extra["period"],
            "opd": args["opd"],
            "compliant": args["compliant"],
            "sort": args["sort"],
        }.items()
        if v is not None
    }
    if "compliant" in download:
        download["compliant"] = "true" if download["compliant"] else "false"
    return render_template(
        "mandate/compliance.html",
        report=report,
        by_opd=by_opd["items"],
        args=args,
        opds=opd_choices(),
        sorts=SORTS,
        periods=_recent_periods(current_period()),
        csv_url=url_for("mandate.api_get_mandate_compliance", format="csv", **download),
        xlsx_url=url_for("mandate.api_get_mandate_compliance", format="xlsx", **download),
    )


def _rules_form() -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    default_amount = form_rupiah(request.form.get("default_amount"), "default_amount", errors)
    by_position: dict[str, int] = {}
    for name, raw in zip(
        request.form.getlist("position"), request.form.getlist("amount"), strict=False
    ):
        if not name.strip() and not raw.strip():
            continue  # an empty spare row
        if not name.strip():
            errors.setdefault("position", []).append(
                _("Isi nama jabatan untuk jumlah %(a)s.", a=raw)
            )
            continue
        amount = form_rupiah(raw, name.strip(), errors)
        if amount is not None:
            if name.strip() in by_position:
                errors.setdefault(name.strip(), []).append(_("Jabatan ini diisi dua kali."))
            by_position[name.strip()] = amount
    data = {
        "default_amount": default_amount,
        "by_position": by_position,
        "effective_from": (request.form.get("effective_from") or "").strip(),
        "joiners": request.form.get("joiners") or None,
        "counts_on": (request.form.get("counts_on") or "").strip() or None,
    }
    if errors:
        raise ValidationFailed(_("Periksa isian aturan."), details=errors)
    return load_form(RulesBody(), data, message=_("Periksa isian aturan."), unknown=RAISE)


@bp.route("/admin/mandate-rules", methods=["GET", "POST"])
def rules_page():
    """Admin: the rule in force, the history, and a form to set a rule from a period on."""
    user = require_role("admin")
    if request.method == "POST":
        rule = services.set_mandate_rules(user, **_rules_form())
        flash(
            _("Aturan kewajiban belanja mulai %(p)s disimpan.", p=rule["effective_from"]), "success"
        )
        return redirect(url_for("mandate.rules_page"))
    page, per_page = page_args(_query(PageQuery()))
    history = services.list_mandate_rules(page, per_page)
    current = services.rule_for_period(current_period())
    return render_template(
        "mandate/rules.html",
        history=history,
        current=services.rule_as_dict(current, in_force_id=current.id) if current else None,
        this_period=current_period(),
    )


@bp.app_context_processor
def _mandate_widget_context():
    """`mandate_widget_data()` for base.html: None for anyone but a civil servant (no query)."""
    from flask_login import current_user

    return {"mandate_widget_data": lambda: services.widget_data(current_user)}


from marketplace.mandate import position_routes  # noqa: F401  (its routes join this blueprint)
