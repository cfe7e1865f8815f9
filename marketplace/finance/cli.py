"""Finance commands for cron: `flask reconcile-stripe --actor finance@… [--from D --to D]`."""

from __future__ import annotations

from datetime import date, timedelta

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from marketplace.accounts.duties import may_move_money
from marketplace.accounts.models import User
from marketplace.errors import MarketplaceError
from marketplace.extensions import db
from marketplace.finance import reconciliation
from marketplace.timeutil import today_local


@click.command("reconcile-stripe")
@click.option("--actor", required=True, help="Email of the finance user the run is recorded under.")
@click.option(
    "--from",
    "from_",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="First day on the city's clock (default: yesterday).",
)
@click.option(
    "--to",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Last day on the city's clock (default: --from).",
)
@with_appcontext
def reconcile_stripe_command(actor: str, from_, to):
    """Fetch Stripe balance transactions for the city's days [from, to], reconcile them with the ledger
    and post provider fees once; exits 1 when anything does not match, so cron can alert."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == actor.strip().lower()))
    if not may_move_money(user):  # an admin's email is refused too: separation of duties
        raise click.BadParameter("no finance user with that email", param_hint="--actor")
    first: date = from_.date() if from_ else today_local() - timedelta(days=1)
    last: date = to.date() if to else first
    if last < first:
        raise click.BadParameter("must not be before --from", param_hint="--to")
    try:
        rec = reconciliation.reconcile_stripe(user, first, last)
    except MarketplaceError as err:
        raise click.ClickException(err.message) from None
    click.echo(
        f"Reconciliation #{rec.id} {first}..{last}: {rec.rows} rows, {rec.matched_count} matched, "
        f"{rec.missing_in_ledger_count} missing in ledger, {rec.missing_at_provider_count} missing at "
        f"Stripe, {rec.amount_mismatches_count} amount mismatches, {rec.fees_posted} fees posted."
    )
    if not rec.clean:
        raise SystemExit(1)


COMMANDS = [reconcile_stripe_command]
