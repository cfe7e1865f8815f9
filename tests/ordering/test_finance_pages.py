"""Finance's pages to find an order and refund it (full or partial, with a reason)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.ordering.models import Order
from marketplace.payments.models import Refund
from tests.factories import (
    make_civil_servant,
    make_completed_order,
    make_paid_order,
    make_product,
    make_user,
)


def _order(order_id: int) -> Order:
    db.session.expire_all()
    return db.session.get(Order, order_id)


def test_finance_finds_orders_by_number_prefix_and_status(client, login):
    paid = make_paid_order()
    done = make_completed_order()
    finance = make_user("finance")
    db.session.commit()
    login(client, finance)
    page = client.get("/finance/orders").get_data(as_text=True)
    assert paid.number in page and done.number in page
    assert page.index(done.number) < page.index(paid.number)  # newest first
    exact = client.get(f"/finance/orders?q={paid.number}").get_data(as_text=True)
    assert paid.number in exact and done.number not in exact
    prefix = client.get(f"/finance/orders?q={paid.number[:-2].lower()}").get_data(as_text=True)
    assert paid.number in prefix
    completed = client.get("/finance/orders?status=completed").get_data(as_text=True)
    assert done.number in completed and paid.number not in completed
    none = client.get("/finance/orders?q=PKN-000000-9").get_data(as_text=True)
    assert "Tidak ada pesanan yang cocok" in none


def test_the_finance_dashboard_links_to_the_order_search(client, login):
    login(client, make_user("admin"))
    db.session.commit()
    assert "/finance/orders" in client.get("/finance").get_data(as_text=True)


def test_finance_sees_the_order_with_money_and_a_refund_form_prefilled_with_the_remainder(
    client, login
):
    order = make_paid_order(
        make_civil_servant(name="Budi Pembeli"), [(make_product(price=25_000), 2)]
    )
    finance = make_user("finance")
    db.session.commit()
    login(client, finance)
    resp = client.get(f"/finance/orders/{order.id}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert order.number in html and "Budi Pembeli" in html and order.vendor.name in html
    assert "Rp50.000" in html and 'data-testid="timeline"' in html
    assert 'name="amount"' in html and 'value="50000"' in html and "data-confirm=" in html
    assert 'name="csrf_token"' in html and 'name="reason"' in html


def test_a_partial_refund_through_the_page_records_the_amount_and_reason(client, login):
    order = make_paid_order(items=[(make_product(price=30_000), 1)])
    finance = make_user("finance")
    db.session.commit()
    login(client, finance)
    url = f"/finance/orders/{order.id}"
    resp = client.post(
        f"{url}/refunds",
        data={"amount": "10000", "reason": "Barang rusak sebagian"},
        headers={"Referer": url},
    )
    assert resp.status_code == 302 and resp.headers["Location"].endswith(url)
    assert _order(order.id).refunded_total == 10_000
    refund = db.session.scalar(select(Refund).where(Refund.order_id == order.id))
    assert (refund.amount, refund.reason) == (10_000, "Barang rusak sebagian")
    page = client.get(url).get_data(as_text=True)
    assert "Pengembalian dana Rp10.000 dicatat" in page
    assert "Barang rusak sebagian" in page and 'value="20000"' in page


def test_a_full_refund_leaves_nothing_to_refund_and_hides_the_form(client, login):
    order = make_completed_order(items=[(make_product(price=12_000), 1)])
    finance = make_user("finance")
    db.session.commit()
    login(client, finance)
    url = f"/finance/orders/{order.id}"
    client.post(
        f"{url}/refunds",
        data={"amount": "12000", "reason": "Dibatalkan bersama"},
        headers={"Referer": url},
    )
    assert _order(order.id).refunded_total == 12_000
    html = client.get(url).get_data(as_text=True)
    assert 'data-testid="refund-form"' not in html
    assert "tidak dapat dikembalikan dananya lagi" in html


@pytest.mark.parametrize(
    "amount, reason",
    [
        ("30001", "Terlalu banyak"),
        ("0", "Nol"),
        ("-5", "Negatif"),
        ("abc", "Bukan angka"),
        ("1.5", "Pecahan"),
        ("1000", "   "),
    ],
)
def test_a_bad_amount_or_missing_reason_is_refused_and_nothing_changes(
    client, login, amount, reason
):
    order = make_paid_order(items=[(make_product(price=30_000), 1)])
    finance = make_user("finance")
    db.session.commit()
    login(client, finance)
    url = f"/finance/orders/{order.id}"
    resp = client.post(
        f"{url}/refunds", data={"amount": amount, "reason": reason}, headers={"Referer": url}
    )
    assert resp.status_code == 302 and resp.headers["Location"].endswith(url)
    assert _order(order.id).refunded_total == 0
    assert db.session.scalar(select(func.count()).select_from(Refund)) == 0
    page = client.get(url).get_data(as_text=True)
    assert "flash-error" in page


@pytest.mark.parametrize("role", ["civil_servant", "public", "vendor"])
def test_other_roles_get_403_and_cannot_refund(client, login, role):
    order = make_paid_order()
    user = (
        order.buyer
        if role == "civil_servant"
        else (order.vendor.owner if role == "vendor" else make_user("public"))
    )
    db.session.commit()
    login(client, user)
    assert client.get("/finance/orders").status_code == 403
    assert client.get(f"/finance/orders/{order.id}").status_code == 403
    resp = client.post(f"/finance/orders/{order.id}/refunds", data={"amount": "1", "reason": "x"})
    assert resp.status_code == 403
    assert _order(order.id).refunded_total == 0


def test_an_admin_reads_the_order_but_sees_no_refund_form_and_cannot_refund(client, login):
    order = make_paid_order(items=[(make_product(price=30_000), 1)])
    admin = make_user("admin")
    db.session.commit()
    login(client, admin)
    url = f"/finance/orders/{order.id}"
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and order.number in html
    assert 'data-testid="refund-form"' not in html and "/refunds" not in html
    assert "Pengembalian dana dilakukan oleh bagian keuangan." in html
    resp = client.post(f"{url}/refunds", data={"amount": "1000", "reason": "x"})
    assert resp.status_code == 403
    assert _order(order.id).refunded_total == 0
    assert db.session.scalar(select(func.count()).select_from(Refund)) == 0


def test_anonymous_visitors_are_sent_to_the_login_form(client):
    resp = client.get("/finance/orders")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_an_absent_order_is_404(client, login):
    login(client, make_user("finance"))
    db.session.commit()
    assert client.get("/finance/orders/999999").status_code == 404
    resp = client.post("/finance/orders/999999/refunds", data={"amount": "1", "reason": "x"})
    assert resp.status_code == 404


def test_a_cancelled_order_shows_no_refund_form(client, login):
    order = make_paid_order()
    finance = make_user("finance")
    db.session.commit()
    login(client, finance)
    # a cancelled order was refunded in full already: nothing remains, no form
    from marketplace.ordering.lifecycle import cancel_order

    cancel_order(order.buyer, order.id)
    html = client.get(f"/finance/orders/{order.id}").get_data(as_text=True)
    assert 'data-testid="refund-form"' not in html
