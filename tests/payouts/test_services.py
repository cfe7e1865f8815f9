"""The payout engine against the ledger: balances, runs, settlement, debt, Stripe Connect."""

from __future__ import annotations

import csv
import io
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.audit.models import AuditLog
from marketplace.errors import InvalidTransition
from marketplace.extensions import db
from marketplace.ledger.models import (
    PROVIDER_CASH,
    VENDOR_AVAILABLE,
    VENDOR_IN_TRANSIT,
    VENDOR_RECEIVABLE,
    JournalEntry,
)
from marketplace.ledger.services import account_balances, vendor_account_balance
from marketplace.models_base import utcnow
from marketplace.notifications.models import Notification
from marketplace.payouts import services
from marketplace.payouts.models import Payout, PayoutRun
from tests.factories import make_product, make_user, make_vendor
from tests.payouts.journals import earn, journals_balanced, ledger_total, pay, refund_after_payout
from tests.stripe_fake import FakeStripeHTTP, stripe_error


# ================================================================= balances
def test_balance_is_derived_from_the_ledger(app, banked_vendor):
    vendor = banked_vendor()
    pay(vendor, 30_000)
    earn(vendor, 100_000)
    assert services.vendor_balance(vendor.id) == {
        "pending": 30_000,
        "available": 100_000,
        "paid_out": 0,
        "in_transit": 0,
        "debt": 0,
    }


def test_debt_is_netted_in_the_available_balance_and_may_go_negative(app, banked_vendor):
    vendor = banked_vendor()
    earn(vendor, 10_000)
    refund_after_payout(vendor, 25_000)
    balance = services.vendor_balance(vendor.id)
    assert balance["debt"] == 25_000
    assert balance["available"] == -15_000


# ================================================================= runs
def test_payout_equals_the_ledger_available_balance(app, finance, banked_vendor):
    a, b = banked_vendor(), banked_vendor()
    earn(a, 100_000)
    earn(a, 50_000)
    earn(b, 20_000)
    pay(b, 99_000)  # paid but not completed: not payable yet

    run = services.run_payouts(finance)

    amounts = {p.vendor_id: p.amount for p in run.payouts}
    assert amounts == {a.id: 150_000, b.id: 20_000}
    assert run.total == 170_000
    assert services.vendor_balance(a.id)["available"] == 0
    assert services.vendor_balance(a.id)["in_transit"] == 150_000
    assert services.vendor_balance(b.id)["pending"] == 99_000
    assert journals_balanced() and ledger_total() == 0


def test_a_second_run_right_after_creates_no_payouts(app, finance, banked_vendor):
    vendor = banked_vendor()
    earn(vendor, 75_000)
    first = services.run_payouts(finance)
    second = services.run_payouts(finance)
    assert len(first.payouts) == 1
    assert second.payouts == [] and second.total == 0
    assert db.session.scalar(select(db.func.count(Payout.id))) == 1


def test_money_completed_after_a_run_goes_to_the_next_run(app, finance, banked_vendor):
    vendor = banked_vendor()
    earn(vendor, 75_000)
    services.run_payouts(finance)
    earn(vendor, 5_000)
    run = services.run_payouts(finance)
    assert [p.amount for p in run.payouts] == [5_000]


def test_vendor_without_bank_details_is_flagged_and_keeps_the_balance(app, finance):
    vendor = make_vendor(bank_name="BRI", bank_account_number=None, bank_account_name=None)
    earn(vendor, 40_000)
    run = services.run_payouts(finance)
    assert run.payouts == []
    assert run.flagged[0]["vendor_id"] == vendor.id
    assert run.flagged[0]["reason"] == "missing_bank_details"
    assert run.flagged[0]["missing"] == ["bank_account_number", "bank_account_name"]
    assert services.vendor_balance(vendor.id)["available"] == 40_000


def test_vendor_with_only_debt_gets_no_payout(app, finance, banked_vendor):
    vendor = banked_vendor()
    refund_after_payout(vendor, 12_000)
    run = services.run_payouts(finance)
    assert run.payouts == []
    assert services.vendor_balance(vendor.id)["debt"] == 12_000


def test_refund_after_payout_becomes_debt_netted_from_the_next_payout(app, finance, banked_vendor):
    vendor = banked_vendor()
    earn(vendor, 100_000)
    first = services.run_payouts(finance)
    services.mark_payout_paid(finance, first.payouts[0].id, "TRX-1")
    refund_after_payout(vendor, 30_000)  # what ordering posts for a refund after the payout
    earn(vendor, 80_000)

    run = services.run_payouts(finance)

    payout = run.payouts[0]
    assert (payout.amount, payout.debt_netted) == (50_000, 30_000)
    balance = services.vendor_balance(vendor.id)
    assert balance["debt"] == 0 and balance["available"] == 0
    assert vendor_account_balance(vendor.id, VENDOR_RECEIVABLE) == 0
    assert journals_balanced() and ledger_total() == 0


def test_as_of_pays_only_money_that_was_available_before_it(app, finance, banked_vendor):
    vendor = banked_vendor()
    earn(vendor, 60_000, at=utcnow() - timedelta(days=3))
    earn(vendor, 9_000)  # completed today
    cutoff = utcnow() - timedelta(days=1)

    run = services.run_payouts(finance, as_of=cutoff)
    assert [p.amount for p in run.payouts] == [60_000]
    assert services.vendor_balance(vendor.id)["available"] == 9_000
    # the same cut-off again finds nothing more: the payout journal counts whenever it was made
    assert services.run_payouts(finance, as_of=cutoff).payouts == []
    assert [p.amount for p in services.run_payouts(finance).payouts] == [9_000]


def test_run_is_audited(app, finance, banked_vendor):
    earn(banked_vendor(), 10_000)
    run = services.run_payouts(finance)
    log = db.session.scalar(select(AuditLog).where(AuditLog.action == "payout.run"))
    assert log.actor_id == finance.id and log.target_id == str(run.id)
    assert log.after["total"] == 10_000


def _run_in_thread(app, finance_id, results, barrier):
    with app.app_context():
        from marketplace.accounts.models import User

        actor = db.session.get(User, finance_id)
        db.session.commit()
        barrier.wait()
        try:
            run = services.run_payouts(actor)
            results.append(sum(p.amount for p in run.payouts))
        except Exception as err:  # noqa: BLE001 - any error shows up in the assertion
            results.append(err)
        finally:
            db.session.remove()


def test_two_concurrent_runs_pay_each_vendor_once(app, finance, banked_vendor):
    vendors = [banked_vendor() for _ in range(3)]
    for v in vendors:
        earn(v, 10_000)
    finance_id = finance.id
    db.session.commit()  # and touch no row until the threads are done (SQLite has one writer)
    results: list = []
    barrier = threading.Barrier(2)
    threads = [
        threading.Thread(target=_run_in_thread, args=(app, finance_id, results, barrier))
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    db.session.expire_all()
    assert sorted(results) == [0, 30_000]
    assert db.session.scalar(select(db.func.count(Payout.id))) == 3
    assert db.session.scalar(select(db.func.count(PayoutRun.id))) == 2
    assert ledger_total() == 0


# ================================================================= settle / cancel
def test_mark_paid_moves_in_transit_to_cash_and_the_ledger_sums_to_zero(
    app, finance, banked_vendor
):
    vendor = banked_vendor()
    earn(vendor, 100_000)
    payout = services.run_payouts(finance).payouts[0]
    cash_before = account_balances()[PROVIDER_CASH]

    paid = services.mark_payout_paid(finance, payout.id, "BJTM-0001")

    assert paid.status == "paid" and paid.paid_at is not None and paid.bank_reference == "BJTM-0001"
    assert vendor_account_balance(vendor.id, VENDOR_IN_TRANSIT) == 0
    assert account_balances()[PROVIDER_CASH] == cash_before - 100_000
    assert services.vendor_balance(vendor.id)["paid_out"] == 100_000
    assert sum(account_balances().values()) == 0 and journals_balanced()
    journal = db.session.scalar(select(JournalEntry).where(JournalEntry.kind == "payout_paid"))
    assert journal.payout_id == payout.id and journal.reference == "BJTM-0001"
    assert (
        db.session.scalar(select(AuditLog).where(AuditLog.action == "payout.mark_paid")) is not None
    )


def test_mark_paid_notifies_the_shop_owner(app, finance, banked_vendor):
    vendor = banked_vendor()
    earn(vendor, 100_000)
    payout = services.run_payouts(finance).payouts[0]
    services.mark_payout_paid(finance, payout.id, "BJTM-0001")
    note = db.session.scalar(select(Notification).where(Notification.user_id == vendor.owner_id))
    assert note.kind == "payout_paid" and "Rp100.000" in note.title


def test_a_payout_cannot_be_marked_paid_twice(app, finance, banked_vendor):
    earn(vendor := banked_vendor(), 10_000)
    payout = services.run_payouts(finance).payouts[0]
    services.mark_payout_paid(finance, payout.id, "A")
    with pytest.raises(InvalidTransition):
        services.mark_payout_paid(finance, payout.id, "B")
    db.session.rollback()
    assert services.vendor_balance(vendor.id)["paid_out"] == 10_000


def test_cancel_returns_the_money_to_available_and_restores_the_debt(app, finance, banked_vendor):
    vendor = banked_vendor()
    refund_after_payout(vendor, 5_000)
    earn(vendor, 50_000)
    payout = services.run_payouts(finance).payouts[0]
    assert payout.amount == 45_000

    services.cancel_payout(finance, payout.id, "Rekening ditolak bank")

    balance = services.vendor_balance(vendor.id)
    assert (balance["available"], balance["debt"], balance["in_transit"]) == (45_000, 5_000, 0)
    assert vendor_account_balance(vendor.id, VENDOR_AVAILABLE) == -50_000
    with pytest.raises(InvalidTransition):
        services.mark_payout_paid(finance, payout.id, "X")
    db.session.rollback()
    assert [p.amount for p in services.run_payouts(finance).payouts] == [45_000]


def test_bank_file_has_one_row_per_payout_and_marks_them_exported(app, finance, banked_vendor):
    a = banked_vendor(name="=Toko Rumus")
    b = banked_vendor(
        name="Toko Berkah", bank_name="BCA", bank_account_number="777", bank_account_name="Budi"
    )
    nobank = make_vendor(name="Toko Tanpa Rekening")
    earn(a, 10_000)
    earn(b, 20_000)
    earn(nobank, 5_000)
    run = services.run_payouts(finance)

    filename, text, excluded = services.export_bank_file(finance, run.id)

    rows = list(csv.DictReader(io.StringIO(text)))
    assert filename.startswith(f"peken-payouts-run-{run.id}-")
    assert [r["vendor_name"] for r in rows] == ["'=Toko Rumus", "Toko Berkah"]
    berkah = rows[1]
    assert (
        berkah["bank_name"],
        berkah["account_number"],
        berkah["account_name"],
        berkah["amount"],
    ) == ("BCA", "777", "Budi", "20000")
    assert berkah["reference"] == f"PKN-PO-{run.payouts[1].id}"
    assert [f["vendor_name"] for f in excluded] == ["Toko Tanpa Rekening"]
    assert {p.status for p in services.get_run(run.id).payouts} == {"exported"}


# ================================================================= Stripe Connect
@pytest.fixture
def fake_stripe(app):
    fake = FakeStripeHTTP()
    app.config.update(
        STRIPE_SECRET_KEY="sk_test_fake", STRIPE_HTTP_CLIENT=fake, STRIPE_MAX_NETWORK_RETRIES=0
    )
    return fake


def test_stripe_connect_transfer_sends_rupiah_times_100_with_a_deterministic_key(
    app, finance, fake_stripe
):
    vendor = make_vendor(stripe_account_id="acct_1Vendor")
    earn(vendor, 150_000)

    run = services.run_payouts(finance, adapter="stripe")

    payout = run.payouts[0]
    [call] = fake_stripe.calls("POST", "/v1/transfers")
    assert call.form["amount"] == "15000000" and call.form["currency"] == "idr"
    assert call.form["destination"] == "acct_1Vendor"
    assert call.form["transfer_group"] == f"payout:{payout.id}"
    assert call.form["metadata[payout_id]"] == str(payout.id)
    assert call.idempotency_key == f"payout:{payout.id}:transfer"
    assert payout.status == "paid" and payout.provider_ref.startswith("tr_")
    assert vendor_account_balance(vendor.id, VENDOR_IN_TRANSIT) == 0
    journal = db.session.scalar(select(JournalEntry).where(JournalEntry.kind == "payout_transfer"))
    assert journal.reference == payout.provider_ref
    assert ledger_total() == 0


def test_stripe_refusal_is_recorded_and_a_retry_succeeds_with_the_next_key(
    app, finance, fake_stripe
):
    vendor = make_vendor(stripe_account_id="acct_1Vendor")
    earn(vendor, 50_000)
    fake_stripe.on(
        "POST",
        "/v1/transfers",
        lambda req: stripe_error(
            400,
            "balance_insufficient",
            "You have insufficient available funds in your Stripe account.",
        ),
    )

    payout = services.run_payouts(finance, adapter="stripe").payouts[0]

    assert payout.status == "failed" and payout.failure_code == "balance_insufficient"
    assert "insufficient" in payout.failure_message
    assert services.vendor_balance(vendor.id)["in_transit"] == 50_000  # held for the retry
    fake_stripe.routes.pop(0)  # the platform balance was topped up

    retried = services.retry_payout(finance, payout.id)

    keys = [c.idempotency_key for c in fake_stripe.calls("POST", "/v1/transfers")]
    # Stripe replays a refused key for 24 h, so the retry after a refusal uses the next key
    assert keys == [f"payout:{payout.id}:transfer", f"payout:{payout.id}:transfer:1"]
    assert retried.status == "paid" and retried.attempts == 2
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "payout.retry")) is not None
    assert ledger_total() == 0


def test_stripe_outage_is_retried_with_the_same_key(app, finance, fake_stripe):
    vendor = make_vendor(stripe_account_id="acct_1Vendor")
    earn(vendor, 50_000)
    fake_stripe.on(
        "POST", "/v1/transfers", lambda req: stripe_error(500, "api_error", "boom", "api_error")
    )
    payout = services.run_payouts(finance, adapter="stripe").payouts[0]
    assert payout.status == "failed"
    fake_stripe.routes.pop(0)

    retried = services.retry_payout(finance, payout.id)

    keys = [c.idempotency_key for c in fake_stripe.calls("POST", "/v1/transfers")]
    assert keys == [f"payout:{payout.id}:transfer"] * 2  # unknown outcome: never a second transfer
    assert retried.status == "paid"


def test_stripe_payout_without_a_connected_account_fails_then_succeeds_once_connected(
    app, finance, fake_stripe
):
    vendor = make_vendor()
    earn(vendor, 20_000)
    payout = services.run_payouts(finance, adapter="stripe").payouts[0]
    assert payout.status == "failed" and payout.failure_code == "no_stripe_account"
    assert fake_stripe.calls("POST", "/v1/transfers") == []

    vendor.stripe_account_id = "acct_late"
    db.session.commit()
    retried = services.retry_payout(finance, payout.id)
    assert retried.status == "paid"
    assert fake_stripe.calls("POST", "/v1/transfers")[0].form["destination"] == "acct_late"


def test_manual_payouts_cannot_be_retried_and_stripe_ones_cannot_be_marked_paid(
    app, finance, fake_stripe, banked_vendor
):
    earn(banked_vendor(), 10_000)
    manual = services.run_payouts(finance).payouts[0]
    with pytest.raises(InvalidTransition):
        services.retry_payout(finance, manual.id)
    db.session.rollback()
    earn(make_vendor(), 10_000)
    failed = services.run_payouts(finance, adapter="stripe").payouts[0]
    with pytest.raises(InvalidTransition):
        services.mark_payout_paid(finance, failed.id, "X")


# ================================================================= end to end with real orders
def test_a_completed_order_is_paid_out_and_a_later_refund_is_netted(app, finance, banked_vendor):
    from marketplace.ordering.refunds import refund_order
    from tests.factories import make_completed_order

    vendor = banked_vendor()
    product = make_product(vendor, price=25_000, stock=20)
    order = make_completed_order(items=[(product, 4)])
    assert services.vendor_balance(vendor.id)["available"] == order.total - order.commission

    run = services.run_payouts(finance)
    assert [p.amount for p in run.payouts] == [order.total - order.commission]
    services.mark_payout_paid(finance, run.payouts[0].id, "TRX-9")

    refund_order(finance, order.id, 25_000, "Satu karung rusak")
    assert services.vendor_balance(vendor.id)["debt"] > 0

    second = make_completed_order(items=[(product, 2)])
    net = services.vendor_balance(vendor.id)["available"]
    assert net == (second.total - second.commission) - 25_000 + order.commission * 0
    payout = services.run_payouts(finance).payouts[0]
    assert payout.amount == net and payout.debt_netted > 0
    assert sum(account_balances().values()) == 0 and journals_balanced()


def test_a_paid_but_not_completed_order_is_pending_not_available(app, finance, banked_vendor):
    from tests.factories import make_paid_order

    vendor = banked_vendor()
    order = make_paid_order(items=[(make_product(vendor, price=15_000), 2)])
    balance = services.vendor_balance(vendor.id)
    assert balance["pending"] == order.total - order.commission and balance["available"] == 0
    assert services.run_payouts(finance).payouts == []
    _ = make_user


def test_cli_runs_payouts_for_a_scheduler(app, runner, finance, banked_vendor):
    vendor = banked_vendor()
    earn(vendor, 33_000)
    result = runner.invoke(args=["payouts-run", "--actor-email", finance.email])
    assert result.exit_code == 0, result.output
    assert "1 payouts, total Rp33.000" in result.output
    assert services.vendor_balance(vendor.id)["in_transit"] == 33_000
    bad = runner.invoke(args=["payouts-run", "--as-of", "besok"])
    assert bad.exit_code != 0 and "not an ISO date" in bad.output


# ================================================================= separation of duties
def _money(vendor_id: int) -> dict[str, int]:
    db.session.expire_all()
    return services.vendor_balance(vendor_id)


def test_an_admin_cannot_run_payouts_even_by_calling_the_service(app, banked_vendor):
    from marketplace.errors import Forbidden

    vendor = banked_vendor()
    earn(vendor, 40_000)
    admin = make_user("admin")
    db.session.commit()
    with pytest.raises(Forbidden):
        services.run_payouts(admin)
    db.session.rollback()
    assert db.session.scalar(select(PayoutRun.id)) is None
    assert _money(vendor.id)["available"] == 40_000


@pytest.mark.parametrize(
    "act",
    [
        lambda actor, p: services.mark_payout_paid(actor, p.id, "BNK1"),
        lambda actor, p: services.cancel_payout(actor, p.id, "batal"),
        lambda actor, p: services.retry_payout(actor, p.id),
        lambda actor, p: services.export_bank_file(actor, p.run_id),
    ],
    ids=["mark-paid", "cancel", "retry", "bank-file"],
)
def test_an_admin_cannot_settle_cancel_retry_or_export_a_payout(app, finance, banked_vendor, act):
    from marketplace.errors import Forbidden

    vendor = banked_vendor()
    earn(vendor, 25_000)
    payout = services.run_payouts(finance).payouts[0]
    admin = make_user("admin")
    db.session.commit()
    with pytest.raises(Forbidden):
        act(admin, payout)
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Payout, payout.id).status == "pending"
    assert _money(vendor.id)["in_transit"] == 25_000


def test_a_scheduled_run_with_no_actor_is_the_systems(app, banked_vendor):
    vendor = banked_vendor()
    earn(vendor, 12_000)
    run = services.run_payouts(None)
    assert [p.amount for p in run.payouts] == [12_000] and run.actor_id is None


def test_cli_refuses_an_admin_as_the_actor_of_a_payout_run(app, runner, banked_vendor):
    vendor = banked_vendor()
    earn(vendor, 33_000)
    admin = make_user("admin")
    db.session.commit()
    result = runner.invoke(args=["payouts-run", "--actor-email", admin.email])
    assert result.exit_code != 0 and "no finance user" in result.output
    assert _money(vendor.id)["available"] == 33_000
