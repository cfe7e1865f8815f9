"""Office roles: who holds which procurement role in which OPD (the admin assigns and removes
them, audited), and the access check every procurement endpoint and page makes."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import Opd, User
from marketplace.audit.models import record_audit
from marketplace.errors import Conflict, Forbidden, NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.procurement import rules
from marketplace.procurement.models import OfficeRole


# ---------------------------------------------------------------- who acts for which office
@dataclass
class Office:
    """The caller's office and the procurement roles they hold in it."""

    user: User
    opd: Opd | None
    roles: set[str] = field(default_factory=set)

    def holds(self, role: str) -> bool:
        return role in self.roles


def office_of(user: User) -> Office:
    """The user's OPD and their roles in it. A role counts only while its holder is a civil
    servant of that OPD: someone moved to another office keeps no power over the old one."""
    if user.role != "civil_servant" or user.opd_id is None:
        return Office(user, None)
    held = db.session.scalars(
        select(OfficeRole.role).where(
            OfficeRole.user_id == user.id, OfficeRole.opd_id == user.opd_id
        )
    ).all()
    return Office(user, user.opd, set(held))


def holds_any_role(user: User) -> bool:
    """Whether the user holds a procurement role in their own OPD (one query: the navigation
    asks it on every page a civil servant opens)."""
    if user.role != "civil_servant" or user.opd_id is None:
        return False
    found = db.session.scalar(
        select(OfficeRole.id)
        .where(OfficeRole.user_id == user.id, OfficeRole.opd_id == user.opd_id)
        .limit(1)
    )
    return found is not None


def require_office(user: User, *roles: str) -> Office:
    """The caller's office; 403 when they hold no procurement role at all, or none of `roles`
    when given."""
    office = office_of(user)
    if not office.roles:
        raise Forbidden("Anda tidak memegang peran pengadaan di OPD mana pun.")
    if roles and not office.roles.intersection(roles):
        labels = " atau ".join(rules.ROLE_LABELS[r] for r in roles)
        raise Forbidden(f"Langkah ini hanya untuk {labels} OPD Anda.")
    return office


def holders(opd_id: int, role: str) -> list[User]:
    """The active civil servants of the OPD holding `role` (for notifications)."""
    return list(
        db.session.scalars(
            select(User)
            .join(OfficeRole, OfficeRole.user_id == User.id)
            .where(
                OfficeRole.opd_id == opd_id,
                OfficeRole.role == role,
                User.opd_id == opd_id,
                User.active.is_(True),
            )
            .order_by(User.id)
        ).all()
    )


# ---------------------------------------------------------------- the admin's side
def get_opd(code: str) -> Opd:
    opd = db.session.scalar(select(Opd).where(func.upper(Opd.code) == (code or "").upper()))
    if opd is None:
        raise NotFound("OPD tidak ditemukan.")
    return opd


def list_opds() -> list[tuple[Opd, int]]:
    """Every OPD with how many roles are held in it, by code."""
    counts = dict(
        db.session.execute(
            select(OfficeRole.opd_id, func.count()).group_by(OfficeRole.opd_id)
        ).all()
    )
    opds = db.session.scalars(select(Opd).order_by(Opd.code)).all()
    return [(opd, counts.get(opd.id, 0)) for opd in opds]


def list_roles(code: str) -> tuple[Opd, list[OfficeRole]]:
    """The OPD and its role holders, by person then role."""
    opd = get_opd(code)
    rows = db.session.scalars(
        select(OfficeRole)
        .join(User, User.id == OfficeRole.user_id)
        .where(OfficeRole.opd_id == opd.id)
        .options(selectinload(OfficeRole.user))
        .order_by(User.name, OfficeRole.user_id, OfficeRole.role)
    ).all()
    return opd, list(rows)


def staff_of(opd: Opd) -> list[User]:
    """The OPD's civil servants (who may be given a role), by name."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.opd_id == opd.id, User.role == "civil_servant", User.active.is_(True))
            .order_by(User.name)
        ).all()
    )


def _holder(data: dict) -> User:
    user = None
    if data.get("user_id"):
        user = db.session.get(User, data["user_id"])
    elif data.get("email"):
        user = db.session.scalar(
            select(User).where(func.lower(User.email) == data["email"].strip().lower())
        )
    elif data.get("nip"):
        user = db.session.scalar(select(User).where(User.nip == data["nip"].strip()))
    else:
        raise ValidationFailed(
            "Sebutkan penggunanya.", details={"user_id": ["Isi user_id, email atau NIP."]}
        )
    if user is None:
        raise ValidationFailed(
            "Pengguna tidak ditemukan.", details={"user_id": ["Pengguna tidak ditemukan."]}
        )
    return user


def _snapshot(row: OfficeRole) -> dict:
    return {"opd": row.opd.code, "user_id": row.user_id, "role": row.role}


def assign_role(actor: User, code: str, data: dict) -> OfficeRole:
    """Give a civil servant of the OPD a procurement role (422 for anyone else, 409 when they
    hold it already); audited `procurement.role_assign`."""
    opd = get_opd(code)
    user = _holder(data)
    role = data["role"]
    problem = rules.holder_problem(user.role, user.opd_id, opd.id, user.active)
    if problem:
        raise ValidationFailed(problem, details={"user_id": [problem]})
    exists = db.session.scalar(
        select(OfficeRole.id).where(
            OfficeRole.opd_id == opd.id, OfficeRole.user_id == user.id, OfficeRole.role == role
        )
    )
    if exists:
        raise Conflict(
            f"{user.name} sudah memegang peran {rules.ROLE_LABELS[role]}.", code="role_held"
        )
    row = OfficeRole(opd_id=opd.id, user_id=user.id, role=role, assigned_by_id=actor.id)
    row.opd, row.user = opd, user
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(
            f"{user.name} sudah memegang peran {rules.ROLE_LABELS[role]}.", code="role_held"
        ) from None
    record_audit(actor, "procurement.role_assign", "office_role", row.id, after=_snapshot(row))
    db.session.commit()
    return row


def remove_role(actor: User, code: str, role_id: int) -> None:
    """Take a role back; audited `procurement.role_remove`. 404 for a role of another OPD."""
    opd = get_opd(code)
    row = db.session.scalar(
        select(OfficeRole).where(OfficeRole.id == role_id, OfficeRole.opd_id == opd.id)
    )
    if row is None:
        raise NotFound("Peran tidak ditemukan.")
    record_audit(actor, "procurement.role_remove", "office_role", row.id, before=_snapshot(row))
    db.session.delete(row)
    db.session.commit()


# ---------------------------------------------------------------- the demo
DEMO_ROLES = (  # (NIP, role): a health office whose staff officer buys, section head approves,
    # spending treasurer pays and head of office oversees (demo users asn12, asn5, asn13, asn14)
    ("199707152022032001", rules.OFFICER),
    ("198309182009022004", rules.PPK),
    ("198905112015031004", rules.TREASURER),
    ("197602142002122003", rules.HEAD),
)


def seed_office_roles() -> None:
    """Demo office roles in DINKES (idempotent; commits): Nur Aini buys, dr. Rina Wulandari
    approves, Andi Kurniawan pays, drg. Sri Handayani oversees. Skipped for anyone the roster
    does not hold."""
    for nip, role in DEMO_ROLES:
        user = db.session.scalar(select(User).where(User.nip == nip))
        if user is None or user.opd_id is None:
            continue
        held = db.session.scalar(
            select(OfficeRole.id).where(
                OfficeRole.user_id == user.id,
                OfficeRole.opd_id == user.opd_id,
                OfficeRole.role == role,
            )
        )
        if held is None:
            db.session.add(OfficeRole(opd_id=user.opd_id, user_id=user.id, role=role))
    db.session.commit()
