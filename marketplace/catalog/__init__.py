from flask import Blueprint

bp = Blueprint("catalog", __name__)

from marketplace.catalog import routes  # noqa: F401
