"""Shop A can never read or change anything of shop B (answers 404, nothing changes), and only
shopkeepers reach the vendor endpoints (403 for other roles, 401 anonymous)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.ordering.models import Order
from marketplace.shops.models import StockMovement
from tests.factories import make_paid_order, make_product, make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

# (method, url template, body kind): {p} = shop B's product, {o} = shop B's paid order.
FOREIGN_OBJECT_ENDPOINTS = [
    ("GET", "/api/v1/vendor/products/{p}", None),
    (
        "PATCH",
        "/api/v1/vendor/products/{p}",
        {"price": 1, "is_active": False, "name": "Diambil alih"},
    ),
    ("POST", "/api/v1/vendor/products/{p}/image", "image"),
    ("POST", "/api/v1/vendor/products/{p}/stock-adjustments", {"delta": -3, "reason": "curang"}),
    ("GET", "/api/v1/vendor/products/{p}/stock-movements", None),
    ("GET", "/api/v1/vendor/orders/{o}", None),
    ("POST", "/api/v1/vendor/orders/{o}/accept", {}),
    ("POST", "/api/v1/vendor/orders/{o}/reject", {"reason": "curang"}),
    ("POST", "/api/v1/vendor/orders/{o}/ready", {}),
    ("GET", "/shop/products/{p}/edit", None),
    (
        "POST",
        "/shop/products/{p}/edit",
        {"name": "Diambil alih", "price": "1", "category": "sembako", "unit": "kg"},
    ),
    ("POST", "/shop/products/{p}/image", "image"),
    ("POST", "/shop/products/{p}/active", {"active": "0"}),
    ("GET", "/shop/products/{p}/stock", None),
    ("POST", "/shop/products/{p}/stock", {"delta": "-3", "reason": "curang"}),
    ("GET", "/shop/orders/{o}/slip", None),
    ("POST", "/shop/orders/{o}/accept", {}),
    ("POST", "/shop/orders/{o}/reject", {"reason": "curang"}),
    ("POST", "/shop/orders/{o}/ready", {}),
]


def _route_exists(app, method: str, url: str) -> bool:
    adapter = app.url_map.bind("localhost")
    try:
        adapter.match(url, method=method)
        return True
    except Exception:  # noqa: BLE001 (NotFound / MethodNotAllowed from werkzeug)
        return False


def _snapshot(product_id: int, order_id: int):
    db.session.expire_all()
    product = db.session.get(Product, product_id)
    moves = db.session.scalar(
        select(func.count())
        .select_from(StockMovement)
        .where(StockMovement.product_id == product_id)
    )
    order = db.session.get(Order, order_id)
    return (
        product.name,
        product.price,
        product.stock,
        product.is_active,
        product.image_path,
        moves,
        order.status,
        order.refunded_total,
    )


@pytest.mark.parametrize(
    "method, template, body",
    FOREIGN_OBJECT_ENDPOINTS,
    ids=[f"{m} {t}" for m, t, _ in FOREIGN_OBJECT_ENDPOINTS],
)
def test_shop_a_gets_404_for_shop_b_objects_and_nothing_changes(
    app, api, shop, other_shop, method, template, body
):
    theirs = make_product(other_shop, stock=8, name="Beras Tetangga", price=11_000)
    db.session.commit()
    order = make_paid_order(items=[(theirs, 2)])
    url = template.format(p=theirs.id, o=order.id)
    assert _route_exists(app, method, url), f"{method} {url} is not served"
    before = _snapshot(theirs.id, order.id)
    client = api(shop.owner)
    kwargs = {}
    if body == "image":
        kwargs = {
            "data": {"image": (io.BytesIO(PNG), "x.png")},
            "content_type": "multipart/form-data",
        }
    elif template.startswith("/shop") and body is not None:
        kwargs = {"data": body}
    elif body is not None:
        kwargs = {"json": body}
    resp = client._call(method.lower(), url, **kwargs)
    assert resp.status_code == 404, (url, resp.status_code, resp.data[:300])
    assert b"Beras Tetangga" not in resp.data
    assert _snapshot(theirs.id, order.id) == before


VENDOR_ONLY_ENDPOINTS = [
    ("GET", "/api/v1/vendor/shop"),
    ("PATCH", "/api/v1/vendor/shop"),
    ("GET", "/api/v1/vendor/products"),
    ("POST", "/api/v1/vendor/products"),
    ("GET", "/api/v1/vendor/products/{p}"),
    ("PATCH", "/api/v1/vendor/products/{p}"),
    ("POST", "/api/v1/vendor/products/{p}/image"),
    ("POST", "/api/v1/vendor/products/{p}/stock-adjustments"),
    ("GET", "/api/v1/vendor/products/{p}/stock-movements"),
    ("POST", "/api/v1/vendor/products/import"),
    ("GET", "/api/v1/vendor/products/import-template"),
    ("GET", "/api/v1/vendor/sales-report"),
    ("GET", "/api/v1/vendor/business-class"),
    ("GET", "/shop"),
    ("GET", "/shop/products"),
    ("GET", "/shop/orders"),
    ("GET", "/shop/pick-list"),
    ("GET", "/shop/sales"),
    ("POST", "/shop/products/{p}/stock"),
]


@pytest.mark.parametrize("role", ["civil_servant", "public", "finance", "admin"])
def test_other_roles_are_forbidden_from_every_vendor_endpoint(app, api, product, role):
    client = api(make_user(role))
    for method, template in VENDOR_ONLY_ENDPOINTS:
        url = template.format(p=product.id)
        kwargs = (
            {"json": {"delta": -10, "reason": "curang"}}
            if template.startswith("/api") and method != "GET"
            else {}
        )
        if template.startswith("/shop") and method == "POST":
            kwargs = {"data": {"delta": "-10", "reason": "curang"}}
        resp = client._call(method.lower(), url, **kwargs)
        assert resp.status_code == 403, (role, method, url, resp.status_code)
    db.session.expire_all()
    assert db.session.get(Product, product.id).stock == 10


def test_anonymous_callers_get_401_from_the_api_and_the_login_page_from_shop_pages(api, product):
    anonymous = api()
    for method, template in VENDOR_ONLY_ENDPOINTS:
        url = template.format(p=product.id)
        resp = anonymous._call(method.lower(), url)
        if url.startswith("/api"):
            assert resp.status_code == 401 and resp.json["error"]["code"] == "not_authenticated"
        else:
            assert resp.status_code in (302, 303) and "/login" in resp.headers["Location"]


def test_lists_and_reports_of_shop_a_never_include_shop_b(api, shop, other_shop):
    mine = make_product(shop, name="Beras Saya", stock=5, price=10_000)
    theirs = make_product(other_shop, name="Beras Tetangga", stock=5, price=33_000)
    db.session.commit()
    make_paid_order(items=[(theirs, 2)])
    make_paid_order(items=[(mine, 1)])
    client = api(shop.owner)
    products = client.get("/api/v1/vendor/products").json
    assert [p["name"] for p in products["items"]] == ["Beras Saya"]
    assert client.get("/api/v1/vendor/products?q=tetangga").json["total"] == 0
    report = client.get("/api/v1/vendor/sales-report").json
    assert report["totals"]["gross"] == 10_000
    assert client.get("/api/v1/vendor/business-class").json["rolling_12m_sales"] == 10_000
    orders = client.get("/api/v1/vendor/orders")
    if orders.status_code == 200:
        assert {o["vendor"]["id"] for o in orders.json["items"]} == {shop.id}
    assert "Beras Tetangga" not in client.get("/shop/orders").get_data(as_text=True)
    assert "Beras Tetangga" not in client.get("/shop").get_data(as_text=True)
