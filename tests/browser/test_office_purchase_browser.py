"""An office purchase end to end through the pages (issue 12, deliverable 8): the officer fills
the office cart from two local shops and submits it with the budget line, activity and purpose;
the PPK (another person) approves; each shop accepts and records the delivery from its orders
page; the officer makes each BAST and uploads its signed scan; the treasurer pays by SP2D; the
request page's SPJ links answer a PDF and a ZIP. Every step waits for what the page shows."""

from __future__ import annotations

import io
import zipfile
from types import SimpleNamespace

from playwright.sync_api import expect
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.ordering.models import Order
from marketplace.timeutil import today_local
from tests.documents import pdf_text
from tests.procurement.conftest import BUDGET_LINE, office  # noqa: F401 (the fixture)

SCAN = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
SP2D = "00901/SP2D/LS/2026"


def _as(page, live_server, browser_login, user) -> None:
    page.goto(f"{live_server}/logout")
    page.context.clear_cookies()
    browser_login(page, user)


def _add(page, live_server, product, quantity: int) -> None:
    page.goto(f"{live_server}/opd/cart?q={product.name.split()[0]}")
    row = page.locator(f"[data-testid=found-{product.id}]")
    row.locator(f"#add-{product.id}").fill(str(quantity))
    row.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=office-cart]")).to_contain_text(product.name)


def test_an_office_buys_from_two_shops_and_downloads_the_spj_through_the_pages(
    app, request, page, live_server, browser_login, tmp_path
):
    bought = request.getfixturevalue("office")  # tests.procurement.conftest's
    people = {
        key: SimpleNamespace(email=user.email, name=user.name)
        for key, user in (
            ("officer", bought.officer),
            ("ppk", bought.ppk),
            ("treasurer", bought.treasurer),
            ("shop_a", bought.shop_a.owner),
            ("shop_b", bought.shop_b.owner),
        )
    }
    rice = SimpleNamespace(id=bought.rice.id, name=bought.rice.name)
    water = SimpleNamespace(id=bought.water.id, name=bought.water.name)
    shop_ids = (bought.shop_a.id, bought.shop_b.id)
    db.session.commit()
    db.session.close()  # SQLite has one writer: the server writes from here on

    # the officer fills the office cart from two shops and submits it
    browser_login(page, people["officer"])
    _add(page, live_server, rice, 4)
    _add(page, live_server, water, 3)
    page.fill("#budget_line", BUDGET_LINE)
    page.fill("#activity", "Rapat koordinasi UMKM")
    page.fill("#purpose", "Konsumsi rapat 40 orang")
    with page.expect_navigation():
        page.locator("form[method=post][action$='/opd/cart'] button[type=submit]").click()
    expect(page.locator("#activity")).to_have_value("Rapat koordinasi UMKM")
    page.click("[data-testid=submit-request]")
    expect(page.locator("[data-testid=request-status]")).to_be_visible()
    request_url = page.url
    number = page.locator("h1").inner_text().strip()
    assert number.startswith("PR/DINKOP/")

    # the PPK, another person, approves: one order per shop is placed
    _as(page, live_server, browser_login, people["ppk"])
    page.goto(request_url)
    page.click("[data-testid=approve]")
    expect(page.locator("[data-testid=request-orders] li")).to_have_count(2)
    orders = {
        o.vendor_id: o.id
        for o in db.session.scalars(select(Order).where(Order.payment_terms == "invoice"))
    }
    db.session.close()
    order_ids = [orders[shop_ids[0]], orders[shop_ids[1]]]

    # each shop accepts and records the delivery from its orders page
    for shop, order_id in (("shop_a", order_ids[0]), ("shop_b", order_ids[1])):
        _as(page, live_server, browser_login, people[shop])
        page.goto(f"{live_server}/shop/orders")
        with page.expect_navigation():
            page.click(f"[data-testid=accept-{order_id}]")
        expect(page.locator(f"[data-testid=accept-{order_id}]")).to_have_count(0)
        page.goto(f"{live_server}/shop/orders?tab=accepted")
        card = page.locator(f"[data-testid=order-{order_id}]")
        card.locator("details.deliver summary").click()
        card.locator(f"#received-by-{order_id}").fill(people["officer"].name)
        with page.expect_navigation():
            card.locator(f"[data-testid=deliver-{order_id}]").click()
        expect(page.locator(f"[data-testid=deliver-{order_id}]")).to_have_count(0)
        page.goto(f"{live_server}/shop/orders?tab=completed")
        expect(page.locator(f"[data-testid=delivered-{order_id}]")).to_be_visible()

    # the officer makes each BAST and uploads the signed scan
    _as(page, live_server, browser_login, people["officer"])
    scan = tmp_path / "bast-ttd.pdf"
    scan.write_bytes(SCAN)
    basts = []
    for order_id in order_ids:
        page.goto(request_url)
        page.click(f"[data-testid=open-bast-{order_id}]")
        page.click(f"[data-testid=make-bast-{order_id}]")
        expect(page.locator("[data-testid=bast-number]")).to_be_visible()
        basts.append(page.locator("[data-testid=bast-number]").inner_text().strip())
        page.set_input_files("#scan", str(scan))
        page.click("[data-testid=upload-scan]")
        expect(page.locator("[data-testid=bast-scan]")).to_contain_text("bast-ttd.pdf")
    assert basts[0] != basts[1] and all(b.startswith("BAST/DINKOP/") for b in basts)

    # the treasurer pays both orders by SP2D
    _as(page, live_server, browser_login, people["treasurer"])
    page.goto(request_url)
    page.select_option("#pay-method", "sp2d")
    page.fill("#pay-reference", SP2D)
    page.fill("#pay-date", today_local().isoformat())
    page.click("[data-testid=pay]")
    for order_id in order_ids:
        expect(page.locator(f"[data-testid=paid-{order_id}]")).to_contain_text(SP2D)

    # the SPJ links answer the bundle
    href = page.locator("[data-testid=spj-pdf]").get_attribute("href")
    resp = page.request.get(f"{live_server}{href}")
    assert resp.status == 200 and resp.headers["content-type"] == "application/pdf"
    text = pdf_text(resp.body())
    for expected in (number, *basts, SP2D):
        assert expected in text
    href = page.locator("[data-testid=spj-zip]").get_attribute("href")
    resp = page.request.get(f"{live_server}{href}")
    assert resp.status == 200 and resp.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(resp.body())) as archive:
        names = archive.namelist()
    assert names[0] == "00-Daftar-isi.pdf"
    assert sum(n.endswith("-pindaian.pdf") for n in names) == 2
