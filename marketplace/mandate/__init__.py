"""Mandatory civil-servant purchase: monthly minimum rules, progress, compliance and reminders."""

from flask import Blueprint

bp = Blueprint("mandate", __name__)
