"""Payout runs and payouts: money that leaves the platform for a vendor.

A payout row never holds a balance on its own: the vendor's balances come from the ledger, and
each payout state change posts its journal (`payout`, `payout_paid`, `payout_reversal`).
"""

from __future__ import annotations

from datetime import date, datetime
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

from marketplace.accounts.models import User
from marketplace.errors import InvalidTransition
from marketplace.extensions import db
from marketplace.models_base import created_at_column, money_column, utcnow
from marketplace.payouts import rules
from marketplace.shops.models import Vendor


class PayoutRun(db.Model):
    """One press of "run payouts": the payouts it created and the vendors it had to skip."""

    __tablename__ = "payout_runs"
    __table_args__ = (CheckConstraint("adapter in ('manual','stripe')", name="adapter"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    adapter: Mapped[str] = mapped_column(String(10), default="manual")
    as_of: Mapped[datetime | None] = mapped_column(DateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    total: Mapped[int] = money_column(default=0)
    # Vendors with money available that got no payout, e.g. no bank account: [{vendor_id, ...}]
    flagged: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = created_at_column()

    actor: Mapped[User | None] = relationship()
    payouts: Mapped[list[Payout]] = relationship(back_populates="run", order_by="Payout.id")

    @property
    def payout_count(self) -> int:
        return len(self.payouts)


class Payout(db.Model):
    __tablename__ = "payouts"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("debt_netted >= 0", name="debt_not_negative"),
        CheckConstraint(
            "status in ('pending','exported','paid','failed','cancelled')", name="status"
        ),
        CheckConstraint("adapter in ('manual','stripe')", name="adapter"),
        UniqueConstraint("run_id", "vendor_id", name="uq_payouts_run_vendor"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("payout_runs.id"), index=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    adapter: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    amount: Mapped[int] = money_column()
    debt_netted: Mapped[int] = money_column(default=0)
    # Bank details frozen when the payout was created: the file must match what was approved.
    bank_name: Mapped[str | None] = mapped_column(String(100))
    bank_account_number: Mapped[str | None] = mapped_column(String(40))
    bank_account_name: Mapped[str | None] = mapped_column(String(200))
    stripe_account_id: Mapped[str | None] = mapped_column(String(64))
    provider_ref: Mapped[str | None] = mapped_column(String(100), unique=True)
    bank_reference: Mapped[str | None] = mapped_column(String(100))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped after each definitive Stripe refusal, so the next attempt gets a fresh key.
    key_seq: Mapped[int] = mapped_column(Integer, default=0)
    failure_code: Mapped[str | None] = mapped_column(String(60))
    failure_message: Mapped[str | None] = mapped_column(Text)
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    exported_at: Mapped[datetime | None] = mapped_column(DateTime)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime)
    failed_at: Mapped[datetime | None] = mapped_column(DateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)

    run: Mapped[PayoutRun] = relationship(back_populates="payouts")
    vendor: Mapped[Vendor] = relationship()

    @property
    def reference(self) -> str:
        return rules.payout_reference(self.id)

    @property
    def expected_by(self) -> date | None:
        """When the money should reach the shop (rules.expected_by: working days)."""
        return rules.expected_by(self.created_at, self.status)

    @property
    def idempotency_key(self) -> str:
        return rules.transfer_idempotency_key(self.id, self.key_seq)

    @property
    def can_mark_paid(self) -> bool:
        return rules.can_transition(self.adapter, self.status, "paid") and self.adapter == "manual"

    @property
    def can_retry(self) -> bool:
        return self.adapter == "stripe" and self.status in rules.RETRYABLE

    @property
    def can_cancel(self) -> bool:
        return rules.can_transition(self.adapter, self.status, "cancelled")

    def transition_to(self, status: str) -> None:
        """Move the payout along its state machine; raises InvalidTransition otherwise."""
        if not rules.can_transition(self.adapter, self.status, status):
            raise InvalidTransition(
                f"Payout {self.reference} cannot go from {self.status} to {status}.",
                details={"from": self.status, "to": status, "adapter": self.adapter},
            )
        self.status = status
        now = utcnow()
        stamp = {
            "exported": "exported_at",
            "paid": "paid_at",
            "failed": "failed_at",
            "cancelled": "cancelled_at",
        }.get(status)
        if stamp:
            setattr(self, stamp, now)
