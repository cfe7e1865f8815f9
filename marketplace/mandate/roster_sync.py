"""Leavers and joiners on the ASN roster (issue 13): a roster import declared complete for one
OPD or the whole city previews the active civil servants it no longer lists and, on
confirmation, deactivates them (their leaving day recorded, audited); one ASN is deactivated or
reactivated by the admin. Joiners get their first day from the roster import that created them
(`accounts.services`), leavers theirs from the deactivation."""

from __future__ import annotations

import csv
import io
import itertools
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import or_, select

from marketplace.accounts import rules as account_rules
from marketplace.accounts import services as accounts
from marketplace.accounts.models import Opd, User
from marketplace.api import Page, paginate
from marketplace.audit.models import record_audit
from marketplace.errors import Forbidden, NotFound, ValidationFailed
from marketplace.extensions import db

CITY = "city"


@dataclass
class Completion:
    """What declaring a roster complete for `scope` means: who the file lists and which active
    civil servants of the scope it does not (the leavers to confirm)."""

    scope: str
    scope_name: str
    listed: int
    absent: list[dict[str, Any]] = field(default_factory=list)
    imported: Any = None  # accounts.services.ImportResult when the file was imported
    deactivated: int = 0


def _require_admin(actor: User | None) -> None:
    if actor is not None and actor.role != "admin":
        raise Forbidden()


def roster_listing(data: bytes) -> dict[str, str]:
    """The NIPs a roster file lists (normalised as the import does) with their OPD code; every
    row counts, even one the import refuses for another column, so a typo elsewhere never
    makes someone a leaver."""
    try:
        text = io.StringIO(data.decode("utf-8-sig"), newline="")
    except UnicodeDecodeError:
        raise ValidationFailed(
            'Berkas bukan UTF-8. Simpan ulang sebagai "CSV UTF-8" lalu unggah lagi.',
            details={"file": ["Berkas bukan UTF-8."]},
        ) from None
    first = text.readline()
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(itertools.chain([first], text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    if "nip" not in header:
        raise ValidationFailed(
            "Kolom nip tidak ada di baris judul.", details={"file": ["Kolom wajib: nip."]}
        )
    at, opd_at = header.index("nip"), header.index("opd_code") if "opd_code" in header else None
    listed: dict[str, str] = {}
    for record in reader:
        if len(record) > at and (nip := account_rules.normalise_nip(record[at])):
            opd = record[opd_at].strip() if opd_at is not None and len(record) > opd_at else ""
            listed[nip] = opd
    return listed


def _scope(scope: str) -> tuple[Opd | None, str]:
    scope = (scope or "").strip()
    if scope.lower() == CITY:
        return None, "Seluruh kota"
    opd = db.session.scalar(select(Opd).where(Opd.code == scope))
    if opd is None:
        raise ValidationFailed(
            "Cakupan tidak dikenal.",
            details={"scope": [f"Isi `city` atau kode OPD yang ada (tertulis: {scope[:32]!r})."]},
        )
    return opd, opd.name


def _in_scope(opd: Opd | None):
    where = [User.role == "civil_servant", User.active.is_(True)]
    if opd is not None:
        where.append(User.opd_id == opd.id)
    return where


def _person(user: User) -> dict[str, Any]:
    return {
        "user_id": user.id,
        "nip": user.nip,
        "name": user.name,
        "email": user.email,
        "opd": user.opd.code if user.opd else None,
        "opd_name": user.opd.name if user.opd else None,
        "position": user.position,
        "active": user.active,
        "joined_on": user.joined_on,
        "left_on": user.left_on,
    }


def preview_leavers(actor: User | None, data: bytes, scope: str) -> Completion:
    """The active civil servants of `scope` (`city` or an OPD code) the roster file does not
    list; nothing is written. 422 when the file lists nobody of that OPD (a wrong file would
    otherwise empty the office)."""
    _require_admin(actor)
    opd, name = _scope(scope)
    listed = roster_listing(data)
    in_scope = set(listed) if opd is None else {n for n, c in listed.items() if c == opd.code}
    if not in_scope:
        raise ValidationFailed(
            "Berkas ini tidak memuat satu pun ASN dari cakupan itu.",
            details={"scope": [f"Tidak ada baris untuk {name}; periksa berkas dan cakupan."]},
        )
    absent = db.session.scalars(
        select(User)
        .where(*_in_scope(opd), User.nip.not_in(in_scope))
        .order_by(User.opd_id, User.name, User.id)
    ).all()
    return Completion(
        scope=opd.code if opd else CITY,
        scope_name=name,
        listed=len(in_scope),
        absent=[_person(u) for u in absent],
    )


def complete_import(
    actor: User | None,
    data: bytes,
    scope: str,
    *,
    confirm: bool = False,
    left_on: date | None = None,
    reason: str | None = None,
) -> Completion:
    """Import the roster (upsert, as `accounts.services.import_civil_servants`), declare it
    complete for `scope` and preview the leavers; with `confirm` also deactivate them (their
    leaving day `left_on`, default today)."""
    _require_admin(actor)
    preview_leavers(actor, data, scope)  # 422 (scope, file) before anything is written
    result = accounts.import_civil_servants(actor, io.BytesIO(data))
    completion = preview_leavers(actor, data, scope)
    completion.imported = result
    if confirm and completion.absent:
        completion.deactivated = deactivate_leavers(
            actor,
            [p["user_id"] for p in completion.absent],
            completion.scope,
            left_on=left_on,
            reason=reason,
        )
    return completion


def deactivate_leavers(
    actor: User | None,
    user_ids: list[int],
    scope: str,
    *,
    left_on: date | None = None,
    reason: str | None = None,
) -> int:
    """Admin: deactivate the confirmed leavers of `scope` (active civil servants in it; 422
    naming any other id), recording their leaving day; one audit entry for the confirmation and
    one per ASN; commits once. Returns how many were deactivated."""
    _require_admin(actor)
    opd, _ = _scope(scope)
    wanted = sorted(set(user_ids))
    users = db.session.scalars(select(User).where(User.id.in_(wanted), *_in_scope(opd))).all()
    unknown = sorted(set(wanted) - {u.id for u in users})
    if unknown:
        raise ValidationFailed(
            "Sebagian ASN tidak aktif atau di luar cakupan.",
            details={"user_ids": [f"Bukan ASN aktif di cakupan ini: {unknown[:20]}."]},
        )
    why = reason or "Tidak ada di daftar ASN terbaru (impor lengkap)."
    for user in users:
        accounts.deactivate_user(actor, user, why, left_on=left_on, commit=False)
    record_audit(
        actor,
        "roster.leavers_deactivated",
        "roster",
        opd.code if opd else CITY,
        after={"deactivated": [u.nip for u in users], "left_on": str(left_on) if left_on else None},
        reason=why,
    )
    db.session.commit()
    return len(users)


# ---------------------------------------------------------------- one ASN
def civil_servant(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.role != "civil_servant":
        raise NotFound("ASN tidak ditemukan.")
    return user


def deactivate_civil_servant(
    actor: User, user_id: int, *, left_on: date | None = None, reason: str | None = None
) -> dict[str, Any]:
    """Admin: one ASN leaves (retired, moved): no sign-in, counted up to `left_on`'s month."""
    _require_admin(actor)
    return _person(accounts.deactivate_user(actor, civil_servant(user_id), reason, left_on=left_on))


def reactivate_civil_servant(
    actor: User, user_id: int, *, joined_on: date | None = None, reason: str | None = None
) -> dict[str, Any]:
    """Admin: one ASN is back on the roster from `joined_on` (default today)."""
    _require_admin(actor)
    user = accounts.reactivate_user(actor, civil_servant(user_id), reason, joined_on=joined_on)
    return _person(user)


def list_civil_servants(
    actor: User,
    *,
    q: str | None = None,
    status: str | None = None,
    opd: str | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Page:
    """Admin: civil servants by name, NIP or email (`q`), `status` active|inactive, OPD code."""
    _require_admin(actor)
    stmt = select(User).where(User.role == "civil_servant")
    if q and (q := q.strip()):
        nip = account_rules.normalise_nip(q)
        stmt = stmt.where(
            or_(
                User.name.icontains(q, autoescape=True),
                User.email.icontains(q, autoescape=True),
                User.nip.startswith(nip, autoescape=True),
            )
        )
    if status in ("active", "inactive"):
        stmt = stmt.where(User.active.is_(status == "active"))
    if opd:
        stmt = stmt.where(User.opd.has(Opd.code == opd))
    result = paginate(stmt.order_by(User.name, User.id), page, per_page)
    result.items = [_person(u) for u in result.items]
    return result
