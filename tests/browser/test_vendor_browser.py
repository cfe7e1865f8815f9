"""A shopkeeper on a phone-sized screen restocks a low product, then accepts a paid order and
marks it ready."""

from __future__ import annotations

from types import SimpleNamespace

from marketplace.extensions import db
from marketplace.ordering.models import Order
from tests.factories import make_category, make_paid_order, make_product, make_vendor


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def test_shopkeeper_restocks_then_accepts_and_readies_an_order_on_a_phone(
    app, page, live_server, browser_login
):
    make_category()
    shop = make_vendor(name="Warung Bu Sri")
    rice = make_product(
        shop, name="Beras Medium 5 kg", stock=2, low_stock_threshold=5, price=65_000
    )
    db.session.commit()
    order = make_paid_order(items=[(rice, 1)])
    number, order_id, rice_id = order.number, order.id, rice.id
    owner = SimpleNamespace(email=shop.owner.email)
    # End the transaction: on SQLite an open one holds the write lock the server needs.
    db.session.commit()
    page.on("dialog", lambda dialog: dialog.accept())
    browser_login(page, owner)

    page.goto(f"{live_server}/shop")
    assert "1" in page.inner_text("[data-testid=count-paid]")
    assert no_sideways_scroll(page)
    page.click(f"a[href='/shop/products/{rice_id}/stock']")
    page.wait_for_load_state()
    assert page.inner_text("[data-testid=stock-value]").strip() == "1"  # one went to the order
    page.click("[data-testid=restock-5]")
    page.wait_for_load_state()
    assert page.inner_text("[data-testid=stock-value]").strip() == "6"
    assert "Barang masuk" in page.inner_text("[data-testid=movements]")
    assert no_sideways_scroll(page)

    page.goto(f"{live_server}/shop/orders")
    assert number in page.inner_text(f"[data-testid=order-{order_id}]")
    assert no_sideways_scroll(page)
    page.click(f"[data-testid=accept-{order_id}]")
    page.wait_for_load_state()
    assert "diterima" in page.content()
    page.click("[data-testid=tab-accepted]")
    page.wait_for_load_state()
    page.click(f"[data-testid=ready-{order_id}]")
    page.wait_for_load_state()
    db.session.expire_all()
    assert db.session.get(Order, order_id).status == "ready"
