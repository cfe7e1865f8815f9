"""HTTP routes of the vendor area (API and pages)."""

from marketplace.vendor import bp  # noqa: F401
