"""Finance runs a payout and marks it paid in Chromium on a phone-sized screen; the shopkeeper
then sees it in their balance page."""

from __future__ import annotations

import re
from types import SimpleNamespace

from playwright.sync_api import expect

from marketplace.extensions import db
from marketplace.payouts.models import Payout
from tests.factories import make_user, make_vendor
from tests.payouts.journals import earn


def _fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390 + 1


def test_finance_runs_a_payout_and_marks_it_paid(app, page, live_server, browser_login):
    finance = make_user("finance", name="Bendahara Kota")
    vendor = make_vendor(
        name="Toko Sumber Rejeki",
        bank_name="Bank Jatim",
        bank_account_number="0011223344",
        bank_account_name="Siti Aminah",
    )
    earn(vendor, 64_000)
    finance_login = SimpleNamespace(email=finance.email)
    owner_login = SimpleNamespace(email=vendor.owner.email)
    db.session.commit()
    db.session.close()  # no open transaction while the browser works (SQLite has one writer)

    questions: list[str] = []

    def accept(dialog):
        questions.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    browser_login(page, finance_login)
    page.goto(f"{live_server}/finance/payouts")
    expect(page.get_by_text("Belum ada putaran pembayaran.")).to_be_visible()
    assert _fits_the_phone(page)

    page.get_by_test_id("run-payouts").click()
    page.wait_for_url(re.compile(r"/finance/payouts/runs/\d+$"))
    expect(page.get_by_text("1 pembayaran dibuat, total Rp64.000.")).to_be_visible()
    expect(page.get_by_test_id("run-total")).to_have_text("Rp64.000")
    assert questions and questions[0].startswith("Jalankan pembayaran sekarang?")
    assert _fits_the_phone(page)

    reference = page.locator("[data-testid^=bank-reference-]")
    reference.fill("JTM-2026-0001")
    page.locator("[data-testid^=mark-paid-]").click()
    expect(
        page.get_by_text(re.compile(r"Pembayaran PKN-PO-\d+ ditandai sudah dibayar\."))
    ).to_be_visible()
    expect(page.locator("[data-testid^=payout-row-] [data-testid=payout-status]")).to_have_text(
        "Dibayar"
    )
    expect(page.get_by_text("JTM-2026-0001")).to_be_visible()
    assert "tidak dapat dibatalkan" in questions[-1]
    assert _fits_the_phone(page)

    payout = db.session.query(Payout).one()
    assert payout.status == "paid" and payout.bank_reference == "JTM-2026-0001"
    db.session.close()

    # the shopkeeper sees it
    page.context.clear_cookies()
    browser_login(page, owner_login)
    page.goto(f"{live_server}/shop/payouts")
    expect(page.get_by_test_id("balance-paid-out")).to_have_text("Rp64.000")
    expect(page.get_by_test_id("balance-available")).to_have_text("Rp0")
    assert _fits_the_phone(page)
