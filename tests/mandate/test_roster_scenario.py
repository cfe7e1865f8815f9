"""Issue 13 §7 (this branch's part): a realistic roster over two months — imported in October,
imported again complete on 28 November with a leaver and a joiner, one exemption — and the
required amounts it produces."""

import io
from datetime import date

from marketplace.accounts import services as accounts
from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.mandate import exemptions, roster_sync, services
from tests.mandate.helpers import make_admin, make_spending, set_rule, wib

HEADER = "nip,name,email,opd_code,opd_name,position,kelurahan"
ROWS = {
    "andi": "19800101 200604 1 001,Andi Wijaya,andi@surabaya.go.id,DKP,Dinas Koperasi,staf,Gubeng",
    "budi": "198002022006041002,Budi Santoso,budi@surabaya.go.id,DKP,Dinas Koperasi,KEPALA SEKSI,Gubeng",
    "cici": "198003032006042003,Cici Paramida,cici@surabaya.go.id,DKP,Dinas Koperasi,Staf ,Gubeng",
    "dodi": "198004042006041004,Dodi Pensiun,dodi@surabaya.go.id,DKP,Dinas Koperasi,Staf,Gubeng",
    "eka": "199005052019032005,Eka Baru,eka@surabaya.go.id,DKP,Dinas Koperasi,Kepala Seksi,Gubeng",
}


def _csv(*names: str) -> bytes:
    return ("\n".join([HEADER, *(ROWS[n] for n in names)]) + "\n").encode()


def _on(monkeypatch, day: date) -> None:
    monkeypatch.setattr("marketplace.accounts.services.today_local", lambda: day)


def test_a_realistic_roster_over_two_months(app, monkeypatch):
    admin = make_admin()
    set_rule("2026-10", 100_000, {"Kepala Seksi": 300_000}, admin=admin)
    db.session.commit()

    # 1 October: the first import (everyone joins on the 1st: whole month owed)
    _on(monkeypatch, date(2026, 10, 1))
    result = accounts.import_civil_servants(admin, io.BytesIO(_csv("andi", "budi", "cici", "dodi")))
    assert result.created == 4 and not result.errors

    # 28 November: HR's complete export of DKP; Dodi retired, Eka joined
    _on(monkeypatch, date(2026, 11, 28))
    completion = roster_sync.complete_import(admin, _csv("andi", "budi", "cici", "eka"), "DKP")
    assert [p["name"] for p in completion.absent] == ["Dodi Pensiun"]
    roster_sync.deactivate_leavers(admin, [p["user_id"] for p in completion.absent], "DKP")

    # Cici is on sick leave in November, approved
    cici = roster_sync.list_civil_servants(admin, q="Cici").items[0]
    ex = exemptions.request_exemption(
        admin, user_id=cici["user_id"], period="2026-11", kind="illness", reason="Rawat inap"
    )
    exemptions.decide_exemption(admin, ex["id"], approve=True)
    andi = roster_sync.list_civil_servants(admin, q="Andi").items[0]
    make_spending(db.session.get(User, andi["user_id"]), 120_000, wib(2026, 11, 20))
    db.session.commit()

    def required(period):
        return {
            r["name"]: (r["required"], r["exemption"])
            for r in services.compliance_rows(admin, period)[1]
        }

    assert required("2026-10") == {
        "Andi Wijaya": (100_000, None),
        "Budi Santoso": (300_000, None),  # "KEPALA SEKSI" matches "Kepala Seksi"
        "Cici Paramida": (100_000, None),  # "Staf " trimmed
        "Dodi Pensiun": (100_000, None),
    }
    assert required("2026-11") == {
        "Andi Wijaya": (100_000, None),
        "Budi Santoso": (300_000, None),
        "Cici Paramida": (0, "illness"),
        "Dodi Pensiun": (100_000, None),  # leaves on the 28th: still counts in November
        "Eka Baru": (30_000, None),  # joined on the 28th: 3/30 of Rp300.000
    }
    assert required("2026-12") == {
        "Andi Wijaya": (100_000, None),
        "Budi Santoso": (300_000, None),
        "Cici Paramida": (100_000, None),
        "Eka Baru": (300_000, None),
    }
    summary = services.compliance_report(admin, "2026-11").extra["summary"]
    assert summary["civil_servants"] == 5
    assert summary["compliant"] == 2  # Andi (spent 120k) and Cici (exempt)
    assert summary["required_total"] == 530_000
