"""Account services against the database: sign-in, tokens, sign-up, password reset and the roster
import."""

import io

import pytest
from sqlalchemy import select

from marketplace.accounts import services
from marketplace.accounts.models import ApiToken, Opd, User
from marketplace.audit.models import AuditLog
from marketplace.errors import (
    BadRequest,
    Conflict,
    InvalidCredentials,
    NotFound,
    ValidationFailed,
)
from marketplace.extensions import db
from tests.accounts.conftest import good_row
from tests.factories import make_civil_servant, make_user


# ---------------------------------------------------------------- sign-in and tokens
def test_authenticate_accepts_the_right_password_whatever_the_email_case(app):
    user = make_user(email="warga@test.peken.id")
    assert services.authenticate("  WARGA@test.peken.id ", "peken-test-pass") == user


@pytest.mark.parametrize(
    "email, password",
    [("warga@test.peken.id", "wrong-password"), ("nobody@test.peken.id", "peken-test-pass")],
)
def test_authenticate_rejects_wrong_password_and_unknown_email_alike(app, email, password):
    make_user(email="warga@test.peken.id")
    with pytest.raises(InvalidCredentials) as err:
        services.authenticate(email, password)
    assert err.value.code == "invalid_credentials"


def test_inactive_user_cannot_sign_in(app):
    make_user(email="gone@test.peken.id", active=False)
    assert services.check_credentials("gone@test.peken.id", "peken-test-pass") is None


def test_issued_token_is_stored_only_as_its_hash(app):
    user = make_user()
    token = services.issue_token(user, "kasir")
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert row.token_hash == ApiToken.hash(token) and token not in row.token_hash
    assert row.name == "kasir"


def test_revoking_another_users_token_answers_not_found(app):
    owner, other = make_user(), make_user()
    services.issue_token(owner)
    token_row = services.list_tokens(owner)[0]
    with pytest.raises(NotFound):
        services.revoke_token(other, token_row.id)
    assert token_row.revoked_at is None


def test_revoking_the_current_token_needs_a_bearer_token(app):
    with pytest.raises(BadRequest):
        services.revoke_current_token(make_user(), None)


def test_ending_sessions_bumps_the_session_version(app):
    user = make_user()
    before = user.session_version
    services.end_sessions(user)
    assert user.session_version == before + 1


# ---------------------------------------------------------------- sign-up and passwords
def test_registered_user_is_public_with_a_lowercase_email_and_a_slow_hash(app):
    user = services.register_user("Siti@Mail.ID", "pasar pagi ramai", "Siti")
    assert (user.role, user.email) == ("public", "siti@mail.id")
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password("pasar pagi ramai")


def test_registering_a_taken_email_in_another_case_conflicts(app):
    make_user(email="siti@mail.id")
    with pytest.raises(Conflict) as err:
        services.register_user("SITI@mail.id", "pasar pagi ramai", "Siti")
    assert err.value.code == "email_taken"


def test_registering_with_a_common_password_is_rejected_and_creates_nothing(app):
    with pytest.raises(ValidationFailed) as err:
        services.register_user("siti@mail.id", "password123", "Siti")
    assert "password" in err.value.details
    assert db.session.scalar(select(User).where(User.email == "siti@mail.id")) is None


def test_change_password_needs_the_current_one_and_ends_other_sessions(app):
    user = make_user()
    with pytest.raises(ValidationFailed):
        services.change_password(user, "not-it", "pasar pagi ramai")
    version = user.session_version
    services.change_password(user, "peken-test-pass", "pasar pagi ramai")
    assert user.check_password("pasar pagi ramai") and user.session_version == version + 1


def test_password_reset_link_sets_a_password_and_works_only_once(app):
    app.config["SERVER_NAME"] = "localhost"
    user = make_user()
    user.set_unusable_password()
    db.session.commit()
    with app.test_request_context():
        token = services.password_reset_token(user)
        services.reset_password(token, "kata sandi pertamaku")
        assert user.check_password("kata sandi pertamaku")
        with pytest.raises(NotFound):
            services.reset_password(token, "kata sandi keduaku")


def test_tampered_password_reset_link_is_rejected(app):
    user = make_user()
    token = services.password_reset_token(user)
    with pytest.raises(NotFound):
        services.user_for_reset_token(token[:-2] + "xx")


def test_password_reset_for_an_unknown_email_reveals_nothing_and_sends_nothing(app):
    with app.test_request_context():
        assert services.request_password_reset("nobody@x.id") is False


# ---------------------------------------------------------------- roster import
def test_import_creates_civil_servants_with_their_opd_and_no_usable_password(app, roster_file):
    result = services.import_civil_servants(None, roster_file(good_row(1), good_row(2)))
    assert (result.created, result.updated, result.errors) == (2, 0, [])
    user = db.session.scalar(select(User).where(User.email == "asn1@surabaya.go.id"))
    assert user.role == "civil_servant" and user.nip == "198001012006041001"
    assert user.opd.code == "DKP" and user.kelurahan == "Gubeng" and user.position == "Staf"
    assert not user.has_usable_password
    assert services.check_credentials("asn1@surabaya.go.id", "") is None


def test_reimport_updates_by_nip_and_renames_the_opd(app, roster_file):
    services.import_civil_servants(None, roster_file(good_row(1)))
    result = services.import_civil_servants(
        None,
        roster_file(
            good_row(
                1,
                position="Camat",
                opd_name='"Dinas Koperasi, UKM dan Perdagangan"',
                email="asn1.baru@surabaya.go.id",
            )
        ),
    )
    assert (result.created, result.updated) == (0, 1)
    user = db.session.scalar(select(User).where(User.nip == "198001012006041001"))
    assert user.position == "Camat" and user.email == "asn1.baru@surabaya.go.id"
    assert (
        db.session.scalar(select(Opd.name).where(Opd.code == "DKP"))
        == "Dinas Koperasi, UKM dan Perdagangan"
    )


def test_bad_rows_are_reported_by_file_row_number_and_good_rows_still_saved(app, roster_file):
    make_user(email="taken@surabaya.go.id")
    result = services.import_civil_servants(
        None,
        roster_file(
            good_row(1),  # row 2
            "12345,Pendek,p@surabaya.go.id,DKP,Dinas,Staf,Gubeng",  # row 3: bad NIP
            good_row(3, email="not-an-email"),  # row 4
            good_row(1, email="other@surabaya.go.id"),  # row 5: NIP again
            good_row(5).replace("ASN Nomor 5", ""),  # row 6: no name
            good_row(6, email="taken@surabaya.go.id"),  # row 7: email of another account
            good_row(7),  # row 8
        ),
    )
    assert (result.created, result.updated) == (2, 0)
    assert [e["row"] for e in result.errors] == [3, 4, 5, 6, 7]
    assert "NIP" in result.errors[0]["message"] and "baris 2" in result.errors[2]["message"]
    assert db.session.scalar(select(User.id).where(User.nip == "198001012006041007")) is not None


def test_semicolon_separated_excel_export_with_bom_is_read(app):
    data = (
        "\ufeffnip;name;email;opd_code;opd_name;position;kelurahan\n"
        "198001012006041001;Budi;budi@surabaya.go.id;DKP;Dinas;Staf;Gubeng\n"
    )
    result = services.import_civil_servants(None, io.BytesIO(data.encode("utf-8")))
    assert result.created == 1 and result.errors == []


@pytest.mark.parametrize(
    "content, fragment",
    [
        (b"", "kosong"),
        (b"nip,name,email\n198001012006041001,Budi,budi@x.id\n", "opd_code"),
        (
            "nip,name,email,opd_code,opd_name,position,kelurahan\n198001012006041001,B\xe9di,"
            "b@x.id,DKP,D,S,G\n".encode("latin-1"),
            "UTF-8",
        ),
    ],
)
def test_unreadable_files_are_rejected_whole_and_change_nothing(app, content, fragment):
    with pytest.raises(ValidationFailed) as err:
        services.import_civil_servants(None, io.BytesIO(content))
    assert fragment in err.value.message
    assert db.session.scalar(select(User.id)) is None


def test_import_is_recorded_in_the_audit_log(app, roster_file):
    admin = make_user("admin")
    services.import_civil_servants(admin, roster_file(good_row(1), "bad"))
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "civil_servants.import"))
    assert entry.actor_id == admin.id and entry.after == {"created": 1, "updated": 0, "errors": 1}


def test_import_never_turns_another_role_into_a_civil_servant(app, roster_file):
    vendor_owner = make_user("vendor", nip="198001012006041001")
    result = services.import_civil_servants(None, roster_file(good_row(1)))
    assert result.errors and result.errors[0]["row"] == 2
    assert vendor_owner.role == "vendor"


def test_a_row_that_races_with_another_change_fails_alone(app, roster_file, monkeypatch):
    make_civil_servant(nip="198001012006041002", email="asn2@surabaya.go.id")
    real_prefetch, calls = services._prefetch, []

    def stale_prefetch(rows, state):
        # The first (batch) look-up misses the existing account, as if it was created meanwhile.
        found = real_prefetch(rows, state)
        calls.append(len(rows))
        return ({}, {}) if len(calls) == 1 else found

    monkeypatch.setattr(services, "_prefetch", stale_prefetch)
    result = services.import_civil_servants(
        None, roster_file(good_row(1), good_row(2), good_row(3))
    )
    assert (result.created, result.updated, result.errors) == (2, 1, [])
    assert calls == [3, 1, 1, 1]
    assert db.session.scalar(select(User.id).where(User.nip == "198001012006041003")) is not None
