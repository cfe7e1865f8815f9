"""Shop applications and their verification against the database: who may apply, the kelurahan
check, verify and suspend (audited, owner notified), the admin's shop list."""

import pytest
from sqlalchemy import select

from marketplace.audit.models import AuditLog
from marketplace.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.notifications.models import Notification
from marketplace.shops import applications
from marketplace.shops.models import Vendor
from tests.factories import make_area, make_civil_servant, make_user, make_vendor
from tests.shops.conftest import VENDOR_APPLICATION


def test_public_user_applying_becomes_a_vendor_with_a_pending_shop(app):
    user = make_user("public")
    vendor = applications.apply_for_vendor(user, dict(VENDOR_APPLICATION))
    assert (vendor.status, vendor.npwp, vendor.owner_id) == ("pending", "0012345678901000", user.id)
    assert user.role == "vendor"


def test_a_second_application_conflicts(app):
    user = make_user("public")
    applications.apply_for_vendor(user, dict(VENDOR_APPLICATION))
    with pytest.raises(Conflict) as err:
        applications.apply_for_vendor(user, dict(VENDOR_APPLICATION))
    assert err.value.code == "already_has_shop"


def test_civil_servant_cannot_apply_for_a_shop(app):
    with pytest.raises(Forbidden):
        applications.apply_for_vendor(make_civil_servant(), dict(VENDOR_APPLICATION))
    assert db.session.scalar(select(Vendor.id)) is None


def test_application_with_a_kelurahan_in_another_kecamatan_is_rejected(app):
    make_area("Gubeng", "Gubeng")
    data = dict(VENDOR_APPLICATION, kecamatan="Tegalsari")
    with pytest.raises(ValidationFailed) as err:
        applications.apply_for_vendor(make_user("public"), data)
    assert "kecamatan" in err.value.details


def test_verifying_a_pending_shop_sets_the_time_audits_and_notifies_the_owner(app):
    admin, vendor = make_user("admin"), make_vendor(status="pending")
    applications.verify_vendor(admin, vendor.id, "Dokumen lengkap")
    assert vendor.status == "verified" and vendor.verified_at is not None
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "vendor.verify"))
    assert (entry.before, entry.after, entry.reason) == (
        {"status": "pending"},
        {"status": "verified"},
        "Dokumen lengkap",
    )
    assert db.session.scalar(select(Notification).where(Notification.user_id == vendor.owner_id))


def test_suspending_stores_the_reason_and_audits(app):
    admin, vendor = make_user("admin"), make_vendor(status="verified")
    applications.suspend_vendor(admin, vendor.id, "Menjual barang luar kota")
    assert (vendor.status, vendor.status_reason) == ("suspended", "Menjual barang luar kota")
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "vendor.suspend"))
    assert entry.actor_id == admin.id and entry.target_id == str(vendor.id)


def test_verifying_a_verified_shop_is_an_invalid_transition_and_not_audited(app):
    vendor = make_vendor(status="verified")
    with pytest.raises(InvalidTransition):
        applications.verify_vendor(make_user("admin"), vendor.id)
    assert db.session.scalar(select(AuditLog.id)) is None


def test_deciding_on_an_unknown_shop_is_not_found(app):
    with pytest.raises(NotFound):
        applications.suspend_vendor(make_user("admin"), 987654)


def test_vendor_list_filters_by_status_and_name(app):
    make_vendor(status="pending", name="Warung Pojok")
    make_vendor(status="verified", name="Warung Tengah")
    make_vendor(status="pending", name="Toko Sembako")
    page = applications.list_vendors(status="pending", q="warung")
    assert page.total == 1 and page.items[0].name == "Warung Pojok"
