"""Shop notifications on order events (in-app and email), the notifications API and inbox page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.notifications.models import Notification
from marketplace.notifications.services import notify
from tests.factories import (
    make_completed_order,
    make_paid_order,
    make_product,
    make_user,
    make_vendor,
)
from tests.notifications.smtp_sink import SmtpSink


@pytest.fixture
def sink(app):
    with SmtpSink() as smtp:
        app.config.update(
            SMTP_HOST=smtp.host,
            SMTP_PORT=smtp.port,
            SMTP_STARTTLS=False,
            SMTP_USER="",
            MAIL_FROM="Peken <no-reply@peken.test>",
        )
        yield smtp


def _shop_notes(vendor):
    return db.session.scalars(
        select(Notification)
        .where(Notification.user_id == vendor.owner_id)
        .order_by(Notification.id)
    ).all()


# ================================================================= receivers
def test_a_paid_order_notifies_the_shop_owner_in_app_and_by_email(app, sink):
    vendor = make_vendor()
    order = make_paid_order(items=[(make_product(vendor, price=12_500, name="Beras Bengawan"), 2)])

    [note] = _shop_notes(vendor)
    assert note.kind == "order_paid" and order.number in note.title
    assert "Rp25.000" in note.body and "Beras Bengawan" in note.body
    assert note.url == "/shop/orders?tab=paid" and note.emailed_at is not None
    [msg] = sink.messages
    assert sink.recipients == [[vendor.owner.email]]
    assert msg["To"] == vendor.owner.email and order.number in msg["Subject"]
    assert order.number in msg.get_content() and "/shop/orders?tab=paid" in msg.get_content()


def test_the_buyer_gets_no_shop_notification(app, sink):
    buyer = make_user("public")
    make_paid_order(buyer=buyer)
    assert (
        db.session.scalars(select(Notification).where(Notification.user_id == buyer.id)).all() == []
    )


def test_a_dead_smtp_server_still_leaves_the_in_app_notification_and_the_payment(app):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=1, SMTP_TIMEOUT=2)
    vendor = make_vendor()
    order = make_paid_order(items=[(make_product(vendor), 1)])
    assert order.status == "paid"
    [note] = _shop_notes(vendor)
    assert note.emailed_at is None


def test_the_notification_is_in_the_owners_language(app):
    owner = make_user("vendor", locale="en")
    vendor = make_vendor(owner=owner)
    order = make_paid_order(items=[(make_product(vendor), 1)])
    [note] = _shop_notes(vendor)
    assert note.title == f"New order {order.number} has been paid"


def test_a_completed_order_tells_the_shop_its_money_is_available(app):
    vendor = make_vendor()
    make_completed_order(items=[(make_product(vendor), 1)])
    kinds = [n.kind for n in _shop_notes(vendor)]
    assert kinds == ["order_paid", "order_completed"]


# ================================================================= API
def test_users_list_only_their_own_notifications_newest_first(app, api):
    me, other = make_user("public"), make_user("public")
    notify(me, "info", "Pertama", email=False)
    notify(me, "info", "Kedua", email=False)
    notify(other, "info", "Punya orang lain", email=False)
    db.session.commit()

    resp = api(me).get("/api/v1/notifications")

    assert resp.status_code == 200
    assert [n["title"] for n in resp.json["items"]] == ["Kedua", "Pertama"]
    assert resp.json["total"] == 2 and resp.json["unread"] == 2
    assert resp.json["items"][0]["read"] is False


def test_mark_read_changes_only_my_notification(app, api):
    me, other = make_user("public"), make_user("public")
    mine = notify(me, "info", "Milik saya", email=False)
    theirs = notify(other, "info", "Bukan milik saya", email=False)
    db.session.commit()

    assert api(me).post(f"/api/v1/notifications/{theirs.id}/read").status_code == 404
    resp = api(me).post(f"/api/v1/notifications/{mine.id}/read")

    assert resp.status_code == 200 and resp.json["read"] is True
    assert api(me).get("/api/v1/notifications?unread=true").json["total"] == 0
    db.session.expire_all()
    assert db.session.get(Notification, theirs.id).read_at is None


def test_read_all_marks_every_unread_notification(app, api):
    me = make_user("vendor")
    for i in range(3):
        notify(me, "info", f"N{i}", email=False)
    db.session.commit()
    assert api(me).post("/api/v1/notifications/read-all").json == {"updated": 3}
    assert api(me).get("/api/v1/notifications").json["unread"] == 0


def test_notifications_api_needs_a_user(app, api):
    assert api().get("/api/v1/notifications").status_code == 401
    assert api().post("/api/v1/notifications/1/read").status_code == 401


def test_notifications_api_paginates(app, api):
    me = make_user("public")
    for i in range(5):
        notify(me, "info", f"N{i}", email=False)
    db.session.commit()
    resp = api(me).get("/api/v1/notifications?per_page=2&page=3")
    assert resp.json["total"] == 5 and [n["title"] for n in resp.json["items"]] == ["N0"]


# ================================================================= inbox page
def test_inbox_shows_unread_first_class_and_marks_read(app, client, login):
    me = make_user("public")
    note = notify(me, "info", "Pesanan baru PKN-1", "Isi pesan", url="/shop/orders", email=False)
    db.session.commit()
    login(client, me)

    page = client.get("/notifications")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Pesanan baru PKN-1" in html and "1 belum dibaca" in html

    resp = client.post(f"/notifications/{note.id}/read", data={"open": "1"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/shop/orders")
    db.session.expire_all()
    assert db.session.get(Notification, note.id).read_at is not None
    assert "0 belum dibaca" in client.get("/notifications").get_data(as_text=True)


def test_inbox_empty_state_and_read_all(app, client, login):
    me = make_user("public")
    login(client, me)
    assert "Belum ada notifikasi." in client.get("/notifications").get_data(as_text=True)
    notify(me, "info", "Satu", email=False)
    db.session.commit()
    resp = client.post("/notifications/read-all", follow_redirects=True)
    assert "1 notifikasi ditandai sudah dibaca." in resp.get_data(as_text=True)


def test_inbox_needs_login(app, client):
    resp = client.get("/notifications")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_another_users_notification_cannot_be_marked_from_the_page(app, client, login):
    me, other = make_user("public"), make_user("public")
    theirs = notify(other, "info", "Rahasia", email=False)
    db.session.commit()
    login(client, me)
    assert client.post(f"/notifications/{theirs.id}/read").status_code == 404
