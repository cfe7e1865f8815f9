"""Checkouts survive a crash between their two commits (issue 10, part 2): the worker dies after
taking the stock and before storing its answer. A retry with the same key and body finishes it
once CHECKOUT_RESUME_AFTER_SECONDS passed (same provider idempotency key), a refusal is a final
answer that gives the stock back, and stock taken always equals what the orders hold."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path
from typing import ClassVar

import pytest
from sqlalchemy import func, select

from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.ordering.cart import add_to_cart
from marketplace.ordering.models import Checkout, Order, OrderLine
from marketplace.payments import providers
from marketplace.payments.models import Payment
from tests.factories import make_civil_servant, make_product, token_for
from tests.stripe_fake import FakeStripeHTTP

SANDBOX = {"fulfilment": "pickup", "payment_method": "sandbox"}
STOCK = 50


class WorkerKilled(BaseException):
    """What gunicorn's timeout or a SIGKILL looks like from inside: nothing gets to clean up."""


@pytest.fixture
def crashing(monkeypatch):
    """Make the provider call die like a killed worker while `crashing.on` is true."""

    class Switch:
        on = True
        calls: ClassVar[list[int]] = []

    real = providers.SandboxProvider.create_payment

    def create_payment(self, payment, checkout):
        Switch.calls.append(checkout.id)
        if Switch.on:
            raise WorkerKilled()
        return real(self, payment, checkout)

    monkeypatch.setattr(providers.SandboxProvider, "create_payment", create_payment)
    return Switch


def _post(client, key, body=None):
    return client.post("/api/v1/checkout", json=body or SANDBOX, headers={"Idempotency-Key": key})


def _crashed_checkout(api, product, quantity=1, body=None):
    """A buyer's checkout whose worker died between the two commits; returns (client, key)."""
    client = api(make_civil_servant())
    client.put(f"/api/v1/cart/items/{product.id}", json={"quantity": quantity})
    key = uuid.uuid4().hex
    with pytest.raises(WorkerKilled):
        _post(client, key, body)
    db.session.rollback()  # what was left uncommitted died with the worker
    return client, key


def _assert_stock_matches_orders(product):
    db.session.expire_all()
    held = db.session.scalar(
        select(func.coalesce(func.sum(OrderLine.quantity), 0))
        .join(Order)
        .where(
            OrderLine.product_id == product.id,
            Order.status.in_(("pending_payment", "paid", "accepted", "ready", "completed")),
        )
    )
    assert db.session.get(Product, product.id).stock == STOCK - held
    return held


def test_a_stalled_checkout_answers_in_progress_until_the_resume_timeout(app, api, crashing):
    product = make_product(stock=STOCK)
    client, key = _crashed_checkout(api, product)
    crashing.on = False
    resp = _post(client, key)
    assert resp.status_code == 409 and resp.json["error"]["code"] == "idempotency_in_progress"
    assert crashing.calls[1:] == []  # the first request may still be running: no second call


def test_a_retry_after_the_timeout_finishes_a_checkout_whose_worker_died(app, api, crashing):
    product = make_product(stock=STOCK)
    client, key = _crashed_checkout(api, product, quantity=3)
    assert _assert_stock_matches_orders(product) == 3  # taken, no answer stored
    crashing.on = False
    app.config["CHECKOUT_RESUME_AFTER_SECONDS"] = 0
    resp = _post(client, key)
    assert resp.status_code == 201, resp.json
    assert resp.json["payment"]["status"] == "requires_payment"
    payment = db.session.get(Payment, resp.json["payment"]["id"])
    assert payment.provider_ref == f"sandbox_pay_{payment.id}"
    # the same answer again afterwards, and still one checkout, one order
    again = _post(client, key)
    assert again.status_code == 201 and again.json == resp.json
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1
    assert _assert_stock_matches_orders(product) == 3


def test_a_resumed_checkout_with_another_body_is_still_a_conflict(app, api, crashing):
    product = make_product(stock=STOCK)
    client, key = _crashed_checkout(api, product)
    crashing.on = False
    app.config["CHECKOUT_RESUME_AFTER_SECONDS"] = 0
    other = {"fulfilment": "delivery", "address": "Jl. Lain 1", "payment_method": "sandbox"}
    resp = _post(client, key, other)
    assert resp.status_code == 422 and resp.json["error"]["code"] == "idempotency_conflict"


def test_every_key_of_a_burst_with_crashes_ends_paid_for_or_refused_and_stock_adds_up(
    app, api, crashing
):
    product = make_product(stock=STOCK)
    keys = []
    for i in range(10):
        crashing.on = i % 2 == 0  # every other worker dies mid-checkout
        client = api(make_civil_servant())
        client.put(f"/api/v1/cart/items/{product.id}", json={"quantity": 1 + i % 3})
        key = uuid.uuid4().hex
        try:
            _post(client, key)
        except WorkerKilled:
            db.session.rollback()
        keys.append((client, key))
    _assert_stock_matches_orders(product)
    crashing.on = False
    app.config["CHECKOUT_RESUME_AFTER_SECONDS"] = 0
    answers = [_post(client, key) for client, key in keys]
    assert [a.status_code for a in answers] == [201] * 10, [a.json for a in answers]
    assert all(c.response_status == 201 for c in db.session.scalars(select(Checkout)))
    assert (
        db.session.scalar(
            select(func.count()).select_from(Payment).where(Payment.provider_ref.is_(None))
        )
        == 0
    )
    assert _assert_stock_matches_orders(product) == sum(1 + i % 3 for i in range(10))


def test_a_provider_refusing_on_resume_is_a_final_answer_and_gives_the_stock_back(
    app, api, crashing, monkeypatch
):
    product = make_product(stock=STOCK)
    client, key = _crashed_checkout(api, product, quantity=4)

    def refuse(self, payment, checkout):
        raise providers.PaymentProviderError()

    monkeypatch.setattr(providers.SandboxProvider, "create_payment", refuse)
    app.config["CHECKOUT_RESUME_AFTER_SECONDS"] = 0
    resp = _post(client, key)
    assert resp.status_code == 502 and resp.json["error"]["code"] == "payment_provider_error"
    assert _assert_stock_matches_orders(product) == 0
    assert db.session.scalars(select(Order)).one().status == "cancelled"
    again = _post(client, key)
    assert again.status_code == 502 and again.json == resp.json


def test_a_checkout_whose_orders_expired_while_stalled_gets_a_final_answer(app, api, crashing):
    from marketplace.ordering.lifecycle import expire_due_orders

    product = make_product(stock=STOCK)
    client, key = _crashed_checkout(api, product, quantity=2)
    expire_due_orders(now=utcnow() + timedelta(hours=1))
    crashing.on = False
    app.config["CHECKOUT_RESUME_AFTER_SECONDS"] = 0
    resp = _post(client, key)
    assert resp.status_code == 409 and resp.json["error"]["code"] == "checkout_expired"
    assert crashing.calls[1:] == []  # no payment opened for orders that are gone
    assert _assert_stock_matches_orders(product) == 0
    assert db.session.scalars(select(Payment)).one().status != "requires_payment"
    assert _post(client, key).json == resp.json


def test_a_resumed_stripe_checkout_asks_with_the_same_idempotency_key(app, api, monkeypatch):
    fake = FakeStripeHTTP()
    app.config.update(
        STRIPE_SECRET_KEY="sk_test_peken", STRIPE_HTTP_CLIENT=fake, STRIPE_MAX_NETWORK_RETRIES=0
    )
    product = make_product(stock=STOCK, price=75_000)
    real = providers.StripeProvider.create_payment

    def answer_then_die(self, payment, checkout):
        real(self, payment, checkout)  # Stripe opened the intent; the worker died before saving
        raise WorkerKilled()

    monkeypatch.setattr(providers.StripeProvider, "create_payment", answer_then_die)
    body = {"fulfilment": "pickup", "payment_method": "stripe"}
    client, key = _crashed_checkout(api, product, body=body)
    monkeypatch.setattr(providers.StripeProvider, "create_payment", real)
    app.config["CHECKOUT_RESUME_AFTER_SECONDS"] = 0
    resp = _post(client, key, body)
    assert resp.status_code == 201, resp.json
    intents = [r for r in fake.requests if r.path == "/v1/payment_intents"]
    assert len(intents) == 2
    assert (
        intents[0].idempotency_key
        == intents[1].idempotency_key
        == (f"checkout:{resp.json['id']}:payment_intent")
    )
    payment = db.session.get(Payment, resp.json["payment"]["id"])
    assert payment.provider_ref and resp.json["payment"]["client_secret"]


_KILLED_WORKER = """
import json, os, sys
from marketplace import create_app
from marketplace.payments import providers

cfg, calls, die_at = json.loads(sys.argv[1]), [0], int(sys.argv[2])
real = providers.SandboxProvider.create_payment

def create_payment(self, payment, checkout):
    calls[0] += 1
    if calls[0] == die_at:
        os._exit(137)  # SIGKILL-like: no rollback, no cleanup, connection dropped
    return real(self, payment, checkout)

providers.SandboxProvider.create_payment = create_payment
client = create_app(cfg).test_client()  # each request in its own app context, as in a worker
for token, key in json.loads(sys.argv[3]):
    resp = client.post(
        "/api/v1/checkout", json={"fulfilment": "pickup", "payment_method": "sandbox"},
        headers={"Authorization": "Bearer " + token, "Idempotency-Key": key})
    print(resp.status_code, resp.get_data(as_text=True)[:200], flush=True)
"""


def test_a_burst_survives_its_worker_process_being_killed_between_the_commits(app, tmp_path):
    product = make_product(stock=STOCK)
    calls = []
    for i in range(5):
        buyer = make_civil_servant()
        add_to_cart(buyer, product.id, 1 + i)
        calls.append((token_for(buyer), uuid.uuid4().hex))
    db.session.commit()
    cfg = {
        "TESTING": True,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "RATELIMIT_ENABLED": False,
        "UPLOAD_FOLDER": str(tmp_path / "u"),
        "EVIDENCE_FOLDER": str(tmp_path / "e"),
        "STRIPE_SECRET_KEY": "",
        "SMTP_HOST": "",
    }
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", _KILLED_WORKER, json.dumps(cfg), "3", json.dumps(calls)],
        check=False,
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin", "SECRET_KEY": "test-secret"},
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 137, (done.stdout[-2000:], done.stderr[-2000:])
    db.session.expire_all()
    # two answered, the third stalled with its stock taken, the last two never started
    stored = [c.response_status for c in db.session.scalars(select(Checkout).order_by(Checkout.id))]
    assert stored == [201, 201, None]
    assert _assert_stock_matches_orders(product) == 1 + 2 + 3
    app.config["CHECKOUT_RESUME_AFTER_SECONDS"] = 0
    answers = [
        app.test_client().post(
            "/api/v1/checkout",
            json=SANDBOX,
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
        )
        for token, key in calls
    ]
    assert [a.status_code for a in answers] == [201] * 5, [a.get_json() for a in answers]
    assert _assert_stock_matches_orders(product) == sum(range(1, 6))
    assert db.session.scalar(select(func.count()).select_from(Checkout)) == 5
