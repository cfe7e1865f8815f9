"""Finance pages: access, charts, forms, empty states, uploads and the English translation."""

from io import BytesIO
from pathlib import Path

import pytest
from flask_babel import refresh

from marketplace.audit.models import record_audit
from marketplace.extensions import db
from marketplace.finance import services
from marketplace.timeutil import now_utc, year_of
from tests.factories import make_civil_servant, make_opd, make_user, make_vendor
from tests.finance.helpers import make_order, post_payment_journal, record_spending

FIXTURE = Path(__file__).parent / "fixtures" / "stripe_balance_transactions.csv"
PAGES = [
    "/finance",
    "/finance/targets/2025",
    "/finance/budgets/2025",
    "/finance/watch",
    "/finance/ledger",
    "/finance/reconciliations",
    "/finance/audit",
]


@pytest.fixture
def finance(client, login):
    user = make_user("finance", name="Petugas Keuangan")
    db.session.commit()  # error pages roll the session back; the user must outlive that
    login(client, user)
    return client


@pytest.mark.parametrize("url", PAGES)
def test_finance_pages_send_anonymous_visitors_to_login(client, url):
    resp = client.get(url)
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]


@pytest.mark.parametrize("url", PAGES)
def test_buyers_may_not_open_finance_pages(client, login, url):
    user = make_civil_servant()
    db.session.commit()
    login(client, user)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", PAGES)
def test_finance_pages_render_their_empty_states(finance, url):
    resp = finance.get(url)
    assert resp.status_code == 200
    assert b'<html lang="id">' in resp.data


def test_dashboard_draws_charts_as_inline_svg_and_links_everything(finance, app):
    year = year_of(now_utc())
    opd = make_opd("DINKOP")
    record_spending(150_000, at=now_utc(), opd=opd, umk_class="micro")
    db.session.commit()
    html = finance.get(f"/finance?year={year}").get_data(as_text=True)
    assert html.count("<svg") == 4  # three cumulative charts and the OPD bars
    assert 'data-chart="opd-bars"' in html and "DINKOP" in html
    assert "Rp150.000" in html
    for link in (
        "/finance/compliance",
        "/finance/ledger",
        "/finance/reconciliations",
        "/finance/audit",
        "/finance/payouts",
        f"/finance/targets/{year}",
    ):
        assert f'href="{link}' in html, link
    assert f"/api/v1/finance/spending?year={year}&amp;group_by=opd&amp;format=xlsx" in html
    # Nothing loaded from elsewhere and no inline script (the CSP would block both).
    assert "<script>" not in html and 'src="http' not in html and 'href="http' not in html


def test_dashboard_year_must_be_a_sensible_year(finance):
    assert finance.get("/finance?year=1700").status_code == 422


def test_targets_form_saves_amounts_typed_with_dots_and_per_opd_rows(finance):
    make_opd("DINKOP"), make_opd("BAPPEDA")
    resp = finance.post(
        "/finance/targets/2025",
        data={
            "umk": "1.200.000.000.000",
            "pdn": "Rp 1.700.000.000.000",
            "local": "",
            "opd-DINKOP-umk": "5.000.000",
            "opd-DINKOP-pdn": "",
            "opd-DINKOP-local": "",
            "opd-BAPPEDA-umk": "",
            "opd-BAPPEDA-pdn": "",
            "opd-BAPPEDA-local": "",
        },
    )
    assert resp.status_code == 302 and "/finance?year=2025" in resp.headers["Location"]
    targets = services.get_targets(2025)
    assert (targets["umk"], targets["pdn"], targets["local"]) == (
        1_200_000_000_000,
        1_700_000_000_000,
        0,
    )
    assert targets["by_opd"] == {"DINKOP": {"umk": 5_000_000, "pdn": 0, "local": 0}}
    page = finance.get("/finance/targets/2025").get_data(as_text=True)
    assert 'value="5000000"' in page and "data-confirm" in page


def test_a_bad_target_amount_flashes_and_changes_nothing(finance):
    resp = finance.post(
        "/finance/targets/2025",
        data={"umk": "banyak", "pdn": "1", "local": "1"},
        headers={"Referer": "/finance/targets/2025"},
    )
    assert resp.status_code == 302
    assert services.get_targets(2025)["is_set"] is False
    page = finance.get("/finance/targets/2025").get_data(as_text=True)
    assert "Periksa isian target." in page


@pytest.mark.parametrize("typed", ["12,5rb", "12,50", "-1.000", "12.50"])
def test_a_target_in_sen_or_shorthand_is_refused_with_the_rupiah_message(finance, typed):
    resp = finance.post(
        "/finance/targets/2025",
        data={"umk": typed, "pdn": "1", "local": "1"},
        headers={"Referer": "/finance/targets/2025"},
    )
    assert resp.status_code == 302
    assert services.get_targets(2025)["is_set"] is False
    page = finance.get("/finance/targets/2025").get_data(as_text=True)
    assert "Jumlah harus bilangan bulat rupiah tanpa sen" in page


def test_watch_page_lists_idle_vendors(finance):
    make_vendor(name="Toko Sepi Sekali")
    db.session.commit()
    html = finance.get("/finance/watch").get_data(as_text=True)
    assert "Toko Sepi Sekali" in html
    assert "Tidak ada toko yang mendekati batas" in html


def test_ledger_page_shows_balances_that_sum_to_zero_and_journal_lines(finance):
    post_payment_journal(make_order(amount=12_500), 12_500, reference="ch_page")
    db.session.commit()
    html = finance.get("/finance/ledger").get_data(as_text=True)
    assert "provider_cash" in html and "ch_page" in html
    assert 'data-testid="balance-total">Rp0<' in html


def test_finance_uploads_an_export_and_sees_the_four_groups(finance):
    resp = finance.post(
        "/finance/reconciliations",
        data={"file": (BytesIO(FIXTURE.read_bytes()), "march.csv")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    html = finance.get(resp.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="count-missing-in-ledger">4<' in html  # an empty ledger misses every row
    assert "txn_3PkC3Peken0003" in html
    listing = finance.get("/finance/reconciliations").get_data(as_text=True)
    assert "march.csv" in listing


def test_uploading_without_a_file_flashes_an_error(finance):
    resp = finance.post(
        "/finance/reconciliations",
        data={},
        content_type="multipart/form-data",
        headers={"Referer": "/finance/reconciliations"},
    )
    assert resp.status_code == 302
    assert "Pilih berkas CSV" in finance.get("/finance/reconciliations").get_data(as_text=True)


def test_admins_read_reconciliations_but_cannot_run_them(client, login):
    user = make_user("admin")
    db.session.commit()
    login(client, user)
    assert b'type="file"' not in client.get("/finance/reconciliations").data
    resp = client.post(
        "/finance/reconciliations",
        data={"file": (BytesIO(b"x"), "a.csv")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 403


def test_audit_page_filters_and_shows_before_and_after(finance):
    admin = make_user("admin", name="Pak Verifikator")
    record_audit(
        admin,
        "vendor.verify",
        "vendor",
        5,
        before={"status": "pending"},
        after={"status": "verified"},
    )
    record_audit(admin, "category.create", "category", 2)
    db.session.commit()
    html = finance.get("/finance/audit?action=vendor.").get_data(as_text=True)
    assert (
        "Pak Verifikator" in html
        and "vendor.verify" in html
        and "category.create" not in html.split("<table")[1]
    )
    assert "&#34;verified&#34;" in html or '"verified"' in html
    assert finance.get("/finance/audit?from=2025-13-01").status_code == 422


def test_pages_are_in_english_when_asked(finance):
    refresh()  # the test's app context outlives requests; Flask-Babel caches the locale on it
    html = finance.get("/finance?lang=en").get_data(as_text=True)
    assert (
        '<html lang="en">' in html
        and "Targets and spending" in html
        and "Cumulative spending" in html
    )
    refresh()
    finance.post("/language/en")  # `?lang=` shows one page; the switch (a POST) stores it
    refresh()
    assert "Reconciliation history" in finance.get("/finance/reconciliations").get_data(
        as_text=True
    )
    refresh()
