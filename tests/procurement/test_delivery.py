"""The shop records the delivery of an office's order (accepted or ready → delivered, invoice
orders only) through its order API and its orders page; the office is told."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.notifications.models import Notification
from marketplace.ordering import rules
from marketplace.ordering.models import Order
from marketplace.procurement.models import PurchaseRequest
from marketplace.timeutil import today_local
from tests.procurement.conftest import submitted


def _accepted_orders(api, office):
    """Approve a purchase from both shops and let each shop accept its order."""
    req = submitted(api, office, [(office.rice, 2), (office.water, 1)])
    assert api(office.ppk).post(f"/api/v1/opd/requests/{req['id']}/approve").status_code == 200
    orders = db.session.scalars(select(Order).order_by(Order.id)).all()
    by_shop = {o.vendor_id: o for o in orders}
    a, b = by_shop[office.shop_a.id], by_shop[office.shop_b.id]
    assert api(office.shop_a.owner).post(f"/api/v1/vendor/orders/{a.id}/accept").status_code == 200
    assert api(office.shop_b.owner).post(f"/api/v1/vendor/orders/{b.id}/accept").status_code == 200
    return a, b


def test_the_shop_records_the_delivery_and_the_office_is_told(api, office):
    a, _b = _accepted_orders(api, office)
    today = today_local().isoformat()
    resp = api(office.shop_a.owner).post(
        f"/api/v1/vendor/orders/{a.id}/deliver",
        json={"delivered_on": today, "received_by": "Sari Pengadaan", "note": "2 karung"},
    )
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "delivered"
    assert (body["delivered_on"], body["delivery_received_by"], body["delivery_note"]) == (
        today,
        "Sari Pengadaan",
        "2 karung",
    )
    assert body["delivered_at"].endswith("+00:00")
    db.session.expire_all()
    order = db.session.get(Order, a.id)
    assert order.status == "delivered"
    assert [e.to_status for e in order.events][-1] == "delivered"
    note = db.session.scalar(
        select(Notification).where(
            Notification.user_id == office.officer.id, Notification.kind == "order_delivered"
        )
    )
    assert note is not None and a.number in note.title
    # Delivered once: again is 409.
    again = api(office.shop_a.owner).post(
        f"/api/v1/vendor/orders/{a.id}/deliver",
        json={"delivered_on": today, "received_by": "Sari Pengadaan"},
    )
    assert again.status_code == 409


def test_a_ready_order_can_be_delivered_too(api, office):
    a, _b = _accepted_orders(api, office)
    shop = api(office.shop_a.owner)
    assert shop.post(f"/api/v1/vendor/orders/{a.id}/ready").status_code == 200
    resp = shop.post(
        f"/api/v1/vendor/orders/{a.id}/deliver",
        json={"delivered_on": today_local().isoformat(), "received_by": "Budi"},
    )
    assert resp.status_code == 200, resp.get_json()


def test_a_shop_cannot_deliver_another_shops_order(client, login, api, office):
    _a, b = _accepted_orders(api, office)
    day = today_local().isoformat()
    resp = api(office.shop_a.owner).post(
        f"/api/v1/vendor/orders/{b.id}/deliver", json={"delivered_on": day, "received_by": "Sari"}
    )
    assert resp.status_code == 404
    login(client, office.shop_a.owner)
    page = client.post(
        f"/shop/orders/{b.id}/deliver", data={"delivered_on": day, "received_by": "Sari"}
    )
    assert page.status_code == 404
    db.session.expire_all()
    assert db.session.get(Order, b.id).status == "accepted"


def test_an_order_not_yet_accepted_cannot_be_delivered(api, office):
    req = submitted(api, office, [(office.rice, 2)])
    api(office.ppk).post(f"/api/v1/opd/requests/{req['id']}/approve")
    order = db.session.scalar(select(Order))
    resp = api(office.shop_a.owner).post(
        f"/api/v1/vendor/orders/{order.id}/deliver",
        json={"delivered_on": today_local().isoformat(), "received_by": "Sari"},
    )
    assert resp.status_code == 409
    assert resp.get_json()["error"]["code"] == "invalid_transition"


def test_a_delivery_in_the_future_or_without_receiver_is_422(api, office):
    a, _b = _accepted_orders(api, office)
    shop = api(office.shop_a.owner)
    tomorrow = (today_local() + timedelta(days=1)).isoformat()
    future = shop.post(
        f"/api/v1/vendor/orders/{a.id}/deliver",
        json={"delivered_on": tomorrow, "received_by": "Sari"},
    )
    assert future.status_code == 422
    assert "delivered_on" in future.get_json()["error"]["details"]
    nobody = shop.post(
        f"/api/v1/vendor/orders/{a.id}/deliver",
        json={"delivered_on": today_local().isoformat(), "received_by": "  "},
    )
    assert nobody.status_code == 422
    db.session.expire_all()
    assert db.session.get(Order, a.id).status == "accepted"


def test_a_persons_order_never_becomes_delivered():
    order = Order(status="ready", payment_terms="prepaid")
    assert not order.can_transition_to("delivered")
    order.payment_terms = "invoice"
    assert order.can_transition_to("delivered")


def test_delivery_rules():
    day = today_local()
    assert rules.delivery_errors(day, "Sari", accepted_on=day, today=day) == {}
    assert "delivered_on" in rules.delivery_errors(
        day - timedelta(days=1), "Sari", accepted_on=day, today=day
    )
    assert "delivered_on" in rules.delivery_errors(
        day + timedelta(days=1), "Sari", accepted_on=None, today=day
    )
    assert "received_by" in rules.delivery_errors(day, " x ", accepted_on=None, today=day)


def test_the_shop_records_the_delivery_from_its_orders_page(client, login, api, office):
    a, _b = _accepted_orders(api, office)
    login(client, office.shop_a.owner)
    page = client.get("/shop/orders?tab=accepted").get_data(as_text=True)
    assert f'data-testid="deliver-{a.id}"' in page
    resp = client.post(
        f"/shop/orders/{a.id}/deliver",
        data={
            "delivered_on": today_local().isoformat(),
            "received_by": "Sari Pengadaan",
            "tab": "accepted",
        },
        follow_redirects=True,
    )
    assert resp.status_code == 200
    done = client.get("/shop/orders?tab=completed").get_data(as_text=True)
    assert f'data-testid="delivered-{a.id}"' in done and "Sari Pengadaan" in done
    db.session.expire_all()
    assert db.session.get(Order, a.id).status == "delivered"


def test_the_office_sees_the_delivery_on_its_request(client, login, api, office):
    a, _b = _accepted_orders(api, office)
    day = today_local().isoformat()
    api(office.shop_a.owner).post(
        f"/api/v1/vendor/orders/{a.id}/deliver",
        json={"delivered_on": day, "received_by": "Sari Pengadaan", "note": "lengkap"},
    )
    req_id = db.session.scalar(select(PurchaseRequest.id))
    body = api(office.head).get(f"/api/v1/opd/requests/{req_id}").get_json()
    delivered = {o["id"]: o for o in body["orders"]}[a.id]
    assert (delivered["status"], delivered["delivered_on"]) == ("delivered", day)
    assert delivered["delivery_received_by"] == "Sari Pengadaan"
    login(client, office.officer)
    page = client.get(f"/opd/requests/{req_id}").get_data(as_text=True)
    assert f'data-testid="delivery-{a.id}"' in page and "lengkap" in page
    assert "Diserahkan, menunggu BAST" in page
