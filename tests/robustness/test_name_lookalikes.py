"""Names of people and shops are checked where users give them (`text.name_problem`): sign-up
(API, page and the service the CLI uses), the roster import (a row error), the shop application
(API and page) and the shop profile (API and page). A Latin name with a Cyrillic `а`, or with an
invisible character, looks like someone else's: 422 (or a row error) with a clear Indonesian
message. A name wholly in another script, or Latin beside Arabic script, is kept.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from marketplace.accounts import services
from marketplace.accounts.models import User
from marketplace.errors import ValidationFailed
from marketplace.extensions import db
from marketplace.shops.models import Vendor
from tests.accounts.conftest import roster
from tests.factories import make_user, make_vendor
from tests.shops.conftest import VENDOR_APPLICATION

CYRILLIC_A = "\u0430"
MIXED = "Nama mencampur huruf dari beberapa aksara"
LOOK_ALIKE = f"Budi S{CYRILLIC_A}ntoso"
INVISIBLE = "Budi\u200bSantoso"
WHOLLY_CYRILLIC = "\u0411\u043e\u0440\u0438\u0441"
LATIN_AND_ARABIC = "Warung Berkah \u0628\u0631\u0643\u0629"


def _nip(n: int) -> str:
    return f"{198001012006041000 + n:018d}"


def _details(resp, status=422) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)[:400]
    return resp.json["error"]["details"]


# ---------------------------------------------------------------- sign-up
def _register(client, name: str, email: str = "budi@surabaya.go.id"):
    return client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": "kata-sandi-ok", "name": name},
    )


def test_sign_up_with_a_look_alike_letter_in_the_name_answers_422(client):
    details = _details(_register(client, LOOK_ALIKE))
    assert details["name"][0].startswith(MIXED)
    assert db.session.scalar(select(User.id)) is None


def test_sign_up_with_an_invisible_character_in_the_name_answers_422_naming_it(client):
    details = _details(_register(client, INVISIBLE))
    assert details["name"] == ["Nama berisi karakter tak terlihat U+200B; ketik ulang namanya."]


@pytest.mark.parametrize("name", [WHOLLY_CYRILLIC, LATIN_AND_ARABIC, "Siti Nur'aini"])
def test_sign_up_keeps_a_name_in_one_script_or_latin_beside_arabic(client, name):
    resp = _register(client, name)
    assert resp.status_code == 201, resp.json
    assert db.session.scalar(select(User.name)) == name


def test_the_sign_up_page_shows_the_name_error_and_creates_no_account(client):
    resp = client.post(
        "/register",
        data={
            "email": "budi@surabaya.go.id",
            "name": LOOK_ALIKE,
            "password": "kata-sandi-ok",
            "password_confirm": "kata-sandi-ok",
        },
        follow_redirects=True,
    )
    assert MIXED in resp.get_data(as_text=True)
    assert db.session.scalar(select(User.id)) is None


def test_the_sign_up_service_refuses_a_look_alike_name_too(app):
    # the CLI and any other caller of the service, not only the schema-checked API
    with pytest.raises(ValidationFailed) as err:
        services.register_user("budi@surabaya.go.id", "kata-sandi-ok", LOOK_ALIKE)
    assert err.value.details["name"][0].startswith(MIXED)


# ---------------------------------------------------------------- roster import
def test_a_roster_name_with_a_look_alike_letter_or_an_invisible_character_is_a_row_error(api):
    resp = api(make_user("admin")).post(
        "/api/v1/admin/civil-servants/import",
        data={
            "file": (
                io.BytesIO(
                    roster(
                        f"{_nip(1)},{LOOK_ALIKE},b1@surabaya.go.id,DKP,Dinas,Staf,Gubeng",  # 2
                        f"{_nip(2)},{INVISIBLE},b2@surabaya.go.id,DKP,Dinas,Staf,Gubeng",  # 3
                        f"{_nip(3)},{WHOLLY_CYRILLIC},b3@surabaya.go.id,DKP,Dinas,Staf,Gubeng",
                    )
                ),
                "asn.csv",
            )
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 200, resp.json
    errors = {e["row"]: e["message"] for e in resp.json["errors"]}
    assert set(errors) == {2, 3}
    assert errors[2].startswith(MIXED) and "U+200B" in errors[3]
    assert db.session.scalars(select(User.nip).where(User.role == "civil_servant")).all() == [
        _nip(3)
    ]


# ---------------------------------------------------------------- shop application
def test_a_shop_application_with_a_look_alike_shop_name_answers_422(api):
    user = make_user("public")
    db.session.commit()
    body = {**VENDOR_APPLICATION, "shop_name": f"W{CYRILLIC_A}rung Bu Sri"}
    details = _details(api(user).post("/api/v1/vendor-applications", json=body))
    assert details["shop_name"][0].startswith(MIXED)
    assert db.session.scalar(select(Vendor.id)) is None


def test_a_shop_application_named_in_latin_and_arabic_is_accepted(api):
    user = make_user("public")
    db.session.commit()
    body = {**VENDOR_APPLICATION, "shop_name": LATIN_AND_ARABIC}
    resp = api(user).post("/api/v1/vendor-applications", json=body)
    assert resp.status_code == 201, resp.json
    assert resp.json["name"] == LATIN_AND_ARABIC


def test_the_shop_application_page_shows_the_name_error(client, login):
    user = make_user("public")
    db.session.commit()
    login(client, user)
    form = {**VENDOR_APPLICATION, "shop_name": "Warung\u200bBu Sri", "made_in_city": "yes"}
    form.pop("pkp")
    resp = client.post("/shop/apply", data=form, follow_redirects=True)
    assert "U+200B" in resp.get_data(as_text=True)
    assert db.session.scalar(select(Vendor.id)) is None


# ---------------------------------------------------------------- shop profile
@pytest.mark.parametrize("field", ["name", "bank_account_name"])
def test_the_shop_profile_refuses_a_look_alike_shop_or_account_holder_name(api, field):
    vendor = make_vendor(name="Warung Bu Sri")
    db.session.commit()
    resp = api(vendor.owner).patch("/api/v1/vendor/shop", json={field: LOOK_ALIKE})
    assert _details(resp)[field][0].startswith(MIXED)
    assert db.session.get(Vendor, vendor.id).name == "Warung Bu Sri"


def test_the_shop_profile_keeps_a_name_wholly_in_another_script(api):
    vendor = make_vendor(name="Warung Bu Sri")
    db.session.commit()
    resp = api(vendor.owner).patch(
        "/api/v1/vendor/shop", json={"name": WHOLLY_CYRILLIC, "bank_account_name": None}
    )
    assert resp.status_code == 200, resp.json
    assert resp.json["name"] == WHOLLY_CYRILLIC


def test_the_shop_profile_page_shows_the_name_error(client, login):
    vendor = make_vendor(name="Warung Bu Sri")
    db.session.commit()
    login(client, vendor.owner)
    resp = client.post("/shop/profile", data={"name": LOOK_ALIKE, "address": "Jl. Kenjeran 10"})
    assert resp.status_code == 422
    assert MIXED in resp.get_data(as_text=True)
    assert db.session.get(Vendor, vendor.id).name == "Warung Bu Sri"


def test_a_letter_python_has_no_name_for_is_a_422_not_a_500(client, api):
    # found by the schemathesis run: a Tangut ideograph in a shop name, a name or an email
    tangut = "\U00017000"
    details = _details(_register(client, f"Budi {tangut}"))
    assert details["name"][0].startswith(MIXED)
    details = _details(_register(client, "Budi", email=f"b{tangut}@surabaya.go.id"))
    assert "aksara" in details["email"][0]
    user = make_user("public")
    db.session.commit()
    body = {**VENDOR_APPLICATION, "shop_name": f"Toko {tangut}"}
    details = _details(api(user).post("/api/v1/vendor-applications", json=body))
    assert details["shop_name"][0].startswith(MIXED)
