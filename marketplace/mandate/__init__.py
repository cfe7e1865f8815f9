"""Mandatory civil-servant purchase: monthly minimum rules, progress, compliance and reminders."""

import importlib.util

from flask import Blueprint

bp = Blueprint("mandate", __name__)

from marketplace.mandate import routes  # noqa: E402,F401


def _register_demo_seeder() -> None:
    """Add the mandate rule to the demo data (`marketplace.demo.SEEDERS`) when that module exists."""
    if importlib.util.find_spec("marketplace.demo") is None:
        return
    from marketplace import demo
    from marketplace.mandate.services import seed_mandate_rule

    seeders = getattr(demo, "SEEDERS", None)
    if seeders is not None and seed_mandate_rule not in seeders:
        seeders.append(seed_mandate_rule)


_register_demo_seeder()
