"""Shops (vendors) and the history of every stock change."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models_base import created_at_column

if TYPE_CHECKING:
    from marketplace.accounts.models import User

VENDOR_TYPES = ("kelontong", "umkm", "food_centre")
VENDOR_STATUSES = ("pending", "verified", "suspended")
UMK_CLASSES = ("micro", "small", "medium")


class Vendor(db.Model):
    __tablename__ = "vendors"
    __table_args__ = (
        CheckConstraint("type in ('kelontong','umkm','food_centre')", name="type"),
        CheckConstraint("status in ('pending','verified','suspended')", name="status"),
        CheckConstraint("umk_class in ('micro','small','medium')", name="umk_class"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    nib: Mapped[str] = mapped_column(String(13))
    npwp: Mapped[str | None] = mapped_column(String(20))
    pkp: Mapped[bool] = mapped_column(Boolean, default=False)
    kelurahan: Mapped[str] = mapped_column(String(100), index=True)
    kecamatan: Mapped[str] = mapped_column(String(100), index=True)
    address: Mapped[str] = mapped_column(String(500))
    made_in_city: Mapped[bool] = mapped_column(Boolean, default=True)
    # Derived from rolling 12-month sales (PP 7/2021); an admin override wins when set.
    umk_class: Mapped[str] = mapped_column(String(10), default="micro")
    umk_class_override: Mapped[str | None] = mapped_column(String(10))
    description: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(30))
    bank_name: Mapped[str | None] = mapped_column(String(100))
    bank_account_number: Mapped[str | None] = mapped_column(String(40))
    bank_account_name: Mapped[str | None] = mapped_column(String(200))
    stripe_account_id: Mapped[str | None] = mapped_column(String(64))
    status_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = created_at_column()
    verified_at: Mapped[datetime | None] = mapped_column(DateTime)

    owner: Mapped[User] = relationship(back_populates="vendor")

    @property
    def effective_umk_class(self) -> str:
        return self.umk_class_override or self.umk_class

    @property
    def is_verified(self) -> bool:
        return self.status == "verified"


STOCK_REASONS = ("initial", "sale", "release", "restock", "correction", "import")


class StockMovement(db.Model):
    """Append-only: every change of a product's stock, so the history always adds up to it."""

    __tablename__ = "stock_movements"
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    delta: Mapped[int] = mapped_column(Integer)
    stock_after: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(String(500))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    created_at: Mapped[datetime] = created_at_column()

    actor: Mapped[User | None] = relationship()
