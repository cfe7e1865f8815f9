from flask import Blueprint

bp = Blueprint("ordering", __name__)

from marketplace.ordering import routes  # noqa: F401
