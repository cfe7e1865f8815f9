"""Bearer tokens end with what they were issued on: a password change or reset, the
`set-password` command, a deactivated account and a role change revoke them; they expire after
API_TOKEN_MAX_AGE_DAYS; their owner (and only their owner) lists and revokes them."""

from datetime import timedelta

from sqlalchemy import select

from marketplace.accounts import services
from marketplace.accounts.models import ApiToken
from marketplace.extensions import db
from marketplace.models_base import utcnow
from tests.factories import make_user
from tests.shops.conftest import VENDOR_APPLICATION

NEW_PASSWORD = "pasar pagi ramai sekali"


def _works(client) -> bool:
    status = client.get("/api/v1/me").status_code
    assert status in (200, 401)
    return status == 200


def _reasons(user) -> list[str | None]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(ApiToken.revoked_reason).where(ApiToken.user_id == user.id))
    )


# ---------------------------------------------------------------- revoked when the account changes
def test_changing_the_password_revokes_the_users_bearer_tokens(api):
    user, other = make_user(), make_user()
    client, bystander = api(user), api(other)
    assert _works(client)
    services.change_password(user, "peken-test-pass", NEW_PASSWORD)
    assert not _works(client)
    assert _reasons(user) == ["password"]
    assert _works(bystander)  # only the user's own tokens


def test_changing_the_password_on_the_page_revokes_bearer_tokens(api, client, login):
    user = make_user()
    bearer = api(user)
    login(client, user)
    resp = client.post(
        "/account/password",
        data={
            "current_password": "peken-test-pass",
            "new_password": NEW_PASSWORD,
            "new_password_confirm": NEW_PASSWORD,
        },
    )
    assert resp.status_code == 302
    assert not _works(bearer)


def test_a_password_reset_revokes_bearer_tokens(api, app):
    user = make_user()
    client = api(user)
    with app.test_request_context():
        link = services.password_reset_token(user)
    services.reset_password(link, NEW_PASSWORD)
    assert not _works(client)


def test_the_set_password_command_revokes_bearer_tokens(api, runner):
    user = make_user()
    db.session.commit()
    client = api(user)
    result = runner.invoke(args=["set-password", user.email, "--password", NEW_PASSWORD])
    assert result.exit_code == 0, result.output
    assert not _works(client)


def test_deactivating_an_account_revokes_its_tokens_for_good(api):
    user = make_user()
    client = api(user)
    user.active = False
    db.session.commit()
    assert not _works(client)
    user.active = True  # reactivating does not bring the old tokens back
    db.session.commit()
    assert not _works(client)
    assert _reasons(user) == ["deactivated"]


def test_the_deactivate_user_command_ends_tokens_and_is_audited(api, runner):
    from marketplace.audit.models import AuditLog

    user = make_user()
    db.session.commit()
    client = api(user)
    result = runner.invoke(args=["deactivate-user", user.email, "--reason", "pensiun"])
    assert result.exit_code == 0, result.output
    assert not _works(client)
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "user.deactivate"))
    assert entry.target_id == str(user.id) and entry.reason == "pensiun"


def test_a_role_change_revokes_bearer_tokens(api):
    user = make_user("public")
    client = api(user)
    user.role = "finance"
    db.session.commit()
    assert not _works(client)
    assert _reasons(user) == ["role"]


def test_becoming_a_shopkeeper_revokes_the_public_accounts_tokens(api):
    user = make_user("public")
    client = api(user)
    assert client.post("/api/v1/vendor-applications", json=VENDOR_APPLICATION).status_code == 201
    assert not _works(client)


def test_editing_other_fields_keeps_the_tokens(api):
    user = make_user("public")
    client = api(user)
    user.name = "Nama Baru"
    user.locale = "en"
    user.session_version += 1  # a logout elsewhere ends cookie sessions, not API clients
    db.session.commit()
    assert _works(client)


# ---------------------------------------------------------------- expiry and last use
def test_a_token_expires_after_the_configured_days(app):
    app.config["API_TOKEN_MAX_AGE_DAYS"] = 7
    user = make_user()
    token = services.issue_token(user, "kasir")
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert timedelta(days=7) - timedelta(minutes=1) < row.expires_at - utcnow() <= timedelta(days=7)
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    resp = client.get("/api/v1/me", headers=headers)
    assert resp.status_code == 401 and resp.json["error"]["code"] == "not_authenticated"


def test_last_use_is_written_at_most_once_a_minute(api):
    user = make_user()
    client = api(user)
    assert _works(client)
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    first = row.last_used_at
    assert first is not None
    assert _works(client)
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).last_used_at == first  # within the minute: no write
    db.session.get(ApiToken, row.id).last_used_at = first - timedelta(minutes=2)
    db.session.commit()
    assert _works(client)
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).last_used_at > first - timedelta(minutes=2)


def test_the_token_answer_is_never_cached(app):
    make_user(email="simpan@test.peken.id")
    db.session.commit()
    resp = app.test_client().post(
        "/api/v1/auth/token",
        json={"email": "simpan@test.peken.id", "password": "peken-test-pass"},
    )
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"


# ---------------------------------------------------------------- the owner's list, API and page
def test_a_user_lists_only_their_own_tokens_without_the_secret(api):
    user, other = make_user(), make_user()
    client = api(user)
    api(other)
    services.issue_token(user, "kasir")
    resp = client.get("/api/v1/me/tokens")
    assert resp.status_code == 200
    assert sorted(t["name"] for t in resp.json) == ["kasir", "test"]
    first = resp.json[0]
    assert set(first) == {
        "id",
        "name",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
        "revoked_reason",
        "status",
    }
    assert first["expires_at"].endswith("+00:00") and first["status"] == "active"


def test_a_user_revokes_their_own_token_through_the_api(api):
    user = make_user()
    client, spare = api(user), api(user)
    token_ids = [t["id"] for t in client.get("/api/v1/me/tokens").json]
    spare_id = max(token_ids)  # the newest: `spare`'s
    resp = client.delete(f"/api/v1/me/tokens/{spare_id}")
    assert resp.status_code == 200 and resp.json["status"] == "revoked"
    assert resp.json["revoked_reason"] == "owner"
    assert not _works(spare) and _works(client)


def test_another_users_token_is_not_found_and_keeps_working(api):
    owner, intruder = make_user(), make_user()
    victim = api(owner)
    token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == owner.id))
    resp = api(intruder).delete(f"/api/v1/me/tokens/{token_id}")
    assert resp.status_code == 404 and resp.json["error"]["code"] == "not_found"
    assert _works(victim)
    assert all(t["id"] != token_id for t in api(intruder).get("/api/v1/me/tokens").json)


def test_the_tokens_page_shows_use_and_expiry_and_revokes(api, client, login):
    user = make_user()
    bearer = api(user)
    assert _works(bearer)
    login(client, user)
    account = client.get("/account").get_data(as_text=True)
    assert "/account/tokens" in account
    page = client.get("/account/tokens").get_data(as_text=True)
    for heading in ("Dibuat", "Terakhir dipakai", "Kedaluwarsa", "Cabut token ini?"):
        assert heading in page
    token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == user.id))
    resp = client.post(f"/account/tokens/{token_id}/revoke")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/account/tokens")
    assert not _works(bearer)


def test_another_users_tokens_page_never_lists_mine(api, client, login):
    owner = make_user()
    api(owner)
    services.issue_token(owner, "rahasia-pemilik")
    login(client, make_user())
    assert "rahasia-pemilik" not in client.get("/account/tokens").get_data(as_text=True)
