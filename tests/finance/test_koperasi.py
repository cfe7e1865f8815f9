"""Koperasi count with small businesses (Perpres 12/2021 art. 65: the 40% is for "usaha mikro,
usaha kecil dan koperasi"), whatever their business class; the kind is frozen on the spending
record, so a closed month never moves.

Worked example (DINKOP's own purchasing in 2025, goods-and-services budget Rp10.000.000):
  Rp1.000.000 at a micro toko kelontong          → UMK
  Rp2.000.000 at a koperasi of the medium class  → UMK (a koperasi, whatever its class)
  Rp3.000.000 at a medium UMKM                   → not UMK
UMK = Rp3.000.000 of Rp6.000.000 spent: 30% of the budget, short of the 40% floor. Without the
koperasi rule it would have been Rp1.000.000 (10%).
"""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from marketplace.extensions import db
from marketplace.finance import closing, rules, services
from marketplace.ledger.models import SpendingRecord
from marketplace.ordering.refunds import refund_order
from marketplace.shops.models import Vendor
from marketplace.timeutil import current_period, period_bounds, previous_period
from tests.factories import make_opd, make_paid_order, make_product, make_user, make_vendor
from tests.finance.helpers import record_spending

YEAR = 2025


def test_a_koperasi_counts_as_umk_whatever_its_class():
    assert rules.is_umk("medium", "koperasi") and rules.is_umk("large", "koperasi")
    assert rules.is_umk("micro", "kelontong")
    assert not rules.is_umk("medium", "umkm") and not rules.is_umk("medium")
    assert rules.classify(2_000_000, "medium", False, False, "koperasi")["umk"] == 2_000_000
    assert rules.UMK_LABEL == "Usaha Mikro, Kecil dan Koperasi"


@pytest.fixture
def dinkop_year(app):
    dinkop = make_opd("DINKOP")
    warung = make_vendor(type="kelontong", umk_class="micro", name="Warung Bu Sri")
    koperasi = make_vendor(
        type="koperasi",
        umk_class="medium",
        name="Koperasi Konsumen Sejahtera",
        legal_entity_number="AHU-0001234.AH.01.26.TAHUN 2021",
    )
    pabrik = make_vendor(type="umkm", umk_class="medium", name="Kerupuk Jaya")
    when = datetime(YEAR, 3, 10, 3, tzinfo=UTC)
    for amount, vendor in ((1_000_000, warung), (2_000_000, koperasi), (3_000_000, pabrik)):
        record_spending(amount, at=when, vendor=vendor, opd=dinkop, umk_class=vendor.umk_class)
    services.set_budgets(make_user("finance"), YEAR, {"DINKOP": 10_000_000})
    return dinkop


def test_the_worked_example_counts_the_koperasi_toward_umk(dinkop_year):
    report = services.spending_report(YEAR, "opd")
    assert report["realised"]["umk"] == 3_000_000
    assert report["realised"]["total"] == 6_000_000
    row = next(r for r in report["rows"] if r["opd_code"] == "DINKOP")
    assert row["umk"] == 3_000_000
    assert row["umk_budget_share_bps"] == 3000
    assert row["meets_umk_floor"] is False


def test_koperasi_have_their_own_umk_row_in_the_per_class_report(dinkop_year):
    rows = services.spending_report(YEAR, "vendor_class")["rows"]
    assert [(r["umk_class"], r["is_umk"], r["umk"], r["total"]) for r in rows] == [
        ("micro", True, 1_000_000, 1_000_000),
        ("koperasi", True, 2_000_000, 2_000_000),
        ("medium", False, 0, 3_000_000),
    ]


def test_a_sale_and_its_refund_freeze_the_koperasi_on_the_spending_record(app):
    koperasi = make_vendor(
        type="koperasi", umk_class="medium", legal_entity_number="12345/BH/XVI/1999"
    )
    product = make_product(koperasi, price=50_000, stock=5)
    order = make_paid_order(items=[(product, 2)])
    refund_order(make_user("finance"), order.id, 50_000, "salah kirim")
    kinds = db.session.scalars(
        select(SpendingRecord.vendor_type).where(SpendingRecord.order_id == order.id)
    ).all()
    assert kinds == ["koperasi", "koperasi"]


def test_a_closed_month_keeps_its_umk_figure_when_a_shop_changes_kind_later(app):
    last = previous_period(current_period())
    start, _ = period_bounds(last)
    koperasi = make_vendor(type="koperasi", umk_class="medium", legal_entity_number="1/BH/2/2020")
    record_spending(
        2_000_000, at=start + timedelta(days=9), vendor=koperasi, umk_class="medium", opd=make_opd()
    )
    closed = closing.close_period(make_user("finance"), last)
    assert closed.snapshot["by_channel"]["opd_procurement"]["umk"] == 2_000_000
    # The city later re-registers the shop as an ordinary UMKM: the sale keeps what it was.
    db.session.execute(update(Vendor).where(Vendor.id == koperasi.id).values(type="umkm"))
    db.session.commit()
    assert closing.closed_view(closed)["intact"] is True
    row = next(r for r in closed.snapshot["rows"] if r["opd_code"])
    assert (row["umk_class"], row["umk"]) == ("medium", 2_000_000)


def test_the_dashboard_names_the_figure_usaha_mikro_kecil_dan_koperasi(client, login, app):
    login(client, make_user("finance"))
    page = client.get("/finance").get_data(as_text=True)
    assert "Usaha Mikro, Kecil dan Koperasi" in page


def test_the_register_says_which_sales_count_as_umk_and_why(api):
    koperasi = make_vendor(
        type="koperasi", umk_class="medium", legal_entity_number="12345/BH/XVI/1999"
    )
    pabrik = make_vendor(type="umkm", umk_class="medium")
    when = datetime(YEAR, 3, 10, 3, tzinfo=UTC)
    record_spending(2_000_000, at=when, vendor=koperasi, umk_class="medium")
    record_spending(3_000_000, at=when, vendor=pabrik, umk_class="medium")
    db.session.commit()
    resp = api(make_user("finance")).get(f"/api/v1/finance/register?year={YEAR}")
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    got = {(r["shop_type"], r["umk_class"], r["counts_as_umk"], r["amount"]) for r in rows}
    assert got == {
        ("koperasi", "medium", "True", "2000000"),
        ("umkm", "medium", "False", "3000000"),
    }
