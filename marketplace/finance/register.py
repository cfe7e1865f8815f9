"""What finance hands an auditor, as streamed CSV or XLSX downloads: the line-level transaction
register (one row per spending record: every paid order line and every refund share of one), the
journal (one row per ledger line) and the audit log. Rows are read from the database in batches
(`yield_per`) and written as they come, so a year of a whole city never sits in memory
(`bench/register_export.py` measures the peak)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import aliased

from marketplace.accounts.models import Opd, User
from marketplace.audit.models import AuditLog
from marketplace.extensions import db
from marketplace.finance import rules
from marketplace.ledger.models import JournalEntry, LedgerLine, SpendingRecord
from marketplace.ordering.models import Order, OrderLine
from marketplace.payments.models import Payment, RefundLine
from marketplace.primitives import format_npwp
from marketplace.procurement.payment_models import OpdPaymentLine
from marketplace.shops.models import Vendor
from marketplace.timeutil import day_start, iso_utc, year_bounds

SR = SpendingRecord
BATCH = 2000

REGISTER_COLUMNS = [
    "record_id",
    "occurred_at",
    "period",
    "adjusts_period",
    "channel",
    "population",
    "opd_code",
    "buyer_nip",
    "vendor_id",
    "shop_name",
    "shop_nib",
    "shop_npwp",
    "umk_class",
    "shop_type",  # frozen at the sale; a koperasi counts toward UMK whatever its class
    "counts_as_umk",
    "is_pdn",
    "tkdn_percent",
    "is_local_product",
    "product",
    "quantity",
    "amount",
    "vat",
    "pph",
    "order_number",
    "order_id",
    "order_line_id",
    "refund_id",
    "payment_id",
    "payment_reference",
]


def register_query(
    *, year: int | None = None, period: str | None = None, channel: str | None = None
) -> Select:
    """The register's rows in time order, optionally for one local year, one period, one channel."""
    buyer = aliased(User)
    stmt = (
        select(
            SR.id,
            SR.occurred_at,
            SR.period,
            SR.adjusts_period,
            SR.channel,
            Opd.code,
            buyer.nip,
            SR.vendor_id,
            Vendor.name,
            Vendor.nib,
            Vendor.npwp,
            SR.vendor_umk_class,
            SR.vendor_type,
            SR.is_pdn,
            SR.is_local_product,
            OrderLine.tkdn_bps,
            OrderLine.name,
            OrderLine.quantity,
            OrderLine.line_total,
            OrderLine.vat,
            SR.amount,
            Order.number,
            SR.order_id,
            SR.order_line_id,
            SR.refund_id,
            Payment.id,
            Payment.provider_ref,
            RefundLine.quantity,
            RefundLine.vat,
            OpdPaymentLine.pph22,
        )
        .join(Order, Order.id == SR.order_id)
        .join(OrderLine, OrderLine.id == SR.order_line_id)
        .join(Vendor, Vendor.id == SR.vendor_id)
        .join(buyer, buyer.id == SR.buyer_id)
        .outerjoin(Opd, Opd.id == SR.opd_id)
        .outerjoin(Payment, Payment.checkout_id == Order.checkout_id)
        .outerjoin(
            RefundLine,
            and_(
                RefundLine.refund_id == SR.refund_id,
                RefundLine.order_line_id == SR.order_line_id,
            ),
        )
        # the PPh 22 an office's treasurer withheld from the line (sales only, not refunds)
        .outerjoin(
            OpdPaymentLine,
            and_(OpdPaymentLine.order_line_id == SR.order_line_id, SR.refund_id.is_(None)),
        )
        .order_by(SR.occurred_at, SR.id)
    )
    if year is not None:
        start, end = year_bounds(year)
        stmt = stmt.where(and_(SR.occurred_at >= start, SR.occurred_at < end))
    if period is not None:
        stmt = stmt.where(SR.period == period)
    if channel is not None:
        stmt = stmt.where(SR.channel == channel)
    return stmt


def register_rows(stmt: Select) -> Iterator[list[Any]]:
    """The register's rows as lists in REGISTER_COLUMNS order, fetched BATCH at a time."""
    result = db.session.execute(stmt.execution_options(yield_per=BATCH))
    for r in result:
        (
            rid,
            occurred_at,
            period,
            adjusts,
            channel,
            opd_code,
            nip,
            vendor_id,
            shop,
            nib,
            npwp,
            umk_class,
            vendor_type,
            is_pdn,
            is_local,
            tkdn_bps,
            product,
            line_qty,
            line_total,
            line_vat,
            amount,
            number,
            order_id,
            line_id,
            refund_id,
            payment_id,
            payment_ref,
            refunded_qty,
            refunded_vat,
            pph,
        ) = r
        sale = refund_id is None
        if sale:
            quantity, vat = line_qty, int(line_vat)
        elif refunded_vat is not None:  # the refund named its line: its own VAT and quantity
            quantity = -refunded_qty if refunded_qty else None
            vat = -int(refunded_vat)
        else:  # a refund from before refunds named their lines
            quantity, vat = None, rules.vat_share(int(amount), int(line_total), int(line_vat))
        yield [
            rid,
            iso_utc(occurred_at),
            period,
            adjusts,
            channel,
            rules.population_of(channel),
            opd_code,
            nip,
            vendor_id,
            shop,
            nib,
            format_npwp(npwp) or None,
            umk_class,
            vendor_type,
            rules.is_umk(umk_class, vendor_type),
            bool(is_pdn),
            rules.bps_percent(tkdn_bps),
            bool(is_local),
            product,
            quantity,
            int(amount),
            vat,
            None if pph is None else int(pph),  # PPh 22 withheld from an office's purchase
            number,
            order_id,
            line_id,
            refund_id,
            payment_id,
            payment_ref,
        ]


# ---------------------------------------------------------------- journal and audit log
JOURNAL_COLUMNS = [
    "journal_id",
    "created_at",
    "kind",
    "memo",
    "reference",
    "order_id",
    "payment_id",
    "refund_id",
    "payout_id",
    "actor_id",
    "line_id",
    "account",
    "vendor_id",
    "amount",
]


def _between(column, from_: date | None, to: date | None) -> list:
    conditions = []
    if from_:
        conditions.append(column >= day_start(from_))
    if to:
        conditions.append(column < day_start(to + timedelta(days=1)))
    return conditions


def journal_rows(from_: date | None = None, to: date | None = None) -> Iterator[list[Any]]:
    """Every ledger line with its journal, oldest first (inclusive local dates)."""
    stmt = (
        select(
            JournalEntry.id,
            JournalEntry.created_at,
            JournalEntry.kind,
            JournalEntry.memo,
            JournalEntry.reference,
            JournalEntry.order_id,
            JournalEntry.payment_id,
            JournalEntry.refund_id,
            JournalEntry.payout_id,
            JournalEntry.actor_id,
            LedgerLine.id,
            LedgerLine.account,
            LedgerLine.vendor_id,
            LedgerLine.amount,
        )
        .join(LedgerLine, LedgerLine.journal_id == JournalEntry.id)
        .where(*_between(JournalEntry.created_at, from_, to))
        .order_by(JournalEntry.id, LedgerLine.id)
    )
    for r in db.session.execute(stmt.execution_options(yield_per=BATCH)):
        row = list(r)
        row[1] = iso_utc(row[1])
        row[-1] = int(row[-1])
        yield row


AUDIT_COLUMNS = [
    "id",
    "created_at",
    "actor_id",
    "actor_email",
    "action",
    "target_type",
    "target_id",
    "reason",
    "before",
    "after",
]


def audit_rows(from_: date | None = None, to: date | None = None) -> Iterator[list[Any]]:
    """Every audit-log entry, oldest first, before/after as JSON text."""
    stmt = (
        select(
            AuditLog.id,
            AuditLog.created_at,
            AuditLog.actor_id,
            User.email,
            AuditLog.action,
            AuditLog.target_type,
            AuditLog.target_id,
            AuditLog.reason,
            AuditLog.before,
            AuditLog.after,
        )
        .outerjoin(User, User.id == AuditLog.actor_id)
        .where(*_between(AuditLog.created_at, from_, to))
        .order_by(AuditLog.id)
    )
    for r in db.session.execute(stmt.execution_options(yield_per=BATCH)):
        row = list(r)
        row[1] = iso_utc(row[1])
        for i in (8, 9):
            row[i] = None if row[i] is None else json.dumps(row[i], sort_keys=True)
        yield row
