"""Ledger helpers for the payout engine's tests: post the journals ordering would post."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.ledger.models import (
    PROVIDER_CASH,
    VENDOR_AVAILABLE,
    VENDOR_PENDING,
    VENDOR_RECEIVABLE,
    JournalEntry,
    LedgerLine,
)
from marketplace.ledger.services import post_journal


def pay(vendor, amount: int) -> None:
    """A paid order: DR provider cash, CR the vendor's pending payable."""
    post_journal("payment", [(PROVIDER_CASH, amount), (VENDOR_PENDING, -amount, vendor.id)])


def earn(vendor, amount: int, *, at: datetime | None = None) -> JournalEntry:
    """A paid and completed order: the amount ends in the vendor's available payable."""
    pay(vendor, amount)
    entry = post_journal(
        "completion", [(VENDOR_PENDING, amount, vendor.id), (VENDOR_AVAILABLE, -amount, vendor.id)]
    )
    if at is not None:
        entry.created_at = at
    db.session.commit()
    return entry


def refund_after_payout(vendor, amount: int) -> None:
    """A refund of an order already paid out: the vendor owes it (receivable), cash leaves."""
    post_journal("refund", [(VENDOR_RECEIVABLE, amount, vendor.id), (PROVIDER_CASH, -amount)])
    db.session.commit()


def ledger_total() -> int:
    return int(db.session.scalar(select(func.coalesce(func.sum(LedgerLine.amount), 0))))


def journals_balanced() -> bool:
    rows = db.session.execute(
        select(LedgerLine.journal_id, func.sum(LedgerLine.amount)).group_by(LedgerLine.journal_id)
    ).all()
    return all(total == 0 for _, total in rows)
