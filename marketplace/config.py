"""Configuration read from the environment (a `.env` file is honoured).

Every setting is documented in README.md; keep the two in step.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from dotenv import load_dotenv

from marketplace import city_rules

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("PEKEN_INSTANCE_PATH", ROOT / "instance"))

load_dotenv(ROOT / ".env")


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _secret_key(production: bool) -> str:
    """SECRET_KEY from the environment; for local use one is generated once under instance/."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if production:
        raise RuntimeError("SECRET_KEY must be set when PEKEN_ENV=production")
    INSTANCE.mkdir(parents=True, exist_ok=True)
    path = INSTANCE / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE / 'peken.db'}"
    # Heroku-style URLs and plain postgresql:// go through psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    """Settings for a running app; tests override with `create_app(test_config)`."""

    def __init__(self) -> None:
        self.PEKEN_ENV = os.environ.get("PEKEN_ENV", "development")
        # The city this instance serves, by its Kemendagri code (35.78 = Kota Surabaya, the demo
        # city; 35.73 = Kota Malang). Its areas, names and time zone follow from it (issue 11).
        self.PEKEN_CITY = os.environ.get("PEKEN_CITY", "35.78")
        # Its names, offices, area labels, time zone and currency display: blank means the
        # defaults for PEKEN_CITY (marketplace/city_rules.py); an admin may change them on
        # /admin/city. PEKEN_CITY_NAME, PEKEN_CITY_SHORT_NAME, PEKEN_PLATFORM_NAME,
        # PEKEN_OFFICE_SHOPS(_NAME), PEKEN_OFFICE_FINANCE(_NAME), PEKEN_OFFICE_HR(_NAME),
        # PEKEN_DISTRICT_LABEL, PEKEN_VILLAGE_LABEL, PEKEN_TIMEZONE, PEKEN_CURRENCY_SYMBOL,
        # PEKEN_THOUSANDS_SEPARATOR.
        for key in city_rules.ENV_KEYS.values():
            setattr(self, key, os.environ.get(key, ""))
        production = self.PEKEN_ENV == "production"
        self.SECRET_KEY = _secret_key(production)
        self.SQLALCHEMY_DATABASE_URI = _database_url()
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", production)
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 8 * 1024 * 1024)
        self.WTF_CSRF_CHECK_DEFAULT = False  # checked in before_request (bearer calls skip it)
        self.WTF_CSRF_TIME_LIMIT = None
        self.BABEL_DEFAULT_LOCALE = "id"
        # Dates on pages follow the city's zone (marketplace.city selects it per request).
        self.BABEL_DEFAULT_TIMEZONE = self.PEKEN_TIMEZONE or city_rules.timezone_of(self.PEKEN_CITY)
        self.LANGUAGES = ["id", "en"]
        self.RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
        self.RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
        self.LOGIN_FAILURE_LIMIT = os.environ.get("LOGIN_FAILURE_LIMIT", "5 per minute")
        self.LOGIN_ADDRESS_LIMIT = os.environ.get("LOGIN_ADDRESS_LIMIT", "30 per minute")
        self.PASSWORD_RESET_MAX_AGE = _int("PASSWORD_RESET_MAX_AGE", 24 * 3600)
        self.API_TOKEN_MAX_AGE_DAYS = _int("API_TOKEN_MAX_AGE_DAYS", 30)
        self.UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE / "uploads"))
        # Evidence of business-class declarations (tax returns, NIB pages): never served publicly
        # like UPLOAD_FOLDER, only to the shop and the admin.
        self.EVIDENCE_FOLDER = os.environ.get("EVIDENCE_FOLDER", str(INSTANCE / "evidence"))
        # Payments
        self.PAYMENT_SANDBOX_ENABLED = _bool("PAYMENT_SANDBOX_ENABLED", True)
        self.STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
        self.STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "")
        self.STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
        self.STRIPE_HTTP_CLIENT = None  # tests inject a fake stripe.HTTPClient
        self.STRIPE_MAX_NETWORK_RETRIES = _int("STRIPE_MAX_NETWORK_RETRIES", 2)
        # Per attempt; with the retries and backoff a call takes at most 3 × 8 + 1.5 = 25.5 s,
        # below the worker's timeout (stripe_client.check_timeouts refuses a longer setting).
        self.STRIPE_TIMEOUT_SECONDS = _int("STRIPE_TIMEOUT_SECONDS", 8)
        # gunicorn's --timeout (python -m marketplace.serve passes it on).
        self.WORKER_TIMEOUT = _int("WORKER_TIMEOUT", 30)
        # A checkout whose worker died between its two commits (no provider reference, no stored
        # answer) is finished by a retry with the same key once it is this old.
        self.CHECKOUT_RESUME_AFTER_SECONDS = _int("CHECKOUT_RESUME_AFTER_SECONDS", 60)
        # Marketplace rules
        self.ORDER_EXPIRY_MINUTES = _int("ORDER_EXPIRY_MINUTES", 30)
        self.AUTO_COMPLETE_DAYS = _int("AUTO_COMPLETE_DAYS", 3)
        self.FAIR_SHARE_CAP = _int("FAIR_SHARE_CAP", 30_000_000)
        self.PLATFORM_COMMISSION_BPS = _int("PLATFORM_COMMISSION_BPS", 0)
        self.MIN_PAYMENT_AMOUNT = _int("MIN_PAYMENT_AMOUNT", 1_000)
        self.MANDATE_REMINDER_DAYS = _int("MANDATE_REMINDER_DAYS", 5)
        # The city ties the mandate to the performance allowance (TPP): the month-end pages offer
        # the list of who fell short as the deduction input (CSV).
        self.MANDATE_TPP_DEDUCTION = _bool("MANDATE_TPP_DEDUCTION", False)
        # An office's purchase (procurement): the most one request may total (0: no limit) and
        # the category slugs it may buy from (comma-separated; empty: every category). The
        # default is the daily necessities an office buys for its meetings and upkeep.
        self.OPD_PURCHASE_MAX = _int("OPD_PURCHASE_MAX", 50_000_000)
        self.OPD_ALLOWED_CATEGORIES = os.environ.get(
            "OPD_ALLOWED_CATEGORIES",
            "sembako,bumbu-dapur,makanan-ringan,minuman,kue-dan-roti,kuliner-siap-saji,"
            "kebersihan-rumah",
        )
        # Admins are reminded of applications, class declarations and flag claims still
        # pending this many working days after they came in (`remind-reviews`).
        self.REVIEW_REMINDER_WORKING_DAYS = _int("REVIEW_REMINDER_WORKING_DAYS", 3)
        # Taxes on OPD purchases (procurement.tax_rules): `treasurer` (the office's bendahara
        # collects, PMK 59/2022) or `platform` (a platform appointed under PMK 58/2022).
        self.OPD_TAX_REGIME = os.environ.get("OPD_TAX_REGIME", "treasurer")
        # Mail
        self.SMTP_HOST = os.environ.get("SMTP_HOST", "")
        self.SMTP_PORT = _int("SMTP_PORT", 25)
        self.SMTP_USER = os.environ.get("SMTP_USER", "")
        self.SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
        self.SMTP_STARTTLS = _bool("SMTP_STARTTLS", False)
        self.SMTP_TIMEOUT = _int("SMTP_TIMEOUT", 10)
        self.MAIL_FROM = os.environ.get("MAIL_FROM", "Peken <no-reply@peken.local>")
        self.PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000")
