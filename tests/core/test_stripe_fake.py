"""The fake transport really drives the stripe library (so adapters are tested through it)."""

import stripe

from marketplace.stripe_client import construct_event, get_stripe_client, to_stripe_amount
from tests.stripe_fake import FakeStripeHTTP, event, sign_webhook, stripe_error


def _configure(app, fake):
    app.config.update(
        STRIPE_SECRET_KEY="sk_test_fake",
        STRIPE_HTTP_CLIENT=fake,
        STRIPE_MAX_NETWORK_RETRIES=0,
        STRIPE_WEBHOOK_SECRET="whsec_test",
    )


def test_payment_intent_goes_through_the_library_with_amount_in_minor_units(app):
    fake = FakeStripeHTTP()
    _configure(app, fake)
    pi = get_stripe_client().v1.payment_intents.create(
        {"amount": to_stripe_amount(150_000), "currency": "idr"},
        {"idempotency_key": "checkout:1:payment_intent"},
    )
    assert pi.id.startswith("pi_")
    assert fake.requests[0].form["amount"] == "15000000"
    assert fake.requests[0].idempotency_key == "checkout:1:payment_intent"


def test_a_repeated_idempotency_key_replays_the_first_answer(app):
    fake = FakeStripeHTTP()
    _configure(app, fake)
    client = get_stripe_client()
    first = client.v1.refunds.create(
        {"amount": 100, "payment_intent": "pi_1"}, {"idempotency_key": "refund:1"}
    )
    again = client.v1.refunds.create(
        {"amount": 100, "payment_intent": "pi_1"}, {"idempotency_key": "refund:1"}
    )
    assert first.id == again.id


def test_stripe_errors_become_library_exceptions(app):
    fake = FakeStripeHTTP()
    fake.on("POST", r"/v1/transfers", lambda req: stripe_error(400, "balance_insufficient"))
    _configure(app, fake)
    try:
        get_stripe_client().v1.transfers.create(
            {"amount": 100, "currency": "idr", "destination": "acct_1"}
        )
    except stripe.InvalidRequestError as err:
        assert err.code == "balance_insufficient"
    else:
        raise AssertionError("expected InvalidRequestError")


def test_locally_signed_webhooks_verify_and_tampered_ones_do_not(app):
    _configure(app, FakeStripeHTTP())
    body, header = sign_webhook(
        event("payment_intent.succeeded", {"id": "pi_1", "object": "payment_intent"}), "whsec_test"
    )
    assert construct_event(body, header).type == "payment_intent.succeeded"
    try:
        construct_event(body.replace(b"pi_1", b"pi_2"), header)
    except stripe.SignatureVerificationError:
        pass
    else:
        raise AssertionError("tampered body must not verify")
