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
