from flask import Blueprint

bp = Blueprint("mandate", __name__)

from marketplace.mandate import routes  # noqa: E402,F401
