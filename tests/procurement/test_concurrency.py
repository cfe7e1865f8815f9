"""Approvals racing (PostgreSQL: real parallel connections): two PPKs approving one request
place its orders once, and two requests competing for the last units never oversell."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.ordering.models import Order
from marketplace.procurement.models import PurchaseRequest
from tests.factories import make_civil_servant, token_for
from tests.procurement.conftest import give, submitted


def _race(app, calls):
    """Run each (token, url) POST in its own thread, released together by a barrier."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(i, token, url):
        client = app.test_client()
        barrier.wait(timeout=30)
        resp = client.post(url, headers={"Authorization": f"Bearer {token}"})
        results[i] = (resp.status_code, resp.get_json())

    threads = [threading.Thread(target=worker, args=(i, *c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "an approval hung (deadlock?)"
    return results


@pytest.mark.postgres_only
def test_two_ppks_approving_at_once_place_the_orders_once(app, api, office):
    second = make_civil_servant(opd=office.opd, name="PPK Kedua")
    give(second, "ppk")
    db.session.commit()
    req = submitted(api, office)
    url = f"/api/v1/opd/requests/{req['id']}/approve"
    results = _race(app, [(token_for(office.ppk), url), (token_for(second), url)])
    codes = sorted(code for code, _ in results)
    assert codes == [200, 409], results
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Order)) == 2
    assert db.session.get(Product, office.water.id).stock == 2


@pytest.mark.postgres_only
def test_two_requests_racing_for_the_last_units_never_oversell(app, api, office):
    first = submitted(api, office, [(office.water, 4)])
    second = submitted(api, office, [(office.water, 4)])
    token = token_for(office.ppk)
    results = _race(
        app,
        [
            (token, f"/api/v1/opd/requests/{first['id']}/approve"),
            (token, f"/api/v1/opd/requests/{second['id']}/approve"),
        ],
    )
    codes = sorted(code for code, _ in results)
    assert codes == [200, 409], results
    assert [b["error"]["code"] for c, b in results if c == 409] == ["out_of_stock"]
    db.session.expire_all()
    assert db.session.get(Product, office.water.id).stock == 1
    statuses = sorted(
        db.session.scalars(
            select(PurchaseRequest.status).where(PurchaseRequest.number.is_not(None))
        )
    )
    assert statuses == ["approved", "submitted"]
