"""The payment's own status writes, without a database."""

from __future__ import annotations

import pytest

from marketplace.payments import lifecycle
from marketplace.payments.models import Payment


@pytest.mark.parametrize(
    ("status", "canceled"),
    [
        ("requires_payment", True),
        ("failed", True),
        ("processing", False),
        ("succeeded", False),
        ("canceled", False),
    ],
)
def test_only_a_waiting_or_failed_payment_is_canceled_when_nothing_is_left_to_pay(status, canceled):
    payment = Payment(status=status)
    assert lifecycle.cancel_unpaid(payment) is canceled
    assert payment.status == ("canceled" if canceled else status)


def test_success_clears_an_earlier_failure_message():
    payment = Payment(status="requires_payment")
    lifecycle.mark_failed(payment, "Kartu ditolak.")
    assert (payment.status, payment.failure_message) == ("failed", "Kartu ditolak.")
    lifecycle.mark_succeeded(payment)
    assert (payment.status, payment.failure_message) == ("succeeded", None)
