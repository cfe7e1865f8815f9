"""Row locks for ordering: SELECT … FOR UPDATE on PostgreSQL, orders always locked in id order
(SQLite serialises writers with BEGIN IMMEDIATE instead).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.extensions import db
from marketplace.ordering.models import Order


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
