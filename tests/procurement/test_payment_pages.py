"""The treasurer's pages (pay from the request page, the withheld taxes and their deposit) and the
documents of a paid office's order (invoice, kwitansi, bukti potong) as pages and PDFs, read back
with the right numbers; the office and the order's shop see them, nobody else."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.ledger.queries import ledger_balances
from marketplace.procurement.payment_models import OpdPayment, TaxDeposit
from marketplace.timeutil import today_local
from tests.documents import pdf_text
from tests.factories import make_product, make_vendor
from tests.procurement.payment_helpers import delivered_purchase, make_treasurer, sp2d


@pytest.fixture
def pkp_shop(office):
    shop = make_vendor(name="CV Sumber Makmur", pkp=True, npwp="01.234.567.8-901.000")
    shop.large = make_product(shop, name="Paket sembako besar", price=12_000_000, stock=5)
    db.session.commit()
    return shop


def _csrf(client, url):
    html = client.get(url).get_data(as_text=True)
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def test_the_treasurer_pays_from_the_request_page_and_deposits_from_the_taxes_page(
    app, client, login, api, office, pkp_shop
):
    app.config["OPD_TAX_REGIME"] = "treasurer"
    req, orders = delivered_purchase(api, office, [(pkp_shop.large, 1)])
    order = orders[pkp_shop.id]
    login(client, office.treasurer)
    page = f"/opd/requests/{req['id']}"
    token = _csrf(client, page)
    resp = client.post(
        f"{page}/pay",
        data={
            "csrf_token": token,
            "order_id": "",
            "method": "sp2d",
            "reference": "00777/SP2D/LS/2026",
            "paid_on": today_local().isoformat(),
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    html = client.get(page).get_data(as_text=True)
    assert f'data-testid="paid-{order.id}"' in html and "00777/SP2D/LS/2026" in html
    assert 'data-testid="pay-form"' not in html  # nothing left to pay
    payment = db.session.scalar(select(OpdPayment))
    assert (payment.method, payment.pph22, payment.net_payable) == ("sp2d", 162_162, 10_648_649)

    taxes = client.get("/opd/taxes").get_data(as_text=True)
    assert 'data-testid="owed-pph22"' in taxes and "162.162" in taxes and "1.189.189" in taxes
    resp = client.post(
        "/opd/taxes/deposit",
        data={
            "csrf_token": _csrf(client, "/opd/taxes"),
            "tax": "pph22",
            "ntpn": "AB12CD34EF56GH78",
            "deposited_on": today_local().isoformat(),
        },
    )
    assert resp.status_code == 302
    deposit = db.session.scalar(select(TaxDeposit))
    assert (deposit.ntpn, deposit.amount) == ("AB12CD34EF56GH78", 162_162)
    assert ledger_balances()["total"] == 0
    # A bad NTPN from the form is refused with the field named, nothing recorded.
    resp = client.post(
        "/opd/taxes/deposit",
        data={
            "csrf_token": _csrf(client, "/opd/taxes"),
            "tax": "ppn",
            "ntpn": "123",
            "deposited_on": today_local().isoformat(),
        },
    )
    assert resp.status_code in (302, 422)
    assert db.session.query(TaxDeposit).count() == 1


def test_other_roles_see_the_taxes_but_get_no_form(client, login, api, office, pkp_shop):
    req, _orders = delivered_purchase(api, office, [(pkp_shop.large, 1)])
    login(client, office.head)
    html = client.get(f"/opd/requests/{req['id']}").get_data(as_text=True)
    assert 'data-testid="request-taxes"' in html and 'data-testid="pay-form"' not in html
    token = _csrf(client, f"/opd/requests/{req['id']}")
    resp = client.post(
        f"/opd/requests/{req['id']}/pay",
        data={
            "csrf_token": token,
            "method": "sp2d",
            "reference": "1",
            "paid_on": today_local().isoformat(),
        },
    )
    assert resp.status_code == 403
    assert db.session.query(OpdPayment).count() == 0
    assert "deposit-form" not in client.get("/opd/taxes").get_data(as_text=True)


def _paid(app, api, office, shop):
    app.config["OPD_TAX_REGIME"] = "treasurer"
    req, orders = delivered_purchase(api, office, [(shop.large, 1)])
    resp = api(office.treasurer).post(f"/api/v1/opd/requests/{req['id']}/payments", json=sp2d())
    assert resp.status_code == 201, resp.get_json()
    return req, orders[shop.id]


def test_the_documents_read_back_with_the_right_numbers(app, client, login, api, office, pkp_shop):
    _req, order = _paid(app, api, office, pkp_shop)
    login(client, office.head)
    invoice = pdf_text(client.get(f"/opd/orders/{order.id}/invoice.pdf").data)
    assert f"INV-{order.number}" in invoice and "CV Sumber Makmur" in invoice
    for amount in ("12.000.000", "10.810.811", "1.189.189", "162.162", "10.648.649"):
        assert amount in invoice, amount
    receipt_resp = client.get(f"/opd/orders/{order.id}/kwitansi.pdf")
    assert receipt_resp.mimetype == "application/pdf"
    receipt = pdf_text(receipt_resp.data)
    assert "dua belas juta rupiah" in receipt
    assert "00123/SP2D/LS/2026" in receipt and "10.648.649" in receipt
    slip = pdf_text(client.get(f"/opd/orders/{order.id}/bukti-potong.pdf").data)
    for text in ("22-910-01", "10.810.811", "1,5%", "162.162", "Rina Bendahara"):
        assert text in slip, text
    # The pages say the same.
    html = client.get(f"/opd/orders/{order.id}/bukti-potong").get_data(as_text=True)
    assert 'data-testid="slip-pph22"' in html and "162.162" in html


def test_the_shop_sees_its_documents_and_nobody_else_does(
    app, client, login, api, office, pkp_shop
):
    _req, order = _paid(app, api, office, pkp_shop)
    paths = [
        f"/opd/orders/{order.id}/{doc}{ext}"
        for doc in ("invoice", "kwitansi", "bukti-potong")
        for ext in ("", ".pdf")
    ]
    login(client, pkp_shop.owner)
    for path in paths:
        assert client.get(path).status_code == 200, path
    client.post("/logout")
    make_treasurer(office.other_ppk)
    for outsider in (office.shop_b.owner, office.other_ppk, office.plain):
        with app.test_client() as other:
            login(other, outsider)
            for path in paths:
                assert other.get(path).status_code == 404, (outsider.name, path)


def test_no_kwitansi_before_payment_and_no_slip_without_pph(app, client, login, api, office):
    app.config["OPD_TAX_REGIME"] = "treasurer"
    _req, orders = delivered_purchase(api, office, [(office.water, 3)])
    order = orders[office.shop_b.id]
    login(client, office.officer)
    assert client.get(f"/opd/orders/{order.id}/invoice").status_code == 200
    assert client.get(f"/opd/orders/{order.id}/kwitansi").status_code == 404
    assert (
        api(office.treasurer)
        .post(f"/api/v1/opd/requests/{_req['id']}/payments", json=sp2d())
        .status_code
        == 201
    )
    assert client.get(f"/opd/orders/{order.id}/kwitansi").status_code == 200
    assert client.get(f"/opd/orders/{order.id}/bukti-potong").status_code == 404


def test_another_offices_treasurer_cannot_pay_from_the_page(
    app, client, login, api, office, pkp_shop
):
    req, _orders = delivered_purchase(api, office, [(pkp_shop.large, 1)])
    make_treasurer(office.other_ppk)
    login(client, office.other_ppk)
    assert client.get(f"/opd/requests/{req['id']}").status_code == 404
    resp = client.post(
        f"/opd/requests/{req['id']}/pay",
        data={
            "csrf_token": _csrf(client, "/opd/taxes"),
            "method": "sp2d",
            "reference": "1",
            "paid_on": today_local().isoformat(),
        },
    )
    assert resp.status_code == 404
    assert db.session.query(OpdPayment).count() == 0


def test_the_shops_orders_page_links_its_invoice_and_kwitansi(
    app, client, login, api, office, pkp_shop
):
    _req, order = _paid(app, api, office, pkp_shop)
    login(client, pkp_shop.owner)
    html = client.get("/shop/orders?tab=completed").get_data(as_text=True)  # delivered sit there
    assert f"/opd/orders/{order.id}/invoice" in html
    assert f"/opd/orders/{order.id}/kwitansi" in html


def test_the_kwitansi_page_in_english(app, client, login, api, office, pkp_shop):
    _req, order = _paid(app, api, office, pkp_shop)
    login(client, office.officer)
    page = client.get("/language/en").get_data(as_text=True)
    marker = 'name="csrf_token" value="'
    token = page[page.index(marker) + len(marker) :].split('"', 1)[0]
    client.post("/language/en", data={"csrf_token": token})
    html = client.get(f"/opd/orders/{order.id}/kwitansi").get_data(as_text=True)
    assert "Received from" in html and "Spending treasurer" in html
    assert "dua belas juta rupiah" in html  # the amount in words stays Indonesian, as written
