"""Carts, checkouts (one per Idempotency-Key), orders (one per vendor) and their lines."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.catalog.models import Product
from marketplace.errors import InvalidTransition
from marketplace.extensions import db
from marketplace.models_base import created_at_column, money_column, utcnow
from marketplace.shops.models import Vendor

ORDER_STATUSES = (
    "pending_payment",
    "placed",
    "paid",
    "accepted",
    "ready",
    "delivered",
    "received",
    "completed",
    "expired",
    "cancelled",
    "rejected",
)

# How an order is paid: `prepaid` (the buyer pays at checkout, the order waits in
# pending_payment) or `invoice` (an office's purchase: placed at its PPK's approval, paid later by
# the office's treasurer; see marketplace.ordering.procurement_port).
PAYMENT_TERMS = ("prepaid", "invoice")

# SPEC §3: transitions only move forward; anything else is 409 invalid_transition.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "pending_payment": ("paid", "expired", "cancelled"),
    # An order on invoice (an office's purchase, approved by its PPK): placed with the shop,
    # paid later by the office's treasurer; it never expires and never meets a card payment.
    "placed": ("accepted", "cancelled", "rejected"),
    "paid": ("accepted", "cancelled", "rejected"),
    # `delivered`: an office's order (invoice terms only) the shop handed over, recorded with the
    # date and who received it; the office's BAST confirms the receipt next.
    "accepted": ("ready", "delivered"),
    "ready": ("completed", "delivered"),
    # `received`: the office confirmed the receipt with its BAST (procurement.bast); the
    # treasurer's payment follows.
    "delivered": ("received",),
    "received": (),
    "completed": (),
    "expired": (),
    "cancelled": (),
    "rejected": (),
}


class CartItem(db.Model):
    __tablename__ = "cart_items"
    __table_args__ = (
        UniqueConstraint("user_id", "product_id", name="uq_cart_items_user_product"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = created_at_column()

    product: Mapped[Product] = relationship()


class Checkout(db.Model):
    """One cart turned into orders under one payment. (buyer, Idempotency-Key) is unique, and the
    first answer is stored so a retry replays it instead of checking out twice."""

    __tablename__ = "checkouts"
    __table_args__ = (
        UniqueConstraint("buyer_id", "idempotency_key", name="uq_checkouts_buyer_key"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    total: Mapped[int] = money_column(default=0)
    fulfilment: Mapped[str] = mapped_column(String(20), default="pickup")
    address: Mapped[str | None] = mapped_column(String(500))
    payment_method: Mapped[str] = mapped_column(String(20), default="sandbox")
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # When the provider call was last started (the first request, or a retry that resumed a
    # checkout whose worker died before storing its answer): a retry may take over only once
    # this is older than CHECKOUT_RESUME_AFTER_SECONDS.
    attempted_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = created_at_column()

    buyer: Mapped[User] = relationship()
    orders: Mapped[list[Order]] = relationship(back_populates="checkout", order_by="Order.id")


class Order(db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("total >= 0", name="total_not_negative"),
        CheckConstraint(
            "refunded_total >= 0 and refunded_total <= total", name="refund_within_total"
        ),
        # expire_due_orders() runs before every cart, checkout and order list: "pending_payment
        # and expires_at <= now" must be an index range, not a scan over every order ever paid.
        Index("ix_orders_status_expires_at", "status", "expires_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    checkout_id: Mapped[int] = mapped_column(ForeignKey("checkouts.id"), index=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    # Whose money: asn_personal | public | opd_procurement (ledger.rules), fixed at checkout.
    channel: Mapped[str] = mapped_column(String(20), default="public")
    payment_terms: Mapped[str] = mapped_column(
        String(20), default="prepaid", server_default="prepaid"
    )
    # An office's purchase (channel opd_procurement): the OPD and the budget line (kode rekening
    # belanja) it is charged to. Empty for a person's order.
    opd_id: Mapped[int | None] = mapped_column(ForeignKey("opds.id"), index=True)
    budget_line: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="pending_payment", index=True)
    fulfilment: Mapped[str] = mapped_column(String(20), default="pickup")
    address: Mapped[str | None] = mapped_column(String(500))
    total: Mapped[int] = money_column()
    vat_total: Mapped[int] = money_column(default=0)
    commission: Mapped[int] = money_column(default=0)
    refunded_total: Mapped[int] = money_column(default=0)
    # PPN returned by refunds (the refunded lines' VAT); vat_total stays the VAT charged at checkout.
    refunded_vat: Mapped[int] = money_column(default=0)
    status_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime)
    ready_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The delivery of an office's order, as the shop records it (ordering.lifecycle.record_delivery):
    # when it was recorded, the (local) day of the hand-over, who at the office received it.
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime)
    delivered_on: Mapped[date | None] = mapped_column(Date)
    delivery_received_by: Mapped[str | None] = mapped_column(String(120))
    delivery_note: Mapped[str | None] = mapped_column(String(500))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)

    checkout: Mapped[Checkout] = relationship(back_populates="orders")
    buyer: Mapped[User] = relationship()
    vendor: Mapped[Vendor] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[OrderEvent]] = relationship(
        back_populates="order", order_by="OrderEvent.id", cascade="all, delete-orphan"
    )

    def can_transition_to(self, status: str) -> bool:
        if status in ("delivered", "received") and self.payment_terms != "invoice":
            return False  # a person's order completes by their own confirmation
        return status in TRANSITIONS.get(self.status, ())

    def transition_to(
        self, status: str, *, actor: User | None = None, note: str | None = None
    ) -> None:
        """Move the order forward and record the step; raises InvalidTransition otherwise."""
        if not self.can_transition_to(status):
            raise InvalidTransition(
                f"Order {self.number} cannot go from {self.status} to {status}.",
                details={"from": self.status, "to": status},
            )
        previous, self.status = self.status, status
        now = utcnow()
        stamp = {
            "paid": "paid_at",
            "accepted": "accepted_at",
            "ready": "ready_at",
            "delivered": "delivered_at",
            "completed": "completed_at",
        }.get(status)
        if stamp:
            setattr(self, stamp, now)
        if status in ("expired", "cancelled", "rejected"):
            self.closed_at = now
        if note:
            self.status_reason = note
        self.events.append(
            OrderEvent(
                from_status=previous,
                to_status=status,
                actor_id=actor.id if actor else None,
                note=note,
                created_at=now,
            )
        )

    @property
    def paid_amount(self) -> int:
        return self.total if self.paid_at else 0

    @property
    def net_vat(self) -> int:
        """The PPN the order still carries: charged at checkout less what refunds returned."""
        return self.vat_total - self.refunded_vat


class OrderLine(db.Model):
    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(
            "refunded_amount >= 0 and refunded_amount <= line_total", name="refund_within_line"
        ),
        CheckConstraint(
            "refunded_quantity >= 0 and refunded_quantity <= quantity",
            name="refund_quantity_within_line",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = money_column()
    line_total: Mapped[int] = money_column()
    vat: Mapped[int] = money_column(default=0)
    # Frozen at checkout so reports do not change when the product is edited later.
    is_local_product: Mapped[bool] = mapped_column(default=False)
    is_pdn: Mapped[bool] = mapped_column(default=False)
    tkdn_bps: Mapped[int | None] = mapped_column(Integer)  # TKDN as reviewed, PDN lines only
    vat_exempt: Mapped[bool] = mapped_column(default=False)
    # What refunds took off this line so far (kept by ordering.refunds, the only writer; the
    # refund_lines rows name each refund's part). Quantity counts only refunds by quantity.
    refunded_quantity: Mapped[int] = mapped_column(Integer, default=0)
    refunded_amount: Mapped[int] = money_column(default=0)
    refunded_vat: Mapped[int] = money_column(default=0)

    order: Mapped[Order] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()


class OrderEvent(db.Model):
    """The status timeline of an order."""

    __tablename__ = "order_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()

    order: Mapped[Order] = relationship(back_populates="events")
