"""Reconciliation of Stripe balance transactions with the ledger (CSV export and API fetch)."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.finance import reconciliation
from marketplace.finance.models import ProviderFeePosting, Reconciliation
from marketplace.ledger.models import PROVIDER_CASH, PROVIDER_FEES, VENDOR_AVAILABLE, JournalEntry
from marketplace.ledger.services import account_balances, post_journal
from tests.factories import make_user
from tests.finance.helpers import make_order, make_stripe_payment, post_payment_journal
from tests.stripe_fake import FakeStripeHTTP

FIXTURE = Path(__file__).parent / "fixtures" / "stripe_balance_transactions.csv"
MARCH = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)


@pytest.fixture
def ledger(app):
    """The ledger side of the fixture export, with one deliberate difference of each kind."""
    matched = make_order(amount=150_000)
    post_payment_journal(matched, 150_000, reference="ch_3PkA1Peken0001", at=MARCH)
    # Stored by PaymentIntent id only; the export names it in the description; amount differs.
    order, payment = make_stripe_payment(180_000, "pi_3PkB2Peken0002")
    post_payment_journal(order, 180_000, payment=payment, at=MARCH)
    # A Stripe payment the provider never reported.
    orphan_order, orphan = make_stripe_payment(75_000, "pi_3PkZ9Orphan")
    orphan_journal = post_payment_journal(
        orphan_order, 75_000, reference="pi_3PkZ9Orphan", payment=orphan, at=MARCH
    )
    # A sandbox payment is not Stripe's business and must not be reported missing there.
    post_payment_journal(make_order(amount=9_000), 9_000, at=MARCH)
    transfer = post_journal(
        "payout",
        [(VENDOR_AVAILABLE, 145_650, matched.vendor_id), (PROVIDER_CASH, -145_650)],
        reference="tr_3PkD4Peken0004",
    )
    transfer.created_at = MARCH.replace(tzinfo=None)
    db.session.commit()
    return {"orphan_journal": orphan_journal.id, "finance": make_user("finance")}


def upload(api, user, content: bytes, name="balance_history.csv", **form):
    from io import BytesIO

    return api(user).post(
        "/api/v1/finance/reconciliations",
        json=None,
        data={"file": (BytesIO(content), name), **form},
        content_type="multipart/form-data",
    )


def test_fixture_export_sorts_every_row_into_its_group(ledger, api):
    resp = upload(api, ledger["finance"], FIXTURE.read_bytes())
    assert resp.status_code == 201, resp.json
    body = resp.json
    assert {i["id"] for i in body["matched"]["items"]} == {
        "txn_3PkA1Peken0001",
        "txn_3PkD4Peken0004",
    }
    assert body["matched"]["count"] == 2
    [mismatch] = body["amount_mismatches"]["items"]
    assert (
        mismatch["source"],
        mismatch["provider_amount"],
        mismatch["ledger_amount"],
        mismatch["difference"],
    ) == ("ch_3PkB2Peken0002", 200_000, 180_000, 20_000)
    [missing] = body["missing_in_ledger"]["items"]
    assert (missing["source"], missing["category"], missing["provider_amount"]) == (
        "re_3PkC3Peken0003",
        "refund",
        50_000,
    )
    [absent] = body["missing_at_provider"]["items"]
    assert (absent["journal_id"], absent["reference"], absent["ledger_amount"]) == (
        ledger["orphan_journal"],
        "pi_3PkZ9Orphan",
        75_000,
    )
    assert [i["id"] for i in body["ignored"]] == [
        "txn_3PkE5Peken0005"
    ]  # payout to the platform bank
    assert body["counts"] == {
        "matched": 2,
        "missing_in_ledger": 1,
        "missing_at_provider": 1,
        "amount_mismatches": 1,
        "fees_posted": 3,
    }


def test_provider_fees_are_posted_once_even_when_the_same_export_is_uploaded_twice(ledger, api):
    first = upload(api, ledger["finance"], FIXTURE.read_bytes())
    second = upload(api, ledger["finance"], FIXTURE.read_bytes())
    assert first.json["fees"] == {
        "posted": 3,
        "already_posted": 0,
        "amount_posted": 4_350 + 5_800 + 500,
    }
    assert second.json["fees"] == {"posted": 0, "already_posted": 3, "amount_posted": 0}
    fees = db.session.scalars(select(JournalEntry).where(JournalEntry.kind == "fee")).all()
    assert sorted(j.reference for j in fees) == [
        "txn_3PkA1Peken0001",
        "txn_3PkB2Peken0002",
        "txn_3PkF6Peken0006",
    ]
    balances = account_balances()
    assert balances[PROVIDER_FEES] == 10_650
    assert sum(balances.values()) == 0
    assert db.session.scalar(select(func.count()).select_from(Reconciliation)) == 2


def test_headers_are_matched_liberally(app):
    content = (
        "\ufeffBalance_Transaction_ID,type,source_id,gross,fee,net,currency,created,reporting_category,"
        "payment_intent (metadata)\n"
        'txn_1,charge,ch_1,"1,500.00",100.00,1400.00,IDR,2026-03-01T10:00:00Z,charge,pi_9\n'
    ).encode()
    rows, errors = reconciliation.parse_stripe_csv(content)
    assert errors == []
    [row] = rows
    assert (row.id, row.category, row.amount, row.fee, row.created) == (
        "txn_1",
        "charge",
        1500,
        100,
        datetime(2026, 3, 1, 10, 0),
    )
    assert {"ch_1", "pi_9"} <= row.refs


def test_bad_rows_are_reported_while_good_rows_count(app):
    content = (
        b"id,Type,Source,Amount,Fee,Currency,Created (UTC)\n"
        b"txn_ok,charge,ch_ok,1000.00,0.00,idr,2026-03-01 00:00\n"
        b"txn_sen,charge,ch_sen,1000.50,0.00,idr,2026-03-01 00:00\n"
        b"txn_usd,charge,ch_usd,10.00,0.00,usd,2026-03-01 00:00\n"
        b"txn_ok,charge,ch_ok,1000.00,0.00,idr,2026-03-01 00:00\n"
    )
    rows, errors = reconciliation.parse_stripe_csv(content)
    assert [r.id for r in rows] == ["txn_ok"]
    assert [e["row"] for e in errors] == [3, 4, 5]


@pytest.mark.parametrize("content", [b"", b"name,email\nx,y\n", b"\xff\xfe\x00garbage"])
def test_a_file_that_is_not_a_balance_export_is_refused_and_nothing_is_kept(app, api, content):
    resp = upload(api, make_user("finance"), content)
    assert resp.status_code == 422
    assert resp.json["error"]["details"]["file"]
    assert db.session.scalar(select(func.count()).select_from(Reconciliation)) == 0


def test_a_multipart_request_without_a_file_is_422(app, api):
    resp = api(make_user("finance")).post(
        "/api/v1/finance/reconciliations",
        data={"from": "2026-03-01"},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422
    assert "file" in resp.json["error"]["details"]


def _bt(id_, amount, fee, category, source, created, **extra):
    return {
        "id": id_,
        "object": "balance_transaction",
        "amount": amount * 100,
        "fee": fee * 100,
        "net": (amount - fee) * 100,
        "currency": "idr",
        "reporting_category": category,
        "type": category,
        "source": source,
        "created": int(created.timestamp()),
        "available_on": int(created.timestamp()),
        "description": None,
        "status": "available",
        **extra,
    }


def _configure(app, fake):
    app.config.update(
        STRIPE_SECRET_KEY="sk_test_fake", STRIPE_HTTP_CLIENT=fake, STRIPE_MAX_NETWORK_RETRIES=0
    )


def test_fetching_from_stripe_pages_through_every_balance_transaction(ledger, app, api):
    pages = {
        None: [
            _bt("txn_a", 150_000, 4_350, "charge", "ch_3PkA1Peken0001", MARCH),
            _bt(
                "txn_b",
                200_000,
                5_800,
                "charge",
                {
                    "id": "ch_3PkB2Peken0002",
                    "object": "charge",
                    "payment_intent": "pi_3PkB2Peken0002",
                },
                MARCH,
            ),
        ],
        "txn_b": [_bt("txn_c", -145_650, 0, "transfer", "tr_3PkD4Peken0004", MARCH)],
    }
    fake = FakeStripeHTTP()

    def balance_transactions(req):
        data = pages[req.query.get("starting_after")]
        return {
            "object": "list",
            "url": "/v1/balance_transactions",
            "data": data,
            "has_more": req.query.get("starting_after") is None,
        }

    fake.on("GET", r"/v1/balance_transactions", balance_transactions)
    _configure(app, fake)
    resp = api(ledger["finance"]).post(
        "/api/v1/finance/reconciliations",
        json={"source": "stripe", "from": "2026-03-01", "to": "2026-03-31"},
    )
    assert resp.status_code == 201, resp.json
    calls = fake.calls("GET", r"/v1/balance_transactions")
    assert len(calls) == 2
    assert calls[0].query["created[gte]"] == str(
        int(datetime(2026, 2, 28, 17, tzinfo=UTC).timestamp())
    )
    assert calls[0].query["limit"] == "100"
    body = resp.json
    assert body["source"] == "stripe"
    assert body["counts"]["matched"] == 2
    assert body["amount_mismatches"]["items"][0]["provider_amount"] == 200_000
    assert body["missing_at_provider"]["items"][0]["reference"] == "pi_3PkZ9Orphan"
    assert body["fees"]["amount_posted"] == 10_150


def test_fetching_without_stripe_configured_is_a_clear_422(app, api):
    resp = api(make_user("finance")).post(
        "/api/v1/finance/reconciliations",
        json={"source": "stripe", "from": "2026-03-01", "to": "2026-03-31"},
    )
    assert resp.status_code == 422
    assert resp.json["error"]["code"] == "stripe_not_configured"


def test_a_stripe_error_answers_502_and_keeps_nothing(app, api):
    from tests.stripe_fake import stripe_error

    fake = FakeStripeHTTP()
    fake.on(
        "GET",
        r"/v1/balance_transactions",
        lambda req: stripe_error(401, "api_key_invalid", type_="invalid_request_error"),
    )
    _configure(app, fake)
    resp = api(make_user("finance")).post(
        "/api/v1/finance/reconciliations",
        json={"source": "stripe", "from": "2026-03-01", "to": "2026-03-31"},
    )
    assert resp.status_code == 502
    assert resp.json["error"]["code"] == "provider_error"
    assert db.session.scalar(select(func.count()).select_from(Reconciliation)) == 0


@pytest.mark.parametrize(
    "body, field",
    [
        ({"source": "paypal", "from": "2026-03-01", "to": "2026-03-31"}, "source"),
        ({"source": "stripe", "from": "2026-03-31", "to": "2026-03-01"}, "to"),
        ({"source": "stripe", "from": "kemarin", "to": "2026-03-01"}, "from"),
        ({"source": "stripe"}, "from"),
    ],
)
def test_invalid_fetch_requests_are_422(app, api, body, field):
    resp = api(make_user("finance")).post("/api/v1/finance/reconciliations", json=body)
    assert resp.status_code == 422
    assert field in resp.json["error"]["details"]


def test_reconciliations_are_kept_and_listed_newest_first(ledger, api):
    upload(api, ledger["finance"], FIXTURE.read_bytes())
    listing = api(ledger["finance"]).get("/api/v1/finance/reconciliations").json
    assert listing["total"] == 1
    rec_id = listing["items"][0]["id"]
    assert listing["items"][0]["counts"]["amount_mismatches"] == 1
    detail = api(ledger["finance"]).get(f"/api/v1/finance/reconciliations/{rec_id}").json
    assert detail["missing_in_ledger"]["count"] == 1
    assert detail["filename"] == "balance_history.csv"
    assert api(ledger["finance"]).get("/api/v1/finance/reconciliations/999").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(ProviderFeePosting)) == 3


def test_the_reconcile_command_fetches_a_day_and_fails_loudly_on_differences(ledger, app, runner):
    fake = FakeStripeHTTP()
    fake.on(
        "GET",
        r"/v1/balance_transactions",
        lambda req: {
            "object": "list",
            "url": "/v1/balance_transactions",
            "has_more": False,
            "data": [_bt("txn_a", 150_000, 4_350, "charge", "ch_3PkA1Peken0001", MARCH)],
        },
    )
    _configure(app, fake)
    result = runner.invoke(
        args=["reconcile-stripe", "--actor", ledger["finance"].email, "--from", "2026-03-10"]
    )
    assert "1 matched" in result.output
    assert result.exit_code == 1  # the ledger holds journals Stripe did not report that day
    assert db.session.scalar(select(func.count()).select_from(Reconciliation)) == 1


def test_the_reconcile_command_needs_a_finance_user(app, runner):
    result = runner.invoke(args=["reconcile-stripe", "--actor", "nobody@example.org"])
    assert result.exit_code == 2 and "finance user" in result.output


def test_the_reconcile_command_refuses_an_admin(app, runner):
    admin = make_user("admin")
    db.session.commit()
    result = runner.invoke(args=["reconcile-stripe", "--actor", admin.email])
    assert result.exit_code == 2 and "finance user" in result.output
    assert db.session.scalar(select(func.count()).select_from(Reconciliation)) == 0


def test_an_admin_cannot_reconcile_by_api_page_or_service_and_no_fee_is_posted(
    ledger, api, client, login
):
    from marketplace.errors import Forbidden

    admin = make_user("admin")
    db.session.commit()
    fees = select(func.count()).select_from(JournalEntry).where(JournalEntry.kind == "fee")
    before = db.session.scalar(fees)
    assert upload(api, admin, FIXTURE.read_bytes()).status_code == 403
    with pytest.raises(Forbidden):
        reconciliation.reconcile_csv(admin, FIXTURE.read_bytes(), "x.csv")
    db.session.rollback()
    login(client, admin)
    page = client.get("/finance/reconciliations")
    assert page.status_code == 200  # admins may read past reconciliations
    assert 'enctype="multipart/form-data"' not in page.get_data(as_text=True)  # but not run one
    posted = client.post("/finance/reconciliations", data={"source": "stripe"})
    assert posted.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Reconciliation)) == 0
    assert db.session.scalar(fees) == before
