from flask import Blueprint

bp = Blueprint("vendor", __name__)

from marketplace.vendor import routes  # noqa: F401
