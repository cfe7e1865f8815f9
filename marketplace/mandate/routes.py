"""HTTP routes of the mandate area (API and pages)."""

from marketplace.mandate import bp  # noqa: F401
