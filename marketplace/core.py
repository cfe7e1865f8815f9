"""Pages that belong to no area: language switch, health check, uploaded images."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, request, send_from_directory, session
from flask_login import current_user

from marketplace.extensions import db
from marketplace.security import safe_next

bp = Blueprint("core", __name__)


@bp.get("/language/<lang>")
def set_language(lang: str):
    """Switch the interface language (id or en) and go back where the user was."""
    if lang in ("id", "en"):
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return redirect(
        safe_next(request.args.get("next") or request.referrer and _local(request.referrer))
    )


def _local(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return "/"
    return parts.path + (f"?{parts.query}" if parts.query else "")


@bp.get("/healthz")
def healthz():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}


@bp.get("/uploads/<path:filename>")
def uploaded_file(filename: str):
    """Product images stored under UPLOAD_FOLDER."""
    return send_from_directory(current_app.config["UPLOAD_FOLDER"], filename, max_age=3600)
