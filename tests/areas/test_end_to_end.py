"""Issue 11's worked examples end to end: shops anywhere in Surabaya apply (API and page), the
two Wonorejo, `nearest` by code, the catalogue filter, the roster and `GET /me`."""

import io

import pytest
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.shops.models import Vendor
from tests.factories import make_civil_servant, make_product, make_user, make_vendor

pytestmark = pytest.mark.usefixtures("surabaya")

APPLICATION = {
    "shop_name": "Warung Ketintang",
    "type": "umkm",
    "nib": "9120001234567",
    "pkp": False,
    "address": "Jl. Ketintang 1",
    "made_in_city": True,
}


def _apply(api, **place):
    user = make_user("public")
    return user, api(user).post("/api/v1/vendor-applications", json={**APPLICATION, **place})


def _shop(user) -> Vendor:
    return db.session.scalar(select(Vendor).where(Vendor.owner_id == user.id))


@pytest.mark.parametrize(
    ("kelurahan", "kecamatan", "code"),
    [("Ketintang", "Gayungan", "35.78.22.1004"), ("Ampel", "Semampir", "35.78.16.1001")],
)
def test_a_shop_in_ketintang_or_ampel_applies_through_the_api(api, kelurahan, kecamatan, code):
    user, resp = _apply(api, kelurahan=kelurahan, kecamatan=kecamatan)
    assert resp.status_code == 201, resp.json
    assert (resp.json["kelurahan"], resp.json["kecamatan"], resp.json["area_code"]) == (
        kelurahan,
        kecamatan,
        code,
    )
    assert _shop(user).area_code == code


def test_a_name_unique_in_the_city_needs_no_kecamatan_and_a_code_is_enough(api):
    _user, resp = _apply(api, kelurahan="ketintang")
    assert resp.status_code == 201 and resp.json["kecamatan"] == "Gayungan"
    _user, resp = _apply(api, area_code="35.78.16.1001")
    assert resp.status_code == 201 and resp.json["kelurahan"] == "Ampel"


@pytest.mark.parametrize(
    ("kelurahan", "kecamatan", "code"),
    [("Ketintang", "35.78.22", "35.78.22.1004"), ("Ampel", "35.78.16", "35.78.16.1001")],
)
def test_a_shop_in_ketintang_or_ampel_applies_through_the_page(
    client, login, kelurahan, kecamatan, code
):
    user = make_user("public")
    login(client, user)
    page = client.get("/shop/apply").get_data(as_text=True)
    # kecamatan first, then its kelurahan grouped by kecamatan; the value is the code
    assert page.index('id="kecamatan"') < page.index('id="kelurahan"')
    assert '<optgroup label="Gayungan" data-kecamatan="35.78.22">' in page
    assert f'<option value="{code}"' in page and "js/area-select.js" in page
    form = {**APPLICATION, "made_in_city": "yes", "kelurahan": code, "kecamatan": kecamatan}
    form.pop("pkp")
    resp = client.post("/shop/apply", data=form)
    assert resp.status_code == 302
    shop = _shop(user)
    assert (shop.area_code, shop.kelurahan) == (code, kelurahan)


def test_a_rungkut_shop_in_wonorejo_applies_with_its_kecamatan(api):
    _user, resp = _apply(api, kelurahan="Wonorejo", kecamatan="Rungkut")
    assert resp.status_code == 201, resp.json
    assert resp.json["area_code"] == "35.78.03.1005" and resp.json["kecamatan"] == "Rungkut"


def test_wonorejo_without_a_kecamatan_asks_for_it_listing_both(api):
    user, resp = _apply(api, kelurahan="Wonorejo")
    assert resp.status_code == 422
    error = resp.json["error"]
    assert "pilih kecamatannya" in error["details"]["kecamatan"][0]
    assert "Wonorejo, Rungkut; Wonorejo, Tegalsari" in error["message"]
    assert error["details"]["candidates"] == [
        "35.78.03.1005 Wonorejo, Rungkut",
        "35.78.05.1005 Wonorejo, Tegalsari",
    ]
    assert _shop(user) is None


def test_an_unknown_kelurahan_answers_the_closest_match(api):
    _user, resp = _apply(api, kelurahan="Ketintang Baru")
    assert resp.status_code == 422
    message = resp.json["error"]["details"]["kelurahan"][0]
    assert "Ketintang Baru? Maksud Anda Ketintang, Gayungan" in message


def test_the_closest_match_reads_in_english_too(api):
    user = make_user("public", locale="en")
    resp = api(user).post(
        "/api/v1/vendor-applications",
        json={**APPLICATION, "kelurahan": "Ketintang Baru"},
        headers={"Accept-Language": "en"},
    )
    assert resp.status_code == 422
    assert "Ketintang Baru? did you mean Ketintang, Gayungan" in resp.json["error"]["message"]


def test_a_kelurahan_in_another_kecamatan_is_refused(api):
    _user, resp = _apply(api, kelurahan="Ketintang", kecamatan="Rungkut")
    assert resp.status_code == 422
    assert resp.json["error"]["details"]["kecamatan"] == [
        "Kelurahan Ketintang ada di kecamatan Gayungan."
    ]


def test_the_page_flashes_the_candidates_of_an_ambiguous_name(client, login):
    user = make_user("public")
    db.session.commit()
    login(client, user)
    form = {**APPLICATION, "made_in_city": "yes", "kelurahan": "Wonorejo", "kecamatan": ""}
    form.pop("pkp")
    html = client.post("/shop/apply", data=form, follow_redirects=True).get_data(as_text=True)
    assert "Wonorejo, Rungkut; Wonorejo, Tegalsari" in html
    assert _shop(user) is None


# ---------------------------------------------------------------- nearest by code
def test_a_rungkut_resident_sees_the_rungkut_wonorejo_shop_before_the_tegalsari_one(api):
    resident = make_civil_servant(kelurahan="Wonorejo", area_code="35.78.03.1005")
    tegalsari = make_vendor(kelurahan="Wonorejo", kecamatan="Tegalsari", area_code="35.78.05.1005")
    rungkut = make_vendor(kelurahan="Wonorejo", kecamatan="Rungkut", area_code="35.78.03.1005")
    medokan = make_vendor(kelurahan="Medokan Ayu", kecamatan="Rungkut")
    darmo = make_vendor(kelurahan="Darmo", kecamatan="Wonokromo")
    # created so that newest or name order would put the Tegalsari shop first
    for vendor, name in ((rungkut, "D Rungkut"), (medokan, "C Medokan"), (darmo, "B Darmo")):
        make_product(vendor, name=name)
    make_product(tegalsari, name="A Tegalsari")
    db.session.commit()

    body = api(resident).get("/api/v1/products?sort=nearest").get_json()

    assert body["sort"] == "nearest"
    names = [i["name"] for i in body["items"]]
    assert names[:2] == ["D Rungkut", "C Medokan"]  # same kelurahan, then same kecamatan
    assert set(names[2:]) == {"A Tegalsari", "B Darmo"}  # the other Wonorejo is elsewhere


def test_the_product_page_badges_only_the_shop_in_the_residents_own_wonorejo(client, login):
    resident = make_civil_servant(kelurahan="Wonorejo", area_code="35.78.03.1005")
    other = make_product(
        make_vendor(kelurahan="Wonorejo", kecamatan="Tegalsari", area_code="35.78.05.1005")
    )
    own = make_product(
        make_vendor(kelurahan="Wonorejo", kecamatan="Rungkut", area_code="35.78.03.1005")
    )
    db.session.commit()
    login(client, resident)
    assert 'data-testid="near-badge"' in client.get(f"/products/{own.id}").get_data(as_text=True)
    assert 'data-testid="near-badge"' not in client.get(f"/products/{other.id}").get_data(
        as_text=True
    )


# ---------------------------------------------------------------- the catalogue filter
def test_the_kelurahan_filter_takes_a_code_or_a_name_with_its_kecamatan(api):
    make_product(make_vendor(kelurahan="Wonorejo", kecamatan="Rungkut"), name="Rungkut")
    make_product(make_vendor(kelurahan="Wonorejo", kecamatan="Tegalsari"), name="Tegalsari")
    db.session.commit()
    client = api()

    def names(query):
        resp = client.get(f"/api/v1/products?{query}")
        assert resp.status_code == 200, resp.json
        return [i["name"] for i in resp.json["items"]]

    assert names("kelurahan=35.78.03.1005") == ["Rungkut"]
    assert names("kelurahan=Wonorejo&kecamatan=Tegalsari") == ["Tegalsari"]
    ambiguous = client.get("/api/v1/products?kelurahan=Wonorejo")
    assert ambiguous.status_code == 422 and "kecamatan" in ambiguous.json["error"]["details"]
    unknown = client.get("/api/v1/products?kelurahan=Ketintang%20Baru")
    assert unknown.status_code == 422
    assert "Maksud Anda Ketintang, Gayungan" in unknown.json["error"]["message"]


def test_the_browse_page_offers_kecamatan_then_kelurahan(client):
    html = client.get("/products?kelurahan=35.78.03.1005").get_data(as_text=True)
    assert html.index('id="kecamatan"') < html.index('id="kelurahan"')
    assert '<option value="35.78.03.1005" selected>' in html


# ---------------------------------------------------------------- the roster and /me
def _roster(*rows: str, columns="nip,name,email,opd_code,opd_name,position,kelurahan") -> bytes:
    return ("\n".join([columns, *rows]) + "\n").encode()


def _upload(client, content: bytes):
    return client.post(
        "/api/v1/admin/civil-servants/import",
        data={"file": (io.BytesIO(content), "roster.csv")},
        content_type="multipart/form-data",
    )


def test_the_roster_resolves_kelurahan_and_refuses_an_ambiguous_or_unknown_one(api):
    client = api(make_user("admin"))
    resp = _upload(
        client,
        _roster(
            "198001012006041001,A,a@x.go.id,DKP,Dinas,Staf,Ketintang",
            "198001012006041002,B,b@x.go.id,DKP,Dinas,Staf,Wonorejo",
            "198001012006041003,C,c@x.go.id,DKP,Dinas,Staf,Ketintang Baru",
            "198001012006041004,D,d@x.go.id,DKP,Dinas,Staf,",
        ),
    )
    assert resp.status_code == 200, resp.json
    assert (resp.json["created"], [e["row"] for e in resp.json["errors"]]) == (2, [3, 4])
    assert "Wonorejo, Rungkut; Wonorejo, Tegalsari" in resp.json["errors"][0]["message"]
    assert "Maksud Anda Ketintang, Gayungan" in resp.json["errors"][1]["message"]
    a = db.session.scalar(select(User).where(User.email == "a@x.go.id"))
    assert (a.area_code, a.kelurahan) == ("35.78.22.1004", "Ketintang")
    d = db.session.scalar(select(User).where(User.email == "d@x.go.id"))
    assert (d.area_code, d.kelurahan) == (None, None)


def test_a_roster_kecamatan_column_tells_the_two_wonorejo_apart(api):
    client = api(make_user("admin"))
    resp = _upload(
        client,
        _roster(
            "198001012006041001,A,a@x.go.id,DKP,Dinas,Staf,Wonorejo,Rungkut",
            columns="nip,name,email,opd_code,opd_name,position,kelurahan,kecamatan",
        ),
    )
    assert resp.json["errors"] == [] and resp.json["created"] == 1
    user = db.session.scalar(select(User).where(User.email == "a@x.go.id"))
    assert user.area_code == "35.78.03.1005"

    me = api(user).get("/api/v1/me").json
    assert (me["kelurahan"], me["kecamatan"], me["area_code"]) == (
        "Wonorejo",
        "Rungkut",
        "35.78.03.1005",
    )


def test_the_areas_api_lists_a_kecamatans_kelurahan(api):
    body = api().get("/api/v1/areas?kecamatan=Rungkut").json
    assert "35.78.03.1005" in {a["code"] for a in body}
    assert {a["kecamatan"] for a in body} == {"Rungkut"}
    assert len(api().get("/api/v1/areas").json) == 153


# ---------------------------------------------------------------- a public user's home area
def test_a_public_user_sets_their_home_in_rungkuts_wonorejo_and_nearest_follows(api):
    user = make_user("public")
    rungkut = make_vendor(kelurahan="Wonorejo", kecamatan="Rungkut", area_code="35.78.03.1005")
    tegalsari = make_vendor(kelurahan="Wonorejo", kecamatan="Tegalsari", area_code="35.78.05.1005")
    make_product(tegalsari, name="A Tegalsari")
    make_product(rungkut, name="B Rungkut")
    db.session.commit()
    client = api(user)

    ambiguous = client.put("/api/v1/me/area", json={"kelurahan": "Wonorejo"})
    assert ambiguous.status_code == 422 and "kecamatan" in ambiguous.json["error"]["details"]
    resp = client.put("/api/v1/me/area", json={"kelurahan": "Wonorejo", "kecamatan": "Rungkut"})
    assert resp.status_code == 200, resp.json
    assert (resp.json["area_code"], resp.json["kecamatan"]) == ("35.78.03.1005", "Rungkut")
    body = client.get("/api/v1/products?sort=nearest").json
    assert [i["name"] for i in body["items"]] == ["B Rungkut", "A Tegalsari"]

    cleared = client.put("/api/v1/me/area", json={})
    assert cleared.status_code == 200 and cleared.json["area_code"] is None


def test_a_civil_servants_home_comes_from_the_roster_only(api):
    resp = api(make_civil_servant()).put("/api/v1/me/area", json={"kelurahan": "Ketintang"})
    assert resp.status_code == 403


def test_the_account_page_offers_kecamatan_then_kelurahan_and_saves_the_home(client, login):
    user = make_user("public")
    login(client, user)
    html = client.get("/account").get_data(as_text=True)
    assert 'data-testid="home-area"' in html
    assert html.index('id="kecamatan"') < html.index('id="kelurahan"')
    resp = client.post(
        "/account/area", data={"kecamatan": "35.78.22", "kelurahan": "35.78.22.1004"}
    )
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).area_code == "35.78.22.1004"
    html = client.get("/account").get_data(as_text=True)
    assert '<option value="35.78.22.1004" selected>' in html


# ---------------------------------------------------------------- sign-up
def _sign_up(api, **home):
    body = {"email": "warga.baru@example.id", "password": "kalimat panjang sekali", "name": "Sri"}
    return api().post("/api/v1/auth/register", json={**body, **home})


def _registered() -> User | None:
    return db.session.scalar(select(User).where(User.email == "warga.baru@example.id"))


def test_sign_up_takes_the_home_kelurahan_by_kecamatan_and_name(api):
    resp = _sign_up(api, kelurahan="Wonorejo", kecamatan="Rungkut")
    assert resp.status_code == 201, resp.json
    user = _registered()
    assert (user.area_code, user.kelurahan) == ("35.78.03.1005", "Wonorejo")


def test_sign_up_with_an_ambiguous_home_asks_for_the_kecamatan_and_creates_nothing(api):
    resp = _sign_up(api, kelurahan="Wonorejo")
    assert resp.status_code == 422
    assert "pilih kecamatannya" in resp.json["error"]["details"]["kecamatan"][0]
    assert _registered() is None
    assert _sign_up(api).status_code == 201  # the home is optional
    assert _registered().area_code is None


def test_the_sign_up_page_offers_kecamatan_then_kelurahan_and_saves_the_home(client):
    html = client.get("/register").get_data(as_text=True)
    assert html.index('id="kecamatan"') < html.index('id="kelurahan"')
    assert 'value="35.78.22.1004"' in html  # Ketintang, by code
    form = {
        "name": "Sri",
        "email": "warga.baru@example.id",
        "password": "kalimat panjang sekali",
        "password_confirm": "kalimat panjang sekali",
        "kecamatan": "35.78.22",
        "kelurahan": "35.78.22.1004",
    }
    assert client.post("/register", data=form).status_code == 302
    assert (_registered().area_code, _registered().kelurahan) == ("35.78.22.1004", "Ketintang")
