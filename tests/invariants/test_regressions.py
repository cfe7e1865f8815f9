"""Plain regression tests for money bugs found while hunting with the invariant machine."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.ledger.services import account_balances
from marketplace.models_base import utcnow
from marketplace.ordering import rules
from marketplace.ordering.cart import add_to_cart
from marketplace.ordering.checkout import place_checkout
from marketplace.ordering.lifecycle import expire_due_orders
from marketplace.payments.models import Payment
from tests.factories import make_civil_servant, make_product
from tests.stripe_fake import FakeStripeHTTP, event, sign_webhook

SECRET = "whsec_test_peken"


def test_a_stripe_payment_that_succeeds_after_its_orders_expired_is_refunded_not_ignored(app):
    """Expiry marks the payment canceled locally but the PaymentIntent stays open at Stripe; when
    the buyer still completes it, the money must go back to them (and be booked), not vanish."""
    fake = FakeStripeHTTP()
    app.config.update(
        STRIPE_SECRET_KEY="sk_test_peken",
        STRIPE_WEBHOOK_SECRET=SECRET,
        STRIPE_HTTP_CLIENT=fake,
        STRIPE_MAX_NETWORK_RETRIES=0,
    )
    buyer = make_civil_servant()
    product = make_product(price=75_000, stock=5)
    add_to_cart(buyer, product.id, 2)
    checkout = place_checkout(
        buyer, uuid.uuid4().hex, {"fulfilment": "pickup", "payment_method": "stripe"}
    )
    expire_due_orders(now=utcnow() + timedelta(minutes=31))
    payment = db.session.scalar(select(Payment).where(Payment.checkout_id == checkout.id))
    assert payment.status == "canceled"

    intent = {
        "id": payment.provider_ref,
        "object": "payment_intent",
        "amount": 15_000_000,
        "amount_received": 15_000_000,
        "currency": "idr",
        "status": "succeeded",
        "metadata": {"checkout_id": str(checkout.id), "payment_id": str(payment.id)},
    }
    raw, header = sign_webhook(
        event("payment_intent.succeeded", intent, event_id="evt_late_1"), SECRET
    )
    resp = app.test_client().post(
        "/api/v1/webhooks/stripe",
        data=raw,
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )
    assert resp.status_code == 200, resp.json

    refunds = fake.calls("POST", "/v1/refunds")
    assert [call.form["amount"] for call in refunds] == ["15000000"]
    db.session.expire_all()
    payment = db.session.get(Payment, payment.id)
    assert "kedaluwarsa" in (payment.failure_message or "")
    assert checkout.orders[0].status == "expired"
    balances = account_balances()
    assert sum(balances.values()) == 0 and balances.get("provider_cash", 0) == 0


def test_a_refund_never_adds_spending_back_to_any_order_line():
    # Lines 5, 18, 25 and 6 (total 54): re-splitting the running total gave the first line −2 for
    # a refund of 16, then +1 for a refund of 1. Splitting what is left keeps every share ≥ 0.
    lines = [5, 18, 25, 6]
    first = rules.refund_line_shares(lines, 16)
    remaining = [line - share for line, share in zip(lines, first)]
    shares = rules.refund_line_shares(remaining, 1)
    assert sum(shares) == 1
    assert all(share >= 0 for share in first + shares), (first, shares)
