"""Vendor services against the database: stock adjustments, the movement history, business
class and the sales report."""

from __future__ import annotations

import io
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from werkzeug.datastructures import FileStorage

from marketplace.audit.models import AuditLog
from marketplace.catalog.models import Product
from marketplace.errors import NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.ledger.models import SpendingRecord
from marketplace.shops import business_class, imports, products, profile, reports
from marketplace.shops.errors import InsufficientStock
from marketplace.shops.models import BusinessClassFlag, StockMovement
from marketplace.timeutil import WIB, naive_utc, now_utc, period_of, year_of
from tests.factories import make_paid_order, make_product, make_user, token_for


def movements_of(product):
    return db.session.scalars(
        select(StockMovement)
        .where(StockMovement.product_id == product.id)
        .order_by(StockMovement.id)
    ).all()


def stock_in_db(product) -> int:
    return db.session.scalar(select(Product.stock).where(Product.id == product.id))


def test_a_correction_below_zero_is_refused_and_changes_nothing(owner, product):
    before = len(movements_of(product))
    with pytest.raises(InsufficientStock) as err:
        products.adjust_stock(owner, product.id, -11, "hilang")
    assert err.value.status == 409
    assert err.value.details["stock"] == 10
    assert stock_in_db(product) == 10
    assert len(movements_of(product)) == before


def test_a_restock_records_who_why_and_the_stock_after(owner, product):
    result = products.adjust_stock(owner, product.id, 5, "Barang masuk dari agen")
    assert result.stock == 15 and stock_in_db(product) == 15
    movement = result.movement
    assert (movement.delta, movement.stock_after, movement.kind) == (5, 15, "restock")
    assert movement.actor_id == owner.id and movement.note == "Barang masuk dari agen"


def test_a_decrease_without_kind_is_a_correction(owner, product):
    assert products.adjust_stock(owner, product.id, -3, "rusak").movement.kind == "correction"


def test_the_decision_uses_the_stock_in_the_database_not_a_stale_copy(owner, product):
    """A checkout took stock after the product was loaded: the conditional UPDATE still refuses."""
    assert product.stock == 10
    db.session.execute(text("UPDATE products SET stock = 2 WHERE id = :id"), {"id": product.id})
    assert product.stock == 10  # the object in the session is stale
    with pytest.raises(InsufficientStock):
        products.adjust_stock(owner, product.id, -5, "salah hitung")
    assert stock_in_db(product) == 2


def test_movement_history_adds_up_to_the_current_stock(owner, shop):
    created = products.create_product(
        owner,
        {
            "name": "Minyak Goreng 1L",
            "category": "sembako",
            "unit": "liter",
            "price": 18_000,
            "stock": 12,
            "sku": "MYK-1",
        },
    )
    products.adjust_stock(owner, created.id, 8, "restok")
    products.adjust_stock(owner, created.id, -4, "bocor", "correction")
    csv_text = "sku,name,category,unit,price,stock\nMYK-1,Minyak Goreng 1L,sembako,liter,18000,30\n"
    imports.import_products(owner, FileStorage(io.BytesIO(csv_text.encode()), filename="p.csv"))
    products.adjust_stock(owner, created.id, -1, "sampel")
    moves = movements_of(created)
    assert [m.kind for m in moves] == ["initial", "restock", "correction", "import", "correction"]
    assert sum(m.delta for m in moves) == stock_in_db(created) == 29
    assert moves[-1].stock_after == 29
    assert moves[3].delta == 14  # import moved 16 → 30


def test_another_shops_product_cannot_be_adjusted(owner, other_shop):
    foreign = make_product(other_shop, stock=4)
    with pytest.raises(NotFound):
        products.adjust_stock(owner, foreign.id, 1, "iseng")
    assert stock_in_db(foreign) == 4


def test_a_vendor_user_without_a_shop_gets_not_found(app):
    with pytest.raises(NotFound):
        profile.get_shop(make_user("vendor"))


def test_a_pending_shop_may_create_products_that_are_not_listed(app):
    from tests.factories import make_category, make_vendor

    make_category()
    vendor = make_vendor(status="pending")
    created = products.create_product(
        vendor.owner,
        {
            "name": "Keripik Tempe",
            "category": "sembako",
            "unit": "pak",
            "price": 15_000,
            "stock": 3,
        },
    )
    assert created.id and created.stock == 3 and not created.is_listed


def test_an_unknown_category_is_a_validation_error(owner, shop):
    with pytest.raises(ValidationFailed) as err:
        products.create_product(
            owner, {"name": "X Y", "category": "nope", "unit": "kg", "price": 1}
        )
    assert "category" in err.value.details


@pytest.mark.postgres_only
def test_concurrent_corrections_never_take_stock_below_zero(app, client, owner, product):
    """Ten requests each take two of the ten units at the same moment: exactly five win."""
    token = token_for(owner)
    product_id = product.id
    db.session.commit()
    barrier = threading.Barrier(10)
    codes: list[int] = []

    def worker():
        c = app.test_client()
        barrier.wait()
        resp = c.post(
            f"/api/v1/vendor/products/{product_id}/stock-adjustments",
            json={"delta": -2, "reason": "diambil"},
            headers={"Authorization": f"Bearer {token}"},
        )
        codes.append(resp.status_code)

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.session.expire_all()
    assert sorted(codes) == [201] * 5 + [409] * 5
    assert stock_in_db(product) == 0
    assert sum(m.delta for m in movements_of(product)) == 0


# ---------------------------------------------------------------- business class and sales
def add_sale(order, amount: int, when: datetime) -> None:
    """A spending record of `amount` at `when` against a real paid order of the shop."""
    when = naive_utc(when)
    line = order.lines[0]
    db.session.add(
        SpendingRecord(
            occurred_at=when,
            period=period_of(when),
            year=year_of(when),
            order_id=order.id,
            order_line_id=line.id,
            buyer_id=order.buyer_id,
            vendor_id=order.vendor_id,
            vendor_umk_class="micro",
            vendor_kelurahan="Gubeng",
            is_local_vendor=True,
            is_local_product=False,
            is_pdn=True,
            amount=amount,
        )
    )
    db.session.flush()


def test_crossing_rp2_miliar_in_12_months_raises_a_flag_and_never_changes_the_class(shop, product):
    order = make_paid_order(items=[(product, 1)])
    shop.created_at = naive_utc(now_utc() - timedelta(days=800))
    add_sale(order, 1_999_000_000, now_utc() - timedelta(days=30))
    add_sale(order, 5_000_000_000, now_utc() - timedelta(days=400))  # outside the 12 months
    assert business_class.check_platform_sales(shop) is False
    add_sale(order, 1_000_000, now_utc() - timedelta(days=1))
    assert business_class.check_platform_sales(shop) is True
    assert business_class.check_platform_sales(shop) is False  # one open flag, refreshed
    db.session.commit()
    assert shop.umk_class == "micro" and shop.effective_umk_class == "micro"
    flag = db.session.scalars(select(BusinessClassFlag)).one()
    assert (flag.kind, flag.umk_class, flag.amount, flag.ceiling) == (
        "platform_sales",
        "micro",
        2_000_000_000 + 12_000,
        2_000_000_000,
    )
    assert shop.class_review_flag is True
    assert db.session.scalar(select(func.count()).select_from(AuditLog)) == 0


def test_a_young_shops_platform_sales_are_annualised_for_the_cross_check(shop, product):
    order = make_paid_order(items=[(product, 1)])
    shop.created_at = naive_utc(now_utc() - timedelta(days=73, hours=1))
    add_sale(order, 400_000_000 - 12_000, now_utc() - timedelta(days=1))
    assert business_class.annualised_platform_sales(shop) == 2_000_000_000
    assert business_class.check_platform_sales(shop) is False
    add_sale(order, 1, now_utc() - timedelta(days=1))
    assert business_class.check_platform_sales(shop) is True


def test_refreshing_without_sales_raises_nothing_and_writes_no_audit(shop):
    assert business_class.refresh_business_classes() == 0
    assert db.session.scalar(select(func.count()).select_from(AuditLog)) == 0


def test_an_admin_override_wins_over_the_class_and_is_audited(shop):
    admin = make_user("admin")
    info = business_class.override_business_class(admin, shop.id, "medium", "verifikasi laporan")
    assert info["umk_class"] == "medium" and info["basis"] == "override"
    assert info["override"] == "medium"
    cleared = business_class.override_business_class(admin, shop.id, None)
    assert cleared["umk_class"] == "micro" and cleared["override"] is None
    assert cleared["basis"] == "default"
    logs = db.session.scalars(select(AuditLog).order_by(AuditLog.id)).all()
    assert [a.action for a in logs] == ["vendor.class_override", "vendor.class_override"]
    assert logs[0].before["umk_class"] == "micro" and logs[0].after["umk_class"] == "medium"
    assert logs[0].reason == "verifikasi laporan"


def test_sales_report_groups_by_wib_day_net_of_refunds(owner, shop, product):
    order = make_paid_order(items=[(product, 1)])
    db.session.execute(SpendingRecord.__table__.delete())
    # 23:30 WIB on 1 Nov is 16:30 UTC: it belongs to 1 Nov, not the UTC date.
    late_evening = datetime(2026, 11, 1, 23, 30, tzinfo=WIB)
    add_sale(order, 50_000, late_evening)
    add_sale(order, 20_000, datetime(2026, 11, 2, 8, 0, tzinfo=WIB))
    add_sale(order, -5_000, datetime(2026, 11, 2, 9, 0, tzinfo=WIB))
    from datetime import date

    report = reports.sales_report(owner, "day", date(2026, 11, 1), date(2026, 11, 3))
    rows = {r["period"]: r for r in report["rows"]}
    assert list(rows) == ["2026-11-01", "2026-11-02", "2026-11-03"]
    assert rows["2026-11-01"]["net"] == 50_000
    assert rows["2026-11-02"] == {
        "period": "2026-11-02",
        "orders": 1,
        "gross": 20_000,
        "refunds": 5_000,
        "net": 15_000,
    }
    assert rows["2026-11-03"]["net"] == 0
    assert report["totals"]["net"] == 65_000
    monthly = reports.sales_report(owner, "month", date(2026, 10, 1), date(2026, 11, 30))
    assert [(r["period"], r["net"]) for r in monthly["rows"]] == [
        ("2026-10", 0),
        ("2026-11", 65_000),
    ]


def test_a_daily_report_longer_than_a_year_is_refused(owner, shop):
    from datetime import date

    with pytest.raises(ValidationFailed):
        reports.sales_report(owner, "day", date(2024, 1, 1), date(2026, 1, 1))
