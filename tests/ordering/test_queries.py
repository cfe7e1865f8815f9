"""The read side of ordering without pages: finance's order search."""

from __future__ import annotations

import pytest

from marketplace.ordering.queries import search_orders
from tests.factories import make_completed_order, make_paid_order

pytestmark = pytest.mark.usefixtures("app")


def test_search_orders_matches_a_number_prefix_in_any_case_newest_first():
    paid = make_paid_order()
    done = make_completed_order()
    assert [o.id for o in search_orders().items] == [done.id, paid.id]
    assert [o.id for o in search_orders(number=paid.number.lower()).items] == [paid.id]
    assert {o.id for o in search_orders(number="pkn-").items} == {paid.id, done.id}
    assert [o.id for o in search_orders(status="completed").items] == [done.id]


@pytest.mark.parametrize("pattern", ["%", "_", "PKN-%", "PKN-______-"])
def test_search_orders_takes_like_wildcards_literally(pattern):
    make_paid_order()
    assert search_orders(number=pattern).total == 0
