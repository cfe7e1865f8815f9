"""`flask payouts-run`: the same payout run finance starts from the page, for a scheduler."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from marketplace.payouts import rules


@click.command("payouts-run")
@click.option("--adapter", type=click.Choice(rules.ADAPTERS), default="manual", show_default=True)
@click.option(
    "--as-of",
    "as_of",
    default=None,
    help="ISO date/datetime (local): only money available before it.",
)
@click.option("--actor-email", default=None, help="The finance user recorded in the audit log.")
@with_appcontext
def payouts_run(adapter: str, as_of: str | None, actor_email: str | None) -> None:
    """Create one payout per vendor with a positive available balance (net of debt)."""
    from marketplace.accounts.duties import may_move_money
    from marketplace.accounts.models import User
    from marketplace.extensions import db
    from marketplace.money import format_rupiah
    from marketplace.payouts.services import run_payouts

    actor = None
    if actor_email:
        actor = db.session.query(User).filter_by(email=actor_email.strip().lower()).one_or_none()
        if not may_move_money(actor):  # an admin's email is refused too: separation of duties
            raise click.BadParameter("no finance user with that email", param_hint="--actor-email")
    try:
        cutoff = rules.parse_as_of(as_of) if as_of else None
    except ValueError:
        raise click.BadParameter("not an ISO date or datetime", param_hint="--as-of") from None
    run = run_payouts(actor, as_of=cutoff, adapter=adapter)
    click.echo(f"run {run.id}: {len(run.payouts)} payouts, total {format_rupiah(run.total)}")
    for flag in run.flagged:
        click.echo(
            f"  skipped vendor {flag['vendor_id']} ({flag['vendor_name']}): {flag['reason']}"
        )


COMMANDS = (payouts_run,)
