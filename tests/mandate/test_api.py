"""Mandate API: roles, validation, the answer shapes of SPEC §4, and CSV/XLSX downloads."""

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.mandate.models import MandateRule
from marketplace.timeutil import current_period
from tests.factories import make_civil_servant, make_opd, make_user
from tests.mandate.helpers import make_spending, refund_spending, set_rule, wib

ME = "/api/v1/mandate/me"
RULES = "/api/v1/mandate/rules"
COMPLIANCE = "/api/v1/mandate/compliance"
BY_OPD = "/api/v1/mandate/compliance/by-opd"


def _body(**overrides):
    return {
        "default_amount": 100_000,
        "by_position": {"Camat": 2_000_000},
        "effective_from": current_period(),
        **overrides,
    }


def _user(role):
    return make_civil_servant() if role == "civil_servant" else make_user(role)


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [
        ("get", ME, {"civil_servant"}),
        ("put", RULES, {"admin"}),
        ("get", RULES, {"admin", "finance"}),
        ("get", COMPLIANCE, {"admin", "finance"}),
        ("get", BY_OPD, {"admin", "finance"}),
    ],
)
@pytest.mark.parametrize("role", [None, "civil_servant", "public", "vendor", "finance", "admin"])
def test_each_endpoint_answers_only_its_roles(app, api, method, url, allowed, role):
    client = api(_user(role)) if role else api()
    kwargs = {"json": _body()} if method == "put" else {}
    resp = getattr(client, method)(url, **kwargs)
    expected = 401 if role is None else 200 if role in allowed else 403
    assert resp.status_code == expected, resp.get_json()
    if expected != 200:
        assert resp.get_json()["error"]["code"] in ("not_authenticated", "forbidden")


# ---------------------------------------------------------------- /mandate/me
def test_my_progress_answers_the_spec_fields(app, api):
    set_rule("2026-05", 100_000, {"Lurah": 1_000_000})
    asn = make_civil_servant(position="Lurah")
    sale = make_spending(asn, 400_000, wib(2026, 5, 31, 23, 30))
    refund_spending(sale, 100_000)
    body = api(asn).get(f"{ME}?period=2026-05").get_json()
    assert {k: body[k] for k in ("period", "required", "spent", "remaining", "compliant")} == {
        "period": "2026-05",
        "required": 1_000_000,
        "spent": 300_000,
        "remaining": 700_000,
        "compliant": False,
    }
    assert body["days_left"] == 0 and body["position"] == "Lurah"
    assert body["rule_effective_from"] == "2026-05" and body["percent"] == 30


def test_my_progress_defaults_to_the_current_period(app, api):
    set_rule(current_period(), 50_000)
    asn = make_civil_servant()
    body = api(asn).get(ME).get_json()
    assert body["period"] == current_period() and body["required"] == 50_000
    assert body["days_left"] >= 1


@pytest.mark.parametrize("period", ["2026-13", "2026-5", "may", "2026-05-01", "' OR 1=1"])
def test_a_malformed_period_is_422(app, api, period):
    resp = api(make_civil_servant()).get(ME, query_string={"period": period})
    assert resp.status_code == 422
    assert "period" in resp.get_json()["error"]["details"]


# ---------------------------------------------------------------- rules
def test_admin_sets_a_rule_and_reads_the_history(app, api):
    admin = make_user("admin")
    set_rule("2026-01", 75_000)
    resp = api(admin).put(RULES, json=_body(by_position={" Camat ": 2_000_000, "Staf": 100_000}))
    assert resp.status_code == 200, resp.get_json()
    rule = resp.get_json()
    assert rule["effective_from"] == current_period() and rule["default_amount"] == 100_000
    assert rule["by_position"] == {"Camat": 2_000_000, "Staf": 100_000} and rule["in_force"] is True
    history = api(make_user("finance")).get(RULES).get_json()
    assert history["total"] == 2
    assert [r["effective_from"] for r in history["items"]] == [current_period(), "2026-01"]
    assert [r["in_force"] for r in history["items"]] == [True, False]


def test_putting_the_same_period_twice_keeps_one_rule(app, api):
    client = api(make_user("admin"))
    client.put(RULES, json=_body(default_amount=1))
    resp = client.put(RULES, json=_body(default_amount=2, by_position={}))
    assert resp.get_json()["default_amount"] == 2 and resp.get_json()["by_position"] == {}
    assert db.session.scalar(select(func.count()).select_from(MandateRule)) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"default_amount": -1}, "default_amount"),
        ({"default_amount": "100000"}, "default_amount"),
        ({"default_amount": 1.5}, "default_amount"),
        ({"default_amount": True}, "default_amount"),
        ({"default_amount": None}, "default_amount"),
        ({"by_position": {"Camat": -5}}, "by_position"),
        ({"by_position": {"Camat": 1, "CAMAT": 2}}, "by_position"),
        ({"by_position": {"": 1}}, "by_position"),
        ({"by_position": ["Camat"]}, "by_position"),
        ({"effective_from": "2026/05"}, "effective_from"),
        ({"effective_from": "2000-01"}, "effective_from"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_invalid_rules_are_422_and_change_nothing(app, api, body, field):
    resp = api(make_user("admin")).put(RULES, json=_body(**body))
    assert resp.status_code == 422, resp.get_json()
    assert field in resp.get_json()["error"]["details"]
    assert db.session.scalar(select(func.count()).select_from(MandateRule)) == 0


def test_a_missing_field_is_422(app, api):
    resp = api(make_user("admin")).put(RULES, json={"default_amount": 1})
    assert resp.status_code == 422
    assert "effective_from" in resp.get_json()["error"]["details"]


def test_a_body_that_is_not_json_is_400(app, api):
    resp = api(make_user("admin")).put(
        RULES, data="default_amount=1", headers={"Content-Type": "application/json"}
    )
    assert resp.status_code == 400
    assert resp.get_json()["error"]["code"] == "bad_request"


# ---------------------------------------------------------------- compliance
@pytest.fixture
def city(app):
    set_rule("2026-05", 100_000, {"Camat": 2_000_000})
    dinkop, bappeda = make_opd("DINKOP", "Dinas Koperasi"), make_opd("BAPPEDA", "Bappeda")
    camat = make_civil_servant(opd=dinkop, position="Camat", name="Budi Camat")
    staf = make_civil_servant(opd=dinkop, position="Staf", name='=HYPERLINK("x")')
    analis = make_civil_servant(opd=bappeda, position="Analis", name="Citra Analis")
    make_spending(camat, 2_100_000, wib(2026, 5, 2))
    make_spending(staf, 30_000, wib(2026, 5, 3))
    make_spending(analis, 10_000, wib(2026, 6, 1, 0, 30))
    db.session.commit()
    return {"camat": camat, "staf": staf, "analis": analis}


def test_compliance_answers_a_page_and_a_summary(city, api):
    body = api(make_user("finance")).get(COMPLIANCE, query_string={"period": "2026-05"}).get_json()
    assert body["total"] == 3 and body["page"] == 1 and body["per_page"] == 20
    assert set(body["items"][0]) >= {
        "nip",
        "name",
        "opd",
        "position",
        "required",
        "spent",
        "compliant",
    }
    assert body["summary"]["civil_servants"] == 3 and body["summary"]["compliant"] == 1
    assert body["summary"]["spent"] == 2_130_000
    assert (
        body["summary"]["rate"] == pytest.approx(1 / 3, abs=1e-4)
        and body["summary"]["rate_bps"] == 3333
    )
    camat = next(r for r in body["items"] if r["name"] == "Budi Camat")
    assert camat == {
        **camat,
        "opd": "DINKOP",
        "required": 2_000_000,
        "spent": 2_100_000,
        "compliant": True,
    }


def test_compliance_filters_by_opd_and_compliant(city, api):
    client = api(make_user("admin"))
    body = client.get(
        COMPLIANCE, query_string={"period": "2026-05", "opd": "DINKOP", "compliant": "false"}
    ).get_json()
    assert [r["name"] for r in body["items"]] == ['=HYPERLINK("x")']
    assert body["summary"]["civil_servants"] == 2
    empty = client.get(COMPLIANCE, query_string={"period": "2026-05", "opd": "NOPE"}).get_json()
    assert empty["items"] == [] and empty["total"] == 0 and empty["summary"]["rate"] == 0


def test_per_page_above_100_is_clamped(city, api):
    body = api(make_user("finance")).get(COMPLIANCE, query_string={"per_page": 500}).get_json()
    assert body["per_page"] == 100


@pytest.mark.parametrize(
    "query",
    [
        {"compliant": "maybe"},
        {"sort": "salary"},
        {"format": "pdf"},
        {"period": "2026-00"},
        {"page": 0},
        {"per_page": "x"},
    ],
)
def test_bad_compliance_filters_are_422(city, api, query):
    resp = api(make_user("finance")).get(COMPLIANCE, query_string=query)
    assert resp.status_code == 422
    assert set(query) & set(resp.get_json()["error"]["details"])


def _json_rows(api, **query):
    body = (
        api(make_user("finance"))
        .get(COMPLIANCE, query_string={**query, "per_page": 100})
        .get_json()
    )
    return body["items"]


def test_the_csv_download_holds_every_row_of_the_json(city, api):
    resp = api(make_user("finance")).get(
        COMPLIANCE, query_string={"period": "2026-05", "format": "csv", "per_page": 1}
    )
    assert resp.status_code == 200
    assert resp.mimetype == "text/csv"
    assert resp.headers["Content-Disposition"] == 'attachment; filename="kepatuhan-asn-2026-05.csv"'
    rows = list(csv.DictReader(io.StringIO(resp.get_data().decode("utf-8-sig"))))
    expected = _json_rows(api, period="2026-05")
    assert len(rows) == len(expected) == 3
    for got, want in zip(rows, expected, strict=True):
        assert got["nip"] == want["nip"] and got["opd"] == want["opd"]
        assert int(got["required"]) == want["required"] and int(got["spent"]) == want["spent"]
        assert got["compliant"] == ("true" if want["compliant"] else "false")
    # A name that looks like a formula is neutralised for spreadsheet apps.
    assert any(r["name"] == '\'=HYPERLINK("x")' for r in rows)


def test_the_xlsx_download_holds_every_row_of_the_json(city, api):
    resp = api(make_user("admin")).get(
        COMPLIANCE,
        query_string={"period": "2026-05", "format": "xlsx", "opd": "DINKOP", "sort": "-spent"},
    )
    assert resp.status_code == 200
    assert resp.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="kepatuhan-asn-2026-05-DINKOP.xlsx"' in resp.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(resp.get_data()), read_only=True).active
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert header[:3] == ["nip", "name", "opd"]
    expected = _json_rows(api, period="2026-05", opd="DINKOP", sort="-spent")
    assert [(r[0], r[5], r[6], r[8]) for r in rows] == [
        (w["nip"], w["required"], w["spent"], w["compliant"]) for w in expected
    ]
    assert rows[0][1] == "Budi Camat"


def test_downloads_are_refused_to_civil_servants(city, api):
    resp = api(city["camat"]).get(COMPLIANCE, query_string={"format": "csv"})
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "forbidden"


def test_by_opd_answers_one_row_per_opd(city, api):
    body = api(make_user("finance")).get(BY_OPD, query_string={"period": "2026-05"}).get_json()
    rows = {r["opd_code"]: r for r in body["items"]}
    assert rows["DINKOP"]["civil_servants"] == 2 and rows["DINKOP"]["compliant"] == 1
    assert rows["DINKOP"]["rate"] == 0.5 and rows["DINKOP"]["spent"] == 2_130_000
    assert rows["DINKOP"]["required"] == 2_100_000
    assert rows["BAPPEDA"] == {
        "opd_code": "BAPPEDA",
        "opd_name": "Bappeda",
        "civil_servants": 1,
        "compliant": 0,
        "rate": 0.0,
        "rate_bps": 0,
        "spent": 0,
        "required": 100_000,
    }
    assert body["items"][0]["opd_code"] == "BAPPEDA"  # lowest rate first


def test_the_openapi_document_describes_the_mandate_endpoints(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {
        "/api/v1/mandate/me",
        "/api/v1/mandate/rules",
        "/api/v1/mandate/compliance",
        "/api/v1/mandate/compliance/by-opd",
    } <= set(paths)
    assert "text/csv" in paths["/api/v1/mandate/compliance"]["get"]["responses"]["200"]["content"]
