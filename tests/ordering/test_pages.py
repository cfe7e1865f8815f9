"""The buyer's pages: cart, checkout, payment, orders and order detail."""

from __future__ import annotations

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.ordering.models import Checkout, Order
from tests.factories import make_civil_servant, make_paid_order, make_product, make_user


def test_add_to_cart_form_redirects_back_with_a_message(client, login):
    buyer = make_civil_servant()
    product = make_product(name="Beras Organik")
    db.session.commit()
    login(client, buyer)
    resp = client.post(
        f"/cart/items/{product.id}",
        data={"quantity": "2"},
        headers={"Referer": f"/products/{product.id}"},
    )
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/products/{product.id}")
    page = client.get("/cart")
    assert page.status_code == 200
    assert "Beras Organik" in page.get_data(as_text=True)
    assert "Rp20.000" in page.get_data(as_text=True)


def test_empty_cart_and_empty_orders_show_an_empty_state(client, login):
    buyer = make_civil_servant()
    db.session.commit()
    login(client, buyer)
    assert "Keranjang masih kosong" in client.get("/cart").get_data(as_text=True)
    assert "Belum ada pesanan" in client.get("/orders").get_data(as_text=True)


def test_checkout_form_double_submit_places_one_checkout(client, login):
    buyer = make_civil_servant()
    product = make_product(stock=5)
    db.session.commit()
    login(client, buyer)
    client.post(f"/cart/items/{product.id}", data={"quantity": "1"})
    form = client.get("/checkout").get_data(as_text=True)
    assert 'name="idempotency_key"' in form
    key = form.split('name="idempotency_key" value="')[1].split('"')[0]
    data = {"fulfilment": "pickup", "payment_method": "sandbox", "idempotency_key": key}
    first = client.post("/checkout", data=data)
    second = client.post("/checkout", data=data)
    assert first.headers["Location"] == second.headers["Location"]
    assert "/payments/" in first.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Checkout)) == 1
    pay = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "Bayar (sandbox)" in pay
    payment_id = first.headers["Location"].rsplit("/", 1)[1]
    done = client.post(f"/payments/{payment_id}/sandbox", data={"outcome": "succeeded"})
    assert done.status_code == 302
    assert db.session.scalar(select(Order.status)) == "paid"


def test_order_page_shows_the_timeline_and_a_confirmed_cancel(client, login):
    order = make_paid_order()
    db.session.commit()
    login(client, order.buyer)
    html = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert order.number in html and "data-confirm" in html and "Riwayat status" in html
    resp = client.post(f"/orders/{order.id}/cancel")
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "cancelled"


def test_another_buyers_order_page_is_404(client, login):
    order = make_paid_order()
    stranger = make_civil_servant()
    db.session.commit()
    login(client, stranger)
    assert client.get(f"/orders/{order.id}").status_code == 404


def test_orders_page_filters_by_status_and_paginates(client, login):
    buyer = make_civil_servant()
    for _ in range(11):
        make_paid_order(buyer)
    db.session.commit()
    login(client, buyer)
    first = client.get("/orders").get_data(as_text=True)
    assert first.count('data-testid="order-card"') == 10 and 'rel="next"' in first
    assert (
        client.get("/orders?status=completed")
        .get_data(as_text=True)
        .count('data-testid="order-card"')
        == 0
    )


def test_cart_page_is_for_buyers_only(client, login):
    finance = make_user("finance")
    db.session.commit()
    login(client, finance)
    assert client.get("/cart").status_code == 403


def test_anonymous_cart_page_redirects_to_login(client):
    resp = client.get("/cart")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_ordering_and_payment_texts_have_english_translations(app):
    from flask_babel import force_locale, gettext

    with app.test_request_context("/"), force_locale("en"):
        assert gettext("Keranjang masih kosong.") == "Your cart is empty."
        assert gettext("Bayar (sandbox)") == "Pay (sandbox)"
