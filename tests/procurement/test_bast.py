"""The office's BAST: once a shop recorded handing its order over, the office's officer or PPK
confirms receipt with a numbered BAST (the order becomes `received`), prints it as a PDF, uploads
the signed scan; only the office and the order's shop see them (404 for anyone else)."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from marketplace.audit.models import AuditLog
from marketplace.extensions import db
from marketplace.notifications.models import Notification
from marketplace.ordering.models import Order
from marketplace.procurement import bast_rules
from marketplace.procurement.models import Bast, PurchaseRequest
from marketplace.timeutil import today_local
from tests.documents import pdf_text
from tests.factories import make_civil_servant, make_vendor
from tests.procurement.conftest import give, submitted

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _delivered(api, office, deliver=True):
    """A purchase from both shops (2 × beras, 3 × air mineral), approved, accepted by each shop
    and (when `deliver`) handed over; returns (request id, shop A's order, shop B's order)."""
    req = submitted(api, office, [(office.rice, 2), (office.water, 3)])
    assert api(office.ppk).post(f"/api/v1/opd/requests/{req['id']}/approve").status_code == 200
    orders = {o.vendor_id: o for o in db.session.scalars(select(Order)).all()}
    a, b = orders[office.shop_a.id], orders[office.shop_b.id]
    day = today_local().isoformat()
    for shop, order in ((office.shop_a, a), (office.shop_b, b)):
        shop_api = api(shop.owner)
        assert shop_api.post(f"/api/v1/vendor/orders/{order.id}/accept").status_code == 200
        if deliver:
            resp = shop_api.post(
                f"/api/v1/vendor/orders/{order.id}/deliver",
                json={"delivered_on": day, "received_by": "Sari Pengadaan"},
            )
            assert resp.status_code == 200, resp.get_json()
    return req["id"], a, b


def _upload(client, url, content, name="bast.pdf"):
    return client.post(
        url, data={"scan": (io.BytesIO(content), name)}, content_type="multipart/form-data"
    )


# ---------------------------------------------------------------- the whole flow, by API
def test_the_office_confirms_receipt_prints_and_uploads_the_signed_bast(app, api, office):
    req_id, a, b = _delivered(api, office)
    officer = api(office.officer)
    resp = officer.post(f"/api/v1/opd/orders/{a.id}/bast", json={"note": "Lengkap, baik"})
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    year = today_local().year
    assert body["number"] == f"BAST/DINKOP/{year}/0001"
    assert body["order_number"] == a.number and body["vendor"] == "Toko Beras Bu Tin"
    assert body["received_on"] == today_local().isoformat()
    assert body["total"] == 150_000 and body["scan"] is None and body["has_scan"] is False
    assert [
        (ln["name"], ln["quantity"], ln["unit_price"], ln["line_total"]) for ln in body["lines"]
    ] == [("Beras 5 kg", 2, 75_000, 150_000)]
    request_number = db.session.get(PurchaseRequest, req_id).number
    assert body["request_number"] == request_number
    db.session.expire_all()
    order = db.session.get(Order, a.id)
    assert order.status == "received"
    assert order.events[-1].to_status == "received" and body["number"] in order.events[-1].note
    # the shop is told, audited
    note = db.session.scalar(
        select(Notification).where(
            Notification.user_id == office.shop_a.owner.id, Notification.kind == "order_received"
        )
    )
    assert note is not None and a.number in note.title and note.url == f"/opd/bast/{body['id']}"
    audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "procurement.bast_create"))
    assert audit.actor_id == office.officer.id and audit.after["number"] == body["number"]

    # the second order's BAST is the office's next number; made by the PPK this time
    second = api(office.ppk).post(f"/api/v1/opd/orders/{b.id}/bast", json={})
    assert second.status_code == 201
    assert second.get_json()["number"] == f"BAST/DINKOP/{year}/0002"

    # the PDF reads back with the number, the request, the items, quantities, prices and total
    pdf = officer.get(f"/api/v1/opd/bast/{body['id']}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Cache-Control"] == "no-store"
    text = pdf_text(pdf.data)
    for expected in (
        body["number"],
        request_number,
        a.number,
        "Beras 5 kg",
        "2 kg",
        "Rp75.000",
        "Rp150.000",
        "seratus lima puluh ribu rupiah",
        "Toko Beras Bu Tin",
        "Sari Pengadaan",
        "Budi PPK",  # the PPK who approved signs as knowing
        "Lengkap, baik",
    ):
        assert expected.lower() in text.lower(), (expected, text)

    # the signed scan goes up, outside the static folder, audited
    up = _upload(officer, f"/api/v1/opd/bast/{body['id']}/scan", PDF, "bast-ttd.pdf")
    assert up.status_code == 200, up.get_json()
    scan = up.get_json()["scan"]
    assert scan["name"] == "bast-ttd.pdf" and scan["type"] == "pdf"
    stored = db.session.get(Bast, body["id"]).scan_path
    path = Path(app.config["EVIDENCE_FOLDER"]) / "bast" / stored
    assert path.read_bytes() == PDF
    assert not str(path.resolve()).startswith(str(Path(app.static_folder).resolve()))
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "procurement.bast_scan"))
    # the office (any role) and the order's shop download it
    for reader in (office.officer, office.head, office.treasurer, office.shop_a.owner):
        got = api(reader).get(f"/api/v1/opd/bast/{body['id']}/scan")
        assert got.status_code == 200 and got.data == PDF, reader.name
        assert got.mimetype == "application/pdf"
        assert api(reader).get(f"/api/v1/opd/bast/{body['id']}").status_code == 200
    # a new scan replaces the old one, whose file is removed
    again = _upload(officer, f"/api/v1/opd/bast/{body['id']}/scan", PNG, "foto.png")
    assert again.status_code == 200 and again.get_json()["scan"]["type"] == "png"
    assert not path.exists()
    assert api(office.shop_a.owner).get(f"/api/v1/opd/bast/{body['id']}/scan").data == PNG

    # the request lists each order's BAST
    orders = {
        o["id"]: o for o in officer.get(f"/api/v1/opd/requests/{req_id}").get_json()["orders"]
    }
    assert orders[a.id]["bast"]["number"] == body["number"] and orders[a.id]["bast"]["has_scan"]
    assert orders[b.id]["bast"]["has_scan"] is False


def test_another_office_and_another_shop_get_404(api, office):
    _req, a, b = _delivered(api, office)
    made = api(office.officer).post(f"/api/v1/opd/orders/{a.id}/bast", json={}).get_json()
    _upload(api(office.officer), f"/api/v1/opd/bast/{made['id']}/scan", PDF)
    outsiders = [
        office.other_ppk,  # another office's PPK
        office.other_officer,
        office.shop_b.owner,  # the shop of the request's other order
        make_vendor(name="Toko Lain").owner,
        office.plain,  # same office, no procurement role
    ]
    db.session.commit()
    for who in outsiders:
        client = api(who)
        for url in (
            f"/api/v1/opd/bast/{made['id']}",
            f"/api/v1/opd/bast/{made['id']}/pdf",
            f"/api/v1/opd/bast/{made['id']}/scan",
        ):
            assert client.get(url).status_code == 404, (who.name, url)
    # another office's officer can neither make this office's BAST nor upload its scan
    other = api(office.other_officer)
    assert other.post(f"/api/v1/opd/orders/{b.id}/bast", json={}).status_code == 404
    assert _upload(other, f"/api/v1/opd/bast/{made['id']}/scan", PDF).status_code == 404
    # the shop reads but never uploads; the treasurer and head only read
    assert (
        _upload(api(office.shop_a.owner), f"/api/v1/opd/bast/{made['id']}/scan", PDF).status_code
        == 403
    )
    assert api(office.treasurer).post(f"/api/v1/opd/orders/{b.id}/bast", json={}).status_code == 403
    assert api(office.head).post(f"/api/v1/opd/orders/{b.id}/bast", json={}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Order, b.id).status == "delivered"


def test_a_bast_before_delivery_is_409_and_a_second_one_is_refused(api, office):
    _req, a, _b = _delivered(api, office, deliver=False)
    officer = api(office.officer)
    early = officer.post(f"/api/v1/opd/orders/{a.id}/bast", json={})
    assert early.status_code == 409
    assert early.get_json()["error"]["code"] == "invalid_transition"
    assert db.session.scalar(select(Bast.id)) is None
    api(office.shop_a.owner).post(
        f"/api/v1/vendor/orders/{a.id}/deliver",
        json={"delivered_on": today_local().isoformat(), "received_by": "Sari"},
    )
    assert officer.post(f"/api/v1/opd/orders/{a.id}/bast", json={}).status_code == 201
    again = api(office.ppk).post(f"/api/v1/opd/orders/{a.id}/bast", json={})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "bast_exists"
    assert len(db.session.scalars(select(Bast)).all()) == 1


def test_a_bad_day_of_receipt_or_upload_is_422(app, api, office):
    _req, a, _b = _delivered(api, office)
    officer = api(office.officer)
    tomorrow = (today_local() + timedelta(days=1)).isoformat()
    future = officer.post(f"/api/v1/opd/orders/{a.id}/bast", json={"received_on": tomorrow})
    assert future.status_code == 422 and "received_on" in future.get_json()["error"]["details"]
    before = (today_local() - timedelta(days=1)).isoformat()
    early = officer.post(f"/api/v1/opd/orders/{a.id}/bast", json={"received_on": before})
    assert early.status_code == 422
    assert (
        officer.post(f"/api/v1/opd/orders/{a.id}/bast", json={"received_on": "x"}).status_code
        == 422
    )
    db.session.expire_all()
    assert db.session.get(Order, a.id).status == "delivered"
    made = officer.post(f"/api/v1/opd/orders/{a.id}/bast", json={}).get_json()
    url = f"/api/v1/opd/bast/{made['id']}/scan"
    folder = Path(app.config["EVIDENCE_FOLDER"]) / "bast"
    files_before = set(folder.glob("*")) if folder.exists() else set()
    # not a PDF, JPEG or PNG by its bytes (whatever its name says)
    wrong = _upload(officer, url, b"MZ\x90\x00 not a document", "bast.pdf")
    assert wrong.status_code == 422 and "scan" in wrong.get_json()["error"]["details"]
    # too large
    big = _upload(officer, url, b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024), "besar.pdf")
    assert big.status_code in (413, 422)
    # missing
    none = officer.post(url, data={}, content_type="multipart/form-data")
    assert none.status_code == 422
    assert db.session.get(Bast, made["id"]).scan_path is None
    assert (set(folder.glob("*")) if folder.exists() else set()) == files_before


def test_rules_of_the_bast():
    assert bast_rules.bast_number("DINKOP", 2026, 7) == "BAST/DINKOP/2026/0007"
    assert bast_rules.may_make({"officer"}) and bast_rules.may_make({"ppk", "head"})
    assert not bast_rules.may_make({"treasurer", "head"})
    see = {"bast_opd_id": 1, "bast_vendor_id": 9}
    assert bast_rules.may_see(office_opd_id=1, office_roles={"head"}, vendor_id=None, **see)
    assert not bast_rules.may_see(office_opd_id=1, office_roles=set(), vendor_id=None, **see)
    assert not bast_rules.may_see(office_opd_id=2, office_roles={"ppk"}, vendor_id=None, **see)
    assert bast_rules.may_see(office_opd_id=None, office_roles=(), vendor_id=9, **see)
    assert not bast_rules.may_see(office_opd_id=None, office_roles=(), vendor_id=8, **see)
    day = today_local()
    assert bast_rules.received_on_errors(day, delivered_on=day, today=day) == {}
    assert "received_on" in bast_rules.received_on_errors(
        day + timedelta(days=1), delivered_on=None, today=day
    )
    assert "received_on" in bast_rules.received_on_errors(
        day - timedelta(days=1), delivered_on=day, today=day
    )


# ---------------------------------------------------------------- the pages
def test_the_office_makes_the_bast_and_uploads_the_scan_from_its_pages(client, login, api, office):
    req_id, a, b = _delivered(api, office)
    login(client, office.officer)
    page = client.get(f"/opd/requests/{req_id}").get_data(as_text=True)
    assert f'data-testid="make-bast-{a.id}"' in page and f'data-testid="make-bast-{b.id}"' in page
    resp = client.post(f"/opd/orders/{a.id}/bast", data={"note": "baik"}, follow_redirects=True)
    assert resp.status_code == 200
    text = resp.get_data(as_text=True)
    made = db.session.scalar(select(Bast))
    assert made.number in text and "Beras 5 kg" in text and "Rp150.000" in text
    assert 'data-testid="upload-scan"' in text
    listed = client.get(f"/opd/requests/{req_id}").get_data(as_text=True)
    assert f'data-testid="bast-{a.id}"' in listed and made.number in listed
    assert f'data-testid="make-bast-{a.id}"' not in listed
    assert f'data-testid="upload-scan-{a.id}"' in listed
    pdf = client.get(f"/opd/bast/{made.id}.pdf")
    assert pdf.status_code == 200 and made.number in pdf_text(pdf.data)
    up = client.post(
        f"/opd/bast/{made.id}/scan",
        data={"scan": (io.BytesIO(PDF), "ttd.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert up.status_code == 200 and "ttd.pdf" in up.get_data(as_text=True)
    assert client.get(f"/opd/bast/{made.id}/scan").data == PDF
    listed = client.get(f"/opd/requests/{req_id}").get_data(as_text=True)
    assert f'data-testid="bast-scan-{a.id}"' in listed
    # a bad upload from the page flashes the reason and stores nothing new
    bad = client.post(
        f"/opd/bast/{made.id}/scan",
        data={"scan": (io.BytesIO(b"GIF89a"), "x.gif")},
        content_type="multipart/form-data",
        headers={"Referer": f"/opd/bast/{made.id}"},
        follow_redirects=True,
    )
    assert "PDF, JPEG atau PNG" in bad.get_data(as_text=True)
    assert client.get(f"/opd/bast/{made.id}/scan").data == PDF


def test_the_shop_sees_the_bast_link_and_page(client, login, api, office):
    _req, a, b = _delivered(api, office)
    made = api(office.ppk).post(f"/api/v1/opd/orders/{a.id}/bast", json={}).get_json()
    login(client, office.shop_a.owner)
    orders = client.get("/shop/orders?tab=completed").get_data(as_text=True)
    assert f'data-testid="bast-{a.id}"' in orders
    page = client.get(f"/opd/orders/{a.id}/bast", follow_redirects=True)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert made["number"] in text and 'data-testid="upload-scan"' not in text
    assert client.get(f"/opd/bast/{made['id']}.pdf").status_code == 200
    # the other shop's order (no BAST yet) and a BAST not theirs: 404
    assert client.get(f"/opd/orders/{b.id}/bast").status_code == 404


def test_another_office_and_shop_get_404_on_the_bast_pages(client, login, api, office):
    _req, a, b = _delivered(api, office)
    made = api(office.officer).post(f"/api/v1/opd/orders/{a.id}/bast", json={}).get_json()
    for who in (office.other_ppk, office.shop_b.owner):
        login(client, who)
        for url in (
            f"/opd/bast/{made['id']}",
            f"/opd/bast/{made['id']}.pdf",
            f"/opd/bast/{made['id']}/scan",
            f"/opd/orders/{a.id}/bast",
        ):
            assert client.get(url).status_code == 404, (who.name, url)
        client.post("/logout")
    login(client, office.other_officer)
    assert client.post(f"/opd/orders/{b.id}/bast", data={}).status_code == 404
    resp = client.post(
        f"/opd/bast/{made['id']}/scan",
        data={"scan": (io.BytesIO(PDF), "x.pdf")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 404
    db.session.expire_all()
    assert db.session.get(Order, b.id).status == "delivered"


def test_a_person_holding_no_role_in_the_office_cannot_make_a_bast(api, office):
    _req, a, _b = _delivered(api, office)
    newcomer = make_civil_servant(opd=office.opd, name="Pegawai Baru")
    db.session.commit()
    assert api(newcomer).post(f"/api/v1/opd/orders/{a.id}/bast", json={}).status_code == 403
    give(newcomer, "officer")
    db.session.commit()
    assert api(newcomer).post(f"/api/v1/opd/orders/{a.id}/bast", json={}).status_code == 201


@pytest.mark.parametrize("field", ["received_on", "note"])
def test_the_openapi_document_describes_the_bast(api, field):
    doc = api().get("/api/v1/openapi.json").get_json()
    paths = doc["paths"]
    assert "post" in paths["/api/v1/opd/orders/{order_id}/bast"]
    assert {"get"} <= set(paths["/api/v1/opd/bast/{bast_id}"])
    assert {"get", "post"} <= set(paths["/api/v1/opd/bast/{bast_id}/scan"])
    assert "application/pdf" in str(paths["/api/v1/opd/bast/{bast_id}/pdf"]["get"]["responses"])
    assert field in str(paths["/api/v1/opd/orders/{order_id}/bast"]["post"])
