"""When a civil servant's purchase counts (issue 13, deliverable 5): at the buyer's receipt by
default (an order can still be cancelled or refunded before it), or at payment as the rule says;
the reports and the widget say which, and a closed month keeps its frozen figures."""

from __future__ import annotations

import pytest

from marketplace.extensions import db
from marketplace.finance import closing
from marketplace.mandate import services
from marketplace.ordering.models import Order
from tests.factories import make_civil_servant, make_user
from tests.mandate.helpers import make_admin, make_spending, refund_spending, set_rule, wib


def _receive(record, at) -> None:
    order = db.session.get(Order, record.order_id)
    order.status, order.completed_at = "completed", at
    db.session.flush()


def _spent(user, period) -> int:
    return services.my_mandate(user, period)["spent"]


def _report_spent(user, period) -> int:
    _p, rows = services.compliance_rows(make_user("finance"), period)
    return next(r["spent"] for r in rows if r["user_id"] == user.id)


@pytest.fixture
def asn(app):
    return make_civil_servant(position="Staf")


def test_a_new_rule_counts_on_receipt_and_a_later_rule_keeps_the_earlier_choice(app):
    admin = make_admin()
    first = services.set_mandate_rules(
        admin, default_amount=1, by_position={}, effective_from="2026-05", now=wib(2026, 5, 1)
    )
    assert first["counts_on"] == "receipt"
    services.set_mandate_rules(
        admin,
        default_amount=1,
        by_position={},
        effective_from="2026-05",
        counts_on="payment",
        now=wib(2026, 5, 1),
    )
    later = services.set_mandate_rules(
        admin, default_amount=2, by_position={}, effective_from="2026-07", now=wib(2026, 5, 2)
    )
    assert later["counts_on"] == "payment"


def test_a_wrong_choice_is_refused(app):
    with pytest.raises(Exception) as err:
        services.set_mandate_rules(
            make_admin(),
            default_amount=1,
            by_position={},
            effective_from="2026-05",
            counts_on="someday",
            now=wib(2026, 5, 1),
        )
    assert "counts_on" in err.value.details


def test_paid_on_the_30th_received_on_the_2nd_counts_in_the_month_it_is_received(asn):
    set_rule("2026-05", 100_000, counts_on="receipt")
    record = make_spending(asn, 150_000, wib(2026, 5, 30, 20))
    assert (_spent(asn, "2026-05"), _spent(asn, "2026-06")) == (0, 0)  # not received yet
    _receive(record, wib(2026, 6, 2, 9))
    assert (_spent(asn, "2026-05"), _spent(asn, "2026-06")) == (0, 150_000)
    assert (_report_spent(asn, "2026-05"), _report_spent(asn, "2026-06")) == (0, 150_000)


def test_at_payment_the_same_purchase_counts_in_the_month_it_was_paid(asn):
    set_rule("2026-05", 100_000, counts_on="payment")
    record = make_spending(asn, 150_000, wib(2026, 5, 30, 20))
    assert (_spent(asn, "2026-05"), _spent(asn, "2026-06")) == (150_000, 0)
    _receive(record, wib(2026, 6, 2, 9))
    assert (_spent(asn, "2026-05"), _spent(asn, "2026-06")) == (150_000, 0)
    assert (_report_spent(asn, "2026-05"), _report_spent(asn, "2026-06")) == (150_000, 0)


def test_a_refund_before_receipt_nets_in_and_one_after_lands_in_its_own_month(asn):
    set_rule("2026-05", 100_000, counts_on="receipt")
    record = make_spending(asn, 150_000, wib(2026, 5, 30, 20))
    refund_spending(record, 20_000)  # before the receipt, booked in May
    _receive(record, wib(2026, 6, 2, 9))
    late = refund_spending(record, 30_000)
    late.period = "2026-07"  # refunded in July, after the receipt
    db.session.flush()
    assert [_spent(asn, p) for p in ("2026-05", "2026-06", "2026-07")] == [0, 130_000, -30_000]
    assert [_report_spent(asn, p) for p in ("2026-05", "2026-06", "2026-07")] == [
        0,
        130_000,
        -30_000,
    ]
    lines = services.counted_spending_page(asn, "2026-06").items
    assert [(r["amount"], r["refunded"]) for r in lines] == [(130_000, 20_000)]


def test_a_cancelled_order_never_counts_on_receipt(asn):
    set_rule("2026-05", 100_000, counts_on="receipt")
    record = make_spending(asn, 150_000, wib(2026, 5, 10))
    refund_spending(record, 150_000)
    assert _spent(asn, "2026-05") == 0 and _report_spent(asn, "2026-05") == 0


def test_a_closed_month_keeps_its_frozen_figures_when_the_order_is_received_later(asn):
    set_rule("2026-05", 100_000, {"Staf": 100_000}, counts_on="receipt")
    record = make_spending(asn, 150_000, wib(2026, 5, 30, 20))
    closing.close_period(make_user("finance"), "2026-05")
    _receive(record, wib(2026, 6, 2, 9))
    assert (_spent(asn, "2026-05"), _report_spent(asn, "2026-05")) == (0, 0)
    assert _spent(asn, "2026-06") == 150_000
    mine = services.my_mandate(asn, "2026-05")
    assert (mine["counts_on"], mine["position_class"]) == ("receipt", "Staf")


def test_the_pages_say_when_purchases_count(app, client, login):
    from marketplace.timeutil import current_period

    asn = make_civil_servant()
    set_rule(current_period(), 100_000, counts_on="receipt")
    db.session.commit()
    login(client, asn)
    html = client.get("/mandate").get_data(as_text=True)
    assert "Belanja dihitung pada bulan pesanan diterima" in html
    assert 'data-testid="mandate-widget-counts-on"' not in html  # the page replaces the widget
    html = client.get("/orders").get_data(as_text=True)
    assert "Belanja dihitung saat pesanan diterima" in html
    finance = make_user("finance")
    db.session.commit()
    login(client, finance)
    html = client.get("/finance/compliance").get_data(as_text=True)
    assert "Belanja dihitung saat pesanan diterima pembeli." in html
