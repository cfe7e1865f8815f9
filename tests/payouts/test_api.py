"""The payouts API: roles, shop isolation, validation, and the answers' shapes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.ledger.services import account_balances
from marketplace.payouts.models import Payout, PayoutRun
from tests.factories import make_civil_servant, make_user, make_vendor
from tests.payouts.journals import earn, pay, refund_after_payout


def _vendor_with_money(banked_vendor, amount=100_000):
    vendor = banked_vendor()
    earn(vendor, amount)
    return vendor


# ================================================================= access matrix
ROUTES = [
    ("get", "/api/v1/vendor/balance", ("vendor",)),
    ("get", "/api/v1/vendor/payouts", ("vendor",)),
    ("post", "/api/v1/finance/payout-runs", ("finance",)),
    ("get", "/api/v1/finance/payout-runs", ("finance", "admin")),
    ("get", "/api/v1/finance/payouts", ("finance", "admin")),
    ("post", "/api/v1/finance/payouts/999/mark-paid", ("finance",)),
    ("post", "/api/v1/finance/payouts/999/retry", ("finance",)),
    ("get", "/api/v1/finance/payout-runs/999/bank-file", ("finance",)),
]
ROLES = ("civil_servant", "public", "vendor", "finance", "admin")


def _user(role):
    if role == "vendor":
        return make_vendor().owner
    if role == "civil_servant":
        return make_civil_servant()
    return make_user(role)


@pytest.mark.parametrize("method,url,allowed", ROUTES)
def test_anonymous_callers_get_401(api, method, url, allowed):
    resp = getattr(api(), method)(url)
    assert resp.status_code == 401
    assert resp.json["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,url,allowed", ROUTES)
def test_only_the_right_roles_reach_payout_endpoints(app, api, role, method, url, allowed):
    kwargs = {"json": {"bank_reference": "X"}} if url.endswith("mark-paid") else {}
    resp = getattr(api(_user(role)), method)(url, **kwargs)
    if role in allowed:
        assert resp.status_code in (200, 201, 404), resp.json
    else:
        assert resp.status_code == 403
        assert resp.json["error"]["code"] == "forbidden"


# ================================================================= vendor
def test_vendor_balance_answers_pending_available_and_paid_out(app, api, banked_vendor):
    vendor = _vendor_with_money(banked_vendor, 80_000)
    pay(vendor, 12_000)
    resp = api(vendor.owner).get("/api/v1/vendor/balance")
    assert resp.status_code == 200
    assert resp.json == {
        "pending": 12_000,
        "available": 80_000,
        "paid_out": 0,
        "in_transit": 0,
        "debt": 0,
    }


def test_vendor_balance_shows_debt_netted(app, api, banked_vendor):
    vendor = _vendor_with_money(banked_vendor, 10_000)
    refund_after_payout(vendor, 4_000)
    assert api(vendor.owner).get("/api/v1/vendor/balance").json["available"] == 6_000


def test_vendor_b_cannot_see_vendor_a_payouts(app, api, finance, banked_vendor):
    a = _vendor_with_money(banked_vendor)
    b = banked_vendor()
    api(finance).post("/api/v1/finance/payout-runs", json={})

    mine = api(a.owner).get("/api/v1/vendor/payouts")
    theirs = api(b.owner).get("/api/v1/vendor/payouts")

    assert mine.json["total"] == 1 and mine.json["items"][0]["amount"] == 100_000
    assert mine.json["items"][0]["reference"].startswith("PKN-PO-")
    assert theirs.json == {"items": [], "page": 1, "per_page": 20, "total": 0}
    assert api(b.owner).get("/api/v1/vendor/balance").json["available"] == 0


def test_vendor_cannot_reach_a_payout_through_the_finance_api(app, api, finance, banked_vendor):
    a = _vendor_with_money(banked_vendor)
    run = api(finance).post("/api/v1/finance/payout-runs", json={}).json
    payout_id = run["payouts"][0]["id"]
    assert api(a.owner).get(f"/api/v1/finance/payouts/{payout_id}").status_code == 403
    assert (
        api(a.owner)
        .post(f"/api/v1/finance/payouts/{payout_id}/mark-paid", json={"bank_reference": "X"})
        .status_code
        == 403
    )


def test_vendor_payouts_paginate(app, api, finance, banked_vendor):
    vendor = banked_vendor()
    for _ in range(3):
        earn(vendor, 1_000)
        api(finance).post("/api/v1/finance/payout-runs", json={})
    resp = api(vendor.owner).get("/api/v1/vendor/payouts?per_page=2&page=2")
    assert resp.json["total"] == 3 and len(resp.json["items"]) == 1


# ================================================================= finance
def test_finance_runs_payouts_and_gets_201_with_the_payouts(app, api, finance, banked_vendor):
    vendor = _vendor_with_money(banked_vendor, 123_456)
    resp = api(finance).post("/api/v1/finance/payout-runs", json={"adapter": "manual"})
    assert resp.status_code == 201
    body = resp.json
    assert body["total"] == 123_456 and body["payout_count"] == 1
    payout = body["payouts"][0]
    assert payout["vendor"] == {"id": vendor.id, "name": vendor.name}
    assert payout["status"] == "pending" and payout["amount"] == 123_456
    assert payout["bank_account_number"] == "0011223344"


def test_second_run_answers_201_with_no_payouts(app, api, finance, banked_vendor):
    _vendor_with_money(banked_vendor)
    api(finance).post("/api/v1/finance/payout-runs", json={})
    again = api(finance).post("/api/v1/finance/payout-runs", json={})
    assert again.status_code == 201 and again.json["payouts"] == [] and again.json["total"] == 0


@pytest.mark.parametrize(
    "body,field",
    [
        ({"as_of": "kemarin"}, "as_of"),
        ({"as_of": "2026-02-30"}, "as_of"),
        ({"as_of": 20260101}, "as_of"),
        ({"adapter": "cash"}, "adapter"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_invalid_run_requests_answer_422_and_change_nothing(
    app, api, finance, banked_vendor, body, field
):
    _vendor_with_money(banked_vendor)
    resp = api(finance).post("/api/v1/finance/payout-runs", json=body)
    assert resp.status_code == 422
    assert resp.json["error"]["code"] == "validation_error"
    assert field in resp.json["error"]["details"]
    assert db.session.scalar(select(db.func.count(PayoutRun.id))) == 0


def test_malformed_json_answers_400(app, api, finance):
    resp = api(finance).post(
        "/api/v1/finance/payout-runs",
        data="{not json",
        headers={"Content-Type": "application/json"},
    )
    assert resp.status_code == 400


def test_stripe_run_without_stripe_configured_answers_422_and_changes_nothing(
    app, api, finance, banked_vendor
):
    vendor = _vendor_with_money(banked_vendor)
    resp = api(finance).post("/api/v1/finance/payout-runs", json={"adapter": "stripe"})
    assert resp.status_code == 422 and resp.json["error"]["code"] == "stripe_not_configured"
    assert api(vendor.owner).get("/api/v1/vendor/balance").json["available"] == 100_000


def test_run_with_as_of_date_answers_the_cutoff(app, api, finance, banked_vendor):
    _vendor_with_money(banked_vendor)
    resp = api(finance).post("/api/v1/finance/payout-runs", json={"as_of": "2000-01-01"})
    assert resp.status_code == 201
    assert resp.json["as_of"] == "1999-12-31T17:00:00+00:00" and resp.json["payouts"] == []


def test_mark_paid_via_api_then_again_is_409(app, api, finance, banked_vendor):
    _vendor_with_money(banked_vendor)
    payout_id = api(finance).post("/api/v1/finance/payout-runs", json={}).json["payouts"][0]["id"]
    ok = api(finance).post(
        f"/api/v1/finance/payouts/{payout_id}/mark-paid", json={"bank_reference": "  BJTM-77  "}
    )
    assert ok.status_code == 200
    assert ok.json["status"] == "paid" and ok.json["bank_reference"] == "BJTM-77"
    again = api(finance).post(
        f"/api/v1/finance/payouts/{payout_id}/mark-paid", json={"bank_reference": "BJTM-78"}
    )
    assert again.status_code == 409 and again.json["error"]["code"] == "invalid_transition"
    assert sum(account_balances().values()) == 0


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"bank_reference": ""},
        {"bank_reference": "   "},
        {"bank_reference": "x" * 101},
        {"bank_reference": 5},
    ],
)
def test_mark_paid_needs_a_bank_reference(app, api, finance, banked_vendor, body):
    _vendor_with_money(banked_vendor)
    payout_id = api(finance).post("/api/v1/finance/payout-runs", json={}).json["payouts"][0]["id"]
    resp = api(finance).post(f"/api/v1/finance/payouts/{payout_id}/mark-paid", json=body)
    assert resp.status_code == 422 and "bank_reference" in resp.json["error"]["details"]
    assert db.session.get(Payout, payout_id).status == "pending"


def test_unknown_payout_answers_404(app, api, finance):
    assert (
        api(finance)
        .post("/api/v1/finance/payouts/424242/mark-paid", json={"bank_reference": "X"})
        .status_code
        == 404
    )
    assert api(finance).get("/api/v1/finance/payout-runs/424242").status_code == 404


def test_cancel_needs_a_reason_and_then_returns_money(app, api, finance, banked_vendor):
    vendor = _vendor_with_money(banked_vendor)
    payout_id = api(finance).post("/api/v1/finance/payout-runs", json={}).json["payouts"][0]["id"]
    assert (
        api(finance).post(f"/api/v1/finance/payouts/{payout_id}/cancel", json={}).status_code == 422
    )
    resp = api(finance).post(
        f"/api/v1/finance/payouts/{payout_id}/cancel", json={"reason": "Nomor rekening salah"}
    )
    assert resp.status_code == 200 and resp.json["status"] == "cancelled"
    assert api(vendor.owner).get("/api/v1/vendor/balance").json["available"] == 100_000


def test_retry_of_a_manual_payout_is_409(app, api, finance, banked_vendor):
    _vendor_with_money(banked_vendor)
    payout_id = api(finance).post("/api/v1/finance/payout-runs", json={}).json["payouts"][0]["id"]
    resp = api(finance).post(f"/api/v1/finance/payouts/{payout_id}/retry")
    assert resp.status_code == 409 and resp.json["error"]["code"] == "invalid_transition"


def test_finance_lists_payouts_with_filters(app, api, finance, banked_vendor):
    a = _vendor_with_money(banked_vendor)
    b = _vendor_with_money(banked_vendor, 5_000)
    run_id = api(finance).post("/api/v1/finance/payout-runs", json={}).json["id"]
    first = api(finance).get(f"/api/v1/finance/payouts?vendor_id={a.id}").json
    assert first["total"] == 1 and first["items"][0]["vendor"]["id"] == a.id
    api(finance).post(
        f"/api/v1/finance/payouts/{first['items'][0]['id']}/mark-paid",
        json={"bank_reference": "R1"},
    )
    paid = api(finance).get("/api/v1/finance/payouts?status=paid").json
    assert [p["vendor"]["id"] for p in paid["items"]] == [a.id]
    by_run = api(finance).get(f"/api/v1/finance/payouts?run_id={run_id}").json
    assert by_run["total"] == 2
    assert api(finance).get("/api/v1/finance/payouts?status=lost").status_code == 422
    _ = b


def test_finance_lists_runs_and_reads_one(app, api, finance, banked_vendor):
    _vendor_with_money(banked_vendor)
    run_id = api(finance).post("/api/v1/finance/payout-runs", json={}).json["id"]
    runs = api(finance).get("/api/v1/finance/payout-runs").json
    assert runs["total"] == 1 and runs["items"][0]["id"] == run_id
    one = api(finance).get(f"/api/v1/finance/payout-runs/{run_id}").json
    assert one["payout_count"] == 1


def test_bank_file_downloads_as_csv_and_names_excluded_vendors(app, api, finance, banked_vendor):
    _vendor_with_money(banked_vendor)
    nobank = make_vendor(name="Toko Tanpa Rekening")
    earn(nobank, 7_000)
    run = api(finance).post("/api/v1/finance/payout-runs", json={}).json
    assert run["flagged"][0]["vendor_id"] == nobank.id
    assert "Rekening bank" in run["flagged"][0]["message"]

    resp = api(finance).get(f"/api/v1/finance/payout-runs/{run['id']}/bank-file")

    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    assert resp.headers["X-Peken-Excluded-Vendors"] == str(nobank.id)
    lines = resp.data.decode().strip().splitlines()
    assert lines[0] == "vendor_name,bank_name,account_number,account_name,amount,reference"
    assert len(lines) == 2 and lines[1].endswith(f",100000,PKN-PO-{run['payouts'][0]['id']}")


def test_openapi_documents_the_payout_endpoints(app, client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in (
        "/api/v1/vendor/balance",
        "/api/v1/vendor/payouts",
        "/api/v1/finance/payout-runs",
        "/api/v1/finance/payouts",
        "/api/v1/finance/payouts/{payout_id}/mark-paid",
    ):
        assert path in paths
