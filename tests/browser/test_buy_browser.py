"""A civil servant buys from two shops in a real browser (phone-sized), pays in the sandbox and
sees two paid orders."""

from __future__ import annotations

from types import SimpleNamespace

from marketplace.extensions import db
from tests.factories import make_civil_servant, make_product


def test_civil_servant_buys_from_two_vendors_and_sees_two_paid_orders(
    app, page, live_server, browser_login
):
    buyer = make_civil_servant(name="Bu Ratna")
    rice = make_product(name="Beras Bengawan 5 kg", price=68_000, stock=5)
    eggs = make_product(name="Telur Ayam 1 kg", price=28_000, stock=5)
    login_as = SimpleNamespace(email=buyer.email)
    product_ids = [rice.id, eggs.id]
    db.session.commit()
    db.session.close()  # touch no row after this: SQLite has one writer and the browser needs it
    browser_login(page, login_as)

    for product_id in product_ids:
        page.goto(f"{live_server}/products/{product_id}")
        page.fill("[data-testid=add-to-cart] input[name=quantity]", "1")
        page.click("[data-testid=add-to-cart] button[type=submit]")
        page.wait_for_load_state()
        assert "Ditambahkan ke keranjang" in page.content()

    page.goto(f"{live_server}/cart")
    assert page.locator("[data-testid=cart-vendor]").count() == 2
    assert "Rp96.000" in page.inner_text("[data-testid=cart-total]")
    page.click("[data-testid=to-checkout]")
    page.check("input[name=fulfilment][value=pickup]")
    page.check("input[name=payment_method][value=sandbox]")
    page.click("[data-testid=place-order]")
    page.wait_for_url("**/payments/*")
    assert "Rp96.000" in page.inner_text("[data-testid=payment-amount]")
    page.click("[data-testid=sandbox-pay]")
    page.wait_for_url("**/orders")
    cards = page.locator("[data-testid=order-card]")
    assert cards.count() == 2
    assert all("Dibayar" in cards.nth(i).inner_text() for i in range(2))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
