"""HTTP routes of the payments area (API and pages)."""

from marketplace.payments import bp  # noqa: F401
