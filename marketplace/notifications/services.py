"""Notify a user in the app and, when SMTP is configured, by email."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.notifications.models import Notification

log = logging.getLogger(__name__)


def send_email(to: str, subject: str, body: str) -> bool:
    """Send one plain-text email through the configured SMTP server; False if none or it failed."""
    cfg = current_app.config
    if not cfg.get("SMTP_HOST"):
        return False
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = cfg["MAIL_FROM"], to, subject
    msg.set_content(body)
    try:
        with smtplib.SMTP(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=10) as smtp:
            if cfg.get("SMTP_STARTTLS"):
                smtp.starttls()
            if cfg.get("SMTP_USER"):
                smtp.login(cfg["SMTP_USER"], cfg["SMTP_PASSWORD"])
            smtp.send_message(msg)
        return True
    except (OSError, smtplib.SMTPException):
        log.exception("could not email %s", to)
        return False


def notify(user, kind: str, title: str, body: str = "", url: str | None = None, *,
           email: bool = True) -> Notification:
    """Add an in-app notification (flushed, caller commits) and email it when possible."""
    note = Notification(user_id=user.id, kind=kind, title=title, body=body, url=url)
    if email and send_email(user.email, title, f"{body}\n\n{current_app.config['PUBLIC_BASE_URL']}{url or ''}"):
        note.emailed_at = utcnow()
    db.session.add(note)
    db.session.flush()
    return note
