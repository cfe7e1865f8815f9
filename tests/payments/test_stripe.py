"""Stripe through the real `stripe` library against the fake HTTP transport (tests/stripe_fake.py):
PaymentIntents in IDR ×100 with deterministic idempotency keys, and signed webhooks that take
effect exactly once and only move statuses forward."""

from __future__ import annotations

import time
import uuid

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.ledger.models import JournalEntry
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
