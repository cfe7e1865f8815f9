"""Mandate services: rules (with history), one civil servant's progress, the compliance report
computed in SQL, its CSV/XLSX exports, and the once-per-period reminders."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app, has_request_context, request
from flask_babel import force_locale, gettext
from sqlalchemy import BigInteger, String, and_, case, exists, func, insert, literal, select, true
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import Opd, User
from marketplace.api import PERIOD_MESSAGE, Page, paginate
from marketplace.audit.models import record_audit
from marketplace.errors import Conflict, Forbidden, ValidationFailed
from marketplace.exports import safe_cell
from marketplace.extensions import db
from marketplace.ledger.models import SpendingRecord
from marketplace.ledger.queries import is_closed
from marketplace.ledger.rules import ASN_PERSONAL
from marketplace.mandate import positions, rules, tenure
from marketplace.mandate.models import (
    FrozenCompliance,
    MandateExemption,
    MandateReminder,
    MandateRule,
    MandateRuleLine,
    PositionClass,
)
from marketplace.money import format_rupiah
from marketplace.timeutil import (
    current_period,
    days_left_in_period,
    is_period,
    now_utc,
    period_bounds,
    period_of,
)

# ---------------------------------------------------------------- rules


def rule_for_period(period: str) -> MandateRule | None:
    """The rule that judges `period` (latest effective_from ≤ period), or None."""
    return db.session.scalars(
        select(MandateRule)
        .where(MandateRule.effective_from <= period)
        .order_by(MandateRule.effective_from.desc())
        .limit(1)
    ).first()


def rule_as_dict(rule: MandateRule, *, in_force_id: int | None = None) -> dict[str, Any]:
    return {
        "id": rule.id,
        "effective_from": rule.effective_from,
        "default_amount": int(rule.default_amount),
        "by_position": rule.by_position,
        "joiners": rule.joiners or rules.JOINERS_PRORATE,
        "counts_on": rule.counts_on,
        "in_force": rule.id == in_force_id,
        "created_at": rule.created_at,
        "updated_at": rule.updated_at,
        "updated_by": (rule.updated_by or rule.created_by).name
        if (rule.updated_by or rule.created_by)
        else None,
    }


def list_mandate_rules(page: int = 1, per_page: int = 20) -> Page:
    """The rule history, newest first; `in_force` marks the rule judging the current period."""
    current = rule_for_period(current_period())
    result = paginate(
        select(MandateRule).order_by(MandateRule.effective_from.desc()), page, per_page
    )
    result.items = [
        rule_as_dict(r, in_force_id=current.id if current else None) for r in result.items
    ]
    result.extra["current_period"] = current_period()
    return result


def _apply_rule(rule: MandateRule, default_amount: int, by_position: dict[str, int]) -> None:
    """Change the rule's amounts in place (lines keyed by position; flushes only)."""
    rule.default_amount = default_amount
    wanted = {rules.position_key(name): (name, amount) for name, amount in by_position.items()}
    for line in list(rule.lines):
        if line.position_key not in wanted:
            rule.lines.remove(line)
    existing = {line.position_key: line for line in rule.lines}
    for key, (name, amount) in wanted.items():
        line = existing.get(key)
        if line is None:
            rule.lines.append(MandateRuleLine(position=name, position_key=key, amount=amount))
        else:
            line.position, line.amount = name, amount
    db.session.flush()


def set_mandate_rules(
    actor: User,
    *,
    default_amount: int,
    by_position: dict[str, int],
    effective_from: str,
    joiners: str | None = None,
    counts_on: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Admin: set the monthly minimum (default + per position) from `effective_from` on, and
    what joiners owe in their first month (`joiners`; unchanged/`prorate` when not given).

    Upserts the rule of that period and audits the change. A period that already started is
    history and cannot be changed: 422 for an effective_from before the current period.
    `by_position` names position classes (a new name is a new class, its own name its exact
    match, `positions.ensure_classes`); `counts_on` (receipt | payment) says when purchases
    count, by default as the rule before it said, else at receipt.
    """
    if actor.role != "admin":
        raise Forbidden()
    this_period = period_of(now or now_utc())
    errors: dict[str, Any] = {}
    if not is_period(effective_from):
        errors["effective_from"] = [PERIOD_MESSAGE]
    elif effective_from < this_period:
        errors["effective_from"] = [
            (
                f"Periode {effective_from} sudah lewat; aturan berlaku paling awal {this_period} "
                "agar riwayat bulan lalu tidak berubah."
            )
        ]
    clean, position_errors = rules.normalise_positions(by_position)
    if position_errors:
        errors["by_position"] = position_errors
    if counts_on is not None and counts_on not in rules.COUNTS_ON:
        errors["counts_on"] = ["Pilih receipt atau payment."]
    if errors:
        raise ValidationFailed(details=errors)

    rule = db.session.scalars(
        select(MandateRule).where(MandateRule.effective_from == effective_from).with_for_update()
    ).first()
    before = rule.to_dict() if rule else None
    if rule is None:
        earlier = rule_for_period(effective_from)
        rule = MandateRule(
            effective_from=effective_from,
            default_amount=default_amount,
            counts_on=earlier.counts_on if earlier else "receipt",
            created_by_id=actor.id,
        )
        db.session.add(rule)
    rule.updated_by_id = actor.id
    rule.joiners = joiners or rule.joiners or rules.JOINERS_PRORATE
    if counts_on is not None:
        rule.counts_on = counts_on
    try:
        positions.ensure_classes(clean)
        _apply_rule(rule, default_amount, clean)
    except IntegrityError:
        db.session.rollback()
        raise Conflict(
            "Aturan periode ini sedang diubah orang lain; coba lagi.", code="mandate_rule_conflict"
        ) from None
    record_audit(
        actor, "mandate.rules_set", "mandate_rule", rule.id, before=before, after=rule.to_dict()
    )
    db.session.commit()
    current = rule_for_period(this_period)
    return rule_as_dict(rule, in_force_id=current.id if current else None)


# ---------------------------------------------------------------- one civil servant


def _counted_spending():
    """The spending records that count for the mandate (SPEC §3): the civil servant's own
    (`asn_personal`) purchases of local products, as reviewed by the city and frozen on the
    record at the sale, from verified made-in-city vendors. Not any goods of a local shop: its
    imported or unreviewed goods do not count. Net of refunds, which are negative records
    carrying the original's flags."""
    return and_(
        SpendingRecord.channel == ASN_PERSONAL,
        SpendingRecord.is_local_vendor.is_(True),
        SpendingRecord.is_local_product.is_(True),
    )


def counts_on_for(period: str) -> str:
    """When purchases count in `period`: as its rule says (receipt when there is none)."""
    rule = rule_for_period(period)
    return rule.counts_on if rule else "receipt"


def counted_records(period: str, counts_on: str, buyer_id: int | None = None):
    """The counted spending records (`_counted_spending`) that fall in `period`, as a subquery
    (buyer_id, order_id, vendor_id, amount, occurred_at).

    At payment: the records of the period (a refund in its own month). At receipt: the records
    of orders the buyer received (completed) in the period, refunds before the receipt netted in,
    plus refunds in the period of orders received earlier; an order not received counts nowhere
    yet. Each month counts by its own rule: a switch between months may count an order twice or
    not at all at the seam.
    """
    r = SpendingRecord
    cols = (r.buyer_id, r.order_id, r.vendor_id, r.amount, r.occurred_at)
    mine = (r.buyer_id == buyer_id,) if buyer_id is not None else ()
    if counts_on != "receipt":
        return select(*cols).where(r.period == period, _counted_spending(), *mine).subquery()
    from marketplace.ordering.models import Order

    start, end = period_bounds(period)
    received_in = (
        select(*cols)
        .join(Order, Order.id == r.order_id)
        .where(
            Order.completed_at >= start,
            Order.completed_at < end,
            r.period <= period,
            _counted_spending(),
            *mine,
        )
    )
    refunds_after = (
        select(*cols)
        .join(Order, Order.id == r.order_id)
        .where(r.period == period, Order.completed_at < start, _counted_spending(), *mine)
    )
    return received_in.union_all(refunds_after).subquery()


def _sum_of(records) -> Any:
    return select(func.coalesce(func.sum(records.c.amount), 0)).scalar_subquery()


def progress_for(
    user: User, period: str, mapping: positions.Mapping | None = None
) -> rules.Progress:
    """`user`'s standing in `period`: their class under the mapping (one query), then ONE
    statement: the rule in force, its amount for the class (else the default), when it counts
    and the counted spending both ways, as scalar subqueries. In a closed month, the standing
    frozen at the close (when the user was on the roster then)."""
    mapping = mapping or positions.load_mapping()
    class_key = mapping.class_of(user.position, user.echelon)
    class_name = positions.class_name(class_key, mapping)
    if _frozen(period):
        frozen = db.session.execute(
            select(
                FrozenCompliance.required,
                FrozenCompliance.spent,
                FrozenCompliance.exemption,
                FrozenCompliance.position_class,
            ).where(FrozenCompliance.period == period, FrozenCompliance.user_id == user.id)
        ).one_or_none()
        if frozen is not None:
            rule = rule_for_period(period)
            return rules.Progress(
                period=period,
                required=int(frozen.required),
                spent=int(frozen.spent),
                rule_effective_from=rule.effective_from if rule else None,
                exemption=frozen.exemption,
                counts_on=rule.counts_on if rule else "receipt",
                position_class=frozen.position_class,
            )
    rule_id = (
        select(MandateRule.id)
        .where(MandateRule.effective_from <= period)
        .order_by(MandateRule.effective_from.desc())
        .limit(1)
        .scalar_subquery()
    )

    def of_rule(col):
        return select(col).where(MandateRule.id == rule_id).scalar_subquery()

    line_amount = (
        select(MandateRuleLine.amount)
        .where(MandateRuleLine.rule_id == rule_id, MandateRuleLine.position_key == class_key)
        .scalar_subquery()
    )
    exemption = (
        select(MandateExemption.kind)
        .where(
            MandateExemption.user_id == user.id,
            MandateExemption.period == period,
            MandateExemption.status == "approved",
        )
        .scalar_subquery()
    )
    row = db.session.execute(
        select(
            _sum_of(counted_records(period, "payment", user.id)).label("at_payment"),
            _sum_of(counted_records(period, "receipt", user.id)).label("at_receipt"),
            func.coalesce(line_amount, of_rule(MandateRule.default_amount), 0).label("required"),
            of_rule(MandateRule.effective_from).label("effective_from"),
            of_rule(MandateRule.counts_on).label("counts_on"),
            of_rule(MandateRule.joiners).label("joiners"),
            exemption.label("exemption"),
        )
    ).one()
    counts_on = row.counts_on or "receipt"
    return rules.Progress(
        period=period,
        # Tenure and exemption as in the report (`tenure.adjust_required`).
        required=rules.required_for(
            int(row.required),
            period,
            joined_on=user.joined_on,
            policy=row.joiners or rules.JOINERS_PRORATE,
            exempt=row.exemption is not None,
        ),
        spent=int(row.at_payment if counts_on == "payment" else row.at_receipt),
        rule_effective_from=row.effective_from,
        exemption=row.exemption,
        counts_on=counts_on,
        position_class=class_name,
    )


def my_mandate(
    user: User, period: str | None = None, *, at: datetime | None = None
) -> dict[str, Any]:
    """A civil servant's own progress for `period` (default: the current local month)."""
    if user.role != "civil_servant":
        raise Forbidden("Hanya ASN yang memiliki kewajiban belanja.")
    period = period or period_of(at or now_utc())
    progress = progress_for(user, period)
    return {
        "period": period,
        "required": progress.required,
        "spent": progress.spent,
        "remaining": progress.remaining,
        "compliant": progress.compliant,
        "percent": progress.percent,
        "days_left": days_left_in_period(period, at),
        "position": user.position,
        "position_class": progress.position_class,
        "counts_on": progress.counts_on,
        "rule_effective_from": progress.rule_effective_from,
        "exemption": progress.exemption,
    }


def widget_data(user) -> dict[str, Any] | None:
    """The compact widget's numbers for the current period; None (and no query) for non-ASN.
    Cached for the request so a page that shows it twice pays once."""
    if user is None or not getattr(user, "is_authenticated", False) or user.role != "civil_servant":
        return None
    if not has_request_context():
        return my_mandate(user)
    cached = getattr(request, "_mandate_widget", None)
    if cached is None:
        cached = request._mandate_widget = my_mandate(user)
    return cached


def counted_spending_page(user: User, period: str, page: int = 1, per_page: int = 20) -> Page:
    """The orders whose spending counted for `user` in `period`, one row per order, newest first
    (refunds of the same order in the period appear netted)."""
    from marketplace.ordering.models import Order
    from marketplace.shops.models import Vendor

    rec = counted_records(period, counts_on_for(period), user.id)
    stmt = (
        select(
            Order.id.label("order_id"),
            Order.number,
            Vendor.name.label("vendor"),
            func.min(rec.c.occurred_at).label("occurred_at"),
            func.sum(rec.c.amount).label("amount"),
            func.sum(case((rec.c.amount < 0, rec.c.amount), else_=0)).label("refunded"),
        )
        .select_from(rec)
        .join(Order, Order.id == rec.c.order_id)
        .join(Vendor, Vendor.id == rec.c.vendor_id)
        .group_by(Order.id, Order.number, Vendor.name)
        .order_by(func.min(rec.c.occurred_at).desc(), Order.id.desc())
    )
    result = paginate(stmt, page, per_page, scalars=False)
    result.items = [
        {
            "order_id": r.order_id,
            "number": r.number,
            "vendor": r.vendor,
            "occurred_at": r.occurred_at,
            "amount": int(r.amount),
            "refunded": -int(r.refunded or 0),
        }
        for r in result.items
    ]
    return result


# ---------------------------------------------------------------- compliance report


def _frozen(period: str) -> bool:
    """Whether `period` was closed by finance (only an ended month can be: no query for this
    month, which the widget on every page asks about)."""
    return period < current_period() and is_closed(period)


def compliance_base(period: str, opd: str | None = None, *, cte: bool = False):
    """One row per civil servant with `required` and `spent` for `period`, as a subquery: the
    rows frozen when finance closed the month, else computed live (`live_compliance_base`)."""
    if _frozen(period):
        return frozen_base(period, opd, cte=cte), rule_for_period(period)
    return live_compliance_base(period, opd, cte=cte)


def frozen_base(period: str, opd: str | None = None, *, cte: bool = False):
    """A closed month's frozen rows with the same columns as the live compliance base."""
    fc = FrozenCompliance
    stmt = select(
        fc.user_id.label("user_id"),
        fc.nip,
        fc.name,
        fc.opd.label("opd"),
        fc.opd_name.label("opd_name"),
        fc.position,
        fc.position_class,
        fc.spent.label("spent"),
        fc.required.label("required"),
        fc.exemption.label("exemption"),
    ).where(fc.period == period)
    if opd:
        stmt = stmt.where(fc.opd == opd)
    return stmt.cte("compliance") if cte else stmt.subquery("compliance")


def freeze_compliance(period: str) -> dict[str, Any]:
    """Store every active civil servant's standing in `period` as it is now (one INSERT …
    SELECT, flush only) and return its summary for the month's snapshot. Called while finance
    closes the month (`signals.period_closing`)."""
    live, _ = live_compliance_base(period)
    columns = (
        "user_id",
        "nip",
        "name",
        "opd",
        "opd_name",
        "position",
        "position_class",
        "required",
        "spent",
        "exemption",
    )
    db.session.execute(
        insert(FrozenCompliance).from_select(
            ["period", *columns],
            select(literal(period, String(7)), *(live.c[c] for c in columns)),
        )
    )
    db.session.flush()
    return _summary(frozen_base(period))


def live_compliance_base(period: str, opd: str | None = None, *, cte: bool = False):
    """One row per active civil servant with `required` and `spent` for `period`, as a subquery.

    Spending is summed once per buyer (GROUP BY over the period's records) and the required
    amount comes from a join of the user's lower(trim(position)) to the rule's lines, falling
    back to the default: no per-user query, so 13 000 ASN answer in one statement.
    """
    rule = rule_for_period(period)
    if rule is not None and rule.counts_on == "payment":
        # straight from the covering index, one month's records in buyer order
        spent_by_buyer = (
            select(
                SpendingRecord.buyer_id.label("buyer_id"),
                func.sum(SpendingRecord.amount).label("spent"),
            )
            .where(SpendingRecord.period == period, _counted_spending())
            .group_by(SpendingRecord.buyer_id)
            .subquery("spent_by_buyer")
        )
    else:
        counted = counted_records(period, "receipt")
        spent_by_buyer = (
            select(counted.c.buyer_id.label("buyer_id"), func.sum(counted.c.amount).label("spent"))
            .group_by(counted.c.buyer_id)
            .subquery("spent_by_buyer")
        )
    classes = positions.class_table()
    stmt = (
        select(
            User.id.label("user_id"),
            User.nip,
            User.name,
            Opd.code.label("opd"),
            Opd.name.label("opd_name"),
            User.position,
            func.coalesce(spent_by_buyer.c.spent, 0).label("spent"),
            User.joined_on,
        )
        .select_from(User)
        .outerjoin(Opd, Opd.id == User.opd_id)
        .outerjoin(spent_by_buyer, spent_by_buyer.c.buyer_id == User.id)
        .where(User.role == "civil_servant", tenure.on_roster_clause(period))
    )
    if classes is None:
        class_key = literal(None, String)
        stmt = stmt.add_columns(class_key.label("position_class"))
    else:
        stmt = stmt.outerjoin(
            classes,
            and_(
                classes.c.position == func.coalesce(User.position, ""),
                classes.c.echelon == func.coalesce(User.echelon, ""),
            ),
        ).outerjoin(PositionClass, PositionClass.key == classes.c.class_key)
        class_key = classes.c.class_key
        stmt = stmt.add_columns(
            func.coalesce(PositionClass.name, classes.c.class_key).label("position_class")
        )
    if rule is None:
        stmt = stmt.add_columns(literal(0, BigInteger).label("required"))
    else:
        stmt = stmt.outerjoin(
            MandateRuleLine,
            and_(MandateRuleLine.rule_id == rule.id, MandateRuleLine.position_key == class_key),
        ).add_columns(
            func.coalesce(
                MandateRuleLine.amount, literal(int(rule.default_amount), BigInteger)
            ).label("required")
        )
    if opd:
        stmt = stmt.where(Opd.code == opd)
    stmt = tenure.adjust_required(stmt, period, rule)  # joiners, leavers, exemptions
    return (stmt.cte("compliance") if cte else stmt.subquery("compliance")), rule


def _row(r) -> dict[str, Any]:
    required, spent = int(r.required), int(r.spent)
    return {
        "user_id": r.user_id,
        "nip": r.nip,
        "name": r.name,
        "opd": r.opd,
        "opd_name": r.opd_name,
        "position": r.position,
        "position_class": r.position_class,
        "required": required,
        "spent": spent,
        "remaining": max(required - spent, 0),
        "compliant": spent >= required,
        "exemption": r.exemption,
    }


def _summary_select(base):
    """Totals over `base`: civil servants, compliant, spent, required and the shortfall."""
    is_compliant = base.c.spent >= base.c.required
    return select(
        func.count().label("s_total"),
        func.coalesce(func.sum(case((is_compliant, 1), else_=0)), 0).label("s_compliant"),
        func.coalesce(func.sum(base.c.spent), 0).label("s_spent"),
        func.coalesce(func.sum(base.c.required), 0).label("s_required"),
        func.coalesce(
            func.sum(case((is_compliant, 0), else_=base.c.required - base.c.spent)), 0
        ).label("s_shortfall"),
    ).select_from(base)


def _summary_dict(row) -> dict[str, Any]:
    total, compliant = int(row.s_total), int(row.s_compliant)
    bps = rules.compliance_rate_bps(compliant, total)
    return {
        "civil_servants": total,
        "compliant": compliant,
        "not_compliant": total - compliant,
        "rate": round(bps / 10_000, 4),
        "rate_bps": bps,
        "spent": int(row.s_spent),
        "required_total": int(row.s_required),
        "shortfall": int(row.s_shortfall),
    }


def _summary(base) -> dict[str, Any]:
    return _summary_dict(db.session.execute(_summary_select(base)).one())


def _ordered(base, sort: str):
    shortfall = base.c.required - base.c.spent
    columns = {
        "name": base.c.name,
        "nip": base.c.nip,
        "opd": base.c.opd_name,
        "spent": base.c.spent,
        "required": base.c.required,
        "shortfall": shortfall,
    }
    key = columns[sort.lstrip("-")]
    first = key.desc() if sort.startswith("-") else key.asc()
    return [first, base.c.name.asc(), base.c.user_id.asc()]


def _filtered(base, compliant: bool | None, sort: str):
    stmt = select(base)
    if compliant is True:
        stmt = stmt.where(base.c.spent >= base.c.required)
    elif compliant is False:
        stmt = stmt.where(base.c.spent < base.c.required)
    return stmt.order_by(*_ordered(base, sort))


def compliance_report(
    actor: User,
    period: str | None = None,
    *,
    opd: str | None = None,
    compliant: bool | None = None,
    sort: str = "name",
    page: int = 1,
    per_page: int = 20,
) -> Page:
    """Finance/admin: one page of civil servants with required/spent/compliant for `period`, plus
    `summary` over everyone matching the period and OPD (the `compliant` filter narrows only the
    rows, so the rate stays meaningful). `rate` is a 0..1 fraction, `rate_bps` basis points."""
    if actor.role not in ("finance", "admin"):
        raise Forbidden()
    period = period or current_period()
    per_page = min(per_page, 100)
    base, rule = compliance_base(period, opd, cte=True)
    # One statement: the page's rows joined to the summary over the same CTE, which the database
    # computes once; the summary doubles as the row count, so there is no separate COUNT.
    totals = _summary_select(base).subquery("summary")
    rows = db.session.execute(
        _filtered(base, compliant, sort)
        .join(totals, true())
        .add_columns(*totals.c)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    summary = _summary_dict(rows[0]) if rows else _summary(base)  # past the last page
    total = {
        None: summary["civil_servants"],
        True: summary["compliant"],
        False: summary["not_compliant"],
    }[compliant]
    return Page(
        items=[_row(r) for r in rows],
        page=page,
        per_page=per_page,
        total=total,
        extra={
            "period": period,
            "summary": summary,
            "rule_effective_from": rule.effective_from if rule else None,
            "counts_on": rule.counts_on if rule else "receipt",
        },
    )


def compliance_rows(
    actor: User,
    period: str | None = None,
    *,
    opd: str | None = None,
    compliant: bool | None = None,
    sort: str = "name",
) -> tuple[str, list[dict[str, Any]]]:
    """Finance/admin: every row of the report (for downloads), same filters and order."""
    if actor.role not in ("finance", "admin"):
        raise Forbidden()
    period = period or current_period()
    base, _ = compliance_base(period, opd)
    return period, [_row(r) for r in db.session.execute(_filtered(base, compliant, sort))]


def compliance_by_opd(
    actor: User, period: str | None = None, *, with_summary: bool = True
) -> dict[str, Any]:
    """Finance/admin: per-OPD counts, rate and amounts for `period`, lowest rate first (plus the
    city-wide summary unless the caller already has it)."""
    if actor.role not in ("finance", "admin"):
        raise Forbidden()
    period = period or current_period()
    base, rule = compliance_base(period)
    is_compliant = base.c.spent >= base.c.required
    rows = db.session.execute(
        select(
            base.c.opd,
            base.c.opd_name,
            func.count().label("n"),
            func.sum(case((is_compliant, 1), else_=0)).label("ok"),
            func.sum(base.c.spent).label("spent"),
            func.sum(base.c.required).label("required"),
        )
        .group_by(base.c.opd, base.c.opd_name)
        .order_by(base.c.opd_name)
    ).all()
    items = []
    for r in rows:
        n, ok = int(r.n), int(r.ok or 0)
        bps = rules.compliance_rate_bps(ok, n)
        items.append(
            {
                "opd_code": r.opd,
                "opd_name": r.opd_name,
                "civil_servants": n,
                "compliant": ok,
                "rate": round(bps / 10_000, 4),
                "rate_bps": bps,
                "spent": int(r.spent or 0),
                "required": int(r.required or 0),
            }
        )
    items.sort(key=lambda item: (item["rate_bps"], item["opd_name"] or ""))
    return {
        "period": period,
        "rule_effective_from": rule.effective_from if rule else None,
        "counts_on": rule.counts_on if rule else "receipt",
        "items": items,
        "summary": _summary(base) if with_summary else None,
    }


# ---------------------------------------------------------------- downloads

EXPORT_COLUMNS = (
    "nip",
    "name",
    "opd",
    "opd_name",
    "position",
    "required",
    "spent",
    "remaining",
    "compliant",
    "exemption",
    "position_class",
)


def compliance_csv(rows: Iterable[dict[str, Any]]) -> str:
    """The report rows as CSV (UTF-8, header = the JSON keys; booleans as true/false)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                "true"
                if row[c] is True
                else "false"
                if row[c] is False
                else ""
                if row[c] is None
                else safe_cell(row[c])
                for c in EXPORT_COLUMNS
            ]
        )
    return buf.getvalue()


def compliance_xlsx(rows: Iterable[dict[str, Any]], period: str) -> bytes:
    """The report rows as an XLSX workbook (one sheet, header = the JSON keys)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(f"Kepatuhan {period}")
    ws.append(list(EXPORT_COLUMNS))
    for row in rows:
        ws.append([safe_cell(row[c]) for c in EXPORT_COLUMNS])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- reminders


@dataclass
class ReminderPlan:
    period: str
    days_left: int
    window_days: int
    in_window: bool
    recipients: list[dict[str, Any]] = field(default_factory=list)
    already_reminded: int = 0
    compliant: int = 0
    civil_servants: int = 0


def plan_mandate_reminders(
    period: str | None = None, *, days: int | None = None, at: datetime | None = None
) -> ReminderPlan:
    """Who would get a reminder now: civil servants not yet compliant in `period` and not yet
    reminded for it, when the period ends within `days` (default MANDATE_REMINDER_DAYS)."""
    at = at or now_utc()
    period = period or period_of(at)
    window = int(current_app.config["MANDATE_REMINDER_DAYS"] if days is None else days)
    left = days_left_in_period(period, at)
    plan = ReminderPlan(
        period=period,
        days_left=left,
        window_days=window,
        in_window=rules.in_reminder_window(left, window),
    )
    if not plan.in_window:
        return plan
    base, _ = compliance_base(period)
    summary = _summary(base)
    plan.civil_servants, plan.compliant = summary["civil_servants"], summary["compliant"]
    reminded = exists().where(
        MandateReminder.user_id == base.c.user_id, MandateReminder.period == period
    )
    rows = db.session.execute(
        select(base, reminded.label("reminded"))
        .where(base.c.spent < base.c.required)
        .order_by(base.c.user_id)
    ).all()
    plan.recipients = [_row(r) for r in rows if not r.reminded]
    plan.already_reminded = sum(1 for r in rows if r.reminded)
    return plan


def _reminder_text(user: User, row: dict[str, Any], plan: ReminderPlan) -> tuple[str, str]:
    with force_locale(user.locale if user.locale in ("id", "en") else "id"):
        title = gettext("Pengingat kewajiban belanja %(period)s", period=plan.period)
        body = gettext(
            "Belanja Anda di toko lokal bulan %(period)s baru %(spent)s dari minimal %(required)s. "
            "Kurang %(remaining)s; periode berakhir dalam %(days)s hari.",
            period=plan.period,
            spent=format_rupiah(row["spent"]),
            required=format_rupiah(row["required"]),
            remaining=format_rupiah(row["remaining"]),
            days=plan.days_left,
        )
    return title, body


def send_mandate_reminder(row: dict[str, Any], plan: ReminderPlan) -> bool:
    """Remind one civil servant (in-app + email) unless already reminded this period; True if
    sent. The (user, period) unique row is inserted in the same transaction as the notification,
    so concurrent or repeated runs send it once."""
    from marketplace.notifications.services import notify

    user = db.session.get(User, row["user_id"])
    if user is None:
        return False
    try:
        with db.session.begin_nested():
            reminder = MandateReminder(
                user_id=user.id, period=plan.period, required=row["required"], spent=row["spent"]
            )
            db.session.add(reminder)
            db.session.flush()
    except IntegrityError:
        return False
    title, body = _reminder_text(user, row, plan)
    note = notify(user, "mandate_reminder", title, body, url="/mandate")
    reminder.notification_id = note.id
    db.session.commit()
    return True


def deliver_mandate_reminders(
    plan: ReminderPlan, recipients: Iterable[dict[str, Any]] | None = None
) -> int:
    """Send the planned reminders (iterate `recipients`, e.g. a progress bar over
    plan.recipients); returns how many went out."""
    sent = 0
    for row in plan.recipients if recipients is None else recipients:
        if send_mandate_reminder(row, plan):
            sent += 1
    return sent


# ---------------------------------------------------------------- demo data


def seed_mandate_rule(*_args, **_kwargs) -> MandateRule:
    """Aturan kewajiban belanja ASN untuk periode berjalan

    Demo data (idempotent): a mandate rule in force for the current period. The first docstring
    line is what `flask seed-demo` prints.
    """
    period = current_period()
    positions.seed_position_classes()
    rule = rule_for_period(period)
    if rule is not None:
        db.session.commit()
        return rule
    rule = MandateRule(effective_from=period, default_amount=rules.DEMO_DEFAULT_AMOUNT)
    db.session.add(rule)
    _apply_rule(rule, rules.DEMO_DEFAULT_AMOUNT, dict(rules.DEMO_BY_POSITION))
    db.session.commit()
    return rule
