"""Payments and deposits racing (PostgreSQL: real parallel connections): an order is paid once
and a withholding deposited once, whoever clicks first."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.ledger.models import JournalEntry
from marketplace.ledger.queries import ledger_balances
from marketplace.procurement.payment_models import OpdPayment, TaxDeposit
from marketplace.timeutil import today_local
from tests.factories import make_product, make_vendor, token_for
from tests.procurement.payment_helpers import delivered_purchase, sp2d


def _race(app, calls):
    """Run each (token, url, body) POST in its own thread, released together by a barrier."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(i, token, url, body):
        client = app.test_client()
        barrier.wait(timeout=30)
        resp = client.post(url, json=body, headers={"Authorization": f"Bearer {token}"})
        results[i] = (resp.status_code, resp.get_json())

    threads = [threading.Thread(target=worker, args=(i, *c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a payment hung (deadlock?)"
    return results


@pytest.mark.postgres_only
def test_paying_one_purchase_twice_at_once_pays_it_once(app, api, office):
    app.config["OPD_TAX_REGIME"] = "treasurer"
    shop = make_vendor(name="CV Dua Klik", pkp=True, npwp="01.234.567.8-901.000")
    big = make_product(shop, name="Paket besar", price=12_000_000, stock=3)
    db.session.commit()
    req, _orders = delivered_purchase(api, office, [(big, 1)])
    token = token_for(office.treasurer)
    url = f"/api/v1/opd/requests/{req['id']}/payments"
    results = _race(app, [(token, url, sp2d("A/SP2D")), (token, url, sp2d("B/SP2D"))])
    codes = sorted(code for code, _ in results)
    assert codes == [201, 409], results
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(OpdPayment)) == 1
    assert (
        db.session.scalar(
            select(func.count()).select_from(JournalEntry).where(JournalEntry.kind == "opd_payment")
        )
        == 1
    )
    assert ledger_balances()["total"] == 0

    deposit = {"tax": "pph22", "deposited_on": today_local().isoformat()}
    results = _race(
        app,
        [
            (token, "/api/v1/opd/taxes/deposits", {**deposit, "ntpn": "AAAABBBBCCCCDDDD"}),
            (token, "/api/v1/opd/taxes/deposits", {**deposit, "ntpn": "EEEEFFFFGGGGHHHH"}),
        ],
    )
    codes = sorted(code for code, _ in results)
    assert codes == [201, 409], results
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(TaxDeposit)) == 1
    assert ledger_balances()["accounts"]["tax_payable"] == -1_189_189
