"""The nota retur of a refund of a PKP shop's sale: who may see it (page and PDF), what it says,
and the finance page's refund by line."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.ordering.models import Order
from marketplace.ordering.refunds import refund_order
from marketplace.payments.models import Refund
from marketplace.timeutil import year_of
from tests.documents import pdf_text
from tests.factories import (
    make_civil_servant,
    make_paid_order,
    make_product,
    make_user,
    make_vendor,
)


def _pkp_refund(pkp: bool = True):
    shop = make_vendor(pkp=pkp, npwp="01.234.567.8-901.000", name="Toko Sumber Rejeki")
    tempe = make_product(shop, price=14_500, name="Tempe Lokal")
    keju = make_product(shop, price=69_000, name="Keju Impor", is_pdn=False)
    buyer = make_civil_servant(name="Siti Pembeli")
    order = make_paid_order(buyer, [(tempe, 2), (keju, 1)])
    tempe_line = next(ln for ln in order.lines if ln.name == "Tempe Lokal")
    refund = refund_order(
        make_user("finance"),
        order.id,
        None,
        "Tempe basi",
        lines=[{"order_line_id": tempe_line.id, "quantity": 1}],
    )
    return order, refund


def _url(refund, pdf=False):
    return f"/refunds/{refund.id}/nota-retur" + (".pdf" if pdf else "")


@pytest.mark.parametrize("who", ["buyer", "shop", "finance", "admin"])
def test_the_buyer_the_shop_and_finance_see_the_credit_note_and_its_pdf(client, login, who):
    order, refund = _pkp_refund()
    user = {
        "buyer": order.buyer,
        "shop": order.vendor.owner,
        "finance": make_user("finance"),
        "admin": make_user("admin"),
    }[who]
    db.session.commit()
    login(client, user)
    page = client.get(_url(refund))
    html = page.get_data(as_text=True)
    number = f"NR-{year_of(refund.created_at)}-{refund.id:06d}"
    assert page.status_code == 200
    assert number in html and order.number in html
    assert "Toko Sumber Rejeki" in html and "01.234.567.8-901.000" in html
    assert "Siti Pembeli" in html and order.buyer.nip in html
    assert "Tempe Lokal" in html and "Keju Impor" not in html
    # Rp14.500 returned: PPN 1.437 (11/111, half-up), DPP the rest
    assert re.search(r'data-testid="ppn">Rp1\.437<', html)
    assert re.search(r'data-testid="dpp">Rp13\.063<', html)
    assert "Tempe basi" in html
    pdf = client.get(_url(refund, pdf=True))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert f'filename="{number}.pdf"' in pdf.headers["Content-Disposition"]
    assert pdf.headers["Cache-Control"] == "no-store"
    text = pdf_text(pdf.data)
    assert number in text and order.number in text
    assert "Toko Sumber Rejeki" in text and "01.234.567.8-901.000" in text
    assert "Siti Pembeli" in text and order.buyer.nip in text
    assert "Tempe Lokal" in text and "Keju Impor" not in text
    assert "1 kg" in text and "Rp14.500" in text and "Tempe basi" in text
    assert "Rp13.063" in text and "Rp1.437" in text
    assert "empat belas ribu lima ratus rupiah" in text


@pytest.mark.parametrize("who", ["other_buyer", "other_shop"])
def test_other_buyers_and_shops_get_404(client, login, who):
    _order, refund = _pkp_refund()
    user = make_civil_servant() if who == "other_buyer" else make_vendor().owner
    db.session.commit()
    login(client, user)
    assert client.get(_url(refund)).status_code == 404
    assert client.get(_url(refund, pdf=True)).status_code == 404


def test_an_unknown_refund_is_404_even_for_finance(client, login):
    finance = make_user("finance")
    db.session.commit()
    login(client, finance)
    assert client.get("/refunds/999999/nota-retur").status_code == 404


def test_a_shop_that_is_not_pkp_has_no_credit_note(client, login):
    order, refund = _pkp_refund(pkp=False)
    finance = make_user("finance")
    db.session.commit()
    login(client, finance)
    resp = client.get(_url(refund))
    assert resp.status_code == 404
    assert "bukan PKP" in resp.get_data(as_text=True)
    assert client.get(_url(refund, pdf=True)).status_code == 404
    page = client.get(f"/finance/orders/{order.id}").get_data(as_text=True)
    assert "nota-retur" not in page


def test_anonymous_visitors_are_sent_to_log_in(client):
    _order, refund = _pkp_refund()
    db.session.commit()
    resp = client.get(_url(refund))
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_credit_notes_are_linked_where_refunds_are_shown(client, login):
    order, refund = _pkp_refund()
    finance = make_user("finance")
    db.session.commit()
    link = _url(refund)
    login(client, finance)
    assert link in client.get(f"/finance/orders/{order.id}").get_data(as_text=True)
    login(client, order.buyer)
    assert link in client.get(f"/orders/{order.id}").get_data(as_text=True)
    login(client, order.vendor.owner)
    assert link in client.get(f"/shop/orders/{order.id}/slip").get_data(as_text=True)


def test_pages_show_the_vat_net_of_the_refunded_lines(client, login):
    order, _refund = _pkp_refund()
    finance = make_user("finance")
    db.session.commit()
    login(client, finance)
    html = client.get(f"/finance/orders/{order.id}").get_data(as_text=True)
    net = order.vat_total - 1_437
    assert f'data-testid="vat">Rp{net:,}'.replace(",", ".") in html


# ----------------------------------------------------------------- the finance form by line
def test_finance_refunds_chosen_lines_from_the_page(client, login):
    shop = make_vendor()
    order = make_paid_order(
        items=[(make_product(shop, price=5_000), 3), (make_product(shop, price=20_000), 1)]
    )
    first, second = order.lines
    finance = make_user("finance")
    db.session.commit()
    login(client, finance)
    url = f"/finance/orders/{order.id}"
    form = client.get(url).get_data(as_text=True)
    assert f'name="qty-{first.id}"' in form and f'name="amt-{second.id}"' in form
    resp = client.post(
        f"{url}/refunds",
        data={
            "mode": "lines",
            "amount": "35000",  # ignored: the lines say what is refunded
            f"qty-{first.id}": "2",
            f"amt-{second.id}": "1500",
            "reason": "Dua rusak, satu penyok",
        },
        headers={"Referer": url},
    )
    assert resp.status_code == 302
    db.session.expire_all()
    refund = db.session.scalar(select(Refund).where(Refund.order_id == order.id))
    assert refund.amount == 11_500
    assert {(rl.order_line_id, rl.quantity, rl.amount) for rl in refund.lines} == {
        (first.id, 2, 10_000),
        (second.id, None, 1_500),
    }


@pytest.mark.parametrize(
    "fields",
    [
        {},  # no line chosen
        {"qty": "1", "amt": "100"},  # both on one line
        {"qty": "4"},  # more than bought
        {"qty": "x"},
        {"amt": "15001"},
        {"amt": "-1"},
    ],
)
def test_a_bad_line_refund_from_the_page_is_refused_with_a_message_and_nothing_changes(
    client, login, fields
):
    order = make_paid_order(items=[(make_product(price=5_000), 3)])
    line = order.lines[0]
    finance = make_user("finance")
    db.session.commit()
    login(client, finance)
    url = f"/finance/orders/{order.id}"
    data = {"mode": "lines", "reason": "coba"}
    data.update({f"{k}-{line.id}": v for k, v in fields.items()})
    resp = client.post(f"{url}/refunds", data=data, headers={"Referer": url})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(url)
    assert db.session.scalar(select(func.count()).select_from(Refund)) == 0
    db.session.expire_all()
    assert db.session.get(Order, order.id).refunded_total == 0
    assert "flash-error" in client.get(url).get_data(as_text=True)
