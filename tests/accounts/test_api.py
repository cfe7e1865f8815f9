"""The accounts API end to end: status codes, the error shape and what changed."""

import io

import pytest
from sqlalchemy import select

from marketplace.accounts.models import ApiToken, User
from marketplace.extensions import db, limiter
from tests.accounts.conftest import good_row, roster
from tests.factories import make_civil_servant, make_opd, make_user, make_vendor


def _error(resp, status, code=None):
    assert resp.status_code == status, resp.json
    assert set(resp.json["error"]) == {"code", "message", "details"}
    if code:
        assert resp.json["error"]["code"] == code
    return resp.json["error"]


# ---------------------------------------------------------------- tokens
def test_token_is_issued_for_right_credentials_and_works_as_bearer(api):
    user = make_user(email="warga@test.peken.id")
    db.session.commit()
    resp = api().post(
        "/api/v1/auth/token", json={"email": "Warga@test.peken.id", "password": "peken-test-pass"}
    )
    assert resp.status_code == 200
    assert resp.json["user"]["id"] == user.id
    me = api().get("/api/v1/me", headers={"Authorization": f"Bearer {resp.json['token']}"})
    assert me.status_code == 200 and me.json["email"] == "warga@test.peken.id"


def test_wrong_password_answers_invalid_credentials(api):
    make_user(email="warga@test.peken.id")
    db.session.commit()
    resp = api().post(
        "/api/v1/auth/token", json={"email": "warga@test.peken.id", "password": "nope-nope"}
    )
    _error(resp, 401, "invalid_credentials")
    assert db.session.scalar(select(ApiToken.id)) is None


def test_token_request_without_password_is_a_validation_error(api):
    err = _error(
        api().post("/api/v1/auth/token", json={"email": "a@b.id"}), 422, "validation_error"
    )
    assert "password" in err["details"]


def test_token_request_that_is_not_json_is_malformed(api):
    resp = api().post("/api/v1/auth/token", data="email=a", headers={"Content-Type": "text/plain"})
    _error(resp, 400, "bad_request")


def test_repeated_failures_are_limited_per_address_and_email_but_not_successes(make_app):
    limited = make_app(RATELIMIT_ENABLED=True, LOGIN_FAILURE_LIMIT="3 per minute")
    with limited.app_context():
        make_user(email="target@test.peken.id")
        make_user(email="other@test.peken.id")
        db.session.commit()
    client = limited.test_client()
    try:
        for _ in range(3):
            ok = client.post(
                "/api/v1/auth/token",
                json={"email": "other@test.peken.id", "password": "peken-test-pass"},
            )
            assert ok.status_code == 200  # successes do not count
        for _ in range(3):
            bad = client.post(
                "/api/v1/auth/token",
                json={"email": "target@test.peken.id", "password": "guess-guess"},
            )
            assert bad.status_code == 401
        blocked = client.post(
            "/api/v1/auth/token",
            json={"email": "target@test.peken.id", "password": "peken-test-pass"},
        )
        _error(blocked, 429, "too_many_requests")
        still_ok = client.post(
            "/api/v1/auth/token",
            json={"email": "other@test.peken.id", "password": "peken-test-pass"},
        )
        assert still_ok.status_code == 200
    finally:
        limiter.reset()


def test_deleting_the_token_revokes_it(api):
    user = make_user()
    client = api(user)
    assert client.delete("/api/v1/auth/token").status_code == 200
    _error(client.get("/api/v1/me"), 401, "not_authenticated")
    assert db.session.scalar(select(ApiToken.revoked_at).where(ApiToken.user_id == user.id))


def test_deleting_the_token_with_a_session_cookie_is_a_bad_request(client, login):
    login(client, make_user())
    _error(client.delete("/api/v1/auth/token"), 400, "bearer_token_required")


# ---------------------------------------------------------------- register and me
def test_register_creates_a_public_user(api):
    resp = api().post(
        "/api/v1/auth/register",
        json={"email": "Baru@Mail.id", "password": "sayur segar pagi", "name": "Warga Baru"},
    )
    assert resp.status_code == 201
    assert resp.json["role"] == "public" and resp.json["email"] == "baru@mail.id"
    assert db.session.scalar(select(User.role).where(User.email == "baru@mail.id")) == "public"


def test_register_with_a_taken_email_conflicts(api):
    make_user(email="ada@mail.id")
    db.session.commit()
    resp = api().post(
        "/api/v1/auth/register",
        json={"email": "ADA@mail.id", "password": "sayur segar pagi", "name": "X"},
    )
    _error(resp, 409, "email_taken")


@pytest.mark.parametrize(
    "body, field",
    [
        ({"email": "x@mail.id", "password": "pendek", "name": "X"}, "password"),
        ({"email": "x@mail.id", "password": "password123", "name": "X"}, "password"),
        ({"email": "bukan-email", "password": "sayur segar pagi", "name": "X"}, "email"),
        ({"email": "x@mail.id", "password": "sayur segar pagi"}, "name"),
        (
            {"email": "x@mail.id", "password": "sayur segar pagi", "name": "X", "role": "admin"},
            "role",
        ),
    ],
)
def test_register_rejects_bad_fields_and_creates_nothing(api, body, field):
    err = _error(api().post("/api/v1/auth/register", json=body), 422)
    assert field in err["details"]
    assert db.session.scalar(select(User.id)) is None


def test_me_for_a_civil_servant_has_nip_opd_position_and_kelurahan(api):
    opd = make_opd("DKP", "Dinas Koperasi dan Perdagangan")
    asn = make_civil_servant(opd=opd, position="Camat", kelurahan="Tegalsari")
    body = api(asn).get("/api/v1/me").json
    assert (
        body["nip"] == asn.nip and body["position"] == "Camat" and body["kelurahan"] == "Tegalsari"
    )
    assert body["opd"] == {"code": "DKP", "name": "Dinas Koperasi dan Perdagangan"}
    assert body["vendor_id"] is None


def test_me_for_a_vendor_has_the_shop_id_and_null_asn_fields(api):
    vendor = make_vendor()
    body = api(vendor.owner).get("/api/v1/me").json
    assert body["vendor_id"] == vendor.id and body["role"] == "vendor"
    assert body["nip"] is None and body["opd"] is None


# ---------------------------------------------------------------- roster import
def _upload(client, content: bytes, name="roster.csv"):
    return client.post(
        "/api/v1/admin/civil-servants/import",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_roster_import_counts_created_and_reports_bad_rows_by_number(api):
    make_user(email="dipakai@surabaya.go.id")
    client = api(make_user("admin"))
    resp = _upload(
        client,
        roster(
            good_row(1),  # 2 ok
            "19800101200604100,Salah NIP,s@surabaya.go.id,DKP,Dinas,Staf,Gubeng",  # 3 bad NIP
            good_row(3, email="bukan email"),  # 4 bad email
            good_row(1, email="kembar@surabaya.go.id"),  # 5 duplicate NIP
            "198001012006041005,,x5@surabaya.go.id,DKP,Dinas,Staf,Gubeng",  # 6 missing name
            good_row(6, email="dipakai@surabaya.go.id"),  # 7 email of another user
            good_row(7),  # 8 ok
        ),
    )
    assert resp.status_code == 200, resp.json
    assert resp.json["created"] == 2 and resp.json["updated"] == 0
    assert [e["row"] for e in resp.json["errors"]] == [3, 4, 5, 6, 7]
    assert all(e["message"] for e in resp.json["errors"])


def test_roster_reimport_updates_existing_civil_servants(api):
    client = api(make_user("admin"))
    _upload(client, roster(good_row(1), good_row(2)))
    resp = _upload(client, roster(good_row(1, position="Lurah"), good_row(2), good_row(3)))
    assert (resp.json["created"], resp.json["updated"], resp.json["errors"]) == (1, 2, [])
    assert (
        db.session.scalar(select(User.position).where(User.nip == "198001012006041001")) == "Lurah"
    )


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"nip,name\n1,2\n",
        "nip,name,email,opd_code,opd_name,position,"
        "kelurahan\n198001012006041001,B\xe9di,b@x.id,D,D,S,G\n".encode("cp1252"),
    ],
)
def test_roster_that_cannot_be_read_is_a_validation_error(api, content):
    err = _error(_upload(api(make_user("admin")), content), 422, "validation_error")
    assert "file" in err["details"]
    assert db.session.scalar(select(User.id).where(User.role == "civil_servant")) is None


def test_roster_import_without_a_file_is_a_validation_error(api):
    err = _error(
        api(make_user("admin")).post(
            "/api/v1/admin/civil-servants/import", data={}, content_type="multipart/form-data"
        ),
        422,
    )
    assert "file" in err["details"]


def test_large_roster_is_imported_in_one_go(api):
    lines = [good_row(n) for n in range(1, 1501)]
    resp = _upload(api(make_user("admin")), roster(*lines))
    assert resp.json["created"] == 1500 and resp.json["errors"] == []
