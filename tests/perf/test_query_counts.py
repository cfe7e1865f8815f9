"""How many SQL statements the buyer's hot requests issue (never how long they take).

An N+1 (a query per product, per cart line, per order) shows up here as a count that grows with
the data, deterministically on any machine; speed itself is measured by bench/ against a floor.
`BEGIN` is left out so the numbers are the same on SQLite (which issues `BEGIN IMMEDIATE`
itself) and PostgreSQL. The bounds have a little headroom over what was measured when written.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from marketplace.extensions import db
from tests import factories as f


@contextmanager
def count_statements():
    """Collects the statements sent to the database inside the block."""
    seen: list[str] = []

    def on_execute(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith("BEGIN"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", on_execute)


def _catalog(n_products: int, n_vendors: int = 5):
    f.make_area("Gubeng", "Gubeng")
    vendors = [f.make_vendor() for _ in range(n_vendors)]
    products = [
        f.make_product(vendors[i % n_vendors], stock=50, name=f"Beras Pandan {i}")
        for i in range(n_products)
    ]
    buyer = f.make_civil_servant(kelurahan="Gubeng")
    db.session.commit()
    return vendors, products, buyer


def _count(client_call) -> int:
    client_call()  # warm: the first use of a token records last_used_at
    with count_statements() as seen:
        resp = client_call()
    assert resp.status_code < 400, resp.get_data(as_text=True)[:300]
    return len(seen)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/products?q=beras&sort=nearest&per_page=100",
        "/api/v1/products?sort=price&per_page=100",
        "/products",
        "/",
    ],
)
def test_listing_statements_do_not_grow_with_the_number_of_products(app, api, path):
    _, _, buyer = _catalog(5)
    client = api(buyer)
    few = _count(lambda: client.get(path))
    _catalog(40)
    many = _count(lambda: client.get(path))
    assert many == few, f"{path}: {few} statements for 5 products, {many} for 45"
    # home: categories + three highlight lists; every page also reads the city's stored
    # settings once (marketplace.city), and /products the city's areas for its filter; a civil
    # servant's navigation asks once whether they hold an office role (procurement), and their
    # mandate widget reads the position mapping, then its one statement
    assert few <= {"/": 21, "/products": 12}.get(path, 9)


def test_product_detail_is_a_handful_of_statements(app, api):
    _, products, buyer = _catalog(3)
    client = api(buyer)
    assert _count(lambda: client.get(f"/api/v1/products/{products[0].id}")) <= 6


def test_cart_update_does_not_grow_with_the_lines_in_the_cart(app, api):
    _, products, buyer = _catalog(8, n_vendors=4)
    client = api(buyer)
    one_line = _count(
        lambda: client.put(f"/api/v1/cart/items/{products[0].id}", json={"quantity": 1})
    )
    for p in products[1:6]:  # five more lines from four shops
        client.put(f"/api/v1/cart/items/{p.id}", json={"quantity": 1})
    six_lines = _count(
        lambda: client.put(f"/api/v1/cart/items/{products[0].id}", json={"quantity": 2})
    )
    assert six_lines == one_line
    assert one_line <= 14


def _checkout_and_pay(client, products) -> tuple[int, int]:
    for p in products:
        client.put(f"/api/v1/cart/items/{p.id}", json={"quantity": 1})
    with count_statements() as checkout:
        resp = client.post(
            "/api/v1/checkout",
            json={"fulfilment": "pickup", "payment_method": "sandbox"},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
    assert resp.status_code == 201, resp.get_json()
    payment = resp.get_json()["payment"]["id"]
    with count_statements() as pay:
        resp = client.post(
            f"/api/v1/payments/{payment}/sandbox-confirm", json={"outcome": "succeeded"}
        )
    assert resp.status_code == 200, resp.get_json()
    return len(checkout), len(pay)


def test_checkout_and_payment_grow_by_a_bounded_constant_per_shop(app, api):
    vendors = [f.make_vendor() for _ in range(3)]
    one = [f.make_product(vendors[0], stock=50)]
    three = [f.make_product(v, stock=50) for v in vendors]
    buyer = f.make_civil_servant()
    db.session.commit()
    client = api(buyer)
    client.get("/api/v1/cart")  # warm the token
    checkout_1, pay_1 = _checkout_and_pay(client, one)
    checkout_3, pay_3 = _checkout_and_pay(client, three)
    # Per extra shop: its stock UPDATE, order, number, line, event and stock movement (checkout);
    # its order's event and spending record, then the shop's notification, sent after the commit,
    # which re-reads the order with its shop, owner, lines and events (payment).
    assert checkout_1 <= 28, checkout_1
    assert (checkout_3 - checkout_1) / 2 <= 7, (checkout_1, checkout_3)
    assert pay_1 <= 28, pay_1
    assert (pay_3 - pay_1) / 2 <= 10, (pay_1, pay_3)


def test_checkout_lines_of_one_shop_do_not_reload_products(app, api):
    vendor = f.make_vendor()
    products = [f.make_product(vendor, stock=50) for _ in range(4)]
    buyer = f.make_civil_servant()
    db.session.commit()
    client = api(buyer)
    client.get("/api/v1/cart")
    checkout_1, _ = _checkout_and_pay(client, products[:1])
    checkout_4, _ = _checkout_and_pay(client, products)
    # Three more lines: three stock UPDATEs (the conditional take), three inserts of lines and
    # of stock movements batched by the ORM — never a SELECT per product.
    assert checkout_4 - checkout_1 <= 3 * 3, (checkout_1, checkout_4)
