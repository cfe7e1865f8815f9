"""Hypothesis profiles chosen by the environment variable HYPOTHESIS_PROFILE (default: `ci` when
the CI variable is set, else `dev`).

No test may fail because the machine is slow: every property test is bounded in examples and
steps, and no profile keeps a health check that fails on slowness alone. `ci` (what `make test` and
CI use) also fixes the examples (derandomize), so a run is repeatable and a failure reproduces from
the same commit.

`mutation` is used by `make mutate`: every mutant must meet the same examples, so a survivor is a
gap in the tests and not bad luck of the draw, and a killed mutant stays killed on the next run.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_SLOWNESS_ONLY = [HealthCheck.too_slow, HealthCheck.large_base_example, HealthCheck.data_too_large]

PROFILES = {
    "dev": settings(deadline=None, suppress_health_check=_SLOWNESS_ONLY),
    "ci": settings(
        deadline=None,
        derandomize=True,
        database=None,
        print_blob=True,
        suppress_health_check=_SLOWNESS_ONLY,
    ),
    "mutation": settings(
        derandomize=True,  # the same examples for the clean run and every mutant
        database=None,  # nothing replayed from (or written to) an example database
        deadline=None,  # mutmut's trampolines slow every call down
        max_examples=50,  # tests that set their own count keep it
        print_blob=False,
        suppress_health_check=_SLOWNESS_ONLY,
    ),
}


def register() -> None:
    """Register the profiles above and load the one HYPOTHESIS_PROFILE names."""
    for name, profile in PROFILES.items():
        settings.register_profile(name, profile)
    default = "ci" if os.environ.get("CI") else "dev"
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or default)
