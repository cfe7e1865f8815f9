"""Mandate exemptions (issue 13): a civil servant, or the head of their office, asks with a
reason that one month not be required (leave, secondment, illness); the admin approves or
rejects. An approved exemption makes that month require Rp0 (`tenure.adjust_required`) and
shows in the compliance report, its downloads and the month-end lists. A closed month never
changes: no request or decision for it (409 period_closed)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import User
from marketplace.api import PERIOD_MESSAGE, Page, paginate
from marketplace.audit.models import record_audit
from marketplace.errors import Conflict, Forbidden, NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.ledger.queries import is_closed
from marketplace.mandate import rules
from marketplace.mandate.models import MandateExemption
from marketplace.models_base import utcnow
from marketplace.procurement import rules as office_rules
from marketplace.procurement.models import OfficeRole
from marketplace.timeutil import is_period


def _head_opd_ids(user: User) -> set[int]:
    """The OPDs `user` heads (procurement's office role `head`, held while an ASN of it)."""
    if user.role != "civil_servant" or user.opd_id is None:
        return set()
    held = db.session.scalar(
        select(OfficeRole.id).where(
            OfficeRole.user_id == user.id,
            OfficeRole.opd_id == user.opd_id,
            OfficeRole.role == office_rules.HEAD,
        )
    )
    return {user.opd_id} if held is not None else set()


def _check_open(period: str) -> None:
    if is_closed(period):
        raise Conflict(
            f"Bulan {period} sudah ditutup; pembebasannya tidak dapat diubah.",
            code="period_closed",
        )


def exemption_dict(row: MandateExemption) -> dict[str, Any]:
    user = row.user
    return {
        "id": row.id,
        "user_id": row.user_id,
        "nip": user.nip,
        "name": user.name,
        "opd": user.opd.code if user.opd else None,
        "opd_name": user.opd.name if user.opd else None,
        "period": row.period,
        "kind": row.kind,
        "kind_label": rules.EXEMPTION_KINDS.get(row.kind, row.kind),
        "reason": row.reason,
        "status": row.status,
        "requested_by": row.requested_by.name if row.requested_by else None,
        "decided_by": row.decided_by.name if row.decided_by else None,
        "decided_at": row.decided_at,
        "decision_note": row.decision_note,
        "created_at": row.created_at,
    }


def request_exemption(
    actor: User,
    *,
    period: str,
    kind: str,
    reason: str,
    user_id: int | None = None,
) -> dict[str, Any]:
    """Ask that `period` not be required of civil servant `user_id` (default: the actor).

    The ASN asks for themselves; the head of an office for its ASN; the admin for anyone.
    422 for a bad period, kind or empty reason; 409 when one is already pending or approved for
    that month (a rejected one may be asked again) or the month is closed."""
    target_id = user_id or actor.id
    target = db.session.get(User, target_id)
    if target is None or target.role != "civil_servant":
        raise NotFound("ASN tidak ditemukan.")
    allowed = (
        actor.role == "admin"
        or actor.id == target.id
        or (target.opd_id is not None and target.opd_id in _head_opd_ids(actor))
    )
    if not allowed:
        raise Forbidden("Pembebasan diajukan oleh ASN sendiri atau kepala OPD-nya.")
    errors: dict[str, list[str]] = {}
    if not is_period(period or ""):
        errors["period"] = [PERIOD_MESSAGE]
    if kind not in rules.EXEMPTION_KINDS:
        errors["kind"] = ["Pilih salah satu: " + ", ".join(rules.EXEMPTION_KINDS) + "."]
    reason = " ".join((reason or "").split())
    if not reason:
        errors["reason"] = ["Tuliskan alasannya."]
    elif len(reason) > 500:
        errors["reason"] = ["Paling banyak 500 karakter."]
    if errors:
        raise ValidationFailed(details=errors)
    _check_open(period)
    row = db.session.scalar(
        select(MandateExemption).where(
            MandateExemption.user_id == target.id, MandateExemption.period == period
        )
    )
    if row is not None and row.status != "rejected":
        raise Conflict(
            f"Pembebasan bulan {period} untuk ASN ini sudah diajukan.", code="exemption_exists"
        )
    if row is None:
        row = MandateExemption(user_id=target.id, period=period)
        db.session.add(row)
    row.kind, row.reason, row.status = kind, reason, "requested"
    row.requested_by_id, row.decided_by_id, row.decided_at, row.decision_note = (
        actor.id,
        None,
        None,
        None,
    )
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(
            f"Pembebasan bulan {period} untuk ASN ini sudah diajukan.", code="exemption_exists"
        ) from None
    record_audit(
        actor,
        "mandate.exemption_requested",
        "mandate_exemption",
        row.id,
        after={"user_id": target.id, "period": period, "kind": kind, "reason": reason},
    )
    db.session.commit()
    return exemption_dict(row)


def decide_exemption(
    actor: User, exemption_id: int, *, approve: bool, note: str | None = None
) -> dict[str, Any]:
    """Admin: approve or reject a pending request (audited; the ASN is notified). 409 when it
    was already decided or its month is closed."""
    from marketplace.notifications.services import notify

    if actor.role != "admin":
        raise Forbidden()
    row = db.session.get(MandateExemption, exemption_id)
    if row is None:
        raise NotFound("Pengajuan pembebasan tidak ditemukan.")
    _check_open(row.period)
    if row.status != "requested":
        raise Conflict("Pengajuan ini sudah diputuskan.", code="exemption_decided")
    note = " ".join((note or "").split())[:500] or None
    row.status = "approved" if approve else "rejected"
    row.decided_by_id, row.decided_at, row.decision_note = actor.id, utcnow(), note
    record_audit(
        actor,
        f"mandate.exemption_{row.status}",
        "mandate_exemption",
        row.id,
        before={"status": "requested"},
        after={"status": row.status, "note": note},
    )
    word = "disetujui" if approve else "ditolak"
    notify(
        row.user,
        "mandate_exemption",
        f"Pembebasan kewajiban belanja {row.period} {word}",
        (note or rules.EXEMPTION_KINDS.get(row.kind, row.kind)),
        url="/mandate/exemptions",
    )
    db.session.commit()
    return exemption_dict(row)


def _visible(actor: User):
    """Which requests `actor` sees: all (admin), else their own and their office's (head)."""
    if actor.role == "admin":
        return None
    heads = _head_opd_ids(actor)
    clauses = [MandateExemption.user_id == actor.id]
    if heads:
        clauses.append(MandateExemption.user.has(User.opd_id.in_(heads)))
    return or_(*clauses)


def list_exemptions(
    actor: User,
    *,
    status: str | None = None,
    period: str | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Page:
    """The requests `actor` may see, newest first; filters `status` and `period`."""
    stmt = select(MandateExemption)
    if (visible := _visible(actor)) is not None:
        stmt = stmt.where(visible)
    if status:
        stmt = stmt.where(MandateExemption.status == status)
    if period:
        stmt = stmt.where(MandateExemption.period == period)
    result = paginate(
        stmt.order_by(MandateExemption.created_at.desc(), MandateExemption.id.desc()),
        page,
        per_page,
    )
    result.items = [exemption_dict(r) for r in result.items]
    return result


def get_exemption(actor: User, exemption_id: int) -> dict[str, Any]:
    """One request the actor may see; 404 otherwise (never telling that it exists)."""
    stmt = select(MandateExemption).where(MandateExemption.id == exemption_id)
    if (visible := _visible(actor)) is not None:
        stmt = stmt.where(visible)
    row = db.session.scalar(stmt)
    if row is None:
        raise NotFound("Pengajuan pembebasan tidak ditemukan.")
    return exemption_dict(row)


def heads_staff(actor: User) -> list[User]:
    """The ASN an office head may ask for (their office's active ASN), by name; empty for
    anyone else."""
    heads = _head_opd_ids(actor)
    if not heads:
        return []
    return list(
        db.session.scalars(
            select(User)
            .where(User.role == "civil_servant", User.active.is_(True), User.opd_id.in_(heads))
            .order_by(User.name, User.id)
        )
    )
