"""Catalog services against the database: what is listed, search, local matching, categories."""

from __future__ import annotations

import pytest

from marketplace.catalog import services
from marketplace.catalog.models import Category
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.ledger.models import FairShareCap
from marketplace.timeutil import current_period, previous_period
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


def _names(page):
    return [p.name for p in page.items]


def _search(viewer=None, **args):
    return services.search_products({"page": 1, "per_page": 100, **args}, viewer)


# ---------------------------------------------------------------- listing
def test_listing_shows_active_products_of_verified_vendors_only():
    listed = make_product(make_vendor(status="verified"), name="Beras Verified")
    make_product(make_vendor(status="pending"), name="Beras Pending")
    make_product(make_vendor(status="suspended"), name="Beras Suspended")
    make_product(make_vendor(status="verified"), name="Beras Inactive", is_active=False)

    assert _names(_search()) == [listed.name]


def test_listing_leaves_out_a_vendor_at_the_cap_but_keeps_it_below():
    db.session.add(FairShareCap(period=current_period(), amount=100_000))
    capped, below = make_vendor(name="Toko Penuh"), make_vendor(name="Toko Longgar")
    make_product(capped, name="Gula Penuh")
    make_product(below, name="Gula Longgar")
    record_sale(capped, 100_000)
    record_sale(below, 99_999)

    names = _names(_search(q="gula"))

    assert names == ["Gula Longgar"]


def test_sales_of_a_previous_period_do_not_count_towards_the_cap():
    db.session.add(FairShareCap(period=current_period(), amount=100_000))
    vendor = make_vendor()
    make_product(vendor, name="Telur Ayam")
    record_sale(vendor, 500_000, period=previous_period(current_period()))

    assert _names(_search(q="telur")) == ["Telur Ayam"]


def test_get_listed_product_raises_not_found_for_unlisted_products():
    hidden = make_product(make_vendor(status="suspended"))
    inactive = make_product(is_active=False)

    for product in (hidden, inactive):
        with pytest.raises(NotFound):
            services.get_listed_product(product.id)
    with pytest.raises(NotFound):
        services.get_listed_product(999_999)


def test_a_product_of_a_vendor_at_the_cap_is_found_but_not_purchasable():
    db.session.add(FairShareCap(period=current_period(), amount=50_000))
    vendor = make_vendor()
    product = make_product(vendor, stock=5)
    record_sale(vendor, 60_000)

    found = services.get_listed_product(product.id)

    assert found.id == product.id
    assert services.is_purchasable(found) is False


def test_is_purchasable_sees_a_sale_that_reaches_the_cap_after_a_first_check():
    db.session.add(FairShareCap(period=current_period(), amount=50_000))
    vendor = make_vendor()
    product = services.get_listed_product(make_product(vendor, stock=5).id)
    assert services.is_purchasable(product) is True

    record_sale(vendor, 50_000)

    assert services.is_purchasable(product) is False


def test_is_purchasable_needs_stock():
    in_stock, sold_out = make_product(stock=3), make_product(stock=0)

    assert services.is_purchasable(services.get_listed_product(in_stock.id)) is True
    assert services.is_purchasable(services.get_listed_product(sold_out.id)) is False


# ---------------------------------------------------------------- search
def test_search_matches_name_and_description_case_insensitively():
    make_product(name="Minyak Goreng Sawit 2 liter", description="Minyak kemasan pouch")
    make_product(name="Kerupuk Udang", description="Cocok untuk teman MINYAK goreng? tidak")
    make_product(name="Beras Premium 5 kg", description="Beras pulen dari Jawa Timur")

    assert sorted(_names(_search(q="MINYAK goreng"))) == [
        "Kerupuk Udang",
        "Minyak Goreng Sawit 2 liter",
    ]
    assert _names(_search(q="pulen")) == ["Beras Premium 5 kg"]


def test_search_needs_every_word_to_match():
    make_product(name="Minyak Goreng 2 liter")
    make_product(name="Minyak Kayu Putih")

    assert _names(_search(q="minyak goreng")) == ["Minyak Goreng 2 liter"]


def test_search_treats_percent_and_underscore_literally():
    make_product(name="Diskon 100% Beras")
    make_product(name="Beras Biasa")

    assert _names(_search(q="100%")) == ["Diskon 100% Beras"]
    assert _names(_search(q="_")) == []


def test_relevance_puts_name_matches_before_description_matches():
    make_product(name="Aaa Kecap", description="cocok dengan sambal")
    make_product(name="Sambal Bawang", description="pedas")
    make_product(name="Zzz Sambal Ijo", description="pedas")

    assert _names(_search(q="sambal", sort="relevance")) == [
        "Sambal Bawang",
        "Zzz Sambal Ijo",
        "Aaa Kecap",
    ]


def test_filters_by_category_vendor_kelurahan_local_and_stock():
    kue = make_category("kue-dan-roti", "Kue dan Roti")
    near = make_vendor(kelurahan="Keputran", kecamatan="Tegalsari")
    far = make_vendor(kelurahan="Darmo", kecamatan="Wonokromo")
    make_product(near, name="Lapis Legit", category=kue, is_local_product=True)
    make_product(near, name="Beras Keputran", stock=0)
    make_product(far, name="Bolu Darmo", category=kue)

    assert sorted(_names(_search(category="kue-dan-roti"))) == ["Bolu Darmo", "Lapis Legit"]
    assert sorted(_names(_search(vendor_id=near.id))) == ["Beras Keputran", "Lapis Legit"]
    assert sorted(_names(_search(kelurahan="keputran"))) == ["Beras Keputran", "Lapis Legit"]
    assert _names(_search(local_only=True)) == ["Lapis Legit"]
    assert sorted(_names(_search(in_stock=True))) == ["Bolu Darmo", "Lapis Legit"]
    assert _names(_search(category="tidak-ada")) == []


def test_local_only_lists_products_the_city_approved_as_local_not_mere_claims():
    shop = make_vendor()
    make_product(shop, name="Sambal Diklaim", claimed_local_product=True)
    make_product(shop, name="Sambal Disetujui", claimed_local_product=True, is_local_product=True)
    assert _names(_search(local_only=True)) == ["Sambal Disetujui"]


def test_price_and_newest_sorts():
    cheap = make_product(name="Murah", price=5_000)
    dear = make_product(name="Mahal", price=50_000)
    middle = make_product(name="Sedang", price=20_000)

    assert _names(_search(sort="price")) == ["Murah", "Sedang", "Mahal"]
    assert _names(_search(sort="-price")) == ["Mahal", "Sedang", "Murah"]
    assert [p.id for p in _search(sort="newest").items] == [middle.id, dear.id, cheap.id]


# ---------------------------------------------------------------- local matching
def test_nearest_ranks_home_kelurahan_then_kecamatan_then_elsewhere():
    make_area("Airlangga", "Gubeng")
    make_area("Mojo", "Gubeng")
    make_area("Darmo", "Wonokromo")
    buyer = make_civil_servant(kelurahan="Airlangga")
    make_product(make_vendor(kelurahan="Darmo", kecamatan="Wonokromo"), name="A Jauh")
    make_product(make_vendor(kelurahan="Mojo", kecamatan="Gubeng"), name="B Sekecamatan")
    make_product(make_vendor(kelurahan="Airlangga", kecamatan="Gubeng"), name="C Sekelurahan")

    page = _search(buyer, sort="nearest")

    assert _names(page) == ["C Sekelurahan", "B Sekecamatan", "A Jauh"]
    assert page.extra["sort"] == "nearest"


def test_nearest_puts_the_vendor_with_less_sales_first_among_equals():
    make_area("Airlangga", "Gubeng")
    buyer = make_civil_servant(kelurahan="Airlangga")
    busy = make_vendor(kelurahan="Airlangga", kecamatan="Gubeng")
    quiet = make_vendor(kelurahan="Airlangga", kecamatan="Gubeng")
    idle = make_vendor(kelurahan="Airlangga", kecamatan="Gubeng")
    make_product(busy, name="A Toko Ramai")
    make_product(quiet, name="B Toko Sepi")
    make_product(idle, name="C Toko Baru")
    record_sale(busy, 900_000)
    record_sale(quiet, 100_000)

    assert _names(_search(buyer, q="toko", sort="nearest")) == [
        "C Toko Baru",
        "B Toko Sepi",
        "A Toko Ramai",
    ]


def test_nearest_without_a_home_kelurahan_falls_back_to_newest():
    first = make_product(name="Lama")
    second = make_product(name="Baru")

    page = _search(make_user("public"), sort="nearest")

    assert [p.id for p in page.items] == [second.id, first.id]
    assert page.extra["sort"] == "newest"


def test_pagination_counts_every_match():
    vendor = make_vendor()
    for i in range(7):
        make_product(vendor, name=f"Tahu {i}")

    page = services.search_products({"page": 2, "per_page": 3, "q": "tahu"}, None)

    assert (page.total, page.page, page.per_page, _names(page)) == (
        7,
        2,
        3,
        ["Tahu 3", "Tahu 4", "Tahu 5"],
    )


# ---------------------------------------------------------------- home and shop
def test_home_highlights_show_near_products_only_for_a_buyer_with_a_home():
    make_area("Airlangga", "Gubeng")
    make_product(
        make_vendor(kelurahan="Airlangga", kecamatan="Gubeng"), name="Tempe", is_local_product=True
    )

    for_buyer = services.home_highlights(make_civil_servant(kelurahan="Airlangga"))
    for_visitor = services.home_highlights(None)

    assert [p.name for p in for_buyer["near_products"]] == ["Tempe"]
    assert for_buyer["home_kelurahan"] == "Airlangga"
    assert for_visitor["near_products"] == [] and for_visitor["home_kelurahan"] is None
    assert [p.name for p in for_visitor["local_products"]] == ["Tempe"]


def test_shop_page_is_not_found_for_a_pending_vendor():
    with pytest.raises(NotFound):
        services.shop_page(make_vendor(status="pending").id, {})


# ---------------------------------------------------------------- categories
def test_create_category_records_an_audit_entry():
    from marketplace.audit.models import AuditLog

    admin = make_user("admin")

    category = services.create_category(
        admin, {"slug": "kerajinan", "name": "Kerajinan", "name_en": "Crafts"}
    )

    assert db.session.get(Category, category.id).name_en == "Crafts"
    assert db.session.query(AuditLog).filter_by(action="category.create").count() == 1


def test_create_category_refuses_a_taken_slug():
    make_category("sembako", "Sembako")

    with pytest.raises(services.SlugTaken):
        services.create_category(make_user("admin"), {"slug": "sembako", "name": "Lain"})


def test_update_category_can_rename_and_clear_the_english_name():
    make_category("minuman", "Minuman")

    category = services.update_category(
        make_user("admin"),
        "minuman",
        {"slug": "minuman-segar", "name": "Minuman Segar", "name_en": None},
    )

    assert (category.slug, category.name, category.name_en) == (
        "minuman-segar",
        "Minuman Segar",
        None,
    )
