"""The city's review of product flags: a shop's PDN, local and VAT-exempt claims count for nothing
until an admin approves them; decisions are audited, the shop is notified and sees each flag's
state; checkout freezes the approved flags on the order line."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.audit.models import AuditLog
from marketplace.extensions import db
from marketplace.ledger.models import SpendingRecord
from marketplace.notifications.models import Notification
from marketplace.shops import flag_reviews
from tests.factories import make_paid_order, make_product, make_user, make_vendor

CHOCOLATE = {
    "name": "Cokelat Swiss Impor 100 g",
    "category": "sembako",
    "unit": "pcs",
    "price": 55_500,
    "stock": 20,
    "is_pdn": True,
    "tkdn_bps": 4000,
    "is_local_product": True,
    "vat_exempt": True,
}


@pytest.fixture
def pkp_shop(shop):
    shop.pkp = True
    db.session.commit()
    return shop


@pytest.fixture
def admin(app):
    user = make_user("admin")
    db.session.commit()
    return user


@pytest.fixture
def admin_api(api, admin):
    return api(admin)


def _create(shop_api, body):
    resp = shop_api.post("/api/v1/vendor/products", json=body)
    assert resp.status_code == 201, resp.json
    return resp.json


def _line_flags(order):
    line = order.lines[0]
    return line.is_pdn, line.is_local_product, line.vat_exempt, line.vat


def test_claimed_imported_chocolate_sells_taxable_not_pdn_not_local_until_approved(
    shop_api, admin_api, pkp_shop
):
    body = _create(shop_api, CHOCOLATE)
    assert (body["is_pdn"], body["is_local_product"], body["vat_exempt"]) == (False, False, False)
    assert {f: s["status"] for f, s in body["flag_review"].items()} == {
        "is_pdn": "pending",
        "is_local_product": "pending",
        "vat_exempt": "pending",
    }
    product = db.session.get(flag_reviews.catalog.Product, body["id"])

    before = make_paid_order(items=[(product, 1)])
    assert _line_flags(before) == (False, False, False, 5_500)  # 55 500 × 11/111
    record = db.session.scalar(select(SpendingRecord).where(SpendingRecord.order_id == before.id))
    assert (record.is_pdn, record.is_local_product) == (False, False)

    # Swiss chocolate is no basic necessity: its VAT exemption cannot be approved.
    resp = admin_api.post(f"/api/v1/admin/product-flags/{product.id}/approve", json={})
    assert resp.status_code == 422
    assert resp.json["error"]["code"] == "not_basic_necessity"
    assert "vat_exempt" in resp.json["error"]["details"]
    resp = admin_api.post(
        f"/api/v1/admin/product-flags/{product.id}/approve",
        json={"flags": ["is_pdn", "is_local_product"], "reason": "Sertifikat TKDN diperiksa"},
    )
    assert resp.status_code == 200, resp.json
    assert (resp.json["is_pdn"], resp.json["tkdn_bps"], resp.json["vat_exempt"]) == (
        True,
        4000,
        False,
    )
    resp = admin_api.post(
        f"/api/v1/admin/product-flags/{product.id}/reject",
        json={"flags": ["vat_exempt"], "reason": "Bukan bahan pokok PP 49/2022"},
    )
    assert resp.status_code == 200, resp.json

    after = make_paid_order(items=[(product, 1)])
    assert _line_flags(after) == (True, True, False, 5_500)
    db.session.refresh(before.lines[0])
    assert _line_flags(before) == (False, False, False, 5_500)  # frozen at its sale


def test_approved_vat_exemption_of_a_basic_necessity_makes_the_line_tax_free(
    shop_api, admin_api, pkp_shop
):
    body = _create(
        shop_api,
        {"name": "Beras Premium 5 kg", "category": "sembako", "unit": "pack", "price": 75_000}
        | {"stock": 5, "vat_exempt": True},
    )
    product = db.session.get(flag_reviews.catalog.Product, body["id"])
    assert _line_flags(make_paid_order(items=[(product, 1)]))[2:] == (False, 7_432)
    resp = admin_api.post(f"/api/v1/admin/product-flags/{product.id}/approve", json={})
    assert resp.status_code == 200 and resp.json["vat_exempt"] is True
    assert _line_flags(make_paid_order(items=[(product, 1)]))[2:] == (True, 0)


def test_rejecting_with_a_reason_notifies_the_shop_audits_and_resets_the_claim(
    shop_api, admin_api, admin, shop
):
    body = _create(shop_api, CHOCOLATE | {"vat_exempt": False, "is_local_product": False})
    resp = admin_api.post(
        f"/api/v1/admin/product-flags/{body['id']}/reject",
        json={"reason": "Produk impor, bukan PDN"},
    )
    assert resp.status_code == 200, resp.json
    state = resp.json["flag_review"]["is_pdn"]
    assert state == {
        "claimed": False,
        "approved": False,
        "status": "rejected",
        "reason": "Produk impor, bukan PDN",
        "tkdn_bps": None,
    }
    note = db.session.scalar(select(Notification).where(Notification.user_id == shop.owner_id))
    assert "ditolak" in note.title and note.body == "Produk impor, bukan PDN"
    assert note.url == f"/shop/products/{body['id']}/edit"
    audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "product.flags_reject"))
    assert audit.actor_id == admin.id and audit.target_id == str(body["id"])
    assert audit.reason == "Produk impor, bukan PDN"
    assert audit.before["flags"] == ["is_pdn"] and audit.after["is_pdn"] is False
    own = shop_api.get(f"/api/v1/vendor/products/{body['id']}").json
    assert own["flag_review"]["is_pdn"]["status"] == "rejected"


def test_approval_is_audited_and_notified(shop_api, admin_api, admin, shop):
    body = _create(shop_api, CHOCOLATE | {"vat_exempt": False})
    resp = admin_api.post(f"/api/v1/admin/product-flags/{body['id']}/approve", json={})
    assert resp.status_code == 200
    audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "product.flags_approve"))
    assert audit.before["is_pdn"] is False and audit.after == {
        "is_pdn": True,
        "tkdn_bps": 4000,
        "is_local_product": True,
        "vat_exempt": False,
    }
    note = db.session.scalar(select(Notification).where(Notification.user_id == shop.owner_id))
    assert "disetujui" in note.title


def test_a_rejection_needs_a_reason(shop_api, admin_api, shop):
    body = _create(shop_api, CHOCOLATE)
    for payload in ({}, {"reason": "   "}):
        resp = admin_api.post(f"/api/v1/admin/product-flags/{body['id']}/reject", json=payload)
        assert resp.status_code == 422 and "reason" in resp.json["error"]["details"]


@pytest.mark.parametrize(
    ("url", "payload", "status", "code"),
    [
        ("/api/v1/admin/product-flags/999999/approve", {}, 404, "not_found"),
        ("/api/v1/admin/product-flags/999999/reject", {"reason": "x"}, 404, "not_found"),
        ("/api/v1/admin/product-flags/{id}/approve", {"flags": ["made_up"]}, 422, None),
        ("/api/v1/admin/product-flags/{id}/approve", {"flags": []}, 422, None),
        ("/api/v1/admin/product-flags/{id}/approve", {"flags": "is_pdn"}, 422, None),
        ("/api/v1/admin/product-flags/{id}/approve", {"reason": "x" * 501}, 422, None),
        ("/api/v1/admin/product-flags/{id}/approve", {"other": 1}, 422, None),
    ],
)
def test_bad_decisions_answer_4xx_in_the_error_shape(
    shop_api, admin_api, shop, url, payload, status, code
):
    body = _create(shop_api, CHOCOLATE)
    resp = admin_api.post(url.format(id=body["id"]), json=payload)
    assert resp.status_code == status, resp.json
    assert set(resp.json["error"]) == {"code", "message", "details"}
    if code:
        assert resp.json["error"]["code"] == code


def test_a_decision_without_pending_claims_is_a_conflict(shop_api, admin_api, product):
    resp = admin_api.post(f"/api/v1/admin/product-flags/{product.id}/approve", json={})
    assert resp.status_code == 409 and resp.json["error"]["code"] == "no_pending_review"


def test_a_decision_with_a_non_json_body_is_a_bad_request(shop_api, admin_api, shop):
    body = _create(shop_api, CHOCOLATE)
    resp = admin_api.post(
        f"/api/v1/admin/product-flags/{body['id']}/approve",
        data="not json",
        headers={"Content-Type": "application/json"},
    )
    assert resp.status_code == 400


@pytest.mark.parametrize("role", ["vendor", "finance", "civil_servant", "public"])
def test_only_admins_review_flags(api, shop_api, shop, role):
    body = _create(shop_api, CHOCOLATE)
    user = make_user(role)
    db.session.commit()
    client = api(user)
    assert client.get("/api/v1/admin/product-flags").status_code == 403
    resp = client.post(f"/api/v1/admin/product-flags/{body['id']}/approve", json={})
    assert resp.status_code == 403
    assert api().get("/api/v1/admin/product-flags").status_code == 401


def test_the_queue_lists_products_with_pending_claims_oldest_first(shop_api, admin_api, shop):
    first = _create(shop_api, CHOCOLATE | {"name": "Cokelat A"})
    second = _create(
        shop_api, {"name": "Beras B", "category": "sembako", "unit": "kg", "price": 1000}
    )
    third = _create(shop_api, {**CHOCOLATE, "name": "Beras C", "is_pdn": False, "tkdn_bps": None})
    resp = admin_api.get("/api/v1/admin/product-flags?per_page=1")
    assert resp.status_code == 200
    assert resp.json["total"] == 2 and resp.json["per_page"] == 1
    item = resp.json["items"][0]
    assert item["product_id"] == first["id"] and item["basic_necessity"] is None
    assert {c["flag"] for c in item["pending"]} == {"is_pdn", "is_local_product", "vat_exempt"}
    assert item["vendor"] == {"id": shop.id, "name": shop.name}
    page2 = admin_api.get("/api/v1/admin/product-flags?per_page=1&page=2").json
    assert page2["items"][0]["product_id"] == third["id"]
    assert page2["items"][0]["basic_necessity"] == "beras"
    assert second["id"] not in {i["product_id"] for i in page2["items"]}
    assert admin_api.get("/api/v1/admin/product-flags?page=0").status_code == 422


def test_taking_a_flag_back_applies_at_once_and_withdraws_the_claim(shop_api, admin_api, shop):
    body = _create(shop_api, CHOCOLATE)
    resp = shop_api.patch(
        f"/api/v1/vendor/products/{body['id']}", json={"vat_exempt": False, "is_pdn": False}
    )
    assert resp.status_code == 200, resp.json
    assert resp.json["flag_review"]["vat_exempt"]["status"] is None
    assert resp.json["flag_review"]["is_pdn"]["status"] is None
    item = admin_api.get("/api/v1/admin/product-flags").json["items"][0]
    assert [c["flag"] for c in item["pending"]] == ["is_local_product"]


def test_an_approved_flag_taken_back_stops_counting_at_once(shop_api, admin_api, shop):
    body = _create(shop_api, CHOCOLATE | {"vat_exempt": False})
    admin_api.post(f"/api/v1/admin/product-flags/{body['id']}/approve", json={})
    resp = shop_api.patch(f"/api/v1/vendor/products/{body['id']}", json={"is_local_product": False})
    assert resp.json["is_local_product"] is False and resp.json["is_pdn"] is True
    assert admin_api.get("/api/v1/admin/product-flags").json["total"] == 0


def test_changing_tkdn_needs_review_and_keeps_the_approved_value_meanwhile(
    shop_api, admin_api, shop
):
    body = _create(shop_api, CHOCOLATE | {"vat_exempt": False, "is_local_product": False})
    admin_api.post(f"/api/v1/admin/product-flags/{body['id']}/approve", json={})
    resp = shop_api.patch(f"/api/v1/vendor/products/{body['id']}", json={"tkdn_bps": 6500})
    assert (resp.json["is_pdn"], resp.json["tkdn_bps"]) == (True, 4000)
    assert resp.json["flag_review"]["is_pdn"]["status"] == "pending"
    assert resp.json["flag_review"]["is_pdn"]["tkdn_bps"] == 6500
    resp = admin_api.post(
        f"/api/v1/admin/product-flags/{body['id']}/reject", json={"reason": "Sertifikat lama"}
    )
    assert (resp.json["is_pdn"], resp.json["tkdn_bps"]) == (True, 4000)
    assert resp.json["flag_review"]["is_pdn"]["tkdn_bps"] == 4000


def test_saving_an_unchanged_claim_does_not_queue_it_again(shop_api, admin_api, shop):
    body = _create(shop_api, CHOCOLATE | {"vat_exempt": False})
    admin_api.post(f"/api/v1/admin/product-flags/{body['id']}/approve", json={})
    shop_api.patch(f"/api/v1/vendor/products/{body['id']}", json={**CHOCOLATE, "vat_exempt": False})
    assert admin_api.get("/api/v1/admin/product-flags").json["total"] == 0


def test_tkdn_without_a_pdn_claim_or_out_of_range_is_refused(shop_api, shop):
    resp = shop_api.post("/api/v1/vendor/products", json=CHOCOLATE | {"is_pdn": False})
    assert resp.status_code == 422 and "tkdn_bps" in resp.json["error"]["details"]
    resp = shop_api.post("/api/v1/vendor/products", json=CHOCOLATE | {"tkdn_bps": 10_001})
    assert resp.status_code == 422 and "tkdn_bps" in resp.json["error"]["details"]


def test_new_products_are_conservative_by_default(app):
    product = make_product(make_vendor())
    db.session.commit()
    assert (product.is_pdn, product.is_local_product, product.vat_exempt) == (False, False, False)


def test_renaming_an_approved_product_sends_its_flags_back_to_review(shop_api, admin_api, shop):
    body = _create(
        shop_api,
        {"name": "Beras Premium 5 kg", "category": "sembako", "unit": "pack", "price": 75_000}
        | {"vat_exempt": True, "is_pdn": True, "tkdn_bps": 9000},
    )
    admin_api.post(f"/api/v1/admin/product-flags/{body['id']}/approve", json={})
    resp = shop_api.patch(f"/api/v1/vendor/products/{body['id']}", json={"price": 76_000})
    assert (resp.json["vat_exempt"], resp.json["is_pdn"]) == (True, True)  # same goods
    resp = shop_api.patch(
        f"/api/v1/vendor/products/{body['id']}", json={"name": "Cokelat Swiss Impor"}
    )
    assert (resp.json["vat_exempt"], resp.json["is_pdn"], resp.json["tkdn_bps"]) == (
        False,
        False,
        None,
    )
    assert resp.json["flag_review"]["vat_exempt"]["status"] == "pending"
    assert resp.json["flag_review"]["is_pdn"] == {
        "claimed": True,
        "approved": False,
        "status": "pending",
        "reason": None,
        "tkdn_bps": 9000,
    }
    resp = admin_api.post(f"/api/v1/admin/product-flags/{body['id']}/approve", json={})
    assert resp.status_code == 422 and resp.json["error"]["code"] == "not_basic_necessity"


def test_an_import_that_renames_a_product_sends_its_flags_back_to_review(shop_api, admin_api, shop):
    from tests.shops.test_import import HEADER, upload

    upload(shop_api, HEADER + "BRS-5,Beras 5 kg,,sembako,karung,68000,20,ya,tidak,tidak,ya,5\n")
    product = db.session.scalar(
        select(flag_reviews.catalog.Product).where(flag_reviews.catalog.Product.sku == "BRS-5")
    )
    admin_api.post(f"/api/v1/admin/product-flags/{product.id}/approve", json={})
    upload(shop_api, HEADER + "BRS-5,Beras 5 kg,,sembako,karung,69000,20,ya,tidak,tidak,ya,5\n")
    db.session.expire_all()
    assert db.session.get(flag_reviews.catalog.Product, product.id).vat_exempt is True
    upload(shop_api, HEADER + "BRS-5,Keripik Beras,,sembako,pak,69000,20,ya,tidak,tidak,ya,5\n")
    db.session.expire_all()
    renamed = db.session.get(flag_reviews.catalog.Product, product.id)
    assert (renamed.vat_exempt, renamed.claimed_vat_exempt) == (False, True)
