"""Posting to the ledger and reading balances. Helpers only flush; the caller commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func, insert, select

from marketplace.errors import MarketplaceError
from marketplace.extensions import db
from marketplace.ledger.models import ACCOUNTS, CapReservation, JournalEntry, LedgerLine
from marketplace.timeutil import naive_utc


class UnbalancedJournal(MarketplaceError):
    status, code, message = 500, "unbalanced_journal", "A journal did not balance."


def post_journal(
    kind: str,
    lines: Iterable[tuple[str, int] | tuple[str, int, int | None]],
    *,
    memo: str = "",
    reference: str | None = None,
    order_id: int | None = None,
    payment_id: int | None = None,
    refund_id: int | None = None,
    payout_id: int | None = None,
    actor_id: int | None = None,
) -> JournalEntry:
    """Add one balanced journal. `lines` are (account, amount[, vendor_id]); debit > 0 > credit.

    Zero lines are dropped; a journal whose lines do not sum to zero is refused.
    """
    entry = JournalEntry(
        kind=kind,
        memo=memo,
        reference=reference,
        order_id=order_id,
        payment_id=payment_id,
        refund_id=refund_id,
        payout_id=payout_id,
        actor_id=actor_id,
    )
    total = 0
    for line in lines:
        account, amount = line[0], int(line[1])
        vendor_id = line[2] if len(line) > 2 else None
        if account not in ACCOUNTS:
            raise ValueError(f"unknown ledger account {account!r}")
        if amount == 0:
            continue
        total += amount
        entry.lines.append(LedgerLine(account=account, amount=amount, vendor_id=vendor_id))
    if total != 0:
        raise UnbalancedJournal(f"journal {kind} is off by {total}")
    if not entry.lines:
        return entry
    db.session.add(entry)
    db.session.flush()
    return entry


def reserve_cap(claims: Iterable[tuple[int, int, int]], period: str, expires_at: datetime) -> None:
    """Unpaid orders claim room under their shops' caps in `period` until `expires_at`: one
    (order_id, vendor_id, amount) per order, written in one statement (the checkout calls this
    while it holds the shops' row locks). Flush only."""
    rows = [
        {
            "order_id": order_id,
            "vendor_id": vendor_id,
            "amount": int(amount),
            "period": period,
            "expires_at": expires_at,
            "created_at": naive_utc(),
        }
        for order_id, vendor_id, amount in claims
    ]
    if rows:
        db.session.execute(insert(CapReservation), rows)


def release_cap(order_ids: Iterable[int]) -> None:
    """The orders left `pending_payment`: their claims on the cap end (a paid order counts by
    its spending records from now on). Missing claims are fine. Flush only."""
    ids = sorted(set(order_ids))
    if ids:
        db.session.execute(delete(CapReservation).where(CapReservation.order_id.in_(ids)))


def account_balances() -> dict[str, int]:
    """Every account's balance (debit positive); the values sum to zero."""
    rows = db.session.execute(
        select(LedgerLine.account, func.coalesce(func.sum(LedgerLine.amount), 0))
        .group_by(LedgerLine.account)
        .order_by(LedgerLine.account)
    ).all()
    return {account: int(total) for account, total in rows}


def vendor_account_balance(vendor_id: int, account: str) -> int:
    """A vendor sub-account's balance, debit positive (liabilities come out negative)."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(LedgerLine.amount), 0)).where(
            LedgerLine.vendor_id == vendor_id, LedgerLine.account == account
        )
    )
    return int(total or 0)
