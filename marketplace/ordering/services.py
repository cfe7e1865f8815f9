"""Ordering services: cart, checkout, payment effects, the order lifecycle, refunds and caps.

Each public `verb_noun` function owns its transaction (commits once) and raises domain errors;
helpers starting with `_` only flush. Signals go out after the commit.
"""

from __future__ import annotations

import logging
import uuid
from collections import OrderedDict
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from marketplace import signals
from marketplace.accounts.models import BUYER_ROLES, User
from marketplace.api import Page, paginate
from marketplace.audit.models import record_audit
from marketplace.catalog.models import Product
from marketplace.errors import (
    Forbidden,
    InvalidTransition,
    NotFound,
    OutOfStock,
    ValidationFailed,
    VendorCapReached,
)
from marketplace.extensions import db
from marketplace.ledger.models import (
    ACCOUNTS,
    BUYER_REFUNDS,
    PLATFORM_COMMISSION,
    PROVIDER_CASH,
    VENDOR_AVAILABLE,
    VENDOR_PENDING,
    VENDOR_RECEIVABLE,
    FairShareCap,
    SpendingRecord,
)
from marketplace.ledger.queries import cap_amount, vendor_sales, vendors_sales
from marketplace.ledger.services import account_balances, post_journal, vendor_account_balance
from marketplace.models_base import utcnow
from marketplace.money import format_rupiah
from marketplace.ordering import rules
from marketplace.ordering.errors import (
    EmptyCart,
    IdempotencyInProgress,
    IdempotencyKeyRequired,
    NotRefundable,
    ProductUnavailable,
)
from marketplace.ordering.models import (
    CartItem,
    Checkout,
    Order,
    OrderEvent,
    OrderLine,
)
from marketplace.payments.models import Payment, Refund
from marketplace.payments.providers import PaymentProviderError, provider_for, provider_of
from marketplace.shops.models import StockMovement, Vendor
from marketplace.timeutil import current_period, period_of, year_of

log = logging.getLogger(__name__)
products_table = Product.__table__
REFUNDABLE = ("paid", "accepted", "ready", "completed")


# ================================================================= helpers
def _require_buyer(user: User) -> None:
    if user.role not in BUYER_ROLES:
        raise Forbidden("Hanya pembeli (ASN atau warga) yang punya keranjang.")


def _locked(stmt):
    """SELECT … FOR UPDATE (PostgreSQL); SQLite serialises writers with BEGIN IMMEDIATE."""
    return stmt.with_for_update().execution_options(populate_existing=True)


def _is_listed(product: Product | None) -> bool:
    return bool(product and product.is_active and product.vendor.status == "verified")


def _vendor_at_cap(vendor_id: int, period: str | None = None) -> bool:
    period = period or current_period()
    return rules.vendor_cap_state(vendor_sales(vendor_id, period), cap_amount(period)) == "reached"


def _vendors_at_cap(vendor_ids, period: str | None = None) -> set[int]:
    """The ids among `vendor_ids` whose shop reached the cap of `period`: two statements
    whatever the number of shops (a cart or checkout spanning many shops is no N+1)."""
    vendor_ids = set(vendor_ids)
    if not vendor_ids:
        return set()
    period = period or current_period()
    cap = cap_amount(period)
    sales = vendors_sales(vendor_ids, period)
    return {v for v in vendor_ids if rules.vendor_cap_state(sales.get(v, 0), cap) == "reached"}


def _cart_items(user_id: int, order_by):
    """The buyer's cart lines with their product and shop loaded in the same statement."""
    return db.session.scalars(
        select(CartItem)
        .where(CartItem.user_id == user_id)
        .options(joinedload(CartItem.product).joinedload(Product.vendor))
        .order_by(order_by)
    ).all()


def _dump_order(order: Order) -> dict[str, Any]:
    from marketplace.ordering.schemas import OrderSchema

    return OrderSchema().dump(order)


def payment_for_order(order: Order) -> Payment | None:
    return db.session.scalar(select(Payment).where(Payment.checkout_id == order.checkout_id))


def payment_dict(payment: Payment) -> dict[str, Any]:
    """The public shape of a payment (the client secret only while it can still be paid)."""
    data = {
        "id": payment.id,
        "provider": payment.provider,
        "status": payment.status,
        "amount": payment.amount,
        "checkout_id": payment.checkout_id,
        "failure_message": payment.failure_message,
        "order_ids": [o.id for o in payment.checkout.orders],
    }
    if payment.client_secret and payment.status not in ("succeeded", "canceled"):
        data["client_secret"] = payment.client_secret
    return data


# ================================================================= cart
def get_cart(user: User) -> dict[str, Any]:
    """The buyer's cart grouped by vendor, with warnings for lines that can no longer be bought."""
    _require_buyer(user)
    expire_due_orders()
    items = _cart_items(user.id, CartItem.id)
    lines, warnings, vendors = [], [], OrderedDict()
    capped = _vendors_at_cap(
        item.product.vendor_id
        for item in items
        if _is_listed(item.product) and item.quantity <= item.product.stock
    )
    total = 0
    for item in items:
        product = item.product
        warning = None
        if not _is_listed(product):
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
    _require_buyer(user)
    item = db.session.scalar(
        select(CartItem).where(CartItem.user_id == user.id, CartItem.product_id == product_id)
    )
    if quantity == 0:
        if item is not None:
            db.session.delete(item)
            db.session.commit()
        return get_cart(user)
    product = db.session.get(Product, product_id, options=[joinedload(Product.vendor)])
    if not _is_listed(product):
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
    if _vendor_at_cap(product.vendor_id):
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
    _require_buyer(user)
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
    _require_buyer(user)
    db.session.execute(
        delete(CartItem).where(CartItem.user_id == user.id, CartItem.product_id == product_id)
    )
    db.session.commit()
    return get_cart(user)


# ================================================================= checkout
def _find_checkout(buyer_id: int, key: str) -> Checkout | None:
    return db.session.scalar(
        select(Checkout).where(Checkout.buyer_id == buyer_id, Checkout.idempotency_key == key)
    )


def _replay(checkout: Checkout, request_hash: str) -> Checkout:
    if checkout.request_hash != request_hash:
        from marketplace.errors import IdempotencyConflict

        raise IdempotencyConflict("Idempotency-Key ini sudah dipakai untuk permintaan lain.")
    if checkout.response_status is None:
        raise IdempotencyInProgress("Checkout dengan kunci ini masih diproses; coba lagi sebentar.")
    return checkout


def _load_orders(checkout: Checkout) -> list[Order]:
    """The checkout's orders with their shop, lines and events in three statements (not three
    per order), set as `checkout.orders` so dumping them issues no lazy loads."""
    orders = list(
        db.session.scalars(
            select(Order)
            .where(Order.checkout_id == checkout.id)
            .order_by(Order.id)
            .options(
                selectinload(Order.vendor), selectinload(Order.lines), selectinload(Order.events)
            )
        ).all()
    )
    set_committed_value(checkout, "orders", orders)
    return orders


def checkout_body(checkout: Checkout, payment: Payment) -> dict[str, Any]:
    pay = {"id": payment.id, "provider": payment.provider, "status": payment.status}
    if payment.client_secret:
        pay["client_secret"] = payment.client_secret
    return {
        "id": checkout.id,
        "orders": [_dump_order(o) for o in _load_orders(checkout)],
        "total": checkout.total,
        "payment": pay,
    }


def place_checkout(buyer: User, idempotency_key: str | None, data: dict[str, Any]) -> Checkout:
    """Turn the buyer's cart into one order per vendor under one payment, safe to retry.

    The (buyer, Idempotency-Key) pair is unique: a retry with the same body replays the stored
    answer (`checkout.response_status/response_body`), another body → 422 idempotency_conflict,
    a still-running first request → 409 idempotency_in_progress. Raises 422 empty_cart,
    409 out_of_stock / vendor_cap_reached / product_unavailable with nothing taken.
    """
    _require_buyer(buyer)
    key = (idempotency_key or "").strip()
    if not key or len(key) > 255:
        raise IdempotencyKeyRequired()
    req_hash = rules.request_hash(data)
    existing = _find_checkout(buyer.id, key)
    if existing is not None:
        return _replay(existing, req_hash)
    provider = provider_for(data["payment_method"])
    expire_due_orders()

    checkout = Checkout(
        buyer_id=buyer.id,
        idempotency_key=key,
        request_hash=req_hash,
        fulfilment=data["fulfilment"],
        address=(data.get("address") or "").strip() or None,
        payment_method=data["payment_method"],
    )
    db.session.add(checkout)
    try:
        db.session.flush()  # the unique (buyer, key) constraint decides between racing requests
    except IntegrityError:
        db.session.rollback()
        existing = _find_checkout(buyer.id, key)
        if existing is None:
            raise IdempotencyInProgress() from None
        return _replay(existing, req_hash)
    try:
        payment = _create_orders(buyer, checkout)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise

    # The provider call happens after the stock transaction committed (Saleor/Spree): no row
    # locks are held while Stripe answers.
    try:
        result = provider.create_payment(payment, checkout)
    except PaymentProviderError as err:
        _abandon_checkout(checkout, payment, err)
        return checkout
    payment.provider_ref = result.ref
    payment.client_secret = result.client_secret
    body = checkout_body(checkout, payment)
    checkout.response_status = 201
    checkout.response_body = body
    db.session.commit()
    # The route answers with these two columns: keep them loaded instead of re-reading the row
    # (on SQLite that read would open a write-locking transaction just to fetch what we wrote).
    set_committed_value(checkout, "response_status", 201)
    set_committed_value(checkout, "response_body", body)
    return checkout


def _create_orders(buyer: User, checkout: Checkout) -> Payment:
    items = _cart_items(buyer.id, CartItem.product_id)
    if not items:
        raise EmptyCart("Keranjang masih kosong.")
    for item in items:
        if not _is_listed(item.product):
            raise ProductUnavailable(
                f"{item.product.name} tidak dijual lagi; hapus dari keranjang.",
                details={"product_id": item.product_id, "name": item.product.name},
            )
    by_vendor: OrderedDict[int, list[CartItem]] = OrderedDict()
    for item in sorted(items, key=lambda i: (i.product.vendor_id, i.product_id)):
        by_vendor.setdefault(item.product.vendor_id, []).append(item)
    capped = _vendors_at_cap(by_vendor)
    for vendor_id, vitems in by_vendor.items():
        if vendor_id in capped:
            vendor = vitems[0].product.vendor
            raise VendorCapReached(
                f"{vendor.name} sudah mencapai batas penjualan periode ini.",
                details={"vendor_id": vendor_id, "vendor": vendor.name},
            )
    if checkout.payment_method == "stripe":
        total = sum(i.product.price * i.quantity for i in items)
        minimum = int(current_app.config.get("MIN_PAYMENT_AMOUNT", 0))
        if total < minimum:
            raise ValidationFailed(
                "Total terlalu kecil untuk pembayaran kartu.",
                code="amount_too_small",
                details={"total": [f"Minimal {minimum}."]},
            )

    # Take the stock: one conditional UPDATE per line, in product-id order so two carts with the
    # same products in reverse order cannot deadlock. Any miss rolls the whole checkout back.
    stock_after: dict[int, int] = {}
    for item in items:
        row = db.session.execute(
            update(products_table)
            .where(products_table.c.id == item.product_id, products_table.c.stock >= item.quantity)
            .values(stock=products_table.c.stock - item.quantity)
            .returning(products_table.c.stock)
        ).first()
        if row is None:
            available = db.session.scalar(
                select(products_table.c.stock).where(products_table.c.id == item.product_id)
            )
            raise OutOfStock(
                f"Stok {item.product.name} tidak cukup (tersisa {available}).",
                details={
                    "product_id": item.product_id,
                    "name": item.product.name,
                    "requested": item.quantity,
                    "available": available,
                },
            )
        stock_after[item.product_id] = row[0]
        db.session.expire(item.product, ["stock"])

    now = utcnow()
    expires = now + timedelta(minutes=int(current_app.config["ORDER_EXPIRY_MINUTES"]))
    bps = int(current_app.config.get("PLATFORM_COMMISSION_BPS", 0))
    grand_total = 0
    for vendor_id, vitems in by_vendor.items():
        vendor = vitems[0].product.vendor
        order = Order(
            checkout=checkout,
            buyer_id=buyer.id,
            vendor_id=vendor_id,
            status="pending_payment",
            fulfilment=checkout.fulfilment,
            address=checkout.address,
            total=0,
            number="tmp-" + uuid.uuid4().hex[:28],
            expires_at=expires,
            created_at=now,
        )
        total = vat_total = 0
        for item in vitems:
            product = item.product
            line_total = product.price * item.quantity
            vat = rules.line_vat(line_total, vendor_pkp=vendor.pkp, vat_exempt=product.vat_exempt)
            order.lines.append(
                OrderLine(
                    product_id=product.id,
                    name=product.name,
                    unit=product.unit,
                    quantity=item.quantity,
                    unit_price=product.price,
                    line_total=line_total,
                    vat=vat,
                    is_local_product=product.is_local_product,
                    is_pdn=product.is_pdn,
                    vat_exempt=product.vat_exempt,
                )
            )
            total += line_total
            vat_total += vat
        order.total, order.vat_total = total, vat_total
        order.commission = rules.commission_for(total, bps)
        order.events.append(
            OrderEvent(
                from_status=None, to_status="pending_payment", actor_id=buyer.id, created_at=now
            )
        )
        db.session.add(order)
        db.session.flush()
        order.number = rules.order_number(period_of(now), order.id)
        for item in vitems:
            db.session.add(
                StockMovement(
                    product_id=item.product_id,
                    delta=-item.quantity,
                    stock_after=stock_after[item.product_id],
                    kind="sale",
                    note=order.number,
                    actor_id=buyer.id,
                    order_id=order.id,
                )
            )
        grand_total += total
    checkout.total = grand_total
    payment = Payment(
        checkout_id=checkout.id,
        provider=checkout.payment_method,
        status="requires_payment",
        amount=grand_total,
    )
    db.session.add(payment)
    db.session.execute(delete(CartItem).where(CartItem.user_id == buyer.id))
    db.session.flush()
    return payment


def _abandon_checkout(checkout: Checkout, payment: Payment, err: PaymentProviderError) -> None:
    """The provider refused to open a payment: give the stock back and store the error answer,
    so a retry with the same key gets the same answer instead of a second attempt."""
    for order in _lock_orders([o.id for o in checkout.orders]):
        if order.status == "pending_payment":
            order.transition_to("cancelled", note="Pembayaran tidak dapat dibuat.")
            _release_stock(order, None)
    payment.status = "failed"
    payment.failure_message = err.message
    checkout.response_status = err.status
    checkout.response_body = err.to_dict()
    db.session.commit()


# ================================================================= stock and locking
def _lock_orders(order_ids: list[int]) -> list[Order]:
    """Lock the orders in id order; their shop, lines and events come in one statement each
    (the callers transition them, post their lines and record spending)."""
    if not order_ids:
        return []
    return list(
        db.session.scalars(
            _locked(select(Order).where(Order.id.in_(order_ids)).order_by(Order.id)).options(
                selectinload(Order.vendor), selectinload(Order.lines), selectinload(Order.events)
            )
        ).all()
    )


def _release_stock(order: Order, actor: User | None) -> None:
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


# ================================================================= payment effects
def _mark_orders_paid(payment: Payment, actor: User | None = None) -> list[Order]:
    """Payment succeeded: its pending orders become paid (ledger + spending records). Orders that
    expired or were cancelled meanwhile cannot be filled any more: their amount is refunded.
    Flush only; returns the orders that became paid."""
    payment.status = "succeeded"
    payment.failure_message = None
    orders = _lock_orders(
        list(
            db.session.scalars(
                select(Order.id).where(Order.checkout_id == payment.checkout_id)
            ).all()
        )
    )
    paid = [o for o in orders if o.status == "pending_payment"]
    stale = [o for o in orders if o not in paid]
    for order in paid:
        order.transition_to("paid", actor=actor)
        _record_spending(order)
    if paid:
        lines: list[tuple] = [(PROVIDER_CASH, sum(o.total for o in paid))]
        for order in paid:
            lines.append((VENDOR_PENDING, -(order.total - order.commission), order.vendor_id))
            lines.append((PLATFORM_COMMISSION, -order.commission))
        post_journal(
            "payment",
            lines,
            memo=", ".join(o.number for o in paid),
            reference=payment.provider_ref,
            payment_id=payment.id,
            order_id=paid[0].id if len(paid) == 1 else None,
            actor_id=actor.id if actor else None,
        )
    if stale:
        _void_stale(payment, stale)
    return paid


def _void_stale(payment: Payment, stale: list[Order]) -> None:
    """Money arrived for orders that expired first: send it back and say so on the payment."""
    amount = sum(o.total for o in stale)
    numbers = ", ".join(o.number for o in stale)
    ref = provider_of(payment).refund(payment, amount, key=f"payment:{payment.id}:void")
    post_journal(
        "payment",
        [(PROVIDER_CASH, amount), (BUYER_REFUNDS, -amount)],
        memo=f"Pembayaran untuk pesanan kedaluwarsa {numbers}",
        reference=payment.provider_ref,
        payment_id=payment.id,
    )
    post_journal(
        "refund",
        [(BUYER_REFUNDS, amount), (PROVIDER_CASH, -amount)],
        memo=f"Dikembalikan: pesanan {numbers} sudah kedaluwarsa",
        reference=ref,
        payment_id=payment.id,
    )
    payment.failure_message = (
        f"Pesanan {numbers} sudah kedaluwarsa sebelum pembayaran masuk; "
        f"{format_rupiah(amount)} dikembalikan."
    )
    log.warning(
        "payment %s arrived after orders %s closed; %s refunded", payment.id, numbers, amount
    )


def _record_spending(order: Order) -> None:
    buyer, vendor = order.buyer, order.vendor
    paid_at = order.paid_at
    for line in order.lines:
        db.session.add(
            SpendingRecord(
                occurred_at=paid_at,
                period=period_of(paid_at),
                year=year_of(paid_at),
                order_id=order.id,
                order_line_id=line.id,
                buyer_id=buyer.id,
                opd_id=buyer.opd_id,
                vendor_id=vendor.id,
                vendor_umk_class=vendor.effective_umk_class,
                vendor_kelurahan=vendor.kelurahan,
                is_local_vendor=vendor.status == "verified" and vendor.made_in_city,
                is_local_product=line.is_local_product,
                is_pdn=line.is_pdn,
                amount=line.line_total,
            )
        )


def _send_paid(orders: list[Order]) -> None:
    for order in orders:
        signals.order_paid.send(order)


def confirm_sandbox_payment(buyer: User, payment_id: int, outcome: str) -> Payment:
    """The buyer's sandbox "pay" button: `succeeded` marks the orders paid, `failed` records a
    failed attempt (the orders stay payable until they expire). 404 when not theirs or the
    sandbox is off; 409 invalid_transition once the payment succeeded."""
    from marketplace.payments.providers import sandbox_enabled

    if not sandbox_enabled():
        raise NotFound()
    payment = db.session.scalar(
        _locked(
            select(Payment)
            .join(Checkout, Checkout.id == Payment.checkout_id)
            .where(
                Payment.id == payment_id,
                Checkout.buyer_id == buyer.id,
                Payment.provider == "sandbox",
            )
        )
    )
    if payment is None:
        raise NotFound("Pembayaran tidak ditemukan.")
    if outcome not in ("succeeded", "failed"):
        raise ValidationFailed(details={"outcome": ["succeeded atau failed."]})
    if not rules.payment_can_move(payment.status, outcome):
        if payment.status == outcome:
            return payment
        raise InvalidTransition(
            "Pembayaran ini sudah selesai.", details={"from": payment.status, "to": outcome}
        )
    paid: list[Order] = []
    if outcome == "succeeded":
        paid = _mark_orders_paid(payment, actor=buyer)
    else:
        payment.status = "failed"
        payment.failure_message = "Pembayaran sandbox ditolak."
    db.session.commit()
    _send_paid(paid)
    return payment


def get_payment(user: User, payment_id: int) -> Payment:
    """A payment of the buyer's own checkout (finance and admin see all); 404 otherwise."""
    stmt = (
        select(Payment)
        .join(Checkout, Checkout.id == Payment.checkout_id)
        .where(Payment.id == payment_id)
    )
    if user.role not in ("finance", "admin"):
        stmt = stmt.where(Checkout.buyer_id == user.id)
    payment = db.session.scalar(stmt)
    if payment is None:
        raise NotFound("Pembayaran tidak ditemukan.")
    return payment


# ================================================================= reading orders
def _scoped_orders(user: User):
    stmt = select(Order)
    if user.role in BUYER_ROLES:
        return stmt.where(Order.buyer_id == user.id)
    if user.role == "vendor":
        return stmt.where(Order.vendor_id == (user.vendor_id or -1))
    if user.role in ("finance", "admin"):
        return stmt
    raise Forbidden()


def list_orders(
    user: User, *, status: str | None = None, page: int = 1, per_page: int = 20
) -> Page:
    """Orders the user may see: own (buyer), own shop (vendor), all (finance, admin), newest first."""
    expire_due_orders()
    stmt = _scoped_orders(user)
    if status:
        stmt = stmt.where(Order.status == status)
    return paginate(stmt.order_by(Order.id.desc()), page, per_page)


def list_vendor_orders(
    user: User, *, status: str | None = None, page: int = 1, per_page: int = 20
) -> Page:
    """The shop owner's incoming orders (unpaid ones are hidden unless asked for)."""
    if user.role != "vendor" or user.vendor_id is None:
        raise NotFound("Toko tidak ditemukan.")
    expire_due_orders()
    stmt = select(Order).where(Order.vendor_id == user.vendor_id)
    stmt = stmt.where(Order.status == status) if status else stmt
    return paginate(stmt.order_by(Order.id.desc()), page, per_page)


def get_order(user: User, order_id: int) -> Order:
    """One order the user may see; another user's or shop's order → 404."""
    order = db.session.scalar(_scoped_orders(user).where(Order.id == order_id))
    if order is None:
        raise NotFound("Pesanan tidak ditemukan.")
    return order


def _buyer_order(buyer: User, order_id: int) -> Order:
    order = db.session.scalar(
        _locked(select(Order).where(Order.id == order_id, Order.buyer_id == buyer.id))
    )
    if order is None:
        raise NotFound("Pesanan tidak ditemukan.")
    return order


def _vendor_order(user: User, order_id: int) -> Order:
    vendor_id = user.vendor_id if user.role == "vendor" else None
    order = db.session.scalar(
        _locked(select(Order).where(Order.id == order_id, Order.vendor_id == (vendor_id or -1)))
    )
    if order is None:
        raise NotFound("Pesanan tidak ditemukan.")
    return order


# ================================================================= lifecycle
def accept_order(user: User, order_id: int) -> Order:
    """The shop accepts a paid order (paid → accepted); 404 for another shop's order."""
    order = _vendor_order(user, order_id)
    order.transition_to("accepted", actor=user)
    db.session.commit()
    signals.order_accepted.send(order)
    return order


def mark_order_ready(user: User, order_id: int) -> Order:
    """The shop has the order ready for pickup/delivery (accepted → ready)."""
    order = _vendor_order(user, order_id)
    order.transition_to("ready", actor=user)
    db.session.commit()
    signals.order_ready.send(order)
    return order


def reject_order(user: User, order_id: int, reason: str) -> Order:
    """The shop turns down a paid order: full refund and the stock goes back (paid → rejected)."""
    order = _vendor_order(user, order_id)
    order.transition_to("rejected", actor=user, note=reason)
    _release_stock(order, user)
    refund = _refund(order, order.total - order.refunded_total, f"Ditolak toko: {reason}", user)
    db.session.commit()
    signals.order_rejected.send(order, reason=reason, refund=refund)
    if refund is not None:
        signals.order_refunded.send(order, refund=refund)
    return order


def cancel_order(buyer: User, order_id: int) -> Order:
    """The buyer cancels before the shop accepted: stock back, full refund when it was paid."""
    order = _buyer_order(buyer, order_id)
    was_paid = order.status == "paid"
    order.transition_to("cancelled", actor=buyer, note="Dibatalkan pembeli.")
    _release_stock(order, buyer)
    refund = None
    if was_paid:
        refund = _refund(order, order.total - order.refunded_total, "Dibatalkan pembeli.", buyer)
    db.session.commit()
    if refund is not None:
        signals.order_refunded.send(order, refund=refund)
    return order


def _complete(order: Order, actor: User | None, note: str | None = None) -> None:
    """ready → completed (the BAST): the vendor's pending payable becomes available."""
    order.transition_to("completed", actor=actor, note=note)
    refunded_vendor = (
        db.session.scalar(
            select(func.coalesce(func.sum(Refund.vendor_share), 0)).where(
                Refund.order_id == order.id
            )
        )
        or 0
    )
    amount = order.total - order.commission - int(refunded_vendor)
    post_journal(
        "completion",
        [(VENDOR_PENDING, amount, order.vendor_id), (VENDOR_AVAILABLE, -amount, order.vendor_id)],
        memo=order.number,
        order_id=order.id,
        actor_id=actor.id if actor else None,
    )


def confirm_receipt(buyer: User, order_id: int) -> Order:
    """The buyer confirms receipt (BAST): ready → completed."""
    order = _buyer_order(buyer, order_id)
    _complete(order, buyer, "Diterima pembeli (BAST).")
    db.session.commit()
    signals.order_completed.send(order)
    return order


def complete_order(order: Order, actor: User | None = None) -> Order:
    """Complete a ready order (auto-completion job or an admin); 409 if it is not ready."""
    locked = db.session.scalar(_locked(select(Order).where(Order.id == order.id)))
    _complete(locked, actor, None if actor else "Selesai otomatis.")
    db.session.commit()
    signals.order_completed.send(locked)
    return locked


# ================================================================= jobs
def expire_due_orders(now=None, limit: int = 200) -> int:
    """Unpaid orders past `expires_at` become expired and give their stock back.

    Run by `flask run-order-jobs` and opportunistically before carts, checkouts and order lists,
    so stock is never stranded even without cron. Returns how many expired.
    """
    now = now or utcnow()
    ids = db.session.scalars(
        select(Order.id)
        .where(Order.status == "pending_payment", Order.expires_at <= now)
        .order_by(Order.id)
        .limit(limit)
    ).all()
    if not ids:
        return 0
    count = 0
    try:
        stmt = select(Order).where(Order.id.in_(ids)).order_by(Order.id)
        if db.engine.dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        for order in db.session.scalars(stmt.execution_options(populate_existing=True)).all():
            if order.status != "pending_payment" or order.expires_at > now:
                continue
            order.transition_to("expired", note="Tidak dibayar tepat waktu.")
            _release_stock(order, None)
            payment = payment_for_order(order)
            if (
                payment is not None
                and payment.status in ("requires_payment", "failed")
                and all(o.status != "pending_payment" for o in payment.checkout.orders)
            ):
                payment.status = "canceled"
            count += 1
        db.session.commit()
    except Exception:  # never let housekeeping break the request that triggered it
        db.session.rollback()
        log.exception("expiring orders failed")
        return 0
    return count


def auto_complete_orders(now=None) -> int:
    """Ready orders older than AUTO_COMPLETE_DAYS are completed as if the buyer confirmed."""
    now = now or utcnow()
    cutoff = now - timedelta(days=int(current_app.config["AUTO_COMPLETE_DAYS"]))
    ids = db.session.scalars(
        select(Order.id).where(Order.status == "ready", Order.ready_at <= cutoff).order_by(Order.id)
    ).all()
    db.session.commit()
    count = 0
    for oid in ids:
        order = db.session.get(Order, oid)
        if order is None or order.status != "ready":
            continue
        try:
            complete_order(order)
            count += 1
        except InvalidTransition:
            db.session.rollback()
    return count


# ================================================================= refunds
def _refund(
    order: Order, amount: int, reason: str, actor: User | None, *, call_provider: bool = True
) -> Refund | None:
    """Refund `amount` of a paid order through its provider and reverse the ledger and the
    spending records. Flush only. None when there is nothing to refund."""
    if amount <= 0 or order.paid_at is None:
        return None
    payment = payment_for_order(order)
    if payment is None:
        return None
    refunded_before = order.refunded_total
    rc = rules.refund_commission_share(order.commission, order.total, refunded_before, amount)
    rv = amount - rc
    refund = Refund(
        order_id=order.id,
        payment_id=payment.id,
        amount=amount,
        reason=reason,
        status="pending",
        actor_id=actor.id if actor else None,
        commission_share=rc,
        vendor_share=rv,
    )
    db.session.add(refund)
    db.session.flush()
    if call_provider:
        refund.provider_ref = provider_of(payment).refund(
            payment, amount, key=f"refund:{refund.id}"
        )
    refund.status = "succeeded"
    lines: list[tuple] = []
    if order.status == "completed":
        # After completion the vendor's share sits in `available` (or was already paid out):
        # take what is still available, the rest becomes a receivable netted on the next payout.
        available = max(0, -vendor_account_balance(order.vendor_id, VENDOR_AVAILABLE))
        from_available = min(rv, available)
        lines += [
            (VENDOR_AVAILABLE, from_available, order.vendor_id),
            (VENDOR_RECEIVABLE, rv - from_available, order.vendor_id),
        ]
    else:
        lines.append((VENDOR_PENDING, rv, order.vendor_id))
    lines += [(PLATFORM_COMMISSION, rc), (PROVIDER_CASH, -amount)]
    post_journal(
        "refund",
        lines,
        memo=f"{order.number}: {reason}"[:500],
        reference=refund.provider_ref,
        order_id=order.id,
        payment_id=payment.id,
        refund_id=refund.id,
        actor_id=actor.id if actor else None,
    )
    originals = {
        r.order_line_id: r
        for r in db.session.scalars(
            select(SpendingRecord).where(
                SpendingRecord.order_id == order.id, SpendingRecord.refund_id.is_(None)
            )
        ).all()
    }
    refunded_by_line = dict(
        db.session.execute(
            select(SpendingRecord.order_line_id, func.coalesce(func.sum(SpendingRecord.amount), 0))
            .where(SpendingRecord.order_id == order.id, SpendingRecord.refund_id.is_not(None))
            .group_by(SpendingRecord.order_line_id)
        ).all()
    )
    shares = rules.refund_line_shares(
        [ln.line_total + int(refunded_by_line.get(ln.id, 0)) for ln in order.lines], amount
    )
    for line, share in zip(order.lines, shares):
        original = originals.get(line.id)
        if not share or original is None:
            continue
        # Reversed in the sale's own period, so the mandate and the cap of that month are net.
        db.session.add(
            SpendingRecord(
                occurred_at=original.occurred_at,
                period=original.period,
                year=original.year,
                order_id=order.id,
                order_line_id=line.id,
                refund_id=refund.id,
                buyer_id=original.buyer_id,
                opd_id=original.opd_id,
                vendor_id=original.vendor_id,
                vendor_umk_class=original.vendor_umk_class,
                vendor_kelurahan=original.vendor_kelurahan,
                is_local_vendor=original.is_local_vendor,
                is_local_product=original.is_local_product,
                is_pdn=original.is_pdn,
                amount=-share,
            )
        )
    order.refunded_total = refunded_before + amount
    db.session.flush()
    return refund


def refund_order(actor: User, order_id: int, amount: int, reason: str) -> Refund:
    """Finance refunds part or all of a paid/accepted/ready/completed order through the provider.

    422 when `amount` exceeds what is left (paid − refunded); 409 not_refundable otherwise.
    """
    if actor.role not in ("finance", "admin"):
        raise Forbidden()
    order = db.session.scalar(_locked(select(Order).where(Order.id == order_id)))
    if order is None:
        raise NotFound("Pesanan tidak ditemukan.")
    if order.status not in REFUNDABLE:
        raise NotRefundable(
            f"Pesanan berstatus {order.status} tidak dapat dikembalikan dananya.",
            details={"status": order.status},
        )
    remaining = order.paid_amount - order.refunded_total
    if amount > remaining:
        raise ValidationFailed(
            "Jumlah melebihi sisa yang dapat dikembalikan.",
            details={"amount": [f"Maksimal {remaining}."]},
        )
    before = {"refunded_total": order.refunded_total}
    refund = _refund(order, amount, reason.strip(), actor)
    record_audit(
        actor,
        "refund.create",
        "order",
        order.id,
        before=before,
        after={"refunded_total": order.refunded_total, "refund_id": refund.id, "amount": amount},
        reason=reason.strip(),
    )
    db.session.commit()
    signals.order_refunded.send(order, refund=refund)
    return refund


def list_refunds(user: User, order_id: int) -> list[Refund]:
    """Refunds of one order the user may see."""
    order = get_order(user, order_id)
    return list(
        db.session.scalars(
            select(Refund).where(Refund.order_id == order.id).order_by(Refund.id)
        ).all()
    )


# ================================================================= caps and balances
def set_period_cap(admin: User, period: str, amount: int) -> FairShareCap:
    """An admin sets the per-vendor fair-share cap of one WIB period (audited)."""
    from marketplace.timeutil import is_period

    if not is_period(period):
        raise ValidationFailed(details={"period": ["Format YYYY-MM."]})
    cap = db.session.scalar(select(FairShareCap).where(FairShareCap.period == period))
    before = {"amount": cap.amount} if cap else None
    if cap is None:
        cap = FairShareCap(period=period, amount=amount)
        db.session.add(cap)
    else:
        cap.amount = amount
    record_audit(
        admin, "cap.set", "fair_share_cap", period, before=before, after={"amount": amount}
    )
    db.session.commit()
    return cap


def list_caps() -> dict[str, Any]:
    """Caps set per period, newest first, plus the default and the current period's cap."""
    caps = db.session.scalars(select(FairShareCap).order_by(FairShareCap.period.desc())).all()
    period = current_period()
    return {
        "items": list(caps),
        "default": int(current_app.config["FAIR_SHARE_CAP"]),
        "current_period": period,
        "current": cap_amount(period),
    }


def ledger_balances() -> dict[str, Any]:
    """Every ledger account's balance (debit positive); the total is always zero."""
    balances = {account: 0 for account in ACCOUNTS}
    balances.update(account_balances())
    return {"accounts": balances, "total": sum(balances.values())}


def vendor_order_counts(vendor_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(Order.status, func.count())
        .where(Order.vendor_id == vendor_id)
        .group_by(Order.status)
    ).all()
    return {status: n for status, n in rows}


__all__ = [
    "Vendor",
    "accept_order",
    "add_to_cart",
    "auto_complete_orders",
    "cancel_order",
    "complete_order",
    "confirm_receipt",
    "confirm_sandbox_payment",
    "expire_due_orders",
    "get_cart",
    "get_order",
    "get_payment",
    "ledger_balances",
    "list_caps",
    "list_orders",
    "list_refunds",
    "list_vendor_orders",
    "mark_order_ready",
    "place_checkout",
    "refund_order",
    "reject_order",
    "remove_cart_item",
    "set_cart_quantity",
    "set_period_cap",
]
