"""Vendor commands: `flask refresh-business-classes` (cron) and `flask import-products`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from marketplace.errors import MarketplaceError
from marketplace.extensions import db
from marketplace.shops import business_class, imports
from marketplace.shops.models import Vendor


@click.command("refresh-business-classes")
@with_appcontext
def refresh_business_classes_command():
    """Cross-check every shop's declared business class (PP 7/2021) against its platform sales
    of the last 12 months: never changes a class, raises a flag for the city where the sales
    exceed what the class allows. Safe to run repeatedly (e.g. nightly)."""
    ids = list(db.session.scalars(select(Vendor.id).order_by(Vendor.id)))
    with click.progressbar(length=len(ids), label="Kelas usaha") as bar:
        raised = business_class.refresh_business_classes(ids, progress=bar.update)
    click.echo(f"{len(ids)} shops checked, {raised} flags raised, no class changed.")


@click.command("import-products")
@click.option("--shop", "owner_email", required=True, help="Email of the shop owner.")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_products_command(owner_email: str, csv_file: str):
    """Create or update a shop's products from a CSV (same columns as the download template;
    matched by SKU, so re-running updates). Bad rows are listed with their row number."""
    from werkzeug.datastructures import FileStorage

    from marketplace.accounts.models import User

    owner = db.session.scalar(select(User).where(User.email == owner_email.strip().lower()))
    if owner is None or owner.role != "vendor" or owner.vendor is None:
        raise click.ClickException(f"{owner_email} is not a shop owner.")
    with open(csv_file, "rb") as f:
        rows = max(f.read().count(b"\n") - 1, 0)
    with open(csv_file, "rb") as f, click.progressbar(length=rows, label="Impor produk") as bar:
        upload = FileStorage(stream=f, filename=csv_file)
        try:
            result = imports.import_products(owner, upload, progress=bar.update)
        except MarketplaceError as err:
            raise click.ClickException(err.message) from None
    click.echo(
        f"created {result['created']}, updated {result['updated']}, errors {len(result['errors'])}"
    )
    for error in result["errors"]:
        click.echo(f"  row {error['row']}: {error['message']}", err=True)
    if result["errors"]:
        raise SystemExit(2)


@click.command("remind-reviews")
@with_appcontext
def remind_reviews_command():
    """Remind the admins (once a day) of shop applications, business-class declarations and
    flag claims pending REVIEW_REMINDER_WORKING_DAYS working days (holidays and cuti bersama
    of the SKB 3 Menteri do not count). Run daily."""
    from marketplace.shops.review_reminders import remind_overdue_reviews

    result = remind_overdue_reviews()
    click.echo(
        f"overdue: {result.applications} application(s), {result.declarations} declaration(s),"
        f" {result.flag_products} product(s) with flag claims; {result.sent} admin(s) reminded"
    )


COMMANDS = [refresh_business_classes_command, import_products_command, remind_reviews_command]
