from flask import Blueprint

bp = Blueprint("payouts", __name__)

from marketplace.payouts import routes  # noqa: F401
