"""The catalog API as clients use it: shapes, filters, sorts, errors and admin roles."""

from __future__ import annotations

import pytest
from flask_babel import refresh

from marketplace.extensions import db
from marketplace.ledger.models import FairShareCap
from marketplace.timeutil import current_period
from tests.catalog.conftest import record_sale
from tests.factories import (
    make_area,
    make_category,
    make_civil_servant,
    make_product,
    make_user,
    make_vendor,
)

pytestmark = pytest.mark.usefixtures("app")

PRODUCT_FIELDS = {
    "id",
    "name",
    "description",
    "category",
    "unit",
    "price",
    "stock",
    "is_local_product",
    "is_pdn",
    "vat_exempt",
    "purchasable",
    "vendor",
    "image_url",
}


def _names(resp):
    return [item["name"] for item in resp.get_json()["items"]]


# ---------------------------------------------------------------- categories
def test_categories_are_public_and_named_in_the_request_language(api):
    make_category("kue-dan-roti", "Kue dan Roti").name_en = "Cakes and bread"
    db.session.commit()

    indonesian = api().get("/api/v1/categories")
    refresh()  # the test's app context outlives requests; Flask-Babel caches the locale on it
    english = api().get("/api/v1/categories?lang=en")

    assert indonesian.status_code == 200
    assert indonesian.get_json() == [{"slug": "kue-dan-roti", "name": "Kue dan Roti"}]
    assert english.get_json() == [{"slug": "kue-dan-roti", "name": "Cakes and bread"}]


# ---------------------------------------------------------------- product list
def test_product_list_is_a_page_with_items_page_per_page_and_total(api):
    for i in range(3):
        make_product(name=f"Beras {i}")
    db.session.commit()

    body = api().get("/api/v1/products?per_page=2&page=2").get_json()

    assert set(body) >= {"items", "page", "per_page", "total"}
    assert (body["page"], body["per_page"], body["total"], len(body["items"])) == (2, 2, 3, 1)
    assert PRODUCT_FIELDS <= set(body["items"][0])


def test_per_page_above_one_hundred_is_clamped(api):
    make_product()
    db.session.commit()

    assert api().get("/api/v1/products?per_page=500").get_json()["per_page"] == 100


def test_product_list_filters_by_query_category_vendor_kelurahan_local_and_stock(api):
    kue = make_category("kue-dan-roti", "Kue dan Roti")
    keputran = make_vendor(kelurahan="Keputran", kecamatan="Tegalsari")
    darmo = make_vendor(kelurahan="Darmo", kecamatan="Wonokromo")
    make_product(keputran, name="Lapis Surabaya", category=kue, is_local_product=True)
    make_product(keputran, name="Minyak Goreng 2 liter", description="minyak sawit", stock=0)
    make_product(darmo, name="Bolu Pandan", category=kue)
    db.session.commit()
    client = api()

    assert _names(client.get("/api/v1/products?q=MINYAK")) == ["Minyak Goreng 2 liter"]
    assert sorted(_names(client.get("/api/v1/products?category=kue-dan-roti"))) == [
        "Bolu Pandan",
        "Lapis Surabaya",
    ]
    assert _names(client.get(f"/api/v1/products?vendor_id={darmo.id}")) == ["Bolu Pandan"]
    assert len(_names(client.get("/api/v1/products?kelurahan=Keputran"))) == 2
    assert _names(client.get("/api/v1/products?local_only=true")) == ["Lapis Surabaya"]
    assert "Minyak Goreng 2 liter" not in _names(client.get("/api/v1/products?in_stock=1"))


def test_product_list_sorts_by_price_both_ways(api):
    make_product(name="Sedang", price=20_000)
    make_product(name="Murah", price=5_000)
    make_product(name="Mahal", price=90_000)
    db.session.commit()

    assert _names(api().get("/api/v1/products?sort=price")) == ["Murah", "Sedang", "Mahal"]
    assert _names(api().get("/api/v1/products?sort=-price")) == ["Mahal", "Sedang", "Murah"]


def test_nearest_uses_the_callers_home_kelurahan(api):
    make_area("Keputran", "Tegalsari")
    make_area("Kedungdoro", "Tegalsari")
    buyer = make_civil_servant(kelurahan="Keputran")
    make_product(make_vendor(kelurahan="Darmo", kecamatan="Wonokromo"), name="A Darmo")
    make_product(make_vendor(kelurahan="Kedungdoro", kecamatan="Tegalsari"), name="B Kedungdoro")
    make_product(make_vendor(kelurahan="Keputran", kecamatan="Tegalsari"), name="C Keputran")
    db.session.commit()

    resp = api(buyer).get("/api/v1/products?sort=nearest")

    assert _names(resp) == ["C Keputran", "B Kedungdoro", "A Darmo"]
    assert resp.get_json()["sort"] == "nearest"


def test_anonymous_nearest_falls_back_to_newest(api):
    make_product(name="Lama")
    make_product(name="Baru")
    db.session.commit()

    body = api().get("/api/v1/products?sort=nearest").get_json()

    assert [i["name"] for i in body["items"]] == ["Baru", "Lama"] and body["sort"] == "newest"


@pytest.mark.parametrize(
    "query, field",
    [
        ("sort=cheapest", "sort"),
        ("local_only=maybe", "local_only"),
        ("in_stock=2", "in_stock"),
        ("vendor_id=abc", "vendor_id"),
        ("page=0", "page"),
        ("q=beras%00", "q"),
        ("kelurahan=%00", "kelurahan"),
        ("q=" + "x" * 201, "q"),
    ],
)
def test_bad_list_parameters_answer_422_with_the_field(api, query, field):
    resp = api().get(f"/api/v1/products?{query}")

    assert resp.status_code == 422
    error = resp.get_json()["error"]
    assert error["code"] == "validation_error" and field in error["details"]


def test_products_of_a_vendor_at_the_cap_are_not_listed(api):
    db.session.add(FairShareCap(period=current_period(), amount=10_000))
    capped = make_vendor()
    make_product(capped, name="Tidak tampil")
    make_product(name="Tampil")
    record_sale(capped, 10_000)
    db.session.commit()

    assert _names(api().get("/api/v1/products")) == ["Tampil"]


# ---------------------------------------------------------------- product detail
def test_product_detail_has_the_spec_fields_and_the_vendor(api):
    vendor = make_vendor(
        name="Toko Bu Sri", kelurahan="Airlangga", kecamatan="Gubeng", type="kelontong"
    )
    product = make_product(
        vendor,
        name="Telur Ayam 1 kg",
        price=29_000,
        stock=7,
        vat_exempt=True,
        description="Telur segar",
    )
    db.session.commit()

    body = api().get(f"/api/v1/products/{product.id}").get_json()

    assert PRODUCT_FIELDS <= set(body)
    assert (body["name"], body["price"], body["stock"], body["category"]) == (
        "Telur Ayam 1 kg",
        29_000,
        7,
        "sembako",
    )
    assert body["vat_exempt"] is True and body["purchasable"] is True and body["image_url"] is None
    assert body["vendor"] == {
        "id": vendor.id,
        "name": "Toko Bu Sri",
        "type": "kelontong",
        "kelurahan": "Airlangga",
        "kecamatan": "Gubeng",
        "area_code": None,
        "umk_class": "micro",
    }


@pytest.mark.parametrize("case", ["pending", "suspended", "inactive", "absent"])
def test_unlisted_product_detail_is_404(api, case):
    if case == "absent":
        product_id = 424242
    elif case == "inactive":
        product_id = make_product(is_active=False).id
    else:
        product_id = make_product(make_vendor(status=case)).id
    db.session.commit()

    resp = api().get(f"/api/v1/products/{product_id}")

    assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "product_not_found"


def test_product_is_not_purchasable_when_sold_out_or_its_shop_is_at_the_cap(api):
    db.session.add(FairShareCap(period=current_period(), amount=10_000))
    sold_out = make_product(stock=0)
    capped_vendor = make_vendor()
    at_cap = make_product(capped_vendor, stock=5)
    record_sale(capped_vendor, 20_000)
    db.session.commit()

    assert api().get(f"/api/v1/products/{sold_out.id}").get_json()["purchasable"] is False
    assert api().get(f"/api/v1/products/{at_cap.id}").get_json()["purchasable"] is False


# ---------------------------------------------------------------- admin categories
def test_admin_creates_a_category(api):
    admin = make_user("admin")

    resp = api(admin).post(
        "/api/v1/admin/categories",
        json={"slug": "kerajinan", "name": "Kerajinan", "name_en": "Crafts"},
    )

    assert resp.status_code == 201
    assert resp.get_json() | {"id": None} == {
        "id": None,
        "slug": "kerajinan",
        "name": "Kerajinan",
        "name_en": "Crafts",
    }
    assert api().get("/api/v1/categories").get_json() == [
        {"slug": "kerajinan", "name": "Kerajinan"}
    ]


def test_a_taken_slug_is_409_and_changes_nothing(api):
    make_category("sembako", "Sembako")
    admin = make_user("admin")

    resp = api(admin).post("/api/v1/admin/categories", json={"slug": "sembako", "name": "Lain"})

    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "slug_taken"
    assert api().get("/api/v1/categories").get_json() == [{"slug": "sembako", "name": "Sembako"}]


@pytest.mark.parametrize(
    "body",
    [
        {"slug": "Bad Slug", "name": "Nama"},
        {"slug": "ok-slug"},
        {"slug": "ok-slug", "name": "N"},
        {"slug": "ok-slug", "name": "Nama", "colour": "red"},
    ],
)
def test_invalid_category_bodies_are_422(api, body):
    resp = api(make_user("admin")).post("/api/v1/admin/categories", json=body)

    assert resp.status_code == 422


def test_a_nul_character_in_a_category_name_is_422(api):
    resp = api(make_user("admin")).post(
        "/api/v1/admin/categories", json={"slug": "ok", "name": "A\x00B"}
    )

    assert resp.status_code == 422 and "name" in resp.get_json()["error"]["details"]


def test_a_non_json_body_is_400(api):
    resp = api(make_user("admin")).post(
        "/api/v1/admin/categories", data="slug=x", headers={"Content-Type": "text/plain"}
    )

    assert resp.status_code == 400


def test_admin_renames_a_category_and_changes_its_slug(api):
    make_category("minuman", "Minuman")
    admin = make_user("admin")

    resp = api(admin).patch(
        "/api/v1/admin/categories/minuman",
        json={"slug": "minuman-segar", "name_en": "Fresh drinks"},
    )

    assert resp.status_code == 200
    assert (
        resp.get_json()["slug"] == "minuman-segar" and resp.get_json()["name_en"] == "Fresh drinks"
    )
    assert (
        api(admin).patch("/api/v1/admin/categories/minuman", json={"name": "X Y"}).status_code
        == 404
    )


@pytest.mark.parametrize("slug", ["tidak-ada", "bad%00slug", "UPPER"])
def test_patching_an_unknown_or_malformed_slug_is_404(api, slug):
    resp = api(make_user("admin")).patch(f"/api/v1/admin/categories/{slug}", json={"name": "Nama"})

    assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "category_not_found"


def test_renaming_to_a_taken_slug_is_409(api):
    make_category("minuman", "Minuman")
    make_category("sembako", "Sembako")

    resp = api(make_user("admin")).patch(
        "/api/v1/admin/categories/minuman", json={"slug": "sembako"}
    )

    assert resp.status_code == 409


@pytest.mark.parametrize(
    "role, status",
    [
        (None, 401),
        ("public", 403),
        ("civil_servant", 403),
        ("vendor", 403),
        ("finance", 403),
        ("admin", 201),
    ],
)
def test_only_admins_manage_categories(api, role, status):
    user = make_user(role) if role else None

    resp = api(user).post("/api/v1/admin/categories", json={"slug": "fashion", "name": "Fashion"})

    assert resp.status_code == status
