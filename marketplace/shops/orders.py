"""The shop's orders for the `/shop` pages beyond the lists: one order (slip, action checks) and the
pick list. Lists and tab counts are `marketplace.ordering.queries` (one read side for the API and
the pages). Every query is scoped to the caller's shop."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.shops.profile import get_own_vendor

# Outside a request (CLI, jobs) the locale selector answers the default, Indonesian.
_ = gettext


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
