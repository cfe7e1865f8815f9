"""HTTP routes of the accounts area (API and pages)."""

from marketplace.accounts import bp  # noqa: F401
