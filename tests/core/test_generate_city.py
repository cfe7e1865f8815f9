"""`flask generate-city` (issue 14, item 1): a valid city built in bulk, deterministic for a
seed, refusing a database that already has orders."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import Opd, User
from marketplace.accounts.rules import is_valid_nip
from marketplace.areas.models import Area
from marketplace.areas.services import import_areas
from marketplace.catalog.models import Product
from marketplace.citygen import CityNotEmpty, Sizes, check_invariants, generate_city
from marketplace.extensions import db
from marketplace.ledger.models import JournalEntry, LedgerLine, SpendingRecord
from marketplace.ordering.models import Order, OrderEvent, OrderLine
from marketplace.payments.models import Payment
from marketplace.shops.models import StockMovement, Vendor
from tests.conftest import _clean

TINY = {
    "civil_servants": 30,
    "offices": 3,
    "shops": 10,
    "products": 50,
    "order_lines": 300,
    "months": 12,
}


@pytest.fixture
def city(app):
    import_areas(None, city="35.78")
    return app


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def names() -> tuple[list[str], list[str], list[str]]:
    return (
        list(db.session.scalars(select(User.name).order_by(User.id))),
        list(db.session.scalars(select(Vendor.name).order_by(Vendor.id))),
        list(db.session.scalars(select(Product.name).order_by(Product.id))),
    )


def test_counts_match_the_options_and_the_data_is_valid(city):
    summary = generate_city(Sizes(seed=7, **TINY), echo=lambda _m: None)

    assert count(User, User.role == "civil_servant") == 30
    assert count(Opd) == 3
    assert count(Vendor, Vendor.status == "verified") == 10
    assert count(Product) == 50
    assert count(OrderLine) == 300
    assert summary.counts["order_lines"] == 300
    # every ASN has a valid NIP and an office; every shop an owner and a loaded kelurahan
    nips = list(db.session.scalars(select(User.nip).where(User.role == "civil_servant")))
    assert all(is_valid_nip(n) for n in nips) and len(set(nips)) == 30
    assert count(User, User.role == "civil_servant", User.opd_id.is_(None)) == 0
    assert count(Vendor, Vendor.area_code.not_in(select(Area.code))) == 0
    assert len(set(db.session.scalars(select(Vendor.area_code)))) == 10  # spread over areas
    # each order paid once, its lines in spending records with both channels
    orders = count(Order)
    assert count(Payment, Payment.status == "succeeded") == orders
    assert count(SpendingRecord) == 300
    assert db.session.scalar(select(func.sum(SpendingRecord.amount))) == db.session.scalar(
        select(func.sum(Order.total))
    )
    assert set(db.session.scalars(select(SpendingRecord.channel).distinct())) == {
        "asn_personal",
        "public",
    }
    # the orders are spread over the year asked for
    periods = set(db.session.scalars(select(SpendingRecord.period).distinct()))
    assert 12 <= len(periods) <= 13
    for order in db.session.scalars(select(Order)):
        assert order.total == sum(line.line_total for line in order.lines)
    # the status timeline: created, paid, and for completed orders accepted, ready, completed
    completed = count(Order, Order.status == "completed")
    assert count(OrderEvent) == 2 * orders + 3 * completed
    assert count(OrderEvent, OrderEvent.to_status == "paid") == orders
    # one payment journal per order, one completion journal per completed order
    assert count(JournalEntry, JournalEntry.kind == "payment") == orders
    assert count(JournalEntry, JournalEntry.kind == "completion") == count(
        Order, Order.status == "completed"
    )
    assert db.session.scalar(select(func.sum(LedgerLine.amount))) == 0
    # stock history: one initial movement per product plus one sale per line
    assert count(StockMovement) == 50 + 300
    assert check_invariants() == {
        "ledger_total": 0,
        "unbalanced_journals": 0,
        "products_stock_off": 0,
        "products_last_movement_off": 0,
    }


def test_the_invariant_check_catches_a_broken_stock_history(city):
    generate_city(Sizes(seed=3, **TINY), echo=lambda _m: None)
    product = db.session.scalars(select(Product)).first()
    product.stock += 1
    db.session.commit()
    with pytest.raises(Exception, match="products_stock_off"):
        check_invariants()


def test_the_same_seed_gives_the_same_names(city, _app):
    generate_city(Sizes(seed=42, **TINY), echo=lambda _m: None)
    first = names()
    generate_city(Sizes(seed=43, **TINY), force=True, echo=lambda _m: None)
    other_seed = names()
    assert other_seed[0][: len(first[0])] == first[0]  # --force only added rows
    assert other_seed[1][10:] != first[1]
    db.session.remove()
    _clean(_app)
    import_areas(None, city="35.78")
    generate_city(Sizes(seed=42, **TINY), echo=lambda _m: None)
    assert names() == first


def test_a_database_with_orders_is_refused_without_force(city):
    generate_city(Sizes(seed=1, **TINY), echo=lambda _m: None)
    with pytest.raises(CityNotEmpty):
        generate_city(Sizes(seed=2, **TINY), echo=lambda _m: None)
    assert count(OrderLine) == 300


def test_the_cli_builds_a_city_and_refuses_to_run_twice(city):
    runner = city.test_cli_runner()
    args = ["generate-city", "--civil-servants", "30", "--offices", "3", "--shops", "10"]
    args += ["--products", "50", "--order-lines", "300", "--seed", "5"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "order_lines: 300" in result.output
    assert "Invarian" in result.output
    assert count(OrderLine) == 300

    again = runner.invoke(args=args)
    assert again.exit_code == 1
    assert "--force" in again.output
    assert count(OrderLine) == 300

    forced = runner.invoke(args=[*args, "--force"])
    assert forced.exit_code == 0, forced.output
    assert count(OrderLine) == 600


def test_the_cli_without_areas_says_what_to_do(app):
    result = app.test_cli_runner().invoke(args=["generate-city", "--order-lines", "10"])
    assert result.exit_code == 1
    assert "import-areas" in result.output


def test_rows_added_afterwards_get_fresh_ids(city):
    """The ids given by the generator are not handed out again (PostgreSQL's sequences)."""
    generate_city(Sizes(seed=9, **TINY), echo=lambda _m: None)
    office = Opd(code="BARU", name="Dinas Baru")
    db.session.add(office)
    db.session.commit()
    assert office.id == 4
