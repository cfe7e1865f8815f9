"""Finance services against the database: targets, realisation, watch, journals, audit log."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import delete, func, select, update

from marketplace.audit.models import AuditLog, record_audit
from marketplace.errors import ValidationFailed
from marketplace.extensions import db
from marketplace.finance import services
from marketplace.finance.audit_guard import AuditLogIsAppendOnly
from marketplace.ledger.models import SpendingRecord
from marketplace.ledger.queries import ledger_balances
from marketplace.timeutil import current_period, naive_utc
from tests.factories import make_opd, make_user, make_vendor
from tests.finance.helpers import record_spending

YEAR = 2025


def at(month, day=15, hour=3):
    return datetime(YEAR, month, day, hour, tzinfo=UTC)


@pytest.fixture
def spending(app):
    """A mixed year: classes, flags, OPDs, kelurahan, a refund, and a record of another year."""
    dinkop, bappeda = make_opd("DINKOP"), make_opd("BAPPEDA")
    gubeng = make_vendor(kelurahan="Gubeng", umk_class="micro")
    tegal = make_vendor(kelurahan="Tegalsari", umk_class="medium")
    record_spending(
        100_000,
        at=at(1),
        vendor=gubeng,
        opd=dinkop,
        umk_class="micro",
        is_pdn=True,
        is_local_product=True,
    )
    record_spending(
        250_000,
        at=at(2),
        vendor=tegal,
        opd=bappeda,
        umk_class="medium",
        is_pdn=True,
        is_local_product=False,
    )
    record_spending(
        40_000,
        at=at(2),
        vendor=gubeng,
        opd=bappeda,
        umk_class="small",
        is_pdn=False,
        is_local_product=True,
    )
    record_spending(
        70_000,
        at=at(5),
        vendor=gubeng,
        buyer=make_user("public"),
        umk_class="micro",
        is_pdn=False,
        is_local_product=False,
    )
    record_spending(
        -30_000,
        at=at(5, 20),
        vendor=gubeng,
        opd=dinkop,
        umk_class="micro",
        is_pdn=True,
        is_local_product=True,
    )
    record_spending(999_000, at=datetime(YEAR + 1, 1, 10, tzinfo=UTC), vendor=gubeng, opd=dinkop)
    db.session.commit()
    return {"dinkop": dinkop, "bappeda": bappeda}


def test_realisation_classifies_umk_pdn_and_local_net_of_refunds(spending):
    report = services.spending_report(YEAR, "month")
    assert report["realised"] == {
        "umk": 100_000 + 40_000 - 30_000,
        "pdn": 100_000 + 250_000 - 30_000,
        "local": 100_000 + 40_000 - 30_000,
        "total": 100_000 + 250_000 + 40_000 - 30_000,
    }
    # The public buyer's Rp70.000 is the programme's reach, never realisation.
    assert report["reach"]["public"]["realised"]["total"] == 70_000
    assert report["reach"]["asn_personal"]["realised"]["total"] == 0


@pytest.mark.parametrize("group_by", ["month", "opd", "vendor_class", "kelurahan"])
def test_report_totals_equal_the_sum_of_spending_records_for_every_grouping(spending, group_by):
    report = services.spending_report(YEAR, group_by)
    start, end = datetime(YEAR, 1, 1), datetime(YEAR + 1, 1, 1)
    raw_total = db.session.scalar(
        select(func.sum(SpendingRecord.amount)).where(
            SpendingRecord.year == YEAR, SpendingRecord.channel == "opd_procurement"
        )
    )
    assert report["realised"]["total"] == raw_total
    everything = db.session.scalar(
        select(func.sum(SpendingRecord.amount)).where(SpendingRecord.year == YEAR)
    )
    reach = sum(part["realised"]["total"] for part in report["reach"].values())
    assert raw_total + reach == everything
    for key in ("umk", "pdn", "local", "total"):
        assert sum(row[key] for row in report["rows"]) == report["realised"][key], key
    assert start < end


def test_month_rows_cover_the_whole_year_with_cumulative_sums(spending):
    rows = services.spending_report(YEAR, "month")["rows"]
    assert [r["period"] for r in rows] == [f"{YEAR}-{m:02d}" for m in range(1, 13)]
    assert rows[1]["total"] == 290_000
    assert rows[1]["cumulative_total"] == 390_000
    assert rows[11]["cumulative_total"] == 360_000


def test_a_record_at_half_past_eleven_wib_on_new_years_eve_counts_for_that_year(app):
    vendor = make_vendor()
    record_spending(
        10_000, at=datetime(YEAR, 12, 31, 16, 30, tzinfo=UTC), vendor=vendor
    )  # 23:30 WIB
    record_spending(
        20_000, at=datetime(YEAR, 12, 31, 17, 30, tzinfo=UTC), vendor=vendor
    )  # 00:30 WIB, 1 Jan
    db.session.commit()
    assert services.spending_report(YEAR, "month")["realised"]["total"] == 10_000
    assert services.spending_report(YEAR, "month")["rows"][11]["total"] == 10_000
    assert services.spending_report(YEAR + 1, "month")["realised"]["total"] == 20_000


def test_opd_rows_carry_their_targets_and_include_opds_with_targets_but_no_spending(spending):
    quiet = make_opd("DISPENDIK")
    actor = make_user("finance")
    services.set_targets(
        actor,
        YEAR,
        {
            "umk": 1_000_000,
            "pdn": 2_000_000,
            "local": 500_000,
            "by_opd": {
                "DINKOP": {"umk": 200_000, "pdn": 0, "local": 0},
                quiet.code: {"umk": 50_000, "pdn": 0, "local": 0},
            },
        },
    )
    rows = {r["opd_code"]: r for r in services.spending_report(YEAR, "opd")["rows"]}
    assert rows["DINKOP"]["umk"] == 70_000
    assert rows["DINKOP"]["target_umk"] == 200_000
    assert rows["DINKOP"]["progress_umk_bps"] == 3500
    assert rows["DISPENDIK"]["total"] == 0 and rows["DISPENDIK"]["target_umk"] == 50_000
    assert None not in rows  # the public buyer is reach, not an OPD's realisation
    reach = services.spending_report(YEAR, "opd")["reach"]["public"]["rows"]
    assert [(r["opd_code"], r["total"]) for r in reach] == [(None, 70_000)]


def test_vendor_class_rows_mark_which_classes_are_umk(spending):
    rows = {r["umk_class"]: r for r in services.spending_report(YEAR, "vendor_class")["rows"]}
    assert rows["medium"]["is_umk"] is False and rows["medium"]["umk"] == 0
    assert rows["small"]["umk"] == 40_000


def test_setting_targets_replaces_the_year_and_is_audited(app):
    make_opd("DINKOP"), make_opd("BAPPEDA")
    actor = make_user("finance")
    services.set_targets(
        actor,
        YEAR,
        {"umk": 10, "pdn": 20, "local": 30, "by_opd": {"DINKOP": {"umk": 1, "pdn": 2, "local": 3}}},
    )
    result = services.set_targets(
        actor,
        YEAR,
        {
            "umk": 11,
            "pdn": 22,
            "local": 33,
            "by_opd": {"BAPPEDA": {"umk": 4, "pdn": 5, "local": 6}},
        },
    )
    assert result["umk"] == 11 and result["by_opd"] == {"BAPPEDA": {"umk": 4, "pdn": 5, "local": 6}}
    audits = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "targets.set").order_by(AuditLog.id)
    ).all()
    assert len(audits) == 2
    assert audits[1].before["by_opd"] == {"DINKOP": {"umk": 1, "pdn": 2, "local": 3}}
    assert audits[1].after["umk"] == 11 and audits[1].target_id == str(YEAR)


def test_targets_for_an_unknown_opd_are_refused_and_nothing_changes(app):
    actor = make_user("finance")
    with pytest.raises(ValidationFailed) as err:
        services.set_targets(
            actor,
            YEAR,
            {"umk": 1, "pdn": 1, "local": 1, "by_opd": {"NOPE": {"umk": 1, "pdn": 1, "local": 1}}},
        )
    assert "NOPE" in err.value.details["by_opd"]
    assert services.get_targets(YEAR)["is_set"] is False


def test_watch_lists_idle_vendors_near_cap_vendors_and_turnover_by_kelurahan(app):
    period = current_period()
    now = naive_utc()
    idle = make_vendor(name="Toko Sepi", kelurahan="Ketabang")
    make_vendor(name="Belum Verifikasi", status="pending")
    busy = make_vendor(name="Toko Ramai", kelurahan="Gubeng")
    small = make_vendor(name="Toko Kecil", kelurahan="Gubeng")
    cap = app.config["FAIR_SHARE_CAP"]
    record_spending(cap * 8 // 10, at=now, vendor=busy)
    record_spending(cap // 10, at=now, vendor=small)
    db.session.commit()
    report = services.watch_report(period)
    assert [v["name"] for v in report["zero_orders"]["items"]] == [idle.name]
    assert [row["vendor"]["id"] for row in report["near_cap"]] == [busy.id]
    assert report["near_cap"][0]["percent_bps"] == 8000
    assert [
        {k: r[k] for k in ("kelurahan", "turnover", "vendors", "orders")}
        for r in report["by_kelurahan"]
    ] == [{"kelurahan": "Gubeng", "turnover": cap * 9 // 10, "vendors": 2, "orders": 2}]


def test_watch_shows_vendors_that_moved_up_a_class_but_not_down(app):
    up, down = make_vendor(name="Naik"), make_vendor(name="Turun")
    admin = make_user("admin")
    record_audit(
        admin,
        "vendor.class_changed",
        "vendor",
        up.id,
        before={"umk_class": "micro"},
        after={"umk_class": "small"},
    )
    record_audit(
        admin,
        "vendor.class_changed",
        "vendor",
        down.id,
        before={"umk_class": "small"},
        after={"umk_class": "micro"},
    )
    db.session.commit()
    moved = services.watch_report(current_period())["moved_up"]
    assert [(m["vendor"]["name"], m["from"], m["to"]) for m in moved] == [
        ("Naik", "micro", "small")
    ]


def test_audit_log_filters_by_actor_action_type_and_wib_dates(app):
    alice, bob = make_user("finance", name="Alice Keuangan"), make_user("admin", name="Bob Admin")
    first = record_audit(alice, "targets.set", "targets", 2025, after={"umk": 1})
    first.created_at = datetime(2025, 3, 1, 17, 30)  # 00:30 WIB on 2 March (set before insert)
    record_audit(bob, "vendor.verify", "vendor", 7)
    record_audit(bob, "vendor.suspend", "vendor", 8)
    db.session.commit()
    assert [e.action for e in services.list_audit_log(actor="alice").items] == ["targets.set"]
    assert services.list_audit_log(actor=str(bob.id)).total == 2
    assert services.list_audit_log(action="vendor.").total == 2
    assert services.list_audit_log(target_type="targets").total == 1
    assert services.list_audit_log(from_=date(2025, 3, 2), to=date(2025, 3, 2)).total == 1
    assert services.list_audit_log(from_=date(2025, 3, 1), to=date(2025, 3, 1)).total == 0


def test_the_audit_log_refuses_updates_and_deletes(app):
    entry = record_audit(make_user("admin"), "vendor.verify", "vendor", 1)
    db.session.commit()
    entry.action = "vendor.tampered"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditLog, entry.id))
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.execute(update(AuditLog).where(AuditLog.id == entry.id).values(action="x"))
    db.session.rollback()
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.execute(delete(AuditLog).where(AuditLog.id == entry.id))
    db.session.rollback()
    assert db.session.get(AuditLog, entry.id).action == "vendor.verify"


def test_journals_are_listed_newest_first_with_their_lines_and_filter_by_kind(app):
    from tests.finance.helpers import make_order, post_payment_journal

    order = make_order(amount=5_000)
    post_payment_journal(order, 5_000, reference="ch_1")
    post_payment_journal(order, 7_000, reference="ch_2")
    db.session.commit()
    page = services.list_journals("payment")
    assert [j.reference for j in page.items] == ["ch_2", "ch_1"]
    assert sum(line.amount for line in page.items[0].lines) == 0
    assert services.list_journals("refund").total == 0
    assert ledger_balances()["total"] == 0


def test_a_civil_servants_paid_checkout_is_reach_by_their_opd_not_realisation(app):
    from marketplace.timeutil import year_of
    from tests.factories import make_paid_order

    order = make_paid_order()
    assert order.channel == "asn_personal"
    year = year_of(order.paid_at)
    report = services.spending_report(year, "opd")
    records = db.session.scalars(
        select(SpendingRecord).where(SpendingRecord.order_id == order.id)
    ).all()
    assert sum(r.amount for r in records) == order.total
    assert {r.channel for r in records} == {"asn_personal"}
    assert report["realised"]["total"] == 0
    reach = report["reach"]["asn_personal"]
    assert reach["realised"]["total"] == order.total
    assert reach["population"] == "programme_reach"
    assert [r["opd_code"] for r in reach["rows"]] == [order.buyer.opd.code]
