"""The read side of payments: one payment for its buyer (or finance), the payment of an order,
and the public shape of a payment. Reads only: nothing here commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.ordering.models import Checkout, Order
from marketplace.payments.models import Payment


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


def payment_for_order(order: Order) -> Payment | None:
    """The one payment of the order's checkout (None before it exists)."""
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
