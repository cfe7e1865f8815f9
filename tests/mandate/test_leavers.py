"""Issue 13 §2: leavers and joiners on the roster, and exemptions, against the database
(SQLite and PostgreSQL): the compliance report, one ASN's progress and the downloads agree."""

import csv
import io
from datetime import date

import pytest
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.audit.models import AuditLog
from marketplace.errors import Conflict, Forbidden, ValidationFailed
from marketplace.extensions import db
from marketplace.mandate import exemptions, roster_sync, services
from tests.accounts.conftest import good_row, roster
from tests.factories import make_civil_servant, make_opd, make_user
from tests.mandate.helpers import make_admin, make_spending, set_rule, wib

NOV = "2026-11"
DEC = "2026-12"


def _rows(admin, period, **kw):
    return {r["nip"]: r for r in services.compliance_rows(admin, period, **kw)[1]}


# ---------------------------------------------------------------- complete roster import
def _staff(opd):
    """Three ASN of `opd` imported by an earlier roster (NIPs 1..3 of good_row)."""
    return [
        make_civil_servant(
            opd=opd, nip=f"{198001012006041000 + n:018d}", email=f"asn{n}@surabaya.go.id"
        )
        for n in (1, 2, 3)
    ]


def test_a_complete_import_previews_the_absent_and_deactivates_them_on_confirmation(app):
    admin = make_admin()
    dkp = make_opd("DKP", "Dinas Koperasi dan Perdagangan")
    other = make_opd("BPKAD", "Badan Keuangan")
    staff = _staff(dkp)
    elsewhere = make_civil_servant(opd=other)
    db.session.commit()
    data = roster(good_row(1), good_row(2), good_row(4))  # 3 left, 4 joined

    preview = roster_sync.preview_leavers(admin, data, "DKP")
    assert [p["nip"] for p in preview.absent] == [staff[2].nip]
    assert preview.listed == 3
    assert all(u.active for u in staff)  # a preview writes nothing

    completion = roster_sync.complete_import(admin, data, "DKP")
    assert completion.imported.created == 1 and completion.imported.updated == 2
    assert [p["user_id"] for p in completion.absent] == [staff[2].id]
    joiner = db.session.scalar(select(User).where(User.nip == f"{198001012006041004:018d}"))
    assert joiner.joined_on is not None  # the import day is the joiner's first day

    count = roster_sync.deactivate_leavers(admin, [staff[2].id], "DKP", left_on=date(2026, 11, 10))
    assert count == 1
    db.session.expire_all()
    assert not staff[2].active and staff[2].left_on == date(2026, 11, 10)
    assert staff[0].active and elsewhere.active  # another OPD is out of scope
    actions = db.session.scalars(select(AuditLog.action)).all()
    assert "roster.leavers_deactivated" in actions and "user.deactivate" in actions


def test_confirming_someone_outside_the_scope_is_refused(app):
    admin = make_admin()
    dkp, other = make_opd("DKP"), make_opd("BPKAD")
    _staff(dkp)
    outsider = make_civil_servant(opd=other)
    db.session.commit()
    with pytest.raises(ValidationFailed):
        roster_sync.deactivate_leavers(admin, [outsider.id], "DKP")
    assert db.session.get(User, outsider.id).active


def test_a_file_listing_nobody_of_the_opd_is_refused(app):
    admin = make_admin()
    staff = _staff(make_opd("DKP"))
    make_opd("BPKAD")
    db.session.commit()
    with pytest.raises(ValidationFailed) as err:
        roster_sync.preview_leavers(admin, roster(good_row(9, opd="BPKAD")), "DKP")
    assert "scope" in err.value.details
    with pytest.raises(ValidationFailed):
        roster_sync.preview_leavers(admin, roster(good_row(1)), "NOPE")
    assert all(u.active for u in staff)


def test_the_city_scope_covers_every_opd(app):
    admin = make_admin()
    staff = _staff(make_opd("DKP"))
    elsewhere = make_civil_servant(opd=make_opd("BPKAD"))
    db.session.commit()
    preview = roster_sync.preview_leavers(admin, roster(good_row(1), good_row(2)), "city")
    assert {p["user_id"] for p in preview.absent} == {staff[2].id, elsewhere.id}


def test_complete_import_api_and_confirmation(app, api):
    admin = make_admin()
    staff = _staff(make_opd("DKP"))
    db.session.commit()
    client = api(admin)
    resp = client.post(
        "/api/v1/admin/civil-servants/roster-complete",
        data={"file": (io.BytesIO(roster(good_row(1), good_row(2))), "asn.csv"), "scope": "DKP"},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 200, resp.json
    assert [p["nip"] for p in resp.json["absent"]] == [staff[2].nip]
    assert resp.json["deactivated"] == 0 and resp.json["imported"]["updated"] == 2
    resp = client.post(
        "/api/v1/admin/civil-servants/leavers",
        json={"scope": "DKP", "user_ids": [staff[2].id], "left_on": "2026-11-10"},
    )
    assert resp.status_code == 200 and resp.json == {"deactivated": 1}
    # confirm=true deactivates in the same call
    make_civil_servant(opd=staff[0].opd, nip="198001012006041999")
    db.session.commit()
    resp = client.post(
        "/api/v1/admin/civil-servants/roster-complete",
        data={
            "file": (io.BytesIO(roster(good_row(1), good_row(2))), "asn.csv"),
            "scope": "DKP",
            "confirm": "true",
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 200 and resp.json["deactivated"] == 1


def test_complete_import_page_and_confirmation(app, client, login):
    admin = make_admin()
    staff = _staff(make_opd("DKP", "Dinas Koperasi"))
    db.session.commit()
    login(client, admin)
    assert client.get("/admin/civil-servants/roster-complete").status_code == 200
    resp = client.post(
        "/admin/civil-servants/roster-complete",
        data={"file": (io.BytesIO(roster(good_row(1), good_row(2))), "asn.csv"), "scope": "DKP"},
        content_type="multipart/form-data",
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and staff[2].name in html and 'name="user_id"' in html
    resp = client.post(
        "/admin/civil-servants/leavers",
        data={"scope": "DKP", "user_id": str(staff[2].id), "left_on": "2026-11-10"},
    )
    assert resp.status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, staff[2].id).active


def test_complete_import_cli(app, runner, tmp_path):
    staff = _staff(make_opd("DKP"))
    db.session.commit()
    path = tmp_path / "asn.csv"
    path.write_bytes(roster(good_row(1), good_row(2)))
    result = runner.invoke(args=["roster-complete", str(path), "--scope", "DKP"], input="n\n")
    assert result.exit_code == 0, result.output
    assert staff[2].nip in result.output and "Tidak ada yang dinonaktifkan" in result.output
    result = runner.invoke(
        args=["roster-complete", str(path), "--scope", "DKP", "--yes", "--left-on", "2026-11-10"]
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    user = db.session.get(User, staff[2].id)
    assert not user.active and user.left_on == date(2026, 11, 10)


# ---------------------------------------------------------------- one ASN
def test_deactivate_and_reactivate_one_asn_by_api(app, api):
    admin = make_admin()
    asn = make_civil_servant()
    db.session.commit()
    client = api(admin)
    resp = client.post(
        f"/api/v1/admin/civil-servants/{asn.id}/deactivate",
        json={"left_on": "2026-11-10", "reason": "Pensiun"},
    )
    assert resp.status_code == 200, resp.json
    assert resp.json["active"] is False and resp.json["left_on"] == "2026-11-10"
    listed = client.get("/api/v1/admin/civil-servants?status=inactive")
    assert [p["user_id"] for p in listed.json["items"]] == [asn.id]
    resp = client.post(
        f"/api/v1/admin/civil-servants/{asn.id}/reactivate", json={"joined_on": "2026-12-15"}
    )
    assert resp.json["active"] is True and resp.json["left_on"] is None
    assert resp.json["joined_on"] == "2026-12-15"
    other = make_user("public")
    db.session.commit()
    assert (
        client.post(f"/api/v1/admin/civil-servants/{other.id}/deactivate", json={}).status_code
        == 404
    )


def test_deactivate_and_reactivate_one_asn_by_page(app, client, login):
    admin = make_admin()
    asn = make_civil_servant(name="Budi Leaver")
    db.session.commit()
    login(client, admin)
    page = client.get(f"/admin/civil-servants?q={asn.nip}")
    assert page.status_code == 200 and "Budi Leaver" in page.get_data(as_text=True)
    resp = client.post(f"/admin/civil-servants/{asn.id}/deactivate", data={"left_on": "2026-11-10"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, asn.id).left_on == date(2026, 11, 10)
    assert client.post(f"/admin/civil-servants/{asn.id}/reactivate").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, asn.id).active


def test_deactivate_and_reactivate_by_cli_with_nip(app, runner):
    asn = make_civil_servant()
    db.session.commit()
    result = runner.invoke(args=["deactivate-user", asn.nip, "--left-on", "2026-11-10"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    user = db.session.get(User, asn.id)
    assert not user.active and user.left_on == date(2026, 11, 10)
    result = runner.invoke(args=["reactivate-user", asn.email, "--joined-on", "2026-12-15"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    user = db.session.get(User, asn.id)
    assert user.active and user.left_on is None and user.joined_on == date(2026, 12, 15)


# ---------------------------------------------------------------- compliance
def test_a_leaver_counts_in_their_last_month_and_not_after(app):
    admin = make_admin()
    set_rule(NOV, 100_000)
    stays, leaves = make_civil_servant(), make_civil_servant()
    make_spending(leaves, 40_000, wib(2026, 11, 5))
    db.session.commit()
    roster_sync.deactivate_civil_servant(admin, leaves.id, left_on=date(2026, 11, 10))
    nov, dec = _rows(admin, NOV), _rows(admin, DEC)
    assert set(nov) == {stays.nip, leaves.nip}
    assert nov[leaves.nip]["required"] == 100_000 and nov[leaves.nip]["spent"] == 40_000
    assert set(dec) == {stays.nip}
    summary = services.compliance_report(admin, DEC).extra["summary"]
    assert summary["civil_servants"] == 1


def test_a_joiner_on_the_28th_owes_the_pro_rated_amount(app):
    admin = make_admin()
    set_rule(NOV, 100_000, {"Camat": 2_000_000})
    joiner = make_civil_servant(joined_on=date(2026, 11, 28))
    camat = make_civil_servant(position="Camat Gubeng", joined_on=date(2026, 11, 28))
    camat.position = "Camat"
    veteran = make_civil_servant()
    future = make_civil_servant(joined_on=date(2026, 12, 3))
    db.session.commit()
    nov = _rows(admin, NOV)
    assert nov[joiner.nip]["required"] == 10_000  # 3/30 of Rp100.000
    assert nov[camat.nip]["required"] == 200_000  # 3/30 of Rp2.000.000
    assert nov[veteran.nip]["required"] == 100_000
    assert future.nip not in nov  # joined after November
    assert services.my_mandate(joiner, NOV)["required"] == 10_000  # the ASN's page agrees
    dec = _rows(admin, DEC)
    assert (
        dec[joiner.nip]["required"] == 100_000 and dec[future.nip]["required"] == 93_548
    )  # 29/31, down


def test_next_month_policy_owes_nothing_in_the_joining_month(app):
    admin = make_admin()
    services.set_mandate_rules(
        admin,
        default_amount=100_000,
        by_position={},
        effective_from=NOV,
        joiners="next_month",
        now=wib(2026, 11, 1, 8),
    )
    joiner = make_civil_servant(joined_on=date(2026, 11, 28))
    db.session.commit()
    assert _rows(admin, NOV)[joiner.nip]["required"] == 0
    assert services.my_mandate(joiner, NOV)["required"] == 0
    assert _rows(admin, DEC)[joiner.nip]["required"] == 100_000


def test_the_rules_api_sets_and_shows_the_joiner_policy(app, api):
    admin = make_admin()
    db.session.commit()
    from marketplace.timeutil import current_period

    resp = api(admin).put(
        "/api/v1/mandate/rules",
        json={
            "default_amount": 100_000,
            "effective_from": current_period(),
            "joiners": "next_month",
        },
    )
    assert resp.status_code == 200, resp.json
    assert resp.json["joiners"] == "next_month"
    bad = api(admin).put(
        "/api/v1/mandate/rules",
        json={"default_amount": 100_000, "effective_from": current_period(), "joiners": "never"},
    )
    assert bad.status_code == 422


# ---------------------------------------------------------------- exemptions
def test_an_approved_exemption_removes_the_requirement_and_shows_in_the_report(app, api):
    admin = make_admin()
    set_rule(NOV, 300_000)
    asn, other = make_civil_servant(), make_civil_servant()
    db.session.commit()
    resp = api(asn).post(
        "/api/v1/mandate/exemptions",
        json={"period": NOV, "kind": "leave", "reason": "Cuti melahirkan"},
    )
    assert resp.status_code == 201, resp.json
    ex_id = resp.json["id"]
    assert resp.json["status"] == "requested"
    assert _rows(admin, NOV)[asn.nip]["required"] == 300_000  # pending: still required
    resp = api(admin).post(f"/api/v1/mandate/exemptions/{ex_id}/approve", json={"note": "OK"})
    assert resp.status_code == 200 and resp.json["status"] == "approved"
    rows = _rows(admin, NOV)
    assert rows[asn.nip]["required"] == 0 and rows[asn.nip]["exemption"] == "leave"
    assert rows[asn.nip]["compliant"] is True
    assert rows[other.nip]["exemption"] is None and rows[other.nip]["required"] == 300_000
    assert services.my_mandate(asn, NOV)["exemption"] == "leave"
    report = api(admin).get(f"/api/v1/mandate/compliance?period={NOV}")
    assert {r["nip"]: r["exemption"] for r in report.json["items"]}[asn.nip] == "leave"
    download = api(admin).get(f"/api/v1/mandate/compliance?period={NOV}&format=csv")
    reader = list(csv.DictReader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert {r["nip"]: r["exemption"] for r in reader}[asn.nip] == "leave"
    assert _rows(admin, DEC)[asn.nip]["required"] == 300_000  # only that month


def test_exemption_requests_who_may_ask_and_decide(app, api):
    from marketplace.procurement.models import OfficeRole

    admin = make_admin()
    opd = make_opd("DKP")
    head, staff = make_civil_servant(opd=opd), make_civil_servant(opd=opd)
    outsider = make_civil_servant()
    db.session.add(OfficeRole(user_id=head.id, opd_id=opd.id, role="head"))
    db.session.commit()
    # the head asks for their staff; the outsider may not
    made = exemptions.request_exemption(
        head, user_id=staff.id, period=NOV, kind="illness", reason="Rawat inap"
    )
    assert made["requested_by"] == head.name
    with pytest.raises(Forbidden):
        exemptions.request_exemption(
            outsider, user_id=staff.id, period=NOV, kind="leave", reason="x"
        )
    with pytest.raises(Conflict):
        exemptions.request_exemption(staff, period=NOV, kind="leave", reason="lagi")
    # the ASN and the head see it, the outsider does not (404)
    assert api(staff).get(f"/api/v1/mandate/exemptions/{made['id']}").status_code == 200
    assert api(head).get(f"/api/v1/mandate/exemptions/{made['id']}").status_code == 200
    assert api(outsider).get(f"/api/v1/mandate/exemptions/{made['id']}").status_code == 404
    # only the admin decides
    assert (
        api(head).post(f"/api/v1/mandate/exemptions/{made['id']}/approve", json={}).status_code
        == 403
    )
    rejected = api(admin).post(f"/api/v1/mandate/exemptions/{made['id']}/reject", json={})
    assert rejected.json["status"] == "rejected"
    assert _rows(admin, NOV)[staff.nip]["exemption"] is None  # rejected: still required
    # a rejected request may be asked again
    again = exemptions.request_exemption(staff, period=NOV, kind="leave", reason="Cuti besar")
    assert again["status"] == "requested" and again["id"] == made["id"]
    with pytest.raises(ValidationFailed):
        exemptions.request_exemption(staff, period="2026-13", kind="holiday", reason="")


def test_exemptions_page_request_and_decide(app, client, login):
    admin = make_admin()
    asn = make_civil_servant(name="Siti Cuti")
    db.session.commit()
    login(client, asn)
    assert client.get("/mandate/exemptions").status_code == 200
    resp = client.post(
        "/mandate/exemptions", data={"period": NOV, "kind": "leave", "reason": "Cuti tahunan"}
    )
    assert resp.status_code == 302
    client.post("/logout")
    login(client, admin)
    page = client.get("/mandate/exemptions?status=requested").get_data(as_text=True)
    assert "Siti Cuti" in page and "Cuti tahunan" in page
    ex = exemptions.list_exemptions(admin).items[0]
    assert client.post(f"/mandate/exemptions/{ex['id']}/approve").status_code == 302
    html = client.get(f"/finance/compliance?period={NOV}").get_data(as_text=True)
    assert 'data-testid="exemption"' in html


def test_a_complete_import_with_a_wrong_scope_writes_nothing(app):
    admin = make_admin()
    make_opd("DKP")
    make_opd("BPKAD")
    db.session.commit()
    with pytest.raises(ValidationFailed):
        roster_sync.complete_import(admin, roster(good_row(1, opd="BPKAD")), "DKP")
    assert db.session.scalar(select(User).where(User.role == "civil_servant")) is None
