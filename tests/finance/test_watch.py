"""What the city watches, through the API: idle vendors, vendors near the cap, naik kelas,
turnover by kelurahan, for one WIB period."""

from datetime import UTC, datetime

from marketplace.audit.models import record_audit
from marketplace.extensions import db
from marketplace.ledger.models import FairShareCap
from tests.factories import make_user, make_vendor
from tests.finance.helpers import record_spending

PERIOD = "2025-06"
JUNE = datetime(2025, 6, 10, 5, tzinfo=UTC)


def test_vendors_with_no_sales_in_the_period_are_listed_with_paging(api):
    for i in range(3):
        make_vendor(name=f"Sepi {i}", kelurahan="Ketabang")
    sold = make_vendor(name="Laris")
    record_spending(10_000, at=JUNE, vendor=sold)
    record_spending(
        10_000, at=datetime(2025, 7, 1, tzinfo=UTC), vendor=make_vendor(name="Juli saja")
    )
    db.session.commit()
    body = api(make_user("finance")).get(f"/api/v1/finance/watch?period={PERIOD}&per_page=2").json
    assert body["summary"]["zero_orders"] == 4  # three idle and the one that only sold in July
    assert body["zero_orders"]["total"] == 4 and len(body["zero_orders"]["items"]) == 2
    names = {v["name"] for v in body["zero_orders"]["items"]}
    assert "Laris" not in names


def test_a_vendor_refunded_to_zero_still_counts_as_having_orders_but_leaves_turnover(api):
    vendor = make_vendor(kelurahan="Gubeng")
    record_spending(10_000, at=JUNE, vendor=vendor)
    record_spending(-10_000, at=JUNE, vendor=vendor)
    db.session.commit()
    body = api(make_user("finance")).get(f"/api/v1/finance/watch?period={PERIOD}").json
    assert body["zero_orders"]["total"] == 0
    assert body["by_kelurahan"][0]["turnover"] == 0


def test_near_cap_uses_the_period_cap_set_by_the_admin(api):
    db.session.add(FairShareCap(period=PERIOD, amount=1_000_000))
    under, near, over = (
        make_vendor(name="Bawah"),
        make_vendor(name="Dekat"),
        make_vendor(name="Lewat"),
    )
    record_spending(790_000, at=JUNE, vendor=under)
    record_spending(800_000, at=JUNE, vendor=near)
    record_spending(1_200_000, at=JUNE, vendor=over)
    db.session.commit()
    body = api(make_user("finance")).get(f"/api/v1/finance/watch?period={PERIOD}").json
    assert body["cap"] == 1_000_000 and body["near_cap_threshold"] == 800_000
    assert [(r["vendor"]["name"], r["at_cap"]) for r in body["near_cap"]] == [
        ("Lewat", True),
        ("Dekat", False),
    ]


def test_class_changes_outside_the_period_are_not_shown(api):
    vendor = make_vendor(name="Naik Kelas")
    entry = record_audit(
        make_user("admin"),
        "vendor.class_changed",
        "vendor",
        vendor.id,
        before={"umk_class": "micro"},
        after={"umk_class": "small"},
    )
    entry.created_at = datetime(2025, 6, 30, 16, 30)  # 23:30 WIB on 30 June
    db.session.commit()
    client = api(make_user("finance"))
    assert [
        m["vendor"]["name"]
        for m in client.get(f"/api/v1/finance/watch?period={PERIOD}").json["moved_up"]
    ] == ["Naik Kelas"]
    assert client.get("/api/v1/finance/watch?period=2025-07").json["moved_up"] == []


def test_turnover_by_kelurahan_is_largest_first(api):
    record_spending(5_000, at=JUNE, vendor=make_vendor(kelurahan="Ketabang"))
    record_spending(7_000, at=JUNE, vendor=make_vendor(kelurahan="Gubeng"))
    record_spending(4_000, at=JUNE, vendor=make_vendor(kelurahan="Gubeng"))
    db.session.commit()
    body = api(make_user("admin")).get(f"/api/v1/finance/watch?period={PERIOD}").json
    assert [(r["kelurahan"], r["turnover"], r["vendors"]) for r in body["by_kelurahan"]] == [
        ("Gubeng", 11_000, 2),
        ("Ketabang", 5_000, 1),
    ]
    assert body["summary"]["turnover"] == 16_000
