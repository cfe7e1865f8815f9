"""The finance API: access, validation, targets, realisation downloads, journals, audit log."""

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from marketplace.audit.models import record_audit
from marketplace.extensions import db
from marketplace.timeutil import now_utc, year_of
from tests.factories import make_civil_servant, make_opd, make_user, make_vendor
from tests.finance.helpers import make_order, post_payment_journal, record_spending

YEAR = 2025
READ_ENDPOINTS = [
    ("get", f"/api/v1/finance/targets/{YEAR}"),
    ("get", "/api/v1/finance/spending"),
    ("get", "/api/v1/finance/watch"),
    ("get", "/api/v1/finance/ledger/journals"),
    ("get", "/api/v1/finance/audit-log"),
    ("get", "/api/v1/finance/reconciliations"),
    ("get", "/api/v1/finance/reconciliations/1"),
    ("put", f"/api/v1/finance/targets/{YEAR}"),
]
TARGETS = {"umk": 4_000_000, "pdn": 9_000_000, "local": 2_000_000}


def _user(role):
    if role == "civil_servant":
        return make_civil_servant()
    if role == "vendor":
        return make_vendor().owner
    return make_user(role)


@pytest.mark.parametrize("method, url", READ_ENDPOINTS)
def test_finance_endpoints_need_a_login(api, method, url):
    resp = getattr(api(), method)(url, json=TARGETS if method == "put" else None)
    assert resp.status_code == 401
    assert resp.json["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("role", ["civil_servant", "public", "vendor"])
@pytest.mark.parametrize(
    "method, url", READ_ENDPOINTS + [("post", "/api/v1/finance/reconciliations")]
)
def test_buyers_and_shopkeepers_may_not_use_finance_endpoints(api, role, method, url):
    resp = getattr(api(_user(role)), method)(url, json=TARGETS if method == "put" else {})
    assert resp.status_code == 403


def test_only_finance_runs_reconciliations(api):
    resp = api(make_user("admin")).post(
        "/api/v1/finance/reconciliations",
        json={"source": "stripe", "from": "2026-01-01", "to": "2026-01-31"},
    )
    assert resp.status_code == 403


@pytest.mark.parametrize("role", ["finance", "admin"])
def test_finance_and_admin_set_targets_by_opd_and_read_them_back(api, role):
    make_opd("DINKOP")
    client = api(_user(role))
    body = {**TARGETS, "by_opd": {"DINKOP": {"umk": 400_000, "pdn": 0, "local": 100_000}}}
    resp = client.put(f"/api/v1/finance/targets/{YEAR}", json=body)
    assert resp.status_code == 200, resp.json
    got = client.get(f"/api/v1/finance/targets/{YEAR}").json
    assert got["umk"] == 4_000_000 and got["is_set"] is True
    assert got["by_opd"] == {"DINKOP": {"umk": 400_000, "pdn": 0, "local": 100_000}}


def test_targets_of_a_year_never_set_are_zero(api):
    got = api(make_user("finance")).get("/api/v1/finance/targets/2031").json
    assert (got["umk"], got["pdn"], got["local"], got["is_set"], got["by_opd"]) == (
        0,
        0,
        0,
        False,
        {},
    )


@pytest.mark.parametrize(
    "body, field",
    [
        ({**TARGETS, "umk": -1}, "umk"),
        ({**TARGETS, "pdn": 1.5}, "pdn"),
        ({**TARGETS, "local": "banyak"}, "local"),
        ({"umk": 1, "pdn": 1}, "local"),
        ({**TARGETS, "surprise": 1}, "surprise"),
        ({**TARGETS, "by_opd": {"NOPE": {"umk": 1, "pdn": 1, "local": 1}}}, "by_opd"),
        ({**TARGETS, "by_opd": {"X": {"umk": -5, "pdn": 1, "local": 1}}}, "by_opd"),
        ({**TARGETS, "by_opd": ["DINKOP"]}, "by_opd"),
    ],
)
def test_bad_targets_are_422_and_change_nothing(api, body, field):
    client = api(make_user("finance"))
    resp = client.put(f"/api/v1/finance/targets/{YEAR}", json=body)
    assert resp.status_code == 422
    assert field in resp.json["error"]["details"]
    assert client.get(f"/api/v1/finance/targets/{YEAR}").json["is_set"] is False


def test_targets_for_an_absurd_year_are_422(api):
    resp = api(make_user("finance")).put("/api/v1/finance/targets/1800", json=TARGETS)
    assert resp.status_code == 422
    assert "year" in resp.json["error"]["details"]


def test_a_non_json_targets_body_is_400(api):
    resp = api(make_user("finance")).put(
        f"/api/v1/finance/targets/{YEAR}", data="umk=1", headers={"Content-Type": "text/plain"}
    )
    assert resp.status_code == 400


@pytest.mark.parametrize(
    "query, field",
    [
        ("year=abc", "year"),
        ("year=1800", "year"),
        ("group_by=week", "group_by"),
        ("format=pdf", "format"),
    ],
)
def test_bad_spending_queries_are_422(api, query, field):
    resp = api(make_user("finance")).get(f"/api/v1/finance/spending?{query}")
    assert resp.status_code == 422
    assert field in resp.json["error"]["details"]


@pytest.fixture
def year_of_spending(app):
    opd = make_opd("DINKOP")
    vendor = make_vendor(kelurahan="Gubeng")
    for month, amount, cls in ((1, 100_000, "micro"), (3, 50_000, "medium"), (3, 25_000, "small")):
        record_spending(
            amount,
            at=datetime(YEAR, month, 10, tzinfo=UTC),
            vendor=vendor,
            opd=opd,
            umk_class=cls,
            is_pdn=month == 1,
        )
    db.session.commit()


def test_spending_defaults_to_months_of_the_current_wib_year(api, year_of_spending):
    body = api(make_user("finance")).get("/api/v1/finance/spending").json
    assert body["year"] == year_of(now_utc())
    assert len(body["rows"]) == 12


def test_spending_answers_targets_realised_and_rows(api, year_of_spending):
    client = api(make_user("finance"))
    client.put(f"/api/v1/finance/targets/{YEAR}", json=TARGETS)
    body = client.get(f"/api/v1/finance/spending?year={YEAR}&group_by=opd").json
    assert body["realised"] == {"umk": 125_000, "pdn": 100_000, "local": 175_000, "total": 175_000}
    assert body["targets"]["umk"] == 4_000_000
    assert body["progress_bps"]["umk"] == 313  # 125 000 / 4 000 000, half-up
    assert [r["opd_code"] for r in body["rows"]] == ["DINKOP"]


@pytest.mark.parametrize("group_by", ["month", "opd", "vendor_class", "kelurahan"])
def test_csv_and_xlsx_downloads_parse_back_to_the_json_rows(api, year_of_spending, group_by):
    client = api(make_user("finance"))
    rows = client.get(f"/api/v1/finance/spending?year={YEAR}&group_by={group_by}").json["rows"]

    resp = client.get(f"/api/v1/finance/spending?year={YEAR}&group_by={group_by}&format=csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    parsed = list(csv.DictReader(io.StringIO(resp.data.decode("utf-8-sig"))))
    target = [r for r in parsed if r["population"] == "target_realisation"]
    assert {r["channel"] for r in target} == {"opd_procurement"}
    assert [int(r["total"]) for r in target] == [r["total"] for r in rows]
    assert [r["key"] for r in target] == [str(r["key"]) for r in rows]
    reach = [r for r in parsed if r["population"] == "programme_reach"]
    assert {r["channel"] for r in reach} <= {"asn_personal", "public"}
    assert len(target) + len(reach) == len(parsed)

    resp = client.get(f"/api/v1/finance/spending?year={YEAR}&group_by={group_by}&format=xlsx")
    assert resp.status_code == 200
    sheet = load_workbook(io.BytesIO(resp.data)).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    header = list(values[0])
    assert [line[header.index("umk")] for line in values[1:]] == [r["umk"] for r in rows]
    assert sum(line[header.index("total")] for line in values[1:]) == 175_000


@pytest.mark.parametrize(
    "query, field", [("period=2025-13", "period"), ("period=maret", "period"), ("page=0", "page")]
)
def test_bad_watch_queries_are_422(api, query, field):
    resp = api(make_user("admin")).get(f"/api/v1/finance/watch?{query}")
    assert resp.status_code == 422
    assert field in resp.json["error"]["details"]


def test_journals_are_paginated_and_filtered_by_kind(api):
    order = make_order(amount=1_000)
    for i in range(3):
        post_payment_journal(order, 1_000 + i, reference=f"ch_{i}")
    db.session.commit()
    client = api(make_user("finance"))
    body = client.get("/api/v1/finance/ledger/journals?per_page=2").json
    assert (body["total"], len(body["items"]), body["page"]) == (3, 2, 1)
    assert body["items"][0]["reference"] == "ch_2"
    assert sum(line["amount"] for line in body["items"][0]["lines"]) == 0
    assert client.get("/api/v1/finance/ledger/journals?kind=refund").json["total"] == 0


def test_audit_log_api_filters_and_shows_before_and_after(api):
    admin = make_user("admin", name="Bu Admin")
    record_audit(
        admin,
        "vendor.verify",
        "vendor",
        3,
        before={"status": "pending"},
        after={"status": "verified"},
    )
    record_audit(admin, "category.create", "category", 1)
    db.session.commit()
    body = (
        api(make_user("finance"))
        .get("/api/v1/finance/audit-log?action=vendor.&actor=bu%20admin")
        .json
    )
    assert body["total"] == 1
    [item] = body["items"]
    assert (item["actor"]["name"], item["before"], item["after"]) == (
        "Bu Admin",
        {"status": "pending"},
        {"status": "verified"},
    )


@pytest.mark.parametrize(
    "query, field", [("from=2025-02-30", "from"), ("from=2025-03-02&to=2025-03-01", "to")]
)
def test_bad_audit_log_filters_are_422(api, query, field):
    resp = api(make_user("finance")).get(f"/api/v1/finance/audit-log?{query}")
    assert resp.status_code == 422
    assert field in resp.json["error"]["details"]


def test_there_is_no_way_to_change_the_audit_log_over_http(app, api):
    client = api(make_user("admin"))
    for method in ("put", "patch", "delete", "post"):
        resp = getattr(client, method)("/api/v1/finance/audit-log", json={})
        assert resp.status_code == 405
