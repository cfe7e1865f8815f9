"""Row locks for ordering: SELECT … FOR UPDATE on PostgreSQL, orders always locked in id order
(SQLite serialises writers with BEGIN IMMEDIATE instead).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.extensions import db
from marketplace.ordering.models import Order
from marketplace.shops.models import Vendor


def locked(stmt):
    """SELECT … FOR UPDATE (PostgreSQL); SQLite serialises writers with BEGIN IMMEDIATE."""
    return stmt.with_for_update().execution_options(populate_existing=True)


def lock_orders(order_ids: list[int]) -> list[Order]:
    """Lock the orders in id order; their shop, lines and events come in one statement each
    (the callers transition them, post their lines and record spending)."""
    if not order_ids:
        return []
    return list(
        db.session.scalars(
            locked(select(Order).where(Order.id.in_(order_ids)).order_by(Order.id)).options(
                selectinload(Order.vendor), selectinload(Order.lines), selectinload(Order.events)
            )
        ).all()
    )


def lock_vendors(vendor_ids) -> None:
    """Take the shops' rows in id order so checkouts of one shop count its fair-share cap one at
    a time (SPEC §3: crossing the cap is allowed once, also when many buyers arrive together).

    PostgreSQL: FOR NO KEY UPDATE, which serialises checkouts of the shop but not the inserts
    that only reference it (orders, spending records and ledger lines take FOR KEY SHARE on the
    vendor row through their foreign key; plain FOR UPDATE would make every payment of the shop
    wait for its checkouts). SQLite: BEGIN IMMEDIATE already serialises writers."""
    ids = sorted(set(vendor_ids))
    if ids:
        db.session.execute(
            select(Vendor.id)
            .where(Vendor.id.in_(ids))
            .order_by(Vendor.id)
            .with_for_update(key_share=True)
        ).all()
