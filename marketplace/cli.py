"""Top-level commands that belong to no single area (`create_app` registers `COMMANDS`)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from marketplace.citygen import generate_city_command


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Load the demo data: the demo city's (Kota Surabaya) areas and OPDs, demo logins (password
    peken-demo-2026), shops and products. Safe to run again: existing rows are kept, nothing is duplicated."""
    from marketplace.demo import DEMO_PASSWORD
    from marketplace.demo import seed_demo as run

    result = run(echo=click.echo)
    if result.total:
        click.echo(
            f"Data demo dimuat ({result.total} baris baru). Kata sandi semua akun demo: "
            f"{DEMO_PASSWORD}"
        )
    else:
        click.echo("Data demo sudah lengkap; tidak ada yang diubah.")


COMMANDS = [seed_demo, generate_city_command]
