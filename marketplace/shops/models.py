"""Shops (vendors) and the history of every stock change."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    and_,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models_base import created_at_column
from marketplace.shops.rules import class_basis

if TYPE_CHECKING:
    from marketplace.accounts.models import User

# A koperasi is the fourth kind of seller (SPEC §3); it counts with small businesses (finance.rules).
VENDOR_TYPES = ("kelontong", "umkm", "food_centre", "koperasi")
VENDOR_STATUSES = ("pending", "verified", "suspended")
# Every PP 7/2021 business class a shop may have (only micro and small are UMK; finance.rules).
UMK_CLASSES = ("micro", "small", "medium", "large")


class Vendor(db.Model):
    __tablename__ = "vendors"
    __table_args__ = (
        CheckConstraint("type in ('kelontong','umkm','food_centre','koperasi')", name="type"),
        CheckConstraint("status in ('pending','verified','suspended')", name="status"),
        CheckConstraint("umk_class in ('micro','small','medium','large')", name="umk_class"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    nib: Mapped[str] = mapped_column(String(13))
    # 16 digits (primitives.parse_npwp); shown with the `npwp` filter.
    npwp: Mapped[str | None] = mapped_column(String(20))
    # A koperasi's nomor badan hukum (rules.normalise_koperasi_number); None for other kinds.
    legal_entity_number: Mapped[str | None] = mapped_column(String(100))
    pkp: Mapped[bool] = mapped_column(Boolean, default=False)
    # The shop's area by Kemendagri code; kelurahan/kecamatan are its names (or the names as
    # given while the city's areas are not loaded or the name is unresolved).
    area_code: Mapped[str | None] = mapped_column(ForeignKey("areas.code"), index=True)
    kelurahan: Mapped[str] = mapped_column(String(100), index=True)
    kecamatan: Mapped[str] = mapped_column(String(100), index=True)
    address: Mapped[str] = mapped_column(String(500))
    made_in_city: Mapped[bool] = mapped_column(Boolean, default=True)
    # PP 7/2021 class from the shop's reviewed declaration (or the default: micro, small for a
    # PKP); an admin override wins when set. Platform sales never change it, they raise a flag.
    umk_class: Mapped[str] = mapped_column(String(10), default="micro")
    umk_class_override: Mapped[str | None] = mapped_column(String(10))
    # The approved declaration `umk_class` comes from. No FOREIGN KEY: declarations point at
    # their vendor, and a cycle between the two tables would complicate creating and dropping.
    umk_class_declaration_id: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(30))  # E.164 (primitives.parse_phone)
    bank_name: Mapped[str | None] = mapped_column(String(100))
    bank_account_number: Mapped[str | None] = mapped_column(String(40))
    bank_account_name: Mapped[str | None] = mapped_column(String(200))
    stripe_account_id: Mapped[str | None] = mapped_column(String(64))
    status_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = created_at_column()
    verified_at: Mapped[datetime | None] = mapped_column(DateTime)

    owner: Mapped[User] = relationship(back_populates="vendor")
    open_class_flags: Mapped[list[BusinessClassFlag]] = relationship(
        primaryjoin=lambda: and_(
            BusinessClassFlag.vendor_id == Vendor.id, BusinessClassFlag.resolved_at.is_(None)
        ),
        viewonly=True,
        order_by=lambda: BusinessClassFlag.id,
    )

    @property
    def effective_umk_class(self) -> str:
        return self.umk_class_override or self.umk_class

    @property
    def umk_class_basis(self) -> str:
        """Where the class in force comes from: override, declaration or default."""
        return class_basis(self.umk_class_override, self.umk_class_declaration_id)

    @property
    def class_review_flag(self) -> bool:
        """True while a business-class flag of this shop waits for the city."""
        return bool(self.open_class_flags)

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


class BusinessClassDeclaration(db.Model):
    """A shop's declared annual sales (or capital, for a new business) with its evidence, which
    the city approves (setting the shop's PP 7/2021 class) or rejects with a reason."""

    __tablename__ = "business_class_declarations"
    __table_args__ = (
        CheckConstraint("basis in ('sales','capital')", name="basis"),
        CheckConstraint("source in ('oss_nib','spt','other')", name="source"),
        CheckConstraint("status in ('pending','approved','rejected')", name="status"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        # One declaration waiting for review per shop, also when two are sent at once.
        Index(
            "uq_business_class_declarations_one_pending",
            "vendor_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    basis: Mapped[str] = mapped_column(String(10))
    amount: Mapped[int] = mapped_column(BigInteger)
    year: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(String(1000))
    document_path: Mapped[str] = mapped_column(String(200))
    document_name: Mapped[str] = mapped_column(String(200))
    document_type: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The class the rule gave at approval (PKP floor included), kept as it was decided.
    decided_class: Mapped[str | None] = mapped_column(String(10))
    review_reason: Mapped[str | None] = mapped_column(String(1000))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = created_at_column()

    vendor: Mapped[Vendor] = relationship()
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])


class BusinessClassFlag(db.Model):
    """Something about a shop's class the city should look at: platform sales above what the
    declared class allows, or a `large` business (not UMK). Open until an admin resolves it."""

    __tablename__ = "business_class_flags"
    __table_args__ = (CheckConstraint("kind in ('platform_sales','large')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    umk_class: Mapped[str] = mapped_column(String(10))
    amount: Mapped[int] = mapped_column(BigInteger)  # annualised platform sales, or declared
    ceiling: Mapped[int | None] = mapped_column(BigInteger)  # the class's upper bound, if any
    declaration_id: Mapped[int | None] = mapped_column(ForeignKey("business_class_declarations.id"))
    created_at: Mapped[datetime] = created_at_column()
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[str | None] = mapped_column(String(1000))

    vendor: Mapped[Vendor] = relationship()
