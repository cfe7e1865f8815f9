"""Notify a user in the app and, when SMTP is configured, by email; the user's inbox."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app
from flask_babel import gettext
from sqlalchemy import func, select, update

from marketplace.api import Page, paginate
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.notifications.models import Notification

log = logging.getLogger(__name__)


# Outside a request (CLI, jobs) the locale selector answers the default, Indonesian.
_ = gettext


def send_email(to: str, subject: str, body: str) -> bool:
    """Send one plain-text email through the configured SMTP server; False if none or it failed."""
    cfg = current_app.config
    if not cfg.get("SMTP_HOST"):
        return False
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = cfg["MAIL_FROM"], to, subject
    msg.set_content(body)
    try:
        with smtplib.SMTP(
            cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=cfg.get("SMTP_TIMEOUT", 10)
        ) as smtp:
            if cfg.get("SMTP_STARTTLS"):
                smtp.starttls()
            if cfg.get("SMTP_USER"):
                smtp.login(cfg["SMTP_USER"], cfg["SMTP_PASSWORD"])
            smtp.send_message(msg)
        return True
    except (OSError, smtplib.SMTPException):
        log.exception("could not email %s", to)
        return False


def notify(
    user, kind: str, title: str, body: str = "", url: str | None = None, *, email: bool = True
) -> Notification:
    """Add an in-app notification (flushed, caller commits) and email it when possible."""
    note = Notification(user_id=user.id, kind=kind, title=title, body=body, url=url)
    if email and send_email(
        user.email, title, f"{body}\n\n{current_app.config['PUBLIC_BASE_URL']}{url or ''}"
    ):
        note.emailed_at = utcnow()
    db.session.add(note)
    db.session.flush()
    return note


# ---------------------------------------------------------------- inbox
def list_notifications(
    user, *, unread_only: bool = False, page: int = 1, per_page: int = 20
) -> Page:
    """The user's own notifications, newest first; optionally only the unread ones."""
    stmt = (
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return paginate(stmt, page, per_page)


def unread_count(user) -> int:
    """How many of the user's notifications are unread."""
    return int(
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def mark_read(user, notification_id: int) -> Notification:
    """Mark one of the user's notifications read (idempotent); 404 when absent or another's."""
    note = db.session.scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == user.id
        )
    )
    if note is None:
        raise NotFound(_("Notifikasi tidak ditemukan."))
    if note.read_at is None:
        note.read_at = utcnow()
        db.session.commit()
    return note


def mark_all_read(user) -> int:
    """Mark every unread notification of the user read; returns how many changed."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
    return int(result.rowcount or 0)
