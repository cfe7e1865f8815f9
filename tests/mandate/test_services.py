"""Mandate services against the database: WIB periods, refunds, rule history, compliance in SQL."""

import pytest
from sqlalchemy import event, func, select

from marketplace.errors import Forbidden, ValidationFailed
from marketplace.extensions import db
from marketplace.ledger.models import SpendingRecord
from marketplace.mandate import services
from marketplace.mandate.models import MandateRule
from tests.factories import make_civil_servant, make_opd, make_user, make_vendor
from tests.mandate.helpers import make_admin, make_spending, refund_spending, set_rule, wib


@pytest.fixture
def finance(app):
    return make_user("finance")


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith("BEGIN"):
            self.count += 1


@pytest.fixture
def count_queries(app):
    counter = QueryCounter()
    event.listen(db.engine, "before_cursor_execute", counter)
    yield counter
    event.remove(db.engine, "before_cursor_execute", counter)


# ---------------------------------------------------------------- WIB periods
def test_a_purchase_at_2330_wib_on_the_last_day_counts_for_that_month(app):
    set_rule("2026-05", 100_000)
    asn = make_civil_servant()
    make_spending(asn, 60_000, wib(2026, 5, 31, 23, 30))  # 16:30 UTC, still May in Surabaya
    assert services.my_mandate(asn, "2026-05")["spent"] == 60_000
    assert services.my_mandate(asn, "2026-06")["spent"] == 0


def test_a_purchase_at_0030_wib_the_next_day_counts_for_the_next_month(app):
    set_rule("2026-05", 100_000)
    asn = make_civil_servant()
    make_spending(asn, 60_000, wib(2026, 6, 1, 0, 30))  # 17:30 UTC on 31 May
    assert services.my_mandate(asn, "2026-05")["spent"] == 0
    assert services.my_mandate(asn, "2026-06")["spent"] == 60_000


# ---------------------------------------------------------------- what counts
def test_refunds_reduce_progress(app):
    set_rule("2026-05", 100_000)
    asn = make_civil_servant()
    sale = make_spending(asn, 120_000, wib(2026, 5, 10))
    assert services.my_mandate(asn, "2026-05")["compliant"] is True
    refund_spending(sale, 50_000)
    progress = services.my_mandate(asn, "2026-05")
    assert progress["spent"] == 70_000
    assert progress["remaining"] == 30_000
    assert progress["compliant"] is False


def test_spending_at_non_local_vendors_does_not_count(app):
    set_rule("2026-05", 100_000)
    asn = make_civil_servant()
    make_spending(asn, 500_000, wib(2026, 5, 10), local=False)
    make_spending(asn, 40_000, wib(2026, 5, 11))
    assert services.my_mandate(asn, "2026-05")["spent"] == 40_000


def test_non_local_goods_of_a_made_in_city_shop_do_not_count(app):
    set_rule("2026-05", 100_000)
    asn = make_civil_servant()
    shop = make_vendor(made_in_city=True)
    make_spending(asn, 500_000, wib(2026, 5, 10), vendor=shop, local_product=False)
    make_spending(asn, 40_000, wib(2026, 5, 11), vendor=shop)
    assert services.my_mandate(asn, "2026-05")["spent"] == 40_000
    report = services.compliance_report(make_user("finance"), "2026-05")
    assert [row["spent"] for row in report.items] == [40_000]
    assert report.extra["summary"]["spent"] == 40_000


def test_only_a_reviewed_local_product_of_a_local_shop_counts(app):
    """A made-in-city shop's imported goods and its unreviewed local claim do not count; the
    product the city approved as local does, frozen on the record at the sale."""
    from marketplace.shops import flag_reviews
    from marketplace.timeutil import current_period
    from tests.factories import make_paid_order, make_product

    set_rule(current_period(), 1_000_000)
    asn, admin = make_civil_servant(), make_user("admin")
    shop = make_vendor(made_in_city=True)
    imported = make_product(shop, price=30_000, name="Cokelat Swiss Impor")
    claimed = make_product(shop, price=20_000, name="Sambal Bu Rudy")
    reviewed = make_product(shop, price=10_000, name="Kerupuk Udang Sidoarjo")
    for product in (claimed, reviewed):
        flag_reviews.claim_flags(shop.owner, product, {"is_local_product": True})
    db.session.commit()
    flag_reviews.approve_flags(admin, reviewed.id)
    make_paid_order(asn, [(imported, 1), (claimed, 1), (reviewed, 1)])
    assert services.my_mandate(asn)["spent"] == 10_000


def test_another_buyers_spending_does_not_count(app):
    set_rule("2026-05", 100_000)
    asn, colleague = make_civil_servant(), make_civil_servant()
    make_spending(colleague, 500_000, wib(2026, 5, 10))
    assert services.my_mandate(asn, "2026-05")["spent"] == 0


def test_a_real_paid_order_counts_and_its_refund_is_taken_back(app):
    from marketplace.ordering.refunds import refund_order
    from marketplace.timeutil import current_period
    from tests.factories import make_paid_order, make_product

    asn = make_civil_servant()
    set_rule(current_period(), 1_000_000)
    order = make_paid_order(asn, [(make_product(price=25_000, is_local_product=True), 2)])
    assert services.my_mandate(asn)["spent"] == 50_000
    refund_order(make_user("finance"), order.id, 20_000, "Barang rusak")
    assert services.my_mandate(asn)["spent"] == 30_000


# ---------------------------------------------------------------- rules and history
def test_required_amount_follows_the_position_case_insensitively(app):
    set_rule("2026-05", 100_000, {"Camat": 2_000_000, "Kepala Seksi": 300_000})
    camat = make_civil_servant(position="  camat ")
    kasi = make_civil_servant(position="KEPALA SEKSI")
    other = make_civil_servant(position="Pengelola Arsip")
    assert services.my_mandate(camat, "2026-05")["required"] == 2_000_000
    assert services.my_mandate(kasi, "2026-05")["required"] == 300_000
    assert services.my_mandate(other, "2026-05")["required"] == 100_000


def test_a_rule_change_effective_next_period_does_not_change_the_past_period(app):
    admin = make_admin()
    set_rule("2026-05", 100_000, {"Lurah": 1_000_000}, admin=admin)
    lurah = make_civil_servant(position="Lurah")
    # In May, the admin raises the minimum from June on.
    services.set_mandate_rules(
        admin,
        default_amount=200_000,
        by_position={"Lurah": 1_500_000},
        effective_from="2026-06",
        now=wib(2026, 5, 20),
    )
    assert services.my_mandate(lurah, "2026-05")["required"] == 1_000_000
    assert services.my_mandate(lurah, "2026-05")["rule_effective_from"] == "2026-05"
    assert services.my_mandate(lurah, "2026-06")["required"] == 1_500_000
    assert services.my_mandate(lurah, "2026-09")["required"] == 1_500_000
    assert services.my_mandate(lurah, "2026-04")["required"] == 0


def test_a_rule_for_a_period_already_begun_is_refused_and_nothing_changes(app):
    admin = make_admin()
    set_rule("2026-05", 100_000, admin=admin)
    with pytest.raises(ValidationFailed) as err:
        services.set_mandate_rules(
            admin, default_amount=5, by_position={}, effective_from="2026-05", now=wib(2026, 6, 2)
        )
    assert "effective_from" in err.value.details
    db.session.rollback()
    assert db.session.scalar(select(MandateRule.default_amount)) == 100_000


def test_setting_the_same_period_again_replaces_it_and_audits_before_and_after(app):
    from marketplace.audit.models import AuditLog

    admin = make_admin()
    set_rule("2026-05", 100_000, {"Camat": 2_000_000, "Lurah": 1_000_000}, admin=admin)
    result = services.set_mandate_rules(
        admin,
        default_amount=150_000,
        by_position={"camat ": 2_500_000},
        effective_from="2026-05",
        now=wib(2026, 5, 3),
    )
    assert result["by_position"] == {"camat": 2_500_000}
    assert db.session.scalar(select(func.count()).select_from(MandateRule)) == 1
    entries = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "mandate.rules_set").order_by(AuditLog.id)
    ).all()
    assert len(entries) == 2
    assert entries[0].before is None
    assert entries[1].before == {
        "effective_from": "2026-05",
        "default_amount": 100_000,
        "by_position": {"Camat": 2_000_000, "Lurah": 1_000_000},
        "joiners": "prorate",
        "counts_on": "payment",
    }
    assert entries[1].after["default_amount"] == 150_000
    assert entries[1].actor_id == admin.id and entries[1].target_type == "mandate_rule"


def test_positions_that_differ_only_in_case_are_refused(app):
    with pytest.raises(ValidationFailed) as err:
        services.set_mandate_rules(
            make_admin(),
            default_amount=1,
            by_position={"Camat": 1, "CAMAT": 2},
            effective_from="2026-05",
            now=wib(2026, 5, 3),
        )
    assert "by_position" in err.value.details


def test_only_an_admin_may_set_rules(app):
    with pytest.raises(Forbidden):
        services.set_mandate_rules(
            make_user("finance"),
            default_amount=1,
            by_position={},
            effective_from="2026-05",
            now=wib(2026, 5, 3),
        )


def test_the_demo_seeder_is_idempotent(app):
    first = services.seed_mandate_rule()
    second = services.seed_mandate_rule()
    assert first.id == second.id
    assert first.by_position["Camat"] == 2_000_000
    assert db.session.scalar(select(func.count()).select_from(MandateRule)) == 1


# ---------------------------------------------------------------- compliance report
@pytest.fixture
def city(app):
    """Two OPDs, four civil servants, a public buyer; May 2026 spending of all kinds."""
    set_rule("2026-05", 100_000, {"Camat": 2_000_000, "Staf": 50_000})
    dinkop, bappeda = make_opd("DINKOP", "Dinas Koperasi"), make_opd("BAPPEDA", "Bappeda")
    people = {
        "camat": make_civil_servant(opd=dinkop, position="Camat", name="Budi Camat"),
        "staf": make_civil_servant(opd=dinkop, position="staf", name="Ani Staf"),
        "analis": make_civil_servant(opd=bappeda, position="Analis", name="Citra Analis"),
        "idle": make_civil_servant(opd=bappeda, position="Staf", name="Dedi Diam"),
        "retired": make_civil_servant(
            opd=bappeda, position="Staf", name="Eko Pensiun", active=False
        ),
    }
    public = make_user("public")
    make_spending(people["camat"], 1_500_000, wib(2026, 5, 3))
    sale = make_spending(people["staf"], 80_000, wib(2026, 5, 4))
    refund_spending(sale, 10_000)
    make_spending(people["analis"], 100_000, wib(2026, 5, 31, 23, 59))
    make_spending(people["analis"], 900_000, wib(2026, 5, 5), local=False)
    make_spending(people["analis"], 700_000, wib(2026, 4, 5))
    make_spending(people["retired"], 70_000, wib(2026, 5, 5))
    make_spending(public, 300_000, wib(2026, 5, 5))
    db.session.commit()
    return people


def test_compliance_lists_each_active_civil_servant_with_required_and_spent(city, finance):
    page = services.compliance_report(finance, "2026-05", per_page=100)
    rows = {r["name"]: r for r in page.items}
    assert set(rows) == {"Budi Camat", "Ani Staf", "Citra Analis", "Dedi Diam"}
    assert (rows["Budi Camat"]["required"], rows["Budi Camat"]["spent"]) == (2_000_000, 1_500_000)
    assert rows["Budi Camat"]["compliant"] is False and rows["Budi Camat"]["remaining"] == 500_000
    assert (
        rows["Ani Staf"]["required"],
        rows["Ani Staf"]["spent"],
        rows["Ani Staf"]["compliant"],
    ) == (50_000, 70_000, True)
    assert (rows["Citra Analis"]["required"], rows["Citra Analis"]["spent"]) == (100_000, 100_000)
    assert rows["Citra Analis"]["compliant"] is True
    assert (rows["Dedi Diam"]["spent"], rows["Dedi Diam"]["compliant"]) == (0, False)
    assert rows["Ani Staf"]["opd"] == "DINKOP" and rows["Ani Staf"]["nip"] == city["staf"].nip


def test_compliance_summary_totals_equal_the_sum_of_spending_records(city, finance):
    summary = services.compliance_report(finance, "2026-05").extra["summary"]
    expected = db.session.scalar(
        select(func.sum(SpendingRecord.amount)).where(
            SpendingRecord.period == "2026-05",
            SpendingRecord.is_local_vendor.is_(True),
            SpendingRecord.buyer_id.in_([u.id for k, u in city.items() if k != "retired"]),
        )
    )
    assert summary["spent"] == expected == 1_670_000
    assert summary["civil_servants"] == 4 and summary["compliant"] == 2
    assert summary["rate"] == 0.5 and summary["rate_bps"] == 5_000
    assert summary["required_total"] == 2_000_000 + 50_000 + 100_000 + 50_000
    assert summary["shortfall"] == 500_000 + 50_000


def test_compliance_filters_by_opd_and_status_but_the_summary_ignores_the_status_filter(
    city, finance
):
    page = services.compliance_report(finance, "2026-05", opd="BAPPEDA", compliant=False)
    assert [r["name"] for r in page.items] == ["Dedi Diam"]
    assert page.total == 1
    assert page.extra["summary"]["civil_servants"] == 2
    assert page.extra["summary"]["compliant"] == 1


@pytest.mark.parametrize(
    ("sort", "first"),
    [
        ("name", "Ani Staf"),
        ("-name", "Dedi Diam"),
        ("-spent", "Budi Camat"),
        ("spent", "Dedi Diam"),
        ("-required", "Budi Camat"),
        ("-shortfall", "Budi Camat"),
        ("opd", "Citra Analis"),
    ],
)
def test_compliance_sorts(city, finance, sort, first):
    page = services.compliance_report(finance, "2026-05", sort=sort)
    assert page.items[0]["name"] == first


def test_compliance_paginates(city, finance):
    first = services.compliance_report(finance, "2026-05", page=1, per_page=3)
    second = services.compliance_report(finance, "2026-05", page=2, per_page=3)
    assert first.total == second.total == 4
    assert len(first.items) == 3 and len(second.items) == 1
    assert {r["user_id"] for r in first.items}.isdisjoint({r["user_id"] for r in second.items})


def test_per_opd_rows_add_up_to_the_summary(city, finance):
    result = services.compliance_by_opd(finance, "2026-05")
    rows = {r["opd_code"]: r for r in result["items"]}
    assert rows["DINKOP"] == {
        "opd_code": "DINKOP",
        "opd_name": "Dinas Koperasi",
        "civil_servants": 2,
        "compliant": 1,
        "rate": 0.5,
        "rate_bps": 5_000,
        "spent": 1_570_000,
        "required": 2_050_000,
    }
    assert sum(r["spent"] for r in rows.values()) == result["summary"]["spent"]
    assert sum(r["civil_servants"] for r in rows.values()) == result["summary"]["civil_servants"]


def test_compliance_is_one_grouped_query_not_one_per_civil_servant(city, finance, count_queries):
    for _ in range(30):
        make_civil_servant(opd=make_opd("DINKOP"))
    db.session.flush()
    count_queries.count = 0
    services.compliance_rows(finance, "2026-05")
    # is the month closed? the rule in force, the position mapping, the roster's distinct
    # positions, then one statement for every row
    assert count_queries.count <= 5


def test_a_report_page_with_its_summary_is_one_statement_after_the_rule(
    city, finance, count_queries
):
    count_queries.count = 0
    page = services.compliance_report(finance, "2026-05", compliant=False, per_page=1)
    assert count_queries.count <= 5  # closed? the rule, the mapping, the positions, one statement
    assert page.total == 2 and page.extra["summary"]["civil_servants"] == 4


def test_a_page_past_the_end_still_has_the_summary(city, finance):
    page = services.compliance_report(finance, "2026-05", page=9)
    assert page.items == [] and page.total == 4 and page.extra["summary"]["compliant"] == 2


def test_a_period_without_a_rule_requires_nothing(city, finance):
    summary = services.compliance_report(finance, "2026-03").extra["summary"]
    assert summary["required_total"] == 0 and summary["compliant"] == summary["civil_servants"] == 4


def test_only_finance_and_admin_see_compliance(city):
    with pytest.raises(Forbidden):
        services.compliance_report(city["camat"], "2026-05")


# ---------------------------------------------------------------- widget
def test_the_widget_costs_no_query_for_other_roles(app, count_queries):
    vendor_user = make_user("vendor")
    count_queries.count = 0
    assert services.widget_data(vendor_user) is None
    assert count_queries.count == 0


def test_the_widget_is_one_query_and_cached_for_the_request(app, count_queries):
    from marketplace.timeutil import current_period

    set_rule(current_period(), 100_000)
    asn = make_civil_servant()
    db.session.commit()
    assert asn.role == "civil_servant"  # loaded, as current_user is before any page renders
    with app.test_request_context("/"):
        count_queries.count = 0
        first = services.widget_data(asn)
        services.widget_data(asn)
        assert count_queries.count == 2  # the position mapping, then one statement
    assert first["required"] == 100_000 and first["period"] == current_period()
