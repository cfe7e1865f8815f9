"""Operator commands: import the ASN roster, create users, set a password."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from marketplace.accounts import rules, services
from marketplace.accounts.models import ROLES, User
from marketplace.errors import MarketplaceError
from marketplace.extensions import db


def _fail(err: MarketplaceError) -> None:
    click.echo(click.style(f"Error: {err.message}", fg="red"), err=True)
    for field, messages in err.details.items():
        click.echo(f"  {field}: {' '.join(str(m) for m in messages)}", err=True)
    raise SystemExit(1)


def _count_records(path: str) -> int:
    with open(path, "rb") as f:
        return max(sum(1 for _ in f) - 1, 0)


@click.command("import-civil-servants")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_civil_servants_command(file: str) -> None:
    """Import the ASN roster CSV (nip,name,email,opd_code,opd_name,position,kelurahan).

    Good rows are saved even when others fail; the exit status is 2 when any row failed."""
    total = _count_records(file)
    with (
        open(file, "rb") as stream,
        click.progressbar(length=total, label="Importing", file=sys.stderr) as bar,
    ):
        last = [1]

        def progress(row: int) -> None:
            bar.update(row - last[0])
            last[0] = row

        try:
            result = services.import_civil_servants(None, stream, progress=progress)
        except MarketplaceError as err:
            _fail(err)
    click.echo(
        f"Created: {result.created}  Updated: {result.updated}  Errors: {len(result.errors)}"
    )
    for error in result.errors:
        click.echo(f"  row {error['row']}: {error['message']}")
    if result.warnings:
        click.echo(f"Warnings: {len(result.warnings)} (rows imported)")
        for warning in result.warnings:
            click.echo(f"  row {warning['row']}: {warning['message']}")
    if result.errors:
        raise SystemExit(2)  # good rows are saved; a script can still see that some failed


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(ROLES), default="admin", show_default=True)
@click.password_option("--password", help="Prompted (hidden, twice) when not given.")
@with_appcontext
def create_user_command(email: str, name: str, role: str, password: str) -> None:
    """Create a user (e.g. the first admin or finance officer)."""
    try:
        user = services.create_user(email, name, role, password)
    except MarketplaceError as err:
        _fail(err)
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@click.command("set-password")
@click.argument("email")
@click.password_option("--password", help="Prompted (hidden, twice) when not given.")
@with_appcontext
def set_password_command(email: str, password: str) -> None:
    """Set a user's password (ends their sessions)."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        click.echo(click.style(f"Error: no user with email {email}", fg="red"), err=True)
        raise SystemExit(1)
    try:
        services.set_password(user, password)
    except MarketplaceError as err:
        _fail(err)
    click.echo(f"Password set for {user.email}.")


def _user_by_login(login: str) -> User:
    """The user with this email or (an ASN's) NIP; exits 1 when there is none."""
    nip = rules.login_nip(login)
    where = User.nip == nip if nip else User.email == login.strip().lower()
    user = db.session.scalar(select(User).where(where))
    if user is None:
        click.echo(click.style(f"Error: no user with email or NIP {login}", fg="red"), err=True)
        raise SystemExit(1)
    return user


@click.command("deactivate-user")
@click.argument("email")
@click.option("--reason", help="Why, for the audit log.")
@click.option(
    "--left-on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="An ASN's leaving day (YYYY-MM-DD, default today): counted that month, not after.",
)
@with_appcontext
def deactivate_user_command(email: str, reason: str | None, left_on) -> None:
    """Deactivate an account (EMAIL or an ASN's NIP): no sign-in, sessions end, API tokens
    revoked; an ASN leaves the roster (the mandate counts them up to that month)."""
    user = _user_by_login(email)
    services.deactivate_user(None, user, reason, left_on=left_on.date() if left_on else None)
    click.echo(f"Deactivated {user.email}; their sessions and API tokens no longer work.")


@click.command("reactivate-user")
@click.argument("login")
@click.option("--reason", help="Why, for the audit log.")
@click.option(
    "--joined-on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="An ASN's rejoining day (YYYY-MM-DD, default today): their first month again.",
)
@with_appcontext
def reactivate_user_command(login: str, reason: str | None, joined_on) -> None:
    """Reactivate an account (email or an ASN's NIP); its old API tokens stay revoked."""
    user = _user_by_login(login)
    services.reactivate_user(None, user, reason, joined_on=joined_on.date() if joined_on else None)
    click.echo(f"Reactivated {user.email}.")


COMMANDS = [
    import_civil_servants_command,
    create_user_command,
    set_password_command,
    deactivate_user_command,
    reactivate_user_command,
]
