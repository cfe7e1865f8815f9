"""The fair-share cap rule (SPEC §3): a vendor at or over the cap is `reached`; below it `open`."""

from __future__ import annotations

import pytest

from marketplace.ledger.rules import vendor_cap_state

CAP = 30_000_000


@pytest.mark.parametrize(
    ("sales", "state"),
    [
        (0, "open"),
        (CAP - 1, "open"),
        (CAP, "reached"),
        (CAP + 1, "reached"),  # a checkout may cross the cap once; the vendor stays reached
        (3 * CAP, "reached"),
        (-5_000, "open"),  # refunds after the month's first sale: net negative is still open
    ],
)
def test_the_cap_is_reached_at_the_cap_and_stays_reached_over_it(sales, state):
    assert vendor_cap_state(sales, CAP) == state
