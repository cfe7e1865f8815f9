"""Issue 13 §3: an ASN signs in with their 18-digit NIP or their email, on the API and the
login page; a wrong NIP or password answers 401 and counts against the failed sign-in limit."""

from marketplace.accounts import rules
from marketplace.extensions import db
from tests.factories import PASSWORD, make_civil_servant

NIP = "198001012006041777"


def _asn():
    user = make_civil_servant(nip=NIP, email="nip.login@surabaya.go.id")
    db.session.commit()
    return user


def test_login_nip_rule():
    assert rules.login_nip("198001012006041777") == NIP
    assert rules.login_nip(" 19800101 200604 1 777 ") == NIP  # grouped as HR exports print it
    assert rules.login_nip("19800101200604177") is None  # 17 digits
    assert rules.login_nip("1980010120060417770") is None  # 19 digits
    assert rules.login_nip("asn@surabaya.go.id") is None
    assert rules.login_nip("") is None and rules.login_nip(None) is None


def test_api_token_with_nip_login(app, client):
    user = _asn()
    resp = client.post("/api/v1/auth/token", json={"login": NIP, "password": PASSWORD})
    assert resp.status_code == 200, resp.json
    assert resp.json["user"]["id"] == user.id and resp.json["token"].startswith("pk_")
    spaced = client.post(
        "/api/v1/auth/token", json={"login": "19800101 200604 1 777", "password": PASSWORD}
    )
    assert spaced.status_code == 200


def test_api_token_with_email_login_and_old_email_field(app, client):
    user = _asn()
    for body in (
        {"login": "nip.login@surabaya.go.id", "password": PASSWORD},
        {"email": "nip.login@surabaya.go.id", "password": PASSWORD},
    ):
        resp = client.post("/api/v1/auth/token", json=body)
        assert resp.status_code == 200 and resp.json["user"]["id"] == user.id


def test_api_token_needs_a_login(app, client):
    resp = client.post("/api/v1/auth/token", json={"password": PASSWORD})
    assert resp.status_code == 422
    assert "login" in resp.json["error"]["details"]


def test_wrong_nip_or_password_is_401(app, client):
    _asn()
    for body in (
        {"login": NIP, "password": "salah-sekali-ya"},
        {"login": "198001012006049999", "password": PASSWORD},
    ):
        resp = client.post("/api/v1/auth/token", json=body)
        assert resp.status_code == 401
        assert resp.json["error"]["code"] == "invalid_credentials"


def test_inactive_asn_cannot_sign_in_with_nip(app, client):
    user = _asn()
    user.active = False
    db.session.commit()
    resp = client.post("/api/v1/auth/token", json={"login": NIP, "password": PASSWORD})
    assert resp.status_code == 401


def test_failed_nip_sign_ins_are_counted(make_app):
    limited = make_app(RATELIMIT_ENABLED=True, LOGIN_FAILURE_LIMIT="3 per hour")
    with limited.app_context():
        _asn()
        client = limited.test_client()
        codes = [
            client.post(
                "/api/v1/auth/token",
                json={"login": nip, "password": "tebakan-yang-salah"},
                environ_base={"REMOTE_ADDR": "203.0.113.77"},
            ).status_code
            # Spacing the NIP differently is the same login: it does not open a new count.
            for nip in (NIP, "19800101 200604 1 777", "198001012006041777 ", NIP)
        ]
        assert codes == [401, 401, 401, 429]
        # Even the right password is refused until the window passes.
        right = client.post(
            "/api/v1/auth/token",
            json={"login": NIP, "password": PASSWORD},
            environ_base={"REMOTE_ADDR": "203.0.113.77"},
        )
        assert right.status_code == 429


def test_login_page_with_nip(app, client):
    user = _asn()
    page = client.get("/login")
    assert "Email atau NIP" in page.get_data(as_text=True)
    resp = client.post("/login", data={"email": NIP, "password": PASSWORD})
    assert resp.status_code == 302
    me = client.get("/api/v1/me")
    assert me.status_code == 200 and me.json["id"] == user.id


def test_login_page_accepts_the_login_field(app, client):
    user = _asn()
    resp = client.post("/login", data={"login": NIP, "password": PASSWORD})
    assert resp.status_code == 302
    assert client.get("/api/v1/me").json["id"] == user.id


def test_login_page_wrong_nip(app, client):
    _asn()
    resp = client.post("/login", data={"email": NIP, "password": "salah-sekali-ya"})
    assert resp.status_code == 200
    assert "Email/NIP atau kata sandi salah." in resp.get_data(as_text=True)
