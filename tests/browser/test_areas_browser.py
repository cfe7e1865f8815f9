"""A shop in Ketintang applies in a real browser on a phone: the kecamatan first, then only its
kelurahan (static/js/area-select.js narrows the grouped select), no inline script."""

from types import SimpleNamespace

from playwright.sync_api import expect
from sqlalchemy import select

from marketplace.areas.services import import_areas
from marketplace.extensions import db
from marketplace.shops.models import Vendor
from tests.factories import make_user


def test_a_ketintang_shop_chooses_gayungan_then_ketintang_and_applies(
    app, page, live_server, browser_login
):
    import_areas(None, city="35.78")  # commits
    user = make_user("public")
    login = SimpleNamespace(email=user.email)
    user_id = user.id
    db.session.commit()

    browser_login(page, login)
    page.goto(f"{live_server}/shop/apply")
    page.select_option("#kecamatan", "35.78.22")
    visible = page.locator("#kelurahan optgroup:not([hidden])")
    expect(visible).to_have_count(1)
    expect(visible).to_have_attribute("label", "Gayungan")
    page.select_option("#kelurahan", "35.78.22.1004")
    page.fill("#shop_name", "Warung Ketintang")
    page.select_option("#type", "umkm")
    page.fill("#nib", "9120001234567")
    page.fill("#address", "Jl. Ketintang 1")
    page.check("input[name=made_in_city][value=yes]")
    page.click("[data-testid=vendor-application] button[type=submit]")
    expect(page.locator("[data-testid=shop-status]")).to_contain_text("Ketintang, Gayungan")

    db.session.remove()
    shop = db.session.scalar(select(Vendor).where(Vendor.owner_id == user_id))
    assert (shop.area_code, shop.kelurahan, shop.kecamatan) == (
        "35.78.22.1004",
        "Ketintang",
        "Gayungan",
    )
