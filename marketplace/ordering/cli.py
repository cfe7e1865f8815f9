"""Order jobs for cron: expire unpaid orders (stock back) and auto-complete ready orders."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("expire-orders")
@with_appcontext
def expire_orders_command():
    """Expire unpaid orders past ORDER_EXPIRY_MINUTES and release their stock."""
    from marketplace.ordering.lifecycle import expire_due_orders

    total = 0
    while True:
        n = expire_due_orders()
        total += n
        if n == 0:
            break
    click.echo(f"expired {total} order(s)")


@click.command("auto-complete-orders")
@with_appcontext
def auto_complete_orders_command():
    """Complete ready orders older than AUTO_COMPLETE_DAYS (as if the buyer confirmed)."""
    from marketplace.ordering.lifecycle import auto_complete_orders

    click.echo(f"completed {auto_complete_orders()} order(s)")


@click.command("run-order-jobs")
@click.pass_context
def run_order_jobs_command(ctx):
    """Both order jobs, for one cron line (e.g. every 5 minutes)."""
    ctx.invoke(expire_orders_command)
    ctx.invoke(auto_complete_orders_command)


COMMANDS = [expire_orders_command, auto_complete_orders_command, run_order_jobs_command]
