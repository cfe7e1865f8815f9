"""A second city (issue 11): with PEKEN_CITY=35.73 the main pages say Malang and Diskopindag and
never Surabaya, in Indonesian and in English; times carry the city's zone; settings an admin
types are escaped like any other text."""

from __future__ import annotations

import re

import pytest

from marketplace import city
from marketplace.extensions import db
from tests.factories import make_civil_servant, make_product, make_user, make_vendor

SURABAYA = re.compile(r"surabaya|suroboyo|dinkopdag", re.IGNORECASE)

PAGES = {
    None: ["/", "/products", "/login", "/register", "/password/forgot"],
    "public": ["/", "/shop/apply", "/account", "/orders", "/notifications"],
    "civil_servant": ["/mandate", "/cart"],
    "vendor": ["/shop", "/shop/profile", "/shop/business-class", "/shop/apply", "/shop/sales"],
    "finance": ["/finance", "/finance/payouts", "/finance/periods", "/finance/audit"],
    "admin": ["/admin", "/admin/city", "/admin/vendors", "/admin/business-class"],
}
# Pages that name the office that curates shops.
OFFICE_PAGES = {"/shop", "/shop/profile", "/shop/apply"}


@pytest.fixture
def malang(app):
    app.config["PEKEN_CITY"] = "35.73"  # restored by the `app` fixture
    city.forget()
    return app


def _users():
    vendor = make_vendor(status="pending")
    make_product(make_vendor(), name="Keripik Tempe")
    return {
        None: None,
        "public": make_user("public"),
        "civil_servant": make_civil_servant(),
        "vendor": vendor.owner,
        "finance": make_user("finance"),
        "admin": make_user("admin"),
    }


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_malang_instance_never_says_surabaya(malang, login, lang):
    users = _users()
    db.session.commit()
    seen_office = set()
    for role, paths in PAGES.items():
        client = malang.test_client()
        if users[role] is not None:
            login(client, users[role])
        for path in paths:
            resp = client.get(f"{path}?lang={lang}")
            assert resp.status_code == 200, (role, path, resp.status_code)
            html = resp.get_data(as_text=True)
            assert not SURABAYA.search(html), (role, path, SURABAYA.search(html).group(0))
            assert "Peken Malang" in html, (role, path)
            if "Diskopindag" in html:
                seen_office.add(path)
    assert seen_office >= OFFICE_PAGES - {"/shop/apply"}
    home = malang.test_client().get(f"/?lang={lang}").get_data(as_text=True)
    expected = "Produk lokal UMKM Malang" if lang == "id" else "small businesses of Malang"
    assert expected in home


def test_the_pending_shop_reads_the_city_office(malang, login):
    vendor = make_vendor(status="pending")
    db.session.commit()
    client = malang.test_client()
    login(client, vendor.owner)
    html = client.get("/shop").get_data(as_text=True)
    assert "Toko Anda menunggu verifikasi Diskopindag." in html
    html = client.get("/shop?lang=en").get_data(as_text=True)
    assert "waiting for verification by Diskopindag" in html


def test_times_on_pages_carry_the_city_zone(app, login):
    admin = make_user("admin")
    db.session.commit()
    client = app.test_client()
    login(client, admin)
    assert re.search(r"\d\d:\d\d WIB", client.get("/admin/city").get_data(as_text=True))
    app.config["PEKEN_CITY"] = "73.71"
    page = client.get("/admin/city").get_data(as_text=True)
    assert re.search(r"\d\d:\d\d WITA", page) and "Kota Makassar" in page


def test_amounts_follow_the_city_currency_display(app, api):
    make_product(make_vendor(), name="Sambal Roa", price=12_500)
    db.session.commit()
    admin = api(make_user("admin"))
    admin.put("/api/v1/admin/city", json={"currency_symbol": "IDR", "thousands_separator": ","})
    html = app.test_client().get("/products").get_data(as_text=True)
    assert "IDR12,500" in html and "Rp12.500" not in html


def test_settings_an_admin_types_are_escaped(app, api):
    xss = "<script>alert(1)</script>"
    admin = api(make_user("admin"))
    resp = admin.put("/api/v1/admin/city", json={"platform_name": xss, "short_name": xss})
    assert resp.status_code == 200
    html = app.test_client().get("/").get_data(as_text=True)
    assert xss not in html and "&lt;script&gt;" in html


def test_yogyakarta_calls_the_district_kemantren(app, login):
    vendor = make_vendor()
    db.session.commit()
    app.config["PEKEN_CITY"] = "34.71"
    client = app.test_client()
    login(client, vendor.owner)
    html = client.get("/shop/profile").get_data(as_text=True)
    assert "Kelurahan, Kemantren" in html and "Peken Jogja" in html


def test_the_area_fields_of_a_form_use_the_city_s_level_names(app, login):
    """Yogyakarta's shop application asks for the kemantren first, then the kelurahan."""
    public = make_user("public")
    db.session.commit()
    app.config["PEKEN_CITY"] = "34.71"
    client = app.test_client()
    login(client, public)
    html = client.get("/shop/apply").get_data(as_text=True)
    assert '<label for="kecamatan">Kemantren</label>' in html
    assert '<label for="kelurahan">Kelurahan</label>' in html
    assert ">Kecamatan<" not in html
