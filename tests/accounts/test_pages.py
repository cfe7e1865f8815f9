"""Accounts pages through the test client: sign-in with `next`, logout, CSRF, sign-up, the shop
application, the profile and the admin pages."""

import io
import re

import pytest
from sqlalchemy import select

from marketplace.accounts import services
from marketplace.accounts.models import ApiToken, User
from marketplace.extensions import db, limiter
from marketplace.shops.models import Vendor
from tests.accounts.conftest import good_row, roster
from tests.factories import make_civil_servant, make_user, make_vendor


def _signed_in_as(client) -> str | None:
    resp = client.get("/account")
    if resp.status_code != 200:
        return None
    match = re.search(r"<dt>Email</dt><dd>([^<]+)</dd>", resp.get_data(as_text=True))
    return match.group(1) if match else None


# ---------------------------------------------------------------- login and next
def test_login_page_shows_the_form_in_indonesian(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'name="email"' in html and 'name="password"' in html and 'name="csrf_token"' in html
    assert "Kata sandi" in html and '<html lang="id">' in html


def test_login_goes_to_a_safe_local_next(client):
    user = make_civil_servant()
    db.session.commit()
    resp = client.post(
        "/login",
        data={"email": user.email, "password": "peken-test-pass", "next": "/orders?status=paid"},
    )
    assert resp.status_code == 302 and resp.headers["Location"] == "/orders?status=paid"
    assert _signed_in_as(client) == user.email


@pytest.mark.parametrize(
    "unsafe",
    [
        "//evil.com",
        "/\\evil.com",
        "https://evil.com",
        "http:/evil.com",
        "javascript:alert(1)",
        "\\\\evil.com",
        "evil.com",
    ],
)
def test_login_ignores_an_unsafe_next(client, unsafe):
    user = make_user()
    db.session.commit()
    resp = client.post(
        "/login", data={"email": user.email, "password": "peken-test-pass", "next": unsafe}
    )
    assert resp.status_code == 302 and resp.headers["Location"] == "/"


def test_admin_lands_on_the_admin_page_without_next(client):
    admin = make_user("admin")
    db.session.commit()
    resp = client.post("/login", data={"email": admin.email, "password": "peken-test-pass"})
    assert resp.headers["Location"] == "/admin"


def test_wrong_password_shows_the_form_again_with_a_message(client):
    user = make_user()
    db.session.commit()
    resp = client.post("/login", data={"email": user.email, "password": "salah-salah"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Email/NIP atau kata sandi salah." in html
    assert f'value="{user.email}"' in html
    assert _signed_in_as(client) is None


def test_login_page_limits_repeated_failures(make_app):
    limited = make_app(RATELIMIT_ENABLED=True, LOGIN_FAILURE_LIMIT="2 per minute")
    with limited.app_context():
        user = make_user()
        db.session.commit()
        email = user.email
    client = limited.test_client()
    try:
        for _ in range(2):
            assert (
                client.post("/login", data={"email": email, "password": "tebak-tebak"}).status_code
                == 200
            )
        resp = client.post("/login", data={"email": email, "password": "peken-test-pass"})
        assert resp.status_code == 429
        assert "Terlalu banyak percobaan" in resp.get_data(as_text=True)
    finally:
        limiter.reset()


def test_login_form_without_a_csrf_token_is_refused(make_app):
    strict = make_app(WTF_CSRF_ENABLED=True)
    with strict.app_context():
        user = make_user()
        db.session.commit()
        email = user.email
    client = strict.test_client()
    refused = client.post(
        "/login", data={"email": email, "password": "peken-test-pass", "next": "/account"}
    )
    assert refused.headers.get("Location") != "/account"
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    accepted = client.post(
        "/login",
        data={
            "email": email,
            "password": "peken-test-pass",
            "next": "/account",
            "csrf_token": token,
        },
    )
    assert accepted.status_code == 302 and accepted.headers["Location"] == "/account"


def test_login_starts_a_new_session(client):
    user = make_user()
    db.session.commit()
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
        sess["lang"] = "en"
    client.post("/login", data={"email": user.email, "password": "peken-test-pass"})
    with client.session_transaction() as sess:
        assert "planted" not in sess and sess["lang"] == "en"


# ---------------------------------------------------------------- logout
def test_logout_get_asks_for_confirmation_and_changes_nothing(client, login):
    user = make_user()
    login(client, user)
    html = client.get("/logout").get_data(as_text=True)
    assert "Ya, keluar" in html and 'method="post"' in html
    assert _signed_in_as(client) == user.email


def test_logout_makes_an_old_session_cookie_useless(app, login):
    user = make_user()
    first = login(app.test_client(), user)
    cookie = first.get_cookie("session").value
    assert first.post("/logout").status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", cookie)
    assert _signed_in_as(replay) is None
    assert db.session.get(User, user.id).session_version == 2


# ---------------------------------------------------------------- register
def test_registration_form_creates_a_public_user_and_signs_in(client):
    resp = client.post(
        "/register",
        data={
            "name": "Warga Baru",
            "email": "Baru@Mail.id",
            "password": "sayur segar pagi",
            "password_confirm": "sayur segar pagi",
        },
    )
    assert resp.status_code == 302
    assert _signed_in_as(client) == "baru@mail.id"
    assert db.session.scalar(select(User.role).where(User.email == "baru@mail.id")) == "public"


def test_registration_with_mismatched_passwords_creates_nothing(client):
    resp = client.post(
        "/register",
        data={
            "name": "X",
            "email": "x@mail.id",
            "password": "sayur segar pagi",
            "password_confirm": "sayur segar sore",
        },
        follow_redirects=True,
    )
    assert "Konfirmasi kata sandi tidak sama." in resp.get_data(as_text=True)
    assert db.session.scalar(select(User.id)) is None


def test_registration_with_a_common_password_explains_why(client):
    resp = client.post(
        "/register",
        data={
            "name": "X",
            "email": "x@mail.id",
            "password": "password",
            "password_confirm": "password",
        },
        follow_redirects=True,
    )
    assert "terlalu umum" in resp.get_data(as_text=True)


# ---------------------------------------------------------------- password reset
def test_password_reset_link_lets_an_imported_civil_servant_set_a_first_password(client):
    services.import_civil_servants(None, io.BytesIO(roster(good_row(1))))
    user = db.session.scalar(select(User).where(User.email == "asn1@surabaya.go.id"))
    with client.application.test_request_context():
        token = services.password_reset_token(user)
    assert client.get(f"/password/reset/{token}").status_code == 200
    resp = client.post(
        f"/password/reset/{token}",
        data={"password": "kata sandi pertamaku", "password_confirm": "kata sandi pertamaku"},
    )
    assert resp.status_code == 302
    assert (
        client.post(
            "/login", data={"email": user.email, "password": "kata sandi pertamaku"}
        ).status_code
        == 302
    )
    assert client.get(f"/password/reset/{token}").status_code == 404


def test_forgot_password_form_answers_the_same_for_unknown_emails(client):
    resp = client.post("/password/forgot", data={"email": "nobody@mail.id"}, follow_redirects=True)
    assert "Jika email itu terdaftar" in resp.get_data(as_text=True)


# ---------------------------------------------------------------- account and tokens
def test_account_page_shows_civil_servant_data(client, login):
    asn = make_civil_servant(position="Lurah")
    login(client, asn)
    html = client.get("/account").get_data(as_text=True)
    assert asn.nip in html and "Lurah" in html and asn.opd.name in html


def test_created_token_is_shown_once_and_then_works(client, login, api):
    user = make_user()
    login(client, user)
    html = client.post("/account/tokens", data={"name": "kasir"}).get_data(as_text=True)
    token = re.search(r'data-testid="new-token">([^<]+)<', html).group(1)
    assert api().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert token not in client.get("/account/tokens").get_data(as_text=True)


def test_revoking_another_users_token_from_the_page_is_not_found(client, login):
    other = make_user()
    services.issue_token(other)
    token_id = db.session.scalar(select(ApiToken.id))
    me = make_user()
    db.session.commit()  # the 404 rolls the request's session back
    login(client, me)
    assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 404
    assert db.session.get(ApiToken, token_id).revoked_at is None


def test_account_page_needs_login(client):
    resp = client.get("/account")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login?next=/account")


# ---------------------------------------------------------------- admin
def test_admin_home_lists_pending_shops_with_decision_forms(client, login):
    vendor = make_vendor(status="pending", name="Warung Menunggu")
    login(client, make_user("admin"))
    html = client.get("/admin").get_data(as_text=True)
    assert "Warung Menunggu" in html and f'data-testid="verify-{vendor.id}"' in html
    assert "data-confirm" in html


def test_admin_home_without_pending_shops_shows_an_empty_state(client, login):
    login(client, make_user("admin"))
    assert "Tidak ada toko yang menunggu verifikasi." in client.get("/admin").get_data(as_text=True)


@pytest.mark.parametrize("role", ["public", "civil_servant", "vendor", "finance"])
def test_admin_pages_are_forbidden_to_other_roles(client, login, role):
    vendor, user = make_vendor(status="pending"), make_user(role)
    db.session.commit()  # the 403s roll the request's session back
    login(client, user)
    for url in (
        "/admin",
        "/admin/vendors",
        f"/admin/vendors/{vendor.id}",
        "/admin/civil-servants/import",
    ):
        assert client.get(url).status_code == 403
    assert client.post(f"/admin/vendors/{vendor.id}/verify").status_code == 403
    assert db.session.get(Vendor, vendor.id).status == "pending"


def test_admin_imports_the_roster_from_the_page_and_sees_row_errors(client, login):
    login(client, make_user("admin"))
    content = roster(good_row(1), "123,Salah,s@x.id,DKP,Dinas,Staf,Gubeng", good_row(3))
    resp = client.post(
        "/admin/civil-servants/import",
        data={"file": (io.BytesIO(content), "asn.csv")},
        content_type="multipart/form-data",
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert re.search(r'data-testid="created">2<', html) and re.search(
        r'data-testid="failed">1<', html
    )
    assert '<td class="num">3</td>' in html
