"""Mandate in a real browser at phone width: the civil servant's widget and progress page, the
finance compliance report, and the admin rules form with its confirmation."""

from __future__ import annotations

from types import SimpleNamespace

from marketplace.extensions import db
from marketplace.timeutil import current_period, naive_utc, now_utc
from tests.factories import make_civil_servant, make_opd, make_user, make_vendor
from tests.mandate.helpers import make_spending, refund_spending, set_rule


def _commit_and_release():
    db.session.commit()
    db.session.close()  # SQLite has one writer: the browser's requests need it


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_civil_servant_sees_the_widget_and_the_progress_page_with_the_right_amounts(
    app, page, live_server, browser_login
):
    set_rule(current_period(), 100_000, {"Lurah": 1_000_000})
    asn = make_civil_servant(position="Lurah", name="Bu Lurah Sari")
    shop = make_vendor(name="Warung Pak Kardi")
    sale = make_spending(asn, 400_000, naive_utc(now_utc()), vendor=shop)
    refund_spending(sale, 50_000)
    login_as = SimpleNamespace(email=asn.email)
    _commit_and_release()
    browser_login(page, login_as)

    page.goto(f"{live_server}/account")
    widget = page.locator("[data-testid=mandate-widget]")
    widget.wait_for()
    assert "Rp350.000 dari Rp1.000.000" in widget.inner_text()
    assert "Belum terpenuhi" in widget.inner_text()
    assert (
        page.get_attribute("[data-testid=mandate-widget] [role=progressbar]", "aria-valuenow")
        == "35"
    )

    widget.get_by_role("link", name="Rincian").click()
    page.wait_for_url("**/mandate")
    assert page.inner_text("[data-testid=mandate-required]") == "Rp1.000.000"
    assert page.inner_text("[data-testid=mandate-spent]") == "Rp350.000"
    assert page.inner_text("[data-testid=mandate-remaining]") == "Rp650.000"
    assert "Warung Pak Kardi" in page.inner_text("[data-testid=mandate-spending]")
    assert page.locator("[data-testid=mandate-widget]").count() == 0
    _no_sideways_scroll(page)


def test_finance_filters_the_compliance_report_on_a_phone(app, page, live_server, browser_login):
    set_rule(current_period(), 100_000)
    dinkop, bappeda = make_opd("DINKOP", "Dinas Koperasi"), make_opd("BAPPEDA", "Bappeda")
    done = make_civil_servant(opd=dinkop, name="Ani Lunas")
    make_civil_servant(opd=bappeda, name="Dedi Belum")
    make_spending(done, 150_000, naive_utc(now_utc()))
    finance = make_user("finance")
    login_as = SimpleNamespace(email=finance.email)
    _commit_and_release()
    browser_login(page, login_as)

    page.goto(f"{live_server}/finance/compliance")
    assert page.inner_text("[data-testid=summary-rate]") == "50.0%"
    page.select_option("#compliant", "false")
    page.click("[data-testid=compliance-filters] button[type=submit]")
    page.wait_for_url("**compliant=false**")
    table = page.inner_text("[data-testid=compliance-table]")
    assert "Dedi Belum" in table and "Ani Lunas" not in table
    assert "format=csv" in page.get_attribute("[data-testid=download-csv]", "href")
    _no_sideways_scroll(page)


def test_an_admin_sets_a_rule_after_confirming(app, page, live_server, browser_login):
    admin = make_user("admin")
    login_as = SimpleNamespace(email=admin.email)
    _commit_and_release()
    browser_login(page, login_as)

    page.goto(f"{live_server}/admin/mandate-rules")
    page.fill("#default_amount", "150.000")
    page.locator("input[name=position]").first.fill("Camat")
    page.locator("input[name=amount]").first.fill("2000000")
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.click("[data-testid=rule-form] button[type=submit]")
    page.wait_for_load_state()
    assert dialogs and "Simpan aturan ini?" in dialogs[0]
    assert "disimpan" in page.content()
    current = page.inner_text("[data-testid=rule-current]")
    assert "Rp150.000" in current and "Camat" in current and "Rp2.000.000" in current
    _no_sideways_scroll(page)
