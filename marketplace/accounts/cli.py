"""Operator commands: import the ASN roster, create users, set a password."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from marketplace.accounts import services
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


@click.command("deactivate-user")
@click.argument("email")
@click.option("--reason", help="Why, for the audit log.")
@with_appcontext
def deactivate_user_command(email: str, reason: str | None) -> None:
    """Deactivate an account: no sign-in, sessions end, API tokens revoked."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        click.echo(click.style(f"Error: no user with email {email}", fg="red"), err=True)
        raise SystemExit(1)
    services.deactivate_user(None, user, reason)
    click.echo(f"Deactivated {user.email}; their sessions and API tokens no longer work.")


COMMANDS = [
    import_civil_servants_command,
    create_user_command,
    set_password_command,
    deactivate_user_command,
]
