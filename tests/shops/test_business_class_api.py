"""Business class from the business itself (issue 9): a shop declares its sales or capital with
evidence, the city approves or rejects through the API, the class follows PP 7/2021 with the PKP
floor, platform sales only raise flags, and every class change is audited and notified."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.audit.models import AuditLog
from marketplace.extensions import db
from marketplace.notifications.models import Notification
from marketplace.shops.models import BusinessClassDeclaration, BusinessClassFlag, Vendor
from marketplace.timeutil import naive_utc, now_utc, year_of
from tests.factories import make_user, make_vendor
from tests.finance.helpers import record_spending

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
DECLARATIONS = "/api/v1/vendor/business-class/declarations"
QUEUE = "/api/v1/admin/business-class/declarations"
MILIAR = 1_000_000_000
LAST_YEAR = year_of(now_utc()) - 1


def declare(client, *, document=(PDF, "spt-2025.pdf"), **fields):
    form = {"basis": "sales", "amount": "1.500.000.000", "year": str(LAST_YEAR), "source": "spt"}
    form.update({k: v for k, v in fields.items() if v is not None})
    form = {k: v for k, v in form.items() if v != ""}
    if document is not None:
        form["document"] = (io.BytesIO(document[0]), document[1])
    return client.post(DECLARATIONS, data=form, content_type="multipart/form-data")


def fresh_vendor(vendor_id: int) -> Vendor:
    db.session.expire_all()
    return db.session.get(Vendor, vendor_id)


@pytest.fixture
def admin(app):
    user = make_user("admin")
    db.session.commit()
    return user


@pytest.fixture
def admin_api(api, admin):
    return api(admin)


def approve(admin_api, declaration_id, reason=None):
    return admin_api.post(f"{QUEUE}/{declaration_id}/approve", json={"reason": reason})


# ---------------------------------------------------------------- the shop declares
def test_a_shop_declares_its_annual_sales_with_evidence_and_it_waits_for_review(shop_api, shop):
    resp = declare(shop_api, amount="2.000.000.001", source="oss_nib")
    assert resp.status_code == 201, resp.json
    body = resp.json
    assert (body["basis"], body["amount"], body["year"], body["source"], body["status"]) == (
        "sales",
        2 * MILIAR + 1,
        LAST_YEAR,
        "oss_nib",
        "pending",
    )
    assert body["document_name"] == "spt-2025.pdf" and body["document_type"] == "pdf"
    assert body["decided_class"] is None
    listed = shop_api.get(DECLARATIONS).json
    assert listed["total"] == 1 and listed["items"][0]["id"] == body["id"]
    assert fresh_vendor(shop.id).umk_class == "micro"  # nothing changes before the review
    info = shop_api.get("/api/v1/vendor/business-class").json
    assert info["pending_declaration_id"] == body["id"] and info["basis"] == "default"


def test_a_new_business_declares_its_capital_as_a_json_integer_or_typed_rupiah(shop_api):
    resp = declare(shop_api, basis="capital", amount="1000000001", document=(PNG, "nib.png"))
    assert resp.status_code == 201, resp.json
    assert resp.json["basis"] == "capital" and resp.json["amount"] == MILIAR + 1


def test_shops_see_only_their_own_declarations_and_documents(shop_api, api, other_shop, client):
    created = declare(shop_api).json
    other = api(other_shop.owner)
    assert other.get(DECLARATIONS).json["total"] == 0
    assert other.get(created["document_url"]).status_code == 404
    assert shop_api.get(created["document_url"]).status_code == 200
    assert shop_api.get(created["document_url"]).data == PDF
    assert client.get(created["document_url"]).status_code in (302, 401)


def test_the_evidence_is_not_served_from_the_public_uploads_folder(shop_api, app):
    from pathlib import Path

    declare(shop_api)
    stored = db.session.scalars(select(BusinessClassDeclaration.document_path)).one()
    assert (Path(app.config["EVIDENCE_FOLDER"]) / stored).is_file()
    assert not (Path(app.config["UPLOAD_FOLDER"]) / stored).exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"document": None}, "document"),
        ({"document": (b"MZ\x90\x00 not a pdf", "spt.pdf")}, "document"),
        ({"document": (b"", "empty.pdf")}, "document"),
        ({"basis": "assets"}, "basis"),
        ({"basis": ""}, "basis"),
        ({"amount": "12,5"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "1jt"}, "amount"),
        ({"amount": ""}, "amount"),
        ({"amount": str(10**16)}, "amount"),
        ({"year": "1999"}, "year"),
        ({"year": str(LAST_YEAR + 2)}, "year"),
        ({"year": "tahun lalu"}, "year"),
        ({"source": "bank"}, "source"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_declarations_answer_422_in_the_error_shape_and_store_nothing(shop_api, fields, field):
    document = fields.pop("document", (PDF, "spt.pdf"))
    resp = declare(shop_api, document=document, **fields)
    assert resp.status_code == 422, resp.json
    error = resp.json["error"]
    assert error["code"] == "validation_error" and error["message"]
    assert field in error["details"]
    assert db.session.scalar(select(func.count()).select_from(BusinessClassDeclaration)) == 0


def test_a_document_over_5_mb_is_refused(shop_api):
    big = PDF + b"0" * (5 * 1024 * 1024)
    resp = declare(shop_api, document=(big, "besar.pdf"))
    assert resp.status_code == 422 and "document" in resp.json["error"]["details"]


def test_a_json_body_without_the_document_is_422_not_500(shop_api):
    resp = shop_api.post(
        DECLARATIONS, json={"basis": "sales", "amount": 1, "year": LAST_YEAR, "source": "spt"}
    )
    assert resp.status_code == 422


def test_a_second_declaration_waits_until_the_first_is_decided(shop_api, admin_api):
    first = declare(shop_api).json
    again = declare(shop_api)
    assert again.status_code == 409 and again.json["error"]["code"] == "declaration_pending"
    admin_api.post(f"{QUEUE}/{first['id']}/reject", json={"reason": "dokumen buram"})
    assert declare(shop_api).status_code == 201


# ---------------------------------------------------------------- the city reviews
def test_approval_sets_the_pp_7_2021_class_audits_and_notifies_the_shop(
    shop_api, admin_api, admin, shop
):
    created = declare(shop_api, amount="2.000.000.001").json
    queue = admin_api.get(QUEUE).json
    assert queue["total"] == 1
    assert queue["items"][0]["proposed_class"] == "small"
    assert queue["items"][0]["vendor_name"] == shop.name

    resp = approve(admin_api, created["id"], "SPT 2025 sesuai")
    assert resp.status_code == 200, resp.json
    assert resp.json["status"] == "approved" and resp.json["decided_class"] == "small"

    vendor = fresh_vendor(shop.id)
    assert (vendor.umk_class, vendor.umk_class_basis, vendor.umk_class_declaration_id) == (
        "small",
        "declaration",
        created["id"],
    )
    audit = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "vendor.class_changed")
    ).one()
    assert audit.actor_id == admin.id and audit.target_id == str(shop.id)
    assert audit.before["umk_class"] == "micro" and audit.before["basis"] == "default"
    assert audit.after["umk_class"] == "small" and audit.after["declaration_id"] == created["id"]
    assert audit.reason == "SPT 2025 sesuai"
    note = db.session.scalars(select(Notification)).one()
    assert note.user_id == shop.owner_id and note.kind == "business_class"
    assert "kecil" in note.title

    mine = shop_api.get("/api/v1/vendor/shop").json
    assert (mine["umk_class"], mine["umk_class_basis"], mine["umk_class_declaration_id"]) == (
        "small",
        "declaration",
        created["id"],
    )
    assert mine["class_review_flag"] is False
    seen = admin_api.get(f"/api/v1/admin/vendors/{shop.id}").json
    assert seen["umk_class"] == "small" and seen["umk_class_basis"] == "declaration"


@pytest.mark.parametrize(
    ("basis", "amount", "pkp", "expected"),
    [
        ("sales", "2.000.000.000", False, "micro"),
        ("sales", "2.000.000.001", False, "small"),
        ("sales", "15.000.000.001", False, "medium"),
        ("sales", "1.000.000.000", True, "small"),
        ("capital", "1.000.000.001", False, "small"),
        ("capital", "10.000.000.000", False, "medium"),
    ],
)
def test_worked_cases_of_pp_7_2021_through_the_review(api, admin_api, basis, amount, pkp, expected):
    vendor = make_vendor(pkp=pkp)
    db.session.commit()
    created = declare(api(vendor.owner), basis=basis, amount=amount).json
    assert approve(admin_api, created["id"]).json["decided_class"] == expected
    assert fresh_vendor(vendor.id).effective_umk_class == expected


def test_above_rp50_miliar_the_shop_is_large_and_flagged_for_the_citys_review(
    shop_api, admin_api, admin, shop
):
    created = declare(shop_api, amount="50.000.000.001").json
    assert approve(admin_api, created["id"]).json["decided_class"] == "large"
    flag = db.session.scalars(select(BusinessClassFlag)).one()
    assert (flag.kind, flag.umk_class, flag.amount, flag.declaration_id) == (
        "large",
        "large",
        50 * MILIAR + 1,
        created["id"],
    )
    assert shop_api.get("/api/v1/vendor/shop").json["class_review_flag"] is True
    assert admin_api.get(f"/api/v1/admin/vendors/{shop.id}").json["class_review_flag"] is True
    flags = admin_api.get("/api/v1/admin/business-class/flags").json
    assert [f["kind"] for f in flags["items"]] == ["large"]

    resolve = f"/api/v1/admin/business-class/flags/{flag.id}/resolve"
    assert admin_api.post(resolve, json={}).status_code == 422
    done = admin_api.post(resolve, json={"reason": "tetap boleh berjualan, bukan UMK"})
    assert done.status_code == 200 and done.json["resolved_at"]
    assert admin_api.post(resolve, json={"reason": "lagi"}).status_code == 409
    assert shop_api.get("/api/v1/vendor/shop").json["class_review_flag"] is False
    assert (
        db.session.scalar(
            select(AuditLog.actor_id).where(AuditLog.action == "business_class.flag_resolved")
        )
        == admin.id
    )
    assert admin_api.get("/api/v1/admin/business-class/flags").json["total"] == 0
    assert admin_api.get("/api/v1/admin/business-class/flags?open=false").json["total"] == 1


def test_rejection_needs_a_reason_keeps_the_class_and_tells_the_shop(shop_api, admin_api, shop):
    created = declare(shop_api, amount="20.000.000.000").json
    url = f"{QUEUE}/{created['id']}/reject"
    assert admin_api.post(url, json={}).status_code == 422
    assert admin_api.post(url, json={"reason": "  "}).status_code == 422
    resp = admin_api.post(url, json={"reason": "SPT tidak terbaca"})
    assert resp.status_code == 200 and resp.json["status"] == "rejected"
    assert fresh_vendor(shop.id).effective_umk_class == "micro"
    note = db.session.scalars(select(Notification)).one()
    assert "SPT tidak terbaca" in note.body and note.user_id == shop.owner_id
    audit = db.session.scalars(select(AuditLog)).one()
    assert audit.action == "business_class.declaration_rejected"
    assert audit.reason == "SPT tidak terbaca"
    mine = shop_api.get(DECLARATIONS).json["items"][0]
    assert mine["review_reason"] == "SPT tidak terbaca"


def test_a_declaration_is_decided_once(shop_api, admin_api):
    created = declare(shop_api).json
    assert approve(admin_api, created["id"]).status_code == 200
    again = approve(admin_api, created["id"])
    assert again.status_code == 409 and again.json["error"]["code"] == "invalid_transition"
    reject = admin_api.post(f"{QUEUE}/{created['id']}/reject", json={"reason": "salah"})
    assert reject.status_code == 409
    assert approve(admin_api, 99999).status_code == 404
    assert admin_api.get(f"{QUEUE}/99999").status_code == 404


def test_the_queue_filters_by_status_and_refuses_unknown_ones(shop_api, admin_api):
    created = declare(shop_api).json
    approve(admin_api, created["id"])
    assert admin_api.get(QUEUE).json["total"] == 0
    assert admin_api.get(f"{QUEUE}?status=approved").json["total"] == 1
    assert admin_api.get(f"{QUEUE}?status=all").json["total"] == 1
    assert admin_api.get(f"{QUEUE}?status=maybe").status_code == 422


def test_approval_replaces_an_admin_override_and_says_so_in_the_audit(shop_api, admin_api, shop):
    admin_api.put(f"/api/v1/admin/vendors/{shop.id}/business-class", json={"umk_class": "medium"})
    created = declare(shop_api, amount="3.000.000.000").json
    approve(admin_api, created["id"])
    vendor = fresh_vendor(shop.id)
    assert vendor.umk_class_override is None and vendor.effective_umk_class == "small"
    audit = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "vendor.class_changed")
    ).one()
    assert audit.before["umk_class_override"] == "medium" and audit.before["basis"] == "override"


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("get", QUEUE, None),
        ("get", f"{QUEUE}/1", None),
        ("post", f"{QUEUE}/1/approve", {}),
        ("post", f"{QUEUE}/1/reject", {"reason": "tidak"}),
        ("get", "/api/v1/admin/business-class/flags", None),
        ("post", "/api/v1/admin/business-class/flags/1/resolve", {"reason": "tidak"}),
    ],
)
def test_only_admins_review_declarations(api, owner, method, url, body):
    for user in (owner, make_user("finance"), make_user("public")):
        client = api(user)
        resp = getattr(client, method)(url, json=body) if body is not None else client.get(url)
        assert resp.status_code == 403
    anon = api()
    resp = getattr(anon, method)(url, json=body) if body is not None else anon.get(url)
    assert resp.status_code == 401


def test_only_shops_declare(api):
    for user in (make_user("admin"), make_user("public")):
        assert declare(api(user)).status_code == 403
    assert declare(api()).status_code == 401


# ---------------------------------------------------------------- the override
def test_an_override_is_audited_and_notified_and_never_puts_a_pkp_below_small(
    api, admin_api, admin
):
    pkp = make_vendor(pkp=True, umk_class="small")
    db.session.commit()
    url = f"/api/v1/admin/vendors/{pkp.id}/business-class"
    refused = admin_api.put(url, json={"umk_class": "micro", "reason": "coba"})
    assert refused.status_code == 422 and "umk_class" in refused.json["error"]["details"]
    assert fresh_vendor(pkp.id).umk_class_override is None
    resp = admin_api.put(url, json={"umk_class": "large", "reason": "laporan keuangan"})
    assert resp.status_code == 200 and resp.json["basis"] == "override"
    audit = db.session.scalars(select(AuditLog)).one()
    assert audit.action == "vendor.class_override" and audit.actor_id == admin.id
    assert audit.before["umk_class"] == "small" and audit.after["umk_class"] == "large"
    note = db.session.scalars(select(Notification)).one()
    assert note.user_id == pkp.owner_id and note.kind == "business_class"


# ---------------------------------------------------------------- platform sales only flag
def add_sales(vendor, amount: int) -> None:
    record_spending(amount, at=now_utc() - timedelta(days=1), vendor=vendor)


def test_refresh_never_moves_a_pkp_shop_to_micro(runner):
    # The shop: PKP (turnover above Rp4,8 miliar), small, with almost no platform sales.
    pkp = make_vendor(pkp=True, umk_class="small")
    db.session.commit()
    result = runner.invoke(args=["refresh-business-classes"])
    assert result.exit_code == 0, result.output
    assert "0 flags raised, no class changed" in result.output
    assert fresh_vendor(pkp.id).effective_umk_class == "small"
    assert db.session.scalar(select(func.count()).select_from(AuditLog)) == 0


def test_the_cli_never_changes_a_class_and_flags_sales_above_it(runner, api, admin):
    old = make_vendor(created_at=naive_utc(now_utc() - timedelta(days=800)))
    medium = make_vendor(umk_class_override="medium")
    add_sales(old, 2 * MILIAR + 1)
    add_sales(medium, 2 * MILIAR + 1)
    db.session.commit()
    before = {v.id: (v.umk_class, v.umk_class_override) for v in (old, medium)}

    first = runner.invoke(args=["refresh-business-classes"])
    assert first.exit_code == 0, first.output
    assert "1 flags raised, no class changed" in first.output
    again = runner.invoke(args=["refresh-business-classes"])
    assert "0 flags raised" in again.output

    db.session.expire_all()
    after = {v.id: (v.umk_class, v.umk_class_override) for v in db.session.scalars(select(Vendor))}
    assert all(after[k] == before[k] for k in before)
    flag = db.session.scalars(select(BusinessClassFlag)).one()
    assert (flag.vendor_id, flag.kind, flag.ceiling) == (old.id, "platform_sales", 2 * MILIAR)
    assert flag.amount > 2 * MILIAR
    assert db.session.scalar(select(func.count()).select_from(AuditLog)) == 0

    watch = api(admin).get("/api/v1/finance/watch").json
    assert watch["summary"]["class_flags"] == 1
    assert watch["class_flags"][0]["vendor"]["id"] == old.id
    assert watch["class_flags"][0]["kind"] == "platform_sales"


def test_a_multipart_part_with_an_unreadable_name_is_422_not_500(shop_api):
    resp = shop_api.post(DECLARATIONS, data={"\x9cS\r": "1"}, content_type="multipart/form-data")
    assert resp.status_code == 422 and resp.json["error"]["code"] == "validation_error"


def test_the_database_keeps_one_pending_declaration_per_shop(shop):
    from sqlalchemy.exc import IntegrityError

    def pending():
        return BusinessClassDeclaration(
            vendor_id=shop.id,
            basis="sales",
            amount=1,
            year=LAST_YEAR,
            source="spt",
            document_path="x.pdf",
            document_name="x.pdf",
            document_type="pdf",
            status="pending",
        )

    db.session.add(pending())
    db.session.commit()
    db.session.add(pending())
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_two_declarations_sent_at_once_give_one_409_and_leave_no_stray_file(
    shop_api, monkeypatch, app
):
    from pathlib import Path

    from marketplace.shops import business_class

    assert declare(shop_api).status_code == 201
    # The second request passed the check before the first committed.
    monkeypatch.setattr(business_class, "_pending_of", lambda vendor_id: None)
    folder = Path(app.config["EVIDENCE_FOLDER"])
    files_before = set(folder.iterdir())
    resp = declare(shop_api)
    assert resp.status_code == 409 and resp.json["error"]["code"] == "declaration_pending"
    assert set(folder.iterdir()) == files_before
    assert db.session.scalar(select(func.count()).select_from(BusinessClassDeclaration)) == 1
