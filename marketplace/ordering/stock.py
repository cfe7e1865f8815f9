"""Stock taken when an order is placed (checkout, an office's approved purchase) and going back
on the shelf when an order is not fulfilled (expired, cancelled, rejected)."""

from __future__ import annotations

from sqlalchemy import select, update

from marketplace.accounts.models import User
from marketplace.catalog.models import Product
from marketplace.errors import OutOfStock
from marketplace.extensions import db
from marketplace.ordering.models import Order
from marketplace.shops.models import StockMovement

products_table = Product.__table__


def take_stock(product: Product, quantity: int) -> int:
    """Take `quantity` of the product with one conditional UPDATE (stock >= quantity), so two
    buyers can never both take the last unit; returns the stock left. Raises 409 out_of_stock
    naming what is left (the caller rolls back what it took before). Callers take their lines
    in product-id order so two orders of the same products cannot deadlock."""
    row = db.session.execute(
        update(products_table)
        .where(products_table.c.id == product.id, products_table.c.stock >= quantity)
        .values(stock=products_table.c.stock - quantity)
        .returning(products_table.c.stock)
    ).first()
    if row is None:
        available = db.session.scalar(
            select(products_table.c.stock).where(products_table.c.id == product.id)
        )
        raise OutOfStock(
            f"Stok {product.name} tidak cukup (tersisa {available}).",
            details={
                "product_id": product.id,
                "name": product.name,
                "requested": quantity,
                "available": available,
            },
        )
    db.session.expire(product, ["stock"])
    return row[0]


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
