"""What the shopkeeper reads about the business: the sales report per local day or month (and its
CSV), today's sales and the dashboard."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext
from sqlalchemy import case, func, select

# A module reference, not names: catalog.models imports shops.models, and whichever of the two
# is imported first must not find the other half-initialised.
from marketplace.catalog import models as catalog
from marketplace.errors import ValidationFailed
from marketplace.extensions import db
from marketplace.ledger.models import SpendingRecord
from marketplace.ordering.queries import shop_order_counts
from marketplace.shops.business_class import business_class_of
from marketplace.shops.models import Vendor
from marketplace.shops.products import low_stock_products
from marketplace.shops.profile import get_own_vendor
from marketplace.timeutil import day_start, now_utc, period_of, to_local, today_local

# Outside a request (CLI, jobs) the locale selector answers the default, Indonesian.
_ = gettext


def _months_between(first: date, last: date) -> list[str]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


MAX_REPORT_DAYS = 366
MAX_REPORT_MONTHS = 120
REPORT_DATES = (date(2000, 1, 1), date(2100, 12, 31))


def _check_report_range(group_by: str, date_from: date, date_to: date) -> None:
    for key, value in (("from", date_from), ("to", date_to)):
        if not REPORT_DATES[0] <= value <= REPORT_DATES[1]:
            raise ValidationFailed(details={key: [_("Tanggal di luar rentang 2000–2100.")]})
    if date_from > date_to:
        raise ValidationFailed(details={"from": [_("Tanggal awal harus sebelum tanggal akhir.")]})
    if group_by == "day" and (date_to - date_from).days >= MAX_REPORT_DAYS:
        raise ValidationFailed(
            _("Laporan harian paling panjang 366 hari; pilih bulanan."),
            details={"from": [_("Rentang terlalu panjang.")]},
        )
    if group_by == "month" and len(_months_between(date_from, date_to)) > MAX_REPORT_MONTHS:
        raise ValidationFailed(
            _("Laporan bulanan paling panjang 120 bulan."),
            details={"from": [_("Rentang terlalu panjang.")]},
        )


def _sales_by_key(vendor: Vendor, group_by: str, start: datetime, end: datetime):
    """(key, gross, refunds, order ids) per local day or month. Months are grouped in SQL on the
    stored local period; days need the local date of each UTC instant, so they are added up here
    (at most 366 days of one shop)."""
    in_range = (
        SpendingRecord.vendor_id == vendor.id,
        SpendingRecord.occurred_at >= start,
        SpendingRecord.occurred_at < end,
    )
    gross: dict[str, int] = defaultdict(int)
    refunds: dict[str, int] = defaultdict(int)
    orders: dict[str, set[int]] = defaultdict(set)
    if group_by == "month":
        signed = db.session.execute(
            select(
                SpendingRecord.period,
                func.coalesce(
                    func.sum(case((SpendingRecord.amount > 0, SpendingRecord.amount), else_=0)), 0
                ),
                func.coalesce(
                    func.sum(case((SpendingRecord.amount < 0, -SpendingRecord.amount), else_=0)), 0
                ),
            )
            .where(*in_range)
            .group_by(SpendingRecord.period)
        ).all()
        positive_orders = db.session.execute(
            select(SpendingRecord.period, SpendingRecord.order_id)
            .where(*in_range, SpendingRecord.amount > 0)
            .distinct()
        ).all()
        for period, order_id in positive_orders:
            orders[period].add(order_id)
        for period, plus, minus in signed:
            gross[period], refunds[period] = int(plus), int(minus)
        return gross, refunds, orders
    records = db.session.execute(
        select(SpendingRecord.occurred_at, SpendingRecord.order_id, SpendingRecord.amount).where(
            *in_range
        )
    ).all()
    for occurred_at, order_id, amount in records:
        key = to_local(occurred_at).date().isoformat()
        if amount >= 0:
            gross[key] += int(amount)
            orders[key].add(order_id)
        else:
            refunds[key] += -int(amount)
    return gross, refunds, orders


def sales_report(
    user, group_by: str = "day", date_from: date | None = None, date_to: date | None = None
) -> dict[str, Any]:
    """The shop's sales per local day or month: paid order lines (gross), refunds and net, from the
    spending records. Defaults: the last 30 days, or the last 12 months. 422 for ranges outside
    2000–2100, longer than 366 days (daily) or 120 months (monthly)."""
    vendor = get_own_vendor(user)
    today = today_local()
    date_to = date_to or today
    for key, value in (("from", date_from), ("to", date_to)):
        if value is not None and not REPORT_DATES[0] <= value <= REPORT_DATES[1]:
            raise ValidationFailed(details={key: [_("Tanggal di luar rentang 2000–2100.")]})
    if date_from is None:
        date_from = (
            date_to - timedelta(days=29)
            if group_by == "day"
            else date(date_to.year - 1 + (date_to.month == 12), date_to.month % 12 + 1, 1)
        )
    _check_report_range(group_by, date_from, date_to)
    start, end = day_start(date_from), day_start(date_to + timedelta(days=1))
    gross, refunds, orders = _sales_by_key(vendor, group_by, start, end)
    if group_by == "day":
        keys = [
            (date_from + timedelta(days=i)).isoformat()
            for i in range((date_to - date_from).days + 1)
        ]
    else:
        keys = _months_between(date_from, date_to)
    rows = [
        {
            "period": k,
            "orders": len(orders[k]),
            "gross": gross[k],
            "refunds": refunds[k],
            "net": gross[k] - refunds[k],
        }
        for k in keys
    ]
    totals = {
        "orders": len(set().union(*orders.values())) if orders else 0,
        "gross": sum(gross.values()),
        "refunds": sum(refunds.values()),
    }
    totals["net"] = totals["gross"] - totals["refunds"]
    return {
        "group_by": group_by,
        "date_from": date_from,
        "date_to": date_to,
        "rows": rows,
        "totals": totals,
    }


def sales_report_csv(report: dict[str, Any]) -> str:
    """The sales report as CSV (one row per day or month, then the total)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["period", "orders", "gross", "refunds", "net"])
    for row in report["rows"]:
        writer.writerow([row["period"], row["orders"], row["gross"], row["refunds"], row["net"]])
    t = report["totals"]
    writer.writerow(["total", t["orders"], t["gross"], t["refunds"], t["net"]])
    return out.getvalue()


def sales_today(vendor: Vendor) -> int:
    """Net sales of the shop since local midnight."""
    start = day_start(today_local())
    total = db.session.scalar(
        select(func.coalesce(func.sum(SpendingRecord.amount), 0)).where(
            SpendingRecord.vendor_id == vendor.id, SpendingRecord.occurred_at >= start
        )
    )
    return int(total or 0)


# ---------------------------------------------------------------- dashboard
def dashboard(user) -> dict[str, Any]:
    """What a shopkeeper sees first: orders waiting per status, low stock, today's sales, class."""
    vendor = get_own_vendor(user)
    product_count = (
        db.session.scalar(
            select(func.count())
            .select_from(catalog.Product)
            .where(catalog.Product.vendor_id == vendor.id)
        )
        or 0
    )
    return {
        "vendor": vendor,
        "order_counts": shop_order_counts(user),
        "low_stock": low_stock_products(vendor),
        "sales_today": sales_today(vendor),
        "product_count": product_count,
        "business_class": business_class_of(vendor),
        "period": period_of(now_utc()),
    }
