"""SPEC §3: every timestamp the API writes is ISO 8601 with an offset; dates stay YYYY-MM-DD."""

from __future__ import annotations

import re
from datetime import date, datetime

from marshmallow import Schema, fields

from marketplace.api import _REGISTRY, UtcDateTime
from marketplace.audit.models import record_audit
from marketplace.extensions import db
from marketplace.notifications.services import notify
from tests.factories import make_paid_order, make_user, make_vendor

WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$")
NAIVE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")
RFC_822 = re.compile(r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$")


def _all_schema_classes() -> set[type[Schema]]:
    seen: set[type[Schema]] = set()
    todo = [Schema]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return {cls for cls in seen if cls.__module__.startswith("marketplace.")}


def _naive_fields(schema_fields, where: str) -> list[str]:
    found = []
    for name, field in schema_fields.items():
        inner = getattr(field, "inner", None)  # fields.List(fields.DateTime()) hides one too
        for f in (field, inner):
            if isinstance(f, fields.DateTime) and not isinstance(f, UtcDateTime):
                found.append(f"{where}.{name}")
    return found


def test_no_schema_declares_a_datetime_field_that_writes_no_offset(app):
    classes = _all_schema_classes()
    assert len(classes) > 40  # every area's schemas were imported by create_app
    naive = [
        bad
        for cls in sorted(classes, key=lambda c: (c.__module__, c.__name__))
        for bad in _naive_fields(cls._declared_fields, f"{cls.__module__}.{cls.__name__}")
    ]
    assert naive == []


def test_no_registered_api_schema_writes_a_naive_timestamp(app):
    naive = []
    for item in _REGISTRY:
        for role in ("query", "body", "response"):
            schema = item[role]
            if schema is not None:
                naive += _naive_fields(schema.fields, f"{item['method']} {item['rule']} {role}")
    assert naive == []


def _properties(node, path=""):
    """(path, property schema) of every property in an OpenAPI document, however deep."""
    if isinstance(node, dict):
        for name, prop in (node.get("properties") or {}).items():
            yield f"{path}.{name}", prop
        for key, value in node.items():
            yield from _properties(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _properties(value, f"{path}[{i}]")


def test_the_openapi_document_says_date_time_for_every_timestamp(client):
    doc = client.get("/api/v1/openapi.json").json
    stamps = {
        path: prop
        for path, prop in _properties(doc)
        if path.rsplit(".", 1)[-1].endswith("_at") and isinstance(prop, dict)
    }
    assert len(stamps) > 20
    wrong = {p: prop for p, prop in stamps.items() if prop.get("format") != "date-time"}
    assert wrong == {}
    assert all(prop.get("type") in ("string", ["string", "null"]) for prop in stamps.values())


def _strings(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)
    elif isinstance(node, str):
        yield node


def _assert_no_zoneless_time(body) -> None:
    bad = [s for s in _strings(body) if NAIVE.match(s) or RFC_822.match(s)]
    assert bad == []


def test_an_order_answer_carries_offsets(app, api):
    order = make_paid_order()
    db.session.commit()
    body = api(order.buyer).get(f"/api/v1/orders/{order.id}").json
    assert WITH_OFFSET.match(body["created_at"]) and body["created_at"].endswith("+00:00")
    assert WITH_OFFSET.match(body["paid_at"])
    _assert_no_zoneless_time(body)


def test_a_notification_answer_carries_offsets(app, api):
    user = make_user()
    notify(user, "test", "Halo", email=False)
    db.session.commit()
    body = api(user).get("/api/v1/notifications").json
    [note] = body["items"]
    assert WITH_OFFSET.match(note["created_at"])
    assert note["read_at"] is None
    _assert_no_zoneless_time(body)


def test_an_audit_entry_carries_offsets(app, api):
    admin = make_user("admin")
    record_audit(admin, "test.stamp", "vendor", 1, before={"a": 1}, after={"a": 2})
    db.session.commit()
    body = api(make_user("finance")).get("/api/v1/finance/audit-log?action=test.").json
    [entry] = body["items"]
    assert WITH_OFFSET.match(entry["created_at"])
    _assert_no_zoneless_time(body)


def test_a_payout_answer_carries_offsets(app, api):
    from tests.payouts.journals import earn

    vendor = make_vendor(
        bank_name="Bank Jatim", bank_account_number="0011223344", bank_account_name="Siti"
    )
    earn(vendor, 50_000)
    db.session.commit()
    finance = make_user("finance")
    run = api(finance).post("/api/v1/finance/payout-runs", json={"as_of": "2999-01-01"}).json
    assert WITH_OFFSET.match(run["created_at"]) and WITH_OFFSET.match(run["as_of"])
    payouts = api(vendor.owner).get("/api/v1/vendor/payouts").json
    assert WITH_OFFSET.match(payouts["items"][0]["created_at"])
    _assert_no_zoneless_time(run)
    _assert_no_zoneless_time(payouts)


def test_a_hand_built_answer_writes_datetimes_with_offset_and_dates_as_days(app):
    from flask import json

    text = json.dumps({"at": datetime(2026, 11, 30, 17, 0), "day": date(2026, 12, 1)})
    assert json.loads(text) == {"at": "2026-11-30T17:00:00+00:00", "day": "2026-12-01"}
