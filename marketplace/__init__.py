"""Peken: a city-run local marketplace. `create_app` builds the Flask application."""

from __future__ import annotations

import importlib
import logging
from datetime import timedelta
from typing import Any

from flask import Flask, g, has_request_context, request, session, url_for
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import event, update
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import BuildError, IntegerConverter

from marketplace.config import INSTANCE, Config
from marketplace.extensions import babel, csrf, db, limiter, login_manager, migrate
from marketplace.security import CSRF_EXEMPT_ENDPOINTS, bearer_token

AREAS = (
    "accounts",
    "areas",
    "catalog",
    "ordering",
    "payments",
    "shops",
    "payouts",
    "mandate",
    "finance",
    "notifications",
    "procurement",
)
# Modules that only connect listeners (signal receivers, ORM guards); imported once at start-up.
WIRING = (
    "marketplace.notifications.receivers",
    "marketplace.finance.audit_guard",
    "marketplace.mandate.receivers",
    "marketplace.accounts.token_guard",
    "marketplace.accounts.city_settings",  # installs the stored city settings in marketplace.city
)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(INSTANCE),
        template_folder="../templates",
        static_folder="../static",
    )
    app.url_map.converters["int"] = IdConverter
    from marketplace.api import ApiJSONProvider

    app.json = ApiJSONProvider(app)
    app.config.from_object(Config())
    if test_config:
        app.config.update(test_config)
    from marketplace.stripe_client import check_timeouts

    check_timeouts(app.config)  # a provider call never outlives the worker
    INSTANCE.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO)

    from marketplace import i18n

    i18n.compile_catalogs()
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(i18n.translation_dirs())

    db.init_app(app)
    import marketplace.models  # noqa: F401  (all tables in the metadata)

    migrate.init_app(
        app,
        db,
        directory=str(app.root_path + "/../migrations"),
        compare_type=True,
        render_as_batch=True,
    )
    login_manager.init_app(app)
    csrf.init_app(app)
    from marketplace import city

    city.install(app)  # the city's zone for periods; `city`, |rupiah, |local_time in templates
    babel.init_app(
        app, locale_selector=_select_locale, timezone_selector=lambda: city.current_city().timezone
    )
    limiter.init_app(app)
    if app.config.get("PEKEN_ENV") == "production" and str(
        app.config.get("RATELIMIT_STORAGE_URI", "memory://")
    ).startswith("memory://"):
        # Failed sign-ins are counted in the database anyway; the per-address limit is not.
        logging.getLogger(__name__).warning(
            "RATELIMIT_STORAGE_URI is memory://: LOGIN_ADDRESS_LIMIT is counted per worker; "
            "set redis://… to share it"
        )
    if app.config.get("PROXY_FIX"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _configure_sqlite(db.engine)

    _register_auth(app)
    _register_blueprints(app)
    from marketplace.errors import register_error_handlers

    register_error_handlers(app)
    _register_templating(app)
    _register_primitive_filters(app)
    _register_security_headers(app)
    _register_cli(app)
    return app


class IdConverter(IntegerConverter):
    """`<int:…>` in URLs only matches ids the database can hold (INTEGER: up to 2^31 − 1), so a
    huge number is a plain 404 instead of a database overflow."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def _configure_sqlite(engine) -> None:
    """WAL, a busy timeout, and BEGIN IMMEDIATE so a read-then-write never dies on SQLITE_BUSY
    (SQLAlchemy's pysqlite recipe for serializable transactions)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        # A connection opened only to read (the city's stored settings) need not queue for the
        # write lock: WAL lets it read while another connection writes.
        read_only = conn.get_execution_options().get("peken_read_only")
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _select_locale() -> str:
    if not has_request_context():
        return "id"  # CLI commands and jobs speak the default language
    lang = request.args.get("lang")
    if lang in ("id", "en"):
        return lang  # this request only: a GET never stores (POST /language/<lang> does)
    if session.get("lang") in ("id", "en"):
        return session["lang"]
    if current_user and current_user.is_authenticated and current_user.locale in ("id", "en"):
        return current_user.locale
    return "id"


def _register_auth(app: Flask) -> None:
    from marketplace.accounts.models import ApiToken, User
    from marketplace.models_base import utcnow

    login_manager.login_view = "accounts.login_page"
    login_manager.login_message = None

    @login_manager.user_loader
    def load_user(identity: str):
        if bearer_token(request.headers):
            return None  # a bearer token wins over a session cookie
        try:
            uid, version = (int(x) for x in identity.split(":"))
        except ValueError:
            return None
        user = db.session.get(User, uid)
        if user is None or user.session_version != version or not user.active:
            return None
        return user

    @login_manager.request_loader
    def load_from_token(req):
        token = bearer_token(req.headers)
        if not token:
            return None
        row = db.session.query(ApiToken).filter_by(token_hash=ApiToken.hash(token)).one_or_none()
        now = utcnow()
        if row is None or not row.is_usable(now) or not row.user.active:
            return None  # unknown, revoked or expired: 401
        if row.last_used_at is None or now - row.last_used_at >= timedelta(minutes=1):
            # Coarse on purpose: "last used" to the minute, so a busy client does not write on
            # every request; the condition keeps concurrent requests to one write.
            db.session.execute(
                update(ApiToken)
                .where(
                    ApiToken.id == row.id,
                    (ApiToken.last_used_at.is_(None))
                    | (ApiToken.last_used_at <= now - timedelta(minutes=1)),
                )
                .values(last_used_at=now)
                .execution_options(synchronize_session=False)
            )
            db.session.commit()
        g.api_token = row
        return row.user

    @login_manager.unauthorized_handler
    def unauthorized():
        from marketplace.errors import Unauthenticated

        raise Unauthenticated()

    @app.before_request
    def _csrf_check():
        if not app.config.get("WTF_CSRF_ENABLED", True):
            return
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
            return
        if request.endpoint in CSRF_EXEMPT_ENDPOINTS:
            return
        # Only cookie-authenticated API calls can be forged cross-site.
        if request.path.startswith("/api/") and (
            bearer_token(request.headers) or not current_user.is_authenticated
        ):
            return
        csrf.protect()


def _register_blueprints(app: Flask) -> None:
    from marketplace.api import docs_bp
    from marketplace.core import bp as core_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(docs_bp)
    # An area's package only defines its blueprint; its routes are imported here, so importing
    # any area's models never drags in every other area's routes (no import cycles).
    for area in AREAS:
        importlib.import_module(f"marketplace.{area}.routes")
        app.register_blueprint(importlib.import_module(f"marketplace.{area}").bp)
    for module in WIRING:
        importlib.import_module(module)
    from marketplace.api import API_PREFIX

    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(API_PREFIX) and rule.endpoint.endswith("stripe_webhook"):
            CSRF_EXEMPT_ENDPOINTS.add(rule.endpoint)


def _register_templating(app: Flask) -> None:
    def nav_url(endpoint: str, **values) -> str | None:
        """url_for that answers None for a page that does not exist (yet)."""
        try:
            return url_for(endpoint, **values)
        except BuildError:
            return None

    def query_with(**updates) -> str:
        """The current query string with some values replaced (for pagination links)."""
        from urllib.parse import urlencode

        args = request.args.to_dict()
        args.update({k: v for k, v in updates.items()})
        return urlencode({k: v for k, v in args.items() if v not in (None, "")})

    from flask_babel import lazy_gettext as _l

    status_labels = {
        "pending_payment": _l("Menunggu pembayaran"),
        "paid": _l("Dibayar"),
        "accepted": _l("Diterima toko"),
        "ready": _l("Siap"),
        "completed": _l("Selesai"),
        "expired": _l("Kedaluwarsa"),
        "cancelled": _l("Dibatalkan"),
        "rejected": _l("Ditolak"),
        "placed": _l("Menunggu diterima toko"),
        "delivered": _l("Diserahkan, menunggu BAST"),
        "received": _l("Diterima kantor (BAST)"),
        "pending": _l("Menunggu verifikasi"),
        "verified": _l("Terverifikasi"),
        "suspended": _l("Dibekukan"),
        "succeeded": _l("Berhasil"),
        "failed": _l("Gagal"),
    }

    app.jinja_env.globals["query_with"] = query_with
    app.jinja_env.globals["status_label"] = lambda s: status_labels.get(s, s)
    app.jinja_env.globals["nav_url"] = nav_url
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())


def _register_primitive_filters(app: Flask) -> None:
    """Indonesian primitives for people (marketplace.primitives): `|npwp` (dotted 15-digit
    form), `|phone` (national form), `|whatsapp` (a wa.me link or None), `|terbilang`."""
    from marketplace import primitives

    app.jinja_env.filters["npwp"] = primitives.format_npwp
    app.jinja_env.filters["phone"] = primitives.format_phone
    app.jinja_env.filters["whatsapp"] = primitives.whatsapp_link
    app.jinja_env.filters["terbilang"] = primitives.amount_in_words
    app.jinja_env.globals["npwp_is_valid"] = primitives.npwp_is_valid


def _register_security_headers(app: Flask) -> None:
    @app.after_request
    def _headers(resp):
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        resp.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self' https://js.stripe.com; frame-src https://js.stripe.com; "
            "connect-src 'self' https://api.stripe.com; object-src 'none'; base-uri 'none'; "
            "frame-ancestors 'none'; form-action 'self'",
        )
        if app.config.get("SESSION_COOKIE_SECURE"):
            resp.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return resp


def _register_cli(app: Flask) -> None:
    """Each area may expose `COMMANDS` in `<area>/cli.py`; they become top-level commands."""
    for area in ("core", *AREAS):
        try:
            module = importlib.import_module(
                f"marketplace.{area}.cli" if area != "core" else "marketplace.cli"
            )
        except ModuleNotFoundError as err:
            if err.name and err.name.endswith("cli"):
                continue
            raise
        for command in getattr(module, "COMMANDS", ()):
            app.cli.add_command(command)
