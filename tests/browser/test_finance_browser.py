"""Finance staff on a phone: the dashboard draws its charts offline, then the compliance report is
filtered by OPD and downloaded as XLSX."""

from __future__ import annotations

import io
import re
from types import SimpleNamespace

from openpyxl import load_workbook
from playwright.sync_api import expect

from marketplace.extensions import db
from marketplace.timeutil import now_utc
from tests.factories import make_civil_servant, make_opd, make_user, make_vendor
from tests.finance.helpers import record_spending


def _fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390 + 1


def test_finance_sees_charts_then_downloads_compliance_of_one_opd(
    app, page, live_server, browser_login
):
    finance = make_user("finance", name="Bendahara Kota")
    dinkop, bappeda = (
        make_opd("DINKOP", "Dinas Koperasi dan Perdagangan"),
        make_opd("BAPPEDA", "Bappedalitbang"),
    )
    ani = make_civil_servant(opd=dinkop, name="Ani Dinkop")
    budi = make_civil_servant(opd=bappeda, name="Budi Bappeda")
    vendor = make_vendor(name="Toko Bu Sri")
    record_spending(125_000, at=now_utc(), vendor=vendor, buyer=ani, umk_class="micro")
    record_spending(60_000, at=now_utc(), vendor=vendor, buyer=budi, umk_class="small")
    # The offices' own purchasing: what the targets count.
    record_spending(100_000, at=now_utc(), vendor=vendor, opd=dinkop, umk_class="micro")
    record_spending(150_000, at=now_utc(), vendor=vendor, opd=bappeda, umk_class="small")
    login_as = SimpleNamespace(email=finance.email)
    ani_nip, budi_nip = ani.nip, budi.nip
    db.session.commit()
    db.session.close()  # no open transaction while the browser works (SQLite has one writer)

    browser_login(page, login_as)
    page.goto(f"{live_server}/finance")
    expect(page.get_by_test_id("card-total")).to_contain_text("Rp250.000")
    expect(page.get_by_test_id("reach-asn_personal")).to_contain_text("Rp185.000")
    charts = page.locator("svg.chart")
    expect(charts.first).to_be_visible()
    assert charts.count() == 4
    expect(page.locator('svg[data-chart="opd-bars"]')).to_be_visible()
    assert page.locator('svg[data-chart="opd-bars"] rect').count() >= 2
    assert _fits_the_phone(page)

    page.get_by_test_id("link-compliance").click()
    page.wait_for_url(re.compile(r"/finance/compliance"))
    page.select_option("#opd", "DINKOP")
    page.get_by_test_id("compliance-filters").locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"opd=DINKOP"))
    expect(page.get_by_test_id("compliance-table")).to_contain_text("Ani Dinkop")
    expect(page.get_by_test_id("compliance-table")).not_to_contain_text("Budi Bappeda")
    assert _fits_the_phone(page)

    with page.expect_download() as info:
        page.get_by_test_id("download-xlsx").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as f:
        workbook = load_workbook(io.BytesIO(f.read()))
    cells = {
        str(c)
        for row in workbook.worksheets[0].iter_rows(values_only=True)
        for c in row
        if c is not None
    }
    assert ani_nip in cells
    assert budi_nip not in cells
