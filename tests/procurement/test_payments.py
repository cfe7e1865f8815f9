"""The treasurer pays an office's orders (SP2D, KKPD, UP/GU) with the taxes withheld as the city's
regime says, the sale is booked (ledger with tax payable, spending records, register), and the
deposit with an NTPN clears what is owed to the state (issue 12, deliverables 3, 4 and 6)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from marketplace.audit.models import AuditLog
from marketplace.extensions import db
from marketplace.finance.closing import close_period
from marketplace.finance.register import REGISTER_COLUMNS, register_query, register_rows
from marketplace.finance.services import spending_report
from marketplace.ledger.models import (
    OFFICE_TAX_HELD,
    PROVIDER_CASH,
    TAX_PAYABLE,
    VENDOR_AVAILABLE,
    JournalEntry,
    SpendingRecord,
)
from marketplace.ledger.queries import ledger_balances
from marketplace.ledger.services import vendor_account_balance
from marketplace.notifications.models import Notification
from marketplace.ordering.models import Order
from marketplace.procurement.payment_models import OpdPayment, TaxWithholding
from marketplace.timeutil import current_period, previous_period, today_local
from tests.factories import make_product, make_user, make_vendor
from tests.procurement.payment_helpers import delivered_purchase, make_treasurer, receive, sp2d

NTPN_PPH = "0A1B2C3D4E5F6G7H"
NTPN_PPN = "1122334455667788"


@pytest.fixture
def pkp_shop(office):
    """A PKP shop with an NPWP selling goods that carry PPN (not sembako-exempt)."""
    shop = make_vendor(name="CV Sumber Makmur", pkp=True, npwp="01.234.567.8-901.000")
    shop.small = make_product(shop, name="Paket snack rapat", price=1_500_000, stock=5)
    shop.large = make_product(shop, name="Paket sembako besar", price=12_000_000, stock=5)
    db.session.commit()
    return shop


@pytest.fixture
def plain_shop(office):
    """A shop that is not PKP and has no NPWP."""
    shop = make_vendor(name="Warung Tanpa NPWP")
    shop.large = make_product(shop, name="Nasi kotak 400", price=12_000_000, stock=5)
    db.session.commit()
    return shop


# ---------------------------------------------------------------- the worked examples
# (gross, DPP, PPN, PPN collected, PPh 22, net) as in tests/procurement/test_tax_rules.py.
WORKED = {
    ("small", "treasurer"): (1_500_000, 1_351_351, 148_649, 0, 0, 1_500_000),
    ("small", "platform"): (1_500_000, 1_351_351, 148_649, 148_649, 6_757, 1_344_594),
    ("large", "treasurer"): (12_000_000, 10_810_811, 1_189_189, 1_189_189, 162_162, 10_648_649),
    ("large", "platform"): (12_000_000, 10_810_811, 1_189_189, 1_189_189, 54_054, 10_756_757),
    ("plain", "treasurer"): (12_000_000, 12_000_000, 0, 0, 360_000, 11_640_000),
    ("plain", "platform"): (12_000_000, 12_000_000, 0, 0, 120_000, 11_880_000),
}
FIELDS = ("gross", "dpp", "ppn", "ppn_collected", "pph22", "net_payable")


@pytest.mark.parametrize("regime", ["treasurer", "platform"])
@pytest.mark.parametrize("case", ["small", "large", "plain"])
def test_each_order_shows_its_taxes_under_the_citys_regime(
    app, api, office, pkp_shop, plain_shop, regime, case
):
    app.config["OPD_TAX_REGIME"] = regime
    product = plain_shop.large if case == "plain" else getattr(pkp_shop, case)
    req, _orders = delivered_purchase(api, office, [(product, 1)])
    resp = api(office.head).get(f"/api/v1/opd/requests/{req['id']}/payments")
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["regime"] == regime
    (only,) = body["orders"]
    assert tuple(only[k] for k in FIELDS) == WORKED[(case, regime)]
    assert only["withheld"] == only["ppn_collected"] + only["pph22"]
    assert only["payable"] is True and only["payment"] is None
    assert body["can_pay"] is False  # the head sees, only the treasurer pays
    # Paid: the same figures are frozen on the payment.
    paid = api(office.treasurer).post(f"/api/v1/opd/requests/{req['id']}/payments", json=sp2d())
    assert paid.status_code == 201, paid.get_json()
    (payment,) = paid.get_json()
    assert tuple(payment[k] for k in FIELDS) == WORKED[(case, regime)]
    assert payment["regime"] == regime


def test_the_request_page_shows_dpp_ppn_pph_and_net(client, login, api, office, pkp_shop):
    req, _orders = delivered_purchase(api, office, [(pkp_shop.large, 1)])
    login(client, office.treasurer)
    html = client.get(f"/opd/requests/{req['id']}").get_data(as_text=True)
    assert 'data-testid="request-taxes"' in html
    for amount in ("10.810.811", "1.189.189", "162.162", "10.648.649"):
        assert amount in html
    assert 'data-testid="pay-form"' in html


# ---------------------------------------------------------------- the whole flow
def _balance(account):
    return ledger_balances()["accounts"][account]


def test_pay_by_sp2d_books_the_sale_and_the_deposit_clears_the_tax(app, api, office, pkp_shop):
    app.config["OPD_TAX_REGIME"] = "treasurer"
    req, orders = delivered_purchase(api, office, [(pkp_shop.large, 1), (office.water, 3)])
    big, small = orders[pkp_shop.id], orders[office.shop_b.id]
    treasurer = api(office.treasurer)
    resp = treasurer.post(f"/api/v1/opd/requests/{req['id']}/payments", json=sp2d())
    assert resp.status_code == 201, resp.get_json()
    paid = {p["order_id"]: p for p in resp.get_json()}
    assert set(paid) == {big.id, small.id}
    assert paid[small.id]["pph22"] == 0 and paid[small.id]["net_payable"] == 135_000

    # The ledger: balanced, the withheld taxes owed to the state, held by the office.
    db.session.expire_all()
    balances = ledger_balances()
    assert balances["total"] == 0
    withheld = 1_189_189 + 162_162
    assert _balance(TAX_PAYABLE) == -withheld
    assert _balance(OFFICE_TAX_HELD) == withheld
    assert _balance(PROVIDER_CASH) == 10_648_649 + 135_000
    big = db.session.get(Order, big.id)
    assert big.paid_at is not None and big.status == "received"
    assert vendor_account_balance(pkp_shop.id, VENDOR_AVAILABLE) == -(10_648_649 - big.commission)
    journals = db.session.scalars(select(JournalEntry).where(JournalEntry.kind == "opd_payment"))
    for journal in journals:
        assert sum(line.amount for line in journal.lines) == 0

    # Spending records: channel opd_procurement, the OPD and the budget line, gross amounts.
    records = db.session.scalars(
        select(SpendingRecord).where(SpendingRecord.order_id.in_([big.id, small.id]))
    ).all()
    assert {r.channel for r in records} == {"opd_procurement"}
    assert {r.opd_id for r in records} == {office.opd.id}
    assert {r.budget_line for r in records} == {"5.1.02.01.01.0024"}
    assert sum(r.amount for r in records) == 12_135_000

    # The office's realisation counts the purchase.
    report = spending_report(today_local().year, group_by="opd")
    row = next(r for r in report["rows"] if r["opd_code"] == "DINKOP")
    assert row["total"] == 12_135_000
    assert report["realised"]["total"] >= 12_135_000

    # The auditor's register has the PPh column filled on the withheld line.
    pph_at = REGISTER_COLUMNS.index("pph")
    rows = list(register_rows(register_query(channel="opd_procurement")))
    by_order = {}
    for r in rows:
        by_order.setdefault(r[REGISTER_COLUMNS.index("order_id")], []).append(r[pph_at])
    assert by_order[big.id] == [162_162]
    assert by_order[small.id] == [0]

    # The shop and the officer are told.
    for user in (pkp_shop.owner, office.officer):
        assert db.session.scalar(
            select(Notification).where(
                Notification.user_id == user.id, Notification.kind == "procurement_paid"
            )
        )

    # Audited, one row per payment.
    actions = db.session.scalars(select(AuditLog.action)).all()
    assert actions.count("procurement.payment") == 2

    # Paying again is 409, one order or the whole request; nothing more is booked.
    again = treasurer.post(f"/api/v1/opd/requests/{req['id']}/payments", json=sp2d(order_id=big.id))
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_paid"
    again = treasurer.post(f"/api/v1/opd/requests/{req['id']}/payments", json=sp2d())
    assert again.status_code == 409
    assert db.session.query(OpdPayment).count() == 2

    # What is owed, per tax; the deposit with the NTPN clears it.
    owed = treasurer.get("/api/v1/opd/taxes/withholdings").get_json()
    assert owed["totals"] == {"ppn": 1_189_189, "pph22": 162_162}
    day = today_local().isoformat()
    resp = treasurer.post(
        "/api/v1/opd/taxes/deposits",
        json={"tax": "pph22", "ntpn": "0a1b 2c3d-4e5f 6g7h", "deposited_on": day},
    )
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["ntpn"] == NTPN_PPH and resp.get_json()["amount"] == 162_162
    db.session.expire_all()
    assert _balance(TAX_PAYABLE) == -1_189_189
    # The same NTPN again is 409; nothing of that tax is owed any more either.
    dup = treasurer.post(
        "/api/v1/opd/taxes/deposits",
        json={"tax": "ppn", "ntpn": NTPN_PPH, "deposited_on": day},
    )
    assert dup.status_code == 409 and dup.get_json()["error"]["code"] == "ntpn_used"
    none_left = treasurer.post(
        "/api/v1/opd/taxes/deposits",
        json={"tax": "pph22", "ntpn": NTPN_PPN, "deposited_on": day},
    )
    assert none_left.status_code == 409
    resp = treasurer.post(
        "/api/v1/opd/taxes/deposits",
        json={"tax": "ppn", "ntpn": NTPN_PPN, "deposited_on": day},
    )
    assert resp.status_code == 201, resp.get_json()
    db.session.expire_all()
    assert _balance(TAX_PAYABLE) == 0 and _balance(OFFICE_TAX_HELD) == 0
    assert ledger_balances()["total"] == 0
    owed = treasurer.get("/api/v1/opd/taxes/withholdings").get_json()
    assert owed["withholdings"] == [] and owed["totals"] == {"ppn": 0, "pph22": 0}
    actions = db.session.scalars(select(AuditLog.action)).all()
    assert actions.count("procurement.tax_deposit") == 2
    done = treasurer.get("/api/v1/opd/taxes/withholdings?deposited=true").get_json()
    assert {w["ntpn"] for w in done["withholdings"]} == {NTPN_PPH, NTPN_PPN}


def test_the_platform_receives_the_gross_and_deposits_from_its_cash(app, api, office, pkp_shop):
    app.config["OPD_TAX_REGIME"] = "platform"
    req, _orders = delivered_purchase(api, office, [(pkp_shop.large, 1)])
    treasurer = api(office.treasurer)
    kkpd = {"method": "kkpd", "reference": "KKPD-778899", "paid_on": today_local().isoformat()}
    assert (
        treasurer.post(f"/api/v1/opd/requests/{req['id']}/payments", json=kkpd).status_code == 201
    )
    db.session.expire_all()
    assert _balance(PROVIDER_CASH) == 12_000_000
    assert _balance(TAX_PAYABLE) == -(1_189_189 + 54_054)
    assert _balance(OFFICE_TAX_HELD) == 0
    day = today_local().isoformat()
    for tax, ntpn in (("ppn", NTPN_PPN), ("pph22", NTPN_PPH)):
        resp = treasurer.post(
            "/api/v1/opd/taxes/deposits", json={"tax": tax, "ntpn": ntpn, "deposited_on": day}
        )
        assert resp.status_code == 201, resp.get_json()
    db.session.expire_all()
    assert _balance(TAX_PAYABLE) == 0
    assert _balance(PROVIDER_CASH) == 12_000_000 - 1_189_189 - 54_054
    assert ledger_balances()["total"] == 0


def test_one_order_at_a_time_and_only_once_received_with_a_bast(api, office, pkp_shop):
    req, orders = delivered_purchase(api, office, [(pkp_shop.small, 1)], deliver=False)
    order = orders[pkp_shop.id]
    treasurer = api(office.treasurer)
    url = f"/api/v1/opd/requests/{req['id']}/payments"
    early = treasurer.post(url, json=sp2d(order_id=order.id))
    assert early.status_code == 409 and early.get_json()["error"]["code"] == "not_received"
    assert db.session.query(OpdPayment).count() == 0
    shop = api(pkp_shop.owner)
    resp = shop.post(
        f"/api/v1/vendor/orders/{order.id}/deliver",
        json={"delivered_on": today_local().isoformat(), "received_by": "Sari"},
    )
    assert resp.status_code == 200
    handed_over = treasurer.post(url, json=sp2d(order_id=order.id))  # delivered, no BAST yet
    assert handed_over.status_code == 409
    assert handed_over.get_json()["error"]["code"] == "not_received"
    receive(api, office, order)
    up = {"method": "up_gu", "reference": "BKU-0042", "paid_on": today_local().isoformat()}
    resp = treasurer.post(url, json={**up, "order_id": order.id})
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()[0]["method"] == "up_gu"


# ---------------------------------------------------------------- who may pay
def test_only_the_offices_treasurer_pays(api, office, pkp_shop):
    req, _orders = delivered_purchase(api, office, [(pkp_shop.large, 1)])
    url = f"/api/v1/opd/requests/{req['id']}/payments"
    for user in (office.officer, office.ppk, office.head, office.plain):
        assert api(user).post(url, json=sp2d()).status_code == 403, user.name
    # Another office's treasurer does not see this request at all.
    make_treasurer(office.other_ppk)
    assert api(office.other_ppk).post(url, json=sp2d()).status_code == 404
    assert api(office.other_ppk).get(url).status_code == 404
    assert api(pkp_shop.owner).post(url, json=sp2d()).status_code == 403
    assert db.session.query(OpdPayment).count() == 0
    # ... nor its withholdings, nor can it deposit them.
    assert api(office.treasurer).post(url, json=sp2d()).status_code == 201
    wid = db.session.scalar(select(TaxWithholding.id))
    assert wid is not None
    other = api(office.other_ppk)
    assert other.get("/api/v1/opd/taxes/withholdings").get_json()["withholdings"] == []
    resp = other.post(
        "/api/v1/opd/taxes/deposits",
        json={
            "tax": "ppn",
            "ntpn": NTPN_PPN,
            "deposited_on": today_local().isoformat(),
            "withholding_ids": [wid],
        },
    )
    assert resp.status_code == 404
    deposit = {"tax": "ppn", "ntpn": NTPN_PPN, "deposited_on": today_local().isoformat()}
    assert api(office.head).post("/api/v1/opd/taxes/deposits", json=deposit).status_code == 403


def test_an_order_of_another_request_is_404(api, office, pkp_shop):
    req, _ = delivered_purchase(api, office, [(pkp_shop.small, 1)])
    _other_req, other_orders = delivered_purchase(api, office, [(pkp_shop.large, 1)])
    resp = api(office.treasurer).post(
        f"/api/v1/opd/requests/{req['id']}/payments",
        json=sp2d(order_id=other_orders[pkp_shop.id].id),
    )
    assert resp.status_code == 404


# ---------------------------------------------------------------- invalid input
@pytest.mark.parametrize(
    "body, field",
    [
        ({"method": "cash", "reference": "X", "paid_on": "2026-01-05"}, "method"),
        ({"method": "sp2d", "reference": "", "paid_on": "2026-01-05"}, "reference"),
        ({"method": "sp2d", "reference": "X" * 65, "paid_on": "2026-01-05"}, "reference"),
        ({"method": "sp2d", "reference": "1/SP2D"}, "paid_on"),
        ({"method": "sp2d", "reference": "1/SP2D", "paid_on": "kemarin"}, "paid_on"),
        ({"method": "sp2d", "reference": "1/SP2D", "paid_on": "future"}, "paid_on"),
        ({"method": "sp2d", "reference": "1/SP2D", "paid_on": "before"}, "paid_on"),
    ],
)
def test_invalid_payments_are_422(api, office, pkp_shop, body, field):
    req, _ = delivered_purchase(api, office, [(pkp_shop.small, 1)])
    today = today_local()
    special = {"future": today + timedelta(days=1), "before": today - timedelta(days=1)}
    if body.get("paid_on") in special:
        body = {**body, "paid_on": special[body["paid_on"]].isoformat()}
    resp = api(office.treasurer).post(f"/api/v1/opd/requests/{req['id']}/payments", json=body)
    assert resp.status_code == 422, resp.get_json()
    assert field in resp.get_json()["error"]["details"]
    assert db.session.query(OpdPayment).count() == 0


@pytest.mark.parametrize(
    "body, field",
    [
        ({"tax": "pph21", "ntpn": NTPN_PPN, "deposited_on": "today"}, "tax"),
        ({"tax": "ppn", "ntpn": "12345", "deposited_on": "today"}, "ntpn"),
        ({"tax": "ppn", "ntpn": "", "deposited_on": "today"}, "ntpn"),
        ({"tax": "ppn", "ntpn": NTPN_PPN, "deposited_on": "tomorrow"}, "deposited_on"),
        (
            {"tax": "ppn", "ntpn": NTPN_PPN, "withholding_ids": [0], "deposited_on": "today"},
            "withholding_ids",
        ),
    ],
)
def test_invalid_deposits_are_422(api, office, body, field):
    today = today_local()
    days = {"today": today, "tomorrow": today + timedelta(days=1)}
    body = {**body, "deposited_on": days[body["deposited_on"]].isoformat()}
    resp = api(office.treasurer).post("/api/v1/opd/taxes/deposits", json=body)
    assert resp.status_code == 422, resp.get_json()
    assert field in resp.get_json()["error"]["details"]


# ---------------------------------------------------------------- closed months
def test_a_late_sp2d_counts_in_its_month_unless_finance_closed_it(api, office, pkp_shop):
    req, orders = delivered_purchase(
        api, office, [(pkp_shop.small, 1), (office.water, 1)], deliver=False
    )
    last = previous_period(current_period())
    first_of_last = date(int(last[:4]), int(last[5:]), 1)
    for order in orders.values():  # accepted long ago, handed over on the 1st of last month
        order.accepted_at = order.accepted_at - timedelta(days=70)
    db.session.commit()
    for order in orders.values():
        resp = api(order.vendor.owner).post(
            f"/api/v1/vendor/orders/{order.id}/deliver",
            json={"delivered_on": first_of_last.isoformat(), "received_by": "Sari"},
        )
        assert resp.status_code == 200, resp.get_json()
        receive(api, office, order, received_on=first_of_last)
    treasurer = api(office.treasurer)
    url = f"/api/v1/opd/requests/{req['id']}/payments"
    late = {"method": "sp2d", "reference": "0099/SP2D", "paid_on": first_of_last.isoformat()}
    first, second = orders[pkp_shop.id], orders[office.shop_b.id]
    assert treasurer.post(url, json={**late, "order_id": first.id}).status_code == 201

    def periods(order):
        return {
            r.period
            for r in db.session.scalars(
                select(SpendingRecord).where(SpendingRecord.order_id == order.id)
            )
        }

    assert periods(first) == {last}  # the SP2D's month, still open
    close_period(make_user("finance"), last)
    snapshot_total = sum(
        r.amount
        for r in db.session.scalars(select(SpendingRecord).where(SpendingRecord.period == last))
    )
    assert treasurer.post(url, json={**late, "order_id": second.id}).status_code == 201
    assert periods(second) == {current_period()}  # closed: counted where it was recorded
    assert snapshot_total == sum(
        r.amount
        for r in db.session.scalars(select(SpendingRecord).where(SpendingRecord.period == last))
    )
    payment = db.session.scalar(select(OpdPayment).where(OpdPayment.order_id == second.id))
    assert payment.paid_on == first_of_last  # the SP2D's own date stays on the payment


def test_paying_the_whole_request_pays_what_was_received(api, office, pkp_shop):
    req, orders = delivered_purchase(
        api, office, [(pkp_shop.small, 1), (office.water, 1)], deliver=False
    )
    treasurer = api(office.treasurer)
    url = f"/api/v1/opd/requests/{req['id']}/payments"
    none_yet = treasurer.post(url, json=sp2d())
    assert none_yet.status_code == 409 and none_yet.get_json()["error"]["code"] == "not_received"
    first = orders[pkp_shop.id]
    resp = api(pkp_shop.owner).post(
        f"/api/v1/vendor/orders/{first.id}/deliver",
        json={"delivered_on": today_local().isoformat(), "received_by": "Sari"},
    )
    assert resp.status_code == 200
    receive(api, office, first)
    resp = treasurer.post(url, json=sp2d())
    assert resp.status_code == 201, resp.get_json()
    assert [p["order_id"] for p in resp.get_json()] == [first.id]
    body = treasurer.get(url).get_json()
    payable = {o["order_id"]: o["payable"] for o in body["orders"]}
    assert payable == {first.id: False, orders[office.shop_b.id].id: False}
