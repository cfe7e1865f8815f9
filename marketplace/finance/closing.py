"""Closed months: finance closes a month (in the city's time zone) once it has ended; its figures
never change again. A refund of a closed month's sale is booked in the month it happens, naming
the closed month (`SpendingRecord.adjusts_period`); the corrections list shows them.

Each close stores a snapshot of the month's spending (totals per channel, OPD, business class,
PDN and local) with the SHA-256 of its canonical JSON, and the month's exports are written from
that snapshot, so they reproduce it exactly.
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from marketplace import signals
from marketplace.accounts.models import Opd, User
from marketplace.api import PERIOD_MESSAGE, Page, paginate
from marketplace.audit.models import record_audit
from marketplace.errors import Conflict, NotFound, ValidationFailed
from marketplace.exports import csv_chunks, xlsx_chunks
from marketplace.extensions import db
from marketplace.finance import rules
from marketplace.finance.services import EXPORT_MIMETYPES, _sum_dict, _sums
from marketplace.ledger import rules as ledger_rules
from marketplace.ledger.models import ClosedPeriod, SpendingRecord
from marketplace.ordering.models import Order
from marketplace.timeutil import current_period, is_period, previous_period

SR = SpendingRecord
SNAPSHOT_VERSION = 1


def _check_period(period: str) -> str:
    if not is_period(period or ""):
        raise ValidationFailed(details={"period": [PERIOD_MESSAGE]})
    return period


def snapshot_of(period: str) -> dict:
    """The month's spending as it stands: one row per (channel, OPD, class) with UMK, PDN, local
    and total, the totals per channel, and the adjustments booked in it for closed months."""
    rows = db.session.execute(
        select(SR.channel, Opd.code, SR.vendor_umk_class, *_sums())
        .outerjoin(Opd, Opd.id == SR.opd_id)
        .where(SR.period == period)
        .group_by(SR.channel, Opd.code, SR.vendor_umk_class)
    ).all()
    lines = sorted(
        (
            {
                "channel": r.channel,
                "population": rules.population_of(r.channel),
                "opd_code": r.code,
                "umk_class": r.vendor_umk_class,
                **_sum_dict(r),
            }
            for r in rows
        ),
        key=lambda x: (x["channel"], x["opd_code"] or "", x["umk_class"]),
    )
    by_channel = {c: rules.zero_sums() for c in ledger_rules.CHANNELS}
    for line in lines:
        for key in rules.SUM_KEYS:
            by_channel.setdefault(line["channel"], rules.zero_sums())[key] += line[key]
    adjustments = db.session.execute(
        select(SR.adjusts_period, func.coalesce(func.sum(SR.amount), 0))
        .where(SR.period == period, SR.adjusts_period.is_not(None))
        .group_by(SR.adjusts_period)
        .order_by(SR.adjusts_period)
    ).all()
    return {
        "version": SNAPSHOT_VERSION,
        "period": period,
        "by_channel": by_channel,
        "rows": lines,
        "adjustments_booked": {p: int(a) for p, a in adjustments},
    }


def checksum(snapshot: dict) -> str:
    """SHA-256 of the snapshot's canonical JSON (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def close_period(actor: User, period: str) -> ClosedPeriod:
    """Close an ended month: store its snapshot and checksum, audited as `period.close`.

    422 for a month that has not ended (or a malformed one); 409 `period_closed` when it was
    closed already."""
    _check_period(period)
    if not ledger_rules.can_close(period, current_period()):
        raise ValidationFailed(
            "Hanya bulan yang sudah berakhir yang dapat ditutup.",
            details={"period": ["Bulan ini belum berakhir."]},
        )
    if db.session.scalar(select(ClosedPeriod.id).where(ClosedPeriod.period == period)):
        raise Conflict(f"Bulan {period} sudah ditutup.", code="period_closed")
    snapshot = snapshot_of(period)
    # Other areas freeze what they derive from the month in this same transaction (the
    # mandate's compliance) and add their summary to the snapshot.
    for _receiver, extra in signals.period_closing.send(period, actor=actor):
        snapshot.update(extra or {})
    closed = ClosedPeriod(
        period=period, closed_by_id=actor.id, snapshot=snapshot, checksum=checksum(snapshot)
    )
    db.session.add(closed)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(f"Bulan {period} sudah ditutup.", code="period_closed") from None
    record_audit(
        actor,
        "period.close",
        "period",
        period,
        after={"checksum": closed.checksum, "by_channel": snapshot["by_channel"]},
    )
    db.session.commit()
    signals.period_closed.send(period, actor=actor)
    return closed


def get_closed(period: str) -> ClosedPeriod:
    _check_period(period)
    closed = db.session.scalar(select(ClosedPeriod).where(ClosedPeriod.period == period))
    if closed is None:
        raise NotFound(f"Bulan {period} belum ditutup.")
    return closed


def closed_view(closed: ClosedPeriod) -> dict:
    """A closed month as the API answers it, with `intact`: whether the month's spending records
    still give the stored snapshot (they always should: nothing writes into a closed month; the
    parts other areas froze at the close, such as the mandate's, are kept as stored)."""
    return {
        "period": closed.period,
        "closed_at": closed.created_at,
        "closed_by": closed.closed_by_id,
        "checksum": closed.checksum,
        "intact": checksum({**closed.snapshot, **snapshot_of(closed.period)}) == closed.checksum,
        "snapshot": closed.snapshot,
    }


def list_closed(page: int = 1, per_page: int = 20) -> Page:
    return paginate(select(ClosedPeriod).order_by(ClosedPeriod.period.desc()), page, per_page)


def recent_months(count: int = 12) -> list[dict]:
    """The last `count` months before this one, newest first, with whether each is closed."""
    periods, period = [], current_period()
    for _ in range(count):
        period = previous_period(period)
        periods.append(period)
    closed = {
        c.period: c
        for c in db.session.scalars(select(ClosedPeriod).where(ClosedPeriod.period.in_(periods)))
    }
    return [{"period": p, "closed": closed.get(p)} for p in periods]


def corrections(period: str, page: int = 1, per_page: int = 50) -> Page:
    """Every adjustment of closed month `period`: refund shares of its sales booked later."""
    _check_period(period)
    stmt = (
        select(SR, Order.number)
        .join(Order, Order.id == SR.order_id)
        .where(SR.adjusts_period == period)
        .order_by(SR.occurred_at, SR.id)
    )
    result = paginate(stmt, page, per_page, scalars=False)
    result.items = [
        {
            "id": r.id,
            "adjusts_period": r.adjusts_period,
            "booked_period": r.period,
            "occurred_at": r.occurred_at,
            "order_id": r.order_id,
            "order_number": number,
            "order_line_id": r.order_line_id,
            "refund_id": r.refund_id,
            "channel": r.channel,
            "umk_class": r.vendor_umk_class,
            "is_pdn": r.is_pdn,
            "is_local_product": r.is_local_product,
            "amount": int(r.amount),
        }
        for r, number in result.items
    ]
    return result


def export_snapshot(closed: ClosedPeriod, fmt: str) -> tuple[bytes, str, str]:
    """The closed month's snapshot rows as CSV or XLSX, with its checksum in the file name."""
    columns = ["population", "channel", "opd_code", "umk_class", *rules.SUM_KEYS]
    rows = [[row.get(c) for c in columns] for row in closed.snapshot["rows"]]
    name = f"bulan-tutup-{closed.period}-{closed.checksum[:12]}.{fmt}"
    if fmt == "csv":
        return b"".join(csv_chunks(columns, rows)), EXPORT_MIMETYPES["csv"], name
    title = f"Tutup buku {closed.period}"
    return b"".join(xlsx_chunks(columns, rows, title)), EXPORT_MIMETYPES["xlsx"], name
