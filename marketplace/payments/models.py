"""Payments (one per checkout), refunds, and the Stripe events already processed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models_base import created_at_column, money_column, utcnow
from marketplace.ordering.models import Checkout, Order, OrderLine

PAYMENT_STATUSES = ("requires_payment", "processing", "succeeded", "failed", "canceled")


class Payment(db.Model):
    __tablename__ = "payments"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    checkout_id: Mapped[int] = mapped_column(ForeignKey("checkouts.id"), unique=True)
    provider: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="requires_payment", index=True)
    amount: Mapped[int] = money_column()
    provider_ref: Mapped[str | None] = mapped_column(String(100), unique=True)
    client_secret: Mapped[str | None] = mapped_column(String(255))
    failure_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    checkout: Mapped[Checkout] = relationship()


class Refund(db.Model):
    __tablename__ = "refunds"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    amount: Mapped[int] = money_column()
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="succeeded")
    provider_ref: Mapped[str | None] = mapped_column(String(100), unique=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # How the refund was split in the ledger (frozen): commission part and vendor part.
    commission_share: Mapped[int] = money_column(default=0)
    vendor_share: Mapped[int] = money_column(default=0)
    created_at: Mapped[datetime] = created_at_column()

    order: Mapped[Order] = relationship()
    payment: Mapped[Payment] = relationship()
    lines: Mapped[list[RefundLine]] = relationship(
        back_populates="refund", order_by="RefundLine.id", cascade="all, delete-orphan"
    )

    @property
    def vat(self) -> int:
        """The PPN this refund returned (its lines' VAT)."""
        return sum(rl.vat for rl in self.lines)


class RefundLine(db.Model):
    """The part of a refund one order line carries: every refund names its lines (a whole-order
    refund one row per line share). `quantity` is set only for a refund by quantity."""

    __tablename__ = "refund_lines"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("vat >= 0 and vat <= amount", name="vat_within_amount"),
        CheckConstraint("quantity is null or quantity > 0", name="quantity_positive"),
        UniqueConstraint("refund_id", "order_line_id", name="uq_refund_lines_refund_line"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    refund_id: Mapped[int] = mapped_column(ForeignKey("refunds.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    quantity: Mapped[int | None] = mapped_column(Integer)
    amount: Mapped[int] = money_column()
    vat: Mapped[int] = money_column(default=0)

    refund: Mapped[Refund] = relationship(back_populates="lines")
    order_line: Mapped[OrderLine] = relationship()

    @property
    def dpp(self) -> int:
        """Dasar pengenaan pajak of the returned part: the amount without its PPN."""
        return self.amount - self.vat


class StripeEvent(db.Model):
    """Each Stripe event id takes effect once: the insert and the effect share a transaction."""

    __tablename__ = "stripe_events"
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    account: Mapped[str | None] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = created_at_column()
