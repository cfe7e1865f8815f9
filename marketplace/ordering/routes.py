"""HTTP routes of the ordering area (API and pages)."""

from marketplace.ordering import bp  # noqa: F401
