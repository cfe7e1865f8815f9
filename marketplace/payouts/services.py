"""Vendor balances and payouts. Balances come from the ledger only; every payout state change
posts its balanced journal in the same transaction:

- run:       DR vendor_payable_available (amount + debt), CR vendor_receivable (debt),
             CR vendor_payout_in_transit (amount)
- paid:      DR vendor_payout_in_transit, CR provider_cash
- cancelled: the run's journal reversed (money back to available, debt restored)

Services own the transaction (one commit); Stripe is called with no transaction open.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from flask_babel import force_locale, gettext
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from marketplace.accounts.duties import require_money_mover
from marketplace.api import Page, paginate
from marketplace.audit.models import record_audit
from marketplace.errors import InvalidTransition, NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.ledger.models import (
    PROVIDER_CASH,
    VENDOR_AVAILABLE,
    VENDOR_IN_TRANSIT,
    VENDOR_PENDING,
    VENDOR_RECEIVABLE,
    JournalEntry,
    LedgerLine,
)
from marketplace.ledger.services import post_journal
from marketplace.models_base import utcnow
from marketplace.money import format_rupiah
from marketplace.payouts import rules
from marketplace.payouts.adapters import SendResult, TransferRequest, get_adapter
from marketplace.payouts.models import Payout, PayoutRun
from marketplace.shops.models import Vendor
from marketplace.stripe_client import StripeNotConfigured, stripe_enabled
from marketplace.timeutil import iso_utc

log = logging.getLogger(__name__)

PAYOUT_KINDS = ("payout", "payout_reversal")


# Outside a request (CLI, jobs) the locale selector answers the default, Indonesian.
_ = gettext


def _stored(text: str, **kwargs) -> str:
    """Text saved in a row is in the default language; pages translate by its code."""
    with force_locale("id"):
        return gettext(text, **kwargs)


# ================================================================= balances
def _balances_by_vendor(
    vendor_ids: list[int] | None, accounts: tuple[str, ...], *, before: datetime | None = None
) -> dict[tuple[int, str], int]:
    """(vendor_id, account) → balance (debit positive). With `before`, only journals created
    before it count, plus every payout journal (those already moved money out of the period)."""
    stmt = (
        select(
            LedgerLine.vendor_id, LedgerLine.account, func.coalesce(func.sum(LedgerLine.amount), 0)
        )
        .where(LedgerLine.account.in_(accounts), LedgerLine.vendor_id.is_not(None))
        .group_by(LedgerLine.vendor_id, LedgerLine.account)
    )
    if vendor_ids is not None:
        stmt = stmt.where(LedgerLine.vendor_id.in_(vendor_ids))
    if before is not None:
        stmt = stmt.join(JournalEntry, JournalEntry.id == LedgerLine.journal_id).where(
            or_(JournalEntry.created_at < before, JournalEntry.kind.in_(PAYOUT_KINDS))
        )
    return {(vid, account): int(total) for vid, account, total in db.session.execute(stmt).all()}


def vendor_balance(vendor_id: int) -> dict[str, int]:
    """A vendor's money in rupiah, derived from the ledger: `pending` (paid orders not completed),
    `available` (completed, not paid out, net of `debt`), `in_transit`, `debt` and `paid_out`."""
    accounts = (VENDOR_PENDING, VENDOR_AVAILABLE, VENDOR_IN_TRANSIT, VENDOR_RECEIVABLE)
    b = _balances_by_vendor([vendor_id], accounts)
    debt = b.get((vendor_id, VENDOR_RECEIVABLE), 0)
    paid_out = db.session.scalar(
        select(func.coalesce(func.sum(Payout.amount), 0)).where(
            Payout.vendor_id == vendor_id, Payout.status == "paid"
        )
    )
    return {
        "pending": -b.get((vendor_id, VENDOR_PENDING), 0),
        "available": -b.get((vendor_id, VENDOR_AVAILABLE), 0) - debt,
        "paid_out": int(paid_out or 0),
        "in_transit": -b.get((vendor_id, VENDOR_IN_TRANSIT), 0),
        "debt": debt,
    }


def own_vendor(user) -> Vendor:
    """The caller's shop; 404 when the vendor account has no shop yet."""
    vendor = db.session.scalar(select(Vendor).where(Vendor.owner_id == user.id))
    if vendor is None:
        raise NotFound(_("Anda belum memiliki toko."))
    return vendor


def shop_balance(user) -> dict[str, int]:
    """The calling shopkeeper's balance (own shop only)."""
    return vendor_balance(own_vendor(user).id)


def list_shop_payouts(user, page: int = 1, per_page: int = 20) -> Page:
    """The calling shop's payouts, newest first; never another shop's."""
    vendor = own_vendor(user)
    stmt = select(Payout).where(Payout.vendor_id == vendor.id).order_by(Payout.id.desc())
    return paginate(stmt, page, per_page)


# ================================================================= runs
def _lock_payable_vendors() -> list[Vendor]:
    """Vendors with anything in their available or receivable accounts, locked in id order.

    A second run waits here until the first commits; it then reads balances in a fresh statement
    and finds them already moved to in-transit, so concurrent runs never pay twice. (On SQLite
    every write transaction begins IMMEDIATE, which serialises runs the same way.)"""
    with_money = (
        select(LedgerLine.vendor_id)
        .where(
            LedgerLine.account.in_((VENDOR_AVAILABLE, VENDOR_RECEIVABLE)),
            LedgerLine.vendor_id.is_not(None),
        )
        .distinct()
    )
    return list(
        db.session.scalars(
            select(Vendor).where(Vendor.id.in_(with_money)).order_by(Vendor.id).with_for_update()
        )
    )


def run_payouts(actor, *, as_of: datetime | None = None, adapter: str = "manual") -> PayoutRun:
    """Finance: create one payout per vendor whose available balance, net of debt, is positive
    (only money that was available before `as_of`, when given). Manual payouts need the vendor's
    bank details (else the vendor is flagged and keeps the balance); Stripe payouts are sent at
    once. 422 unknown adapter or Stripe not configured; 403 for anyone but finance (a scheduled
    run with no actor is the system's)."""
    require_money_mover(actor, system=True)
    if adapter not in rules.ADAPTERS:
        raise ValidationFailed(details={"adapter": [_("Pilih manual atau stripe.")]})
    if adapter == "stripe" and not stripe_enabled():
        raise StripeNotConfigured()
    vendors = _lock_payable_vendors()
    ids = [v.id for v in vendors]
    accounts = (VENDOR_AVAILABLE, VENDOR_RECEIVABLE)
    now_b = _balances_by_vendor(ids, accounts)
    then_b = _balances_by_vendor(ids, accounts, before=as_of) if as_of is not None else None

    run = PayoutRun(adapter=adapter, as_of=as_of, actor_id=actor.id if actor else None, flagged=[])
    db.session.add(run)
    db.session.flush()
    flagged: list[dict[str, Any]] = []
    total = 0
    for vendor in vendors:
        available = -now_b.get((vendor.id, VENDOR_AVAILABLE), 0)
        debt = now_b.get((vendor.id, VENDOR_RECEIVABLE), 0)
        eligible = None
        if then_b is not None:
            eligible = -then_b.get((vendor.id, VENDOR_AVAILABLE), 0) - then_b.get(
                (vendor.id, VENDOR_RECEIVABLE), 0
            )
        split = rules.payout_split(available, debt, eligible)
        if split is None:
            if available > 0 and debt >= available:
                flagged.append(
                    {
                        "vendor_id": vendor.id,
                        "vendor_name": vendor.name,
                        "reason": "debt_exceeds_available",
                        "amount": available - debt,
                        "message": _stored(
                            "Utang toko (%(debt)s) menutup seluruh saldo tersedia.",
                            debt=format_rupiah(debt),
                        ),
                    }
                )
            continue
        if adapter == "manual":
            missing = rules.missing_bank_fields(
                vendor.bank_name, vendor.bank_account_number, vendor.bank_account_name
            )
            if missing:
                flagged.append(
                    {
                        "vendor_id": vendor.id,
                        "vendor_name": vendor.name,
                        "reason": "missing_bank_details",
                        "amount": split.amount,
                        "missing": missing,
                        "message": _stored(
                            "Rekening bank toko belum lengkap; saldo %(amount)s "
                            "tetap tersedia untuk pembayaran berikutnya.",
                            amount=format_rupiah(split.amount),
                        ),
                    }
                )
                continue
        payout = Payout(
            run=run,
            vendor_id=vendor.id,
            adapter=adapter,
            status="pending",
            amount=split.amount,
            debt_netted=split.debt_netted,
            bank_name=vendor.bank_name,
            bank_account_number=vendor.bank_account_number,
            bank_account_name=vendor.bank_account_name,
            stripe_account_id=vendor.stripe_account_id,
        )
        db.session.add(payout)
        db.session.flush()
        post_journal(
            "payout",
            [
                (VENDOR_AVAILABLE, split.debit_available, vendor.id),
                (VENDOR_RECEIVABLE, -split.debt_netted, vendor.id),
                (VENDOR_IN_TRANSIT, -split.amount, vendor.id),
            ],
            memo=f"{payout.reference} run {run.id}",
            reference=payout.reference,
            payout_id=payout.id,
            actor_id=run.actor_id,
        )
        total += split.amount
    run.total = total
    run.flagged = flagged
    record_audit(
        actor,
        "payout.run",
        "payout_run",
        run.id,
        after={
            "adapter": adapter,
            "as_of": iso_utc(as_of),
            "payouts": len(run.payouts),
            "total": total,
            "flagged": [f["vendor_id"] for f in flagged],
        },
    )
    db.session.commit()
    run_id = run.id
    if adapter == "stripe":
        for payout_id in [p.id for p in run.payouts]:
            _attempt_transfer(actor, payout_id)
    return get_run(run_id)


def list_runs(page: int = 1, per_page: int = 20) -> Page:
    """Payout runs, newest first (finance)."""
    stmt = (
        select(PayoutRun)
        .options(selectinload(PayoutRun.payouts).joinedload(Payout.vendor))
        .order_by(PayoutRun.id.desc())
    )
    return paginate(stmt, page, per_page)


def get_run(run_id: int) -> PayoutRun:
    """One payout run with its payouts; 404 when absent."""
    run = db.session.scalar(
        select(PayoutRun)
        .where(PayoutRun.id == run_id)
        .options(selectinload(PayoutRun.payouts).joinedload(Payout.vendor))
    )
    if run is None:
        raise NotFound(_("Putaran pembayaran tidak ditemukan."))
    return run


# ================================================================= payouts
def list_payouts(
    *,
    status: str | tuple[str, ...] | None = None,
    vendor_id: int | None = None,
    run_id: int | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Page:
    """Payouts for finance, newest first, filtered by status (one or several), vendor and run."""
    stmt = select(Payout).options(joinedload(Payout.vendor)).order_by(Payout.id.desc())
    if isinstance(status, tuple):
        stmt = stmt.where(Payout.status.in_(status))
    elif status:
        stmt = stmt.where(Payout.status == status)
    if vendor_id:
        stmt = stmt.where(Payout.vendor_id == vendor_id)
    if run_id:
        stmt = stmt.where(Payout.run_id == run_id)
    return paginate(stmt, page, per_page)


def get_payout(payout_id: int, *, lock: bool = False) -> Payout:
    """One payout (finance); 404 when absent. `lock` holds the row until commit."""
    stmt = select(Payout).where(Payout.id == payout_id)
    if lock:
        stmt = stmt.with_for_update()
    payout = db.session.scalar(stmt)
    if payout is None:
        raise NotFound(_("Pembayaran tidak ditemukan."))
    return payout


def _settle(payout: Payout, actor, *, reference: str | None) -> None:
    """Money left the platform: DR in-transit, CR provider cash; tell the shopkeeper."""
    payout.transition_to("paid")
    # "payout_transfer" (reference tr_…) is the kind the Stripe reconciliation matches transfers to.
    kind = "payout_transfer" if payout.adapter == "stripe" else "payout_paid"
    post_journal(
        kind,
        [(VENDOR_IN_TRANSIT, payout.amount, payout.vendor_id), (PROVIDER_CASH, -payout.amount)],
        memo=f"{payout.reference} paid",
        reference=reference,
        payout_id=payout.id,
        actor_id=actor.id if actor else None,
    )
    _notify_vendor(
        payout,
        "payout_paid",
        lambda: _("Pembayaran %(amount)s telah dikirim", amount=format_rupiah(payout.amount)),
        lambda: _(
            "Pembayaran %(ref)s sebesar %(amount)s telah dikirim ke rekening Anda.",
            ref=payout.reference,
            amount=format_rupiah(payout.amount),
        ),
    )


def _notify_vendor(payout: Payout, kind: str, title, body) -> None:
    """In-app (and email) note to the shop owner, in the owner's language."""
    from marketplace.notifications.services import notify

    owner = payout.vendor.owner
    with force_locale(owner.locale or "id"):
        title_text, body_text = str(title()), str(body())
    notify(owner, kind, title_text, body_text, url="/shop/payouts")


def mark_payout_paid(actor, payout_id: int, bank_reference: str) -> Payout:
    """Finance confirms a manual payout was transferred: status paid with the bank's reference,
    in-transit → cash. 409 invalid_transition for Stripe payouts or payouts not pending/exported;
    403 for anyone but finance."""
    require_money_mover(actor)
    payout = get_payout(payout_id, lock=True)
    if payout.adapter != "manual":
        raise InvalidTransition(
            _("Pembayaran Stripe diselesaikan oleh Stripe, bukan ditandai manual."),
            details={"adapter": payout.adapter, "status": payout.status},
        )
    before = {"status": payout.status}
    payout.bank_reference = bank_reference
    _settle(payout, actor, reference=bank_reference)
    record_audit(
        actor,
        "payout.mark_paid",
        "payout",
        payout.id,
        before=before,
        after={"status": "paid", "bank_reference": bank_reference, "amount": payout.amount},
    )
    db.session.commit()
    return payout


def cancel_payout(actor, payout_id: int, reason: str) -> Payout:
    """Finance cancels an unpaid payout (e.g. the bank returned it): the run's journal is
    reversed, so the money is available again and any netted debt is restored. 409 when paid;
    403 for anyone but finance."""
    require_money_mover(actor)
    payout = get_payout(payout_id, lock=True)
    before = {"status": payout.status}
    payout.transition_to("cancelled")
    payout.cancel_reason = reason
    post_journal(
        "payout_reversal",
        [
            (VENDOR_IN_TRANSIT, payout.amount, payout.vendor_id),
            (VENDOR_AVAILABLE, -(payout.amount + payout.debt_netted), payout.vendor_id),
            (VENDOR_RECEIVABLE, payout.debt_netted, payout.vendor_id),
        ],
        memo=f"{payout.reference} cancelled: {reason}"[:500],
        reference=payout.reference,
        payout_id=payout.id,
        actor_id=actor.id if actor else None,
    )
    record_audit(
        actor,
        "payout.cancel",
        "payout",
        payout.id,
        before=before,
        after={"status": "cancelled", "amount": payout.amount},
        reason=reason,
    )
    db.session.commit()
    return payout


def retry_payout(actor, payout_id: int) -> Payout:
    """Finance retries a failed (or interrupted) Stripe payout with its deterministic key.
    409 invalid_transition for manual payouts or payouts that are not pending/failed; 403 for
    anyone but finance."""
    require_money_mover(actor)
    payout = get_payout(payout_id)
    if not payout.can_retry:
        raise InvalidTransition(
            _("Hanya pembayaran Stripe yang gagal yang dapat dicoba lagi."),
            details={"adapter": payout.adapter, "status": payout.status},
        )
    if not stripe_enabled():
        raise StripeNotConfigured()
    record_audit(
        actor,
        "payout.retry",
        "payout",
        payout.id,
        before={"status": payout.status},
        after={"attempt": payout.attempts + 1, "idempotency_key": payout.idempotency_key},
    )
    db.session.commit()
    return _attempt_transfer(actor, payout_id)


def _attempt_transfer(actor, payout_id: int) -> Payout:
    """Send one Stripe payout, then record the outcome under a row lock (a concurrent attempt
    that already settled it wins; the shared idempotency key makes Stripe answer both alike)."""
    payout = get_payout(payout_id)
    adapter = get_adapter(payout.adapter)
    request = TransferRequest(
        payout_id=payout.id,
        run_id=payout.run_id,
        vendor_id=payout.vendor_id,
        amount=payout.amount,
        destination=payout.stripe_account_id or payout.vendor.stripe_account_id,
        reference=payout.reference,
        idempotency_key=payout.idempotency_key,
    )
    db.session.commit()  # no transaction (and no SQLite write lock) while Stripe is called
    result: SendResult | None = adapter.send(request)
    payout = get_payout(payout_id, lock=True)
    if result is None or payout.status not in rules.RETRYABLE:
        db.session.commit()
        return payout
    payout.attempts += 1
    if result.settled:
        payout.provider_ref = result.provider_ref
        payout.failure_code = payout.failure_message = None
        if request.destination and not payout.stripe_account_id:
            payout.stripe_account_id = request.destination
        _settle(payout, actor, reference=result.provider_ref)
    else:
        payout.transition_to("failed")
        payout.failure_code, payout.failure_message = result.failure_code, result.failure_message
        if result.definitive:
            payout.key_seq += 1
        log.warning(
            "payout %s failed: %s %s", payout.reference, result.failure_code, result.failure_message
        )
    db.session.commit()
    return payout


def export_bank_file(actor, run_id: int) -> tuple[str, str, list[dict[str, Any]]]:
    """Finance downloads a manual run's bank transfer CSV (payouts still to execute); they become
    `exported`. Returns (filename, csv, flagged vendors left out). 422 for a Stripe run; 403 for
    anyone but finance."""
    require_money_mover(actor)
    run = get_run(run_id)
    adapter = get_adapter(run.adapter)
    payouts = [p for p in run.payouts if p.status in ("pending", "exported")]
    text = adapter.bank_file(payouts)
    for p in payouts:
        if p.status == "pending":
            p.transition_to("exported")
    record_audit(
        actor,
        "payout.export",
        "payout_run",
        run.id,
        after={"payouts": [p.id for p in payouts], "total": sum(p.amount for p in payouts)},
    )
    db.session.commit()
    stamp = utcnow().strftime("%Y%m%d")
    return f"peken-payouts-run-{run.id}-{stamp}.csv", text, list(run.flagged or [])
