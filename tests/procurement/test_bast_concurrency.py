"""BASTs made at the same moment (PostgreSQL: real parallel connections): two orders' BASTs get
the office's next two numbers, never the same, and one order never gets two BASTs."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.ordering.models import Order
from marketplace.procurement.models import Bast
from marketplace.timeutil import today_local
from tests.factories import token_for
from tests.procurement.conftest import submitted


def _race(app, calls):
    """Run each (token, url) POST in its own thread, released together by a barrier."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(i, token, url):
        client = app.test_client()
        barrier.wait(timeout=30)
        resp = client.post(url, json={}, headers={"Authorization": f"Bearer {token}"})
        results[i] = (resp.status_code, resp.get_json())

    threads = [threading.Thread(target=worker, args=(i, *c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a BAST hung (deadlock?)"
    return results


def _delivered_orders(api, office):
    req = submitted(api, office, [(office.rice, 1), (office.water, 1)])
    assert api(office.ppk).post(f"/api/v1/opd/requests/{req['id']}/approve").status_code == 200
    orders = db.session.scalars(select(Order).order_by(Order.id)).all()
    for order in orders:
        shop = api(order.vendor.owner)
        assert shop.post(f"/api/v1/vendor/orders/{order.id}/accept").status_code == 200
        resp = shop.post(
            f"/api/v1/vendor/orders/{order.id}/deliver",
            json={"delivered_on": today_local().isoformat(), "received_by": "Sari"},
        )
        assert resp.status_code == 200
    return orders


@pytest.mark.postgres_only
def test_two_basts_at_once_get_two_numbers(app, api, office):
    a, b = _delivered_orders(api, office)
    results = _race(
        app,
        [
            (token_for(office.officer), f"/api/v1/opd/orders/{a.id}/bast"),
            (token_for(office.ppk), f"/api/v1/opd/orders/{b.id}/bast"),
        ],
    )
    assert [code for code, _ in results] == [201, 201], results
    year = today_local().year
    assert sorted(body["number"] for _, body in results) == [
        f"BAST/DINKOP/{year}/0001",
        f"BAST/DINKOP/{year}/0002",
    ]


@pytest.mark.postgres_only
def test_one_order_never_gets_two_basts(app, api, office):
    a, _b = _delivered_orders(api, office)
    url = f"/api/v1/opd/orders/{a.id}/bast"
    results = _race(app, [(token_for(office.officer), url), (token_for(office.ppk), url)])
    assert sorted(code for code, _ in results) == [201, 409], results
    db.session.expire_all()
    assert len(db.session.scalars(select(Bast)).all()) == 1
    assert db.session.get(Order, a.id).status == "received"
