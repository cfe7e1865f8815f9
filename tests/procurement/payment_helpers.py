"""Helpers of the payment tests: a purchase approved, accepted and handed over by each shop."""

from __future__ import annotations

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.ordering.models import Order
from marketplace.procurement.models import OfficeRole
from marketplace.timeutil import today_local
from tests.procurement.conftest import submitted


def delivered_purchase(api, office, items, *, deliver=True) -> tuple[dict, dict[int, Order]]:
    """The officer submits `items`, the PPK approves, each shop accepts and (when `deliver`)
    hands its order over today and the officer confirms receipt with a BAST. Returns the request JSON and the orders by shop id."""
    req = submitted(api, office, items)
    resp = api(office.ppk).post(f"/api/v1/opd/requests/{req['id']}/approve")
    assert resp.status_code == 200, resp.get_json()
    req = resp.get_json()
    orders = {
        o.vendor_id: o
        for o in db.session.scalars(
            select(Order).where(Order.id.in_([o["id"] for o in req["orders"]]))
        ).all()
    }
    for order in orders.values():
        shop = api(order.vendor.owner)
        assert shop.post(f"/api/v1/vendor/orders/{order.id}/accept").status_code == 200
        if deliver:
            resp = shop.post(
                f"/api/v1/vendor/orders/{order.id}/deliver",
                json={"delivered_on": today_local().isoformat(), "received_by": "Sari Pengadaan"},
            )
            assert resp.status_code == 200, resp.get_json()
            receive(api, office, order)
    return req, orders


def receive(api, office, order, received_on=None) -> None:
    """The office's officer confirms receipt with a BAST (payment is made against it)."""
    body = {"received_on": received_on.isoformat()} if received_on else {}
    resp = api(office.officer).post(f"/api/v1/opd/orders/{order.id}/bast", json=body)
    assert resp.status_code == 201, resp.get_json()


def sp2d(reference="00123/SP2D/LS/2026", **extra) -> dict:
    return {"method": "sp2d", "reference": reference, "paid_on": today_local().isoformat(), **extra}


def make_treasurer(user) -> None:
    db.session.add(OfficeRole(opd_id=user.opd_id, user_id=user.id, role="treasurer"))
    db.session.commit()
