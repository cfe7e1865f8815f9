"""The shape of a signed Stripe webhook body, checked before anything is looked up or stored.

A valid signature proves who sent the body, not that it is an event we can read: a body that is
not a JSON object, lacks `data.object`, or carries the wrong type in a field a handler reads is
answered 400 `malformed_event` with the field named, and nothing changes (never a 500). Pure:
no database, no Flask.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from marketplace.errors import BadRequest

ID_MAX = 100  # the stripe_events columns (id, type, account) are String(100)

STRING, INTEGER, OBJECT, ID = "string", "integer", "object", "id"
_A = {
    STRING: "a string",
    INTEGER: "an integer",
    OBJECT: "an object",
    ID: f"a string of 1 to {ID_MAX} characters",
}
_INTENT = {
    "id": (ID, True),
    "amount": (INTEGER, False),
    "amount_received": (INTEGER, False),
    "currency": (STRING, False),
    "metadata": (OBJECT, False),
    "last_payment_error": (OBJECT, False),
}
# What each event type we act on reads from `data.object`: field → (kind, required). Optional
# fields may be absent or null.
OBJECT_FIELDS: dict[str, dict[str, tuple[str, bool]]] = {
    "payment_intent.succeeded": {
        **_INTENT,
        "amount": (INTEGER, True),
        "currency": (STRING, True),
    },
    "payment_intent.payment_failed": _INTENT,
    "payment_intent.processing": _INTENT,
    "charge.refunded": {
        "payment_intent": (ID, False),
        "amount": (INTEGER, True),
        "amount_refunded": (INTEGER, True),
        "currency": (STRING, True),
    },
}


class MalformedEvent(BadRequest):
    code, message = "malformed_event", "The webhook body is not a Stripe event."


@dataclass(frozen=True)
class StripeEventBody:
    id: str
    type: str
    account: str | None
    object: dict[str, Any]
    raw: dict[str, Any]


def _is(kind: str, value: Any) -> bool:
    if kind == ID:
        return _short_string(value)
    if kind == STRING:
        return isinstance(value, str)
    if kind == INTEGER:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, dict)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN/Infinity: no database stores them as JSON


def _short_string(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= ID_MAX


def parse_stripe_event(payload: bytes) -> StripeEventBody:
    """The event in a verified body; MalformedEvent (400) naming what is wrong otherwise."""
    try:
        raw = json.loads(payload.decode("utf-8"), parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise MalformedEvent("The webhook body is not JSON.") from None
    if not isinstance(raw, dict):
        raise MalformedEvent(details={"body": ["must be a JSON object"]})
    errors: dict[str, list[str]] = {}
    for name in ("id", "type"):
        if not _short_string(raw.get(name)):
            errors[name] = [f"must be {_A[ID]}"]
    account = raw.get("account")
    if account is not None and not _short_string(account):
        errors["account"] = [f"must be null or {_A[ID]}"]
    data = raw.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    if not isinstance(obj, dict):
        errors["data.object"] = ["must be an object"]
    else:
        fields = {} if "type" in errors else OBJECT_FIELDS.get(raw["type"], {})
        for field, (kind, required) in fields.items():
            value = obj.get(field)
            if value is None:
                if required:
                    errors[f"data.object.{field}"] = ["is required"]
            elif not _is(kind, value):
                errors[f"data.object.{field}"] = [f"must be {_A[kind]}"]
    if errors:
        raise MalformedEvent(details=errors)
    return StripeEventBody(id=raw["id"], type=raw["type"], account=account, object=obj, raw=raw)
