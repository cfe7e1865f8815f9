"""Issue 9 part 4: closed months never change; later refunds are adjustments naming the month."""

import csv
import io

import pytest
from sqlalchemy import select, update

from marketplace.audit.models import AuditLog
from marketplace.extensions import db
from marketplace.finance import closing, services
from marketplace.ledger.models import SpendingRecord
from marketplace.mandate.services import progress_for
from marketplace.ordering.models import Order
from marketplace.ordering.refunds import refund_order
from marketplace.timeutil import current_period, period_bounds, previous_period, year_of
from tests.factories import (
    make_civil_servant,
    make_paid_order,
    make_product,
    make_user,
    make_vendor,
)

LAST = previous_period(current_period())


def _move_to_last_month(order: Order) -> None:
    """Make `order` a sale of last month (as if paid on its 15th)."""
    start, _ = period_bounds(LAST)
    paid_at = start.replace(day=15)
    db.session.execute(update(Order).where(Order.id == order.id).values(paid_at=paid_at))
    db.session.execute(
        update(SpendingRecord)
        .where(SpendingRecord.order_id == order.id)
        .values(occurred_at=paid_at, period=LAST, year=year_of(paid_at))
    )
    db.session.commit()


@pytest.fixture
def november_sale(app):
    """The issue's example: a Rp108.000 sale in a month that then closes."""
    ani = make_civil_servant()
    _mandate_counts_on_payment()
    shop = make_vendor(made_in_city=True)
    product = make_product(shop, price=54_000, stock=10, is_local_product=True)
    order = make_paid_order(ani, [(product, 2)])
    _move_to_last_month(order)
    return order


def test_a_later_refund_of_a_closed_months_sale_is_booked_now_naming_that_month(november_sale):
    order, ani = november_sale, november_sale.buyer
    finance = make_user("finance")
    assert progress_for(ani, LAST).spent == 108_000
    closed = closing.close_period(finance, LAST)
    before = closed.snapshot
    assert before["by_channel"]["asn_personal"]["total"] == 108_000

    refund_order(finance, order.id, 54_000, "barang rusak")

    # The closed month is untouched: its records, its snapshot, its mandate progress.
    stored = {k: v for k, v in closed.snapshot.items() if k != "mandate"}
    assert closing.snapshot_of(LAST) == stored
    assert closing.closed_view(closed)["intact"] is True
    assert progress_for(ani, LAST).spent == 108_000
    # The refund sits in this month, naming the closed one.
    refund_rows = db.session.scalars(
        select(SpendingRecord).where(
            SpendingRecord.order_id == order.id, SpendingRecord.refund_id.is_not(None)
        )
    ).all()
    assert [(r.period, r.adjusts_period, r.amount) for r in refund_rows] == [
        (current_period(), LAST, -54_000)
    ]
    fixes = closing.corrections(LAST)
    assert fixes.total == 1
    assert fixes.items[0]["order_number"] == order.number
    assert fixes.items[0]["booked_period"] == current_period()
    assert fixes.items[0]["amount"] == -54_000
    now = closing.snapshot_of(current_period())
    assert now["adjustments_booked"] == {LAST: -54_000}


def test_a_refund_while_the_month_is_open_still_nets_that_month(november_sale):
    refund_order(make_user("finance"), november_sale.id, 54_000, "barang rusak")
    assert progress_for(november_sale.buyer, LAST).spent == 54_000
    assert closing.corrections(LAST).total == 0


def test_closing_checks_the_month_and_happens_once(app):
    finance = make_user("finance")
    with pytest.raises(Exception) as err:
        closing.close_period(finance, current_period())
    assert getattr(err.value, "status", None) == 422
    closing.close_period(finance, LAST)
    with pytest.raises(Exception) as err:
        closing.close_period(finance, LAST)
    assert getattr(err.value, "code", None) == "period_closed"
    audits = db.session.scalars(select(AuditLog).where(AuditLog.action == "period.close")).all()
    assert [a.target_id for a in audits] == [LAST]


def test_close_api_snapshot_and_exports_reproduce_it(api, november_sale):
    client = api(make_user("finance"))
    assert client.post(f"/api/v1/finance/periods/{current_period()}/close").status_code == 422
    assert client.post("/api/v1/finance/periods/2026-13/close").status_code == 422
    assert client.post("/api/v1/finance/periods/bulan-lalu/close").status_code == 422
    assert client.get(f"/api/v1/finance/periods/{LAST}").status_code == 404
    resp = client.post(f"/api/v1/finance/periods/{LAST}/close")
    assert resp.status_code == 201, resp.json
    body = resp.json
    assert len(body["checksum"]) == 64 and body["intact"] is True
    assert body["closed_at"].endswith("+00:00")
    assert client.post(f"/api/v1/finance/periods/{LAST}/close").json["error"]["code"] == (
        "period_closed"
    )
    listed = client.get("/api/v1/finance/periods").json
    assert [p["period"] for p in listed["items"]] == [LAST]

    csv_resp = client.get(f"/api/v1/finance/periods/{LAST}?format=csv")
    assert (
        csv_resp.status_code == 200
        and body["checksum"][:12] in (csv_resp.headers["Content-Disposition"])
    )
    rows = list(csv.DictReader(io.StringIO(csv_resp.data.decode("utf-8-sig"))))
    snap = body["snapshot"]["rows"]
    assert [(r["channel"], int(r["total"])) for r in rows] == [
        (r["channel"], r["total"]) for r in snap
    ]
    assert client.get(f"/api/v1/finance/periods/{LAST}?format=xlsx").status_code == 200
    corrections = client.get(f"/api/v1/finance/periods/{LAST}/corrections").json
    assert corrections["total"] == 0
    for role in ("public", "civil_servant", "vendor"):
        other = api(make_user(role))
        assert other.post(f"/api/v1/finance/periods/{LAST}/close").status_code == 403
        assert other.get(f"/api/v1/finance/periods/{LAST}").status_code == 403


def test_periods_pages_close_with_confirmation_and_show_snapshot_and_corrections(
    client, login, november_sale
):
    user = make_user("finance")
    db.session.commit()
    login(client, user)
    page = client.get("/finance/periods").get_data(as_text=True)
    assert LAST in page and "data-confirm" in page
    resp = client.post(f"/finance/periods/{LAST}/close")
    assert resp.status_code == 302
    refund_order(make_user("finance"), november_sale.id, 10_000, "kurang")
    page = client.get(f"/finance/periods/{LAST}").get_data(as_text=True)
    closed = closing.get_closed(LAST)
    assert closed.checksum in page
    assert 'data-testid="intact"' in page
    assert november_sale.number in page
    # The spending report's month row of the closed month did not move.
    months = services.spending_report(year_of(closed.created_at), "month")
    assert months is not None


def test_the_mandate_of_a_closed_month_is_frozen_with_it(november_sale):
    """An ASN compliant on the last day stays compliant after the close, whatever happens."""
    from marketplace.mandate.services import compliance_report, set_mandate_rules

    ani = november_sale.buyer
    admin = make_user("admin")
    in_last_month = period_bounds(LAST)[0]
    set_mandate_rules(
        admin, default_amount=100_000, by_position={}, effective_from=LAST, now=in_last_month
    )
    assert progress_for(ani, LAST).compliant
    closed = closing.close_period(make_user("finance"), LAST)
    assert closed.snapshot["mandate"]["compliant"] == 1
    assert closed.snapshot["mandate"]["spent"] == 108_000

    # A stricter rule for that month, a refund and a deactivation change nothing about it.
    set_mandate_rules(
        admin, default_amount=500_000, by_position={}, effective_from=LAST, now=in_last_month
    )
    refund_order(make_user("finance"), november_sale.id, 54_000, "barang rusak")
    ani.active = False
    db.session.commit()
    progress = progress_for(ani, LAST)
    assert (progress.required, progress.spent, progress.compliant) == (100_000, 108_000, True)
    report = compliance_report(make_user("finance"), LAST)
    assert report.extra["summary"]["compliant"] == 1
    assert [r["spent"] for r in report.items] == [108_000]
    assert closing.closed_view(closed)["intact"] is True


def _mandate_counts_on_payment():
    """These sales are paid, not received: the mandate counts them under a rule that counts on
    payment (a new rule's default is on receipt; later rules inherit the earlier choice)."""
    from marketplace.mandate.models import MandateRule

    db.session.add(MandateRule(effective_from="2020-01", default_amount=0, counts_on="payment"))
    db.session.flush()
