"""HTTP routes of the finance area (API and pages)."""

from marketplace.finance import bp  # noqa: F401
