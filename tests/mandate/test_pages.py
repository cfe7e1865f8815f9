"""Mandate pages: my progress, the widget, the compliance report and the rules form."""

import re

import pytest
from flask import render_template_string
from flask_babel import refresh
from flask_login import login_user
from sqlalchemy import event, func, select

from marketplace.extensions import db
from marketplace.mandate.models import MandateRule
from marketplace.timeutil import current_period
from tests.factories import make_civil_servant, make_opd, make_user, make_vendor
from tests.mandate.helpers import make_spending, refund_spending, set_rule, wib

PAGES = ("/mandate", "/finance/compliance", "/admin/mandate-rules")


@pytest.mark.parametrize("path", PAGES)
def test_pages_send_anonymous_visitors_to_login(client, path):
    resp = client.get(path)
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/login?next=" + path)


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/mandate", {"civil_servant"}),
        ("/finance/compliance", {"finance", "admin"}),
        ("/admin/mandate-rules", {"admin"}),
    ],
)
@pytest.mark.parametrize("role", ["civil_servant", "public", "vendor", "finance", "admin"])
def test_pages_answer_only_their_roles(app, client, login, path, allowed, role):
    user = make_civil_servant() if role == "civil_servant" else make_user(role)
    db.session.commit()
    login(client, user)
    assert client.get(path).status_code == (200 if role in allowed else 403)


# ---------------------------------------------------------------- my progress
def test_my_progress_page_shows_the_amounts_and_what_counted(app, client, login):
    set_rule("2026-05", 100_000, {"Lurah": 1_000_000})
    asn = make_civil_servant(position="Lurah")
    shop = make_vendor(name="Warung Bu Sri")
    sale = make_spending(asn, 400_000, wib(2026, 5, 31, 23, 30), vendor=shop)
    refund_spending(sale, 100_000)
    make_spending(asn, 999_000, wib(2026, 5, 2), local=False)
    db.session.commit()
    html = login(client, asn).get("/mandate?period=2026-05").get_data(as_text=True)
    assert 'data-testid="mandate-required">Rp1.000.000<' in html
    assert 'data-testid="mandate-spent">Rp300.000<' in html
    assert 'data-testid="mandate-remaining">Rp700.000<' in html
    assert "Belum terpenuhi" in html and "30% dari minimal bulanan" in html
    assert "Warung Bu Sri" in html and "termasuk pengembalian Rp100.000" in html
    assert "Rp999.000" not in html
    assert 'data-testid="mandate-widget"' not in html  # the page itself is the big version


def test_my_progress_page_has_an_empty_state_and_a_shop_link(app, client, login):
    set_rule(current_period(), 100_000)
    asn = make_civil_servant()
    db.session.commit()
    html = login(client, asn).get("/mandate").get_data(as_text=True)
    assert "Belum ada belanja yang dihitung pada periode ini." in html
    assert (
        "Yang dihitung: produk lokal yang sudah ditinjau Pemda dari toko lokal terverifikasi"
        in html
    )
    assert 'data-testid="mandate-shop"' in html
    assert f'<option value="{current_period()}" selected>' in html


def test_my_progress_page_paginates_the_spending(app, client, login):
    set_rule("2026-05", 100_000)
    asn = make_civil_servant()
    for day in range(1, 4):
        make_spending(asn, 10_000, wib(2026, 5, day))
    db.session.commit()
    html = login(client, asn).get("/mandate?period=2026-05&per_page=2").get_data(as_text=True)
    assert "Halaman 1 dari 2" in html and html.count("Rp10.000") == 2


def test_a_malformed_period_on_the_page_is_a_clear_422(app, client, login):
    asn = make_civil_servant()
    db.session.commit()
    resp = login(client, asn).get("/mandate?period=bulan-lalu")
    assert resp.status_code == 422
    assert "YYYY-MM" in resp.get_data(as_text=True) or "Filter" in resp.get_data(as_text=True)


def test_my_progress_page_speaks_english_on_request(app, client, login):
    asn = make_civil_servant()
    db.session.commit()
    login(client, asn)
    refresh()  # tests share one app context across requests; drop the locale cached by the login
    html = client.get("/mandate?lang=en").get_data(as_text=True)
    assert "Monthly mandatory purchase" in html and "Kewajiban belanja bulanan" not in html
    assert "What counts: local products reviewed by the city" in html


# ---------------------------------------------------------------- widget
PAGE = '{% extends "base.html" %}{% block content %}<p>isi</p>{% endblock %}'


def test_the_widget_shows_a_civil_servants_progress_on_every_page(app):
    set_rule(current_period(), 200_000)
    asn = make_civil_servant()
    make_spending(asn, 50_000, wib(*map(int, current_period().split("-")), 1))
    db.session.commit()
    with app.test_request_context("/"):
        login_user(asn)
        html = render_template_string(PAGE)
    assert 'data-testid="mandate-widget"' in html
    assert "Rp50.000 dari Rp200.000" in html and "kurang Rp150.000" in html
    assert 'aria-valuenow="25"' in html


@pytest.mark.parametrize("role", ["public", "vendor", "finance", "admin"])
def test_the_widget_renders_nothing_and_queries_nothing_for_other_roles(app, role):
    user = make_user(role)
    db.session.commit()
    statements = []
    with app.test_request_context("/"):
        login_user(user)
        listener = lambda *args: statements.append(args[2])
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            html = render_template_string(PAGE)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    assert 'data-testid="mandate-widget"' not in html
    assert not [s for s in statements if "spending_records" in s or "mandate" in s]


# ---------------------------------------------------------------- compliance page
@pytest.fixture
def city(app):
    set_rule("2026-05", 100_000, {"Camat": 2_000_000})
    dinkop, bappeda = make_opd("DINKOP", "Dinas Koperasi"), make_opd("BAPPEDA", "Bappeda")
    make_spending(
        make_civil_servant(opd=dinkop, position="Camat", name="Budi Camat"),
        2_100_000,
        wib(2026, 5, 2),
    )
    make_spending(make_civil_servant(opd=dinkop, name="Ani Staf"), 30_000, wib(2026, 5, 3))
    make_civil_servant(opd=bappeda, name="Citra Analis")
    db.session.commit()


def test_the_compliance_page_shows_summary_opds_rows_and_downloads(city, client, login):
    html = (
        login(client, make_user("finance"))
        .get("/finance/compliance?period=2026-05")
        .get_data(as_text=True)
    )
    assert 'data-testid="summary-compliant">1<' in html
    assert 'data-testid="summary-rate">33.3%<' in html
    assert 'data-testid="summary-spent">Rp2.130.000<' in html
    assert "Dinas Koperasi" in html and "Bappeda" in html
    assert "Budi Camat" in html and "Kurang Rp70.000" in html
    links = dict(
        re.findall(r'href="(/api/v1/mandate/compliance\?[^"]+)" data-testid="download-(\w+)"', html)
    )
    assert sorted(links.values()) == ["csv", "xlsx"]
    for url, kind in links.items():
        assert f"format={kind}" in url and "period=2026-05" in url


def test_the_compliance_page_filters_and_paginates(city, client, login):
    login(client, make_user("admin"))
    html = client.get("/finance/compliance?period=2026-05&opd=DINKOP&compliant=false").get_data(
        as_text=True
    )
    assert (
        "Ani Staf" in html and "Budi Camat" not in html.split('data-testid="compliance-table"')[1]
    )
    csv_link = re.search(r'href="([^"]+)" data-testid="download-csv"', html).group(1)
    assert "opd=DINKOP" in csv_link and "compliant=false" in csv_link  # downloads keep the filters
    paged = client.get("/finance/compliance?period=2026-05&per_page=1&sort=-spent").get_data(
        as_text=True
    )
    assert "Halaman 1 dari 3" in paged
    empty = client.get("/finance/compliance?period=2026-05&opd=NOPE").get_data(as_text=True)
    assert "Tidak ada ASN yang cocok dengan filter ini." in empty


def test_bad_filters_on_the_compliance_page_are_422(city, client, login):
    finance = make_user("finance")
    db.session.commit()
    login(client, finance)
    assert client.get("/finance/compliance?sort=gaji").status_code == 422


# ---------------------------------------------------------------- rules page
def test_the_rules_page_shows_the_rule_in_force_and_the_history(app, client, login):
    set_rule("2026-01", 75_000, {"Camat": 2_000_000})
    admin = make_user("admin")
    db.session.commit()
    html = login(client, admin).get("/admin/mandate-rules").get_data(as_text=True)
    assert 'data-testid="rule-current"' in html and "Rp75.000" in html and "Camat" in html
    assert "2026-01" in html and 'data-confirm="' in html


def test_an_admin_sets_a_rule_with_the_form(app, client, login):
    admin = make_user("admin")
    db.session.commit()
    login(client, admin)
    resp = client.post(
        "/admin/mandate-rules",
        data={
            "effective_from": current_period(),
            "default_amount": "Rp 100.000",
            "position": ["Camat", "Lurah", ""],
            "amount": ["2.000.000", "1000000", ""],
        },
    )
    assert resp.status_code == 302
    rule = db.session.scalars(select(MandateRule)).one()
    assert rule.default_amount == 100_000 and rule.by_position == {
        "Camat": 2_000_000,
        "Lurah": 1_000_000,
    }
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert f"mulai {current_period()} disimpan" in html


@pytest.mark.parametrize(
    "form",
    [
        {"effective_from": "2026-05-01", "default_amount": "100000"},
        {"effective_from": "2000-01", "default_amount": "100000"},
        {"default_amount": "seratus ribu"},
        {"default_amount": "12,5rb"},
        {"default_amount": "100.000,50"},
        {"default_amount": ""},
        {"default_amount": "100000", "position": ["Camat"], "amount": ["-5"]},
        {"default_amount": "100000", "position": ["", "Camat"], "amount": ["5000", "1"]},
    ],
)
def test_an_invalid_rule_form_is_flashed_and_changes_nothing(app, client, login, form):
    admin = make_user("admin")
    db.session.commit()
    login(client, admin)
    data = {"effective_from": current_period(), **form}
    resp = client.post(
        "/admin/mandate-rules", data=data, headers={"Referer": "/admin/mandate-rules"}
    )
    assert resp.status_code == 302
    page = client.get("/admin/mandate-rules").get_data(as_text=True)
    assert "flash-error" in page
    assert db.session.scalar(select(func.count()).select_from(MandateRule)) == 0


def test_the_rules_form_needs_a_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        admin = make_user("admin")
        db.session.commit()
        client = app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"] = admin.get_id()
        resp = client.post(
            "/admin/mandate-rules", data={"effective_from": current_period(), "default_amount": "1"}
        )
        assert resp.status_code in (400, 302)
        assert db.session.scalar(select(func.count()).select_from(MandateRule)) == 0
