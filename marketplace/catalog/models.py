"""Categories and products. Stock and price belong to the vendor's product row."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
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

if TYPE_CHECKING:  # a runtime import would load the vendor package (and its routes) mid-import
    from marketplace.shops.models import Vendor


class Category(db.Model):
    __tablename__ = "categories"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str | None] = mapped_column(String(100))


class Product(db.Model):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("price > 0", name="price_positive"),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        UniqueConstraint("vendor_id", "sku", name="uq_products_vendor_sku"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    sku: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(20))
    price: Mapped[int] = money_column()
    stock: Mapped[int] = mapped_column(Integer, default=0)
    low_stock_threshold: Mapped[int] = mapped_column(Integer, default=5)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    # The *effective* flags: approved by the city (shops.flag_reviews). Checkout freezes them on
    # the order line, the catalogue shows them; until approved a product is not PDN, not local and
    # taxable. The shop's claims are the claimed_* columns, each true claim with a review row.
    is_local_product: Mapped[bool] = mapped_column(Boolean, default=False)
    is_pdn: Mapped[bool] = mapped_column(Boolean, default=False)
    vat_exempt: Mapped[bool] = mapped_column(Boolean, default=False)
    # Approved TKDN in basis points (4356 = 43,56 %); 0…10 000 is checked by the schemas (a CHECK
    # here would make SQLite rebuild the products table, which its foreign keys refuse).
    tkdn_bps: Mapped[int | None] = mapped_column(Integer)
    claimed_local_product: Mapped[bool] = mapped_column(Boolean, default=False)
    claimed_pdn: Mapped[bool] = mapped_column(Boolean, default=False)
    claimed_vat_exempt: Mapped[bool] = mapped_column(Boolean, default=False)
    claimed_tkdn_bps: Mapped[int | None] = mapped_column(Integer)
    image_path: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    vendor: Mapped[Vendor] = relationship()
    category: Mapped[Category] = relationship()
    flag_reviews: Mapped[list[ProductFlagReview]] = relationship(
        back_populates="product", order_by="ProductFlagReview.id"
    )

    # Not a column: catalog.services sets it once it knows whether the shop reached the
    # fair-share cap this period (None = not checked), so dumping needs no query per product.
    cap_reached = None

    def claimed(self, flag: str) -> tuple[bool, int | None]:
        """The shop's claim of one flag (for PDN with its TKDN)."""
        if flag == "is_pdn":
            return (bool(self.claimed_pdn), self.claimed_tkdn_bps if self.claimed_pdn else None)
        return (bool(getattr(self, f"claimed_{flag.removeprefix('is_')}")), None)

    def effective(self, flag: str) -> tuple[bool, int | None]:
        """The approved value of one flag (for PDN with its TKDN)."""
        if flag == "is_pdn":
            return (bool(self.is_pdn), self.tkdn_bps if self.is_pdn else None)
        return (bool(getattr(self, flag)), None)

    def latest_review(self, flag: str) -> ProductFlagReview | None:
        """The newest review row of one flag (the relationship is loaded with the product)."""
        rows = [r for r in self.flag_reviews if r.flag == flag]
        return rows[-1] if rows else None

    @property
    def is_listed(self) -> bool:
        """Listed = active product of a verified vendor (the cap is checked separately)."""
        return self.is_active and self.vendor.status == "verified"


class ProductFlagReview(db.Model):
    """One claim of one product flag (PDN with TKDN, local product, VAT-exempt) and the city's
    decision. `pending` until an admin approves or rejects it with a reason; `withdrawn` when the
    shop changed the claim again before a decision. Append-only apart from the decision."""

    __tablename__ = "product_flag_reviews"
    __table_args__ = (
        CheckConstraint("flag in ('is_pdn','is_local_product','vat_exempt')", name="flag_known"),
        CheckConstraint(
            "status in ('pending','approved','rejected','withdrawn')", name="status_known"
        ),
        CheckConstraint("tkdn_bps BETWEEN 0 AND 10000", name="tkdn_bps_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    flag: Mapped[str] = mapped_column(String(20))
    tkdn_bps: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    reason: Mapped[str | None] = mapped_column(String(500))
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = created_at_column()
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)

    product: Mapped[Product] = relationship(back_populates="flag_reviews")
