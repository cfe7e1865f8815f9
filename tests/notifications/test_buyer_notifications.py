"""Buyer notifications on order events: accepted, ready, rejected and refunded (in-app and email)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.notifications import receivers
from marketplace.notifications.models import Notification
from marketplace.ordering.lifecycle import (
    accept_order,
    cancel_order,
    mark_order_ready,
    reject_order,
)
from marketplace.ordering.refunds import refund_order
from tests.factories import (
    make_completed_order,
    make_paid_order,
    make_product,
    make_user,
    make_vendor,
)
from tests.notifications.smtp_sink import SmtpSink

BUYER_KINDS = {"order_accepted", "order_ready", "order_rejected"}


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


def _notes(user_id):
    return db.session.scalars(
        select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
    ).all()


def _paid_order(buyer=None, *, price=10_000, fulfilment="pickup", shop_name="Toko Makmur"):
    vendor = make_vendor()
    vendor.name = shop_name
    db.session.commit()
    return make_paid_order(buyer, [(make_product(vendor, price=price), 1)], fulfilment=fulfilment)


def test_accepting_an_order_tells_the_buyer_once_with_a_link_to_the_order(app, sink):
    buyer = make_user("public")
    order = _paid_order(buyer)
    assert _notes(buyer.id) == []

    accept_order(order.vendor.owner, order.id)

    [note] = _notes(buyer.id)
    assert note.kind == "order_accepted"
    assert note.title == f"Pesanan {order.number} diterima toko"
    assert "Toko Makmur" in note.body and note.url == f"/orders/{order.id}"
    assert note.emailed_at is not None
    assert [buyer.email] in sink.recipients
    [msg] = [m for m in sink.messages if m["To"] == buyer.email]
    assert order.number in msg["Subject"] and f"/orders/{order.id}" in msg.get_content()


def test_a_ready_pickup_order_is_ready_to_be_picked_up(app):
    buyer = make_user("public")
    order = _paid_order(buyer)
    owner = order.vendor.owner
    accept_order(owner, order.id)

    mark_order_ready(owner, order.id)

    notes = _notes(buyer.id)
    assert [n.kind for n in notes] == ["order_accepted", "order_ready"]
    ready = notes[-1]
    assert ready.title == f"Pesanan {order.number} siap diambil"
    assert "Toko Makmur" in ready.body and ready.url == f"/orders/{order.id}"


def test_a_ready_delivery_order_is_ready_to_be_delivered(app):
    buyer = make_user("public")
    order = _paid_order(buyer, fulfilment="delivery")
    owner = order.vendor.owner
    accept_order(owner, order.id)

    mark_order_ready(owner, order.id)

    ready = [n for n in _notes(buyer.id) if n.kind == "order_ready"]
    assert [n.title for n in ready] == [f"Pesanan {order.number} siap dikirim"]
    assert ready[0].url == f"/orders/{order.id}"


def test_a_rejected_order_tells_the_buyer_the_reason_and_the_full_refund_once(app, sink):
    buyer = make_user("public")
    order = _paid_order(buyer, price=12_500)

    reject_order(order.vendor.owner, order.id, "Stok beras habis")

    [note] = _notes(buyer.id)
    assert note.kind == "order_rejected" and note.url == f"/orders/{order.id}"
    assert order.number in note.title and "ditolak" in note.title
    assert "Stok beras habis" in note.body
    assert "Rp12.500" in note.body and "dikembalikan penuh" in note.body
    assert len([m for m in sink.messages if m["To"] == buyer.email]) == 1


def test_a_finance_refund_tells_the_buyer_the_amount_and_the_reason(app):
    buyer = make_user("public")
    order = make_completed_order(buyer, [(make_product(make_vendor(), price=20_000), 1)])
    before = len(_notes(buyer.id))

    refund_order(make_user("finance"), order.id, 5_000, "Kemasan rusak")

    notes = _notes(buyer.id)
    assert len(notes) == before + 1
    note = notes[-1]
    assert note.kind == "order_refunded" and order.number in note.title
    assert "Rp5.000" in note.body and "Kemasan rusak" in note.body
    assert note.url == f"/orders/{order.id}"


def test_a_buyer_cancelling_a_paid_order_is_told_the_money_came_back(app):
    buyer = make_user("public")
    order = _paid_order(buyer, price=7_500)

    cancel_order(buyer, order.id)

    [note] = _notes(buyer.id)
    assert note.kind == "order_refunded" and "Rp7.500" in note.body
    assert note.url == f"/orders/{order.id}"


def test_the_shop_does_not_get_the_buyers_messages(app):
    buyer = make_user("public")
    order = make_completed_order(buyer, [(make_product(make_vendor()), 1)])
    rejected = _paid_order(buyer)
    reject_order(rejected.vendor.owner, rejected.id, "Tutup")
    refund_order(make_user("finance"), order.id, 1_000, "Selisih harga")

    buyer_titles = {n.title for n in _notes(buyer.id)}
    for owner_id in (order.vendor.owner_id, rejected.vendor.owner_id):
        shop = _notes(owner_id)
        assert not {n.kind for n in shop} & BUYER_KINDS
        assert not {n.title for n in shop} & buyer_titles
        assert all(not (n.url or "").startswith("/orders/") for n in shop)
    assert [n.kind for n in _notes(rejected.vendor.owner_id)] == ["order_paid", "order_refunded"]


def test_the_buyer_is_notified_in_their_own_language(app):
    buyer = make_user("public", locale="en")
    order = _paid_order(buyer)

    accept_order(order.vendor.owner, order.id)

    [note] = _notes(buyer.id)
    assert note.title == f"Order {order.number} accepted by the shop"


def test_a_failing_receiver_is_logged_and_never_breaks_the_transition(app, monkeypatch):
    buyer = make_user("public")
    order = _paid_order(buyer)

    def broken(*_args, **_kwargs):
        raise RuntimeError("inbox is down")

    logged = []
    monkeypatch.setattr(receivers, "notify", broken)
    # A spy rather than caplog: other tests (alembic's fileConfig) may disable existing loggers.
    monkeypatch.setattr(receivers.log, "exception", lambda msg, *args: logged.append(msg % args))

    accepted = accept_order(order.vendor.owner, order.id)

    assert accepted.status == "accepted"
    db.session.expire_all()
    assert db.session.get(type(order), order.id).status == "accepted"
    assert _notes(buyer.id) == []
    assert logged == [f"could not notify the buyer of order {order.id} (order_accepted)"]
