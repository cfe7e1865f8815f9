"""Operator commands: roster import, create-user, set-password."""

from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.extensions import db
from tests.accounts.conftest import good_row, roster
from tests.factories import make_user


def test_import_command_prints_a_summary_and_row_errors(runner, tmp_path):
    path = tmp_path / "asn.csv"
    path.write_bytes(roster(good_row(1), "123,Salah,s@x.id,DKP,Dinas,Staf,Gubeng", good_row(3)))
    result = runner.invoke(args=["import-civil-servants", str(path)])
    assert "Created: 2  Updated: 0  Errors: 1" in result.output
    assert "row 3:" in result.output and result.exit_code == 2
    assert db.session.scalar(select(User.id).where(User.nip == "198001012006041003")) is not None


def test_import_command_rejects_a_file_without_the_columns(runner, tmp_path):
    path = tmp_path / "asn.csv"
    path.write_bytes(b"nip,name\n1,2\n")
    result = runner.invoke(args=["import-civil-servants", str(path)])
    assert result.exit_code == 1 and "opd_code" in result.output


def test_create_user_command_makes_an_admin_with_a_working_password(runner):
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "Kepala@Dinkopdag.id",
            "--name",
            "Kepala",
            "--role",
            "admin",
        ],
        input="jaga pasar kota\njaga pasar kota\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "kepala@dinkopdag.id"))
    assert user.role == "admin" and user.check_password("jaga pasar kota")


def test_create_user_command_refuses_a_common_password(runner):
    result = runner.invoke(
        args=["create-user", "--email", "a@b.id", "--name", "A", "--password", "password"]
    )
    assert result.exit_code == 1 and "umum" in result.output
    assert db.session.scalar(select(User.id)) is None


def test_set_password_command_changes_the_password(runner):
    user = make_user(email="lupa@test.peken.id")
    db.session.commit()
    result = runner.invoke(
        args=["set-password", "lupa@test.peken.id", "--password", "kata sandi baruku"]
    )
    assert result.exit_code == 0, result.output
    db.session.refresh(user)
    assert user.check_password("kata sandi baruku")
