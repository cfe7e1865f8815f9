"""A buyer's optional phone number on their own account: normalised to E.164 (lokal-id), shown
nationally, refused (422) when it is not an Indonesian number."""

from __future__ import annotations

import pytest

from marketplace.accounts.models import User
from marketplace.extensions import db
from tests.factories import make_civil_servant, make_user


def test_me_takes_a_phone_number_any_common_way_and_stores_e164(api):
    user = make_user("public")
    db.session.commit()
    resp = api(user).patch("/api/v1/me", json={"phone": "+62 812-3456-7890"})
    assert resp.status_code == 200, resp.json
    assert (resp.json["phone"], resp.json["phone_display"]) == ("+6281234567890", "0812-3456-7890")
    assert db.session.get(User, user.id).phone == "+6281234567890"
    me = api(user).get("/api/v1/me").json
    assert me["phone"] == "+6281234567890"


@pytest.mark.parametrize("phone", ["12345", "+1 415 555 0100", "0812", "nomor saya"])
def test_an_invalid_phone_number_is_422_in_the_error_shape(api, phone):
    user = make_civil_servant()
    db.session.commit()
    resp = api(user).patch("/api/v1/me", json={"phone": phone})
    assert resp.status_code == 422
    assert set(resp.json["error"]) == {"code", "message", "details"}
    assert "phone" in resp.json["error"]["details"]
    assert db.session.get(User, user.id).phone is None


def test_a_blank_or_null_phone_removes_it_and_other_fields_are_refused(api):
    user = make_user("public")
    user.phone = "+6281234567890"
    db.session.commit()
    assert api(user).patch("/api/v1/me", json={"phone": ""}).json["phone"] is None
    user.phone = "+6281234567890"
    db.session.commit()
    assert api(user).patch("/api/v1/me", json={"phone": None}).json["phone"] is None
    resp = api(user).patch("/api/v1/me", json={"phone": "", "role": "admin"})
    assert resp.status_code == 422 and db.session.get(User, user.id).role == "public"


def test_the_account_page_saves_and_shows_the_phone_nationally(client, login):
    user = make_civil_servant()
    db.session.commit()
    login(client, user)
    resp = client.post("/account/phone", data={"phone": "0856 1234 5678"})
    assert resp.status_code == 302
    assert db.session.get(User, user.id).phone == "+6285612345678"
    page = client.get("/account").get_data(as_text=True)
    assert 'value="0856-1234-5678"' in page


def test_the_account_page_refuses_an_invalid_phone(client, login):
    user = make_civil_servant()
    db.session.commit()
    login(client, user)
    resp = client.post("/account/phone", data={"phone": "12345"}, follow_redirects=True)
    assert "Nomor harus diawali 0, 62, atau +62" in resp.get_data(as_text=True)
    assert db.session.get(User, user.id).phone is None


def test_the_phone_form_is_in_english_too(client, login):
    login(client, make_user("public"))
    page = client.get("/account?lang=en").get_data(as_text=True)
    assert "Phone / WhatsApp number" in page and "Save number" in page
