"""Issue 9 part 1: target realisation counts only the government's own (OPD procurement)
spending, measured against each OPD's goods-and-services budget; civil servants' personal and the
public's purchases are the programme's reach, labelled, never added in."""

import csv
import io
from datetime import UTC, datetime

from sqlalchemy import select

from marketplace.audit.models import AuditLog
from marketplace.extensions import db
from marketplace.finance import services
from marketplace.ledger.models import SpendingRecord
from marketplace.timeutil import year_of
from tests.factories import make_opd, make_paid_order, make_product, make_user, make_vendor
from tests.finance.helpers import record_spending

YEAR = 2025


def at(month, day=15):
    return datetime(YEAR, month, day, 3, tzinfo=UTC)


def test_a_public_buyers_cake_does_not_raise_realised_umk(app):
    """The issue's example: a public buyer's Rp45.000 cake raised "realised UMK"."""
    dinkop = make_opd("DINKOP")
    shop = make_vendor(umk_class="micro")
    record_spending(2_056_000, at=at(11), vendor=shop, opd=dinkop)
    db.session.commit()
    year = YEAR
    before = services.spending_report(year, "month")
    assert before["realised"]["umk"] == 2_056_000

    cake = make_product(shop, name="Kue lapis", price=45_000, stock=5)
    order = make_paid_order(make_user("public"), [(cake, 1)])
    assert order.channel == "public"
    after = services.spending_report(year_of(order.paid_at), "month")
    if year_of(order.paid_at) == year:
        assert after["realised"] == before["realised"]
    assert after["realised"]["umk"] in (2_056_000, 0)  # this year or the fixture's
    assert after["reach"]["public"]["realised"]["total"] == 45_000
    records = db.session.scalars(
        select(SpendingRecord).where(SpendingRecord.order_id == order.id)
    ).all()
    assert [r.channel for r in records] == ["public"]


def test_a_refund_keeps_the_channel_of_the_sale(app):
    from marketplace.ordering.refunds import refund_order

    order = make_paid_order(make_user("public"))
    refund_order(make_user("finance"), order.id, 1_000, "rusak")
    channels = db.session.scalars(
        select(SpendingRecord.channel).where(SpendingRecord.order_id == order.id)
    ).all()
    assert set(channels) == {"public"} and len(channels) == 2


def test_umk_share_is_measured_against_each_opds_budget(app):
    dinkop, bappeda = make_opd("DINKOP"), make_opd("BAPPEDA")
    micro = make_vendor(umk_class="micro")
    medium = make_vendor(umk_class="medium")
    record_spending(400_000, at=at(3), vendor=micro, opd=dinkop, umk_class="micro")
    record_spending(600_000, at=at(3), vendor=medium, opd=dinkop, umk_class="medium")
    record_spending(100_000, at=at(4), vendor=micro, opd=bappeda, umk_class="micro")
    # ASN salary spending at a micro shop: reach only, even though the ASN works at BAPPEDA.
    record_spending(
        900_000, at=at(4), vendor=micro, opd=bappeda, umk_class="micro", channel="asn_personal"
    )
    db.session.commit()
    finance = make_user("finance")
    services.set_budgets(finance, YEAR, {"DINKOP": 1_000_000, "BAPPEDA": 1_000_000})

    report = services.spending_report(YEAR, "opd")
    assert report["budget"] == 2_000_000
    assert report["realised"]["umk"] == 500_000
    assert report["budget_share_bps"]["umk"] == 2500
    rows = {r["opd_code"]: r for r in report["rows"]}
    assert rows["DINKOP"]["umk_budget_share_bps"] == 4000
    assert rows["DINKOP"]["meets_umk_floor"] is True
    assert rows["BAPPEDA"]["umk_budget_share_bps"] == 1000
    assert rows["BAPPEDA"]["meets_umk_floor"] is False
    assert report["reach"]["asn_personal"]["realised"]["umk"] == 900_000
    reach_rows = report["reach"]["asn_personal"]["rows"]
    assert [(r["opd_code"], r["total"]) for r in reach_rows] == [("BAPPEDA", 900_000)]
    assert "budget" not in reach_rows[0]  # reach has no budget share: it is not realisation


def test_budgets_api_replaces_the_year_audits_and_refuses_bad_input(api):
    make_opd("DINKOP"), make_opd("BAPPEDA")
    finance = make_user("finance")
    db.session.commit()
    client = api(finance)
    resp = client.put(
        f"/api/v1/finance/budgets/{YEAR}", json={"by_opd": {"DINKOP": 12_000_000_000}}
    )
    assert resp.status_code == 200, resp.json
    assert resp.json["by_opd"] == {"DINKOP": 12_000_000_000}
    assert resp.json["total"] == 12_000_000_000 and resp.json["is_set"] is True
    assert resp.json["updated_at"].endswith("+00:00")
    resp = client.put(f"/api/v1/finance/budgets/{YEAR}", json={"by_opd": {"BAPPEDA": 5}})
    assert client.get(f"/api/v1/finance/budgets/{YEAR}").json["by_opd"] == {"BAPPEDA": 5}
    audits = db.session.scalars(select(AuditLog).where(AuditLog.action == "budgets.set")).all()
    assert len(audits) == 2
    assert audits[-1].before == {"by_opd": {"DINKOP": 12_000_000_000}}
    assert audits[-1].after == {"by_opd": {"BAPPEDA": 5}}

    for body, field in (
        ({"by_opd": {"NOPE": 1}}, "by_opd"),
        ({"by_opd": {"DINKOP": -1}}, "by_opd"),
        ({"by_opd": {"DINKOP": "banyak"}}, "by_opd"),
        ({"by_opd": {"DINKOP": 1.5}}, "by_opd"),
        ({}, "by_opd"),
        ({"by_opd": {}, "extra": 1}, "extra"),
    ):
        resp = client.put(f"/api/v1/finance/budgets/{YEAR}", json=body)
        assert resp.status_code == 422, (body, resp.json)
        assert field in resp.json["error"]["details"], (body, resp.json)
    assert client.get(f"/api/v1/finance/budgets/{YEAR}").json["by_opd"] == {"BAPPEDA": 5}
    assert client.put("/api/v1/finance/budgets/1800", json={"by_opd": {}}).status_code == 422


def test_only_finance_and_admin_see_or_set_budgets(api):
    for role in ("public", "civil_servant", "vendor"):
        client = api(make_user(role))
        assert client.get(f"/api/v1/finance/budgets/{YEAR}").status_code == 403
        assert client.put(f"/api/v1/finance/budgets/{YEAR}", json={"by_opd": {}}).status_code == 403


def test_every_export_row_names_its_population(api):
    dinkop = make_opd("DINKOP")
    shop = make_vendor()
    record_spending(100_000, at=at(2), vendor=shop, opd=dinkop)
    record_spending(30_000, at=at(2), vendor=shop, buyer=make_user("public"))
    db.session.commit()
    client = api(make_user("finance"))
    resp = client.get(f"/api/v1/finance/spending?year={YEAR}&group_by=kelurahan&format=csv")
    rows = list(csv.DictReader(io.StringIO(resp.data.decode("utf-8-sig"))))
    labelled = {(r["population"], r["channel"], int(r["total"])) for r in rows}
    assert labelled == {
        ("target_realisation", "opd_procurement", 100_000),
        ("programme_reach", "public", 30_000),
    }
    body = client.get(f"/api/v1/finance/spending?year={YEAR}").json
    assert body["population"] == "target_realisation"
    assert body["channels"] == ["opd_procurement"]
    assert body["reach"]["public"]["population"] == "programme_reach"


def test_budgets_page_saves_amounts_typed_with_dots_and_the_dashboard_labels_populations(
    client, login
):
    make_opd("DINKOP"), make_opd("BAPPEDA")
    user = make_user("finance")
    db.session.commit()
    login(client, user)
    page = client.get(f"/finance/budgets/{YEAR}").get_data(as_text=True)
    assert 'name="budget-DINKOP"' in page and "data-confirm" in page
    resp = client.post(
        f"/finance/budgets/{YEAR}", data={"budget-DINKOP": "Rp 12.000.000", "budget-BAPPEDA": ""}
    )
    assert resp.status_code == 302
    assert services.get_budgets(YEAR)["by_opd"] == {"DINKOP": 12_000_000}
    resp = client.post(f"/finance/budgets/{YEAR}", data={"budget-DINKOP": "12,5rb"})
    assert resp.status_code in (302, 422)
    assert services.get_budgets(YEAR)["by_opd"] == {"DINKOP": 12_000_000}

    dashboard = client.get(f"/finance?year={YEAR}").get_data(as_text=True)
    assert 'data-testid="population-target"' in dashboard
    assert 'data-testid="reach-asn_personal"' in dashboard
    assert 'data-testid="reach-public"' in dashboard
    assert "bukan realisasi target" in dashboard


def test_an_offices_purchase_placed_by_a_civil_servant_is_not_their_mandate_spending(app):
    from marketplace.mandate.services import progress_for
    from marketplace.timeutil import current_period, now_utc
    from tests.factories import make_civil_servant

    ani = make_civil_servant()
    _mandate_counts_on_payment()
    shop = make_vendor(made_in_city=True)
    record_spending(80_000, at=now_utc(), vendor=shop, buyer=ani, channel="opd_procurement")
    record_spending(20_000, at=now_utc(), vendor=shop, buyer=ani)  # her own salary
    db.session.commit()
    assert progress_for(ani, current_period()).spent == 20_000


def _mandate_counts_on_payment():
    """These sales are paid, not received: the mandate counts them under a rule that counts on
    payment (a new rule's default is on receipt; later rules inherit the earlier choice)."""
    from marketplace.mandate.models import MandateRule

    db.session.add(MandateRule(effective_from="2020-01", default_amount=0, counts_on="payment"))
    db.session.flush()
