"""Stock going back on the shelf when an order is not fulfilled (expired, cancelled, rejected)."""

from __future__ import annotations

from sqlalchemy import update

from marketplace.accounts.models import User
from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.ordering.models import Order
from marketplace.shops.models import StockMovement

products_table = Product.__table__


def release_stock(order: Order, actor: User | None) -> None:
    """Put an unfulfilled order's quantities back on the shelf (product-id order)."""
    for line in sorted(order.lines, key=lambda ln: ln.product_id):
        stock = db.session.execute(
            update(products_table)
            .where(products_table.c.id == line.product_id)
            .values(stock=products_table.c.stock + line.quantity)
            .returning(products_table.c.stock)
        ).scalar_one()
        db.session.add(
            StockMovement(
                product_id=line.product_id,
                delta=line.quantity,
                stock_after=stock,
                kind="release",
                note=order.number,
                actor_id=actor.id if actor else None,
                order_id=order.id,
            )
        )
        if line.product is not None:
            db.session.expire(line.product, ["stock"])
