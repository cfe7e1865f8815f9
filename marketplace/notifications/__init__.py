"""Notifications: in-app inbox and email. Signal receivers live in receivers.py (wired by create_app)."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)
