"""Office roles and purchase requests (the office's cart is its officer's draft request)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import Opd, User
from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.models_base import created_at_column, money_column
from marketplace.ordering.models import Checkout, Order
from marketplace.shops.models import Vendor


class OfficeRole(db.Model):
    """One procurement role (`procurement.rules.OFFICE_ROLES`) held by a civil servant of the
    OPD; a person may hold several. Assigned and removed by an admin (audited)."""

    __tablename__ = "office_roles"
    __table_args__ = (
        UniqueConstraint("opd_id", "user_id", "role", name="uq_office_roles_opd_user_role"),
        CheckConstraint("role in ('officer','ppk','treasurer','head')", name="role"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    opd_id: Mapped[int] = mapped_column(ForeignKey("opds.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = created_at_column()

    opd: Mapped[Opd] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class PurchaseRequest(db.Model):
    """An office's purchase: a draft (the officer's office cart), then submitted with its lines
    priced, then approved (orders placed on invoice, `checkout_id`), rejected or cancelled."""

    __tablename__ = "purchase_requests"
    __table_args__ = (
        CheckConstraint(
            "status in ('draft','submitted','approved','rejected','cancelled')", name="status"
        ),
        CheckConstraint("total >= 0", name="total_not_negative"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    opd_id: Mapped[int] = mapped_column(ForeignKey("opds.id"), index=True)
    # PR/DINKOPDAG/2026/0001, given at submission (a draft has none).
    number: Mapped[str | None] = mapped_column(String(64), unique=True)
    year: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    budget_line: Mapped[str | None] = mapped_column(String(40))
    activity: Mapped[str | None] = mapped_column(String(200))
    purpose: Mapped[str | None] = mapped_column(Text)
    total: Mapped[int] = money_column(default=0)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    checkout_id: Mapped[int | None] = mapped_column(ForeignKey("checkouts.id"))
    created_at: Mapped[datetime] = created_at_column()

    opd: Mapped[Opd] = relationship()
    officer: Mapped[User] = relationship(foreign_keys=[officer_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    checkout: Mapped[Checkout | None] = relationship()
    lines: Mapped[list[PurchaseRequestLine]] = relationship(
        back_populates="request",
        order_by="PurchaseRequestLine.id",
        cascade="all, delete-orphan",
    )
    events: Mapped[list[PurchaseRequestEvent]] = relationship(
        back_populates="request",
        order_by="PurchaseRequestEvent.id",
        cascade="all, delete-orphan",
    )


class PurchaseRequestLine(db.Model):
    """A product and quantity; name, unit, shop and price are frozen at submission."""

    __tablename__ = "purchase_request_lines"
    __table_args__ = (
        UniqueConstraint("request_id", "product_id", name="uq_purchase_request_lines_product"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_requests.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    vendor_id: Mapped[int | None] = mapped_column(ForeignKey("vendors.id"))
    name: Mapped[str | None] = mapped_column(String(200))
    unit: Mapped[str | None] = mapped_column(String(20))
    unit_price: Mapped[int | None] = money_column(nullable=True)
    line_total: Mapped[int | None] = money_column(nullable=True)

    request: Mapped[PurchaseRequest] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()


class PurchaseRequestEvent(db.Model):
    """The history of a request: each step, who took it and why."""

    __tablename__ = "purchase_request_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_requests.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()

    request: Mapped[PurchaseRequest] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class Bast(db.Model):
    """The office's berita acara serah terima of one delivered order: numbered
    BAST/<OPD>/<year>/0001 per office and local year, made by its officer or PPK (the order
    becomes `received`), printed as a PDF and uploaded back signed (`scan_*`, a file in
    EVIDENCE_FOLDER/bast, never public). One per order (procurement.bast)."""

    __tablename__ = "basts"
    __table_args__ = (
        UniqueConstraint("order_id", name="uq_basts_order_id"),
        CheckConstraint("total >= 0", name="total_not_negative"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    opd_id: Mapped[int] = mapped_column(ForeignKey("opds.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    request_id: Mapped[int] = mapped_column(ForeignKey("purchase_requests.id"), index=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(500))
    total: Mapped[int] = money_column()
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    scan_path: Mapped[str | None] = mapped_column(String(200))
    scan_name: Mapped[str | None] = mapped_column(String(200))
    scan_type: Mapped[str | None] = mapped_column(String(10))
    scan_uploaded_at: Mapped[datetime | None] = mapped_column(DateTime)
    scan_uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = created_at_column()

    opd: Mapped[Opd] = relationship()
    order: Mapped[Order] = relationship()
    request: Mapped[PurchaseRequest] = relationship()
    vendor: Mapped[Vendor] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    scan_uploaded_by: Mapped[User | None] = relationship(foreign_keys=[scan_uploaded_by_id])

    @property
    def has_scan(self) -> bool:
        return bool(self.scan_path)

    @property
    def scan(self) -> Bast | None:
        """The BAST itself when its signed scan is uploaded (the API nests the scan's fields)."""
        return self if self.scan_path else None
