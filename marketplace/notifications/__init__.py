from flask import Blueprint

bp = Blueprint("notifications", __name__)

from marketplace.notifications import (
    receivers,  # noqa: F401  (connects the signal receivers)
    routes,  # noqa: F401
)
