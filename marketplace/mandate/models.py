"""Mandate rules (monthly minimum per position, kept as history) and the reminders already sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.ledger.models import SpendingRecord
from marketplace.models_base import created_at_column, money_column, utcnow


class MandateRule(db.Model):
    """The monthly minimum in force from `effective_from` (YYYY-MM, local) until the next rule.

    A period is judged by the latest rule with effective_from ≤ period, so adding a rule for a
    later period never changes what an earlier period required.
    """

    __tablename__ = "mandate_rules"
    id: Mapped[int] = mapped_column(primary_key=True)
    effective_from: Mapped[str] = mapped_column(String(7), unique=True)
    default_amount: Mapped[int] = money_column()
    # What a joiner owes in the month they join: `prorate` (by the days left, rounded down)
    # or `next_month` (nothing until the next month). `rules.joiner_required`.
    joiners: Mapped[str] = mapped_column(String(10), default="prorate", server_default="prorate")
    # When an ASN's purchase counts: at the buyer's receipt (the order's completion; default, since
    # an order can still be refunded before) or at payment (rules.COUNTS_ON).
    counts_on: Mapped[str] = mapped_column(String(10), default="receipt", server_default="receipt")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    lines: Mapped[list[MandateRuleLine]] = relationship(
        back_populates="rule", order_by="MandateRuleLine.position", cascade="all, delete-orphan"
    )
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])

    @property
    def by_position(self) -> dict[str, int]:
        return {line.position: int(line.amount) for line in self.lines}

    def to_dict(self) -> dict:
        return {
            "effective_from": self.effective_from,
            "default_amount": int(self.default_amount),
            "by_position": self.by_position,
            "joiners": self.joiners or "prorate",
            "counts_on": self.counts_on,
        }


class MandateRuleLine(db.Model):
    """One position's monthly minimum inside a rule. `position_key` is the trimmed, lower-cased
    position, so the compliance query can join users to it in SQL."""

    __tablename__ = "mandate_rule_lines"
    __table_args__ = (
        UniqueConstraint("rule_id", "position_key", name="uq_mandate_rule_lines_rule_position"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(
        ForeignKey("mandate_rules.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[str] = mapped_column(String(120))
    position_key: Mapped[str] = mapped_column(String(120))
    amount: Mapped[int] = money_column()

    rule: Mapped[MandateRule] = relationship(back_populates="lines")


class MandateReminder(db.Model):
    """A reminder sent to one civil servant for one period: the unique pair makes it once only."""

    __tablename__ = "mandate_reminders"
    __table_args__ = (
        UniqueConstraint("user_id", "period", name="uq_mandate_reminders_user_period"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    required: Mapped[int] = money_column()
    spent: Mapped[int] = money_column()
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notifications.id", ondelete="SET NULL")
    )
    sent_at: Mapped[datetime] = created_at_column()


# The compliance report sums one period's counted spending per buyer for ~13 000 ASN. This covering
# index lets the database read exactly that period's (buyer, flags, amount) in buyer order, with no
# table lookups and no sort (SQLite, 100k records: 0.71 s → ~0.2 s; see bench/README.md). Both
# flags the mandate counts on (local vendor, reviewed local product) and the channel
# (asn_personal) are in it.
Index(
    "ix_spending_records_period_buyer_local_amount",
    SpendingRecord.period,
    SpendingRecord.buyer_id,
    SpendingRecord.channel,
    SpendingRecord.is_local_vendor,
    SpendingRecord.is_local_product,
    SpendingRecord.amount,
)


class FrozenCompliance(db.Model):
    """One civil servant's standing in a month finance closed, as it was at the close: the
    compliance report, its downloads and the ASN's own page read these rows for a closed month,
    so a later roster, rule or refund never changes it."""

    __tablename__ = "mandate_frozen_compliance"
    __table_args__ = (
        UniqueConstraint("period", "user_id", name="uq_mandate_frozen_period_user"),
        Index("ix_mandate_frozen_period_opd", "period", "opd"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    nip: Mapped[str | None] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(200))
    opd: Mapped[str | None] = mapped_column(String(32))
    opd_name: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[str | None] = mapped_column(String(200))
    position_class: Mapped[str | None] = mapped_column(String(120))
    required: Mapped[int] = money_column()
    spent: Mapped[int] = money_column()
    # The kind of an approved exemption for the month (leave, secondment, illness), if any.
    exemption: Mapped[str | None] = mapped_column(String(20))


class MandateExemption(db.Model):
    """A request to take one civil servant out of one month's minimum (leave, secondment,
    illness), made by the ASN or the head of their office with a reason, decided by the admin.
    Only an approved one counts (its month requires Rp0 and the report names its kind)."""

    __tablename__ = "mandate_exemptions"
    __table_args__ = (
        UniqueConstraint("user_id", "period", name="uq_mandate_exemptions_user_period"),
        Index("ix_mandate_exemptions_period_status", "period", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(10), default="requested")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = created_at_column()

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class MandateReader(db.Model):
    """A user the admin lets read the month-end compliance of the whole city: BKPSDM (staff
    agency) or the Inspektorat (internal audit). A per-user flag, whatever the user's role."""

    __tablename__ = "mandate_readers"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True, index=True
    )
    body: Mapped[str] = mapped_column(String(20))
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = created_at_column()

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class MandateMonthEndNotice(db.Model):
    """A month-end notice sent to one user for one closed month (an office head's shortfall list
    or a reader's city summary): the unique pair makes it once only."""

    __tablename__ = "mandate_month_end_notices"
    __table_args__ = (
        UniqueConstraint("period", "user_id", name="uq_mandate_month_end_period_user"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # office_head | reader
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notifications.id", ondelete="SET NULL")
    )
    sent_at: Mapped[datetime] = created_at_column()


class PositionClass(db.Model):
    """A class of positions that owes one amount (camat, lurah, eselon III, kepala seksi, staf).

    `key` is `rules.text_key(name)`: a rule line's `position_key` names its class by it, and the
    name itself is an exact match. Roster positions map to classes through PositionClassMatch.
    """

    __tablename__ = "mandate_position_classes"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = created_at_column()

    matches: Mapped[list[PositionClassMatch]] = relationship(
        back_populates="position_class",
        order_by="PositionClassMatch.id",
        cascade="all, delete-orphan",
    )


class PositionClassMatch(db.Model):
    """One rule mapping roster positions to a class: an exact name, an alias, a pattern with `*`
    or an echelon/rank code (rules.MATCH_KINDS; precedence in mandate/rules.py)."""

    __tablename__ = "mandate_position_matches"
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_mandate_position_matches_kind_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(
        ForeignKey("mandate_position_classes.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(String(120))
    key: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = created_at_column()

    position_class: Mapped[PositionClass] = relationship(back_populates="matches")
