"""Ordering rules without a database: the state machine, VAT, commission and refund splits."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import marketplace.models  # noqa: F401  (every mapper, so Order() can be built without the app)
from marketplace.errors import InvalidTransition
from marketplace.ordering import rules
from marketplace.ordering.models import ORDER_STATUSES, TRANSITIONS, Order

ALLOWED = [(a, b) for a, targets in TRANSITIONS.items() for b in targets]
FORBIDDEN = [
    ("paid", "pending_payment"),
    ("accepted", "cancelled"),
    ("accepted", "rejected"),
    ("ready", "accepted"),
    ("completed", "ready"),
    ("expired", "paid"),
    ("cancelled", "paid"),
    ("rejected", "paid"),
    ("pending_payment", "completed"),
    ("pending_payment", "rejected"),
    ("paid", "completed"),
    ("completed", "cancelled"),
    ("paid", "delivered"),
    ("delivered", "completed"),
    ("accepted", "received"),
    ("received", "completed"),
]


@pytest.mark.parametrize("start,end", ALLOWED)
def test_every_allowed_transition_moves_and_records_an_event(start, end):
    # `delivered` is an office's order's step only (invoice terms).
    terms = "invoice" if end in ("delivered", "received") else "prepaid"
    order = Order(status=start, number="PKN-TEST", payment_terms=terms)
    order.transition_to(end, note="alasan")
    assert order.status == end
    assert order.events[-1].from_status == start and order.events[-1].to_status == end


@pytest.mark.parametrize("start,end", FORBIDDEN)
def test_forbidden_transitions_raise_invalid_transition(start, end):
    order = Order(status=start, number="PKN-TEST")
    with pytest.raises(InvalidTransition) as err:
        order.transition_to(end)
    assert err.value.status == 409 and err.value.code == "invalid_transition"
    assert order.status == start


def test_the_spec_lifecycle_is_exactly_the_transition_table():
    assert set(TRANSITIONS) == set(ORDER_STATUSES)
    assert set(ALLOWED) == {
        ("pending_payment", "paid"),
        ("pending_payment", "expired"),
        ("pending_payment", "cancelled"),
        ("paid", "accepted"),
        ("paid", "cancelled"),
        ("paid", "rejected"),
        ("accepted", "ready"),
        ("ready", "completed"),
        # An office's order on invoice (issue 12): placed at its PPK's approval, never paid
        # up front and never expiring; the shop accepts or rejects it, the office may cancel.
        ("placed", "accepted"),
        ("placed", "cancelled"),
        ("placed", "rejected"),
        # The shop hands an office's order over (invoice terms only); its BAST follows.
        ("accepted", "delivered"),
        ("ready", "delivered"),
        # The office confirms the receipt with its BAST (invoice terms only).
        ("delivered", "received"),
    }


def test_only_an_office_order_is_received_by_a_bast():
    order = Order(status="delivered", number="X", payment_terms="prepaid")
    assert not order.can_transition_to("received")
    order.payment_terms = "invoice"
    assert order.can_transition_to("received")
    order.transition_to("received")
    assert order.status == "received" and not order.can_transition_to("completed")


def test_paid_and_completed_stamp_their_times():
    order = Order(status="pending_payment", number="X")
    order.transition_to("paid")
    assert order.paid_at is not None


def test_vat_only_for_pkp_vendors_on_taxable_goods():
    assert rules.line_vat(111_000, vendor_pkp=True, vat_exempt=False) == 11_000
    assert rules.line_vat(111_000, vendor_pkp=False, vat_exempt=False) == 0
    assert rules.line_vat(111_000, vendor_pkp=True, vat_exempt=True) == 0
    assert rules.line_vat(15_000, vendor_pkp=True, vat_exempt=False) == 1_486  # 1486.49 half-up


def test_commission_is_rounded_half_up_in_basis_points():
    assert rules.commission_for(10_000, 0) == 0
    assert rules.commission_for(10_000, 250) == 250
    assert rules.commission_for(10_002, 250) == 250  # 250.05
    assert rules.commission_for(10_020, 250) == 251  # 250.5 → 251


def test_partial_refunds_give_back_exactly_the_whole_commission():
    total, commission = 10_001, rules.commission_for(10_001, 333)
    parts = [
        rules.refund_commission_share(commission, total, before, amount)
        for before, amount in [(0, 3_333), (3_333, 3_333), (6_666, 3_335)]
    ]
    assert sum(parts) == commission


@settings(max_examples=200, deadline=None)
@given(
    total=st.integers(1, 10**9),
    bps=st.integers(0, 2_000),
    cuts=st.lists(st.integers(1, 10**6), min_size=1, max_size=6),
)
def test_any_refund_sequence_sums_to_the_commission_when_complete(total, bps, cuts):
    commission = rules.commission_for(total, bps)
    refunded, shares = 0, []
    for cut in cuts:
        amount = min(cut, total - refunded)
        if amount <= 0:
            break
        shares.append(rules.refund_commission_share(commission, total, refunded, amount))
        refunded += amount
    if refunded < total:
        shares.append(rules.refund_commission_share(commission, total, refunded, total - refunded))
    assert sum(shares) == commission
    assert all(0 <= s for s in shares)


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.integers(1, 10**7), min_size=1, max_size=6), data=st.data())
def test_refund_line_shares_sum_to_the_amount_and_net_to_zero_when_full(lines, data):
    total = sum(lines)
    first = data.draw(st.integers(1, total))
    a = rules.refund_line_shares(lines, first)
    remaining = [line - share for line, share in zip(lines, a)]
    b = rules.refund_line_shares(remaining, total - first)
    assert sum(a) == first
    assert [x + y for x, y in zip(a, b)] == lines


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(st.integers(1, 10**6), min_size=1, max_size=6),
    cuts=st.lists(st.integers(1, 10**9), min_size=1, max_size=8),
)
def test_every_partial_refund_share_stays_between_zero_and_what_is_left_on_the_line(lines, cuts):
    """At most eight partial refunds, then the rest: each share stays within what is left on its
    line, and together they return every line exactly (bounded steps: no unbounded draws)."""
    remaining = list(lines)
    for cut in [*cuts, None]:
        left_in_total = sum(remaining)
        if not left_in_total:
            break
        amount = left_in_total if cut is None else 1 + (cut - 1) % left_in_total
        shares = rules.refund_line_shares(remaining, amount)
        assert sum(shares) == amount
        assert all(0 <= share <= left for share, left in zip(shares, remaining))
        remaining = [left - share for left, share in zip(remaining, shares)]
    assert remaining == [0] * len(lines)


def test_order_numbers_are_readable_and_unique_per_id():
    assert rules.order_number("2026-11", 123) == "PKN-202611-000123"


def test_request_hash_ignores_key_order():
    assert rules.request_hash({"a": 1, "b": 2}) == rules.request_hash({"b": 2, "a": 1})
    assert rules.request_hash({"a": 1}) != rules.request_hash({"a": 2})


# ----------------------------------------------------------------- refunds by line
def test_cumulative_share_rounds_half_up_on_the_running_total():
    # 11 × 1 / 2 = 5.5 → 6; then 11 × 2 / 2 = 11 → the second half carries 5
    assert rules.cumulative_share(11, 2, 0, 1) == 6
    assert rules.cumulative_share(11, 2, 1, 1) == 5
    # 10 × 1 / 4 = 2.5 → 3; 10 × 2 / 4 = 5 → 2
    assert rules.cumulative_share(10, 4, 1, 1) == 2


@pytest.mark.parametrize("whole,base", [(0, 100), (-5, 100), (100, 0), (100, -1)])
def test_cumulative_share_of_nothing_or_over_nothing_is_zero(whole, base):
    assert rules.cumulative_share(whole, base, 0, 50) == 0


def test_cumulative_share_of_one_rupiah_over_one():
    assert rules.cumulative_share(1, 1, 0, 1) == 1


def test_refund_vat_of_a_whole_line_is_exactly_the_line_vat():
    assert rules.refund_vat_share(1_437, 14_500, 0, 14_500, vat_exempt=False) == 1_437


def test_refund_vat_is_the_vat_contained_in_the_refunded_part():
    # 1.437 × 4.833 / 14.500 = 478.96… → 479; the rest of the line carries the other 958
    first = rules.refund_vat_share(1_437, 14_500, 0, 4_833, vat_exempt=False)
    rest = rules.refund_vat_share(1_437, 14_500, 4_833, 14_500 - 4_833, vat_exempt=False)
    assert (first, rest) == (479, 958)


def test_refund_vat_of_an_exempt_line_is_zero_even_if_vat_was_recorded():
    assert rules.refund_vat_share(1_437, 14_500, 0, 14_500, vat_exempt=True) == 0


def test_refund_vat_of_a_line_without_vat_is_zero():
    assert rules.refund_vat_share(0, 14_500, 0, 14_500, vat_exempt=False) == 0


@given(
    total=st.integers(1, 5_000_000),
    cuts=st.lists(st.integers(1, 5_000_000), max_size=6),
)
def test_partial_refund_vat_adds_up_to_the_line_vat(total, cuts):
    # a line refunded in up to seven pieces, cut at arbitrary points
    points = sorted({c for c in cuts if c < total}) + [total]
    vat = rules.line_vat(total, vendor_pkp=True, vat_exempt=False)
    refunded, shares = 0, []
    for point in points:
        amount = point - refunded
        shares.append(rules.refund_vat_share(vat, total, refunded, amount, vat_exempt=False))
        refunded = point
    assert sum(shares) == vat
    assert all(s >= 0 for s in shares)


def test_refund_commission_share_still_splits_cumulatively():
    assert rules.refund_commission_share(11, 2, 0, 1) == 6
    assert rules.refund_commission_share(0, 2, 0, 1) == 0


def _lines(**extra):
    base = {
        1: rules.RefundableLine(quantity=3, unit_price=5_000, line_total=15_000),
        2: rules.RefundableLine(quantity=1, unit_price=14_500, line_total=14_500),
    }
    base.update(extra)
    return base


def test_refundable_line_knows_what_is_left():
    line = rules.RefundableLine(
        quantity=3, unit_price=5_000, line_total=15_000, refunded_quantity=1, refunded_amount=6_000
    )
    assert (line.quantity_left, line.amount_left) == (2, 9_000)


def test_a_quantity_refund_costs_quantity_times_unit_price():
    plan = rules.plan_line_refund(_lines(), [{"order_line_id": 1, "quantity": 2}])
    assert (plan.amounts, plan.quantities, plan.errors) == ({1: 10_000}, {1: 2}, {})


def test_a_quantity_refund_is_capped_at_what_is_left_of_the_line():
    line = rules.RefundableLine(
        quantity=3, unit_price=5_000, line_total=15_000, refunded_amount=12_000
    )
    plan = rules.plan_line_refund({1: line}, [{"order_line_id": 1, "quantity": 1}])
    assert plan.amounts == {1: 3_000} and plan.quantities == {1: 1}


def test_a_quantity_refund_up_to_exactly_what_is_left_is_accepted():
    line = rules.RefundableLine(
        quantity=3, unit_price=5_000, line_total=15_000, refunded_quantity=1, refunded_amount=5_000
    )
    plan = rules.plan_line_refund({1: line}, [{"order_line_id": 1, "quantity": 2}])
    assert plan.errors == {} and plan.amounts == {1: 10_000}


@pytest.mark.parametrize("quantity", [0, -1, 3])
def test_a_quantity_outside_one_to_what_is_left_is_refused(quantity):
    line = rules.RefundableLine(
        quantity=3, unit_price=5_000, line_total=15_000, refunded_quantity=1, refunded_amount=5_000
    )
    plan = rules.plan_line_refund({1: line}, [{"order_line_id": 1, "quantity": quantity}])
    assert plan.errors == {"lines.0.quantity": ["Antara 1 dan 2."]}
    assert plan.amounts == {} and plan.quantities == {}


def test_an_amount_refund_up_to_exactly_what_is_left_is_accepted():
    plan = rules.plan_line_refund(
        _lines(), [{"order_line_id": 2, "amount": 14_500}, {"order_line_id": 1, "amount": 1}]
    )
    assert (plan.amounts, plan.quantities, plan.errors) == ({2: 14_500, 1: 1}, {}, {})


@pytest.mark.parametrize("amount", [0, -3, 14_501])
def test_an_amount_outside_one_to_what_is_left_is_refused(amount):
    plan = rules.plan_line_refund(_lines(), [{"order_line_id": 2, "amount": amount}])
    assert plan.errors == {"lines.0.amount": ["Antara 1 dan 14500."]}
    assert plan.amounts == {}


def test_a_line_of_another_order_is_refused():
    plan = rules.plan_line_refund(
        _lines(), [{"order_line_id": 1, "amount": 1}, {"order_line_id": 99, "amount": 1}]
    )
    assert plan.errors == {"lines.1.order_line_id": ["Baris tidak ada pada pesanan ini."]}


def test_a_line_named_twice_is_refused_even_when_the_first_was_refused():
    plan = rules.plan_line_refund(
        _lines(),
        [
            {"order_line_id": 1, "quantity": 9},
            {"order_line_id": 1, "amount": 1},
            {"order_line_id": 2, "amount": 1},
        ],
    )
    assert plan.errors == {
        "lines.0.quantity": ["Antara 1 dan 3."],
        "lines.1.order_line_id": ["Baris ini disebut lebih dari sekali."],
    }
    assert plan.amounts == {2: 1}


def test_a_fully_refunded_line_cannot_be_refunded_again():
    done = rules.RefundableLine(
        quantity=1, unit_price=14_500, line_total=14_500, refunded_amount=14_500
    )
    plan = rules.plan_line_refund({2: done}, [{"order_line_id": 2, "amount": 1}])
    assert plan.errors == {"lines.0.order_line_id": ["Baris ini sudah dikembalikan seluruhnya."]}


def test_a_line_with_one_rupiah_left_can_still_be_refunded():
    line = rules.RefundableLine(
        quantity=1, unit_price=14_500, line_total=14_500, refunded_amount=14_499
    )
    plan = rules.plan_line_refund({2: line}, [{"order_line_id": 2, "quantity": 1}])
    assert plan.errors == {} and plan.amounts == {2: 1}


def test_credit_note_numbers_name_the_year_and_the_padded_refund_id():
    assert rules.credit_note_number(2026, 42) == "NR-2026-000042"
    assert rules.credit_note_number(2027, 1_234_567) == "NR-2027-1234567"


def test_every_refused_line_is_reported_and_the_good_ones_still_priced():
    lines = {
        **_lines(),
        3: rules.RefundableLine(quantity=1, unit_price=9, line_total=9, refunded_amount=9),
    }
    plan = rules.plan_line_refund(
        lines,
        [
            {"order_line_id": 99, "amount": 1},
            {"order_line_id": 3, "amount": 1},
            {"order_line_id": 2, "amount": 14_501},
            {"order_line_id": 1, "quantity": 1},
        ],
    )
    assert plan.errors == {
        "lines.0.order_line_id": ["Baris tidak ada pada pesanan ini."],
        "lines.1.order_line_id": ["Baris ini sudah dikembalikan seluruhnya."],
        "lines.2.amount": ["Antara 1 dan 14500."],
    }
    assert (plan.amounts, plan.quantities) == ({1: 5_000}, {1: 1})


def test_auto_completion_is_due_three_working_days_later_at_the_same_wib_time():
    from datetime import datetime

    from marketplace.timeutil import WIB, naive_utc

    def due(*ready):
        return rules.auto_complete_due(naive_utc(datetime(*ready, tzinfo=WIB)), 3)

    assert due(2026, 9, 7, 10) == naive_utc(datetime(2026, 9, 10, 10, tzinfo=WIB))  # Mon → Thu
    assert due(2026, 9, 12, 23, 30) == naive_utc(datetime(2026, 9, 16, 23, 30, tzinfo=WIB))
    assert due(2026, 3, 17, 8) == naive_utc(datetime(2026, 3, 27, 8, tzinfo=WIB))  # Lebaran
    # 06:30 WIB is the previous day in UTC: the WIB day is the one counted.
    assert due(2026, 9, 8, 6, 30) == naive_utc(datetime(2026, 9, 11, 6, 30, tzinfo=WIB))
    assert rules.auto_complete_due(datetime(2026, 9, 7, 3), 0) == datetime(2026, 9, 7, 3)


# ---------------------------------------------------------------- an office order's delivery
def test_a_delivery_is_recorded_between_the_shops_acceptance_and_today():
    from datetime import date

    accepted, today = date(2026, 9, 7), date(2026, 9, 10)
    for day in (accepted, today):
        assert rules.delivery_errors(day, "Bu Rina", accepted_on=accepted, today=today) == {}
    assert rules.delivery_errors(date(2026, 9, 1), "Bu", accepted_on=None, today=today) == {}
    assert rules.delivery_errors(
        date(2026, 9, 11), "Bu Rina", accepted_on=accepted, today=today
    ) == {"delivered_on": ["Tanggal serah terima tidak boleh di masa depan."]}
    assert rules.delivery_errors(date(2026, 9, 6), " X ", accepted_on=accepted, today=today) == {
        "delivered_on": ["Tanggal serah terima sebelum pesanan diterima toko."],
        "received_by": ["Tulis nama penerima di kantor."],
    }
