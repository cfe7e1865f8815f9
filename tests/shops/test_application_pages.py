"""The shop application page and the admin's shop review pages, through the test client."""

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.shops.models import Vendor
from tests.factories import make_civil_servant, make_user, make_vendor
from tests.shops.conftest import VENDOR_APPLICATION


# ---------------------------------------------------------------- shop application
def test_public_user_applies_through_the_form_and_then_sees_the_status(client, login):
    user = make_user("public")
    login(client, user)
    form = {**VENDOR_APPLICATION, "made_in_city": "yes"}
    form.pop("pkp")
    resp = client.post("/shop/apply", data=form)
    assert resp.status_code == 302
    vendor = db.session.scalar(select(Vendor).where(Vendor.owner_id == user.id))
    assert vendor.status == "pending" and vendor.made_in_city is True and vendor.pkp is False
    html = client.get("/shop/apply").get_data(as_text=True)
    assert "Warung Bu Sri" in html and "Menunggu verifikasi" in html


def test_form_with_a_bad_nib_explains_the_field_and_creates_no_shop(client, login):
    user = make_user("public")
    db.session.commit()  # the 422 rolls the request's session back
    login(client, user)
    resp = client.post(
        "/shop/apply",
        data={**VENDOR_APPLICATION, "nib": "12", "made_in_city": "yes"},
        follow_redirects=True,
    )
    assert "NIB harus 13 angka." in resp.get_data(as_text=True)
    assert db.session.scalar(select(Vendor.id)) is None


def test_a_koperasi_applies_through_the_form_with_its_legal_entity_number(client, login):
    user = make_user("public")
    login(client, user)
    form = {
        **VENDOR_APPLICATION,
        "shop_name": "Koperasi Warga Gubeng",
        "type": "koperasi",
        "legal_entity_number": "AHU-0001234.AH.01.26.TAHUN 2021",
        "npwp": "012345678901000",
        "phone": "0812-3456-7890",
        "made_in_city": "yes",
    }
    form.pop("pkp")
    assert 'value="koperasi"' in client.get("/shop/apply").get_data(as_text=True)
    assert client.post("/shop/apply", data=form).status_code == 302
    vendor = db.session.scalar(select(Vendor).where(Vendor.owner_id == user.id))
    assert (vendor.type, vendor.legal_entity_number) == (
        "koperasi",
        "AHU-0001234.AH.01.26.TAHUN 2021",
    )
    assert (vendor.npwp, vendor.phone) == ("0012345678901000", "+6281234567890")
    html = client.get("/shop/apply").get_data(as_text=True)
    assert "AHU-0001234.AH.01.26.TAHUN 2021" in html and "01.234.567.8-901.000" in html


def test_a_koperasi_without_its_number_is_told_so_and_no_shop_is_made(client, login):
    user = make_user("public")
    db.session.commit()
    login(client, user)
    form = {**VENDOR_APPLICATION, "type": "koperasi", "made_in_city": "yes"}
    resp = client.post("/shop/apply", data=form, follow_redirects=True)
    assert "Nomor badan hukum koperasi wajib untuk koperasi." in resp.get_data(as_text=True)
    assert db.session.scalar(select(Vendor.id)) is None


def test_civil_servant_sees_that_only_public_accounts_open_shops(client, login):
    login(client, make_civil_servant())
    html = client.get("/shop/apply").get_data(as_text=True)
    assert "Hanya akun warga" in html and 'data-testid="vendor-application"' not in html


# ---------------------------------------------------------------- admin
def test_admin_verifies_from_the_page(client, login):
    vendor = make_vendor(status="pending")
    login(client, make_user("admin"))
    resp = client.post(f"/admin/vendors/{vendor.id}/verify", data={"reason": "", "next": "/admin"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/admin"
    assert db.session.get(Vendor, vendor.id).status == "verified"


def test_admin_suspends_from_the_page_and_the_reason_is_shown(client, login):
    vendor = make_vendor(status="verified")
    login(client, make_user("admin"))
    resp = client.post(
        f"/admin/vendors/{vendor.id}/suspend",
        data={"reason": "Produk luar kota"},
        follow_redirects=True,
    )
    html = resp.get_data(as_text=True)
    assert "Produk luar kota" in html and "Dibekukan" in html


def test_suspending_twice_from_the_page_flashes_the_conflict(client, login):
    vendor, admin = make_vendor(status="suspended"), make_user("admin")
    db.session.commit()  # the 409 rolls the request's session back
    login(client, admin)
    resp = client.post(f"/admin/vendors/{vendor.id}/suspend", data={}, follow_redirects=True)
    assert "tidak dapat diubah" in resp.get_data(as_text=True)


def test_admin_vendor_list_filters_and_paginates(client, login):
    for n in range(23):
        make_vendor(status="pending", name=f"Pending {n:02d}")
    make_vendor(status="verified", name="Sudah Verif")
    login(client, make_user("admin"))
    html = client.get("/admin/vendors?status=pending").get_data(as_text=True)
    assert "23 toko" in html and "Sudah Verif" not in html and 'rel="next"' in html
    page2 = client.get("/admin/vendors?status=pending&page=2").get_data(as_text=True)
    assert page2.count("/admin/vendors/") == 3
    assert "Tidak ada toko yang cocok." in client.get("/admin/vendors?q=zzz").get_data(as_text=True)
