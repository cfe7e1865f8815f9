"""`marketplace.stripe_client`: the one Stripe boundary of payments, payouts and finance."""

import pytest

from marketplace.stripe_client import (
    StripeNotConfigured,
    from_stripe_amount,
    get_stripe_client,
    stripe_enabled,
    to_stripe_amount,
)


def test_rupiah_cross_the_stripe_boundary_as_two_decimal_minor_units():
    assert to_stripe_amount(150_000) == 15_000_000
    assert from_stripe_amount(15_000_000) == 150_000


def test_an_idr_amount_with_sen_from_stripe_is_refused():
    with pytest.raises(ValueError):
        from_stripe_amount(15_000_050)


def test_without_a_secret_key_stripe_is_off_and_no_client_is_built(app, monkeypatch):
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "")
    assert not stripe_enabled()
    with pytest.raises(StripeNotConfigured):
        get_stripe_client()


def test_a_stripe_call_with_the_default_settings_ends_before_the_worker_is_killed():
    from marketplace.config import Config
    from marketplace.stripe_client import check_timeouts, worst_case_seconds

    cfg = vars(Config())
    worst = worst_case_seconds(cfg["STRIPE_TIMEOUT_SECONDS"], cfg["STRIPE_MAX_NETWORK_RETRIES"])
    assert worst == 8 * 3 + 0.5 + 1.0
    assert worst < cfg["WORKER_TIMEOUT"] == 30 < cfg["CHECKOUT_RESUME_AFTER_SECONDS"]
    check_timeouts(cfg)


def test_the_library_default_timeout_would_outlive_the_worker_and_is_refused(make_app):
    with pytest.raises(RuntimeError, match="WORKER_TIMEOUT"):
        make_app(STRIPE_TIMEOUT_SECONDS=80)  # stripe-python's own default per attempt
    with pytest.raises(RuntimeError):
        make_app(STRIPE_TIMEOUT_SECONDS=8, STRIPE_MAX_NETWORK_RETRIES=5)


def test_the_real_transport_gets_the_configured_timeout(app, monkeypatch):
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "sk_test_x")
    monkeypatch.setitem(app.config, "STRIPE_HTTP_CLIENT", None)
    monkeypatch.setitem(app.config, "STRIPE_TIMEOUT_SECONDS", 7)
    client = get_stripe_client()
    transport = client._requestor._client
    assert transport._timeout == 7
