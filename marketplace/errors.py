"""One error hierarchy and one handler that answers JSON for the API and a page otherwise.

Services raise `MarketplaceError` subclasses that name the condition; routes never build error
responses themselves.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, flash, jsonify, make_response, redirect, render_template, request
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class MarketplaceError(Exception):
    status = 400
    code = "bad_request"
    message = "The request could not be processed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        details: dict[str, Any] | None = None,
    ):
        self.message = message or self.message
        self.code = code or self.code
        self.status = status or self.status
        self.details = details or {}
        super().__init__(self.message)

    def to_dict(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class BadRequest(MarketplaceError):
    status, code, message = 400, "bad_request", "The request body is malformed."


class Unauthenticated(MarketplaceError):
    status, code, message = 401, "not_authenticated", "Log in or send a bearer token."


class InvalidCredentials(MarketplaceError):
    status, code, message = 401, "invalid_credentials", "Email or password is wrong."


class Forbidden(MarketplaceError):
    status, code, message = 403, "forbidden", "Your role may not do this."


class NotFound(MarketplaceError):
    status, code, message = 404, "not_found", "Not found."


class Conflict(MarketplaceError):
    status, code, message = 409, "conflict", "The request conflicts with the current state."


class OutOfStock(Conflict):
    code, message = "out_of_stock", "Not enough stock."


class InvalidTransition(Conflict):
    code, message = "invalid_transition", "This status change is not allowed."


class VendorCapReached(Conflict):
    code, message = "vendor_cap_reached", "This shop has reached its sales cap for the period."


class PayloadTooLarge(MarketplaceError):
    status, code, message = 413, "payload_too_large", "The request body is too large."


class ValidationFailed(MarketplaceError):
    """422: `details` maps field name to a list of messages."""

    status, code, message = 422, "validation_error", "Some fields are invalid."


class IdempotencyConflict(ValidationFailed):
    code, message = "idempotency_conflict", "This Idempotency-Key was used with another request."


class TooManyRequests(MarketplaceError):
    status, code, message = 429, "too_many_requests", "Too many requests; try again later."


HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
}


RETRY_AFTER_SECONDS = 30
# What drivers say when the server cannot be reached or went away (psycopg, SQLite).
_UNAVAILABLE = (
    "connection refused",
    "could not connect",
    "connection failed",
    "server closed the connection",
    "terminating connection",
    "connection is closed",
    "the database system is starting up",
    "the database system is shutting down",
    "unable to open database file",
    "database is locked",
    "timeout expired",
)


def database_unavailable(err: Exception) -> bool:
    """Whether a database error means "not reachable right now" (→ 503), not a bug (→ 500)."""
    if getattr(err, "connection_invalidated", False):
        return True
    text = str(getattr(err, "orig", None) or err).lower()
    return any(marker in text for marker in _UNAVAILABLE)


def wants_json() -> bool:
    """API paths always answer JSON; pages answer HTML unless the client asks for JSON."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


RETRY_AFTER_TOO_MANY = 60  # seconds: the sign-in limits count per minute


def error_response(err: MarketplaceError):
    if err.status == 429:
        response = _error_body(err)
        response.headers.setdefault("Retry-After", str(RETRY_AFTER_TOO_MANY))
        return response
    return _error_body(err)


def _error_body(err: MarketplaceError):
    return make_response(_error_view(err))


def _error_view(err: MarketplaceError):
    if wants_json():
        return jsonify(err.to_dict()), err.status
    if err.status in (400, 409, 422) and request.method == "POST":
        flash(err.message, "error")
        for field, messages in err.details.items():
            if isinstance(messages, list):
                flash(f"{field}: {' '.join(str(m) for m in messages)}", "error")
        from marketplace.security import safe_referrer

        return redirect(safe_referrer(request.referrer, request.host, request.path))
    if err.status == 401:
        from urllib.parse import quote

        return redirect("/login?next=" + quote(request.full_path.rstrip("?"), safe="/"))
    return render_template("error.html", error=err), err.status


def register_error_handlers(app: Flask) -> None:
    from marketplace.extensions import db

    @app.errorhandler(MarketplaceError)
    def _marketplace_error(err: MarketplaceError):
        db.session.rollback()
        return error_response(err)

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        db.session.rollback()
        status = err.code or 500
        code = HTTP_CODES.get(status, "http_error")
        message = err.description or err.name
        if status == 400 and "CSRF" in (err.description or ""):
            code = "csrf_failed"
        if status == 429:
            message = "Too many requests; try again later."
        wrapped = MarketplaceError(message, code=code, status=status)
        if status == 405 and wants_json():
            return jsonify(wrapped.to_dict()), 405
        return error_response(wrapped)

    @app.errorhandler(DataError)
    @app.errorhandler(OverflowError)
    def _out_of_range(err: Exception):
        # The database refused a value (a number out of range, text too long for a column):
        # that is bad input the schemas let through, so a 422 — never a 500.
        db.session.rollback()
        log.warning("database refused a value on %s %s: %s", request.method, request.path, err)
        return error_response(
            ValidationFailed("A value is out of the allowed range.", code="value_out_of_range")
        )

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database_unreachable(err: Exception):
        # The database is down, restarting or unreachable: a 503 with Retry-After the client can
        # act on, not a 500. The page is rendered without the layout, which reads the database.
        if not database_unavailable(err):
            return _unexpected(err)
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 (the connection is gone; nothing to roll back)
            db.session.remove()
        log.error("database unavailable on %s %s: %s", request.method, request.path, err)
        wrapped = MarketplaceError(
            "Layanan sedang tidak tersedia; coba lagi sebentar lagi.",
            code="service_unavailable",
            status=503,
        )
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        if wants_json():
            return jsonify(wrapped.to_dict()), 503, headers
        return render_template("unavailable.html", retry=RETRY_AFTER_SECONDS), 503, headers

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        db.session.rollback()
        log.exception("unexpected error on %s %s", request.method, request.path)
        if app.config.get("PROPAGATE_UNEXPECTED"):
            raise err
        wrapped = MarketplaceError(
            "Something went wrong on our side.", code="internal_error", status=500
        )
        if wants_json():
            return jsonify(wrapped.to_dict()), 500
        return render_template("error.html", error=wrapped), 500
