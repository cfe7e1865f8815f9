"""Catalog pages as a browser sees them (server-rendered HTML)."""

from __future__ import annotations

import pytest
from flask_babel import refresh

from marketplace.catalog.models import Category
from marketplace.extensions import db
from marketplace.ledger.models import FairShareCap
from marketplace.timeutil import current_period
from tests.catalog.conftest import record_sale
from tests.factories import (
    make_area,
    make_category,
    make_civil_servant,
    make_product,
    make_user,
    make_vendor,
)

pytestmark = pytest.mark.usefixtures("app")


def _html(resp) -> str:
    assert resp.status_code == 200, resp.status_code
    return resp.get_data(as_text=True)


# ---------------------------------------------------------------- home
def test_home_is_indonesian_with_search_categories_and_products(client):
    make_category("sembako", "Sembako")
    make_product(name="Beras Premium 5 kg", price=75_000)
    make_product(name="Sambal Bawang", is_local_product=True, price=35_000)
    db.session.commit()

    html = _html(client.get("/"))

    assert '<html lang="id">' in html
    assert 'name="q"' in html and "Sembako" in html
    assert "Beras Premium 5 kg" in html and "Rp75.000" in html
    assert "Produk lokal UMKM Surabaya" in html and "Sambal Bawang" in html
    assert "Dekat rumah Anda" not in html


def test_home_shows_products_near_a_civil_servants_home(client, login):
    make_area("Airlangga", "Gubeng")
    buyer = make_civil_servant(kelurahan="Airlangga")
    make_product(make_vendor(kelurahan="Airlangga", kecamatan="Gubeng"), name="Tempe Airlangga")
    db.session.commit()
    login(client, buyer)

    html = _html(client.get("/"))

    assert "Dekat rumah Anda (Kel. Airlangga)" in html and "Tempe Airlangga" in html


def test_home_with_an_empty_catalog_shows_empty_states(client):
    html = _html(client.get("/"))

    assert "Belum ada produk yang dijual." in html and "Belum ada kategori." in html


# ---------------------------------------------------------------- browse
def test_browse_searches_and_filters(client):
    kue = make_category("kue-dan-roti", "Kue dan Roti")
    make_product(name="Minyak Goreng 2 liter")
    make_product(name="Lapis Surabaya", category=kue, is_local_product=True)
    make_product(name="Bolu Kukus", category=kue)
    db.session.commit()

    by_query = _html(client.get("/products?q=minyak"))
    by_category = _html(client.get("/products?category=kue-dan-roti&local_only=1&sort=price"))

    assert "Minyak Goreng 2 liter" in by_query and "Lapis Surabaya" not in by_query
    assert "Lapis Surabaya" in by_category and "Bolu Kukus" not in by_category
    assert "Minyak Goreng" not in by_category


def test_browse_with_an_untouched_form_shows_everything(client):
    make_product(name="Gula Pasir 1 kg")
    db.session.commit()

    html = _html(client.get("/products?q=&category=&kelurahan=&sort=relevance"))

    assert "Gula Pasir 1 kg" in html


def test_browse_shows_an_empty_state_when_nothing_matches(client):
    make_product(name="Beras")
    db.session.commit()

    html = _html(client.get("/products?q=tidakada"))

    assert "Tidak ada produk yang cocok" in html


def test_browse_paginates(client):
    vendor = make_vendor()
    for i in range(25):
        make_product(vendor, name=f"Tahu {i:02d}")
    db.session.commit()

    first = _html(client.get("/products?q=tahu"))
    second = _html(client.get("/products?q=tahu&page=2"))

    assert "Halaman 1 dari 2" in first and 'rel="next"' in first
    assert "Tahu 24" in second and "Tahu 00" not in second


def test_browse_offers_nearest_only_to_a_buyer_with_a_home(client, login):
    make_product()
    db.session.commit()

    anonymous = _html(client.get("/products"))
    make_area("Gubeng", "Gubeng")  # nearest ranks by the home area's code
    login(client, make_civil_servant(kelurahan="Gubeng"))
    db.session.commit()
    refresh()
    buyer = _html(client.get("/products"))

    assert 'value="nearest"' not in anonymous and 'value="nearest"' in buyer


def test_browse_with_a_bad_sort_is_a_422_page_not_a_crash(client):
    resp = client.get("/products?sort=murah")

    assert resp.status_code == 422 and "<html" in resp.get_data(as_text=True)


# ---------------------------------------------------------------- product page
def test_product_page_shows_rupiah_price_stock_badges_and_shop(client):
    vendor = make_vendor(name="Toko Bu Sri")
    product = make_product(
        vendor,
        name="Telur Ayam 1 kg",
        price=12_500,
        stock=7,
        vat_exempt=True,
        is_local_product=True,
        is_pdn=True,
        description="Telur segar",
    )
    db.session.commit()

    html = _html(client.get(f"/products/{product.id}"))

    assert "Rp12.500" in html and "Stok: 7 kg" in html and "Telur segar" in html
    assert "Produk lokal" in html and "PDN" in html and "Bebas PPN" in html
    assert f"/shops/{vendor.id}" in html and "Toko Bu Sri" in html


def test_product_page_tells_a_buyer_the_shop_is_in_their_kelurahan(client, login):
    make_area("Airlangga", "Gubeng")
    make_area("Mojo", "Gubeng")
    same = make_product(make_vendor(kelurahan="Airlangga", kecamatan="Gubeng"))
    nearby = make_product(make_vendor(kelurahan="Mojo", kecamatan="Gubeng"))
    far = make_product(make_vendor(kelurahan="Darmo", kecamatan="Wonokromo"))
    buyer = make_civil_servant(kelurahan="Airlangga")
    db.session.commit()
    login(client, buyer)

    assert "Sekelurahan dengan rumah Anda" in _html(client.get(f"/products/{same.id}"))
    assert "Sekecamatan dengan rumah Anda" in _html(client.get(f"/products/{nearby.id}"))
    assert 'data-testid="near-badge"' not in _html(client.get(f"/products/{far.id}"))


def test_anonymous_visitor_is_asked_to_log_in_to_buy(client):
    product = make_product()
    db.session.commit()

    html = _html(client.get(f"/products/{product.id}"))

    assert "Masuk untuk membeli" in html and f"/login?next=/products/{product.id}" in html
    assert 'data-testid="add-to-cart"' not in html


def test_buyer_sees_an_add_to_cart_form_posting_the_quantity(client, login):
    product = make_product(stock=4)
    buyer = make_civil_servant()
    db.session.commit()
    login(client, buyer)

    html = _html(client.get(f"/products/{product.id}"))

    assert f'action="/cart/items/{product.id}"' in html
    assert 'name="quantity"' in html and 'max="4"' in html and 'name="csrf_token"' in html


def test_no_add_to_cart_form_for_a_sold_out_product_or_a_vendor(client, login):
    sold_out = make_product(stock=0)
    in_stock = make_product(stock=3)
    shopkeeper = make_vendor().owner
    buyer = make_user("public")
    db.session.commit()

    login(client, buyer)
    sold_out_html = _html(client.get(f"/products/{sold_out.id}"))
    other = client.application.test_client()
    login(other, shopkeeper)
    vendor_html = _html(other.get(f"/products/{in_stock.id}"))

    assert "Stok habis" in sold_out_html and 'data-testid="add-to-cart"' not in sold_out_html
    assert 'data-testid="add-to-cart"' not in vendor_html


def test_product_of_a_shop_at_the_cap_explains_why_it_cannot_be_bought(client):
    db.session.add(FairShareCap(period=current_period(), amount=10_000))
    vendor = make_vendor()
    product = make_product(vendor, stock=5)
    record_sale(vendor, 10_000)
    db.session.commit()

    html = _html(client.get(f"/products/{product.id}"))

    assert "sudah mencapai batas penjualan" in html


@pytest.mark.parametrize("status", ["pending", "suspended"])
def test_unlisted_product_page_is_404(client, status):
    product = make_product(make_vendor(status=status))
    db.session.commit()

    assert client.get(f"/products/{product.id}").status_code == 404


# ---------------------------------------------------------------- shop page
def test_shop_page_lists_its_products(client):
    vendor = make_vendor(
        name="Batik Kenanga", kelurahan="Keputih", kecamatan="Sukolilo", type="umkm"
    )
    make_product(vendor, name="Kemeja Batik")
    make_product(name="Produk toko lain")
    db.session.commit()

    html = _html(client.get(f"/shops/{vendor.id}"))

    assert "Batik Kenanga" in html and "Kemeja Batik" in html and "Produk toko lain" not in html
    assert "Kel. Keputih, Kec. Sukolilo" in html and "UMKM" in html


def test_shop_page_of_a_pending_shop_is_404(client):
    vendor = make_vendor(status="pending")
    db.session.commit()

    assert client.get(f"/shops/{vendor.id}").status_code == 404


# ---------------------------------------------------------------- language
def test_english_switch_translates_catalog_pages(client):
    make_category("sembako", "Sembako").name_en = "Staple foods"
    product = make_product(stock=0)
    db.session.commit()

    client.post("/language/en")
    refresh()  # the test's app context outlives requests; Flask-Babel caches the locale on it
    home = _html(client.get("/"))
    refresh()
    empty = _html(client.get("/products?q=tidakada"))
    refresh()
    detail = _html(client.get(f"/products/{product.id}"))

    assert '<html lang="en">' in home and "Staple foods" in home and "Newest products" in home
    assert "No matching products" in empty
    assert "Sold out" in detail and "Log in to buy" in detail


# ---------------------------------------------------------------- admin categories
def test_admin_manages_categories_on_a_page(client, login):
    admin = make_user("admin")
    make_category("minuman", "Minuman")
    db.session.commit()
    login(client, admin)

    page = _html(client.get("/admin/categories"))
    created = client.post(
        "/admin/categories", data={"slug": "kerajinan", "name": "Kerajinan", "name_en": "Crafts"}
    )
    renamed = client.post(
        "/admin/categories/minuman",
        data={"slug": "minuman", "name": "Minuman Segar", "name_en": ""},
    )

    assert "Tambah kategori" in page and "minuman" in page
    assert created.status_code == 302 and renamed.status_code == 302
    db.session.expire_all()
    assert db.session.query(Category).filter_by(slug="kerajinan").one().name_en == "Crafts"
    assert db.session.query(Category).filter_by(slug="minuman").one().name == "Minuman Segar"


def test_a_taken_slug_on_the_admin_page_is_flashed_and_changes_nothing(client, login):
    make_category("sembako", "Sembako")
    admin = make_user("admin")
    db.session.commit()
    login(client, admin)

    resp = client.post(
        "/admin/categories",
        data={"slug": "sembako", "name": "Dobel"},
        headers={"Referer": "/admin/categories"},
        follow_redirects=True,
    )

    assert "sudah dipakai" in resp.get_data(as_text=True)
    assert db.session.query(Category).count() == 1


@pytest.mark.parametrize("role", ["public", "civil_servant", "vendor", "finance"])
def test_only_admins_open_the_category_page(client, login, role):
    user = make_vendor().owner if role == "vendor" else make_user(role)
    db.session.commit()
    login(client, user)

    assert client.get("/admin/categories").status_code == 403
    assert client.post("/admin/categories", data={"slug": "x-y", "name": "XY"}).status_code == 403


def test_anonymous_is_sent_to_login_from_the_category_page(client):
    resp = client.get("/admin/categories")

    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
