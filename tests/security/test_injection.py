"""Injection and uploads: text users type (product and shop names, reasons, notifications, CSV
cells, search terms) is escaped wherever a page shows it; uploaded photos are checked by their
bytes and size, stored under random names, and /uploads/ never serves a file outside its folder."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.notifications.services import notify
from marketplace.ordering.lifecycle import reject_order
from tests.factories import (
    make_category,
    make_civil_servant,
    make_paid_order,
    make_product,
    make_user,
    make_vendor,
)

XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
ATTR = '"><img src=x onerror=alert(1)>'
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _page(client, url) -> str:
    resp = client.get(url)
    assert resp.status_code == 200, (url, resp.status_code, resp.data[:300])
    return resp.get_data(as_text=True)


def _assert_escaped(html: str, url: str = "") -> None:
    assert XSS not in html, url
    assert "<img src=x onerror" not in html, url
    assert ESCAPED in html, url


@pytest.fixture
def xss_shop(app):
    make_category()
    shop = make_vendor(name=XSS, address=XSS, description=XSS)
    product = make_product(shop, name=XSS, description=XSS + ATTR, sku="XSS-1")
    db.session.commit()
    return shop, product


def test_product_and_shop_text_is_escaped_on_every_page_that_shows_it(api, xss_shop):
    shop, product = xss_shop
    buyer = make_civil_servant()
    db.session.commit()
    buyer_client = api(buyer)
    for url in ("/", f"/products/{product.id}", f"/shops/{shop.id}", "/products?q=script"):
        _assert_escaped(_page(buyer_client, url), url)
    buyer_client.put(f"/api/v1/cart/items/{product.id}", json={"quantity": 1})
    _assert_escaped(_page(buyer_client, "/cart"), "/cart")
    owner = api(shop.owner)
    for url in ("/shop/products", f"/shop/products/{product.id}/edit", "/shop/profile"):
        _assert_escaped(_page(owner, url), url)
    admin = api(make_user("admin"))
    _assert_escaped(_page(admin, f"/admin/vendors/{shop.id}"), "admin vendor")


def test_the_search_term_is_escaped_where_it_is_echoed(api, app):
    html = _page(api(), f"/products?q={XSS}")
    assert XSS not in html
    html = _page(api(make_vendor().owner), f"/shop/products?q={XSS}")
    assert XSS not in html


def test_a_rejection_reason_and_order_text_are_escaped_for_the_buyer(api, xss_shop):
    shop, product = xss_shop
    buyer = make_civil_servant()
    order = make_paid_order(buyer, [(product, 1)])
    reject_order(shop.owner, order.id, XSS)
    db.session.commit()
    client = api(buyer)
    for url in (f"/orders/{order.id}", "/orders", "/notifications"):
        html = _page(client, url)
        assert XSS not in html, url
    _assert_escaped(_page(client, f"/orders/{order.id}"))
    slip = _page(api(shop.owner), f"/shop/orders/{order.id}/slip")
    assert XSS not in slip


def test_notification_title_and_body_are_escaped(api, app):
    user = make_user()
    notify(user, "test", XSS, XSS, url="/orders", email=False)
    db.session.commit()
    _assert_escaped(_page(api(user), "/notifications"))


def test_csv_import_cells_are_escaped_in_the_result_table(api, app):
    make_category()
    shop = make_vendor()
    db.session.commit()
    csv_text = f"sku,name,category,unit,price\nA1,{XSS},{XSS},kg,{XSS}\n"
    resp = api(shop.owner)._call(
        "post",
        "/shop/products/import",
        data={"file": (io.BytesIO(csv_text.encode()), "p.csv")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 200, resp.data[:300]
    assert XSS not in resp.get_data(as_text=True)


def test_roster_import_errors_are_escaped(api, app):
    csv_text = (
        "nip,name,email,opd_code,opd_name,position,kelurahan\n"
        f"{XSS},{XSS},{XSS},{XSS},{XSS},{XSS},{XSS}\n"
    )
    resp = api(make_user("admin"))._call(
        "post",
        "/admin/civil-servants/import",
        data={"file": (io.BytesIO(csv_text.encode()), f"{XSS}.csv")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 200, resp.data[:300]
    assert XSS not in resp.get_data(as_text=True)


def test_html_pages_and_api_answers_carry_the_security_headers(api, app):
    client = api()
    for url in ("/", "/api/v1/products", "/api/v1/orders/1", "/no-such-page"):
        resp = client.get(url)
        assert resp.headers["X-Content-Type-Options"] == "nosniff", url
        assert resp.headers["X-Frame-Options"] == "DENY", url
        csp = resp.headers["Content-Security-Policy"]
        for directive in (
            "default-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ):
            assert directive in csp, (url, directive)
        assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0], url


# ---------------------------------------------------------------- uploads
@pytest.fixture
def own_product(api, app):
    make_category()
    product = make_product()
    db.session.commit()
    return api(product.vendor.owner), product


def _upload(client, product_id, content: bytes, filename: str):
    return client._call(
        "post",
        f"/api/v1/vendor/products/{product_id}/image",
        data={"image": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    "content, filename",
    [
        (b"<html><script>alert(1)</script></html>", "foto.png"),
        (b"GIF89a" + b"\x00" * 32, "foto.gif"),
        (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "foto.svg"),
        (b"%PDF-1.4", "foto.jpg"),
    ],
)
def test_an_upload_that_is_not_a_jpeg_png_or_webp_is_refused(own_product, content, filename):
    client, product = own_product
    resp = _upload(client, product.id, content, filename)
    assert resp.status_code == 422, resp.data[:300]
    db.session.expire_all()
    assert db.session.get(Product, product.id).image_path is None


def test_an_upload_over_two_megabytes_is_refused(own_product):
    client, product = own_product
    resp = _upload(client, product.id, PNG + b"\x00" * (2 * 1024 * 1024), "besar.png")
    assert resp.status_code in (413, 422)
    db.session.expire_all()
    assert db.session.get(Product, product.id).image_path is None


def test_an_upload_is_stored_under_a_random_name_not_the_clients(own_product, app):
    client, product = own_product
    resp = _upload(client, product.id, PNG, "../../../../tmp/evil.png")
    assert resp.status_code == 200, resp.data[:300]
    db.session.expire_all()
    stored = db.session.get(Product, product.id).image_path
    assert "evil" not in stored and "/" not in stored and ".." not in stored
    assert stored.endswith(".png")
    folder = Path(app.config["UPLOAD_FOLDER"])
    assert (folder / stored).read_bytes() == PNG
    served = client.get(f"/uploads/{stored}")
    assert served.status_code == 200 and served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.mimetype == "image/png"


@pytest.mark.parametrize(
    "path",
    [
        "../secret.txt",
        "..%2fsecret.txt",
        "%2e%2e/secret.txt",
        "..\\secret.txt",
        "/etc/passwd",
        "%2fetc%2fpasswd",
        "....//secret.txt",
        "sub/../../secret.txt",
    ],
)
def test_uploads_cannot_escape_the_upload_folder(client, app, path):
    folder = Path(app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder.parent / "secret.txt").write_text("RAHASIA")
    # `//etc/passwd` is first redirected to `/uploads/etc/passwd` (merged slashes): follow it.
    resp = client.get(f"/uploads/{path}", follow_redirects=True)
    assert resp.status_code == 404, (path, resp.status_code)
    assert b"RAHASIA" not in resp.data and b"root:" not in resp.data
