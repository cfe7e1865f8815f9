"""Every CSV/XLSX download quotes text that a spreadsheet would run as a formula (OWASP CSV
injection): names typed by shops, the roster or OPDs reach finance officers' spreadsheets."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from marketplace.exports import safe_cell
from marketplace.extensions import db
from marketplace.timeutil import current_period
from tests.factories import (
    make_civil_servant,
    make_opd,
    make_paid_order,
    make_product,
    make_user,
    make_vendor,
)
from tests.security.helpers import make_manual_payout

FORMULA = '=HYPERLINK("http://evil.com","klik")'


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"])
def test_text_that_starts_a_formula_is_quoted(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Beras", "", 1500, -1500, None, True])
def test_plain_text_and_numbers_are_left_alone(value):
    assert safe_cell(value) == value


def _csv_cells(body: bytes) -> list[str]:
    text = body.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _xlsx_cells(body: bytes) -> list:
    wb = load_workbook(io.BytesIO(body))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"], "a cell became a formula"
    return [c.value for c in cells]


def _assert_quoted(cells, text=FORMULA):
    assert "'" + text in cells, cells
    assert text not in cells


@pytest.fixture
def formula_spending(app):
    """Paid spending by an ASN of an OPD and at a shop whose kelurahan look like formulas."""
    opd = make_opd(code="OPD-X", name=FORMULA)
    buyer = make_civil_servant(opd=opd, name=FORMULA)
    vendor = make_vendor(kelurahan=FORMULA, name=FORMULA)
    make_paid_order(buyer, [(make_product(vendor, price=20_000), 1)])
    db.session.commit()
    return buyer


@pytest.mark.parametrize("group_by", ["opd", "kelurahan"])
def test_finance_spending_csv_quotes_formula_names(api, formula_spending, group_by):
    client = api(make_user("finance"))
    year = current_period()[:4]
    resp = client.get(f"/api/v1/finance/spending?year={year}&group_by={group_by}&format=csv")
    assert resp.status_code == 200, resp.data[:300]
    _assert_quoted(_csv_cells(resp.data))


@pytest.mark.parametrize("group_by", ["opd", "kelurahan"])
def test_finance_spending_xlsx_quotes_formula_names(api, formula_spending, group_by):
    client = api(make_user("finance"))
    year = current_period()[:4]
    resp = client.get(f"/api/v1/finance/spending?year={year}&group_by={group_by}&format=xlsx")
    assert resp.status_code == 200, resp.data[:300]
    _assert_quoted(_xlsx_cells(resp.data))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_mandate_compliance_download_quotes_formula_names(api, formula_spending, fmt):
    client = api(make_user("finance"))
    resp = client.get(f"/api/v1/mandate/compliance?period={current_period()}&format={fmt}")
    assert resp.status_code == 200, resp.data[:300]
    cells = _csv_cells(resp.data) if fmt == "csv" else _xlsx_cells(resp.data)
    _assert_quoted(cells)


def test_payout_bank_file_quotes_formula_shop_names(api, app):
    finance = make_user("finance")
    payout = make_manual_payout(finance)
    payout.vendor.name = FORMULA
    payout.bank_account_name = "@SUM(1)"
    db.session.commit()
    resp = api(finance).get(f"/api/v1/finance/payout-runs/{payout.run_id}/bank-file")
    assert resp.status_code == 200, resp.data[:300]
    cells = _csv_cells(resp.data)
    _assert_quoted(cells, "@SUM(1)")


def test_shop_sales_report_and_import_template_hold_no_text_from_users(api, app):
    vendor = make_vendor(name=FORMULA)
    db.session.commit()
    client = api(vendor.owner)
    for url in (
        "/api/v1/vendor/sales-report?format=csv",
        "/api/v1/vendor/products/import-template",
    ):
        resp = client.get(url)
        assert resp.status_code == 200, (url, resp.data[:300])
        assert not [c for c in _csv_cells(resp.data) if c.startswith(("=", "+", "@"))], url
