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


COMMANDS = [send_mandate_reminders]
