from flask import Blueprint, g, request_started

bp = Blueprint("accounts", __name__)


def _forget_cached_user(_sender, **_extra) -> None:
    """Each request authenticates afresh. Flask reuses an app context that is already pushed
    (as the test fixtures do), and with it `g`, where Flask-Login caches the user: without this a
    request could run as the previous request's user or token."""
    g.pop("_login_user", None)
    g.pop("api_token", None)


request_started.connect(_forget_cached_user)

from marketplace.accounts import routes  # noqa: F401
