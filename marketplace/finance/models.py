"""Spending targets per year (city-wide and per OPD), reconciliations with the payment provider,
and the provider fees already posted to the ledger (one per balance transaction)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import Opd, User
from marketplace.extensions import db
from marketplace.models_base import created_at_column, money_column, utcnow

CITY_SCOPE = "city"


class SpendingTarget(db.Model):
    """The UMK, PDN and local-product targets of one year: city-wide (`scope` = "city") or for
    one OPD (`scope` = the OPD code, `opd_id` set). A PUT replaces the year's rows."""

    __tablename__ = "spending_targets"
    __table_args__ = (UniqueConstraint("year", "scope", name="uq_spending_targets_year_scope"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    scope: Mapped[str] = mapped_column(String(40))
    opd_id: Mapped[int | None] = mapped_column(ForeignKey("opds.id"), index=True)
    umk: Mapped[int] = money_column(default=0)
    pdn: Mapped[int] = money_column(default=0)
    local: Mapped[int] = money_column(default=0)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    opd: Mapped[Opd | None] = relationship()
    updated_by: Mapped[User | None] = relationship()

    def amounts(self) -> dict[str, int]:
        return {"umk": int(self.umk), "pdn": int(self.pdn), "local": int(self.local)}


class Reconciliation(db.Model):
    """One comparison of the provider's balance transactions with the ledger, kept with its result."""

    __tablename__ = "reconciliations"
    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    source: Mapped[str] = mapped_column(String(20))  # csv | stripe
    filename: Mapped[str | None] = mapped_column(String(255))
    period_from: Mapped[datetime | None] = mapped_column(DateTime)
    period_to: Mapped[datetime | None] = mapped_column(DateTime)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    matched_count: Mapped[int] = mapped_column(Integer, default=0)
    missing_in_ledger_count: Mapped[int] = mapped_column(Integer, default=0)
    missing_at_provider_count: Mapped[int] = mapped_column(Integer, default=0)
    amount_mismatches_count: Mapped[int] = mapped_column(Integer, default=0)
    fees_posted: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = created_at_column()

    actor: Mapped[User | None] = relationship()

    @property
    def clean(self) -> bool:
        return not (
            self.missing_in_ledger_count
            or self.missing_at_provider_count
            or self.amount_mismatches_count
        )


class ProviderFeePosting(db.Model):
    """The fee of one provider balance transaction, posted once: the unique id is the guard that
    makes uploading the same export twice harmless."""

    __tablename__ = "provider_fee_postings"
    id: Mapped[int] = mapped_column(primary_key=True)
    balance_transaction_id: Mapped[str] = mapped_column(String(100), unique=True)
    journal_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id"), index=True)
    reconciliation_id: Mapped[int | None] = mapped_column(
        ForeignKey("reconciliations.id"), index=True
    )
    amount: Mapped[int] = money_column()
    created_at: Mapped[datetime] = created_at_column()


class OpdBudget(db.Model):
    """One OPD's goods-and-services budget (belanja barang dan jasa, APBD) for a year: what its
    UMK share (at least 40%, PP 7/2021) is measured against. Entered by finance, audited."""

    __tablename__ = "opd_budgets"
    __table_args__ = (UniqueConstraint("year", "opd_id", name="uq_opd_budgets_year_opd"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    opd_id: Mapped[int] = mapped_column(ForeignKey("opds.id"), index=True)
    goods_services: Mapped[int] = money_column(default=0)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    opd: Mapped[Opd] = relationship()
