"""Stripe through the real `stripe` library against the fake HTTP transport (tests/stripe_fake.py):
PaymentIntents in IDR ×100 with deterministic idempotency keys, and signed webhooks that take
effect exactly once and only move statuses forward.

And what a signed event may not do: settle a payment that is not Stripe's own (a sandbox payment,
another PaymentIntent's), settle for another amount or currency, or answer a 500 when its body is
not an event we can read. A refused event changes nothing but leaves an audit row finance sees; a
malformed one is 400 in the error shape and stores nothing."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from sqlalchemy import func, select

from marketplace.audit.models import AuditLog
from marketplace.extensions import db
from marketplace.ledger.models import JournalEntry
from marketplace.ordering.cart import add_to_cart
from marketplace.ordering.checkout import place_checkout
from marketplace.ordering.models import Order
from marketplace.payments.models import Payment, Refund, StripeEvent
from tests.factories import make_civil_servant, make_product, make_user
from tests.stripe_fake import FakeStripeHTTP, event, sign_webhook

SECRET = "whsec_test_peken"


@pytest.fixture
def fake(app):
    fake = FakeStripeHTTP()
    app.config.update(
        STRIPE_SECRET_KEY="sk_test_peken",
        STRIPE_WEBHOOK_SECRET=SECRET,
        STRIPE_HTTP_CLIENT=fake,
        STRIPE_MAX_NETWORK_RETRIES=0,
    )
    return fake


@pytest.fixture
def stripe_checkout(api, fake):
    """A buyer's Stripe checkout of 2 × Rp75.000 from one shop; returns (client, body)."""
    buyer = make_civil_servant()
    product = make_product(price=75_000, stock=5)
    client = api(buyer)
    client.put(f"/api/v1/cart/items/{product.id}", json={"quantity": 2})
    resp = client.post(
        "/api/v1/checkout",
        json={"fulfilment": "pickup", "payment_method": "stripe"},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert resp.status_code == 201, resp.json
    return client, resp.json


def _intent(body, status="succeeded", **extra):
    payment = db.session.get(Payment, body["payment"]["id"])
    return {
        "id": payment.provider_ref,
        "object": "payment_intent",
        "amount": payment.amount * 100,
        "amount_received": payment.amount * 100,
        "currency": "idr",
        "status": status,
        "metadata": {"checkout_id": str(body["id"]), "payment_id": str(payment.id)},
        **extra,
    }


def _deliver(client, payload, secret=SECRET, timestamp=None):
    raw, header = sign_webhook(payload, secret, timestamp=timestamp)
    return client.post(
        "/api/v1/webhooks/stripe",
        data=raw,
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )


def _order_statuses(body):
    db.session.expire_all()
    return [db.session.get(Order, o["id"]).status for o in body["orders"]]


def test_checkout_creates_a_payment_intent_in_idr_minor_units_with_a_deterministic_key(
    stripe_checkout, fake
):
    _, body = stripe_checkout
    calls = fake.calls("POST", "/v1/payment_intents")
    assert len(calls) == 1
    form = calls[0].form
    assert form["amount"] == "15000000"  # Rp150.000 × 100: IDR is two-decimal at Stripe
    assert form["currency"] == "idr"
    assert form["transfer_group"] == f"checkout_{body['id']}"
    assert form["metadata[checkout_id]"] == str(body["id"])
    assert calls[0].idempotency_key == f"checkout:{body['id']}:payment_intent"
    assert body["payment"]["client_secret"].endswith("_secret_fake")
    assert body["payment"]["provider"] == "stripe"


def test_a_signed_succeeded_event_marks_the_orders_paid(client, stripe_checkout):
    _, body = stripe_checkout
    resp = _deliver(client, event("payment_intent.succeeded", _intent(body), event_id="evt_ok_1"))
    assert resp.status_code == 200, resp.json
    assert _order_statuses(body) == ["paid"]
    assert db.session.get(Payment, body["payment"]["id"]).status == "succeeded"


def test_a_duplicate_delivery_posts_one_journal(client, stripe_checkout):
    _, body = stripe_checkout
    payload = event("payment_intent.succeeded", _intent(body), event_id="evt_dup_1")
    for _ in range(3):
        assert _deliver(client, payload).status_code == 200
    journals = db.session.scalar(
        select(func.count()).select_from(JournalEntry).where(JournalEntry.kind == "payment")
    )
    assert journals == 1
    assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 1


def test_a_late_payment_failed_does_not_undo_success(client, stripe_checkout):
    _, body = stripe_checkout
    _deliver(client, event("payment_intent.succeeded", _intent(body), event_id="evt_s"))
    failed = _intent(
        body,
        status="requires_payment_method",
        last_payment_error={"message": "Your card was declined."},
    )
    assert (
        _deliver(
            client, event("payment_intent.payment_failed", failed, event_id="evt_f")
        ).status_code
        == 200
    )
    assert db.session.get(Payment, body["payment"]["id"]).status == "succeeded"
    assert _order_statuses(body) == ["paid"]


def test_failure_then_success_out_of_order_ends_paid(client, stripe_checkout):
    _, body = stripe_checkout
    failed = _intent(
        body, status="requires_payment_method", last_payment_error={"message": "Kartu ditolak."}
    )
    _deliver(client, event("payment_intent.payment_failed", failed, event_id="evt_f2"))
    assert db.session.get(Payment, body["payment"]["id"]).status == "failed"
    assert _order_statuses(body) == ["pending_payment"]
    _deliver(client, event("payment_intent.succeeded", _intent(body), event_id="evt_s2"))
    assert _order_statuses(body) == ["paid"]


def test_a_bad_signature_is_400_and_changes_nothing(client, stripe_checkout):
    _, body = stripe_checkout
    resp = _deliver(client, event("payment_intent.succeeded", _intent(body)), secret="whsec_wrong")
    assert resp.status_code == 400 and resp.json["error"]["code"] == "invalid_signature"
    missing = client.post(
        "/api/v1/webhooks/stripe", data=b"{}", headers={"Content-Type": "application/json"}
    )
    assert missing.status_code == 400
    assert _order_statuses(body) == ["pending_payment"]


def test_a_stale_timestamp_is_400(client, stripe_checkout):
    _, body = stripe_checkout
    resp = _deliver(
        client, event("payment_intent.succeeded", _intent(body)), timestamp=int(time.time()) - 301
    )
    assert resp.status_code == 400 and resp.json["error"]["code"] == "invalid_signature"
    assert _order_statuses(body) == ["pending_payment"]


def test_a_signed_but_malformed_body_is_400(client, fake):
    raw, header = sign_webhook("not json at all", SECRET)
    resp = client.post("/api/v1/webhooks/stripe", data=raw, headers={"Stripe-Signature": header})
    assert resp.status_code == 400


def test_other_event_types_are_acknowledged(client, fake):
    resp = _deliver(client, event("customer.created", {"id": "cus_1", "object": "customer"}))
    assert resp.status_code == 200


def test_finance_refund_goes_to_stripe_with_a_deterministic_key(api, client, stripe_checkout, fake):
    _, body = stripe_checkout
    _deliver(client, event("payment_intent.succeeded", _intent(body), event_id="evt_pay"))
    order_id = body["orders"][0]["id"]
    resp = api(make_user("finance")).post(
        f"/api/v1/orders/{order_id}/refunds", json={"amount": 50_000, "reason": "Barang rusak"}
    )
    assert resp.status_code == 201, resp.json
    call = fake.calls("POST", "/v1/refunds")[0]
    assert call.form["amount"] == "5000000"
    assert call.idempotency_key == f"refund:{resp.json['id']}"
    assert resp.json["provider_ref"].startswith("re_")


def test_charge_refunded_from_the_dashboard_is_recorded_once(client, stripe_checkout):
    _, body = stripe_checkout
    _deliver(client, event("payment_intent.succeeded", _intent(body), event_id="evt_p"))
    payment = db.session.get(Payment, body["payment"]["id"])
    charge = {
        "id": "ch_1",
        "object": "charge",
        "payment_intent": payment.provider_ref,
        "amount": 15_000_000,
        "amount_refunded": 2_000_000,
        "currency": "idr",
    }
    _deliver(client, event("charge.refunded", charge, event_id="evt_r1"))
    _deliver(client, event("charge.refunded", charge, event_id="evt_r2"))  # same state, new id
    assert db.session.scalar(select(func.sum(Refund.amount))) == 20_000
    db.session.expire_all()
    assert db.session.get(Order, body["orders"][0]["id"]).refunded_total == 20_000


def test_stripe_outage_at_checkout_gives_the_stock_back_and_replays_the_error(api, fake):
    from tests.stripe_fake import stripe_error

    fake.on(
        "POST",
        "/v1/payment_intents",
        lambda req: stripe_error(402, "card_declined", type_="card_error"),
    )
    buyer = make_civil_servant()
    product = make_product(price=20_000, stock=3)
    client = api(buyer)
    client.put(f"/api/v1/cart/items/{product.id}", json={"quantity": 2})
    headers = {"Idempotency-Key": "outage-1"}
    body = {"fulfilment": "pickup", "payment_method": "stripe"}
    first = client.post("/api/v1/checkout", json=body, headers=headers)
    assert first.status_code == 502 and first.json["error"]["code"] == "payment_provider_error"
    again = client.post("/api/v1/checkout", json=body, headers=headers)
    assert again.status_code == 502 and again.json == first.json
    db.session.expire_all()
    assert db.session.get(type(product), product.id).stock == 3


# ================================================================= what a signed event may not do
def _refusals() -> list[AuditLog]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(AuditLog).where(AuditLog.action == "payment.webhook_refused"))
    )


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _payment(body) -> Payment:
    db.session.expire_all()
    return db.session.get(Payment, body["payment"]["id"])


@pytest.fixture
def sandbox_checkout(fake):  # Stripe is configured too, as in production
    buyer = make_civil_servant()
    add_to_cart(buyer, make_product(price=40_000, stock=5).id, 1)
    checkout = place_checkout(
        buyer, uuid.uuid4().hex, {"fulfilment": "pickup", "payment_method": "sandbox"}
    )
    payment = db.session.scalar(select(Payment).where(Payment.checkout_id == checkout.id))
    db.session.commit()
    return checkout, payment


# ---------------------------------------------------------------- only Stripe's own payments
def test_a_signed_event_naming_a_sandbox_payment_settles_nothing(client, sandbox_checkout):
    checkout, payment = sandbox_checkout
    intent = {
        "id": payment.provider_ref,  # "sandbox_pay_<id>": not a PaymentIntent of ours
        "object": "payment_intent",
        "amount": payment.amount * 100,
        "amount_received": payment.amount * 100,
        "currency": "idr",
        "status": "succeeded",
        "metadata": {"payment_id": str(payment.id)},
    }
    resp = _deliver(client, event("payment_intent.succeeded", intent, event_id="evt_sbx"))
    assert resp.status_code == 200, resp.json
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).status == "requires_payment"
    assert db.session.get(Order, checkout.orders[0].id).status == "pending_payment"
    assert _count(JournalEntry, JournalEntry.kind == "payment") == 0
    [row] = _refusals()
    assert (row.target_id, row.reason) == (str(payment.id), "not_a_stripe_payment")


def test_a_sandbox_payment_named_only_in_metadata_is_not_settled_either(client, sandbox_checkout):
    _, payment = sandbox_checkout
    intent = {
        "id": "pi_someone_else",
        "amount": payment.amount * 100,
        "amount_received": payment.amount * 100,
        "currency": "idr",
        "metadata": {"payment_id": str(payment.id)},
    }
    assert _deliver(client, event("payment_intent.succeeded", intent)).status_code == 200
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).status == "requires_payment"
    assert [r.reason for r in _refusals()] == ["not_a_stripe_payment"]


def test_another_intent_naming_our_payment_in_metadata_does_not_settle_it(
    client,
    stripe_checkout,
):
    _, body = stripe_checkout
    other = _intent(body, id="pi_not_ours")
    resp = _deliver(client, event("payment_intent.succeeded", other, event_id="evt_other"))
    assert resp.status_code == 200
    assert _payment(body).status == "requires_payment"
    assert _order_statuses(body) == ["pending_payment"]
    [row] = _refusals()
    assert row.reason == "provider_reference_mismatch"
    assert row.after["payment_intent"] == "pi_not_ours"


def test_a_payment_whose_reference_was_never_stored_is_found_by_metadata_and_keeps_it(
    client,
    stripe_checkout,
):
    _, body = stripe_checkout
    intent = _intent(body)
    payment = _payment(body)
    payment.provider_ref = None  # the process stopped before it stored Stripe's answer
    db.session.commit()
    assert _deliver(client, event("payment_intent.succeeded", intent)).status_code == 200
    payment = _payment(body)
    assert (payment.status, payment.provider_ref) == ("succeeded", intent["id"])
    assert _refusals() == []


# ---------------------------------------------------------------- only the payment's amount in IDR
@pytest.mark.parametrize(
    "change, reason",
    [
        ({"amount": 150_000, "amount_received": 150_000}, "amount_mismatch"),  # IDR as 0-decimal
        ({"amount": 14_999_900, "amount_received": 14_999_900}, "amount_mismatch"),  # Rp1 short
        ({"amount": 15_000_100, "amount_received": 15_000_100}, "amount_mismatch"),  # Rp1 over
        ({"amount_received": 100}, "amount_mismatch"),  # asked the right amount, received less
        ({"currency": "usd"}, "currency_mismatch"),
    ],
)
def test_a_succeeded_event_for_another_amount_or_currency_settles_nothing_and_tells_finance(
    api,
    client,
    stripe_checkout,
    change,
    reason,
):
    _, body = stripe_checkout
    intent = {**_intent(body), **change}
    resp = _deliver(client, event("payment_intent.succeeded", intent, event_id="evt_mismatch"))
    assert resp.status_code == 200, resp.json
    assert _payment(body).status == "requires_payment"
    assert _order_statuses(body) == ["pending_payment"]
    assert _count(JournalEntry, JournalEntry.kind == "payment") == 0
    # finance finds it in its audit log: what we expected and what Stripe reported
    log = api(make_user("finance")).get("/api/v1/finance/audit-log?action=payment.webhook")
    assert log.status_code == 200, log.json
    [row] = log.json["items"]
    assert row["reason"] == reason and row["target_id"] == str(body["payment"]["id"])
    assert row["before"]["stripe_amount"] == 15_000_000 and row["before"]["currency"] == "idr"
    assert row["after"]["event_id"] == "evt_mismatch"


def test_the_right_amount_in_upper_case_idr_still_settles(
    client,
    stripe_checkout,
):
    _, body = stripe_checkout
    intent = {**_intent(body), "currency": "IDR"}
    assert _deliver(client, event("payment_intent.succeeded", intent)).status_code == 200
    assert _order_statuses(body) == ["paid"]


def _paid(client, body):
    _deliver(client, event("payment_intent.succeeded", _intent(body), event_id="evt_paid"))
    assert _order_statuses(body) == ["paid"]


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"currency": "usd"}, "currency_mismatch"),
        ({"amount": 1_500_000}, "amount_mismatch"),  # a charge of another amount
        ({"amount_refunded": 2_000_050}, "amount_mismatch"),  # sen: not a rupiah amount
    ],
)
def test_a_charge_refunded_that_does_not_match_the_payment_records_no_refund(
    client,
    stripe_checkout,
    change,
    reason,
):
    _, body = stripe_checkout
    _paid(client, body)
    charge = {
        "id": "ch_1",
        "object": "charge",
        "payment_intent": _payment(body).provider_ref,
        "amount": 15_000_000,
        "amount_refunded": 2_000_000,
        "currency": "idr",
        **change,
    }
    resp = _deliver(client, event("charge.refunded", charge, event_id="evt_ref"))
    assert resp.status_code == 200, resp.json
    assert _count(Refund) == 0
    assert [r.reason for r in _refusals()] == [reason]


# ---------------------------------------------------------------- signed but malformed
def _intent_event(**obj):
    base = {"id": "pi_x", "amount": 100, "amount_received": 100, "currency": "idr"}
    return json.dumps(event("payment_intent.succeeded", {**base, **obj}, event_id="evt_bad"))


def _charge_event(**obj):
    base = {"payment_intent": "pi_x", "amount": 100, "amount_refunded": 0, "currency": "idr"}
    return json.dumps(event("charge.refunded", {**base, **obj}, event_id="evt_bad"))


MALFORMED = {
    "not JSON": "not json at all",
    "a JSON array": "[]",
    "a JSON string": '"evt_1"',
    "a JSON number": "123",
    "JSON null": "null",
    "NaN": '{"id": "evt_1", "type": "x", "data": {"object": {"amount": NaN}}}',
    "no data": json.dumps({"id": "evt_1", "type": "customer.created"}),
    "data is a list": json.dumps({"id": "evt_1", "type": "customer.created", "data": []}),
    "no data.object": json.dumps({"id": "evt_1", "type": "customer.created", "data": {}}),
    "data.object is a list": json.dumps(
        {"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": []}}
    ),
    "no id": json.dumps({"type": "customer.created", "data": {"object": {}}}),
    "id is a number": json.dumps({"id": 7, "type": "customer.created", "data": {"object": {}}}),
    "id too long": json.dumps(
        {"id": "evt_" + "x" * 200, "type": "customer.created", "data": {"object": {}}}
    ),
    "type is a list": json.dumps({"id": "evt_1", "type": ["a"], "data": {"object": {}}}),
    "account is a number": json.dumps(
        {"id": "evt_1", "type": "x", "account": 5, "data": {"object": {}}}
    ),
    "intent id is a number": _intent_event(id=12),
    "amount is a string": _intent_event(amount="100", amount_received="100"),
    "amount is a boolean": _intent_event(amount=True, amount_received=True),
    "amount is a float": _intent_event(amount=100.5, amount_received=100.5),
    "no currency": _intent_event(currency=None),
    "metadata is a string": _intent_event(id="pi_unknown", metadata="payment_id=1"),
    "last_payment_error is a string": json.dumps(
        event(
            "payment_intent.payment_failed",
            {"id": "pi_x", "last_payment_error": "declined"},
            event_id="evt_bad",
        )
    ),
    "amount_refunded is a string": _charge_event(amount_refunded="abc"),
    "charge without amount_refunded": _charge_event(amount_refunded=None),
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_signed_but_malformed_body_is_400_in_the_error_shape_and_changes_nothing(
    client,
    stripe_checkout,
    body,
):
    _, checkout = stripe_checkout
    raw, header = sign_webhook(body, SECRET)
    resp = client.post(
        "/api/v1/webhooks/stripe",
        data=raw,
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )
    assert resp.status_code == 400, resp.get_data(as_text=True)[:300]
    error = resp.json["error"]
    assert set(error) == {"code", "message", "details"} and error["code"] == "malformed_event"
    assert _count(StripeEvent) == 0
    assert _payment(checkout).status == "requires_payment"
    assert _refusals() == []


def test_a_body_that_is_not_utf8_is_400(client, fake):
    resp = client.post(
        "/api/v1/webhooks/stripe",
        data=b"\xff\xfe{}",
        headers={"Stripe-Signature": "t=1,v1=00", "Content-Type": "application/json"},
    )
    assert resp.status_code == 400 and resp.json["error"]["code"]
    assert _count(StripeEvent) == 0


def test_a_malformed_field_is_named_in_the_details(client, fake):
    raw, header = sign_webhook(_intent_event(amount="100"), SECRET)
    resp = client.post("/api/v1/webhooks/stripe", data=raw, headers={"Stripe-Signature": header})
    assert resp.status_code == 400
    assert resp.json["error"]["details"] == {"data.object.amount": ["must be an integer"]}
