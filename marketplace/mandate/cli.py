"""`flask send-mandate-reminders`: the cron job that reminds civil servants near the period end."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import with_appcontext

from marketplace.city import rupiah
from marketplace.mandate import services
from marketplace.timeutil import is_period, local_zone


def _local_noon(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD, e.g. 2026-05-28") from None
    return day.replace(hour=12, tzinfo=local_zone())


@click.command("send-mandate-reminders")
@click.option("--period", help="YYYY-MM (local); default: the month of today.")
@click.option(
    "--days",
    type=click.IntRange(min=0),
    default=None,
    help="Remind when the period ends within N days (default MANDATE_REMINDER_DAYS).",
)
@click.option(
    "--today",
    "--force-date",
    "today",
    metavar="YYYY-MM-DD",
    help="Act as if today were this local date (for testing and catch-up runs).",
)
@with_appcontext
def send_mandate_reminders(period: str | None, days: int | None, today: str | None) -> None:
    """Remind each civil servant not yet compliant, once per period, near the period's end."""
    if period is not None and not is_period(period):
        raise click.BadParameter("use YYYY-MM, e.g. 2026-05", param_hint="--period")
    plan = services.plan_mandate_reminders(period, days=days, at=_local_noon(today))
    if not plan.in_window:
        click.echo(
            f"Periode {plan.period}: {plan.days_left} hari tersisa, di luar jendela "
            f"pengingat ({plan.window_days} hari terakhir). Tidak ada yang dikirim."
        )
        return
    with click.progressbar(
        plan.recipients, label=f"Mengirim pengingat {plan.period}", show_pos=True
    ) as bar:
        sent = services.deliver_mandate_reminders(plan, bar)
    shortfall = sum(r["remaining"] for r in plan.recipients)
    click.echo(
        f"Periode {plan.period} ({plan.days_left} hari tersisa): {sent} pengingat terkirim; "
        f"{plan.already_reminded} sudah diingatkan sebelumnya; {plan.compliant} dari "
        f"{plan.civil_servants} ASN sudah memenuhi; kekurangan yang diingatkan "
        f"{rupiah(shortfall)}."
    )


@click.command("send-mandate-month-end")
@click.option("--period", required=True, help="A closed month, YYYY-MM.")
@with_appcontext
def send_mandate_month_end(period: str) -> None:
    """Send a closed month's lists to office heads and readers (BKPSDM, Inspektorat). Closing a
    month sends them at once; this catches up (each is sent once, a rerun sends what is
    missing)."""
    from marketplace.errors import MarketplaceError
    from marketplace.mandate import month_end

    if not is_period(period):
        raise click.BadParameter("use YYYY-MM, e.g. 2026-05", param_hint="--period")
    try:
        result = month_end.send_month_end(period)
    except MarketplaceError as err:
        click.echo(click.style(f"Error: {err.message}", fg="red"), err=True)
        raise SystemExit(1) from None
    click.echo(
        f"Periode {period}: {result['heads']} kepala OPD dan {result['readers']} pembaca rekap "
        "diberi tahu."
    )
    if result["opds_without_head"]:
        click.echo(
            "OPD tanpa kepala (tetapkan peran `head` di halaman peran kantor): "
            + ", ".join(result["opds_without_head"])
        )


@click.command("roster-complete")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--scope", required=True, help="`city` or an OPD code: whom the file lists fully.")
@click.option("--yes", is_flag=True, help="Deactivate the absent ASN without asking.")
@click.option(
    "--left-on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The leavers' leaving day (YYYY-MM-DD, default today).",
)
@with_appcontext
def roster_complete(file: str, scope: str, yes: bool, left_on) -> None:
    """Import a complete roster for SCOPE, list the active ASN it does not name and, once
    confirmed, deactivate them (audited)."""
    from marketplace.errors import MarketplaceError
    from marketplace.mandate import roster_sync

    with open(file, "rb") as f:
        data = f.read()
    try:
        completion = roster_sync.complete_import(None, data, scope)
    except MarketplaceError as err:
        click.echo(click.style(f"Error: {err.message}", fg="red"), err=True)
        for name, messages in err.details.items():
            click.echo(f"  {name}: {' '.join(str(m) for m in messages)}", err=True)
        raise SystemExit(1) from None
    imported = completion.imported
    click.echo(
        f"Created: {imported.created}  Updated: {imported.updated}  Errors: {len(imported.errors)}"
    )
    for error in imported.errors:
        click.echo(f"  row {error['row']}: {error['message']}")
    click.echo(f"{completion.scope_name}: {len(completion.absent)} ASN aktif tidak ada di berkas.")
    for p in completion.absent:
        click.echo(f"  {p['nip']}  {p['name']}  ({p['opd'] or '-'}, {p['position'] or '-'})")
    if not completion.absent:
        return
    if not yes and not click.confirm("Nonaktifkan mereka?", default=False):
        click.echo("Tidak ada yang dinonaktifkan.")
        return
    count = roster_sync.deactivate_leavers(
        None,
        [p["user_id"] for p in completion.absent],
        completion.scope,
        left_on=left_on.date() if left_on else None,
    )
    click.echo(f"{count} ASN dinonaktifkan.")


COMMANDS = [send_mandate_reminders, send_mandate_month_end, roster_complete]
