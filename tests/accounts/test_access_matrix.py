"""Who may call what: one matrix of API endpoint × caller.

Anonymous callers get 401 and callers of another role 403 on every endpoint that declares its
roles (taken from the API registry, so endpoints other areas add are covered too). For the
accounts endpoints and the shop application endpoints (served by the shops area) the allowed roles
are written out here and must get past the role check. So are the endpoints that move money:
finance's alone, an admin gets 403 (separation of duties: admins approve shops, so they never
also refund, pay out or reconcile).
"""

import importlib
import re

import pytest

from marketplace import AREAS
from marketplace.accounts.models import ROLES
from marketplace.api import _REGISTRY
from marketplace.extensions import db
from tests.factories import make_user

for _area in AREAS:
    importlib.import_module(f"marketplace.{_area}.routes")  # routes fill the API registry

ANY_USER = set(ROLES)
PUBLIC = None  # no login needed

ACCOUNTS = {
    ("POST", "/api/v1/auth/token"): PUBLIC,
    ("POST", "/api/v1/auth/register"): PUBLIC,
    ("DELETE", "/api/v1/auth/token"): ANY_USER,
    ("GET", "/api/v1/me"): ANY_USER,
    ("GET", "/api/v1/me/tokens"): ANY_USER,
    ("DELETE", "/api/v1/me/tokens/<int:token_id>"): ANY_USER,
    ("POST", "/api/v1/admin/civil-servants/import"): {"admin"},
}
SHOP_APPLICATIONS = {
    # A shop owner gets past the role check and is told 409 already_has_shop.
    ("POST", "/api/v1/vendor-applications"): {"public", "vendor"},
    ("GET", "/api/v1/admin/vendors"): {"admin"},
    ("GET", "/api/v1/admin/vendors/<int:vendor_id>"): {"admin"},
    ("POST", "/api/v1/admin/vendors/<int:vendor_id>/verify"): {"admin"},
    ("POST", "/api/v1/admin/vendors/<int:vendor_id>/suspend"): {"admin"},
}
FINANCE_ONLY = {"finance"}
MONEY_MOVING = {
    ("POST", "/api/v1/orders/<int:order_id>/refunds"): FINANCE_ONLY,
    ("POST", "/api/v1/finance/payout-runs"): FINANCE_ONLY,
    ("GET", "/api/v1/finance/payout-runs/<int:run_id>/bank-file"): FINANCE_ONLY,
    ("POST", "/api/v1/finance/payouts/<int:payout_id>/mark-paid"): FINANCE_ONLY,
    ("POST", "/api/v1/finance/payouts/<int:payout_id>/cancel"): FINANCE_ONLY,
    ("POST", "/api/v1/finance/payouts/<int:payout_id>/retry"): FINANCE_ONLY,
    ("POST", "/api/v1/finance/reconciliations"): FINANCE_ONLY,
}
WRITTEN_OUT = {**ACCOUNTS, **SHOP_APPLICATIONS, **MONEY_MOVING}


def _endpoints():
    """(method, rule, allowed roles or None for public, whether allowed calls are checked)."""
    seen = set()
    for item in _REGISTRY:
        key = (item["method"].upper(), item["rule"])
        if key in seen:
            continue
        seen.add(key)
        if key in WRITTEN_OUT:
            yield (*key, WRITTEN_OUT[key], True)
        elif not item["public"]:
            yield (*key, set(item["roles"]) or ANY_USER, False)


def _cases():
    for method, rule, allowed, check_allowed in _endpoints():
        if allowed is PUBLIC:
            continue
        for caller in ("anonymous", *ROLES):
            if caller != "anonymous" and caller in allowed and not check_allowed:
                continue
            yield pytest.param(method, rule, allowed, caller, id=f"{method} {rule} as {caller}")


def test_every_accounts_and_shop_application_endpoint_is_in_the_registry():
    registered = {(i["method"].upper(), i["rule"]) for i in _REGISTRY}
    assert set(WRITTEN_OUT) <= registered


def test_only_finance_may_call_an_endpoint_that_moves_money():
    declared = {
        (i["method"].upper(), i["rule"]): set(i["roles"])
        for i in _REGISTRY
        if (i["method"].upper(), i["rule"]) in MONEY_MOVING
    }
    assert declared == MONEY_MOVING


@pytest.mark.parametrize("method, rule, allowed, caller", list(_cases()))
def test_access_matrix(api, method, rule, allowed, caller):
    path = re.sub(r"<int:\w+>", "999999", rule)
    path = re.sub(r"<(?:\w+:)?\w+>", "nothing", path)
    client = api() if caller == "anonymous" else api(make_user(caller))
    db.session.commit()
    kwargs = {} if method in ("GET", "DELETE") else {"json": {}}
    resp = getattr(client, method.lower())(path, **kwargs)
    if caller == "anonymous":
        assert resp.status_code == 401, resp.get_data(as_text=True)[:300]
        assert resp.json["error"]["code"] == "not_authenticated"
    elif caller not in allowed:
        assert resp.status_code == 403, resp.get_data(as_text=True)[:300]
        assert resp.json["error"]["code"] == "forbidden"
    else:
        assert resp.status_code not in (401, 403), resp.get_data(as_text=True)[:300]


def test_public_endpoints_answer_anonymous_callers(api):
    assert api().post("/api/v1/auth/register", json={}).status_code == 422
    assert api().post("/api/v1/auth/token", json={}).status_code == 422
