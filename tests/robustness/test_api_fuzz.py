"""Schemathesis generates valid and invalid requests for every operation in our OpenAPI document
and checks that none answers a 5xx (SPEC §4: "Never a 500 for bad input").

It runs in-process over WSGI for every role (anonymous, civil servant, public buyer, shopkeeper,
finance, admin) in both of schemathesis' generation modes (positive: data the schema allows;
negative: data it forbids), a bounded number of examples per operation, derandomised so a run is
repeatable. Each operation gets a fresh token: logout, token revocation and password calls may end
the one before.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from marketplace.extensions import db
from tests.factories import (
    make_category,
    make_civil_servant,
    make_product,
    make_user,
    make_vendor,
    token_for,
)

EXAMPLES_PER_OPERATION = 4
ROLES = ["anonymous", "civil_servant", "public", "vendor", "finance", "admin"]


@pytest.fixture
def fuzz_world(app):
    """A few rows so ids in generated paths sometimes exist, plus one user per role."""
    make_category()
    vendor = make_vendor()
    make_product(vendor)
    users = {
        "admin": make_user("admin"),
        "finance": make_user("finance"),
        "public": make_user("public"),
        "civil_servant": make_civil_servant(),
        "vendor": vendor.owner,
    }
    db.session.commit()
    return app, users


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda m: m.value)
@pytest.mark.parametrize("role", ROLES)
def test_no_operation_answers_a_server_error_to_generated_input(fuzz_world, role, mode):
    app, users = fuzz_world
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    current: dict[str, dict[str, str]] = {"auth": {}}  # this operation's fresh token
    calls = 0
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.startswith("/api/v1/webhooks"):
            continue  # signature-verified; covered by the Stripe webhook tests
        operations += 1
        current["auth"] = {}
        if role in users:
            current["auth"] = {"Authorization": f"Bearer {token_for(users[role])}"}
            db.session.commit()

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(mode))
        def check(case):
            nonlocal calls
            case.headers = {**(case.headers or {}), **current["auth"]}
            response = case.call(app=app)
            calls += 1
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} → {response.status_code}: "
                    f"{case.as_curl_command()}"
                )

        try:
            check()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE, operation.path
            continue  # nothing in this operation can be made invalid (no parameters, no body)
    assert operations > 50, "the OpenAPI document lost its operations"
    assert calls >= operations
    assert not failures, "\n".join(failures[:20])
