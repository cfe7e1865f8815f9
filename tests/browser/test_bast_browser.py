"""An office's officer on a phone confirms receipt of a delivered order with a BAST from the
request page, then uploads the signed scan; the shop opens the BAST from its orders page."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.ordering.models import Order
from marketplace.procurement.models import Bast
from marketplace.timeutil import today_local
from tests.procurement.conftest import office, submitted  # noqa: F401 (the fixture)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_officer_makes_the_bast_and_uploads_its_scan_on_a_phone(
    app, api, request, page, live_server, browser_login, tmp_path
):
    bought = request.getfixturevalue("office")  # tests.procurement.conftest's
    req = submitted(api, bought, [(bought.rice, 2)])
    assert api(bought.ppk).post(f"/api/v1/opd/requests/{req['id']}/approve").status_code == 200
    order = db.session.scalar(select(Order))
    shop = api(bought.shop_a.owner)
    assert shop.post(f"/api/v1/vendor/orders/{order.id}/accept").status_code == 200
    resp = shop.post(
        f"/api/v1/vendor/orders/{order.id}/deliver",
        json={"delivered_on": today_local().isoformat(), "received_by": "Sari Pengadaan"},
    )
    assert resp.status_code == 200
    order_id, request_id = order.id, req["id"]
    officer = SimpleNamespace(email=bought.officer.email)
    owner = SimpleNamespace(email=bought.shop_a.owner.email)
    # End the transaction: on SQLite an open one holds the write lock the server needs.
    db.session.commit()
    db.session.close()

    browser_login(page, officer)
    page.goto(f"{live_server}/opd/requests/{request_id}")
    assert no_sideways_scroll(page)
    page.click(f"[data-testid=open-bast-{order_id}]")
    page.click(f"[data-testid=make-bast-{order_id}]")
    page.wait_for_load_state()
    number = page.inner_text("[data-testid=bast-number]").strip()
    assert number == f"BAST/DINKOP/{today_local().year}/0001"
    assert "Beras 5 kg" in page.inner_text("[data-testid=bast-lines]")
    assert no_sideways_scroll(page)
    scan = tmp_path / "bast-ttd.pdf"
    scan.write_bytes(PDF)
    page.set_input_files("#scan", str(scan))
    page.click("[data-testid=upload-scan]")
    page.wait_for_load_state()
    assert "bast-ttd.pdf" in page.inner_text("[data-testid=bast-scan]")
    db.session.expire_all()
    assert db.session.get(Order, order_id).status == "received"
    assert db.session.scalar(select(Bast.scan_name)) == "bast-ttd.pdf"
    db.session.close()

    page.goto(f"{live_server}/logout")
    page.context.clear_cookies()
    browser_login(page, owner)
    page.goto(f"{live_server}/shop/orders?tab=completed")
    page.click(f"[data-testid=bast-{order_id}]")
    page.wait_for_load_state()
    assert page.inner_text("[data-testid=bast-number]").strip() == number
    assert not page.locator("[data-testid=upload-scan]").count()
    assert no_sideways_scroll(page)
