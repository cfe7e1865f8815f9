"""HTTP routes of the catalog area (API and pages)."""

from marketplace.catalog import bp  # noqa: F401
