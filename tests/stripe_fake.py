"""A fake Stripe HTTP transport for the real `stripe` library, plus webhook signing.

    fake = FakeStripeHTTP()
    fake.on("POST", "/v1/payment_intents", lambda req: {"id": "pi_1", "object": "payment_intent", ...})
    app.config.update(STRIPE_SECRET_KEY="sk_test_x", STRIPE_HTTP_CLIENT=fake, STRIPE_MAX_NETWORK_RETRIES=0)
    ...
    assert fake.requests[0].form["amount"] == "15000000"
    assert fake.requests[0].headers["Idempotency-Key"] == "checkout:1:payment_intent"

Handlers get a `FakeRequest` and return a dict (200), or `(status, dict)`. Unrouted calls answer
404 the way Stripe does, so a missing fixture shows up as `stripe.InvalidRequestError`.
Default handlers cover the calls Peken makes, shaped like real objects (amounts in minor units).
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import stripe
from stripe import _http_client


@dataclass
class FakeRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    form: dict[str, str]
    match: re.Match | None = None

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("Idempotency-Key")


@dataclass(eq=False)
class FakeStripeHTTP(_http_client.HTTPClient):
    name = "fake"
    routes: list[tuple[str, re.Pattern, Callable]] = field(default_factory=list)
    requests: list[FakeRequest] = field(default_factory=list)
    # Replays the first answer for a repeated Idempotency-Key, like Stripe does.
    idempotent: dict[str, tuple[str, int]] = field(default_factory=dict)

    def __post_init__(self):
        super().__init__()
        self._ids = itertools.count(1)
        self._install_defaults()

    # ----------------------------------------------------------------- routing
    def on(self, method: str, path_regex: str, handler: Callable[[FakeRequest], Any]) -> None:
        """Route (most recent first) METHOD + full-match path regex to `handler`."""
        self.routes.insert(0, (method.upper(), re.compile(path_regex + r"$"), handler))

    def calls(self, method: str, path_regex: str) -> list[FakeRequest]:
        pattern = re.compile(path_regex + r"$")
        return [r for r in self.requests if r.method == method.upper() and pattern.match(r.path)]

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_fake{next(self._ids):06d}"

    # ----------------------------------------------------------------- HTTPClient interface
    def request(self, method, url, headers, post_data=None, *, _usage=None):
        parts = urlsplit(url)
        form = dict(parse_qsl(post_data or "", keep_blank_values=True))
        req = FakeRequest(
            method.upper(), parts.path, dict(parse_qsl(parts.query)), dict(headers or {}), form
        )
        self.requests.append(req)
        key = req.idempotency_key
        if key and req.method == "POST" and key in self.idempotent:
            body, status = self.idempotent[key]
            return body, status, {"Idempotent-Replayed": "true", "Request-Id": "req_fake"}
        for route_method, pattern, handler in self.routes:
            m = pattern.match(req.path)
            if route_method == req.method and m:
                req.match = m
                result = handler(req)
                status, payload = result if isinstance(result, tuple) else (200, result)
                body = json.dumps(payload)
                if key and req.method == "POST" and status < 500:
                    self.idempotent[key] = (body, status)
                return body, status, {"Request-Id": "req_fake"}
        return (
            json.dumps(
                {
                    "error": {
                        "type": "invalid_request_error",
                        "code": "resource_missing",
                        "message": f"Unrecognized request URL ({method} {parts.path})",
                    }
                }
            ),
            404,
            {},
        )

    def request_stream(self, method, url, headers, post_data=None, *, _usage=None):
        raise NotImplementedError("streams are not faked")

    def close(self):
        pass

    # ----------------------------------------------------------------- defaults
    def _install_defaults(self) -> None:
        now = int(time.time())

        def payment_intent(req):
            pid = self.new_id("pi")
            return {
                "id": pid,
                "object": "payment_intent",
                "amount": int(req.form["amount"]),
                "currency": req.form.get("currency", "idr"),
                "status": "requires_payment_method",
                "client_secret": f"{pid}_secret_fake",
                "latest_charge": None,
                "transfer_group": req.form.get("transfer_group"),
                "metadata": _nested(req.form, "metadata"),
                "created": now,
                "livemode": False,
            }

        def refund(req):
            return {
                "id": self.new_id("re"),
                "object": "refund",
                "amount": int(req.form["amount"]),
                "currency": "idr",
                "payment_intent": req.form.get("payment_intent"),
                "status": "succeeded",
                "metadata": _nested(req.form, "metadata"),
                "created": now,
            }

        def transfer(req):
            return {
                "id": self.new_id("tr"),
                "object": "transfer",
                "amount": int(req.form["amount"]),
                "currency": req.form.get("currency", "idr"),
                "destination": req.form.get("destination"),
                "transfer_group": req.form.get("transfer_group"),
                "source_transaction": req.form.get("source_transaction"),
                "metadata": _nested(req.form, "metadata"),
                "reversed": False,
                "created": now,
            }

        self.on("POST", r"/v1/payment_intents", payment_intent)
        self.on("POST", r"/v1/refunds", refund)
        self.on("POST", r"/v1/transfers", transfer)
        self.on(
            "GET",
            r"/v1/balance_transactions",
            lambda req: {
                "object": "list",
                "data": [],
                "has_more": False,
                "url": "/v1/balance_transactions",
            },
        )


def _nested(form: dict[str, str], name: str) -> dict[str, str]:
    """`metadata[order_id]=5` form fields back into a dict."""
    prefix = name + "["
    return {
        k[len(prefix) : -1]: v for k, v in form.items() if k.startswith(prefix) and k.endswith("]")
    }


def stripe_error(
    status: int, code: str, message: str = "error", type_: str = "invalid_request_error"
):
    """A handler answer that the library turns into the matching stripe error."""
    return status, {"error": {"type": type_, "code": code, "message": message}}


def sign_webhook(
    payload: dict[str, Any] | str, secret: str, timestamp: int | None = None
) -> tuple[bytes, str]:
    """(body, Stripe-Signature header) signed locally like Stripe does."""
    body = payload if isinstance(payload, str) else json.dumps(payload)
    ts = int(time.time()) if timestamp is None else timestamp
    header = (
        stripe.WebhookSignature.generate_signature_header(body, secret, timestamp=ts)
        if _accepts_timestamp()
        else _manual_signature(body, secret, ts)
    )
    return body.encode(), header


def _accepts_timestamp() -> bool:
    import inspect

    return (
        "timestamp"
        in inspect.signature(stripe.WebhookSignature.generate_signature_header).parameters
    )


def _manual_signature(body: str, secret: str, ts: int) -> str:
    import hashlib
    import hmac

    sig = hmac.new(secret.encode(), f"{ts}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={ts},v1={sig}"


def event(
    type_: str,
    obj: dict[str, Any],
    *,
    event_id: str | None = None,
    created: int | None = None,
    account: str | None = None,
) -> dict[str, Any]:
    """A Stripe event envelope around `obj`."""
    data = {
        "id": event_id
        or f"evt_{abs(hash((type_, json.dumps(obj, sort_keys=True)))) % 10**12:012d}",
        "object": "event",
        "type": type_,
        "api_version": "2026-10-28.endive",
        "created": created or int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "data": {"object": obj},
    }
    if account:
        data["account"] = account
    return data
