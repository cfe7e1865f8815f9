"""The office purchasing pages: the officer's cart and request form, the office's list, a
request with its history, the PPK's approve/reject forms and the admin's roles page."""

from __future__ import annotations

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.ordering.models import Order
from marketplace.procurement.models import OfficeRole, PurchaseRequest
from tests.factories import make_civil_servant, make_user
from tests.procurement.conftest import BUDGET_LINE, submitted


def _text(resp) -> str:
    return resp.get_data(as_text=True)


def test_the_officer_fills_the_cart_and_submits_from_the_pages(client, login, office):
    login(client, office.officer)
    empty = client.get("/opd/cart")
    assert empty.status_code == 200
    assert "Keranjang OPD masih kosong" in _text(empty)
    found = client.get("/opd/cart?q=Beras")
    assert f'data-testid="found-{office.rice.id}"' in _text(found)
    client.post("/opd/cart/items", data={"product_id": office.rice.id, "quantity": "4"})
    client.post(
        "/opd/cart",
        data={"budget_line": BUDGET_LINE, "activity": "Rapat UMKM", "purpose": "Konsumsi"},
    )
    page = _text(client.get("/opd/cart"))
    assert "Beras 5 kg" in page and "Rp300.000" in page and BUDGET_LINE in page
    resp = client.post("/opd/cart/submit", follow_redirects=True)
    assert resp.status_code == 200
    text = _text(resp)
    assert "PR/DINKOP/" in text and "Menunggu persetujuan" in text
    assert 'data-testid="approve"' not in text  # the officer is not the PPK
    assert 'action="/opd/requests/' in text and "/cancel" in text


def test_a_bad_budget_line_on_the_page_flashes_the_reason(client, login, office):
    login(client, office.officer)
    resp = client.post("/opd/cart", data={"budget_line": "12345"}, follow_redirects=True)
    assert "Kode rekening belanja tidak sah" in _text(resp)


def test_a_refused_submission_flashes_in_indonesian(app, client, login, office):
    app.config["OPD_PURCHASE_MAX"] = 100_000
    login(client, office.officer)
    client.post("/opd/cart/items", data={"product_id": office.rice.id, "quantity": "2"})
    client.post("/opd/cart", data={"budget_line": BUDGET_LINE, "activity": "A", "purpose": "B"})
    resp = client.post("/opd/cart/submit", headers={"Referer": "/opd/cart"}, follow_redirects=True)
    assert "melebihi batas satu pembelian OPD" in _text(resp)
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(PurchaseRequest)
            .where(PurchaseRequest.status == "submitted")
        )
        == 0
    )


def test_the_ppk_approves_from_the_request_page(api, client, login, office):
    req = submitted(api, office)
    login(client, office.ppk)
    listed = _text(client.get("/opd"))
    assert req["number"] in listed
    page = _text(client.get(f"/opd/requests/{req['id']}"))
    assert 'data-testid="approve"' in page and 'data-testid="reject"' in page
    assert "Rapat koordinasi UMKM" in page and BUDGET_LINE in page
    resp = client.post(f"/opd/requests/{req['id']}/approve", follow_redirects=True)
    text = _text(resp)
    assert "disetujui" in text
    assert "Pesanan ke toko" in text
    assert db.session.scalar(select(func.count()).select_from(Order)) == 2


def test_the_ppk_rejects_with_a_reason_behind_a_confirmation(api, client, login, office):
    req = submitted(api, office)
    login(client, office.ppk)
    page = _text(client.get(f"/opd/requests/{req['id']}"))
    assert "data-confirm=" in page and 'name="reason"' in page and "required" in page
    resp = client.post(
        f"/opd/requests/{req['id']}/reject",
        data={"reason": "Bukan prioritas"},
        follow_redirects=True,
    )
    text = _text(resp)
    assert 'data-testid="reject-reason">Bukan prioritas' in text
    assert "Ditolak" in text


def test_a_ppk_sees_no_approve_button_on_their_own_request(api, client, login, office):
    from tests.procurement.conftest import give

    give(office.officer, "ppk")
    db.session.commit()
    req = submitted(api, office)
    login(client, office.officer)
    page = _text(client.get(f"/opd/requests/{req['id']}"))
    assert 'data-testid="approve"' not in page
    resp = client.post(f"/opd/requests/{req['id']}/approve")
    assert resp.status_code == 403
    assert "ajukan sendiri" in _text(resp)


def test_another_offices_request_page_is_404(api, client, login, office):
    req = submitted(api, office)
    login(client, office.other_ppk)
    assert client.get(f"/opd/requests/{req['id']}").status_code == 404
    for action in ("approve", "cancel"):
        assert client.post(f"/opd/requests/{req['id']}/{action}").status_code == 404
    assert client.post(f"/opd/requests/{req['id']}/reject", data={"reason": "x"}).status_code == 404
    assert db.session.get(PurchaseRequest, req["id"]).status == "submitted"


def test_pages_need_an_office_role(client, login, office):
    login(client, office.plain)
    assert client.get("/opd").status_code == 403
    assert client.get("/opd/cart").status_code == 403


def test_the_office_list_is_empty_first_and_paginates(client, login, office):
    login(client, office.head)
    assert "Belum ada permintaan pembelian" in _text(client.get("/opd"))
    for n in range(1, 22):
        db.session.add(
            PurchaseRequest(
                opd_id=office.opd.id,
                officer_id=office.officer.id,
                status="submitted",
                number=f"PR/DINKOP/2026/{n:04d}",
                year=2026,
                total=1000,
                budget_line=BUDGET_LINE,
                activity="Rapat",
                purpose="Konsumsi",
                submitted_at=utcnow(),
            )
        )
    db.session.commit()
    first = _text(client.get("/opd"))
    assert "PR/DINKOP/2026/0021" in first and "PR/DINKOP/2026/0001" not in first
    assert "Halaman 1 dari 2" in first and "Kepala OPD" in first
    second = _text(client.get("/opd?page=2"))
    assert "PR/DINKOP/2026/0001" in second
    assert "PR/DINKOP/2026/0001" not in _text(client.get("/opd?status=approved"))


def test_the_navigation_shows_the_office_link_only_to_role_holders(client, login, office):
    login(client, office.officer)
    assert 'data-testid="nav-opd"' in _text(client.get("/opd"))
    other = client.application.test_client()
    login(other, office.plain)
    assert 'data-testid="nav-opd"' not in _text(other.get("/"))


def test_only_admins_manage_office_roles_from_the_pages(client, login, office):
    admin = make_user("admin")
    staff = make_civil_servant(opd=office.opd, name="Pegawai Baru")
    db.session.commit()
    login(client, admin)
    assert "DINKOP" in _text(client.get("/admin/opds"))
    page = _text(client.get("/admin/opds/DINKOP/roles"))
    assert "Budi PPK" in page and "Pegawai Baru" in page
    resp = client.post(
        "/admin/opds/DINKOP/roles",
        data={"user_id": staff.id, "role": "treasurer"},
        follow_redirects=True,
    )
    assert "Pegawai Baru kini Bendahara pengeluaran" in _text(resp)
    row = db.session.scalar(select(OfficeRole).where(OfficeRole.user_id == staff.id))
    # A role of one office cannot be removed through another's page.
    assert client.post(f"/admin/opds/DINKES/roles/{row.id}/remove").status_code == 404
    client.post(f"/admin/opds/DINKOP/roles/{row.id}/remove")
    assert db.session.get(OfficeRole, row.id) is None
    other = client.application.test_client()
    login(other, office.ppk)
    assert other.get("/admin/opds/DINKOP/roles").status_code == 403
    assert (
        other.post(
            "/admin/opds/DINKOP/roles", data={"user_id": office.plain.id, "role": "ppk"}
        ).status_code
        == 403
    )
    assert other.post(f"/admin/opds/DINKOP/roles/{office.ppk.id}/remove").status_code == 403


def test_the_office_pages_speak_english_too(api, client, login, office):
    req = submitted(api, office)
    login(client, office.ppk)
    listed = _text(client.get("/opd?lang=en"))
    assert "Purchasing of Dinas Koperasi" in listed and "Waiting for approval" in listed
    page = _text(client.get(f"/opd/requests/{req['id']}?lang=en"))
    assert "Approve and order" in page and "History" in page
