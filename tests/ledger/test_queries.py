"""The ledger's shared read queries: who is at the fair-share cap, and the account balances."""

from datetime import UTC, datetime

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.ledger.models import ACCOUNTS, PROVIDER_CASH, VENDOR_PENDING, FairShareCap
from marketplace.ledger.queries import cap_amount, ledger_balances, vendor_at_cap, vendors_at_cap
from marketplace.ledger.services import post_journal
from tests.factories import make_vendor
from tests.finance.helpers import record_spending

PERIOD = "2025-06"
JUNE = datetime(2025, 6, 10, 5, tzinfo=UTC)


def test_the_cap_of_a_period_is_the_admins_setting_else_the_default(app):
    assert cap_amount(PERIOD) == app.config["FAIR_SHARE_CAP"]
    db.session.add(FairShareCap(period=PERIOD, amount=50_000))
    db.session.commit()
    assert cap_amount(PERIOD) == 50_000
    assert cap_amount("2025-07") == app.config["FAIR_SHARE_CAP"]


def test_a_shop_is_at_the_cap_once_its_sales_net_of_refunds_reach_it(app):
    db.session.add(FairShareCap(period=PERIOD, amount=50_000))
    below, exactly, refunded_back = make_vendor(), make_vendor(), make_vendor()
    record_spending(49_999, at=JUNE, vendor=below)
    record_spending(50_000, at=JUNE, vendor=exactly)
    record_spending(60_000, at=JUNE, vendor=refunded_back)
    record_spending(-20_000, at=JUNE, vendor=refunded_back)
    db.session.commit()
    assert not vendor_at_cap(below.id, PERIOD)
    assert vendor_at_cap(exactly.id, PERIOD)
    assert not vendor_at_cap(refunded_back.id, PERIOD)
    assert vendors_at_cap([below.id, exactly.id, refunded_back.id], PERIOD) == {exactly.id}


def test_sales_of_another_period_do_not_count_towards_the_cap(app):
    db.session.add(FairShareCap(period=PERIOD, amount=50_000))
    vendor = make_vendor()
    record_spending(90_000, at=datetime(2025, 7, 2, tzinfo=UTC), vendor=vendor)
    db.session.commit()
    assert not vendor_at_cap(vendor.id, PERIOD)
    assert vendors_at_cap([vendor.id], "2025-07") == set()  # the July cap is the default one


def test_no_shops_asked_means_none_at_the_cap(app):
    assert vendors_at_cap([], PERIOD) == set()


def test_balances_list_every_account_and_sum_to_zero(app):
    assert ledger_balances() == {"accounts": dict.fromkeys(ACCOUNTS, 0), "total": 0}
    vendor = make_vendor()
    post_journal(
        "payment",
        [(PROVIDER_CASH, 10_000, None), (VENDOR_PENDING, -10_000, vendor.id)],
        memo="test",
    )
    db.session.commit()
    balances = ledger_balances()
    assert set(balances["accounts"]) == set(ACCOUNTS)
    assert balances["accounts"][PROVIDER_CASH] == 10_000
    assert balances["accounts"][VENDOR_PENDING] == -10_000
    assert balances["total"] == 0


def test_unpaid_unexpired_orders_count_towards_the_cap_beside_paid_sales_net_of_refunds(app):
    from datetime import timedelta

    from marketplace.ledger.queries import vendor_sales, vendor_sales_subquery, vendors_at_cap_ids
    from marketplace.ledger.services import release_cap, reserve_cap
    from marketplace.models_base import utcnow
    from tests.finance.helpers import make_order

    db.session.add(FairShareCap(period=PERIOD, amount=50_000))
    shop, other = make_vendor(), make_vendor()
    record_spending(30_000, at=JUNE, vendor=shop)
    record_spending(-10_000, at=JUNE, vendor=shop)  # a refund
    soon, gone = utcnow() + timedelta(minutes=30), utcnow() - timedelta(seconds=1)
    held, lapsed, july, elsewhere = (make_order(vendor=shop) for _ in range(4))
    reserve_cap([(held.id, shop.id, 25_000), (elsewhere.id, other.id, 7_000)], PERIOD, soon)
    reserve_cap([(lapsed.id, shop.id, 99_000)], PERIOD, gone)  # expired: the room is free again
    reserve_cap([(july.id, shop.id, 99_000)], "2025-07", soon)  # another period
    db.session.commit()
    assert vendor_sales(shop.id, PERIOD) == 30_000 - 10_000 + 25_000
    assert vendors_at_cap([shop.id, other.id], PERIOD) == set()
    assert vendors_at_cap_ids(PERIOD) == []
    sub = vendor_sales_subquery(PERIOD)
    assert dict(db.session.execute(select(sub.c.vendor_id, sub.c.sales)).all()) == {
        shop.id: 45_000,
        other.id: 7_000,
    }
    reserve_cap([(make_order(vendor=shop).id, shop.id, 5_000)], PERIOD, soon)
    db.session.commit()
    assert vendors_at_cap_ids(PERIOD) == [shop.id]  # 50 000: at the cap
    release_cap([held.id])
    db.session.commit()
    assert vendor_sales(shop.id, PERIOD) == 25_000
    assert vendors_at_cap_ids(PERIOD) == []
