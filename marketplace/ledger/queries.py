"""Read-only queries over the ledger and the spending records, shared by several areas: sales
per shop and period, the fair-share cap and who reached it, account balances."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.ledger import rules
from marketplace.ledger.models import ACCOUNTS, ClosedPeriod, FairShareCap, SpendingRecord
from marketplace.ledger.services import account_balances
from marketplace.timeutil import current_period


def vendor_sales_subquery(period: str):
    """(vendor_id, sales) for one WIB period: paid order lines net of refunds."""
    return (
        select(
            SpendingRecord.vendor_id.label("vendor_id"),
            func.coalesce(func.sum(SpendingRecord.amount), 0).label("sales"),
        )
        .where(SpendingRecord.period == period)
        .group_by(SpendingRecord.vendor_id)
        .subquery()
    )


def vendor_sales(vendor_id: int, period: str) -> int:
    total = db.session.scalar(
        select(func.coalesce(func.sum(SpendingRecord.amount), 0)).where(
            SpendingRecord.vendor_id == vendor_id, SpendingRecord.period == period
        )
    )
    return int(total or 0)


def vendors_sales(vendor_ids, period: str) -> dict[int, int]:
    """{vendor_id: sales in `period`} for several shops in one statement (absent → no sales)."""
    ids = sorted(set(vendor_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(SpendingRecord.vendor_id, func.coalesce(func.sum(SpendingRecord.amount), 0))
        .where(SpendingRecord.vendor_id.in_(ids), SpendingRecord.period == period)
        .group_by(SpendingRecord.vendor_id)
    ).all()
    return {vendor_id: int(total or 0) for vendor_id, total in rows}


def cap_amount(period: str) -> int:
    """The fair-share cap for `period`: the admin's setting for it, else FAIR_SHARE_CAP."""
    amount = db.session.scalar(select(FairShareCap.amount).where(FairShareCap.period == period))
    return int(amount) if amount is not None else int(current_app.config["FAIR_SHARE_CAP"])


def vendors_at_cap_ids(period: str) -> list[int]:
    """Ids of the shops whose sales in `period` reached the cap, read once (one aggregate over
    the period's records) so a listing's count and page do not each recompute it."""
    stmt = (
        select(SpendingRecord.vendor_id)
        .where(SpendingRecord.period == period)
        .group_by(SpendingRecord.vendor_id)
        .having(func.coalesce(func.sum(SpendingRecord.amount), 0) >= cap_amount(period))
        .order_by(SpendingRecord.vendor_id)
    )
    return list(db.session.scalars(stmt).all())


def vendors_at_cap_subquery(period: str):
    """Vendor ids whose sales in `period` reached the cap (they are not listed)."""
    sales = vendor_sales_subquery(period)
    return select(sales.c.vendor_id).where(sales.c.sales >= cap_amount(period))


def vendor_at_cap(vendor_id: int, period: str | None = None) -> bool:
    """Whether the shop's sales in `period` (default: the current WIB period), paid lines net of
    refunds, reached the fair-share cap: then it is not listed and cannot be checked out."""
    period = period or current_period()
    return rules.is_at_cap(vendor_sales(vendor_id, period), cap_amount(period))


def vendors_at_cap(vendor_ids, period: str | None = None) -> set[int]:
    """The ids among `vendor_ids` whose shop reached the cap of `period` (default: the current WIB
    period): two statements whatever the number of shops, so a cart or checkout spanning many
    shops is no N+1."""
    vendor_ids = set(vendor_ids)
    if not vendor_ids:
        return set()
    period = period or current_period()
    cap = cap_amount(period)
    sales = vendors_sales(vendor_ids, period)
    return {v for v in vendor_ids if rules.is_at_cap(sales.get(v, 0), cap)}


def ledger_balances() -> dict[str, Any]:
    """Every ledger account's balance, debit positive, as `{"accounts": {account: balance},
    "total": sum}`: every known account is present (0 when unused) and the total is always zero
    (a non-zero total means a journal did not balance)."""
    balances = {account: 0 for account in ACCOUNTS}
    balances.update(account_balances())
    return {"accounts": balances, "total": sum(balances.values())}


def is_closed(period: str) -> bool:
    """Whether finance closed `period`: its spending records never change again."""
    return (
        db.session.scalar(select(ClosedPeriod.id).where(ClosedPeriod.period == period)) is not None
    )


def refund_booking(sale: SpendingRecord, now) -> dict[str, Any]:
    """The occurred_at/period/year/adjusts_period of a refund share of `sale` refunded at `now`
    (naive UTC): the sale's own month while it is open, else this month as an adjustment."""
    from marketplace.timeutil import period_of, year_of

    period, adjusts = rules.booking_period(sale.period, period_of(now), is_closed(sale.period))
    if adjusts is None:
        return {
            "occurred_at": sale.occurred_at,
            "period": sale.period,
            "year": sale.year,
            "adjusts_period": None,
        }
    return {"occurred_at": now, "period": period, "year": year_of(now), "adjusts_period": adjusts}
