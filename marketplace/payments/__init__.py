from flask import Blueprint

bp = Blueprint("payments", __name__)

from marketplace.payments import routes  # noqa: E402,F401
