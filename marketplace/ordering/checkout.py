"""Checkout: the cart becomes one order per vendor under one payment, safe to retry (the
(buyer, Idempotency-Key) pair is unique and the first answer is replayed).
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from marketplace.accounts.models import User
from marketplace.errors import (
    IdempotencyConflict,
    MarketplaceError,
    ValidationFailed,
    VendorCapReached,
)
from marketplace.extensions import db
from marketplace.ledger.queries import vendors_at_cap
from marketplace.ledger.rules import channel_for_buyer
from marketplace.ledger.services import release_cap, reserve_cap
from marketplace.models_base import utcnow
from marketplace.ordering import rules
from marketplace.ordering.cart import cart_items, is_listed, require_buyer
from marketplace.ordering.errors import (
    CheckoutExpired,
    EmptyCart,
    IdempotencyInProgress,
    IdempotencyKeyRequired,
    ProductUnavailable,
)
from marketplace.ordering.lifecycle import expire_due_orders
from marketplace.ordering.locking import lock_orders, lock_vendors
from marketplace.ordering.models import CartItem, Checkout, Order, OrderEvent, OrderLine
from marketplace.ordering.schemas import OrderSchema
from marketplace.ordering.stock import release_stock, take_stock
from marketplace.payments import lifecycle as payment_lifecycle
from marketplace.payments.models import Payment
from marketplace.payments.providers import PaymentProviderError, provider_for
from marketplace.shops.models import StockMovement
from marketplace.timeutil import period_of


def _dump_order(order: Order) -> dict[str, Any]:
    return OrderSchema().dump(order)


def _find_checkout(buyer_id: int, key: str) -> Checkout | None:
    return db.session.scalar(
        select(Checkout).where(Checkout.buyer_id == buyer_id, Checkout.idempotency_key == key)
    )


def _replay(checkout: Checkout, request_hash: str) -> Checkout:
    """A retry with a known key: the stored answer, or the checkout finished now when its first
    request died between its two commits (see `_resume`)."""
    if checkout.request_hash != request_hash:
        raise IdempotencyConflict("Idempotency-Key ini sudah dipakai untuk permintaan lain.")
    if checkout.response_status is None:
        return _resume(checkout)
    return checkout


def _resume(checkout: Checkout) -> Checkout:
    """Finish a checkout whose first request stopped after taking the stock but before storing
    its answer (worker killed, provider call cut off): once it has been quiet for
    CHECKOUT_RESUME_AFTER_SECONDS, one retry claims it (a conditional UPDATE, so two retries
    cannot both) and makes the provider call again with the same deterministic idempotency key,
    so the provider answers with the payment it may already have opened. Younger than that →
    409 idempotency_in_progress (the first request may still be running)."""
    now = utcnow()
    cutoff = now - timedelta(seconds=int(current_app.config["CHECKOUT_RESUME_AFTER_SECONDS"]))
    claimed = db.session.execute(
        update(Checkout)
        .where(
            Checkout.id == checkout.id,
            Checkout.response_status.is_(None),
            func.coalesce(Checkout.attempted_at, Checkout.created_at) <= cutoff,
        )
        .values(attempted_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise IdempotencyInProgress("Checkout dengan kunci ini masih diproses; coba lagi sebentar.")
    payment = db.session.scalar(select(Payment).where(Payment.checkout_id == checkout.id))
    db.session.commit()
    db.session.refresh(checkout)
    if checkout.response_status is not None or payment is None:  # pragma: no cover - defensive
        raise IdempotencyInProgress()
    orders = _load_orders(checkout)
    if any(o.status != "pending_payment" for o in orders):
        # Expired (or cancelled) while nobody finished it: its stock went back then.
        _abandon_checkout(
            checkout,
            payment,
            CheckoutExpired(
                "Checkout ini terhenti sebelum pembayaran dibuat dan pesanannya sudah ditutup; "
                "silakan belanja ulang."
            ),
        )
        return checkout
    try:
        provider = provider_for(checkout.payment_method)
    except ValidationFailed as err:  # the method was switched off meanwhile
        _abandon_checkout(checkout, payment, err)
        return checkout
    return _open_provider_payment(checkout, payment, provider)


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
    """The answer to a checkout (stored on it, so a retry replays exactly this)."""
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
    a still-running first request → 409 idempotency_in_progress; a first request that died
    before storing its answer is finished by the retry after CHECKOUT_RESUME_AFTER_SECONDS
    (`_resume`). Raises 422 empty_cart, 409 out_of_stock / vendor_cap_reached /
    product_unavailable with nothing taken; the cap counts paid and unpaid unexpired orders,
    under the shops' row locks.
    """
    require_buyer(buyer)
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
        attempted_at=utcnow(),
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
    # locks are held while Stripe answers. If the worker dies right here, a retry with the same
    # key resumes from this point (`_resume`).
    return _open_provider_payment(checkout, payment, provider)


def _open_provider_payment(checkout: Checkout, payment: Payment, provider) -> Checkout:
    """Ask the provider to open the payment (its idempotency key is derived from the checkout,
    so asking twice opens one) and store the answer; a refusal is stored as the final answer
    and gives the stock back."""
    try:
        result = provider.create_payment(payment, checkout)
    except PaymentProviderError as err:
        _abandon_checkout(checkout, payment, err)
        return checkout
    payment_lifecycle.attach_provider_payment(payment, result)
    body = checkout_body(checkout, payment)
    checkout.response_status = 201
    checkout.response_body = body
    db.session.commit()
    # The route answers with these two columns: keep them loaded instead of re-reading the row
    # (on SQLite that read would open a write-locking transaction just to fetch what we wrote).
    set_committed_value(checkout, "response_status", 201)
    set_committed_value(checkout, "response_body", body)
    return checkout


def add_order_lines(
    order: Order, vendor_pkp: bool, items: Iterable[tuple[Any, int, int]], bps: int
) -> None:
    """Append one line per (product, quantity, unit price) to a new order, freezing the
    product's flags, and set its total, VAT and commission (checkout and office purchases)."""
    total = vat_total = 0
    for product, quantity, unit_price in items:
        line_total = unit_price * quantity
        vat = rules.line_vat(line_total, vendor_pkp=vendor_pkp, vat_exempt=product.vat_exempt)
        order.lines.append(
            OrderLine(
                product_id=product.id,
                name=product.name,
                unit=product.unit,
                quantity=quantity,
                unit_price=unit_price,
                line_total=line_total,
                vat=vat,
                is_local_product=product.is_local_product,
                is_pdn=product.is_pdn,
                tkdn_bps=product.tkdn_bps if product.is_pdn else None,
                vat_exempt=product.vat_exempt,
            )
        )
        total += line_total
        vat_total += vat
    order.total, order.vat_total = total, vat_total
    order.commission = rules.commission_for(total, bps)


def _create_orders(buyer: User, checkout: Checkout) -> Payment:
    items = cart_items(buyer.id, CartItem.product_id)
    if not items:
        raise EmptyCart("Keranjang masih kosong.")
    for item in items:
        if not is_listed(item.product):
            raise ProductUnavailable(
                f"{item.product.name} tidak dijual lagi; hapus dari keranjang.",
                details={"product_id": item.product_id, "name": item.product.name},
            )
    by_vendor: OrderedDict[int, list[CartItem]] = OrderedDict()
    for item in sorted(items, key=lambda i: (i.product.vendor_id, i.product_id)):
        by_vendor.setdefault(item.product.vendor_id, []).append(item)
    # Checkouts of one shop count its cap one at a time: without the lock, twenty buyers arriving
    # together all read the same sales and all pass (issue 10). The count includes unpaid orders
    # (cap reservations), so the lock is held only until this transaction commits.
    lock_vendors(by_vendor)
    capped = vendors_at_cap(by_vendor)
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
        stock_after[item.product_id] = take_stock(item.product, item.quantity)

    now = utcnow()
    expires = now + timedelta(minutes=int(current_app.config["ORDER_EXPIRY_MINUTES"]))
    bps = int(current_app.config.get("PLATFORM_COMMISSION_BPS", 0))
    grand_total = 0
    claims: list[tuple[int, int, int]] = []
    for vendor_id, vitems in by_vendor.items():
        vendor = vitems[0].product.vendor
        order = Order(
            checkout=checkout,
            buyer_id=buyer.id,
            vendor_id=vendor_id,
            channel=channel_for_buyer(buyer.role),
            status="pending_payment",
            fulfilment=checkout.fulfilment,
            address=checkout.address,
            total=0,
            number="tmp-" + uuid.uuid4().hex[:28],
            expires_at=expires,
            created_at=now,
        )
        add_order_lines(
            order, vendor.pkp, ((i.product, i.quantity, i.product.price) for i in vitems), bps
        )
        order.events.append(
            OrderEvent(
                from_status=None, to_status="pending_payment", actor_id=buyer.id, created_at=now
            )
        )
        db.session.add(order)
        db.session.flush()
        order.number = rules.order_number(period_of(now), order.id)
        claims.append((order.id, vendor_id, order.total))
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
        grand_total += order.total
    # The orders' claims on their shops' caps, written while the shops' rows are still locked.
    reserve_cap(claims, period_of(now), expires)
    checkout.total = grand_total
    payment = payment_lifecycle.open_payment(checkout, grand_total)
    db.session.execute(delete(CartItem).where(CartItem.user_id == buyer.id))
    db.session.flush()
    return payment


def _abandon_checkout(checkout: Checkout, payment: Payment, err: MarketplaceError) -> None:
    """No payment can be opened (the provider refused, or the checkout's orders closed while it
    stalled): give back the stock of orders still waiting and store the error answer, so a retry
    with the same key gets the same answer instead of a second attempt."""
    pending = [
        o for o in lock_orders([o.id for o in checkout.orders]) if o.status == "pending_payment"
    ]
    for order in pending:
        order.transition_to("cancelled", note="Pembayaran tidak dapat dibuat.")
        release_stock(order, None)
    release_cap([o.id for o in pending])
    if payment.status == "requires_payment":
        payment_lifecycle.mark_failed(payment, err.message)
    checkout.response_status = err.status
    checkout.response_body = err.to_dict()
    db.session.commit()
