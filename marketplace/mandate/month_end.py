"""What happens when finance closes a month (issue 13): the head of each OPD gets the list of
their staff who fell short (in-app and email, with each shortfall), and the BKPSDM and
Inspektorat readers get the city summary with a link to the CSV. Readers are a per-user flag
the admin assigns (`MandateReader`), whatever the user's role. Everything here reads the
figures frozen at the close (`FrozenCompliance`), never live ones.

Office heads are the holders of procurement's office role `head` in their own OPD (assigned by
the admin on the office roles page); an OPD without one gets no list (the CLI says which)."""

from __future__ import annotations

import csv
import io
import logging
from typing import Any

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import Opd, User
from marketplace.api import Page
from marketplace.audit.models import record_audit
from marketplace.errors import Forbidden, NotFound, ValidationFailed
from marketplace.exports import safe_cell
from marketplace.extensions import db
from marketplace.ledger.queries import is_closed
from marketplace.mandate import rules, services
from marketplace.mandate.models import (
    FrozenCompliance,
    MandateMonthEndNotice,
    MandateReader,
)
from marketplace.money import format_rupiah
from marketplace.procurement import rules as office_rules
from marketplace.procurement.models import OfficeRole

log = logging.getLogger(__name__)

CSV_COLUMNS = (
    "nip",
    "name",
    "opd",
    "opd_name",
    "position",
    "required",
    "spent",
    "shortfall",
    "exemption",
)
# The most staff named in one office head's notification; the page lists them all.
NOTICE_LINES = 50


# ---------------------------------------------------------------- readers
def reader_body(user) -> str | None:
    """`bkpsdm` or `inspektorat` when the admin made `user` a month-end reader, else None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(MandateReader.body).where(MandateReader.user_id == user.id))


def require_reader(actor: User) -> None:
    """The city's month-end figures: readers (BKPSDM, Inspektorat), finance and the admin."""
    if actor.role in ("admin", "finance"):
        return
    if reader_body(actor) is None:
        raise Forbidden("Hanya BKPSDM, Inspektorat, keuangan dan admin yang melihat rekap ini.")


def reader_dict(row: MandateReader) -> dict[str, Any]:
    return {
        "user_id": row.user_id,
        "name": row.user.name,
        "email": row.user.email,
        "role": row.user.role,
        "body": row.body,
        "body_label": rules.READER_BODIES.get(row.body, row.body),
        "created_at": row.created_at,
    }


def list_readers(actor: User) -> list[dict[str, Any]]:
    if actor.role != "admin":
        raise Forbidden()
    rows = db.session.scalars(select(MandateReader).order_by(MandateReader.body, MandateReader.id))
    return [reader_dict(r) for r in rows]


def set_reader(actor: User, *, user_id: int | None = None, email: str | None = None, body: str):
    """Admin: make a user (by id or email) a BKPSDM or Inspektorat reader (audited). Vendors
    and members of the public cannot be (422)."""
    if actor.role != "admin":
        raise Forbidden()
    if body not in rules.READER_BODIES:
        raise ValidationFailed(details={"body": ["Pilih bkpsdm atau inspektorat."]})
    if user_id is not None:
        user = db.session.get(User, user_id)
    else:
        user = db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None:
        raise NotFound("Pengguna tidak ditemukan.")
    if user.role not in ("civil_servant", "finance", "admin"):
        raise ValidationFailed(
            details={"user": ["Hanya ASN, petugas keuangan atau admin yang dapat ditunjuk."]}
        )
    row = db.session.scalar(select(MandateReader).where(MandateReader.user_id == user.id))
    before = {"body": row.body} if row else None
    if row is None:
        row = MandateReader(user_id=user.id, body=body, assigned_by_id=actor.id)
        db.session.add(row)
    row.body, row.assigned_by_id = body, actor.id
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return set_reader(actor, user_id=user.id, body=body)
    record_audit(actor, "mandate.reader_set", "user", user.id, before=before, after={"body": body})
    db.session.commit()
    return reader_dict(row)


def remove_reader(actor: User, user_id: int) -> None:
    """Admin: the user no longer reads the month-end figures (audited); 404 when not one."""
    if actor.role != "admin":
        raise Forbidden()
    row = db.session.scalar(select(MandateReader).where(MandateReader.user_id == user_id))
    if row is None:
        raise NotFound("Pengguna ini bukan pembaca rekap.")
    record_audit(actor, "mandate.reader_removed", "user", user_id, before={"body": row.body})
    db.session.delete(row)
    db.session.commit()


# ---------------------------------------------------------------- the frozen month
def _closed(period: str) -> None:
    if not is_closed(period):
        raise NotFound(f"Bulan {period} belum ditutup; rekap akhir bulan belum ada.")


def closed_months(actor: User, limit: int = 24) -> list[dict[str, Any]]:
    """The closed months with their frozen city summary, newest first."""
    require_reader(actor)
    fc = FrozenCompliance
    short = fc.spent < fc.required
    rows = db.session.execute(
        select(
            fc.period,
            func.count().label("n"),
            func.sum(case((short, 0), else_=1)).label("ok"),
            func.sum(case((short, fc.required - fc.spent), else_=0)).label("shortfall"),
            func.sum(case((fc.exemption.is_not(None), 1), else_=0)).label("exempt"),
        )
        .group_by(fc.period)
        .order_by(fc.period.desc())
        .limit(limit)
    ).all()
    return [
        {
            "period": r.period,
            "civil_servants": int(r.n),
            "compliant": int(r.ok or 0),
            "not_compliant": int(r.n) - int(r.ok or 0),
            "rate_bps": rules.compliance_rate_bps(int(r.ok or 0), int(r.n)),
            "shortfall": int(r.shortfall or 0),
            "exempt": int(r.exempt or 0),
        }
        for r in rows
    ]


def _line(r) -> dict[str, Any]:
    row = services._row(r)
    row["shortfall"] = row["remaining"]
    return row


def _short_rows(period: str, opd: str | None = None, *, short_only: bool = True):
    base = services.frozen_base(period, opd)
    stmt = select(base)
    if short_only:
        stmt = stmt.where(base.c.spent < base.c.required)
    return stmt.order_by(base.c.opd_name, base.c.name, base.c.user_id)


def month_end_report(
    actor: User,
    period: str,
    *,
    opd: str | None = None,
    short_only: bool = True,
    page: int = 1,
    per_page: int = 50,
) -> Page:
    """A closed month as BKPSDM and the Inspektorat read it: the city summary, per OPD, and a
    page of the civil servants who fell short (or everyone with `short_only=False`)."""
    require_reader(actor)
    _closed(period)
    per_page = min(per_page, 200)
    summary = services._summary(services.frozen_base(period))
    by_opd = _by_opd(period)
    stmt = _short_rows(period, opd, short_only=short_only)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(
        items=[_line(r) for r in rows],
        page=page,
        per_page=per_page,
        total=int(total or 0),
        extra={
            "period": period,
            "summary": summary,
            "by_opd": by_opd,
            "tpp_deduction": bool(current_app.config.get("MANDATE_TPP_DEDUCTION")),
        },
    )


def _by_opd(period: str) -> list[dict[str, Any]]:
    base = services.frozen_base(period)
    short = base.c.spent < base.c.required
    rows = db.session.execute(
        select(
            base.c.opd,
            base.c.opd_name,
            func.count().label("n"),
            func.sum(case((short, 0), else_=1)).label("ok"),
            func.sum(case((short, base.c.required - base.c.spent), else_=0)).label("shortfall"),
        )
        .group_by(base.c.opd, base.c.opd_name)
        .order_by(base.c.opd_name)
    ).all()
    return [
        {
            "opd_code": r.opd,
            "opd_name": r.opd_name,
            "civil_servants": int(r.n),
            "compliant": int(r.ok or 0),
            "rate_bps": rules.compliance_rate_bps(int(r.ok or 0), int(r.n)),
            "shortfall": int(r.shortfall or 0),
        }
        for r in rows
    ]


def month_end_rows(
    actor: User, period: str, *, opd: str | None = None, short_only: bool = True
) -> list[dict[str, Any]]:
    """Every row of the month-end list (for the CSV and the TPP deduction input)."""
    require_reader(actor)
    _closed(period)
    return [_line(r) for r in db.session.execute(_short_rows(period, opd, short_only=short_only))]


def month_end_csv(rows: list[dict[str, Any]]) -> str:
    """NIP, name, OPD, position, required, spent, shortfall and exemption, one ASN a line."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(["" if row[c] is None else safe_cell(row[c]) for c in CSV_COLUMNS])
    return buf.getvalue()


# ---------------------------------------------------------------- office heads
def office_heads() -> list[tuple[User, Opd]]:
    """Every active head of an OPD (procurement's office role `head`, held in their own OPD)."""
    rows = db.session.execute(
        select(User, Opd)
        .join(OfficeRole, OfficeRole.user_id == User.id)
        .join(Opd, Opd.id == OfficeRole.opd_id)
        .where(
            OfficeRole.role == office_rules.HEAD,
            User.opd_id == OfficeRole.opd_id,
            User.active.is_(True),
        )
        .order_by(Opd.code, User.id)
    ).all()
    return [(r[0], r[1]) for r in rows]


def office_report(actor: User, period: str) -> dict[str, Any]:
    """An office head's closed month: every ASN of their OPD with required, spent, shortfall
    and exemption (frozen), those who fell short first."""
    opd_ids = {opd.id: opd for user, opd in office_heads() if user.id == actor.id}
    if not opd_ids:
        raise Forbidden("Hanya kepala OPD yang melihat rekap kantornya.")
    _closed(period)
    opd = next(iter(opd_ids.values()))
    rows = [_line(r) for r in db.session.execute(_short_rows(period, opd.code, short_only=False))]
    rows.sort(key=lambda r: (r["shortfall"] == 0, r["name"]))
    return {
        "period": period,
        "opd": opd.code,
        "opd_name": opd.name,
        "summary": services._summary(services.frozen_base(period, opd.code)),
        "items": rows,
    }


def office_months(actor: User) -> list[str]:
    """The closed months an office head can open, newest first."""
    if not any(user.id == actor.id for user, _ in office_heads()):
        raise Forbidden("Hanya kepala OPD yang melihat rekap kantornya.")
    return list(
        db.session.scalars(
            select(FrozenCompliance.period)
            .group_by(FrozenCompliance.period)
            .order_by(FrozenCompliance.period.desc())
            .limit(24)
        )
    )


# ---------------------------------------------------------------- the notices
def _head_text(period: str, opd: Opd, short: list[dict[str, Any]]) -> tuple[str, str]:
    """The office head's notice, in the recipient's language (the caller forces the locale)."""
    if not short:
        return (
            gettext("Kepatuhan belanja ASN %(p)s: semua ASN %(o)s memenuhi", p=period, o=opd.name),
            gettext(
                "Semua ASN %(o)s memenuhi kewajiban belanja bulan %(p)s.", o=opd.name, p=period
            ),
        )
    lines = [
        "- "
        + gettext(
            "%(name)s (NIP %(nip)s), %(position)s: belanja %(spent)s dari %(required)s, "
            "kurang %(shortfall)s",
            name=r["name"],
            nip=r["nip"] or "-",
            position=r["position"] or "-",
            spent=format_rupiah(r["spent"]),
            required=format_rupiah(r["required"]),
            shortfall=format_rupiah(r["shortfall"]),
        )
        for r in short[:NOTICE_LINES]
    ]
    if len(short) > NOTICE_LINES:
        lines.append(
            gettext("… dan %(n)s ASN lainnya (lihat halaman rekap).", n=len(short) - NOTICE_LINES)
        )
    total = sum(r["shortfall"] for r in short)
    body = (
        gettext(
            "Bulan %(p)s sudah ditutup. %(n)s ASN %(o)s belum memenuhi kewajiban belanja "
            "(kekurangan %(total)s):",
            p=period,
            n=len(short),
            o=opd.name,
            total=format_rupiah(total),
        )
        + "\n"
        + "\n".join(lines)
    )
    title = gettext(
        "Kepatuhan belanja ASN %(p)s: %(n)s ASN %(o)s kurang", p=period, n=len(short), o=opd.name
    )
    return title, body


def _reader_text(period: str, summary: dict[str, Any]) -> tuple[str, str]:
    """A reader's notice, in the recipient's language (the caller forces the locale)."""
    body = gettext(
        "Bulan %(p)s sudah ditutup. %(c)s dari %(n)s ASN memenuhi kewajiban belanja (%(rate)s%%); "
        "%(short)s kurang, total kekurangan %(total)s. Daftar lengkap (CSV: NIP, nama, OPD, "
        "jabatan, wajib, belanja, kekurangan, pembebasan) ada di halaman rekap.",
        p=period,
        c=summary["compliant"],
        n=summary["civil_servants"],
        rate=f"{summary['rate_bps'] / 100:.2f}",
        short=summary["not_compliant"],
        total=format_rupiah(summary["shortfall"]),
    )
    return gettext("Rekap kepatuhan belanja ASN %(p)s", p=period), body


def _send_once(user: User, period: str, kind: str, texts, url: str) -> bool:
    """One notice per (period, user), recorded in the same transaction as the notification;
    `texts()` gives (title, body), made in the user's language."""
    from marketplace.notifications.services import notify

    try:
        with db.session.begin_nested():
            notice = MandateMonthEndNotice(period=period, user_id=user.id, kind=kind)
            db.session.add(notice)
            db.session.flush()
    except IntegrityError:
        return False
    with force_locale(user.locale if user.locale in ("id", "en") else "id"):
        title, body = texts()
    note = notify(user, f"mandate_month_end_{kind}", title[:200], body, url=url)
    notice.notification_id = note.id
    db.session.commit()
    return True


def send_month_end(period: str) -> dict[str, Any]:
    """Send the month-end notices of a closed month (once each: a run again sends only what is
    missing). Returns how many went to heads and readers and the OPDs with no head."""
    _closed(period)
    heads = office_heads()
    sent_heads = sent_readers = 0
    by_opd: dict[str, list[dict[str, Any]]] = {}
    for r in db.session.execute(_short_rows(period)):
        row = _line(r)
        by_opd.setdefault(row["opd"], []).append(row)
    for user, opd in heads:
        short = by_opd.get(opd.code, [])
        texts = lambda opd=opd, short=short: _head_text(period, opd, short)
        if _send_once(user, period, "office_head", texts, f"/mandate/office/{period}"):
            sent_heads += 1
    summary = services._summary(services.frozen_base(period))
    readers = db.session.scalars(
        select(User).join(MandateReader, MandateReader.user_id == User.id).where(User.active)
    ).all()
    for user in readers:
        texts = lambda: _reader_text(period, summary)
        if _send_once(user, period, "reader", texts, f"/mandate/month-end/{period}"):
            sent_readers += 1
    headed = {opd.code for _, opd in heads}
    frozen_opds = db.session.scalars(
        select(FrozenCompliance.opd).where(FrozenCompliance.period == period).distinct()
    ).all()
    return {
        "period": period,
        "heads": sent_heads,
        "readers": sent_readers,
        "opds_without_head": sorted(o for o in frozen_opds if o and o not in headed),
    }


def send_on_close(period: str) -> None:
    """After finance's close committed: the notices go out at once. A failure here (SMTP,
    anything) never undoes the close; `flask send-mandate-month-end` sends what is missing."""
    try:
        send_month_end(period)
    except Exception:
        db.session.rollback()
        log.exception("month-end notices for %s failed; run flask send-mandate-month-end", period)


# ---------------------------------------------------------------- demo data
DEMO_READERS = (("197812252003121002", "bkpsdm"),)  # Rahmat Hidayat, BKPSDM (asn7 in the demo)


def seed_mandate_readers(*_args, **_kwargs) -> None:
    """Pembaca rekap akhir bulan (BKPSDM)

    Demo data (idempotent; commits): the BKPSDM civil servant reads the month-end figures.
    """
    for nip, body in DEMO_READERS:
        user = db.session.scalar(select(User).where(User.nip == nip))
        if user is None:
            continue
        if db.session.scalar(select(MandateReader.id).where(MandateReader.user_id == user.id)):
            continue
        db.session.add(MandateReader(user_id=user.id, body=body))
    db.session.commit()
