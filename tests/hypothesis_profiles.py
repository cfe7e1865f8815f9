"""Hypothesis profiles chosen by the environment variable HYPOTHESIS_PROFILE.

`mutation` is used by `make mutate`: every mutant must meet the same examples, so a survivor is a
gap in the tests and not bad luck of the draw, and a killed mutant stays killed on the next run.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

PROFILES = {
    "mutation": settings(
        derandomize=True,  # the same examples for the clean run and every mutant
        database=None,  # nothing replayed from (or written to) an example database
        deadline=None,  # mutmut's trampolines slow every call down
        max_examples=50,  # tests that set their own count keep it
        print_blob=False,
        suppress_health_check=[HealthCheck.too_slow],
    ),
}


def register() -> None:
    """Register the profiles above and load the one HYPOTHESIS_PROFILE names, if it is ours."""
    for name, profile in PROFILES.items():
        settings.register_profile(name, profile)
    chosen = os.environ.get("HYPOTHESIS_PROFILE", "")
    if chosen in PROFILES:
        settings.load_profile(chosen)
