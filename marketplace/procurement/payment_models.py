"""The treasurer's payments of an office's orders, the taxes withheld from them and their deposit
(issue 12, deliverables 3 and 4)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import Opd, User
from marketplace.extensions import db
from marketplace.models_base import created_at_column, money_column
from marketplace.ordering.models import Order
from marketplace.procurement.models import PurchaseRequest
from marketplace.shops.models import Vendor


class OpdPayment(db.Model):
    """One order on invoice paid by the office's treasurer, with the taxes as assessed then
    (`procurement.tax_rules.assess`, frozen: a reprint says the same). One per order: paying
    twice is refused by the unique order."""

    __tablename__ = "opd_payments"
    __table_args__ = (
        CheckConstraint("method in ('sp2d','kkpd','up_gu')", name="method"),
        CheckConstraint("gross = net_payable + ppn_collected + pph22", name="net_plus_withheld"),
        CheckConstraint("gross = dpp + ppn", name="dpp_plus_ppn"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    opd_id: Mapped[int] = mapped_column(ForeignKey("opds.id"), index=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("purchase_requests.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    method: Mapped[str] = mapped_column(String(10))
    reference: Mapped[str] = mapped_column(String(64))  # SP2D number, KKPD reference, UP/GU receipt
    paid_on: Mapped[date] = mapped_column(Date)
    year: Mapped[int] = mapped_column(Integer)  # local year of the recording: document numbers
    regime: Mapped[str] = mapped_column(String(20))
    collector: Mapped[str] = mapped_column(String(20))
    shop_pkp: Mapped[bool] = mapped_column(Boolean)
    shop_has_npwp: Mapped[bool] = mapped_column(Boolean)
    gross: Mapped[int] = money_column()
    dpp: Mapped[int] = money_column()
    ppn: Mapped[int] = money_column()
    ppn_collected: Mapped[int] = money_column()
    pph22_rate_bps: Mapped[int] = mapped_column(Integer)  # 150 = 1,5%; doubled without NPWP
    pph22: Mapped[int] = money_column()
    net_payable: Mapped[int] = money_column()
    commission: Mapped[int] = money_column(default=0)
    pph22_object_code: Mapped[str | None] = mapped_column(String(20))
    journal_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = created_at_column()

    opd: Mapped[Opd] = relationship()
    request: Mapped[PurchaseRequest] = relationship()
    order: Mapped[Order] = relationship()
    vendor: Mapped[Vendor] = relationship()
    recorded_by: Mapped[User] = relationship()
    lines: Mapped[list[OpdPaymentLine]] = relationship(
        back_populates="payment", order_by="OpdPaymentLine.id", cascade="all, delete-orphan"
    )
    withholdings: Mapped[list[TaxWithholding]] = relationship(
        back_populates="payment", order_by="TaxWithholding.id"
    )

    @property
    def withheld(self) -> int:
        return self.ppn_collected + self.pph22


class OpdPaymentLine(db.Model):
    """The taxes of one order line of a payment (the transaction register's PPh column)."""

    __tablename__ = "opd_payment_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(
        ForeignKey("opd_payments.id", ondelete="CASCADE"), index=True
    )
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), unique=True)
    line_total: Mapped[int] = money_column()
    dpp: Mapped[int] = money_column()
    ppn: Mapped[int] = money_column()
    ppn_collected: Mapped[int] = money_column()
    pph22: Mapped[int] = money_column()
    net_payable: Mapped[int] = money_column()

    payment: Mapped[OpdPayment] = relationship(back_populates="lines")


class TaxDeposit(db.Model):
    """The deposit of withheld taxes of one kind to the state, proven by its NTPN."""

    __tablename__ = "opd_tax_deposits"
    __table_args__ = (
        CheckConstraint("tax in ('ppn','pph22')", name="tax"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    opd_id: Mapped[int] = mapped_column(ForeignKey("opds.id"), index=True)
    tax: Mapped[str] = mapped_column(String(10))
    ntpn: Mapped[str] = mapped_column(String(16), unique=True)
    deposited_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[int] = money_column()
    journal_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = created_at_column()

    opd: Mapped[Opd] = relationship()
    recorded_by: Mapped[User] = relationship()
    withholdings: Mapped[list[TaxWithholding]] = relationship(
        back_populates="deposit", order_by="TaxWithholding.id"
    )


class TaxWithholding(db.Model):
    """One tax withheld from one payment (PPN collected or PPh 22), owed to the state until a
    deposit names it."""

    __tablename__ = "opd_tax_withholdings"
    __table_args__ = (
        UniqueConstraint("payment_id", "tax", name="uq_opd_tax_withholdings_payment_tax"),
        CheckConstraint("tax in ('ppn','pph22')", name="tax"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    opd_id: Mapped[int] = mapped_column(ForeignKey("opds.id"), index=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("opd_payments.id"), index=True)
    tax: Mapped[str] = mapped_column(String(10))
    amount: Mapped[int] = money_column()
    deposit_id: Mapped[int | None] = mapped_column(ForeignKey("opd_tax_deposits.id"), index=True)

    payment: Mapped[OpdPayment] = relationship(back_populates="withholdings")
    deposit: Mapped[TaxDeposit | None] = relationship(back_populates="withholdings")
