"""Read-only queries over the ledger and the spending records, shared by several areas: sales
per shop and period, the fair-share cap and who reached it, account balances."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import func, select, union_all

from marketplace.extensions import db
from marketplace.ledger import rules
from marketplace.ledger.models import (
    ACCOUNTS,
    CapReservation,
    ClosedPeriod,
    FairShareCap,
    SpendingRecord,
)
from marketplace.ledger.services import account_balances
from marketplace.models_base import utcnow
from marketplace.timeutil import current_period, period_of, year_of


def _counted(period: str, vendor_ids=None):
    """(vendor_id, amount) rows that count towards the cap of `period` (SPEC §3): each shop's
    paid order lines net of refunds (spending records) and the claims of its unpaid orders that
    have not expired (cap reservations), each side summed per shop first."""
    paid = (
        select(
            SpendingRecord.vendor_id.label("vendor_id"),
            func.sum(SpendingRecord.amount).label("amount"),
        )
        .where(SpendingRecord.period == period)
        .group_by(SpendingRecord.vendor_id)
    )
    held = (
        select(
            CapReservation.vendor_id.label("vendor_id"),
            func.sum(CapReservation.amount).label("amount"),
        )
        .where(CapReservation.period == period, CapReservation.expires_at > utcnow())
        .group_by(CapReservation.vendor_id)
    )
    if vendor_ids is not None:
        paid = paid.where(SpendingRecord.vendor_id.in_(vendor_ids))
        held = held.where(CapReservation.vendor_id.in_(vendor_ids))
    both = union_all(paid, held).subquery()
    return both.c.vendor_id, func.coalesce(func.sum(both.c.amount), 0)


def vendor_sales_subquery(period: str):
    """(vendor_id, sales) for one local period as the cap counts them: paid order lines net of
    refunds plus unpaid orders that have not expired (shops with neither are absent)."""
    vendor_id, sales = _counted(period)
    return select(vendor_id.label("vendor_id"), sales.label("sales")).group_by(vendor_id).subquery()


def vendor_sales(vendor_id: int, period: str) -> int:
    """One shop's sales of `period` as the cap counts them (see `vendor_sales_subquery`)."""
    return vendors_sales([vendor_id], period).get(vendor_id, 0)


def vendors_sales(vendor_ids, period: str) -> dict[int, int]:
    """{vendor_id: sales in `period`} for several shops in one statement (absent → no sales),
    counted as the cap counts them."""
    ids = sorted(set(vendor_ids))
    if not ids:
        return {}
    vendor_id, sales = _counted(period, ids)
    rows = db.session.execute(select(vendor_id, sales).group_by(vendor_id)).all()
    return {vid: int(total or 0) for vid, total in rows}


def cap_amount(period: str) -> int:
    """The fair-share cap for `period`: the admin's setting for it, else FAIR_SHARE_CAP."""
    amount = db.session.scalar(select(FairShareCap.amount).where(FairShareCap.period == period))
    return int(amount) if amount is not None else int(current_app.config["FAIR_SHARE_CAP"])


def vendors_at_cap_ids(period: str) -> list[int]:
    """Ids of the shops whose sales in `period` (paid net of refunds, plus unpaid unexpired
    orders) reached the cap, read once (one grouped statement) so a listing's count and page do
    not each recompute it."""
    vendor_id, sales = _counted(period)
    stmt = (
        select(vendor_id)
        .group_by(vendor_id)
        .having(sales >= cap_amount(period))
        .order_by(vendor_id)
    )
    return list(db.session.scalars(stmt).all())


def vendors_at_cap_subquery(period: str):
    """Vendor ids whose sales in `period` reached the cap (they are not listed)."""
    sales = vendor_sales_subquery(period)
    return select(sales.c.vendor_id).where(sales.c.sales >= cap_amount(period))


def vendor_at_cap(vendor_id: int, period: str | None = None) -> bool:
    """Whether the shop's sales in `period` (default: the current local period), paid lines net of
    refunds plus unpaid unexpired orders, reached the fair-share cap: then it is not listed and
    cannot be checked out."""
    period = period or current_period()
    return rules.is_at_cap(vendor_sales(vendor_id, period), cap_amount(period))


def vendors_at_cap(vendor_ids, period: str | None = None) -> set[int]:
    """The ids among `vendor_ids` whose shop reached the cap of `period` (default: the current local
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
    period, adjusts = rules.booking_period(sale.period, period_of(now), is_closed(sale.period))
    if adjusts is None:
        return {
            "occurred_at": sale.occurred_at,
            "period": sale.period,
            "year": sale.year,
            "adjusts_period": None,
        }
    return {"occurred_at": now, "period": period, "year": year_of(now), "adjusts_period": adjusts}
