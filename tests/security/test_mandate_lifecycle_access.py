"""Issue 13's access matrix: the month-end figures are for the BKPSDM/Inspektorat readers the
admin flags (whatever their role), finance and the admin; an office head sees only their own
office; exemptions are seen by their ASN, that ASN's office head and the admin (404 for anyone
else), decided by the admin only; roster leavers and readers are the admin's."""

import pytest
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.finance import closing
from marketplace.mandate import exemptions, month_end
from marketplace.mandate.models import MandateExemption, MandateReader
from marketplace.procurement.models import OfficeRole
from marketplace.timeutil import current_period, previous_period
from tests.factories import make_civil_servant, make_opd, make_user, make_vendor
from tests.mandate.helpers import make_admin, make_spending, set_rule, wib

LAST = previous_period(current_period())
Y, M = int(LAST[:4]), int(LAST[5:])


@pytest.fixture
def w(app):
    admin = make_admin()
    set_rule(LAST, 100_000, admin=admin)
    dkp, bpkad = make_opd("DKP", "Dinas Koperasi"), make_opd("BPKAD", "Badan Keuangan")
    head = make_civil_servant(opd=dkp, name="Kepala DKP")
    staff = make_civil_servant(opd=dkp, name="Staf DKP Rahasia")
    head2 = make_civil_servant(opd=bpkad, name="Kepala BPKAD")
    other = make_civil_servant(opd=bpkad, name="Staf BPKAD")
    db.session.add_all(
        [
            OfficeRole(user_id=head.id, opd_id=dkp.id, role="head"),
            OfficeRole(user_id=head2.id, opd_id=bpkad.id, role="head"),
        ]
    )
    make_spending(staff, 10_000, wib(Y, M, 5))
    reader_asn = make_civil_servant(opd=bpkad, name="Pembaca BKPSDM")
    reader_fin = make_user("finance", name="Pembaca Inspektorat")
    finance = make_user("finance")
    public = make_user("public")
    vendor = make_vendor().owner
    db.session.commit()
    month_end.set_reader(admin, user_id=reader_asn.id, body="bkpsdm")
    month_end.set_reader(admin, user_id=reader_fin.id, body="inspektorat")
    ex = exemptions.request_exemption(staff, period=current_period(), kind="leave", reason="Cuti")
    closing.close_period(finance, LAST)
    return {
        "admin": admin,
        "head": head,
        "staff": staff,
        "head2": head2,
        "other": other,
        "reader_asn": reader_asn,
        "reader_fin": reader_fin,
        "finance": finance,
        "public": public,
        "vendor": vendor,
        "exemption": ex["id"],
    }


MONTH_END_ALLOWED = ("reader_asn", "reader_fin", "finance", "admin")
MONTH_END_REFUSED = ("staff", "head", "public", "vendor")


@pytest.mark.parametrize("who", MONTH_END_ALLOWED + MONTH_END_REFUSED)
def test_month_end_api_is_for_readers_finance_and_admin(w, api, who):
    client = api(w[who])
    expected = 200 if who in MONTH_END_ALLOWED else 403
    for url in (
        "/api/v1/mandate/month-end",
        f"/api/v1/mandate/month-end/{LAST}",
        f"/api/v1/mandate/month-end/{LAST}?format=csv",
    ):
        resp = client.get(url)
        assert resp.status_code == expected, (who, url, resp.status_code)
        if expected == 403:
            assert "Staf DKP Rahasia" not in resp.get_data(as_text=True)


def test_month_end_needs_a_sign_in(w, client):
    assert client.get(f"/api/v1/mandate/month-end/{LAST}").status_code == 401
    page = client.get(f"/mandate/month-end/{LAST}")
    assert page.status_code == 302 and "/login" in page.headers["Location"]


@pytest.mark.parametrize("who", MONTH_END_ALLOWED + MONTH_END_REFUSED)
def test_month_end_pages_are_for_readers_finance_and_admin(w, client, login, who):
    login(client, w[who])
    expected = 200 if who in MONTH_END_ALLOWED else 403
    for url in ("/mandate/month-end", f"/mandate/month-end/{LAST}"):
        resp = client.get(url)
        assert resp.status_code == expected, (who, url)
        if expected == 403:
            body = resp.get_data(as_text=True)
            assert "month-end-rows" not in body and "month-end-months" not in body


def test_a_removed_reader_loses_access(w, api):
    month_end.remove_reader(w["admin"], w["reader_asn"].id)
    assert api(w["reader_asn"]).get(f"/api/v1/mandate/month-end/{LAST}").status_code == 403


def test_an_office_head_sees_only_their_own_office(w, api, client, login):
    mine = api(w["head"]).get(f"/api/v1/mandate/office/{LAST}")
    theirs = api(w["head2"]).get(f"/api/v1/mandate/office/{LAST}")
    assert mine.json["opd"] == "DKP" and theirs.json["opd"] == "BPKAD"
    assert "Staf DKP Rahasia" not in theirs.get_data(as_text=True)
    for who in ("staff", "other", "reader_asn"):
        assert api(w[who]).get(f"/api/v1/mandate/office/{LAST}").status_code == 403
    for who in ("finance", "admin", "public", "vendor"):
        assert api(w[who]).get(f"/api/v1/mandate/office/{LAST}").status_code == 403
    login(client, w["staff"])
    assert client.get(f"/mandate/office/{LAST}").status_code == 403
    assert client.get("/mandate/office").status_code == 403


def test_another_asns_exemption_answers_404(w, api):
    ex = w["exemption"]
    for who in ("staff", "head", "admin"):
        assert api(w[who]).get(f"/api/v1/mandate/exemptions/{ex}").status_code == 200, who
    for who in ("other", "head2", "reader_asn"):
        resp = api(w[who]).get(f"/api/v1/mandate/exemptions/{ex}")
        assert resp.status_code == 404, who
        assert "Cuti" not in resp.get_data(as_text=True)
        listed = api(w[who]).get("/api/v1/mandate/exemptions").json["items"]
        assert ex not in [e["id"] for e in listed]
    for who in ("finance", "public", "vendor"):
        assert api(w[who]).get(f"/api/v1/mandate/exemptions/{ex}").status_code == 403


def test_only_the_admin_decides_exemptions_api_and_page(w, api, client, login):
    ex = w["exemption"]
    for who in ("staff", "head", "finance", "reader_asn"):
        for decision in ("approve", "reject"):
            resp = api(w[who]).post(f"/api/v1/mandate/exemptions/{ex}/{decision}", json={})
            assert resp.status_code == 403, (who, decision)
    login(client, w["head"])
    assert client.post(f"/mandate/exemptions/{ex}/approve").status_code == 403
    assert db.session.get(MandateExemption, ex).status == "requested"
    assert (
        api(w["admin"]).post("/api/v1/mandate/exemptions/999999/approve", json={}).status_code
        == 404
    )


def test_an_office_head_cannot_ask_for_another_offices_staff(w, api):
    resp = api(w["head"]).post(
        "/api/v1/mandate/exemptions",
        json={
            "period": current_period(),
            "kind": "illness",
            "reason": "x",
            "user_id": w["other"].id,
        },
    )
    assert resp.status_code == 403


def test_roster_leavers_are_the_admins(w, api, client, login):
    target = w["other"]
    for who in ("head", "finance", "reader_asn", "public", "vendor"):
        for action in ("deactivate", "reactivate"):
            resp = api(w[who]).post(f"/api/v1/admin/civil-servants/{target.id}/{action}", json={})
            assert resp.status_code == 403, (who, action)
    login(client, w["head"])
    assert client.post(f"/admin/civil-servants/{target.id}/deactivate").status_code == 403
    assert client.post(f"/admin/civil-servants/{target.id}/reactivate").status_code == 403
    db.session.expire_all()
    assert db.session.get(User, target.id).active
    # the admin reaches only civil servants through these routes
    resp = api(w["admin"]).post(
        f"/api/v1/admin/civil-servants/{w['finance'].id}/deactivate", json={}
    )
    assert resp.status_code == 404
    assert db.session.get(User, w["finance"].id).active


def test_readers_are_assigned_by_the_admin_only(w, api, client, login):
    target = w["other"]
    for who in ("head", "finance", "reader_asn", "reader_fin", "public"):
        resp = api(w[who]).put(f"/api/v1/mandate/readers/{target.id}", json={"body": "bkpsdm"})
        assert resp.status_code == 403, who
        resp = api(w[who]).delete(f"/api/v1/mandate/readers/{w['reader_asn'].id}")
        assert resp.status_code == 403, who
    login(client, w["reader_fin"])
    assert client.post(f"/admin/mandate-readers/{w['reader_asn'].id}/remove").status_code == 403
    assert client.get("/admin/mandate-readers").status_code == 403
    flagged = db.session.scalars(select(MandateReader.user_id)).all()
    assert sorted(flagged) == sorted([w["reader_asn"].id, w["reader_fin"].id])
    assert api(w["admin"]).delete(f"/api/v1/mandate/readers/{target.id}").status_code == 404
