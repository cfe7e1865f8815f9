"""HTTP routes of the notifications area (API and pages)."""

from marketplace.notifications import bp  # noqa: F401
