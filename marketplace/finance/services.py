"""Finance services: spending targets, realisation reports (JSON, CSV, XLSX), what the city
watches, the ledger listing and the audit-log viewer.

Every report aggregates in SQL (GROUP BY) over `SpendingRecord`, so totals always equal the sum of
the records, whatever the grouping.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, distinct, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from marketplace.accounts.models import Opd, User
from marketplace.api import Page, paginate
from marketplace.areas.models import Area, Kecamatan
from marketplace.audit.models import AuditLog, record_audit
from marketplace.errors import Conflict, ValidationFailed
from marketplace.extensions import db
from marketplace.finance import rules
from marketplace.finance.models import CITY_SCOPE, OpdBudget, SpendingTarget
from marketplace.ledger import rules as ledger_rules
from marketplace.ledger.models import JournalEntry, SpendingRecord
from marketplace.ledger.queries import cap_amount, vendor_sales_subquery
from marketplace.shops.business_class import open_flag_rows
from marketplace.shops.models import Vendor
from marketplace.timeutil import (
    current_period,
    day_start,
    now_utc,
    period_bounds,
    year_bounds,
    year_of,
)

SR = SpendingRecord


def current_year() -> int:
    return year_of(now_utc())


# ---------------------------------------------------------------- targets
def get_targets(year: int) -> dict:
    """The year's targets, city-wide and by OPD code; zeros and `is_set: false` when none."""
    rows = db.session.scalars(
        select(SpendingTarget)
        .options(joinedload(SpendingTarget.opd))
        .where(SpendingTarget.year == year)
    ).all()
    city = next((r for r in rows if r.scope == CITY_SCOPE), None)
    by_opd = {
        (r.opd.code if r.opd else r.scope): r.amounts() for r in rows if r.scope != CITY_SCOPE
    }
    updated = max((r.updated_at for r in rows), default=None)
    amounts = city.amounts() if city else {"umk": 0, "pdn": 0, "local": 0}
    return {
        "year": year,
        **amounts,
        "by_opd": dict(sorted(by_opd.items())),
        "is_set": bool(rows),
        "updated_at": updated,
    }


def _opds_by_code(codes) -> dict[str, Opd]:
    """The OPDs named by `codes`; 422 keyed `by_opd.<code>` for any code nobody knows."""
    opds = (
        {o.code: o for o in db.session.scalars(select(Opd).where(Opd.code.in_(list(codes))))}
        if codes
        else {}
    )
    unknown = sorted(set(codes) - set(opds))
    if unknown:
        raise ValidationFailed(
            "Ada kode OPD yang tidak dikenal.",
            details={"by_opd": {code: ["Kode OPD tidak dikenal."] for code in unknown}},
        )
    return opds


def set_targets(actor: User, year: int, data: dict) -> dict:
    """Replace the year's targets (city-wide and per OPD) and audit the change.

    Raises ValidationFailed (422) for an unknown OPD code, Conflict when another user saved the
    same year at the same moment.
    """
    by_opd: dict[str, dict] = data.get("by_opd") or {}
    opds = _opds_by_code(by_opd)
    before = _audit_view(get_targets(year))
    wanted = {CITY_SCOPE: (None, {k: data[k] for k in rules.TARGET_KINDS})}
    for code, amounts in by_opd.items():
        wanted[code] = (opds[code].id, {k: amounts[k] for k in rules.TARGET_KINDS})
    existing = {
        r.scope: r
        for r in db.session.scalars(select(SpendingTarget).where(SpendingTarget.year == year))
    }
    for scope, row in existing.items():
        if scope not in wanted:
            db.session.delete(row)
    db.session.flush()
    for scope, (opd_id, amounts) in wanted.items():
        row = existing.get(scope)
        if row is None:
            row = SpendingTarget(year=year, scope=scope, opd_id=opd_id)
            db.session.add(row)
        row.umk, row.pdn, row.local = amounts["umk"], amounts["pdn"], amounts["local"]
        row.opd_id = opd_id
        row.updated_by_id = actor.id
    try:
        db.session.flush()
        after = _audit_view(get_targets(year))
        record_audit(actor, "targets.set", "targets", year, before=before, after=after)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(
            "Target tahun ini baru saja diubah orang lain; muat ulang dan coba lagi.",
            code="targets_conflict",
        ) from None
    return get_targets(year)


def _audit_view(targets: dict) -> dict:
    return {k: targets[k] for k in ("umk", "pdn", "local", "by_opd")}


# ---------------------------------------------------------------- realisation
def _counts_as_umk():
    """rules.is_umk in SQL: a micro or small business, or a koperasi of any class."""
    return or_(
        SR.vendor_umk_class.in_(rules.UMK_CLASSES), SR.vendor_type.in_(rules.UMK_VENDOR_TYPES)
    )


def _sums():
    """SUM(...) columns for the four realisation figures (same rule as rules.classify)."""
    return (
        func.coalesce(func.sum(case((_counts_as_umk(), SR.amount), else_=0)), 0).label("umk"),
        func.coalesce(func.sum(case((SR.is_pdn.is_(True), SR.amount), else_=0)), 0).label("pdn"),
        func.coalesce(func.sum(case((SR.is_local_product.is_(True), SR.amount), else_=0)), 0).label(
            "local"
        ),
        func.coalesce(func.sum(SR.amount), 0).label("total"),
    )


def _sum_dict(row) -> dict[str, int]:
    return {k: int(getattr(row, k) or 0) for k in rules.SUM_KEYS}


def _year_filter(year: int):
    start, end = year_bounds(year)  # local year: 31 Dec 23:30 still belongs to that year
    return and_(SR.occurred_at >= start, SR.occurred_at < end)


def _in_channels(channels: tuple[str, ...]):
    return SR.channel.in_(list(channels))


# ---------------------------------------------------------------- OPD budgets
def get_budgets(year: int) -> dict:
    """Each OPD's goods-and-services budget (belanja barang/jasa) for `year`, by OPD code, and
    their sum: what the UMK share is measured against."""
    rows = db.session.execute(
        select(Opd.code, OpdBudget.goods_services, OpdBudget.updated_at)
        .join(Opd, Opd.id == OpdBudget.opd_id)
        .where(OpdBudget.year == year)
        .order_by(Opd.code)
    ).all()
    by_opd = {code: int(amount) for code, amount, _ in rows}
    return {
        "year": year,
        "by_opd": by_opd,
        "total": sum(by_opd.values()),
        "is_set": bool(by_opd),
        "updated_at": max((r.updated_at for r in rows), default=None),
    }


def set_budgets(actor: User, year: int, by_opd: dict[str, int]) -> dict:
    """Replace the year's OPD goods-and-services budgets (rupiah, by OPD code) and audit it as
    `budgets.set`. 422 for an unknown OPD code; an OPD left out has no budget that year."""
    opds = _opds_by_code(by_opd)
    before = get_budgets(year)["by_opd"]
    existing = {
        r.opd_id: r for r in db.session.scalars(select(OpdBudget).where(OpdBudget.year == year))
    }
    wanted = {opds[code].id: int(amount) for code, amount in by_opd.items()}
    for opd_id, row in existing.items():
        if opd_id not in wanted:
            db.session.delete(row)
    for opd_id, amount in wanted.items():
        row = existing.get(opd_id)
        if row is None:
            row = OpdBudget(year=year, opd_id=opd_id)
            db.session.add(row)
        row.goods_services = amount
        row.updated_by_id = actor.id
    try:
        db.session.flush()
        after = get_budgets(year)["by_opd"]
        record_audit(
            actor,
            "budgets.set",
            "budgets",
            year,
            before={"by_opd": before},
            after={"by_opd": after},
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(
            "Anggaran tahun ini baru saja diubah orang lain; muat ulang dan coba lagi.",
            code="budgets_conflict",
        ) from None
    return get_budgets(year)


# ---------------------------------------------------------------- realisation and reach
def spending_report(year: int | None, group_by: str = "month") -> dict:
    """Targets against realisation for a local year, with one row per group (all in SQL).

    Realisation counts only the `opd_procurement` channel (the budget's own spending); the UMK
    share is measured against the OPDs' goods-and-services budgets. Civil servants' personal and
    the public's purchases come beside it under `reach`, per channel, never added in."""
    year = year or current_year()
    if group_by not in rules.GROUP_BYS:
        raise ValidationFailed(
            details={"group_by": [f"Pilih salah satu: {', '.join(rules.GROUP_BYS)}."]}
        )
    targets = get_targets(year)
    budgets = get_budgets(year)
    target_where = and_(_year_filter(year), _in_channels(ledger_rules.TARGET_CHANNELS))
    realised = _sum_dict(db.session.execute(select(*_sums()).where(target_where)).one())
    city = {k: targets[k] for k in rules.TARGET_KINDS}
    return {
        "year": year,
        "group_by": group_by,
        "population": rules.TARGET_POPULATION,
        "channels": list(ledger_rules.TARGET_CHANNELS),
        "targets": targets,
        "budget": budgets["total"],
        "realised": realised,
        "progress_bps": {k: rules.progress_bps(realised[k], city[k]) for k in rules.TARGET_KINDS},
        "budget_share_bps": {
            k: rules.share_bps(realised[k], budgets["total"]) for k in rules.TARGET_KINDS
        },
        "umk_share_floor_bps": rules.UMK_SHARE_FLOOR_BPS,
        "rows": _grouped(group_by, year, target_where, targets, budgets),
        "reach": _reach(year, group_by),
    }


def _reach(year: int, group_by: str) -> dict:
    """Per reach channel (asn_personal, public): its sums and rows for the same grouping."""
    empty_targets = {"by_opd": {}}
    no_budgets = {"by_opd": {}}
    result = {}
    for channel in ledger_rules.REACH_CHANNELS:
        where = and_(_year_filter(year), SR.channel == channel)
        result[channel] = {
            "population": rules.REACH_POPULATION,
            "realised": _sum_dict(db.session.execute(select(*_sums()).where(where)).one()),
            "rows": _grouped(group_by, year, where, empty_targets, no_budgets, reach=True),
        }
    return result


def _grouped(
    group_by: str, year: int, where, targets: dict, budgets: dict, *, reach: bool = False
) -> list[dict]:
    if group_by == "month":
        return _rows_by_month(year, where)
    if group_by == "opd":
        return _rows_by_opd(where, targets, budgets, reach=reach)
    if group_by == "vendor_class":
        return _rows_by_class(where)
    return _rows_by_kelurahan(where)


def _rows_by_month(year: int, where) -> list[dict]:
    found = {
        r.period: _sum_dict(r)
        for r in db.session.execute(select(SR.period, *_sums()).where(where).group_by(SR.period))
    }
    rows = []
    for month in range(1, 13):
        period = f"{year}-{month:02d}"
        rows.append(
            {
                "key": period,
                "label": period,
                "period": period,
                **found.get(period, rules.zero_sums()),
            }
        )
    return rules.with_cumulative(rows)


def _rows_by_opd(where, targets: dict, budgets: dict, *, reach: bool = False) -> list[dict]:
    result = db.session.execute(
        select(SR.opd_id, Opd.code, Opd.name, *_sums())
        .outerjoin(Opd, Opd.id == SR.opd_id)
        .where(where)
        .group_by(SR.opd_id, Opd.code, Opd.name)
    ).all()
    by_code = targets["by_opd"]
    budget_of = budgets["by_opd"]
    rows, seen = [], set()
    for r in result:
        code = r.code
        seen.add(code)
        rows.append(
            _opd_row(code, r.name, _sum_dict(r), by_code.get(code), budget_of.get(code), reach)
        )
    missing = [c for c in {*by_code, *budget_of} if c not in seen]
    if missing:
        names = dict(
            db.session.execute(select(Opd.code, Opd.name).where(Opd.code.in_(missing))).all()
        )
        for code in sorted(missing):
            rows.append(
                _opd_row(
                    code,
                    names.get(code, code),
                    rules.zero_sums(),
                    by_code.get(code),
                    budget_of.get(code),
                    reach,
                )
            )
    rows.sort(key=lambda row: (row["opd_code"] is None, -row["total"], row["opd_code"] or ""))
    return rows


def _opd_row(
    code: str | None,
    name: str | None,
    sums: dict,
    target: dict | None,
    budget: int | None,
    reach: bool,
) -> dict:
    row = {
        "key": code or "-",
        "label": name or ("Pembeli umum (non-ASN)" if reach else "Tanpa OPD"),
        "opd_code": code,
        "opd_name": name,
        **sums,
    }
    if reach:
        return row
    target = target or {"umk": 0, "pdn": 0, "local": 0}
    for k in rules.TARGET_KINDS:
        row[f"target_{k}"] = int(target[k])
        row[f"progress_{k}_bps"] = rules.progress_bps(sums[k], int(target[k]))
    row["budget"] = int(budget or 0)
    row["umk_budget_share_bps"] = rules.share_bps(sums["umk"], int(budget or 0))
    row["meets_umk_floor"] = rules.meets_umk_floor(sums["umk"], int(budget or 0))
    return row


def _rows_by_class(where) -> list[dict]:
    """One row per business class, and koperasi (of any class) in a row of their own after
    micro and small: they count toward UMK too (Perpres 12/2021 art. 65)."""
    group = case(
        (SR.vendor_type.in_(rules.UMK_VENDOR_TYPES), SR.vendor_type), else_=SR.vendor_umk_class
    ).label("vendor_class")
    result = db.session.execute(select(group, *_sums()).where(where).group_by(group)).all()
    rows = [
        {
            "key": r.vendor_class,
            "label": r.vendor_class,
            "umk_class": r.vendor_class,
            "is_umk": rules.is_umk(r.vendor_class, r.vendor_class),
            **_sum_dict(r),
        }
        for r in result
    ]
    rows.sort(key=lambda row: rules.report_class_rank(row["umk_class"]))
    return rows


def _by_area(stmt: Select) -> Select:
    """Group spending by area code (two Wonorejos are two rows), naming each by its area and
    kecamatan; a sale whose area is unresolved keeps the kelurahan name it was sold under."""
    return (
        stmt.add_columns(Area.name.label("area_name"), Kecamatan.name.label("kecamatan_name"))
        .outerjoin(Area, Area.code == SR.vendor_area_code)
        .outerjoin(Kecamatan, Kecamatan.code == Area.kecamatan_code)
        .group_by(SR.vendor_area_code, SR.vendor_kelurahan, Area.name, Kecamatan.name)
    )


def _area_keys(r) -> dict[str, Any]:
    name = r.area_name or r.vendor_kelurahan
    return {
        "key": r.vendor_area_code or r.vendor_kelurahan,
        "label": f"{name}, {r.kecamatan_name}" if r.kecamatan_name else name,
        "kelurahan": name,
        "kecamatan": r.kecamatan_name,
        "area_code": r.vendor_area_code,
    }


def _rows_by_kelurahan(where) -> list[dict]:
    total = func.coalesce(func.sum(SR.amount), 0)
    result = db.session.execute(
        _by_area(select(SR.vendor_area_code, SR.vendor_kelurahan, *_sums()).where(where)).order_by(
            total.desc(), SR.vendor_kelurahan, SR.vendor_area_code
        )
    ).all()
    return [{**_area_keys(r), **_sum_dict(r)} for r in result]


EXPORT_MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _export_columns(rows: list[dict]) -> list[str]:
    columns: list[str] = ["population", "channel"]
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    return columns if rows else [*columns, "key", "label", *rules.SUM_KEYS]


def export_rows(report: dict) -> list[dict]:
    """Every row of the report labelled with the population and channel it counts: first the
    target realisation (opd_procurement), then the programme's reach, channel by channel."""
    labelled = [
        {"population": report["population"], "channel": ",".join(report["channels"]), **row}
        for row in report["rows"]
    ]
    for channel, reach in report["reach"].items():
        labelled += [
            {"population": reach["population"], "channel": channel, **row} for row in reach["rows"]
        ]
    return labelled


def export_spending(report: dict, fmt: str) -> tuple[bytes, str, str]:
    """The report as CSV or XLSX: (content, mimetype, filename). Each row says which population
    it counts (`target_realisation` for opd_procurement, `programme_reach` for asn_personal and
    public), so reach is never read as realisation; the XLSX keeps them on separate sheets."""
    from marketplace.exports import safe_cell

    rows = export_rows(report)
    columns = _export_columns(rows)
    filename = f"realisasi-{report['year']}-{report['group_by']}.{fmt}"
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else safe_cell(row.get(c)) for c in columns])
        # BOM so spreadsheet programs read the UTF-8 names of kelurahan correctly.
        return ("\ufeff" + buf.getvalue()).encode("utf-8"), EXPORT_MIMETYPES["csv"], filename
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = f"Realisasi target {report['year']}"[:31]
    sheets = [(ws, report["population"], ",".join(report["channels"]))]
    for channel, reach in report["reach"].items():
        sheets.append((wb.create_sheet(f"Jangkauan {channel}"[:31]), reach["population"], channel))
    for sheet, population, channel in sheets:
        part = [r for r in rows if r["population"] == population and r["channel"] == channel]
        sheet.append(columns)
        for row in part:
            sheet.append([safe_cell(row.get(c)) for c in columns])
    summary = wb.create_sheet("Ringkasan")
    summary.append(["population", "channel", "figure", "target", "realised", "progress_bps"])
    for k in rules.TARGET_KINDS:
        summary.append(
            [
                report["population"],
                ",".join(report["channels"]),
                k,
                report["targets"][k],
                report["realised"][k],
                report["progress_bps"][k],
            ]
        )
    summary.append(
        [
            report["population"],
            ",".join(report["channels"]),
            "total",
            None,
            report["realised"]["total"],
            None,
        ]
    )
    summary.append(
        [
            report["population"],
            ",".join(report["channels"]),
            "budget_goods_services",
            None,
            report["budget"],
            None,
        ]
    )
    for channel, reach in report["reach"].items():
        summary.append(
            [reach["population"], channel, "total", None, reach["realised"]["total"], None]
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), EXPORT_MIMETYPES["xlsx"], filename


# ---------------------------------------------------------------- what the city watches
def watch_report(period: str | None, page: int = 1, per_page: int = 20) -> dict:
    """For one local period: verified vendors with no sales, vendors near the fair-share cap,
    vendors that moved up a business class, and turnover by kelurahan; and, whatever the period,
    the open business-class flags (platform sales above the declared class, large businesses)."""
    period = period or current_period()
    start, end = period_bounds(period)
    cap = cap_amount(period)
    threshold = rules.near_cap_threshold(cap)

    has_sales = exists().where(SR.vendor_id == Vendor.id, SR.period == period)
    zero_stmt = (
        select(Vendor)
        .where(Vendor.status == "verified", ~has_sales)
        .order_by(Vendor.kelurahan, Vendor.name, Vendor.id)
    )
    zero_page = paginate(zero_stmt, page, per_page)
    verified = db.session.scalar(
        select(func.count()).select_from(Vendor).where(Vendor.status == "verified")
    )

    sales = vendor_sales_subquery(period)
    near = db.session.execute(
        select(Vendor, sales.c.sales)
        .join(sales, sales.c.vendor_id == Vendor.id)
        .where(sales.c.sales >= threshold)
        .order_by(sales.c.sales.desc(), Vendor.id)
    ).all()
    near_cap = [
        {
            "vendor": _vendor_brief(v),
            "sales": int(s),
            "cap": cap,
            "percent_bps": rules.share_bps(int(s), cap),
            "at_cap": ledger_rules.is_at_cap(int(s), cap),
        }
        for v, s in near
    ]

    changes = db.session.scalars(
        select(AuditLog)
        .where(
            AuditLog.action == "vendor.class_changed",
            AuditLog.created_at >= start,
            AuditLog.created_at < end,
        )
        .order_by(AuditLog.created_at.desc())
    ).all()
    ups = [
        a
        for a in changes
        if rules.moved_up((a.before or {}).get("umk_class"), (a.after or {}).get("umk_class"))
    ]
    ids = {int(a.target_id) for a in ups if (a.target_id or "").isdigit()}
    vendors = (
        {v.id: v for v in db.session.scalars(select(Vendor).where(Vendor.id.in_(ids)))}
        if ids
        else {}
    )
    moved_up = []
    for a in ups:
        vendor = vendors.get(int(a.target_id)) if (a.target_id or "").isdigit() else None
        moved_up.append(
            {
                "vendor": _vendor_brief(vendor) if vendor else {"id": a.target_id},
                "from": a.before.get("umk_class"),
                "to": a.after.get("umk_class"),
                "at": a.created_at,
            }
        )

    total = func.coalesce(func.sum(SR.amount), 0)
    kel = db.session.execute(
        _by_area(
            select(
                SR.vendor_area_code,
                SR.vendor_kelurahan,
                total.label("turnover"),
                func.count(distinct(SR.vendor_id)).label("vendors"),
                func.count(distinct(SR.order_id)).label("orders"),
            ).where(SR.period == period)
        ).order_by(total.desc(), SR.vendor_kelurahan, SR.vendor_area_code)
    ).all()
    by_kelurahan = [
        {
            **_area_keys(r),
            "turnover": int(r.turnover),
            "vendors": int(r.vendors),
            "orders": int(r.orders),
        }
        for r in kel
    ]

    class_flags = open_flag_rows()
    return {
        "period": period,
        "cap": cap,
        "near_cap_threshold": threshold,
        "summary": {
            "verified_vendors": int(verified or 0),
            "zero_orders": zero_page.total,
            "near_cap": len(near_cap),
            "moved_up": len(moved_up),
            "turnover": sum(r["turnover"] for r in by_kelurahan),
            "class_flags": len(class_flags),
        },
        "zero_orders": {
            "items": [_vendor_brief(v) for v in zero_page.items],
            "page": zero_page.page,
            "per_page": zero_page.per_page,
            "total": zero_page.total,
        },
        "near_cap": near_cap,
        "moved_up": moved_up,
        "by_kelurahan": by_kelurahan,
        "class_flags": class_flags,
    }


def _vendor_brief(v: Vendor) -> dict:
    return {
        "id": v.id,
        "name": v.name,
        "type": v.type,
        "kelurahan": v.kelurahan,
        "kecamatan": v.kecamatan,
        "umk_class": v.effective_umk_class,
    }


# ---------------------------------------------------------------- ledger
def journal_kinds() -> list[str]:
    return list(
        db.session.scalars(select(JournalEntry.kind).distinct().order_by(JournalEntry.kind))
    )


def list_journals(kind: str | None, page: int = 1, per_page: int = 20) -> Page:
    """Newest journals first with their lines, optionally of one kind."""
    stmt = (
        select(JournalEntry)
        .options(selectinload(JournalEntry.lines))
        .order_by(JournalEntry.id.desc())
    )
    if kind:
        stmt = stmt.where(JournalEntry.kind == kind)
    return paginate(stmt, page, per_page)


# ---------------------------------------------------------------- audit log
def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_audit_log(
    *,
    actor: str | None = None,
    action: str | None = None,
    target_type: str | None = None,
    from_: date | None = None,
    to: date | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Page:
    """The audit log, newest first. `actor` is a user id, or part of a name or email; `action` a
    prefix ("vendor." matches every vendor action); `from`/`to` are inclusive local dates."""
    stmt = select(AuditLog).options(joinedload(AuditLog.actor)).order_by(AuditLog.id.desc())
    if actor:
        actor = actor.strip()
        if actor.isdigit():
            stmt = stmt.where(AuditLog.actor_id == int(actor))
        else:
            pattern = f"%{_like_escape(actor.lower())}%"
            stmt = stmt.where(
                AuditLog.actor_id.in_(
                    select(User.id).where(
                        or_(
                            func.lower(User.email).like(pattern, escape="\\"),
                            func.lower(User.name).like(pattern, escape="\\"),
                        )
                    )
                )
            )
    if action:
        stmt = stmt.where(AuditLog.action.like(_like_escape(action.strip()) + "%", escape="\\"))
    if target_type:
        stmt = stmt.where(AuditLog.target_type == target_type.strip())
    if from_:
        stmt = stmt.where(AuditLog.created_at >= day_start(from_))
    if to:
        stmt = stmt.where(AuditLog.created_at < day_start(to + timedelta(days=1)))
    return paginate(stmt, page, per_page)


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditLog.action).distinct().order_by(AuditLog.action)))


def audit_target_types() -> list[str]:
    return list(
        db.session.scalars(select(AuditLog.target_type).distinct().order_by(AuditLog.target_type))
    )
