"""Users, roles, OPDs (work units) and API tokens (areas live in `marketplace.areas`)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from marketplace.extensions import db
from marketplace.models_base import created_at_column, utcnow

if TYPE_CHECKING:
    from marketplace.areas.models import Area
    from marketplace.shops.models import Vendor

ROLES = ("civil_servant", "public", "vendor", "finance", "admin")
BUYER_ROLES = ("civil_servant", "public")
UNUSABLE_PASSWORD_PREFIX = "!"


class Opd(db.Model):
    """Organisasi Perangkat Daerah: a city work unit (the office that curates shops, the planning agency, …)."""

    __tablename__ = "opds"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role in ('civil_servant','public','vendor','finance','admin')", name="role"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Civil-servant fields from the HR roster.
    nip: Mapped[str | None] = mapped_column(String(18), unique=True)
    opd_id: Mapped[int | None] = mapped_column(ForeignKey("opds.id"), index=True)
    position: Mapped[str | None] = mapped_column(String(120))
    echelon: Mapped[str | None] = mapped_column(String(16))  # eselon/golongan code, e.g. III.a
    # Home area by Kemendagri code (`nearest` ranks by it); `kelurahan` is its name, or the
    # name as given while the city's areas are not loaded or the name is unresolved.
    area_code: Mapped[str | None] = mapped_column(ForeignKey("areas.code"), index=True)
    kelurahan: Mapped[str | None] = mapped_column(String(100))
    locale: Mapped[str | None] = mapped_column(String(5))
    # Optional, E.164 (primitives.parse_phone): the shop of an order sees a WhatsApp link to it.
    phone: Mapped[str | None] = mapped_column(String(20))
    # Roster tenure (local dates): the first roster import that listed the ASN (or their
    # reactivation), and the day they left (set when deactivated). The mandate counts an ASN
    # from the month they joined (pro-rated) up to and including the month they left.
    joined_on: Mapped[date | None] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    # Bumped on logout/password change so old session cookies stop working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = created_at_column()

    opd: Mapped[Opd | None] = relationship()
    area: Mapped[Area | None] = relationship()
    vendor: Mapped[Vendor | None] = relationship(back_populates="owner", uselist=False)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)  # scrypt by default (Werkzeug 3)

    def check_password(self, password: str) -> bool:
        if not self.has_usable_password:
            return False
        return check_password_hash(self.password_hash, password)

    def set_unusable_password(self) -> None:
        """For accounts created from the HR roster: no password works until the owner sets one
        through the emailed reset link."""
        self.password_hash = UNUSABLE_PASSWORD_PREFIX + secrets.token_hex(16)

    @property
    def has_usable_password(self) -> bool:
        return not (self.password_hash or UNUSABLE_PASSWORD_PREFIX).startswith(
            UNUSABLE_PASSWORD_PREFIX
        )

    @property
    def is_active(self) -> bool:  # flask-login
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_buyer(self) -> bool:
        return self.role in BUYER_ROLES

    @property
    def vendor_id(self) -> int | None:
        return self.vendor.id if self.role == "vendor" and self.vendor else None


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 is stored, so a database leak reveals no token.

    It works until `expires_at` (API_TOKEN_MAX_AGE_DAYS after it was made) unless revoked: by its
    owner, or when the owner's password, role or active flag changes (`accounts.token_guard`).
    """

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = created_at_column()
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    # Why it stopped working: "owner", "password", "role", "deactivated".
    revoked_reason: Mapped[str | None] = mapped_column(String(20))

    user: Mapped[User] = relationship()

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    @property
    def status(self) -> str:
        """`active`, `revoked` or `expired`, as the owner's list shows it."""
        if self.revoked_at is not None:
            return "revoked"
        return "active" if utcnow() < self.expires_at else "expired"


class LoginThrottle(db.Model):
    """Failed sign-ins for one address and email in one fixed window (LOGIN_FAILURE_LIMIT).

    A row in the database, not a worker's memory, so every worker process counts the same
    failures; `accounts.throttle` increments it with one conditional UPDATE. The key is a hash:
    the table never lists which emails were tried from which address.
    """

    __tablename__ = "login_throttles"
    __table_args__ = (
        UniqueConstraint("key", "window_start", name="uq_login_throttles_key_window"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    window_start: Mapped[datetime] = mapped_column(DateTime, index=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)


class CitySetting(db.Model):
    """One city setting an admin changed on /admin/city (`city_rules.EDITABLE`: names, offices,
    area labels, time zone, currency display); a setting without a row keeps its default from
    PEKEN_CITY and the environment. `marketplace.city.current_city()` reads them."""

    __tablename__ = "city_settings"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
