"""The catalog in a real browser on a phone-sized screen: a civil servant searches, filters by
category and opens a product; a visitor switches the home page to English."""

import re
from types import SimpleNamespace

from playwright.sync_api import expect

from marketplace.extensions import db
from tests.factories import make_area, make_category, make_civil_servant, make_product, make_vendor


def _fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390 + 1


def test_civil_servant_searches_filters_by_category_and_opens_a_product(
    app, page, live_server, browser_login
):
    make_area("Airlangga", "Gubeng")
    sembako = make_category("sembako", "Sembako")
    kue = make_category("kue-dan-roti", "Kue dan Roti")
    shop = make_vendor(name="Toko Kelontong Bu Sri", kelurahan="Airlangga", kecamatan="Gubeng")
    make_product(
        shop, name="Beras Premium 5 kg", price=75_000, stock=9, category=sembako, vat_exempt=True
    )
    make_product(shop, name="Kue Beras Ketan", price=20_000, category=kue)
    make_product(shop, name="Minyak Goreng 2 liter", price=38_000, category=sembako)
    buyer = make_civil_servant(kelurahan="Airlangga")
    buyer_login = SimpleNamespace(email=buyer.email)
    db.session.commit()  # and no reads after it: they would hold the SQLite lock

    browser_login(page, buyer_login)
    page.goto(f"{live_server}/")
    expect(page.locator("#h-near")).to_contain_text("Airlangga")
    page.fill("[data-testid=search-input]", "beras")
    page.click("[data-testid=search-submit]")

    expect(page).to_have_url(re.compile(r"/products\?q=beras"))
    cards = page.locator("[data-testid=product-card]")
    expect(cards).to_have_count(2)
    assert _fits_the_phone(page)

    page.select_option("[data-testid=filter-category]", "sembako")
    page.click("[data-testid=filter-submit]")
    expect(page).to_have_url(re.compile(r"category=sembako"))
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Beras Premium 5 kg")

    cards.first.locator(".product-name").click()
    expect(page.locator("[data-testid=product-name]")).to_have_text("Beras Premium 5 kg")
    expect(page.locator("[data-testid=product-price]")).to_contain_text("Rp75.000")
    expect(page.locator(".badges")).to_contain_text("Bebas PPN")
    expect(page.locator("[data-testid=add-to-cart] input[name=quantity]")).to_be_visible()
    expect(page.locator("[data-testid=shop-link]")).to_have_text("Toko Kelontong Bu Sri")
    assert _fits_the_phone(page)


def test_visitor_switches_the_home_page_to_english(app, page, live_server):
    make_category("kue-dan-roti", "Kue dan Roti").name_en = "Cakes and bread"
    make_product(name="Almond Crispy Keju 100 g", is_local_product=True)
    db.session.commit()

    page.goto(f"{live_server}/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator("#h-newest")).to_have_text("Produk terbaru")
    page.click("label.nav-toggle-label")  # the menu is folded on a phone
    page.click("[data-testid=lang-en]")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#h-newest")).to_have_text("Newest products")
    expect(page.locator(".chips")).to_contain_text("Cakes and bread")
    expect(page.locator("[data-testid=search-submit]")).to_have_text("Search")
    assert _fits_the_phone(page)
