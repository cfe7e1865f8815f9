"""Positions by class on a real roster (issue 13): an HR export with place names, mixed case and
echelon codes imports with its kelurahan checked and its unmatched positions warned about; each
civil servant owes their class's amount in the report and on their own page; the mapping page
lists the unmatched positions, previews a change and saves it only when confirmed."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select, update

from marketplace.accounts.models import User
from marketplace.audit.models import AuditLog
from marketplace.extensions import db
from marketplace.mandate import positions, services
from marketplace.mandate.models import PositionClass, PositionClassMatch
from marketplace.timeutil import current_period
from tests.factories import make_area, make_civil_servant, make_user
from tests.mandate.helpers import set_rule

COLUMNS = "nip,name,email,opd_code,opd_name,position,eselon,kelurahan"
HR_EXPORT = [
    # rows 2..13 of the file
    "198001012006041001,Budi Santoso,budi@sby.go.id,KEC-GBG,Kecamatan Gubeng,Camat Gubeng,III.a,Gubeng",
    "198001012006041002,Siti Aminah,siti@sby.go.id,KEC-GBG,Kecamatan Gubeng,Kasi Pemerintahan,IV.a,gubeng",
    (
        "198001012006041003,Rudi Hartono,rudi@sby.go.id,KEC-GBG,Kecamatan Gubeng,"
        "KEPALA SEKSI  Kesejahteraan Sosial,IV/a,GUBENG"
    ),
    "198001012006041004,Dewi Lestari,dewi@sby.go.id,KEC-GBG,Kecamatan Gubeng,Staf Pelaksana,,Gubeng",
    (
        "198001012006041005,Agus Salim,agus@sby.go.id,KEL-KTT,Kelurahan Ketintang,Lurah Ketintang,IV.a,"
        "Ketintang"
    ),
    "198001012006041006,Rina Wati,rina@sby.go.id,BAPPEDA,Bappeda,Analis Kebijakan Ahli Muda,,Ketintang",
    (
        "198001012006041007,Joko Widodo,joko@sby.go.id,BAPPEDA,Bappeda,Kepala Sub Bagian Umum,IV.a,"
        "Ketintang"
    ),
    (
        "198001012006041008,Tono Sutono,tono@sby.go.id,KEC-WKR,Kecamatan Wonokromo,camat   wonokromo,"
        "III.a,Gubeng"
    ),
    "198001012006041009,Ani Yulia,ani@sby.go.id,BAPPEDA,Bappeda,Analis Kebijakan Ahli Muda,,Gubeng",
    "198001012006041010,Eko Prasetyo,eko@sby.go.id,BAPPEDA,Bappeda,Staf,,Kelurahan Fiktif",
    "198001012006041011,Fajar Nugroho,fajar@sby.go.id,BAPPEDA,Bappeda,Staf,,Wonorejo",
    (
        "198001012006041012,Gita Puspita,gita@sby.go.id,BAPPEDA,Bappeda,Perencana Ahli Pertama,III.b,"
        "Ketintang"
    ),
]
OWED = {  # NIP → (class, required) under the default classes and the demo amounts
    "198001012006041001": ("Camat", 2_000_000),
    "198001012006041002": ("Kepala Seksi", 300_000),
    "198001012006041003": ("Kepala Seksi", 300_000),
    "198001012006041004": ("Staf", 100_000),
    "198001012006041005": ("Lurah", 1_000_000),
    "198001012006041006": (None, 100_000),
    "198001012006041007": ("Kepala Seksi", 300_000),
    "198001012006041008": ("Camat", 2_000_000),
    "198001012006041009": (None, 100_000),
    "198001012006041012": ("Eselon III", 100_000),
}


@pytest.fixture
def city(app):
    """The default classes, the demo amounts from this month, and the areas the roster names."""
    for kelurahan, kecamatan in (
        ("Gubeng", "Gubeng"),
        ("Ketintang", "Gayungan"),
        ("Wonorejo", "Rungkut"),
        ("Wonorejo", "Tegalsari"),
    ):
        make_area(kelurahan, kecamatan)
    positions.seed_position_classes()
    admin = make_user("admin")
    set_rule(
        current_period(),
        100_000,
        {"Camat": 2_000_000, "Lurah": 1_000_000, "Kepala Seksi": 300_000, "Staf": 100_000},
        admin=admin,
    )
    db.session.commit()
    return admin


def _upload(client, rows, columns=COLUMNS):
    content = ("\n".join([columns, *rows]) + "\n").encode()
    return client.post(
        "/api/v1/admin/civil-servants/import",
        data={"file": (io.BytesIO(content), "roster.csv")},
        content_type="multipart/form-data",
    )


def _on_the_roster_before_this_month() -> None:
    """These tests are about classes, not tenure: the imported staff are treated as on the roster
    before this month (no joining day), so they owe their class's whole amount now."""
    db.session.execute(update(User).values(joined_on=None))
    db.session.commit()


def _required_by_nip(finance) -> dict[str, tuple[str | None, int]]:
    # The month after the import: in the month they are imported, joiners owe a pro-rated part
    # (tests/mandate/test_tenure_rules.py); from the next month, their class's whole amount.
    year, month = (int(part) for part in current_period().split("-"))
    following = f"{year + month // 12}-{month % 12 + 1:02d}"
    _period, rows = services.compliance_rows(finance, following)
    return {r["nip"]: (r["position_class"], r["required"]) for r in rows}


# ---------------------------------------------------------------- the HR export
def test_a_realistic_hr_export_imports_with_kelurahan_errors_and_unmatched_warnings(city, api):
    resp = _upload(api(city), HR_EXPORT)
    assert resp.status_code == 200, resp.json
    body = resp.json
    assert body["created"] == 10
    errors = {e["row"]: e["message"] for e in body["errors"]}
    assert set(errors) == {11, 12}
    assert errors[11].startswith('Kelurahan "Kelurahan Fiktif": ')
    assert "Wonorejo, Rungkut; Wonorejo, Tegalsari" in errors[12]
    assert [(w["row"], w["position"]) for w in body["warnings"]] == [
        (7, "Analis Kebijakan Ahli Muda"),
        (10, "Analis Kebijakan Ahli Muda"),
    ]
    assert "Rp100.000" in body["warnings"][0]["message"]

    rudi = db.session.scalar(select(User).where(User.nip == "198001012006041003"))
    assert (rudi.echelon, rudi.area_code, rudi.kelurahan) == ("IV/a", "35.78.08.1001", "Gubeng")
    assert _required_by_nip(make_user("finance")) == OWED


def test_each_civil_servant_sees_their_class_and_amount(city, api):
    _upload(api(city), HR_EXPORT)
    _on_the_roster_before_this_month()
    camat = db.session.scalar(select(User).where(User.nip == "198001012006041008"))
    mine = api(camat).get("/api/v1/mandate/me").json
    assert (mine["position_class"], mine["required"], mine["counts_on"]) == (
        "Camat",
        2_000_000,
        "payment",  # set_rule counts at payment for these tests
    )
    analis = db.session.scalar(select(User).where(User.nip == "198001012006041006"))
    mine = api(analis).get("/api/v1/mandate/me").json
    assert (mine["position_class"], mine["required"]) == (None, 100_000)


def test_a_roster_without_an_echelon_column_still_imports(city, api):
    resp = _upload(
        api(city),
        ["198001012006041021,A,a@x.go.id,DKP,Dinas,Kasi Umum,Gubeng"],
        columns="nip,name,email,opd_code,opd_name,position,kelurahan",
    )
    assert resp.json["created"] == 1 and resp.json["warnings"] == []
    user = db.session.scalar(select(User).where(User.nip == "198001012006041021"))
    assert user.echelon is None
    _on_the_roster_before_this_month()
    assert services.my_mandate(user)["required"] == 300_000


# ---------------------------------------------------------------- the mapping
def test_the_mapping_lists_classes_amounts_and_unmatched_positions_with_counts(city, api):
    _upload(api(city), HR_EXPORT)
    body = api(city).get("/api/v1/admin/mandate/positions").json
    classes = {c["name"]: c for c in body["classes"]}
    assert (classes["Camat"]["amount"], classes["Camat"]["civil_servants"]) == (2_000_000, 2)
    assert classes["Eselon III"]["own_amount"] is False
    assert {"kind": "pattern", "text": "Camat *"} in [
        {k: r[k] for k in ("kind", "text")} for r in classes["Camat"]["matches"]
    ]
    assert body["unmatched"] == [
        {"position": "Analis Kebijakan Ahli Muda", "echelon": None, "civil_servants": 2}
    ]
    assert (body["unmatched_positions"], body["unmatched_civil_servants"]) == (1, 2)


def test_a_change_is_previewed_then_saved_only_with_its_fingerprint(city, api):
    _upload(api(city), HR_EXPORT)
    client = api(city)
    change = {
        "new_classes": ["Fungsional Ahli"],
        "add": [
            {"class_name": "fungsional ahli", "kind": "pattern", "text": "* Ahli Muda"},
            {"class_name": "Staf", "kind": "echelon", "text": "III.b"},
        ],
    }
    preview = client.post("/api/v1/admin/mandate/positions/preview", json=change).json
    counts = {c["name"]: (c["before"], c["after"]) for c in preview["classes"]}
    assert counts["Fungsional Ahli"] == (0, 2)
    assert counts[None] == (2, 0) and counts["Eselon III"] == (1, 0) and counts["Staf"] == (1, 2)
    assert (preview["unmatched_before"], preview["unmatched_after"]) == (2, 0)
    assert preview["changed_total"] == 3 and preview["amount_changed_total"] == 0
    gita = next(r for r in preview["changed"] if r["nip"] == "198001012006041012")
    assert (gita["class_before"], gita["class_after"]) == ("Eselon III", "Staf")
    assert (
        db.session.scalar(select(PositionClass).where(PositionClass.key == "fungsional ahli"))
        is None
    )

    stale = client.post(
        "/api/v1/admin/mandate/positions/changes", json={**change, "confirm": "0" * 32}
    )
    assert stale.status_code == 409 and stale.json["error"]["code"] == "mapping_changed"
    saved = client.post(
        "/api/v1/admin/mandate/positions/changes",
        json={**change, "confirm": preview["fingerprint"]},
    )
    assert saved.status_code == 200, saved.json
    assert saved.json["changed_total"] == 3 and saved.json["unmatched_civil_servants"] == 0
    audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "mandate.positions_set"))
    assert audit.actor_id == city.id and audit.after["changed_civil_servants"] == 3

    again = client.post(
        "/api/v1/admin/mandate/positions/changes",
        json={**change, "confirm": preview["fingerprint"]},
    )
    assert again.status_code == 409  # the mapping it was previewed against is gone


def test_a_change_that_raises_amounts_names_whose_amount_changes(city, api):
    _upload(api(city), HR_EXPORT)
    client = api(city)
    camat_rule = db.session.scalar(
        select(PositionClassMatch).where(PositionClassMatch.key == "camat *")
    )
    change = {"remove": [camat_rule.id]}
    preview = client.post("/api/v1/admin/mandate/positions/preview", json=change).json
    assert preview["amount_changed_total"] == 2
    assert {(r["nip"], r["required_before"], r["required_after"]) for r in preview["changed"]} == {
        ("198001012006041001", 2_000_000, 100_000),  # III.a: Eselon III by its code
        ("198001012006041008", 2_000_000, 100_000),
    }
    client.post(
        "/api/v1/admin/mandate/positions/changes",
        json={**change, "confirm": preview["fingerprint"]},
    )
    assert _required_by_nip(make_user("finance"))["198001012006041001"] == ("Eselon III", 100_000)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"add": [{"class_name": "Tidak Ada", "kind": "exact", "text": "X"}]}, "add.0"),
        ({"add": [{"class_name": "Staf", "kind": "pattern", "text": "Staf"}]}, "add.0"),
        ({"add": [{"class_name": "Lurah", "kind": "alias", "text": "Kasi"}]}, "add.0"),
        ({"add": [{"class_name": "Lurah", "kind": "exact", "text": "camat"}]}, "add.0"),
        ({"add": [{"class_name": "Lurah", "kind": "pattern", "text": "CAMAT  *"}]}, "add.0"),
        ({"new_classes": ["camat"]}, "new_classes.0"),
        ({"remove": [999_999]}, "remove"),
    ],
)
def test_a_change_that_cannot_be_kept_is_refused_by_name(city, api, change, field):
    resp = api(city).post("/api/v1/admin/mandate/positions/preview", json=change)
    assert resp.status_code == 422 and field in resp.json["error"]["details"]


def test_only_admins_see_or_change_the_mapping(city, api):
    for role in ("finance", "civil_servant", "public"):
        client = api(make_civil_servant() if role == "civil_servant" else make_user(role))
        assert client.get("/api/v1/admin/mandate/positions").status_code == 403
        assert client.post("/api/v1/admin/mandate/positions/preview", json={}).status_code == 403


def test_a_rule_naming_a_new_position_makes_it_a_class_with_its_exact_name(city):
    set_rule(current_period(), 100_000, {"Kepala Bidang Pemerintahan": 750_000}, admin=city)
    kabid = make_civil_servant(position="  kepala bidang   PEMERINTAHAN")
    db.session.commit()
    assert services.my_mandate(kabid)["required"] == 750_000
    assert services.my_mandate(kabid)["position_class"] == "Kepala Bidang Pemerintahan"


# ---------------------------------------------------------------- pages
def test_the_mapping_page_previews_then_confirms_a_change(city, client, login):
    make_civil_servant(position="Analis Kebijakan Ahli Muda")
    db.session.commit()
    login(client, city)
    html = client.get("/admin/mandate/positions").get_data(as_text=True)
    assert 'data-testid="unmatched-positions"' in html and "Analis Kebijakan Ahli Muda" in html
    form = {"class_name": "Staf", "kind": "exact", "text": "Analis Kebijakan Ahli Muda"}
    html = client.post("/admin/mandate/positions/preview", data=form).get_data(as_text=True)
    assert 'data-testid="preview-changed"' in html and "Analis Kebijakan Ahli Muda" in html
    assert (
        db.session.scalar(
            select(PositionClassMatch).where(PositionClassMatch.key == "analis kebijakan ahli muda")
        )
        is None
    )
    fingerprint = html.split('name="confirm" value="')[1].split('"')[0]
    resp = client.post("/admin/mandate/positions", data={**form, "confirm": fingerprint})
    assert resp.status_code == 302
    html = client.get("/admin/mandate/positions").get_data(as_text=True)
    assert "Semua jabatan di data ASN sudah punya kelas." in html


def test_the_import_page_shows_the_warnings(city, client, login):
    login(client, city)
    content = ("\n".join([COLUMNS, HR_EXPORT[5]]) + "\n").encode()
    html = client.post(
        "/admin/civil-servants/import",
        data={"file": (io.BytesIO(content), "roster.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert 'data-testid="import-warnings"' in html and "Analis Kebijakan Ahli Muda" in html
