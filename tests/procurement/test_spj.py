"""The SPJ bundle of a purchase (issue 12, deliverable 5): one download as a single PDF and as a
ZIP with the request and its approval, the orders' invoices, kwitansi, bukti potong, BASTs with
their signed scans and the payment record; what does not exist yet is "belum ada" on the cover;
any role of the office may download it, another office gets 404."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.ordering.models import Order
from marketplace.procurement import bast as bast_docs
from marketplace.procurement.models import Bast
from marketplace.timeutil import today_local
from tests.documents import pdf_pages, pdf_text
from tests.factories import make_product
from tests.procurement.conftest import submitted
from tests.procurement.payment_helpers import sp2d

SP2D_NUMBER = "00777/SP2D/LS/2026"
PNG = (  # a 1×1 PNG that decodes
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def big(office):
    """A package above Rp2.000.000 from shop A (not PKP, no NPWP): PPh 22 3% of 2.500.000."""
    product = make_product(office.shop_a, name="Paket sembako rapat", price=2_500_000, stock=3)
    db.session.commit()
    return product


def _zip(resp) -> dict[str, bytes]:
    assert resp.status_code == 200, resp.get_data()[:300]
    assert resp.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(resp.get_data())) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _scan_pdf(app) -> bytes:
    """A real one-page PDF standing for the signed scan (WeasyPrint makes it)."""
    from marketplace.documents import render_pdf

    with app.test_request_context():
        return render_pdf("documents/base.html")


def _flow(api, office, big, app):
    """Request (shop A's package + shop B's water) → approval → delivery → BASTs (a PDF scan for
    A, a PNG scan for B) → SP2D payment of both. Returns (request JSON, orders by shop id)."""
    req = submitted(api, office, [(big, 1), (office.water, 2)])
    assert api(office.ppk).post(f"/api/v1/opd/requests/{req['id']}/approve").status_code == 200
    orders = {o.vendor_id: o for o in db.session.scalars(select(Order)).all()}
    day = today_local().isoformat()
    for order in orders.values():
        shop = api(order.vendor.owner)
        assert shop.post(f"/api/v1/vendor/orders/{order.id}/accept").status_code == 200
        resp = shop.post(
            f"/api/v1/vendor/orders/{order.id}/deliver",
            json={"delivered_on": day, "received_by": "Sari Pengadaan"},
        )
        assert resp.status_code == 200, resp.get_json()
    officer = api(office.officer)
    scans = {office.shop_a.id: (_scan_pdf(app), "bast-a.pdf"), office.shop_b.id: (PNG, "b.png")}
    for shop_id, order in orders.items():
        resp = officer.post(f"/api/v1/opd/orders/{order.id}/bast", json={})
        assert resp.status_code == 201, resp.get_json()
        content, name = scans[shop_id]
        resp = officer.post(
            f"/api/v1/opd/bast/{resp.get_json()['id']}/scan",
            data={"scan": (io.BytesIO(content), name)},
            content_type="multipart/form-data",
        )
        assert resp.status_code == 200, resp.get_json()
    resp = api(office.treasurer).post(
        f"/api/v1/opd/requests/{req['id']}/payments", json=sp2d(SP2D_NUMBER)
    )
    assert resp.status_code == 201, resp.get_json()
    return req, orders


def test_the_whole_purchase_downloads_as_one_spj_pdf_and_zip(app, api, office, big):
    req, orders = _flow(api, office, big, app)
    a, b = orders[office.shop_a.id], orders[office.shop_b.id]
    basts = {x.order_id: x for x in db.session.scalars(select(Bast)).all()}
    treasurer = api(office.treasurer)

    resp = treasurer.get(f"/api/v1/opd/requests/{req['id']}/spj.pdf")
    assert resp.status_code == 200, resp.get_data()[:300]
    assert resp.mimetype == "application/pdf"
    stem = "SPJ-" + req["number"].replace("/", "-")
    assert f'filename="{stem}.pdf"' in resp.headers["Content-Disposition"]
    pages = pdf_pages(resp.get_data())
    text = " ".join(pages)
    assert "belum ada" not in pages[0] and "lengkap" in pages[0]
    for number in (req["number"], basts[a.id].number, basts[b.id].number, SP2D_NUMBER):
        assert number in text
    assert "Rp75.000" in text  # PPh 22: 3% of Rp2.500.000 (no NPWP: twice 1,5%)
    assert a.number in text and b.number in text
    assert "INV-" in text and "KW-" in text and "BP22-" in text
    assert "Budi PPK" in text  # the approval: who decided
    # The PDF scan's own page is in (its header repeats the city), the PNG is a page of its own.
    assert sum("Pindaian BAST bertanda tangan (b.png)" in p for p in pages) >= 1

    files = _zip(treasurer.get(f"/api/v1/opd/requests/{req['id']}/spj.zip"))
    names = sorted(files)
    assert names[0] == "00-Daftar-isi.pdf"
    pr = req["number"].replace("/", "-")
    expected = {
        f"01-{pr}.pdf",
        f"02-INV-{a.number}.pdf" if a.id < b.id else f"03-INV-{a.number}.pdf",
    }
    assert expected <= set(names), names
    bast_a = basts[a.id].number.replace("/", "-")
    bast_b = basts[b.id].number.replace("/", "-")
    assert any(n.endswith(f"-{bast_a}.pdf") for n in names)
    assert any(n.endswith(f"-{bast_a}-pindaian.pdf") for n in names)
    assert any(n.endswith(f"-{bast_b}-pindaian.png") for n in names)
    assert [n for n in names if n.endswith("-pindaian.png")] and files[
        next(n for n in names if n.endswith("-pindaian.png"))
    ] == PNG  # the scan as uploaded
    assert sum(n.split("-", 1)[1].startswith("KW-") for n in names) == 2
    assert sum(n.split("-", 1)[1].startswith("BP22-") for n in names) == 1  # only A withheld
    assert any(n.startswith(f"04-Rekap-pembayaran-{pr}") for n in names)
    record = pdf_text(files[next(n for n in names if "Rekap-pembayaran" in n)])
    # a narrow column wraps the reference after its slashes
    assert SP2D_NUMBER in record.replace("/ ", "/") and "Rp75.000" in record
    assert req["number"] in pdf_text(files[f"01-{pr}.pdf"])
    cover = pdf_text(files["00-Daftar-isi.pdf"])
    assert "tidak berlaku" in cover  # B's bukti potong: no PPh 22 withheld


def test_the_bundle_downloads_at_any_stage_with_what_is_missing_on_its_cover(app, api, office):
    req = submitted(api, office)
    officer = api(office.officer)
    text = pdf_text(officer.get(f"/api/v1/opd/requests/{req['id']}/spj.pdf").get_data())
    assert req["number"] in text and "belum ada" in text and "belum lengkap" in text
    files = _zip(officer.get(f"/api/v1/opd/requests/{req['id']}/spj.zip"))
    assert set(files) == {"00-Daftar-isi.pdf", f"01-{req['number'].replace('/', '-')}.pdf"}

    assert api(office.ppk).post(f"/api/v1/opd/requests/{req['id']}/approve").status_code == 200
    cover = pdf_text(
        _zip(officer.get(f"/api/v1/opd/requests/{req['id']}/spj.zip"))["00-Daftar-isi.pdf"]
    )
    for missing in ("Kwitansi", "BAST", "Pindaian BAST bertanda tangan", "Rekap pembayaran"):
        assert missing in cover
    assert cover.count("belum ada") >= 8  # per order: kwitansi, slip, BAST, scan; the record


@pytest.mark.parametrize("suffix", ["pdf", "zip"])
def test_any_role_of_the_office_downloads_it_and_nobody_else(app, api, office, suffix):
    req = submitted(api, office)
    url = f"/api/v1/opd/requests/{req['id']}/spj.{suffix}"
    for user in (office.officer, office.ppk, office.treasurer, office.head):
        assert api(user).get(url).status_code == 200
    assert api(office.other_ppk).get(url).status_code == 404
    assert api(office.plain).get(url).status_code == 403
    assert api(office.shop_a.owner).get(url).status_code == 403
    assert (
        api(office.head).get(f"/api/v1/opd/requests/{req['id'] + 999}/spj.{suffix}").status_code
        == 404
    )


def test_the_request_page_links_the_bundle_and_the_pages_answer_it(api, client, login, office):
    req = submitted(api, office)
    login(client, office.head)
    page = client.get(f"/opd/requests/{req['id']}").get_data(as_text=True)
    assert f"/opd/requests/{req['id']}/spj.pdf" in page
    assert f"/opd/requests/{req['id']}/spj.zip" in page
    resp = client.get(f"/opd/requests/{req['id']}/spj.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert req["number"] in pdf_text(resp.get_data())
    resp = client.get(f"/opd/requests/{req['id']}/spj.zip")
    assert resp.status_code == 200 and resp.mimetype == "application/zip"
    login(client, office.other_ppk)
    assert client.get(f"/opd/requests/{req['id']}/spj.zip").status_code == 404


def test_a_scan_that_is_no_readable_pdf_is_noted_on_the_cover_not_a_500(app, api, office, big):
    req, _orders = _flow(api, office, big, app)

    found = db.session.scalars(select(Bast).where(Bast.scan_type == "pdf")).first()
    (bast_docs.scan_folder() / found.scan_path).write_bytes(b"%PDF-1.4 broken")
    resp = api(office.head).get(f"/api/v1/opd/requests/{req['id']}/spj.pdf")
    assert resp.status_code == 200
    assert "tidak dapat disematkan" in pdf_pages(resp.get_data())[0]
