"""The double-entry ledger and the spending records that feed targets and the mandate.

Sign convention: debit positive, credit negative; the lines of a journal sum to zero.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models_base import created_at_column, money_column

# Accounts. Vendor accounts carry vendor_id on the line.
PROVIDER_CASH = "provider_cash"  # asset: money held at the payment provider / bank
VENDOR_PENDING = "vendor_payable_pending"  # liability: paid orders not completed yet
VENDOR_AVAILABLE = "vendor_payable_available"  # liability: completed, not paid out
VENDOR_IN_TRANSIT = "vendor_payout_in_transit"  # liability: payout created, not confirmed paid
VENDOR_RECEIVABLE = "vendor_receivable"  # asset: refunds after payout, netted next payout
PLATFORM_COMMISSION = "platform_commission"  # revenue
PROVIDER_FEES = "provider_fees"  # expense
BUYER_REFUNDS = "buyer_refunds_payable"  # liability: refunds not yet sent by the provider
# An office's purchase (procurement.payment_rules): the PPN and PPh 22 withheld when it is paid
# are owed to the state until their deposit (NTPN) is recorded; when the office's treasurer kept
# them back, the platform's books hold them as held by the office.
TAX_PAYABLE = "tax_payable"  # liability: withheld taxes not yet deposited to the state
OFFICE_TAX_HELD = "office_tax_held"  # asset: taxes an office's treasurer withheld, to deposit
ACCOUNTS = (
    PROVIDER_CASH,
    VENDOR_PENDING,
    VENDOR_AVAILABLE,
    VENDOR_IN_TRANSIT,
    VENDOR_RECEIVABLE,
    PLATFORM_COMMISSION,
    PROVIDER_FEES,
    BUYER_REFUNDS,
    TAX_PAYABLE,
    OFFICE_TAX_HELD,
)


class JournalEntry(db.Model):
    __tablename__ = "journal_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(
        String(30), index=True
    )  # payment, completion, refund, payout, fee…
    memo: Mapped[str] = mapped_column(String(500), default="")
    reference: Mapped[str | None] = mapped_column(
        String(100), index=True
    )  # provider id (ch_, re_, tr_…)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), index=True)
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id"), index=True)
    payout_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = created_at_column()

    lines: Mapped[list[LedgerLine]] = relationship(
        back_populates="journal", order_by="LedgerLine.id", cascade="all, delete-orphan"
    )


class LedgerLine(db.Model):
    __tablename__ = "ledger_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    journal_id: Mapped[int] = mapped_column(
        ForeignKey("journal_entries.id", ondelete="CASCADE"), index=True
    )
    account: Mapped[str] = mapped_column(String(40), index=True)
    vendor_id: Mapped[int | None] = mapped_column(ForeignKey("vendors.id"), index=True)
    amount: Mapped[int] = money_column()

    journal: Mapped[JournalEntry] = relationship(back_populates="lines")


class SpendingRecord(db.Model):
    """One paid order line (positive) or one refund share of it (negative).

    Frozen at the time of the sale: buyer's OPD, vendor class and product flags as they were.
    """

    __tablename__ = "spending_records"
    # A shop's sales this period decide the fair-share cap on every listing, cart and checkout
    # (`vendor_sales_subquery`, `vendors_sales`): (period, vendor_id, amount) answers both the
    # per-shop sum and the per-period GROUP BY vendor from the index alone.
    __table_args__ = (
        Index("ix_spending_records_period_vendor_amount", "period", "vendor_id", "amount"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    period: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM on the city's clock
    year: Mapped[int] = mapped_column(Integer, index=True)  # on the city's clock
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"))
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id"))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # asn_personal | public | opd_procurement (ledger.rules.CHANNELS): only opd_procurement is
    # target realisation; the others are the programme's reach.
    channel: Mapped[str] = mapped_column(String(20), index=True, default="public")
    opd_id: Mapped[int | None] = mapped_column(ForeignKey("opds.id"), index=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    vendor_umk_class: Mapped[str] = mapped_column(String(10))
    # The vendor's kind at the sale (shops.models.VENDOR_TYPES): a koperasi counts toward the
    # UMK figure whatever its class (finance.rules.is_umk), frozen like the class.
    vendor_type: Mapped[str] = mapped_column(String(20), default="kelontong")
    vendor_kelurahan: Mapped[str] = mapped_column(String(100))  # the name at the sale
    vendor_area_code: Mapped[str | None] = mapped_column(ForeignKey("areas.code"), index=True)
    is_local_vendor: Mapped[bool] = mapped_column(Boolean, default=True)  # verified, made in city
    is_local_product: Mapped[bool] = mapped_column(Boolean)
    is_pdn: Mapped[bool] = mapped_column(Boolean)
    amount: Mapped[int] = money_column()
    # The budget line (kode rekening belanja) an office's purchase is charged to; empty otherwise.
    budget_line: Mapped[str | None] = mapped_column(String(40))
    # Set on a refund share booked in a later month because the sale's month (this value) was
    # already closed: the closed month stays as it was, the correction lands where it happened.
    adjusts_period: Mapped[str | None] = mapped_column(String(7), index=True)
    created_at: Mapped[datetime] = created_at_column()


class ClosedPeriod(db.Model):
    """A month finance closed (in the city's time zone): its figures never change again. The
    snapshot holds its totals per channel, OPD, class, PDN and local (and the mandate's
    compliance); the checksum is the SHA-256 of the snapshot's canonical JSON."""

    __tablename__ = "closed_periods"
    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7), unique=True)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    snapshot: Mapped[dict] = mapped_column(JSON)
    checksum: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_at_column()


class CapReservation(db.Model):
    """An unpaid order's claim on its shop's fair-share cap (SPEC §3: the cap counts paid and
    unpaid-but-unexpired orders). Written at checkout under the shop's row lock, deleted when the
    order leaves `pending_payment` (paid: its spending records take over; expired or cancelled:
    the room is free again) and ignored once `expires_at` has passed, even before the expiry job
    ran. The ledger keeps it (not ordering) so the catalogue can tell who is at the cap without
    knowing orders."""

    __tablename__ = "cap_reservations"
    # (period, expires_at) narrows to the live claims of a period; vendor_id and amount make the
    # GROUP BY vendor read the index alone. The table only ever holds unpaid orders.
    __table_args__ = (
        Index(
            "ix_cap_reservations_period_expires_vendor_amount",
            "period",
            "expires_at",
            "vendor_id",
            "amount",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM on the city's clock, the checkout's
    amount: Mapped[int] = money_column()
    expires_at: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = created_at_column()


class FairShareCap(db.Model):
    """The per-vendor sales cap for one period, when an admin set one (else FAIR_SHARE_CAP)."""

    __tablename__ = "fair_share_caps"
    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7), unique=True)
    amount: Mapped[int] = money_column()
    created_at: Mapped[datetime] = created_at_column()
