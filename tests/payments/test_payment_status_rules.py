"""The payment status rule, written out for every pair of statuses.

A payment only moves forward: `requires_payment → processing → succeeded`, a failure may be
retried (`failed → processing | succeeded`), `canceled` ends an unpaid payment, and `succeeded` and
`canceled` are final. A status never "moves" to itself (a repeated webhook changes nothing).
"""

from __future__ import annotations

import pytest

from marketplace.payments.models import PAYMENT_STATUSES
from marketplace.payments.rules import PAYMENT_RANK, payment_can_move

R, P, F, S, C = "requires_payment", "processing", "failed", "succeeded", "canceled"

# Every pair, rows = from, columns = to (order R, P, F, S, C): the whole rule in one table.
MATRIX = {
    R: {R: False, P: True, F: True, S: True, C: True},
    P: {R: False, P: False, F: True, S: True, C: True},
    F: {R: False, P: True, F: False, S: True, C: True},
    S: {R: False, P: False, F: False, S: False, C: False},
    C: {R: False, P: False, F: False, S: False, C: False},
}
PAIRS = [(a, b, allowed) for a, row in MATRIX.items() for b, allowed in row.items()]


def test_the_table_covers_every_payment_status():
    assert set(MATRIX) == set(PAYMENT_STATUSES) == set(PAYMENT_RANK)


@pytest.mark.parametrize(("current", "new", "allowed"), PAIRS)
def test_payment_status_moves_only_as_the_table_says(current, new, allowed):
    assert payment_can_move(current, new) is allowed


@pytest.mark.parametrize("status", [R, P, F, S, C])
def test_a_repeated_status_is_not_a_move(status):
    assert payment_can_move(status, status) is False


def test_a_late_cancel_never_undoes_a_succeeded_payment():
    assert payment_can_move(S, C) is False
    assert payment_can_move(C, S) is False


def test_processing_and_failed_may_follow_each_other_while_the_buyer_retries():
    assert payment_can_move(P, F) and payment_can_move(F, P)


def test_nothing_goes_back_to_waiting_for_a_payment():
    assert not any(payment_can_move(status, R) for status in (P, F, S, C))
