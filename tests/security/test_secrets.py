"""Secrets: API tokens are stored only as hashes, password-reset links work once and expire,
no password, token or reset link reaches the production log, and guessing is rate limited."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import select

from marketplace.accounts import services as accounts
from marketplace.accounts.models import ApiToken
from marketplace.extensions import db
from tests.factories import make_user

PASSWORD = "peken-test-pass"


def test_api_tokens_are_stored_only_as_hashes(api, app):
    user = make_user()
    db.session.commit()
    resp = api().post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD})
    assert resp.status_code == 200
    token = resp.json["token"]
    rows = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all()
    assert rows and all(token not in (r.token_hash or "") for r in rows)
    assert any(r.token_hash == ApiToken.hash(token) for r in rows)
    assert ApiToken.hash(token) != token


def test_a_revoked_token_stops_working(api, app):
    user = make_user()
    db.session.commit()
    token = (
        api()
        .post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD})
        .json["token"]
    )
    client = api()
    client.headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me").status_code == 200
    assert client.delete("/api/v1/auth/token").status_code == 200
    assert client.get("/api/v1/me").status_code == 401


def test_a_password_reset_link_works_once(client, app):
    user = make_user()
    db.session.commit()
    token = accounts.password_reset_token(user)
    assert client.get(f"/password/reset/{token}").status_code == 200
    new = "kata-sandi-baru-yang-panjang"
    resp = client.post(f"/password/reset/{token}", data={"password": new, "password_confirm": new})
    assert resp.status_code == 302
    assert client.get(f"/password/reset/{token}").status_code == 404
    again = client.post(
        f"/password/reset/{token}",
        data={"password": "lagi-lagi-yang-panjang", "password_confirm": "lagi-lagi-yang-panjang"},
    )
    assert again.status_code in (302, 404)
    db.session.expire_all()
    assert accounts.check_credentials(user.email, new) is not None


def test_an_expired_or_forged_reset_link_is_refused(client, app):
    user = make_user()
    db.session.commit()
    token = accounts.password_reset_token(user)
    assert client.get(f"/password/reset/{token[:-2]}xx").status_code == 404
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    assert client.get(f"/password/reset/{token}").status_code == 404
    resp = client.post(
        f"/password/reset/{token}", data={"password": "x" * 20, "password_confirm": "x" * 20}
    )
    assert resp.status_code in (302, 404)
    assert accounts.check_credentials(user.email, PASSWORD) is not None


def test_no_password_or_token_is_logged(api, client, app, caplog):
    caplog.set_level(logging.DEBUG)
    user = make_user()
    db.session.commit()
    token = (
        api()
        .post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD})
        .json["token"]
    )
    api().post("/api/v1/auth/token", json={"email": user.email, "password": "salah-sandi-123"})
    client.post("/login", data={"email": user.email, "password": "salah-sandi-456"})
    api().post(
        "/api/v1/auth/register",
        json={"email": "baru@test.peken.id", "password": "rahasia-pendaftar-789", "name": "B"},
    )
    client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}x"})
    text = caplog.text
    for secret in (PASSWORD, "salah-sandi-123", "salah-sandi-456", "rahasia-pendaftar-789", token):
        assert secret not in text


def test_a_reset_link_never_reaches_the_production_log(app, caplog):
    caplog.set_level(logging.DEBUG)
    user = make_user()
    db.session.commit()
    app.config["PEKEN_ENV"] = "production"
    with app.test_request_context():
        assert accounts.request_password_reset(user.email)
    assert "/password/reset/" not in caplog.text
    assert not re.search(r"reset/[\w.-]{20,}", caplog.text)


@pytest.fixture
def limited(_app, make_app):
    return make_app(RATELIMIT_ENABLED=True, LOGIN_FAILURE_LIMIT="3 per minute")


def test_repeated_failed_token_requests_are_answered_429(limited):
    client = limited.test_client()
    body = {"email": "tebak-token@test.peken.id", "password": "salah-salah-salah"}
    codes = [client.post("/api/v1/auth/token", json=body).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    assert client.post("/api/v1/auth/token", json=body).json["error"]["code"] == "too_many_requests"


def test_repeated_failed_logins_on_the_page_are_answered_429(limited):
    client = limited.test_client()
    data = {"email": "tebak-halaman@test.peken.id", "password": "salah-salah-salah"}
    codes = [client.post("/login", data=data).status_code for _ in range(4)]
    assert codes[-1] == 429 and 429 not in codes[:3]


def test_forgot_password_requests_are_rate_limited(limited):
    client = limited.test_client()
    codes = [
        client.post("/password/forgot", data={"email": "banjir@test.peken.id"}).status_code
        for _ in range(4)
    ]
    assert codes[-1] == 429
