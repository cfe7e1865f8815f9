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
    assert resp.json["status"] == "pending" and resp.json["npwp"] == "012345678901000"
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
