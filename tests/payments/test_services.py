"""Payment services against the database: the sandbox confirmation and what a payment arriving
late does to its (expired) orders."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.ledger.models import SpendingRecord
from marketplace.ledger.services import account_balances
from marketplace.models_base import utcnow
from marketplace.ordering.cart import add_to_cart
from marketplace.ordering.checkout import place_checkout
from marketplace.ordering.lifecycle import expire_due_orders
from marketplace.payments.models import Payment
from marketplace.payments.services import STRIPE_HANDLERS, confirm_sandbox_payment
from tests.factories import make_civil_servant, make_product

pytestmark = pytest.mark.usefixtures("app")


def _unpaid_checkout(buyer, items):
    for product, qty in items:
        add_to_cart(buyer, product.id, qty)
    return place_checkout(
        buyer, uuid.uuid4().hex, {"fulfilment": "pickup", "payment_method": "sandbox"}
    )


def test_a_payment_arriving_after_expiry_is_refunded_and_reported():
    buyer = make_civil_servant()
    product = make_product(stock=5, price=10_000)
    checkout = _unpaid_checkout(buyer, [(product, 1)])
    expire_due_orders(now=utcnow() + timedelta(minutes=31))
    payment = db.session.scalar(select(Payment).where(Payment.checkout_id == checkout.id))
    payment.status = "requires_payment"  # e.g. Stripe captured it just before we cancelled
    db.session.commit()
    confirm_sandbox_payment(buyer, payment.id, "succeeded")
    assert "kedaluwarsa" in payment.failure_message
    assert checkout.orders[0].status == "expired"
    assert db.session.scalar(select(func.count()).select_from(SpendingRecord)) == 0
    assert sum(account_balances().values()) == 0 and account_balances().get("provider_cash", 0) == 0


def test_sandbox_confirm_is_404_when_the_sandbox_is_off(app):
    buyer = make_civil_servant()
    checkout = _unpaid_checkout(buyer, [(make_product(), 1)])
    payment = db.session.scalar(select(Payment).where(Payment.checkout_id == checkout.id))
    app.config["PAYMENT_SANDBOX_ENABLED"] = False
    with pytest.raises(NotFound):
        confirm_sandbox_payment(buyer, payment.id, "succeeded")


def test_a_failed_sandbox_attempt_leaves_the_orders_payable():
    buyer = make_civil_servant()
    checkout = _unpaid_checkout(buyer, [(make_product(), 1)])
    payment = db.session.scalar(select(Payment).where(Payment.checkout_id == checkout.id))
    confirm_sandbox_payment(buyer, payment.id, "failed")
    assert payment.status == "failed" and payment.failure_message
    assert checkout.orders[0].status == "pending_payment"
    confirm_sandbox_payment(buyer, payment.id, "succeeded")
    assert payment.status == "succeeded" and payment.failure_message is None
    assert checkout.orders[0].status == "paid"


def test_each_stripe_event_type_we_act_on_has_one_handler():
    assert set(STRIPE_HANDLERS) == {
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
        "payment_intent.processing",
        "charge.refunded",
    }
