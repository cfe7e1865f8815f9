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
    is_local_product: Mapped[bool] = mapped_column(Boolean, default=False)
    is_pdn: Mapped[bool] = mapped_column(Boolean, default=True)
    vat_exempt: Mapped[bool] = mapped_column(Boolean, default=False)
    image_path: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    vendor: Mapped[Vendor] = relationship()
    category: Mapped[Category] = relationship()

    # Not a column: catalog.services sets it once it knows whether the shop reached the
    # fair-share cap this period (None = not checked), so dumping needs no query per product.
    cap_reached = None

    @property
    def is_listed(self) -> bool:
        """Listed = active product of a verified vendor (the cap is checked separately)."""
        return self.is_active and self.vendor.status == "verified"
