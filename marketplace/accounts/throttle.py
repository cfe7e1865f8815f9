"""The failed sign-in limit (LOGIN_FAILURE_LIMIT, e.g. "5 per minute") per address and email,
counted in the database so that every worker process shares one count (Flask-Limiter's memory
storage counted per worker: 4 workers let 10–26 failures a minute through instead of 5).

An attempt takes a slot before the password is checked (one conditional UPDATE, committed at
once so other workers see it while this one hashes) and gives it back when it succeeds. The
UPDATE is atomic on both databases (SQLite: one writer at a time; PostgreSQL: the row lock), so
however many workers try at once, at most `limit` failures per window get their password checked.
Windows are fixed, aligned to the epoch (like Flask-Limiter's default strategy).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import limits
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, insert, update
from sqlalchemy.exc import IntegrityError

from marketplace.accounts import rules
from marketplace.accounts.models import LoginThrottle
from marketplace.errors import TooManyRequests
from marketplace.extensions import db
from marketplace.models_base import utcnow

EPOCH = datetime(1970, 1, 1)


@dataclass(frozen=True)
class Slot:
    key: str
    window_start: datetime


def _limit() -> limits.RateLimitItem:
    return limits.parse(current_app.config.get("LOGIN_FAILURE_LIMIT") or "5 per minute")


def _key(email: str, address: str | None) -> str:
    # A NIP counts as its 18 digits, so spacing it differently does not open a new count.
    login = rules.login_nip(email) or rules.normalise_email(email or "")
    raw = f"{address or '-'}|{login}"
    return hashlib.sha256(raw.encode()).hexdigest()


def _window_start(now: datetime, seconds: int) -> datetime:
    elapsed = int((now - EPOCH).total_seconds())
    return EPOCH + timedelta(seconds=elapsed - elapsed % seconds)


def _increment(slot: Slot) -> int:
    table = LoginThrottle.__table__
    return db.session.execute(
        update(table)
        .where(table.c.key == slot.key, table.c.window_start == slot.window_start)
        .values(failures=table.c.failures + 1)
        .returning(table.c.failures)
    ).scalar()


def take_attempt(email: str, address: str | None) -> Slot | None:
    """Count one sign-in attempt for (address, email); TooManyRequests (429) when the window's
    limit is already used up. Commits the count at once. None when the limit is disabled."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return None
    limit = _limit()
    seconds = limit.get_expiry()
    now = utcnow()
    slot = Slot(_key(email, address), _window_start(now, seconds))
    count = _increment(slot)
    if count is None:
        table = LoginThrottle.__table__
        try:
            with db.session.begin_nested():
                db.session.execute(
                    insert(table).values(key=slot.key, window_start=slot.window_start, failures=1)
                )
            count = 1
            # A new window: forget windows long past (indexed, so cheap).
            db.session.execute(
                delete(table).where(table.c.window_start < now - timedelta(seconds=2 * seconds))
            )
        except IntegrityError:  # another worker opened the same window at the same moment
            count = _increment(slot)
    db.session.commit()
    if count > limit.amount:
        raise TooManyRequests(
            _("Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam satu menit.")
            if seconds <= 60
            else _("Terlalu banyak percobaan masuk yang gagal. Coba lagi nanti.")
        )
    return slot


def give_back(slot: Slot | None) -> None:
    """A successful sign-in does not count against the limit."""
    if slot is None:
        return
    table = LoginThrottle.__table__
    db.session.execute(
        update(table)
        .where(
            table.c.key == slot.key,
            table.c.window_start == slot.window_start,
            table.c.failures > 0,
        )
        .values(failures=table.c.failures - 1)
    )
    db.session.commit()
