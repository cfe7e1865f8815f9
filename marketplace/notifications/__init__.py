from flask import Blueprint

bp = Blueprint("notifications", __name__)

from marketplace.notifications import routes  # noqa: E402,F401
