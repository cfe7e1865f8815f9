"""Input at the edges, through the HTTP API (SPEC §4: "Never a 500 for bad input"): JSON bodies
too deep, too large or with a lone surrogate, periods and dates at the ends of the calendar, and
control characters in bodies and query strings. Each answer has the spec's error shape."""

from __future__ import annotations

import json

import pytest

from marketplace.api import JSON_MAX_BYTES, JSON_MAX_DEPTH
from marketplace.extensions import db
from tests.factories import make_category, make_civil_servant, make_user, make_vendor


def assert_error(resp, status: int, code: str | None = None) -> dict:
    """The spec's error shape: `{"error": {"code", "message", "details"}}` with `status`."""
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True)[:500])
    error = resp.get_json()["error"]
    assert set(error) == {"code", "message", "details"}
    assert isinstance(error["message"], str) and error["message"]
    if code is not None:
        assert error["code"] == code
    return error


def post_raw(client, url: str, body: str | bytes, headers: dict | None = None):
    return client.post(
        url, data=body, headers={"Content-Type": "application/json", **(headers or {})}
    )


# ---------------------------------------------------------------- JSON bodies
def test_ten_thousand_nested_arrays_to_the_anonymous_token_endpoint_answer_400(client):
    body = "[" * 10_000 + "]" * 10_000
    assert_error(post_raw(client, "/api/v1/auth/token", body), 400, "bad_request")


def test_a_deeply_nested_object_inside_a_login_body_answers_400(client):
    inner = "{}"
    for _ in range(5_000):
        inner = '{"a":' + inner + "}"
    body = '{"email": "x@y.id", "password": "p", "name": ' + inner + "}"
    error = assert_error(post_raw(client, "/api/v1/auth/token", body), 400, "bad_request")
    assert str(JSON_MAX_DEPTH) in error["message"]


def test_nesting_up_to_the_limit_is_parsed_and_one_more_level_is_refused(api):
    admin = api(make_user("admin"))

    def nested(levels: int) -> str:
        # the body object is level 1; `name` holds the rest
        value = "1"
        for _ in range(levels - 1):
            value = "[" + value + "]"
        return '{"slug": "ok", "name": ' + value + "}"

    at_limit = admin.post(
        "/api/v1/admin/categories",
        data=nested(JSON_MAX_DEPTH),
        headers={"Content-Type": "application/json"},
    )
    # parsed: the schema refuses a list for a name (422), not the parser (400)
    assert_error(at_limit, 422)
    too_deep = admin.post(
        "/api/v1/admin/categories",
        data=nested(JSON_MAX_DEPTH + 1),
        headers={"Content-Type": "application/json"},
    )
    assert_error(too_deep, 400, "bad_request")


def test_nested_brackets_inside_a_string_do_not_count_as_depth(client):
    body = json.dumps({"email": "[" * 1000 + "@x.id", "password": "{" * 1000})
    resp = post_raw(client, "/api/v1/auth/token", body)
    assert resp.status_code in (401, 422), resp.get_data(as_text=True)[:300]


def test_a_body_over_the_size_limit_answers_413(client, api):
    body = json.dumps({"email": "x@y.id", "password": "p" * JSON_MAX_BYTES})
    assert_error(post_raw(client, "/api/v1/auth/token", body), 413, "payload_too_large")
    admin = api(make_user("admin"))
    resp = admin.post("/api/v1/admin/categories", json={"slug": "ok", "name": "x" * JSON_MAX_BYTES})
    assert_error(resp, 413, "payload_too_large")


def test_a_body_just_under_the_size_limit_is_read(client):
    body = json.dumps({"email": "x@y.id", "password": "p" * (JSON_MAX_BYTES - 100)})
    assert len(body) <= JSON_MAX_BYTES
    assert_error(post_raw(client, "/api/v1/auth/token", body), 401, "invalid_credentials")


@pytest.mark.parametrize(
    "body",
    [
        '{"email": "\\ud800@x.id", "password": "secret-pass"}',
        '{"email": "x@y.id", "password": "\\udfff"}',
        '{"\\ud800": 1, "email": "x@y.id", "password": "p"}',
        '{"email": "x@y.id", "password": "p", "name": ["\\udc00"]}',
    ],
)
def test_a_lone_utf16_surrogate_in_a_json_string_answers_400(client, body):
    error = assert_error(post_raw(client, "/api/v1/auth/token", body), 400, "bad_request")
    assert "surrogate" in error["message"]


def test_a_surrogate_pair_is_a_real_character_and_is_accepted(client):
    body = '{"email": "x@y.id", "password": "sandi-\\ud83d\\ude00-panjang"}'
    assert_error(post_raw(client, "/api/v1/auth/token", body), 401, "invalid_credentials")


@pytest.mark.parametrize("body", [b"\xff\xfe{}", b'{"email": "\xc3"}', b"{", b"[1,]"])
def test_a_body_that_is_not_utf8_json_answers_400(client, body):
    assert_error(post_raw(client, "/api/v1/auth/token", body), 400, "bad_request")


def test_a_json_null_or_array_body_is_not_an_object_and_answers_400(api):
    admin = api(make_user("admin"))
    for body in ("null", "[]", '"x"'):
        resp = admin.post(
            "/api/v1/admin/categories", data=body, headers={"Content-Type": "application/json"}
        )
        assert_error(resp, 400, "bad_request")


# ---------------------------------------------------------------- periods
EDGE_PERIODS = ["0000-01", "0001-01", "9999-12", "1999-12", "2101-01"]


@pytest.mark.parametrize("period", EDGE_PERIODS)
def test_my_mandate_for_a_period_at_the_edge_of_the_calendar_answers_422(api, period):
    resp = api(make_civil_servant()).get("/api/v1/mandate/me", query_string={"period": period})
    error = assert_error(resp, 422, "validation_error")
    assert "2000-01" in error["details"]["period"][0]


@pytest.mark.parametrize("period", ["2000-01", "2100-12"])
def test_my_mandate_for_the_first_and_last_period_allowed_answers(api, period):
    resp = api(make_civil_servant()).get("/api/v1/mandate/me", query_string={"period": period})
    assert resp.status_code == 200 and resp.json["period"] == period


@pytest.mark.parametrize("period", EDGE_PERIODS)
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/mandate/compliance",
        "/api/v1/mandate/compliance/by-opd",
        "/api/v1/finance/watch",
        "/api/v1/finance/register",
    ],
)
def test_reports_for_a_period_at_the_edge_of_the_calendar_answer_422(api, url, period):
    resp = api(make_user("finance")).get(url, query_string={"period": period})
    error = assert_error(resp, 422, "validation_error")
    assert "period" in error["details"]


@pytest.mark.parametrize("period", EDGE_PERIODS)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/finance/periods/{p}"),
        ("get", "/api/v1/finance/periods/{p}/corrections"),
        ("post", "/api/v1/finance/periods/{p}/close"),
    ],
)
def test_closed_month_endpoints_for_a_period_at_the_edge_answer_422(api, method, path, period):
    client = api(make_user("finance"))
    resp = getattr(client, method)(path.format(p=period))
    error = assert_error(resp, 422, "validation_error")
    assert "period" in error["details"]


@pytest.mark.parametrize("period", ["0000-01", "9999-12", "2101-01"])
def test_a_mandate_rule_from_a_period_at_the_edge_answers_422(api, period):
    resp = api(make_user("admin")).put(
        "/api/v1/mandate/rules", json={"default_amount": 100_000, "effective_from": period}
    )
    assert "effective_from" in assert_error(resp, 422)["details"]


@pytest.mark.parametrize("period", ["0000-01", "9999-12"])
def test_a_fair_share_cap_for_a_period_at_the_edge_answers_422(api, period):
    resp = api(make_user("admin")).put(f"/api/v1/admin/caps/{period}", json={"amount": 1_000})
    assert "period" in assert_error(resp, 422)["details"]


# ---------------------------------------------------------------- dates
EDGE_DATES = ["0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01"]


@pytest.mark.parametrize("day", EDGE_DATES)
@pytest.mark.parametrize("field", ["from", "to"])
def test_finance_date_ranges_at_the_edge_of_the_calendar_answer_422(api, day, field):
    finance = api(make_user("finance"))
    for url in ("/api/v1/finance/audit-log", "/api/v1/finance/exports/journal"):
        resp = finance.get(url, query_string={field: day})
        error = assert_error(resp, 422, "validation_error")
        assert field in error["details"], (url, error)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_stripe_reconciliation_with_a_date_at_the_edge_answers_422(api, day):
    resp = api(make_user("finance")).post(
        "/api/v1/finance/reconciliations",
        json={"source": "stripe", "from": day, "to": "2026-01-31"},
    )
    error = assert_error(resp, 422)
    assert "from" in error["details"]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_shop_sales_report_with_a_date_at_the_edge_answers_422(api, day):
    vendor = make_vendor()
    resp = api(vendor.owner).get("/api/v1/vendor/sales-report", query_string={"from": day})
    assert "from" in assert_error(resp, 422)["details"]


@pytest.mark.parametrize("as_of", ["0001-01-01", "9999-12-31T23:59:59-12:00"])
def test_a_payout_run_cut_off_at_the_edge_of_the_calendar_is_not_a_500(api, as_of):
    resp = api(make_user("finance")).post("/api/v1/finance/payout-runs", json={"as_of": as_of})
    assert_error(resp, 422)


# ---------------------------------------------------------------- control characters
@pytest.mark.parametrize("char", ["\x0b", "\x00", "\x1b", "\x85"])
def test_a_control_character_in_a_body_value_answers_422_naming_the_field(api, char):
    resp = api(make_user("admin")).post(
        "/api/v1/admin/categories", json={"slug": "ok", "name": f"Sem{char}bako"}
    )
    error = assert_error(resp, 422, "validation_error")
    assert f"U+{ord(char):04X}" in error["details"]["name"][0]


def test_a_control_character_in_a_nested_value_or_a_key_answers_422(api):
    resp = api(make_user("admin")).put(
        "/api/v1/mandate/rules",
        json={"default_amount": 1, "by_position": {"Camat\x0b": 5}, "effective_from": "2100-01"},
    )
    assert "by_position.Camat\x0b" in assert_error(resp, 422)["details"]


def test_a_control_character_in_a_query_string_answers_422(api):
    resp = api(make_user("finance")).get(
        "/api/v1/finance/audit-log", query_string={"actor": "a\x00"}
    )
    assert "actor" in assert_error(resp, 422)["details"]


def test_a_newline_is_refused_in_a_one_line_field_and_kept_in_a_description(api):
    vendor = make_vendor()
    make_category()
    db.session.commit()  # an API error rolls the session back; committed rows survive it
    owner = api(vendor.owner)
    bad = owner.post(
        "/api/v1/vendor/products",
        json={"name": "Beras\npulen", "category": "sembako", "unit": "kg", "price": 10_000},
    )
    assert "name" in assert_error(bad, 422)["details"]
    good = owner.post(
        "/api/v1/vendor/products",
        json={
            "name": "Beras pulen",
            "description": "Baris satu\r\nBaris dua\tdengan tab",
            "category": "sembako",
            "unit": "kg",
            "price": 10_000,
        },
    )
    assert good.status_code == 201, good.json
    assert good.json["description"] == "Baris satu\r\nBaris dua\tdengan tab"


def test_a_control_character_in_a_sign_up_name_answers_422(client):
    resp = client.post(
        "/api/v1/auth/register",
        json={"email": "budi@x.id", "password": "kata-sandi-panjang", "name": "Budi\x0bSantoso"},
    )
    assert "U+000B" in assert_error(resp, 422)["details"]["name"][0]
