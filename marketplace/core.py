"""Pages that belong to no area: language switch, health check, uploaded images."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
)
from flask_babel import force_locale
from flask_login import current_user

from marketplace.extensions import db
from marketplace.security import safe_next

bp = Blueprint("core", __name__)


LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}


@bp.post("/language/<lang>")
def set_language(lang: str):
    """Switch the interface language (id or en) for this browser, and for the signed-in user's
    account, then go back where the user was (a safe local `next`, else the Referer's path).
    A form post with the CSRF token: it changes stored state."""
    if lang in LANGUAGES:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return redirect(_back())


@bp.get("/language/<lang>")
def language_page(lang: str):
    """Reads only: a followed or prefetched link stores nothing. Shows, in that language, the
    button that switches (a POST), and a way back."""
    if lang not in LANGUAGES:
        return redirect(_back())
    with force_locale(lang):
        return render_template(
            "core/language.html", lang=lang, language=LANGUAGES[lang], next=_back()
        )


def _back() -> str:
    return safe_next(request.values.get("next") or request.referrer and _local(request.referrer))


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
