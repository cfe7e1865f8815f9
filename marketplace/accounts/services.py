"""Account operations: sign-in, tokens, sign-up and the ASN roster import (shop applications
and their verification are in `marketplace.shops.applications`). Each public function owns its
transaction (commits once) and raises `marketplace.errors` classes; helpers only flush.
"""

from __future__ import annotations

import csv
import io
import itertools
import logging
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import IO, Any

from flask import current_app, url_for
from flask_babel import gettext
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from marketplace import text
from marketplace.accounts import rules, throttle
from marketplace.accounts.models import ROLES, ApiToken, Opd, User
from marketplace.city import current_city
from marketplace.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidCredentials,
    NotFound,
    ValidationFailed,
)
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.timeutil import today_local

log = logging.getLogger(__name__)


def record_audit(*args: Any, **kwargs: Any):
    # Other areas are imported on use: their packages load their routes, which may import
    # accounts.models and so this module (a cycle whichever area is imported first).
    from marketplace.audit.models import record_audit as record

    return record(*args, **kwargs)


ROSTER_COLUMNS = ("nip", "name", "email", "opd_code", "opd_name", "position", "kelurahan")
RESET_SALT = "peken-password-reset"

_dummy_hash: str | None = None


# Outside a request (CLI, jobs) the locale selector answers the default, Indonesian.
_ = gettext


# ---------------------------------------------------------------- sign-in and tokens
def _refuse_lookalike(email: str) -> None:
    """422 for an email with an invisible character or letters of two scripts in one part:
    it only looks like someone's address (a Cyrillic `а` in `аdmin@…`)."""
    problem = text.email_problem(email)
    if problem is not None:
        raise ValidationFailed(_("Alamat email tidak valid."), details={"email": [_(problem)]})


def check_credentials(email: str, password: str) -> User | None:
    """The active user with this login (an email, or an ASN's 18-digit NIP) and password, or
    None (same work either way, so the answer time does not reveal which logins exist); 422 for
    a look-alike email."""
    global _dummy_hash
    nip = rules.login_nip(email)
    if nip is not None:
        user = db.session.scalar(select(User).where(User.nip == nip))
    else:
        email = rules.normalise_email(email)
        _refuse_lookalike(email)
        user = db.session.scalar(select(User).where(User.email == email))
    if user is None or not user.has_usable_password:
        if _dummy_hash is None:
            _dummy_hash = generate_password_hash(secrets.token_hex(8))
        check_password_hash(_dummy_hash, password or "")
        return None
    if not user.check_password(password or "") or not user.active:
        return None
    return user


def authenticate(email: str, password: str) -> User:
    """The user for these credentials; raises InvalidCredentials (401)."""
    user = check_credentials(email, password)
    if user is None:
        raise InvalidCredentials(_("Email atau kata sandi salah."))
    return user


def sign_in(email: str, password: str, address: str | None) -> User | None:
    """The user for these credentials (`email` is the login: an email or a NIP) or None,
    counting the attempt against the failed sign-in limit of (address, login) shared by every
    worker (a NIP is counted as typed without its spaces, like an email normalised); TooManyRequests (429) once it is used up.
    A success gives its slot back, so only failures count."""
    slot = throttle.take_attempt(email, address)
    user = check_credentials(email, password)
    if user is not None:
        throttle.give_back(slot)
    return user


def _new_token(user: User, name: str | None) -> str:
    token = "pk_" + secrets.token_urlsafe(32)
    days = int(current_app.config.get("API_TOKEN_MAX_AGE_DAYS") or 30)
    db.session.add(
        ApiToken(
            user_id=user.id,
            token_hash=ApiToken.hash(token),
            name=(name or "api")[:100],
            expires_at=utcnow() + timedelta(days=days),
        )
    )
    db.session.flush()
    return token


def issue_token(user: User, name: str | None = "api") -> str:
    """A new bearer token for `user`; the plain token is returned once, only its hash is kept."""
    token = _new_token(user, name)
    db.session.commit()
    return token


def sign_in_for_token(
    email: str, password: str, name: str | None = "api", *, address: str | None = None
) -> tuple[str, User]:
    """`POST /auth/token`: check the credentials and issue a token; 401 when they are wrong,
    429 after LOGIN_FAILURE_LIMIT failures from one address for one email."""
    user = sign_in(email, password, address)
    if user is None:
        raise InvalidCredentials(_("Email atau kata sandi salah."))
    return issue_token(user, name), user


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens; another user's token answers 404."""
    row = db.session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    )
    if row is None:
        raise NotFound(_("Token tidak ditemukan."))
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        row.revoked_reason = "owner"
        db.session.commit()
    return row


def revoke_current_token(user: User, token: ApiToken | None) -> None:
    """`DELETE /auth/token`: revoke the bearer token the call came with."""
    if token is None:
        raise BadRequest(
            _("Permintaan ini harus memakai token Bearer."), code="bearer_token_required"
        )
    revoke_token(user, token.id)


def list_tokens(user: User) -> list[ApiToken]:
    """The user's own tokens, newest first (revoked and expired ones included, marked)."""
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        )
    )


def end_sessions(user: User) -> None:
    """Log out everywhere: old session cookies carry the previous version and stop working."""
    user.session_version = (user.session_version or 1) + 1
    db.session.commit()


# ---------------------------------------------------------------- sign-up and passwords
def _check_password_rules(password: str, email: str | None = None) -> None:
    current = current_city()
    problems = rules.password_problems(
        password, email=email, city_words=(current.short_name, current.platform_name)
    )
    if problems:
        raise ValidationFailed(
            _("Kata sandi belum memenuhi syarat."), details={"password": [_(p) for p in problems]}
        )


def register_user(
    email: str, password: str, name: str, *, role: str = "public", home: dict | None = None
) -> User:
    """Create an account (role `public` for sign-ups); 409 email_taken, 422 weak password.
    `home` may give the home kelurahan (`kelurahan`, `kecamatan`, `area_code`), resolved as on
    the account page: 422 when ambiguous or unknown, and then nothing is created."""
    email = rules.normalise_email(email)
    _refuse_lookalike(email)
    if not rules.is_valid_email(email):
        raise ValidationFailed(details={"email": [_("Alamat email tidak valid.")]})
    if role not in ROLES:
        raise ValidationFailed(details={"role": [_("Peran tidak dikenal.")]})
    _check_password_rules(password, email)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(details={"name": [_("Wajib diisi.")]})
    if (bad := text.first_control(name)) is not None:
        raise ValidationFailed(details={"name": [text.control_message(bad)]})
    if (problem := text.name_problem(name)) is not None:
        raise ValidationFailed(details={"name": [_(problem)]})
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(_("Email ini sudah terdaftar."), code="email_taken")
    area_code, kelurahan = _home_place(home or {})
    user = User(
        email=email,
        name=name[:200],
        role=role,
        active=True,
        area_code=area_code,
        kelurahan=kelurahan,
    )
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:  # the same email registered at the same moment
        db.session.rollback()
        raise Conflict(_("Email ini sudah terdaftar."), code="email_taken") from None
    return user


def change_password(user: User, current: str, new: str) -> User:
    """Change one's own password after re-checking the current one; ends other sessions and
    revokes the user's bearer tokens (`token_guard`)."""
    if not user.check_password(current or ""):
        raise ValidationFailed(
            _("Kata sandi saat ini salah."),
            details={"current_password": [_("Kata sandi saat ini salah.")]},
        )
    _check_password_rules(new, user.email)
    user.set_password(new)
    user.session_version = (user.session_version or 1) + 1
    db.session.commit()
    return user


def update_contact(user: User, phone: str | None) -> User:
    """Set or clear one's own phone number (already in E.164: api.PhoneField). Only the shops
    of this user's orders see it, on those orders."""
    user.phone = phone or None
    db.session.commit()
    return user


def set_password(user: User, new: str) -> User:
    """Operator/CLI and reset links: set a password (rules apply), end the user's sessions and
    revoke their bearer tokens (`token_guard`)."""
    _check_password_rules(new, user.email)
    user.set_password(new)
    user.session_version = (user.session_version or 1) + 1
    db.session.commit()
    return user


def deactivate_user(
    actor: User | None,
    user: User,
    reason: str | None = None,
    *,
    left_on: date | None = None,
    commit: bool = True,
) -> User:
    """Operator/admin: the account can no longer sign in; its cookie sessions end and its bearer
    tokens are revoked for good (`token_guard`), also if it is reactivated later. Audited.
    A civil servant's leaving day (`left_on`, default today, local) is recorded: the mandate
    still counts them in that month, not after."""
    if user.active:
        user.active = False
        user.session_version = (user.session_version or 1) + 1
        if user.role == "civil_servant":
            user.left_on = left_on or today_local()
        record_audit(
            actor,
            "user.deactivate",
            "user",
            user.id,
            before={"active": True},
            after={"active": False, "left_on": user.left_on.isoformat() if user.left_on else None},
            reason=reason,
        )
        if commit:
            db.session.commit()
    return user


def reactivate_user(
    actor: User | None, user: User, reason: str | None = None, *, joined_on: date | None = None
) -> User:
    """Operator/admin: the account may sign in again (with a new password if its tokens were
    revoked: they stay revoked). A civil servant rejoins the roster on `joined_on` (default
    today, local): their leaving day is cleared and that month is their first again. Audited."""
    if not user.active:
        before = {"active": False, "left_on": user.left_on.isoformat() if user.left_on else None}
        user.active = True
        if user.role == "civil_servant":
            user.left_on = None
            user.joined_on = joined_on or today_local()
        record_audit(
            actor,
            "user.reactivate",
            "user",
            user.id,
            before=before,
            after={
                "active": True,
                "joined_on": user.joined_on.isoformat() if user.joined_on else None,
            },
            reason=reason,
        )
        db.session.commit()
    return user


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def _password_fingerprint(user: User) -> str:
    # Part of the current hash: once the password changes the link stops working (single use).
    return ApiToken.hash(user.password_hash)[:16]


def password_reset_token(user: User) -> str:
    return _reset_serializer().dumps({"u": user.id, "p": _password_fingerprint(user)})


def request_password_reset(email: str, *, address: str | None = None) -> bool:
    """Email a link to set a new password (also how roster-imported ASN set their first one).

    Always behaves the same for unknown emails so the form does not reveal who has an account;
    returns whether a link was made. Without SMTP the link is written to the log. Every request
    counts against the sign-in limit of (address, email): TooManyRequests (429) past it.
    """
    from marketplace.notifications.services import send_email

    if address is not None:  # a visitor's request, not an operator's or a job's
        throttle.take_attempt(email, address)

    user = db.session.scalar(select(User).where(User.email == rules.normalise_email(email)))
    if user is None or not user.active:
        return False
    link = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(
        "accounts.reset_password_page", token=password_reset_token(user)
    )
    body = _("Buka tautan ini dalam 24 jam untuk mengatur kata sandi Peken Anda:") + f"\n\n{link}\n"
    if not send_email(user.email, _("Atur kata sandi Peken"), body):
        if current_app.config.get("PEKEN_ENV") == "production":
            # A reset link is a password: never in production logs (ASVS 16.2.5).
            log.warning("could not email the password link to user %s", user.id)
        else:
            log.warning("SMTP is not configured; password link for %s: %s", user.email, link)
    return True


def user_for_reset_token(token: str) -> User:
    """The user a reset link belongs to; 404 when it is invalid, used or older than the limit."""
    max_age = int(current_app.config.get("PASSWORD_RESET_MAX_AGE", 24 * 3600))
    try:
        data = _reset_serializer().loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        raise NotFound(_("Tautan ini tidak berlaku lagi. Minta tautan baru.")) from None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.active or data.get("p") != _password_fingerprint(user):
        raise NotFound(_("Tautan ini tidak berlaku lagi. Minta tautan baru."))
    return user


def reset_password(token: str, new: str) -> User:
    """Set a new password through an emailed link; the link then stops working."""
    user = user_for_reset_token(token)
    return set_password(user, new)


# ---------------------------------------------------------------- the ASN roster
@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)  # the row imported all the same

    def error(self, row: int, message: str) -> None:
        self.errors.append({"row": row, "message": message})


class _RowError(Exception):
    pass


def _read_rows(stream: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    """CSV records numbered as in the file (header = 1), decoded as UTF-8 (a BOM is fine).

    Excel in an Indonesian locale saves with `;` separators; the header line tells which one.
    """
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    first = text.readline()
    if not first.strip():
        raise ValidationFailed(_("Berkas kosong."), details={"file": [_("Berkas kosong.")]})
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(itertools.chain([first], text), delimiter=delimiter)
    yield from enumerate(reader, start=1)


IMPORT_BATCH = 500


@dataclass
class _ImportState:
    opds: dict[str, Opd] = field(default_factory=dict)
    seen_nips: dict[str, int] = field(default_factory=dict)
    seen_emails: dict[str, int] = field(default_factory=dict)
    places: list | None = None  # the city's areas (areas.rules.Place), read once per import


@dataclass
class _Row:
    number: int
    values: dict[str, str]
    nip: str
    email: str
    area_code: str | None = None
    kelurahan: str | None = None


def _home_area(values: dict[str, str], state: _ImportState) -> tuple[str | None, str | None]:
    """(area code, kelurahan name) of a roster row: its `kelurahan` (a name or a code; an
    optional `kecamatan` or `area_code` column tells two of one name apart) resolved in the
    city; the name as given while the city has no areas. Raises _RowError when ambiguous or
    unknown, with the candidates or the closest names."""
    from marketplace.areas.services import city_places, resolve_place

    kelurahan = (values.get("kelurahan") or "").strip()[:100]
    code = (values.get("area_code") or "").strip()
    if not kelurahan and not code:
        return None, None
    if state.places is None:
        state.places = city_places()
    try:
        place = resolve_place(
            kelurahan=kelurahan,
            kecamatan=values.get("kecamatan"),
            code=code or None,
            places=state.places,
        )
    except ValidationFailed as err:
        given = kelurahan or code
        raise _RowError(
            _('Kelurahan "%(name)s": %(problem)s', name=given, problem=err.message)
        ) from None
    return (place.code, place.name) if place else (None, kelurahan or None)


def _check_row(number: int, values: dict[str, str], state: _ImportState) -> _Row:
    """The checks of one row (the city's areas are read once per import); raises _RowError."""
    missing = [c for c in ("nip", "name", "email", "opd_code", "opd_name") if not values.get(c)]
    if missing:
        raise _RowError(_("Kolom wajib kosong: %(cols)s.", cols=", ".join(missing)))
    nip = rules.normalise_nip(values["nip"])
    if not rules.is_valid_nip(nip):
        raise _RowError(_("NIP harus 18 angka (tertulis: %(nip)s).", nip=values["nip"][:40]))
    for column, value in values.items():
        if (bad := text.first_control(value)) is not None:
            raise _RowError(
                _(
                    "Kolom %(col)s berisi karakter kendali %(char)s; hapus lalu impor lagi.",
                    col=column,
                    char=text.codepoint(bad),
                )
            )
    if (problem := text.name_problem(values["name"])) is not None:
        raise _RowError(_(problem))
    email = rules.normalise_email(values["email"])
    if (problem := text.email_problem(email)) is not None:
        raise _RowError(_(problem))
    if not rules.is_valid_email(email):
        raise _RowError(_("Email tidak valid: %(email)s.", email=values["email"][:80]))
    if nip in state.seen_nips:
        raise _RowError(
            _("NIP %(nip)s sudah ada di baris %(row)s.", nip=nip, row=state.seen_nips[nip])
        )
    if email in state.seen_emails:
        raise _RowError(
            _(
                "Email %(email)s sudah ada di baris %(row)s.",
                email=email,
                row=state.seen_emails[email],
            )
        )
    area_code, kelurahan = _home_area(values, state)
    state.seen_nips[nip], state.seen_emails[email] = number, number
    return _Row(number, values, nip, email, area_code, kelurahan)


def _prefetch(rows: list[_Row], state: _ImportState) -> tuple[dict[str, User], dict[str, User]]:
    """Users with the rows' NIPs or emails and the rows' OPDs, in three queries."""
    by_nip = {
        u.nip: u
        for u in db.session.scalars(select(User).where(User.nip.in_([r.nip for r in rows])))
    }
    by_email = {
        u.email: u
        for u in db.session.scalars(select(User).where(User.email.in_([r.email for r in rows])))
    }
    codes = {r.values["opd_code"][:32] for r in rows} - set(state.opds)
    if codes:
        for opd in db.session.scalars(select(Opd).where(Opd.code.in_(codes))):
            state.opds[opd.code] = opd
    return by_nip, by_email


def _write_row(
    row: _Row, state: _ImportState, by_nip: dict[str, User], by_email: dict[str, User]
) -> bool:
    """Check the row against existing accounts, then write it (no query, no flush); True when a
    user is created. Raises _RowError before writing anything."""
    user, owner = by_nip.get(row.nip), by_email.get(row.email)
    if owner is not None and owner is not user:
        raise _RowError(_("Email %(email)s sudah dipakai akun lain.", email=row.email))
    if user is not None and user.role != "civil_servant":
        raise _RowError(_("NIP %(nip)s milik akun dengan peran lain.", nip=row.nip))
    values = row.values
    code, opd_name = values["opd_code"][:32], values["opd_name"][:200]
    opd = state.opds.get(code)
    if opd is None:
        opd = state.opds[code] = Opd(code=code, name=opd_name)
        db.session.add(opd)
    elif opd.name != opd_name:
        opd.name = opd_name
    created = user is None
    if created:
        user = by_nip[row.nip] = User(
            nip=row.nip, role="civil_servant", active=True, joined_on=today_local()
        )
        user.set_unusable_password()
        db.session.add(user)
    elif user.email != row.email:
        by_email.pop(user.email, None)
    by_email[row.email] = user
    user.email = row.email
    user.name = values["name"][:200]
    user.opd = opd
    user.position = (values.get("position") or "")[:120] or None
    user.echelon = _echelon(values)
    user.area_code, user.kelurahan = row.area_code, row.kelurahan
    return created


def _echelon(values: dict[str, str]) -> str | None:
    """The optional echelon/rank code column (`eselon`, or `echelon`), e.g. III.a."""
    return (values.get("eselon") or values.get("echelon") or "")[:16] or None


def _warn_rows(actor: User | None, rows: list[tuple[int, dict[str, str]]], result) -> None:
    """Ask the mandate (signals.roster_checking) for warnings on the imported rows."""
    from marketplace.signals import roster_checking

    failed = {e["row"] for e in result.errors}
    checked = [
        (n, values.get("position") or "", _echelon(values) or "")
        for n, values in rows
        if n not in failed
    ]
    for _receiver, warnings in roster_checking.send(actor, rows=checked):
        result.warnings.extend(warnings or [])
    result.warnings.sort(key=lambda w: w["row"])


def _import_batch(
    batch: list[tuple[int, dict[str, str]]], state: _ImportState, result: ImportResult
) -> None:
    """Write a batch of rows under one SAVEPOINT; if the database still refuses it (a row raced
    with another change), write the batch again one SAVEPOINT per row so only that row fails."""
    errors: list[tuple[int, str]] = []
    rows: list[_Row] = []
    for number, values in batch:
        try:
            rows.append(_check_row(number, values, state))
        except _RowError as err:
            errors.append((number, str(err)))
    created = updated = 0
    try:
        with db.session.begin_nested():
            by_nip, by_email = _prefetch(rows, state) if rows else ({}, {})
            with db.session.no_autoflush:
                for row in rows:
                    try:
                        if _write_row(row, state, by_nip, by_email):
                            created += 1
                        else:
                            updated += 1
                    except _RowError as err:
                        errors.append((row.number, str(err)))
    except IntegrityError:
        state.opds.clear()  # OPDs added in the rolled-back savepoint are gone
        errors = [e for e in errors if e[0] not in {r.number for r in rows}]
        created = updated = 0
        for row in rows:
            try:
                with db.session.begin_nested():
                    by_nip, by_email = _prefetch([row], state)
                    if _write_row(row, state, by_nip, by_email):
                        created += 1
                    else:
                        updated += 1
            except _RowError as err:
                errors.append((row.number, str(err)))
            except IntegrityError:
                state.opds.clear()
                errors.append(
                    (row.number, _("Baris ini bertabrakan dengan data lain; tidak disimpan."))
                )
    result.created += created
    result.updated += updated
    for number, message in sorted(errors):
        result.error(number, message)


def import_civil_servants(
    actor: User | None, stream: IO[bytes], *, progress: Callable[[int], None] | None = None
) -> ImportResult:
    """Upsert the HR roster (CSV `nip,name,email,opd_code,opd_name,position,kelurahan`, and
    optionally `kecamatan` or `area_code`) by NIP; the kelurahan is resolved to an area of the
    city (`_home_area`: an ambiguous or unknown name is a row error naming the candidates).

    Rows are read as a stream and written in batches, each inside a SAVEPOINT (a row the
    database refuses is retried alone so it cannot take good rows with it). A bad row is reported
    with its number and skipped; everything is committed once at the end, so a crash leaves
    nothing half written. New accounts get no usable password: the ASN sets one through "Lupa
    kata sandi" with the roster email. 422 for an empty file, missing columns or non-UTF-8.
    """
    result = ImportResult()
    state = _ImportState()
    header: list[str] | None = None
    batch: list[tuple[int, dict[str, str]]] = []
    imported: list[tuple[int, dict[str, str]]] = []  # every row sent to a batch
    try:
        for number, record in _read_rows(stream):
            if header is None:
                header = [h.strip().lower() for h in record]
                missing = [c for c in ROSTER_COLUMNS if c not in header]
                if missing:
                    raise ValidationFailed(
                        _(
                            "Kolom berikut tidak ada di baris judul: %(cols)s.",
                            cols=", ".join(missing),
                        ),
                        details={
                            "file": [_("Kolom wajib: %(cols)s.", cols=",".join(ROSTER_COLUMNS))]
                        },
                    )
                continue
            if progress:
                progress(number)
            if not any(cell.strip() for cell in record):
                continue  # blank line
            if len(record) > len(header):
                _import_batch(batch, state, result)  # keep the errors in row order
                batch = []
                result.error(
                    number,
                    _(
                        "Baris ini punya %(n)s kolom, judul hanya %(m)s.",
                        n=len(record),
                        m=len(header),
                    ),
                )
                continue
            batch.append(
                (
                    number,
                    {
                        h: (record[i].strip() if i < len(record) else "")
                        for i, h in enumerate(header)
                    },
                )
            )
            imported.append(batch[-1])
            if len(batch) >= IMPORT_BATCH:
                _import_batch(batch, state, result)
                batch = []
        if batch:
            _import_batch(batch, state, result)
    except UnicodeDecodeError:
        db.session.rollback()
        raise ValidationFailed(
            _('Berkas bukan UTF-8. Simpan ulang sebagai "CSV UTF-8" lalu unggah lagi.'),
            details={"file": [_("Berkas bukan UTF-8.")]},
        ) from None
    except csv.Error as err:
        db.session.rollback()
        raise ValidationFailed(
            _("Berkas CSV rusak: %(err)s", err=str(err)), details={"file": [str(err)]}
        ) from None
    except ValidationFailed:
        db.session.rollback()
        raise
    if header is None:
        raise ValidationFailed(_("Berkas kosong."), details={"file": [_("Berkas kosong.")]})
    _warn_rows(actor, imported, result)
    record_audit(
        actor,
        "civil_servants.import",
        "roster",
        None,
        after={"created": result.created, "updated": result.updated, "errors": len(result.errors)},
    )
    db.session.commit()
    return result


def set_home_area(user: User, data: dict[str, Any]) -> User:
    """A public user sets (or clears) their home kelurahan, resolved to an area of the city
    (`areas.services.resolve_place`: 422 when ambiguous or unknown). Civil servants' homes come
    from the HR roster, so only `public` users set theirs (403 otherwise)."""
    if user.role != "public":
        raise Forbidden(_("Kelurahan rumah ASN diambil dari data kepegawaian."))
    user.area_code, user.kelurahan = _home_place(data)
    db.session.commit()
    return user


def _home_place(data: dict[str, Any]) -> tuple[str | None, str | None]:
    """(area code, kelurahan name) of a home given by name (and kecamatan) or code; (None, None)
    when nothing is given; the name as given while the city's areas are not loaded."""
    from marketplace.areas.services import resolve_place

    kelurahan = (data.get("kelurahan") or "").strip()
    code = (data.get("area_code") or "").strip()
    if not kelurahan and not code:
        return None, None
    place = resolve_place(kelurahan=kelurahan, kecamatan=data.get("kecamatan"), code=code)
    if place is None:  # the city's areas are not loaded: keep the name as given
        return None, kelurahan or None
    return place.code, place.name


def create_user(email: str, name: str, role: str, password: str) -> User:
    """Operator CLI: create a user of any role (rules and 409 as for sign-up)."""
    return register_user(email, password, name, role=role)
