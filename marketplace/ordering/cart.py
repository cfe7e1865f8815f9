"""The buyer's cart: read with warnings, set/add/remove lines. Also the listing and cap checks
that checkout repeats when it takes the stock.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from marketplace.accounts.models import BUYER_ROLES, User
from marketplace.catalog.models import Product
from marketplace.errors import Forbidden, NotFound, OutOfStock, ValidationFailed, VendorCapReached
from marketplace.extensions import db
from marketplace.ledger.queries import vendor_at_cap, vendors_at_cap
from marketplace.ordering import rules
from marketplace.ordering.lifecycle import expire_due_orders
from marketplace.ordering.models import CartItem


def require_buyer(user: User) -> None:
    """403 unless `user` buys (civil servant or citizen): only buyers have a cart."""
    if user.role not in BUYER_ROLES:
        raise Forbidden("Hanya pembeli (ASN atau warga) yang punya keranjang.")


def is_listed(product: Product | None) -> bool:
    """Whether the product can be bought: active, from a verified shop."""
    return bool(product and product.is_active and product.vendor.status == "verified")


def cart_items(user_id: int, order_by):
    """The buyer's cart lines with their product and shop loaded in the same statement."""
    return db.session.scalars(
        select(CartItem)
        .where(CartItem.user_id == user_id)
        .options(joinedload(CartItem.product).joinedload(Product.vendor))
        .order_by(order_by)
    ).all()


def get_cart(user: User) -> dict[str, Any]:
    """The buyer's cart grouped by vendor, with warnings for lines that can no longer be bought."""
    require_buyer(user)
    expire_due_orders()
    items = cart_items(user.id, CartItem.id)
    lines, warnings, vendors = [], [], OrderedDict()
    capped = vendors_at_cap(
        item.product.vendor_id
        for item in items
        if is_listed(item.product) and item.quantity <= item.product.stock
    )
    total = 0
    for item in items:
        product = item.product
        warning = None
        if not is_listed(product):
            warning = "unavailable"
        elif item.quantity > product.stock:
            warning = "out_of_stock"
        elif product.vendor_id in capped:
            warning = "vendor_cap_reached"
        line_total = product.price * item.quantity
        lines.append(
            {
                "product_id": product.id,
                "name": product.name,
                "unit": product.unit,
                "vendor_id": product.vendor_id,
                "vendor_name": product.vendor.name,
                "quantity": item.quantity,
                "unit_price": product.price,
                "line_total": line_total,
                "stock": product.stock,
                "available": warning is None,
                "warning": warning,
            }
        )
        if warning:
            warnings.append(
                {
                    "product_id": product.id,
                    "code": warning,
                    "name": product.name,
                    "available_stock": product.stock,
                }
            )
        total += line_total
        group = vendors.setdefault(
            product.vendor_id,
            {
                "vendor_id": product.vendor_id,
                "name": product.vendor.name,
                "subtotal": 0,
                "product_ids": [],
            },
        )
        group["subtotal"] += line_total
        group["product_ids"].append(product.id)
    db.session.commit()
    return {
        "items": lines,
        "total": total,
        "count": sum(i["quantity"] for i in lines),
        "vendors": list(vendors.values()),
        "warnings": warnings,
    }


def set_cart_quantity(user: User, product_id: int, quantity: int) -> dict[str, Any]:
    """Set one cart line (0 removes). 404 unknown/unlisted product, 409 out_of_stock or
    vendor_cap_reached."""
    require_buyer(user)
    item = db.session.scalar(
        select(CartItem).where(CartItem.user_id == user.id, CartItem.product_id == product_id)
    )
    if quantity == 0:
        if item is not None:
            db.session.delete(item)
            db.session.commit()
        return get_cart(user)
    product = db.session.get(Product, product_id, options=[joinedload(Product.vendor)])
    if not is_listed(product):
        raise NotFound("Produk tidak ditemukan atau tidak dijual lagi.")
    if quantity > product.stock:
        raise OutOfStock(
            f"Stok {product.name} tinggal {product.stock}.",
            details={
                "product_id": product.id,
                "name": product.name,
                "requested": quantity,
                "available": product.stock,
            },
        )
    if vendor_at_cap(product.vendor_id):
        raise VendorCapReached(
            f"{product.vendor.name} sudah mencapai batas penjualan periode ini.",
            details={"vendor_id": product.vendor_id},
        )
    if item is None:
        db.session.add(CartItem(user_id=user.id, product_id=product.id, quantity=quantity))
    else:
        item.quantity = quantity
    try:
        db.session.commit()
    except IntegrityError:  # the same line added twice at once: the other request won
        db.session.rollback()
        db.session.execute(
            update(CartItem)
            .where(CartItem.user_id == user.id, CartItem.product_id == product_id)
            .values(quantity=quantity)
        )
        db.session.commit()
    return get_cart(user)


def add_to_cart(user: User, product_id: int, quantity: int = 1) -> dict[str, Any]:
    """Add `quantity` to the line of `product_id` (the catalog's "Tambah ke keranjang")."""
    require_buyer(user)
    if not isinstance(quantity, int) or quantity < 1 or quantity > rules.MAX_CART_QUANTITY:
        raise ValidationFailed(details={"quantity": [f"Jumlah 1–{rules.MAX_CART_QUANTITY}."]})
    current = (
        db.session.scalar(
            select(CartItem.quantity).where(
                CartItem.user_id == user.id, CartItem.product_id == product_id
            )
        )
        or 0
    )
    new = min(current + quantity, rules.MAX_CART_QUANTITY)
    return set_cart_quantity(user, product_id, new)


def remove_cart_item(user: User, product_id: int) -> dict[str, Any]:
    """Drop one line from the buyer's cart (absent lines are fine)."""
    require_buyer(user)
    db.session.execute(
        delete(CartItem).where(CartItem.user_id == user.id, CartItem.product_id == product_id)
    )
    db.session.commit()
    return get_cart(user)
