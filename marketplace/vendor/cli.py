"""Vendor commands for cron: `flask refresh-business-classes`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.vendor import services
from marketplace.vendor.models import Vendor


@click.command("refresh-business-classes")
@with_appcontext
def refresh_business_classes_command():
    """Recompute every shop's business class from rolling 12-month sales (PP 7/2021); changes
    are audited as vendor.class_changed. Safe to run repeatedly (e.g. nightly)."""
    ids = list(db.session.scalars(select(Vendor.id).order_by(Vendor.id)))
    with click.progressbar(length=len(ids), label="Kelas usaha") as bar:
        changed = services.refresh_business_classes(ids, progress=bar.update)
    click.echo(f"{len(ids)} shops checked, {changed} changed class.")


COMMANDS = [refresh_business_classes_command]
