from flask import Blueprint

bp = Blueprint("finance", __name__)

# Load every model first: the audit guard binds to AuditLog, and importing the audit module on
# its own would enter the accounts package halfway through its import.
import marketplace.models  # noqa: F401
from marketplace.finance import audit_guard, routes  # noqa: F401
