"""HTTP routes of the payouts area (API and pages)."""

from marketplace.payouts import bp  # noqa: F401
