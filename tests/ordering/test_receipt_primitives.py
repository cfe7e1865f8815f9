"""Receipts state their total in words (terbilang), and the parties of an order reach each other
on WhatsApp: the buyer sees the shop's number, the shop the buyer's, nobody else either."""

from __future__ import annotations

import pytest

from marketplace.extensions import db
from marketplace.ordering.refunds import refund_order
from tests.documents import pdf_text
from tests.factories import (
    make_civil_servant,
    make_paid_order,
    make_product,
    make_user,
    make_vendor,
)


def _order(shop_phone="0812-3456-7890", buyer_phone="0856 1234 5678", price=750_000):
    shop = make_vendor(name="Warung Bu Sri", phone=shop_phone, pkp=True, npwp="012345678901000")
    buyer = make_civil_servant(name="Siti Pembeli")
    buyer.phone = buyer_phone and "+62" + buyer_phone.replace(" ", "")[1:]
    order = make_paid_order(buyer, [(make_product(shop, price=price, stock=5), 2)])
    db.session.commit()
    return order


# ---------------------------------------------------------------- terbilang
def test_the_buyers_order_page_and_the_shops_slip_state_the_total_in_words(client, login):
    order = _order()  # 2 × Rp750.000
    login(client, order.buyer)
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Rp1.500.000" in page and "satu juta lima ratus ribu rupiah" in page
    login(client, order.vendor.owner)
    slip = client.get(f"/shop/orders/{order.id}/slip").get_data(as_text=True)
    assert "satu juta lima ratus ribu rupiah" in slip


def test_the_credit_note_states_the_amount_returned_in_words(client, login):
    order = _order()
    refund = refund_order(make_user("finance"), order.id, 1_500_000, "toko tutup")
    db.session.commit()
    login(client, order.buyer)
    page = client.get(f"/refunds/{refund.id}/nota-retur").get_data(as_text=True)
    assert "satu juta lima ratus ribu rupiah" in page
    assert "01.234.567.8-901.000" in page
    pdf = pdf_text(client.get(f"/refunds/{refund.id}/nota-retur.pdf").data)
    assert "Terbilang: satu juta lima ratus ribu rupiah" in pdf
    assert "NPWP 01.234.567.8-901.000" in pdf and "Rp1.500.000" in pdf


# ---------------------------------------------------------------- WhatsApp between the parties
def test_the_buyer_sees_a_whatsapp_link_to_the_shop_of_their_order(client, login):
    order = _order()
    login(client, order.buyer)
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert 'href="https://wa.me/6281234567890"' in page
    assert "0812-3456-7890" in page


def test_the_shop_sees_a_whatsapp_link_to_the_buyer_of_its_order(client, login):
    order = _order()
    login(client, order.vendor.owner)
    page = client.get("/shop/orders?tab=paid").get_data(as_text=True)
    assert f'data-testid="buyer-whatsapp-{order.id}"' in page
    assert 'href="https://wa.me/6285612345678"' in page
    assert "0856-1234-5678" in page


def test_a_landline_shows_the_number_without_a_whatsapp_link(client, login):
    order = _order(shop_phone="(031) 555-1234")
    login(client, order.buyer)
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "(031) 5551234" in page and "wa.me" not in page


@pytest.mark.parametrize("who", ["other_buyer", "other_shop"])
def test_nobody_outside_the_order_sees_either_number(client, login, who):
    order = _order()
    stranger = make_civil_servant() if who == "other_buyer" else make_vendor().owner
    db.session.commit()
    login(client, stranger)
    assert client.get(f"/orders/{order.id}").status_code in (403, 404)
    for url in ("/orders", "/shop/orders", "/shop/orders?tab=paid"):
        resp = client.get(url)
        body = resp.get_data(as_text=True)
        assert "6281234567890" not in body and "6285612345678" not in body
        assert "0856-1234-5678" not in body
