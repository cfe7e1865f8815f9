"""Finance: targets, realisation, watch lists, ledger views, reconciliation and the audit log.

audit_guard.py (append-only audit log) is wired by create_app."""

from flask import Blueprint

bp = Blueprint("finance", __name__)
