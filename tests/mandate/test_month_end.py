"""Issue 13 §4: when finance closes a month, each office head gets the list of their staff who
fell short (in-app and email, with the shortfall) and the BKPSDM/Inspektorat readers get the
city summary and the CSV; all from the figures frozen at the close, never live ones."""

import csv
import io
from datetime import date

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.finance import closing
from marketplace.mandate import exemptions, month_end
from marketplace.mandate.models import MandateMonthEndNotice
from marketplace.notifications.models import Notification
from marketplace.procurement.models import OfficeRole
from marketplace.timeutil import current_period, previous_period
from tests.factories import make_civil_servant, make_opd, make_user
from tests.mandate.helpers import make_admin, make_spending, set_rule, wib

LAST = previous_period(current_period())
Y, M = int(LAST[:4]), int(LAST[5:])


@pytest.fixture
def city(app):
    """Two offices with a head each, staff who fell short, an exempt ASN, a reader of each
    body, and last month's rule of Rp100.000."""
    admin = make_admin()
    set_rule(LAST, 100_000, admin=admin)
    dkp = make_opd("DKP", "Dinas Koperasi dan Perdagangan")
    bpkad = make_opd("BPKAD", "Badan Pengelolaan Keuangan")
    head = make_civil_servant(opd=dkp, name="Kepala Dinas", email="kadis@surabaya.go.id")
    short = make_civil_servant(opd=dkp, name="Andi Kurang", position="Staf")
    exempt = make_civil_servant(opd=dkp, name="Citra Cuti")
    done = make_civil_servant(opd=bpkad, name="Dewi Lunas")
    head2 = make_civil_servant(opd=bpkad, name="Kepala Badan")
    db.session.add_all(
        [
            OfficeRole(user_id=head.id, opd_id=dkp.id, role="head"),
            OfficeRole(user_id=head2.id, opd_id=bpkad.id, role="head"),
        ]
    )
    make_spending(head, 150_000, wib(Y, M, 10))
    make_spending(short, 40_000, wib(Y, M, 10))
    make_spending(done, 100_000, wib(Y, M, 10))
    make_spending(head2, 100_000, wib(Y, M, 10))
    bkpsdm = make_user("civil_servant", name="Petugas BKPSDM", nip="199001012015011001")
    inspektorat = make_user("finance", name="Auditor Inspektorat")
    make_spending(bkpsdm, 100_000, wib(Y, M, 10))
    db.session.commit()
    month_end.set_reader(admin, user_id=bkpsdm.id, body="bkpsdm")
    month_end.set_reader(admin, user_id=inspektorat.id, body="inspektorat")
    ex = exemptions.request_exemption(exempt, period=LAST, kind="illness", reason="Rawat inap")
    exemptions.decide_exemption(admin, ex["id"], approve=True)
    finance = make_user("finance")
    db.session.commit()
    return {
        "admin": admin,
        "finance": finance,
        "head": head,
        "head2": head2,
        "short": short,
        "exempt": exempt,
        "done": done,
        "bkpsdm": bkpsdm,
        "inspektorat": inspektorat,
    }


def _notes(user, kind):
    return db.session.scalars(
        select(Notification).where(Notification.user_id == user.id, Notification.kind == kind)
    ).all()


def test_closing_a_month_tells_each_office_head_who_fell_short(city):
    closing.close_period(city["finance"], LAST)
    notes = _notes(city["head"], "mandate_month_end_office_head")
    assert len(notes) == 1
    body = notes[0].body
    assert "Andi Kurang" in body and city["short"].nip in body and "Rp60.000" in body
    assert "Citra Cuti" not in body and "Kepala Dinas" not in body  # exempt, compliant
    assert notes[0].url == f"/mandate/office/{LAST}"
    other = _notes(city["head2"], "mandate_month_end_office_head")
    assert len(other) == 1 and "semua" in other[0].title.lower()
    # readers get the city summary
    for reader in (city["bkpsdm"], city["inspektorat"]):
        notes = _notes(reader, "mandate_month_end_reader")
        assert len(notes) == 1 and "Rp60.000" in notes[0].body
    # ordinary staff get nothing of it
    assert not _notes(city["short"], "mandate_month_end_office_head")


def test_the_notices_go_out_once(city, runner):
    closing.close_period(city["finance"], LAST)
    sent = db.session.scalar(select(db.func.count()).select_from(MandateMonthEndNotice))
    result = runner.invoke(args=["send-mandate-month-end", "--period", LAST])
    assert result.exit_code == 0, result.output
    assert "0 kepala OPD dan 0 pembaca" in result.output
    assert db.session.scalar(select(db.func.count()).select_from(MandateMonthEndNotice)) == sent


def test_the_cli_refuses_a_month_not_closed(city, runner):
    result = runner.invoke(args=["send-mandate-month-end", "--period", LAST])
    assert result.exit_code == 1


def test_an_email_goes_to_the_head_with_the_shortfall(city, monkeypatch):
    sent = []
    monkeypatch.setattr(
        "marketplace.notifications.services.send_email",
        lambda to, subject, body: sent.append((to, subject, body)) or True,
    )
    closing.close_period(city["finance"], LAST)
    to_head = [s for s in sent if s[0] == "kadis@surabaya.go.id"]
    assert len(to_head) == 1 and "Andi Kurang" in to_head[0][2] and "Rp60.000" in to_head[0][2]


def _csv(resp):
    return list(csv.DictReader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))


def test_readers_read_the_frozen_month_and_its_csv(city, api):
    closing.close_period(city["finance"], LAST)
    # a change after the close (a late exemption, a new joiner) never changes the month
    make_civil_servant(opd=city["short"].opd, joined_on=date(Y, M, 1))
    db.session.commit()
    client = api(city["bkpsdm"])
    months = client.get("/api/v1/mandate/month-end")
    assert months.status_code == 200 and months.json["items"][0]["period"] == LAST
    report = client.get(f"/api/v1/mandate/month-end/{LAST}")
    assert report.status_code == 200, report.json
    assert report.json["summary"]["civil_servants"] == 6  # the new joiner is not in it
    assert report.json["summary"]["not_compliant"] == 1
    assert [r["name"] for r in report.json["items"]] == ["Andi Kurang"]
    assert report.json["items"][0]["shortfall"] == 60_000
    rows = _csv(client.get(f"/api/v1/mandate/month-end/{LAST}?format=csv&short_only=false"))
    assert list(rows[0]) == list(month_end.CSV_COLUMNS)
    by_name = {r["name"]: r for r in rows}
    assert set(by_name) == {
        "Kepala Dinas",
        "Andi Kurang",
        "Citra Cuti",
        "Dewi Lunas",
        "Kepala Badan",
        "Petugas BKPSDM",
    }
    assert by_name["Andi Kurang"]["shortfall"] == "60000"
    assert (
        by_name["Andi Kurang"]["required"] == "100000"
        and by_name["Andi Kurang"]["spent"] == "40000"
    )
    assert (
        by_name["Citra Cuti"]["exemption"] == "illness" and by_name["Citra Cuti"]["required"] == "0"
    )
    assert by_name["Andi Kurang"]["nip"] == city["short"].nip
    assert by_name["Andi Kurang"]["opd"] == "DKP" and by_name["Andi Kurang"]["position"] == "Staf"
    # the Inspektorat reads the same
    assert api(city["inspektorat"]).get(f"/api/v1/mandate/month-end/{LAST}").status_code == 200


def test_tpp_deduction_input_only_when_the_city_ties_them(city, api, make_app):
    closing.close_period(city["finance"], LAST)
    client = api(city["bkpsdm"])
    assert client.get(f"/api/v1/mandate/month-end/{LAST}?format=tpp").status_code == 404
    from flask import current_app

    current_app.config["MANDATE_TPP_DEDUCTION"] = True
    try:
        resp = client.get(f"/api/v1/mandate/month-end/{LAST}?format=tpp&short_only=false")
        assert resp.status_code == 200 and "potongan-tpp" in resp.headers["Content-Disposition"]
        rows = _csv(resp)
        assert [r["name"] for r in rows] == ["Andi Kurang"]  # only who fell short
        assert rows[0]["shortfall"] == "60000"
    finally:
        current_app.config["MANDATE_TPP_DEDUCTION"] = False


def test_a_month_not_closed_has_no_month_end(city, api):
    resp = api(city["bkpsdm"]).get(f"/api/v1/mandate/month-end/{LAST}")
    assert resp.status_code == 404
    assert api(city["bkpsdm"]).get("/api/v1/mandate/month-end/2026-13").status_code == 422


def test_the_office_head_reads_their_office(city, api, client, login):
    closing.close_period(city["finance"], LAST)
    resp = api(city["head"]).get(f"/api/v1/mandate/office/{LAST}")
    assert resp.status_code == 200
    assert resp.json["opd"] == "DKP"
    assert resp.json["items"][0]["name"] == "Andi Kurang"  # short first
    assert {r["name"] for r in resp.json["items"]} == {"Kepala Dinas", "Andi Kurang", "Citra Cuti"}
    assert api(city["short"]).get(f"/api/v1/mandate/office/{LAST}").status_code == 403
    login(client, city["head"])
    page = client.get(f"/mandate/office/{LAST}")
    assert page.status_code == 200 and "Andi Kurang" in page.get_data(as_text=True)
    assert client.get("/mandate/office").status_code == 200


def test_month_end_pages_for_readers(city, client, login):
    closing.close_period(city["finance"], LAST)
    login(client, city["bkpsdm"])
    index = client.get("/mandate/month-end")
    assert index.status_code == 200 and LAST in index.get_data(as_text=True)
    page = client.get(f"/mandate/month-end/{LAST}")
    html = page.get_data(as_text=True)
    assert (
        page.status_code == 200 and "Andi Kurang" in html and 'data-testid="month-end-csv"' in html
    )
    progress = client.get("/mandate").get_data(as_text=True)
    assert "/mandate/month-end" in progress  # the reader's link


def test_readers_are_assigned_by_the_admin(app, api, client, login):
    admin = make_admin()
    asn = make_civil_servant()
    public = make_user("public")
    db.session.commit()
    resp = api(admin).put(f"/api/v1/mandate/readers/{asn.id}", json={"body": "inspektorat"})
    assert resp.status_code == 200 and resp.json["body"] == "inspektorat"
    assert (
        api(admin).put(f"/api/v1/mandate/readers/{public.id}", json={"body": "bkpsdm"}).status_code
        == 422
    )
    assert (
        api(admin).put(f"/api/v1/mandate/readers/{asn.id}", json={"body": "dprd"}).status_code
        == 422
    )
    assert [r["user_id"] for r in api(admin).get("/api/v1/mandate/readers").json] == [asn.id]
    assert api(asn).get("/api/v1/mandate/month-end").status_code == 200
    assert api(admin).delete(f"/api/v1/mandate/readers/{asn.id}").status_code == 200
    assert api(asn).get("/api/v1/mandate/month-end").status_code == 403
    login(client, admin)
    assert client.get("/admin/mandate-readers").status_code == 200
    resp = client.post("/admin/mandate-readers", data={"email": asn.email, "body": "bkpsdm"})
    assert resp.status_code == 302
    assert month_end.reader_body(asn) == "bkpsdm"
    assert client.post(f"/admin/mandate-readers/{asn.id}/remove").status_code == 302
    assert month_end.reader_body(asn) is None


def test_an_english_speaking_head_gets_the_list_in_english(city):
    city["head"].locale = "en"
    db.session.commit()
    closing.close_period(city["finance"], LAST)
    note = _notes(city["head"], "mandate_month_end_office_head")[0]
    assert "fell short" in note.title and "short by Rp60.000" in note.body
    indonesian = _notes(city["head2"], "mandate_month_end_office_head")[0]
    assert "memenuhi" in indonesian.title
