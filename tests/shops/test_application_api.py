"""The shop application API and the admin's shop review API end to end: status codes, the error
shape and what changed."""

import pytest
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.audit.models import AuditLog
from marketplace.extensions import db
from marketplace.shops.models import Vendor
from tests.factories import make_civil_servant, make_user, make_vendor
from tests.shops.conftest import VENDOR_APPLICATION


def _error(resp, status, code=None):
    assert resp.status_code == status, resp.json
    assert set(resp.json["error"]) == {"code", "message", "details"}
    if code:
        assert resp.json["error"]["code"] == code
    return resp.json["error"]


# ---------------------------------------------------------------- vendor applications
def test_public_user_application_creates_a_pending_shop_and_makes_them_vendor(api):
    user = make_user("public")
    resp = api(user).post("/api/v1/vendor-applications", json=VENDOR_APPLICATION)
    assert resp.status_code == 201
    assert resp.json["status"] == "pending" and resp.json["npwp"] == "0012345678901000"
    assert resp.json["npwp_display"] == "01.234.567.8-901.000"
    assert set(resp.json) >= {
        "id",
        "name",
        "type",
        "status",
        "nib",
        "npwp",
        "pkp",
        "kelurahan",
        "kecamatan",
        "address",
        "made_in_city",
        "umk_class",
        "status_reason",
        "created_at",
        "verified_at",
    }
    assert db.session.get(User, user.id).role == "vendor"


def test_vendor_who_applies_again_conflicts(api):
    vendor = make_vendor()
    resp = api(vendor.owner).post("/api/v1/vendor-applications", json=VENDOR_APPLICATION)
    _error(resp, 409, "already_has_shop")


def test_civil_servant_application_is_forbidden(api):
    _error(
        api(make_civil_servant()).post("/api/v1/vendor-applications", json=VENDOR_APPLICATION), 403
    )


@pytest.mark.parametrize(
    "change, field",
    [
        ({"nib": "123"}, "nib"),
        ({"npwp": "12.345"}, "npwp"),
        ({"type": "pabrik"}, "type"),
        ({"shop_name": ""}, "shop_name"),
        ({"made_in_city": None}, "made_in_city"),
    ],
)
def test_invalid_application_is_rejected_and_the_user_stays_public(api, change, field):
    user = make_user("public")
    body = {k: v for k, v in {**VENDOR_APPLICATION, **change}.items() if v is not None}
    err = _error(api(user).post("/api/v1/vendor-applications", json=body), 422)
    assert field in err["details"]
    assert db.session.get(User, user.id).role == "public"
    assert db.session.scalar(select(Vendor.id)) is None


# ---------------------------------------------------------------- admin: vendors
def test_admin_verifies_a_pending_shop_with_an_audit_entry(api):
    vendor = make_vendor(status="pending")
    resp = api(make_user("admin")).post(
        f"/api/v1/admin/vendors/{vendor.id}/verify", json={"reason": "OK"}
    )
    assert resp.status_code == 200
    assert resp.json["status"] == "verified" and resp.json["verified_at"]
    assert db.session.scalar(select(AuditLog.action)) == "vendor.verify"


def test_admin_suspends_with_a_reason_and_without_one(api):
    admin = make_user("admin")
    first, second = make_vendor(), make_vendor()
    resp = api(admin).post(
        f"/api/v1/admin/vendors/{first.id}/suspend", json={"reason": "Izin dicabut"}
    )
    assert (resp.json["status"], resp.json["status_reason"]) == ("suspended", "Izin dicabut")
    assert (
        api(admin).post(f"/api/v1/admin/vendors/{second.id}/suspend").json["status"] == "suspended"
    )


def test_suspending_a_suspended_shop_is_an_invalid_transition(api):
    vendor = make_vendor(status="suspended")
    _error(
        api(make_user("admin")).post(f"/api/v1/admin/vendors/{vendor.id}/suspend", json={}),
        409,
        "invalid_transition",
    )


def test_deciding_on_an_unknown_shop_is_not_found(api):
    _error(
        api(make_user("admin")).post("/api/v1/admin/vendors/999999/verify", json={}),
        404,
        "not_found",
    )
    _error(api(make_user("admin")).get("/api/v1/admin/vendors/999999"), 404, "not_found")


def test_a_decision_reason_over_500_characters_is_rejected(api):
    vendor = make_vendor(status="pending")
    resp = api(make_user("admin")).post(
        f"/api/v1/admin/vendors/{vendor.id}/verify", json={"reason": "x" * 501}
    )
    _error(resp, 422)
    assert db.session.get(Vendor, vendor.id).status == "pending"


def test_admin_lists_shops_by_status_with_pagination(api):
    for _ in range(3):
        make_vendor(status="pending")
    make_vendor(status="verified")
    resp = api(make_user("admin")).get("/api/v1/admin/vendors?status=pending&per_page=2&page=2")
    assert (resp.json["total"], resp.json["page"], resp.json["per_page"]) == (3, 2, 2)
    assert len(resp.json["items"]) == 1 and resp.json["items"][0]["status"] == "pending"


def test_admin_vendor_list_rejects_an_unknown_status(api):
    _error(api(make_user("admin")).get("/api/v1/admin/vendors?status=closed"), 422)


def test_admin_reads_one_shop(api):
    vendor = make_vendor(name="Warung Bu Sri")
    resp = api(make_user("admin")).get(f"/api/v1/admin/vendors/{vendor.id}")
    assert resp.status_code == 200 and resp.json["name"] == "Warung Bu Sri"


# ---------------------------------------------------------------- NPWP, phone and koperasi
@pytest.mark.parametrize(
    "typed, stored, shown",
    [
        ("01.234.567.8-901.000", "0012345678901000", "01.234.567.8-901.000"),
        ("012345678901000", "0012345678901000", "01.234.567.8-901.000"),
        ("0012345678901000", "0012345678901000", "01.234.567.8-901.000"),
        ("3578015505900001", "3578015505900001", "3578015505900001"),
    ],
)
def test_an_npwp_in_15_or_16_digits_is_stored_once_and_shown_formatted(api, typed, stored, shown):
    body = {**VENDOR_APPLICATION, "npwp": typed}
    resp = api(make_user("public")).post("/api/v1/vendor-applications", json=body)
    assert resp.status_code == 201, resp.json
    assert (resp.json["npwp"], resp.json["npwp_display"]) == (stored, shown)
    assert db.session.scalar(select(Vendor.npwp)) == stored


@pytest.mark.parametrize("npwp", ["01.234.567.8-901.00", "3578017205900001", "NPWP saya"])
def test_an_invalid_npwp_is_refused_with_a_clear_indonesian_message(api, npwp):
    user = make_user("public")
    body = {**VENDOR_APPLICATION, "npwp": npwp}
    err = _error(api(user).post("/api/v1/vendor-applications", json=body), 422)
    assert "NPWP" in err["details"]["npwp"][0] or "NIK" in err["details"]["npwp"][0]
    assert db.session.scalar(select(Vendor.id)) is None


def test_the_shop_phone_given_on_application_is_stored_in_e164(api):
    body = {**VENDOR_APPLICATION, "phone": "0812 3456 7890"}
    resp = api(make_user("public")).post("/api/v1/vendor-applications", json=body)
    assert resp.status_code == 201, resp.json
    assert db.session.scalar(select(Vendor.phone)) == "+6281234567890"


def test_an_invalid_shop_phone_is_refused(api):
    body = {**VENDOR_APPLICATION, "phone": "12345"}
    err = _error(api(make_user("public")).post("/api/v1/vendor-applications", json=body), 422)
    assert "phone" in err["details"]


KOPERASI = {
    **VENDOR_APPLICATION,
    "shop_name": "Koperasi Konsumen Warga Gubeng",
    "type": "koperasi",
    "legal_entity_number": "ahu-1234.ah.01.26.tahun 2021",
}


def test_a_koperasi_applies_with_its_legal_entity_number(api):
    resp = api(make_user("public")).post("/api/v1/vendor-applications", json=KOPERASI)
    assert resp.status_code == 201, resp.json
    assert resp.json["type"] == "koperasi"
    assert resp.json["legal_entity_number"] == "AHU-0001234.AH.01.26.TAHUN 2021"
    assert db.session.scalar(select(Vendor.legal_entity_number)) == (
        "AHU-0001234.AH.01.26.TAHUN 2021"
    )


@pytest.mark.parametrize(
    "change, message",
    [
        ({"legal_entity_number": None}, "wajib untuk koperasi"),
        ({"legal_entity_number": "  "}, "wajib untuk koperasi"),
        ({"legal_entity_number": "koperasi kami"}, "tidak dikenali"),
        ({"type": "umkm"}, "Hanya koperasi"),
    ],
)
def test_the_legal_entity_number_is_required_for_a_koperasi_and_refused_for_others(
    api, change, message
):
    body = {k: v for k, v in {**KOPERASI, **change}.items() if v is not None}
    err = _error(api(make_user("public")).post("/api/v1/vendor-applications", json=body), 422)
    assert message in err["details"]["legal_entity_number"][0]
    assert db.session.scalar(select(Vendor.id)) is None


def test_the_admin_sees_the_koperasi_number_and_the_formatted_npwp(api, client, login):
    shop = make_vendor(
        type="koperasi",
        legal_entity_number="503/BH/XVI.14/437.76/2010",
        npwp="01.234.567.8-901.000",
        phone="0812-3456-7890",
    )
    admin = make_user("admin")
    db.session.commit()
    got = api(admin).get(f"/api/v1/admin/vendors/{shop.id}").json
    assert got["legal_entity_number"] == "503/BH/XVI.14/437.76/2010"
    assert got["npwp_display"] == "01.234.567.8-901.000"
    login(client, admin)
    html = client.get(f"/admin/vendors/{shop.id}").get_data(as_text=True)
    assert "503/BH/XVI.14/437.76/2010" in html
    assert "01.234.567.8-901.000" in html
    assert "0812-3456-7890" in html
    assert "Koperasi" in html


def test_the_admin_is_told_when_a_stored_npwp_does_not_parse(client, login):
    shop = make_vendor()
    shop.npwp = "ABC-123"  # kept by the migration from before validation
    admin = make_user("admin")
    db.session.commit()
    login(client, admin)
    html = client.get(f"/admin/vendors/{shop.id}").get_data(as_text=True)
    assert "ABC-123" in html and "NPWP tidak valid" in html
