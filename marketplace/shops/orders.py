"""The shop's orders, read side for the `/shop` pages: tab counts, a tab's page, one order, the
pick list. Every query is scoped to the caller's shop."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from marketplace.api import Page, paginate
from marketplace.errors import NotFound
from marketplace.extensions import db

# get_shop is here for the order handlers in routes.py, which read this module as `services`
# until ordering.queries replaces them.
from marketplace.shops.profile import get_own_vendor, get_shop  # noqa: F401

# Outside a request (CLI, jobs) the locale selector answers the default, Indonesian.
_ = gettext


SHOP_ORDER_TABS = ("paid", "accepted", "ready", "completed", "closed")
# Orders that were never paid (expired, or cancelled before paying) are not the shop's concern:
# every tab only shows orders with a payment.
CLOSED_STATUSES = ("cancelled", "rejected")


def _tab_statuses(tab: str) -> tuple[str, ...]:
    return CLOSED_STATUSES if tab == "closed" else (tab,)


def shop_order_counts(user) -> dict[str, int]:
    """How many of the shop's orders sit in each tab (unpaid orders are not the shop's concern)."""
    from marketplace.ordering.models import Order

    vendor = get_own_vendor(user)
    rows = db.session.execute(
        select(Order.status, func.count())
        .where(Order.vendor_id == vendor.id, Order.paid_at.is_not(None))
        .group_by(Order.status)
    ).all()
    by_status = {status: count for status, count in rows}
    return {tab: sum(by_status.get(s, 0) for s in _tab_statuses(tab)) for tab in SHOP_ORDER_TABS}


def list_shop_orders(user, tab: str = "paid", page: int = 1, per_page: int = 20) -> Page:
    """A page of the shop's orders in one tab; oldest paid first, since those wait longest."""
    from marketplace.ordering.models import Order

    vendor = get_own_vendor(user)
    if tab not in SHOP_ORDER_TABS:
        tab = "paid"
    stmt = (
        select(Order)
        .where(
            Order.vendor_id == vendor.id,
            Order.status.in_(_tab_statuses(tab)),
            Order.paid_at.is_not(None),
        )
        .options(selectinload(Order.lines), selectinload(Order.buyer))
    )
    if tab in ("paid", "accepted", "ready"):
        stmt = stmt.order_by(Order.paid_at.asc(), Order.id.asc())
    else:
        stmt = stmt.order_by(Order.id.desc())
    return paginate(stmt, page, per_page)


def get_shop_order(user, order_id: int):
    """One order of the caller's shop; 404 when absent or another shop's."""
    from marketplace.ordering.models import Order

    vendor = get_own_vendor(user)
    order = db.session.scalar(
        select(Order).where(Order.id == order_id, Order.vendor_id == vendor.id)
    )
    if order is None:
        raise NotFound(_("Pesanan tidak ditemukan."))
    return order


@dataclass
class PickLine:
    product_id: int
    name: str
    unit: str
    quantity: int
    orders: int


def pick_list(user) -> tuple[list[PickLine], list[Any]]:
    """What to prepare now: quantities of each product over the shop's accepted orders."""
    from marketplace.ordering.models import Order, OrderLine

    vendor = get_own_vendor(user)
    rows = db.session.execute(
        select(
            OrderLine.product_id,
            OrderLine.name,
            OrderLine.unit,
            func.sum(OrderLine.quantity),
            func.count(func.distinct(OrderLine.order_id)),
        )
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.vendor_id == vendor.id, Order.status == "accepted")
        .group_by(OrderLine.product_id, OrderLine.name, OrderLine.unit)
        .order_by(OrderLine.name)
    ).all()
    orders = db.session.scalars(
        select(Order)
        .where(Order.vendor_id == vendor.id, Order.status == "accepted")
        .options(selectinload(Order.lines), selectinload(Order.buyer))
        .order_by(Order.accepted_at, Order.id)
    ).all()
    return [PickLine(pid, name, unit, int(qty), int(n)) for pid, name, unit, qty, n in rows], list(
        orders
    )
