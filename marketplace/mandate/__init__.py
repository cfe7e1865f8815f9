"""Mandatory civil-servant purchase: monthly minimum rules, progress, compliance and reminders."""

import importlib.util

from flask import Blueprint

bp = Blueprint("mandate", __name__)


@bp.record_once
def _register_demo_seeder(_state) -> None:
    """Add the mandate rule to the demo data (`marketplace.demo.SEEDERS`) when that module exists.

    Done when the app registers the blueprint, not at import, so importing this package never
    drags in the demo module (and the areas it imports) half-way through another import.
    """
    if importlib.util.find_spec("marketplace.demo") is None:
        return
    from marketplace import demo
    from marketplace.mandate.services import seed_mandate_rule

    seeders = getattr(demo, "SEEDERS", None)
    if seeders is not None and seed_mandate_rule not in seeders:
        seeders.append(seed_mandate_rule)
