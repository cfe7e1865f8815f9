from flask import Blueprint

bp = Blueprint("notifications", __name__)

from marketplace.notifications import routes  # noqa: E402,F401
from marketplace.notifications import receivers  # noqa: E402,F401  (connects the signal receivers)
