"""Sessions and CSRF (ASVS 3.3, 3.5, 7.2): cookie-authenticated state changes need the CSRF
token, bearer calls and the signed Stripe webhook do not; logging in starts a new session and
logging out kills the old cookie; cookies are HttpOnly, SameSite=Lax and Secure in production."""

from __future__ import annotations

import re

import pytest

from marketplace.config import Config
from marketplace.extensions import db
from tests.factories import make_product, make_user, make_vendor, token_for
from tests.stripe_fake import event, sign_webhook


@pytest.fixture
def strict(_app, make_app):
    """An app with CSRF on, and a helper that signs a user in through the real login form."""
    application = make_app(WTF_CSRF_ENABLED=True, STRIPE_WEBHOOK_SECRET="whsec_sec")

    def login(user):
        client = application.test_client()
        html = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        resp = client.post(
            "/login", data={"email": user.email, "password": "peken-test-pass", "csrf_token": token}
        )
        assert resp.status_code == 302, resp.data[:300]
        return client, token

    application.login = login
    return application


def seed(application, build):
    """Run `build` in the app's own context and commit; it returns plain values (ids, emails),
    so no session of this test holds the SQLite write lock while the app answers."""
    with application.app_context():
        result = build()
        db.session.commit()
        return result


class Who:
    def __init__(self, user):
        self.id, self.email = user.id, user.email


def _csrf_token(client) -> str:
    html = client.get("/account").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


# ---------------------------------------------------------------- API with a session cookie
@pytest.mark.parametrize(
    "method, url, body",
    [
        ("PUT", "/api/v1/cart/items/{p}", {"quantity": 1}),
        ("DELETE", "/api/v1/cart/items/{p}", None),
        ("POST", "/api/v1/notifications/read-all", None),
    ],
)
def test_a_cookie_authenticated_api_change_needs_the_csrf_header(strict, method, url, body):
    buyer, product_id = seed(strict, lambda: (Who(make_user()), make_product().id))
    client, _ = strict.login(buyer)
    url = url.format(p=product_id)
    call = getattr(client, method.lower())
    refused = call(url, json=body)
    assert refused.status_code == 400 and refused.json["error"]["code"] == "csrf_failed"
    accepted = call(url, json=body, headers={"X-CSRFToken": _csrf_token(client)})
    assert accepted.status_code == 200, accepted.data[:300]


def test_a_cookie_authenticated_patch_needs_the_csrf_header(strict):
    owner = seed(strict, lambda: Who(make_vendor(name="Toko Lama").owner))
    client, _ = strict.login(owner)
    refused = client.patch("/api/v1/vendor/shop", json={"name": "Toko Dipalsukan"})
    assert refused.status_code == 400
    assert client.get("/api/v1/vendor/shop").json["name"] == "Toko Lama"
    ok = client.patch(
        "/api/v1/vendor/shop",
        json={"name": "Toko Baru"},
        headers={"X-CSRFToken": _csrf_token(client)},
    )
    assert ok.status_code == 200 and ok.json["name"] == "Toko Baru"


def test_bearer_token_calls_need_no_csrf_token(strict):
    token, product_id = seed(strict, lambda: (token_for(make_user()), make_product().id))
    client = strict.test_client()
    resp = client.put(
        f"/api/v1/cart/items/{product_id}",
        json={"quantity": 1},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert resp.status_code == 200, resp.data[:300]


# ---------------------------------------------------------------- every page form
def _page_post_urls(application):
    for rule in application.url_map.iter_rules():
        if "POST" not in rule.methods or rule.rule.startswith("/api/"):
            continue
        values = {
            name: (
                1
                if "int" in type(conv).__name__.lower() or type(conv).__name__ == "IdConverter"
                else "x"
            )
            for name, conv in rule._converters.items()
        }
        url = rule.rule
        for name, value in values.items():
            url = re.sub(rf"<[^>]*\b{name}>", str(value), url)
        yield url


def test_every_page_post_without_a_csrf_token_is_refused(strict):
    user = seed(strict, lambda: Who(make_user("admin")))
    client, _ = strict.login(user)
    urls = sorted(set(_page_post_urls(strict)))
    assert "/logout" in urls and "/checkout" in urls and len(urls) > 30
    for url in urls:
        with client.session_transaction() as sess:
            sess.pop("_flashes", None)
        resp = client.post(url, data={"email": user.email, "password": "peken-test-pass"})
        with client.session_transaction() as sess:
            flashed = " ".join(m for _, m in sess.get("_flashes", []))
        refused = resp.status_code == 400 or "CSRF" in flashed
        assert refused, (url, resp.status_code, flashed, resp.data[:200])
    assert client.get("/api/v1/me").status_code == 200  # /logout was refused too


# ---------------------------------------------------------------- Stripe webhook
def test_the_stripe_webhook_needs_no_csrf_token_but_a_valid_signature(strict):
    client, _ = strict.login(seed(strict, lambda: Who(make_user())))
    payload = event("customer.created", {"id": "cus_1", "object": "customer"})
    raw, header = sign_webhook(payload, "whsec_sec")
    ok = client.post(
        "/api/v1/webhooks/stripe",
        data=raw,
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )
    assert ok.status_code == 200, ok.data[:300]
    raw, header = sign_webhook(payload, "whsec_wrong")
    bad = client.post(
        "/api/v1/webhooks/stripe",
        data=raw,
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )
    assert bad.status_code == 400 and bad.json["error"]["code"] == "invalid_signature"


# ---------------------------------------------------------------- session lifecycle
def test_logging_out_kills_the_old_session_cookie(strict):
    user = seed(strict, lambda: Who(make_user()))
    client, _ = strict.login(user)
    cookie = client.get_cookie("session").value
    assert client.get("/api/v1/me").status_code == 200
    resp = client.post("/logout", data={"csrf_token": _csrf_token(client)})
    assert resp.status_code == 302
    replay = strict.test_client()
    replay.set_cookie("session", cookie)
    assert replay.get("/api/v1/me").status_code == 401


def test_logging_in_starts_a_new_session(strict):
    user = seed(strict, lambda: Who(make_user()))
    client = strict.test_client()
    client.get("/login")
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    before = client.get_cookie("session").value
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    client.post(
        "/login", data={"email": user.email, "password": "peken-test-pass", "csrf_token": token}
    )
    with client.session_transaction() as sess:
        assert "planted" not in sess and "_user_id" in sess
    assert client.get_cookie("session").value != before


def test_changing_the_password_ends_other_sessions(strict):
    user = seed(strict, lambda: Who(make_user()))
    other, _ = strict.login(user)
    client, _ = strict.login(user)
    resp = client.post(
        "/account/password",
        data={
            "current_password": "peken-test-pass",
            "new_password": "kata-sandi-baru-yang-panjang",
            "new_password_confirm": "kata-sandi-baru-yang-panjang",
            "csrf_token": _csrf_token(client),
        },
    )
    assert resp.status_code == 302
    assert other.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me").status_code == 200


# ---------------------------------------------------------------- cookies and config
def _set_cookie(resp) -> str:
    return next(h for h in resp.headers.getlist("Set-Cookie") if h.startswith("session="))


def test_the_session_cookie_is_httponly_and_samesite_lax(app, client):
    user = make_user()
    db.session.commit()
    resp = client.post("/login", data={"email": user.email, "password": "peken-test-pass"})
    cookie = _set_cookie(resp)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http during development


def test_the_session_cookie_is_secure_when_configured_and_sends_hsts(_app, make_app):
    secure = make_app(SESSION_COOKIE_SECURE=True)
    user = seed(secure, lambda: Who(make_user()))
    resp = secure.test_client().post(
        "/login", data={"email": user.email, "password": "peken-test-pass"}
    )
    assert "Secure" in _set_cookie(resp)
    assert "max-age=31536000" in resp.headers["Strict-Transport-Security"]


def test_production_makes_cookies_secure(monkeypatch):
    monkeypatch.setenv("PEKEN_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 64)
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    config = Config()
    assert config.SESSION_COOKIE_SECURE and config.REMEMBER_COOKIE_SECURE
    assert config.SESSION_COOKIE_HTTPONLY and config.SESSION_COOKIE_SAMESITE == "Lax"


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.setenv("PEKEN_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        Config()
