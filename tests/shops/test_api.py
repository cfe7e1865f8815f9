"""The vendor API over HTTP: shapes, status codes and the error shape of SPEC §4."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from marketplace.audit.models import AuditLog
from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.shops.models import StockMovement, Vendor
from tests.factories import make_paid_order, make_product, make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


def error_code(resp):
    return resp.json["error"]["code"]


# ---------------------------------------------------------------- shop
def test_shopkeeper_reads_own_shop_profile(shop_api, shop):
    resp = shop_api.get("/api/v1/vendor/shop")
    assert resp.status_code == 200
    assert resp.json["id"] == shop.id and resp.json["name"] == "Warung Bu Sri"
    assert resp.json["umk_class"] == "micro" and resp.json["status"] == "verified"


def test_shopkeeper_edits_profile_and_bank_details(shop_api, shop):
    resp = shop_api.patch(
        "/api/v1/vendor/shop",
        json={
            "name": "Warung Bu Sri Makmur",
            "phone": "+62 812-3456-7890",
            "bank_name": "Bank Jatim",
            "bank_account_number": "0011223344",
            "bank_account_name": "Sri",
        },
    )
    assert resp.status_code == 200, resp.json
    assert resp.json["bank_account_number"] == "0011223344"
    db.session.expire_all()
    assert db.session.get(Vendor, shop.id).name == "Warung Bu Sri Makmur"


def test_the_shop_gives_its_npwp_and_phone_and_other_edits_keep_them(shop_api, shop):
    resp = shop_api.patch(
        "/api/v1/vendor/shop", json={"npwp": "01.234.567.8-901.000", "phone": "0812 3456 7890"}
    )
    assert resp.status_code == 200, resp.json
    assert (resp.json["npwp"], resp.json["npwp_display"]) == (
        "0012345678901000",
        "01.234.567.8-901.000",
    )
    assert (resp.json["phone"], resp.json["phone_display"]) == ("+6281234567890", "0812-3456-7890")
    resp = shop_api.patch("/api/v1/vendor/shop", json={"name": "Warung Bu Sri Jaya"})
    assert (resp.json["npwp"], resp.json["phone"]) == ("0012345678901000", "+6281234567890")
    resp = shop_api.patch("/api/v1/vendor/shop", json={"npwp": None, "phone": ""})
    assert (resp.json["npwp"], resp.json["phone"]) == (None, None)


@pytest.mark.parametrize(
    "field, value", [("npwp", "12.345"), ("phone", "12345"), ("phone", "+44 20 7946 0958")]
)
def test_an_invalid_npwp_or_phone_is_a_422_naming_the_field(shop_api, shop, field, value):
    resp = shop_api.patch("/api/v1/vendor/shop", json={field: value})
    assert resp.status_code == 422 and field in resp.json["error"]["details"]
    db.session.expire_all()
    assert getattr(db.session.get(Vendor, shop.id), field) is None


def test_status_nib_and_class_cannot_be_changed_by_the_shopkeeper(shop_api, shop):
    for field, value in (("status", "verified"), ("nib", "9999999999999"), ("umk_class", "medium")):
        resp = shop_api.patch("/api/v1/vendor/shop", json={field: value})
        assert resp.status_code == 422
        assert field in resp.json["error"]["details"]
    db.session.expire_all()
    assert db.session.get(Vendor, shop.id).nib != "9999999999999"


def test_a_bank_account_number_with_letters_is_refused(shop_api):
    resp = shop_api.patch("/api/v1/vendor/shop", json={"bank_account_number": "12ab"})
    assert resp.status_code == 422 and "bank_account_number" in resp.json["error"]["details"]


def test_a_non_json_body_is_a_400(shop_api):
    resp = shop_api.patch(
        "/api/v1/vendor/shop", data="name=x", headers={"Content-Type": "text/plain"}
    )
    assert resp.status_code == 400 and error_code(resp) == "bad_request"


# ---------------------------------------------------------------- products
NEW_PRODUCT = {
    "name": "Telur Ayam",
    "description": "Telur kampung segar",
    "category": "sembako",
    "unit": "kg",
    "price": 28_000,
    "stock": 7,
    "sku": "TLR-1",
    "is_local_product": True,
    "is_pdn": True,
    "vat_exempt": True,
    "low_stock_threshold": 3,
}


def test_creating_a_product_answers_201_and_records_initial_stock(shop_api, shop):
    resp = shop_api.post("/api/v1/vendor/products", json=NEW_PRODUCT)
    assert resp.status_code == 201, resp.json
    body = resp.json
    assert body["category"] == "sembako" and body["stock"] == 7 and body["listed"] is True
    moves = db.session.scalars(
        select(StockMovement).where(StockMovement.product_id == body["id"])
    ).all()
    assert [(m.kind, m.delta, m.stock_after) for m in moves] == [("initial", 7, 7)]


def test_creating_a_product_with_bad_values_is_422_and_creates_nothing(shop_api, shop):
    for bad in (
        {"price": 0},
        {"price": -5},
        {"price": "10000"},
        {"stock": -1},
        {"category": "xx"},
        {"name": ""},
        {"price": 12.5},
    ):
        resp = shop_api.post("/api/v1/vendor/products", json={**NEW_PRODUCT, **bad})
        assert resp.status_code == 422, (bad, resp.json)
        assert set(resp.json["error"]) == {"code", "message", "details"}
    assert db.session.scalar(select(Product).where(Product.vendor_id == shop.id)) is None


def test_a_duplicate_sku_in_the_same_shop_is_409(shop_api, product):
    resp = shop_api.post("/api/v1/vendor/products", json={**NEW_PRODUCT, "sku": "BRS-1"})
    assert resp.status_code == 409 and error_code(resp) == "sku_taken"


def test_listing_products_filters_by_text_active_and_low_stock(shop_api, shop, other_shop):
    make_product(shop, name="Beras Pandan", stock=50, sku="A1")
    make_product(shop, name="Gula Pasir", stock=2, low_stock_threshold=5, sku="A2")
    make_product(shop, name="Beras Merah", stock=9, is_active=False, sku="A3")
    make_product(other_shop, name="Beras Tetangga", stock=1)
    names = lambda resp: sorted(p["name"] for p in resp.json["items"])
    everything = shop_api.get("/api/v1/vendor/products")
    assert everything.json["total"] == 3 and everything.json["per_page"] == 20
    assert names(shop_api.get("/api/v1/vendor/products?q=beras")) == ["Beras Merah", "Beras Pandan"]
    assert names(shop_api.get("/api/v1/vendor/products?active=false")) == ["Beras Merah"]
    assert names(shop_api.get("/api/v1/vendor/products?low_stock=true")) == ["Gula Pasir"]
    paged = shop_api.get("/api/v1/vendor/products?per_page=2&page=2")
    assert paged.json["page"] == 2 and len(paged.json["items"]) == 1


def test_a_bad_page_number_is_422(shop_api, shop):
    assert shop_api.get("/api/v1/vendor/products?page=0").status_code == 422


def test_patching_a_product_changes_fields_and_deactivates(shop_api, product):
    resp = shop_api.patch(
        f"/api/v1/vendor/products/{product.id}",
        json={"price": 13_500, "is_active": False, "category": "umkm"},
    )
    assert resp.status_code == 200, resp.json
    assert resp.json["price"] == 13_500 and resp.json["is_active"] is False
    assert resp.json["category"] == "umkm" and resp.json["listed"] is False


def test_stock_cannot_be_patched_directly(shop_api, product):
    resp = shop_api.patch(f"/api/v1/vendor/products/{product.id}", json={"stock": 99})
    assert resp.status_code == 422
    assert "stock-adjustments" in resp.json["error"]["details"]["stock"][0]
    db.session.expire_all()
    assert db.session.get(Product, product.id).stock == 10


def test_one_product_is_read_with_owner_fields(shop_api, product):
    resp = shop_api.get(f"/api/v1/vendor/products/{product.id}")
    assert resp.status_code == 200
    assert resp.json["sku"] == "BRS-1" and resp.json["low_stock"] is False


def test_an_unknown_product_is_404(shop_api, shop):
    assert shop_api.get("/api/v1/vendor/products/999999").status_code == 404


# ---------------------------------------------------------------- image
def test_a_png_photo_is_stored_under_a_random_name_and_served(shop_api, product, app, client):
    resp = shop_api.post(
        f"/api/v1/vendor/products/{product.id}/image",
        data={"image": (io.BytesIO(PNG), "../../evil.jpg")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 200, resp.json
    url = resp.json["image_url"]
    assert url.startswith("/uploads/p") and url.endswith(".png") and "evil" not in url
    served = client.get(url)
    assert served.status_code == 200 and served.data == PNG


def test_replacing_a_photo_removes_the_old_file(shop_api, product, app):
    from pathlib import Path

    first = shop_api.post(
        f"/api/v1/vendor/products/{product.id}/image",
        data={"image": (io.BytesIO(PNG), "a.png")},
        content_type="multipart/form-data",
    )
    second = shop_api.post(
        f"/api/v1/vendor/products/{product.id}/image",
        data={"image": (io.BytesIO(JPEG), "b.jpg")},
        content_type="multipart/form-data",
    )
    folder = Path(app.config["UPLOAD_FOLDER"])
    assert not (folder / first.json["image_url"].rsplit("/", 1)[1]).exists()
    assert (folder / second.json["image_url"].rsplit("/", 1)[1]).exists()


def test_a_file_that_is_not_an_image_is_refused_whatever_its_name(shop_api, product):
    for payload, name in (
        (b"<svg onload=alert(1)>", "x.png"),
        (b"GIF89a....", "x.gif"),
        (b"", "x.jpg"),
    ):
        resp = shop_api.post(
            f"/api/v1/vendor/products/{product.id}/image",
            data={"image": (io.BytesIO(payload), name)},
            content_type="multipart/form-data",
        )
        assert resp.status_code == 422 and "image" in resp.json["error"]["details"]
    db.session.expire_all()
    assert db.session.get(Product, product.id).image_path is None


def test_a_photo_over_2_mb_is_refused(shop_api, product):
    big = PNG + b"\x00" * (2 * 1024 * 1024)
    resp = shop_api.post(
        f"/api/v1/vendor/products/{product.id}/image",
        data={"image": (io.BytesIO(big), "big.png")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422


def test_a_missing_image_field_is_422(shop_api, product):
    resp = shop_api.post(
        f"/api/v1/vendor/products/{product.id}/image", data={}, content_type="multipart/form-data"
    )
    assert resp.status_code == 422


# ---------------------------------------------------------------- stock
def test_a_restock_answers_201_with_stock_and_movement(shop_api, product, owner):
    resp = shop_api.post(
        f"/api/v1/vendor/products/{product.id}/stock-adjustments",
        json={"delta": 5, "reason": "Kiriman agen"},
    )
    assert resp.status_code == 201, resp.json
    assert resp.json["stock"] == 15
    movement = resp.json["movement"]
    assert movement["kind"] == "restock" and movement["stock_after"] == 15
    assert movement["actor"] == {"id": owner.id, "name": owner.name}
    assert movement["note"] == "Kiriman agen"


def test_an_adjustment_below_zero_answers_409_and_changes_nothing(shop_api, product):
    resp = shop_api.post(
        f"/api/v1/vendor/products/{product.id}/stock-adjustments",
        json={"delta": -11, "reason": "hilang"},
    )
    assert resp.status_code == 409 and error_code(resp) == "insufficient_stock"
    db.session.expire_all()
    assert db.session.get(Product, product.id).stock == 10
    assert db.session.query(StockMovement).filter_by(product_id=product.id).count() == 1


def test_an_adjustment_needs_a_non_zero_delta_and_a_reason(shop_api, product):
    for body in (
        {"delta": 0, "reason": "nol"},
        {"delta": 3},
        {"delta": 3, "reason": "  "},
        {"delta": "3", "reason": "teks"},
        {"delta": 1, "reason": "ok", "kind": "sale"},
    ):
        resp = shop_api.post(f"/api/v1/vendor/products/{product.id}/stock-adjustments", json=body)
        assert resp.status_code == 422, body


def test_stock_movements_list_every_change_newest_first(shop_api, product):
    shop_api.post(
        f"/api/v1/vendor/products/{product.id}/stock-adjustments",
        json={"delta": 4, "reason": "restok"},
    )
    shop_api.post(
        f"/api/v1/vendor/products/{product.id}/stock-adjustments",
        json={"delta": -2, "reason": "rusak"},
    )
    resp = shop_api.get(f"/api/v1/vendor/products/{product.id}/stock-movements")
    assert resp.status_code == 200 and resp.json["total"] == 3
    assert [m["kind"] for m in resp.json["items"]] == ["correction", "restock", "initial"]
    assert resp.json["items"][0]["note"] == "rusak"


def test_a_sale_and_a_rejection_show_in_the_stock_history(shop_api, shop, product, api):
    order = make_paid_order(items=[(product, 3)])
    resp = shop_api.post(f"/api/v1/vendor/orders/{order.id}/reject", json={"reason": "habis"})
    if resp.status_code == 404 and resp.json["error"]["message"] == "Not Found":
        from marketplace.ordering.lifecycle import reject_order

        reject_order(shop.owner, order.id, "habis")
    kinds = [
        m["kind"]
        for m in shop_api.get(f"/api/v1/vendor/products/{product.id}/stock-movements").json["items"]
    ]
    assert kinds[:2] == ["release", "sale"]


# ---------------------------------------------------------------- reports and class
def test_sales_report_answers_rows_and_csv(shop_api, product):
    make_paid_order(items=[(product, 2)])
    resp = shop_api.get("/api/v1/vendor/sales-report?group_by=month")
    assert resp.status_code == 200, resp.json
    assert resp.json["group_by"] == "month" and len(resp.json["rows"]) == 12
    assert resp.json["totals"]["gross"] == 24_000
    csv_resp = shop_api.get("/api/v1/vendor/sales-report?group_by=day&format=csv")
    assert csv_resp.status_code == 200 and csv_resp.mimetype == "text/csv"
    text = csv_resp.data.decode("utf-8-sig")
    assert text.splitlines()[0] == "period,orders,gross,refunds,net"
    assert text.splitlines()[-1] == "total,1,24000,0,24000"


def test_sales_report_rejects_bad_parameters(shop_api, shop):
    assert shop_api.get("/api/v1/vendor/sales-report?group_by=week").status_code == 422
    assert shop_api.get("/api/v1/vendor/sales-report?from=2026-13-01").status_code == 422
    assert (
        shop_api.get("/api/v1/vendor/sales-report?from=2026-05-01&to=2026-04-01").status_code == 422
    )


def test_business_class_shows_sales_and_classes(shop_api, product):
    make_paid_order(items=[(product, 1)])
    resp = shop_api.get("/api/v1/vendor/business-class")
    assert resp.status_code == 200
    assert resp.json == {
        "vendor_id": product.vendor_id,
        "rolling_12m_sales": 12_000,
        "annualised_platform_sales": 12_000 * 365 // 30,  # a shop created today
        "umk_class": "micro",
        "basis": "default",
        "declaration_id": None,
        "override": None,
        "pkp": False,
        "pending_declaration_id": None,
        "class_review_flag": False,
        "flags": [],
    }


def test_admin_overrides_a_class_and_it_is_audited(api, shop):
    admin = make_user("admin")
    resp = api(admin).put(
        f"/api/v1/admin/vendors/{shop.id}/business-class",
        json={"umk_class": "small", "reason": "laporan keuangan"},
    )
    assert resp.status_code == 200, resp.json
    assert resp.json["umk_class"] == "small" and resp.json["override"] == "small"
    log = db.session.scalars(select(AuditLog)).one()
    assert log.actor_id == admin.id and log.action == "vendor.class_override"
    cleared = api(admin).put(
        f"/api/v1/admin/vendors/{shop.id}/business-class", json={"umk_class": None}
    )
    assert cleared.json["override"] is None


def test_admin_override_validates_class_and_vendor(api, shop):
    client = api(make_user("admin"))
    assert (
        client.put(
            f"/api/v1/admin/vendors/{shop.id}/business-class", json={"umk_class": "huge"}
        ).status_code
        == 422
    )
    assert client.put(f"/api/v1/admin/vendors/{shop.id}/business-class", json={}).status_code == 422
    assert (
        client.put(
            "/api/v1/admin/vendors/99999/business-class", json={"umk_class": "small"}
        ).status_code
        == 404
    )


def test_only_admins_override_classes(api, shop, owner):
    for user in (owner, make_user("finance"), make_user("public")):
        resp = api(user).put(
            f"/api/v1/admin/vendors/{shop.id}/business-class", json={"umk_class": "small"}
        )
        assert resp.status_code == 403
    assert (
        api()
        .put(f"/api/v1/admin/vendors/{shop.id}/business-class", json={"umk_class": "small"})
        .status_code
        == 401
    )


def test_vendor_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in (
        "/api/v1/vendor/shop",
        "/api/v1/vendor/products/{product_id}/stock-adjustments",
        "/api/v1/vendor/products/import",
        "/api/v1/admin/vendors/{vendor_id}/business-class",
    ):
        assert path in paths


def test_refresh_business_classes_command_runs(runner, shop):
    result = runner.invoke(args=["refresh-business-classes"])
    assert result.exit_code == 0, result.output
    assert "1 shops checked, 0 flags raised, no class changed." in result.output


def test_a_restock_past_the_stock_ceiling_is_422_not_an_overflow(shop_api, product):
    url = f"/api/v1/vendor/products/{product.id}/stock-adjustments"
    resp = shop_api.post(url, json={"delta": 10_000_000, "reason": "salah ketik"})
    assert resp.status_code == 422 and "delta" in resp.json["error"]["details"]
    db.session.expire_all()
    assert db.session.get(Product, product.id).stock == 10


def test_sales_report_ranges_outside_2000_to_2100_or_too_long_are_422(shop_api, shop):
    for query in (
        "to=0001-01-01",
        "group_by=day&from=9999-12-31",
        "group_by=month&from=0001-01-01&to=9999-12-31",
        "group_by=month&from=2001-01-01&to=2026-12-31",
    ):
        resp = shop_api.get(f"/api/v1/vendor/sales-report?{query}")
        assert resp.status_code == 422, query


def test_nul_characters_are_refused_before_they_reach_the_database(shop_api, product):
    created = shop_api.post("/api/v1/vendor/products", json={**NEW_PRODUCT, "name": "Telur\x00"})
    assert created.status_code == 422 and "name" in created.json["error"]["details"]
    adjusted = shop_api.post(
        f"/api/v1/vendor/products/{product.id}/stock-adjustments",
        json={"delta": 1, "reason": "a\x00b"},
    )
    assert adjusted.status_code == 422
    assert shop_api.get("/api/v1/vendor/products?q=be%00ras").status_code in (200, 422)
    assert shop_api.patch("/api/v1/vendor/shop", json={"address": "Jl.\x00 1"}).status_code == 422
