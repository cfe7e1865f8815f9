"""Text is cleaned where it enters (roster and product CSV imports, sign-up, login) and every
download writes only what its format holds, so no stored value can break one.

The incident: one vertical tab in a roster name made every compliance XLSX of that month a 500.
"""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.catalog.models import Product
from marketplace.exports import csv_chunks, safe_cell, xlsx_chunks
from marketplace.extensions import db
from tests.accounts.conftest import good_row, roster
from tests.factories import (
    PASSWORD,
    make_category,
    make_civil_servant,
    make_opd,
    make_user,
    make_vendor,
)
from tests.mandate.helpers import make_spending, set_rule, wib

CYRILLIC_A = "\u0430"


def _upload(client, url: str, content: bytes):
    return client.post(
        url, data={"file": (io.BytesIO(content), "data.csv")}, content_type="multipart/form-data"
    )


def _nip(n: int) -> str:
    return f"{198001012006041000 + n:018d}"


# ---------------------------------------------------------------- roster import
def test_a_roster_row_with_a_vertical_tab_or_nul_is_a_row_error_and_good_rows_are_kept(api):
    resp = _upload(
        api(make_user("admin")),
        "/api/v1/admin/civil-servants/import",
        roster(
            good_row(1),  # 2 ok
            f"{_nip(2)},Budi\x0bSantoso,b2@surabaya.go.id,DKP,Dinas,Staf,Gubeng",  # 3
            f"{_nip(3)},Budi\x00Santoso,b3@surabaya.go.id,DKP,Dinas,Staf,Gubeng",  # 4
            f"{_nip(4)},Budi,b4@surabaya.go.id,DKP,Dinas\x1bX,Staf,Gubeng",  # 5
            good_row(5),  # 6 ok
        ),
    )
    assert resp.status_code == 200, resp.json
    assert resp.json["created"] == 2
    errors = {e["row"]: e["message"] for e in resp.json["errors"]}
    assert set(errors) == {3, 4, 5}
    assert "name" in errors[3] and "U+000B" in errors[3]
    assert "U+0000" in errors[4]
    assert "opd_name" in errors[5] and "U+001B" in errors[5]
    stored = db.session.scalars(select(User.nip).where(User.role == "civil_servant")).all()
    assert sorted(stored) == [_nip(1), _nip(5)]


def test_a_roster_email_with_a_look_alike_letter_or_an_invisible_character_is_a_row_error(api):
    resp = _upload(
        api(make_user("admin")),
        "/api/v1/admin/civil-servants/import",
        roster(
            good_row(1, email=f"bud{CYRILLIC_A}@surabaya.go.id"),
            good_row(2, email="budi\u200b@surabaya.go.id"),
            good_row(3, email="BUDI3@Surabaya.GO.ID"),
        ),
    )
    errors = {e["row"]: e["message"] for e in resp.json["errors"]}
    assert set(errors) == {2, 3}
    assert "aksara" in errors[2] and "U+200B" in errors[3]
    assert db.session.scalar(select(User.email).where(User.nip == _nip(3))) == (
        "budi3@surabaya.go.id"
    )


def test_the_roster_command_reports_a_control_character_as_a_row_error(runner, tmp_path):
    path = tmp_path / "asn.csv"
    path.write_bytes(
        roster(good_row(1), f"{_nip(2)},Budi\x0bSantoso,b2@surabaya.go.id,DKP,Dinas,Staf,Gubeng")
    )
    result = runner.invoke(args=["import-civil-servants", str(path)])
    assert "Created: 1  Updated: 0  Errors: 1" in result.output
    assert "row 3:" in result.output and "U+000B" in result.output and result.exit_code == 2


# ---------------------------------------------------------------- product import
PRODUCT_HEADER = (
    "sku,name,description,category,unit,price,stock,is_active,is_local_product,is_pdn,"
    "vat_exempt,low_stock_threshold,tkdn\n"
)


def test_a_product_row_with_a_control_character_is_a_row_error_and_a_multiline_description_is_kept(
    api,
):
    make_category("sembako", "Sembako")
    vendor = make_vendor()
    db.session.commit()
    body = PRODUCT_HEADER + (
        "A-1,Beras\x0bPulen,,sembako,kg,10000,5,ya,tidak,tidak,tidak,1,\n"
        'A-2,Minyak,"Baris satu\r\nBaris dua\tpakai tab",sembako,liter,20000,5,ya,tidak,tidak,tidak,1,\n'
        "A-3,Gula,,sembako\x7f,kg,15000,5,ya,tidak,tidak,tidak,1,\n"
        'A-4,Telur,"Deskripsi\x0c",sembako,kg,15000,5,ya,tidak,tidak,tidak,1,\n'
    )
    resp = _upload(api(vendor.owner), "/api/v1/vendor/products/import", body.encode())
    assert resp.status_code == 200, resp.json
    errors = {e["row"]: e["message"] for e in resp.json["errors"]}
    assert set(errors) == {2, 4, 5}
    assert "name" in errors[2] and "U+000B" in errors[2]
    assert "category" in errors[4] and "U+007F" in errors[4]
    assert "description" in errors[5] and "U+000C" in errors[5]
    product = db.session.scalar(select(Product).where(Product.sku == "A-2"))
    assert product.description == "Baris satu\r\nBaris dua\tpakai tab"


# ---------------------------------------------------------------- emails at sign-up and login
def test_sign_up_with_a_cyrillic_look_alike_letter_answers_422_with_a_clear_message(client):
    resp = client.post(
        "/api/v1/auth/register",
        json={
            "email": f"{CYRILLIC_A}dmin@surabaya.go.id",
            "password": "kata-sandi-ok",
            "name": "A",
        },
    )
    assert resp.status_code == 422
    assert "aksara" in resp.json["error"]["details"]["email"][0]


def test_sign_up_with_an_invisible_character_answers_422_naming_it(client):
    for char in ("\u200b", "\u00ad", "\u202e"):
        resp = client.post(
            "/api/v1/auth/register",
            json={"email": f"budi{char}@x.id", "password": "kata-sandi-ok", "name": "Budi"},
        )
        assert resp.status_code == 422
        assert f"U+{ord(char):04X}" in resp.json["error"]["details"]["email"][0]
    assert db.session.scalar(select(User.id).where(User.email.like("budi%"))) is None


def test_sign_up_stores_the_nfkc_form_of_a_full_width_email(client):
    resp = client.post(
        "/api/v1/auth/register",
        json={"email": " \uff22udi@X.ID ", "password": "kata-sandi-ok", "name": "Budi"},
    )
    assert resp.status_code == 201, resp.json
    assert resp.json["email"] == "budi@x.id"


def test_a_token_for_a_look_alike_email_answers_422_not_the_real_users_token(client):
    make_user(email="admin@surabaya.go.id")
    db.session.commit()
    resp = client.post(
        "/api/v1/auth/token",
        json={"email": f"{CYRILLIC_A}dmin@surabaya.go.id", "password": PASSWORD},
    )
    assert resp.status_code == 422
    assert "email" in resp.json["error"]["details"]
    ok = client.post(
        "/api/v1/auth/token", json={"email": " ADMIN@Surabaya.go.id", "password": PASSWORD}
    )
    assert ok.status_code == 200


def test_the_login_page_refuses_a_look_alike_email_with_a_message(client):
    make_user(email="admin@surabaya.go.id")
    db.session.commit()
    resp = client.post(
        "/login",
        data={"email": "admin\u200b@surabaya.go.id", "password": PASSWORD},
        follow_redirects=True,
    )
    assert resp.status_code == 200
    assert "U+200B" in resp.get_data(as_text=True)


# ---------------------------------------------------------------- downloads of stored values
def test_compliance_downloads_of_a_name_stored_with_a_vertical_tab_and_nul_do_not_fail(
    api, is_postgres
):
    # PostgreSQL cannot store NUL at all; SQLite (and older rows anywhere) can hold both.
    name = "Budi\x0bSantoso" + ("" if is_postgres else "\x00")
    set_rule("2026-05", 100_000)
    opd = make_opd("DINKOP", "Dinas\x0bKoperasi")
    asn = make_civil_servant(opd=opd, name=name, position="Staf\x0b")
    make_spending(asn, 50_000, wib(2026, 5, 2))
    db.session.commit()
    assert db.session.scalar(select(User.name).where(User.id == asn.id)) == name
    finance = api(make_user("finance"))

    xlsx = finance.get(
        "/api/v1/mandate/compliance", query_string={"period": "2026-05", "format": "xlsx"}
    )
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "BudiSantoso" in values and "Staf" in values

    text = finance.get(
        "/api/v1/mandate/compliance", query_string={"period": "2026-05", "format": "csv"}
    )
    assert text.status_code == 200
    rows = list(csv.DictReader(io.StringIO(text.get_data().decode("utf-8-sig"))))
    assert rows[0]["name"] == "BudiSantoso"


def test_the_register_download_of_a_shop_stored_with_control_characters_does_not_fail(
    api, is_postgres
):
    vendor = make_vendor(name="Toko\x0bSari" + ("" if is_postgres else "\x00"))
    asn = make_civil_servant()
    make_spending(asn, 50_000, wib(2026, 5, 2), vendor=vendor)
    db.session.commit()
    resp = api(make_user("finance")).get(
        "/api/v1/finance/register", query_string={"period": "2026-05", "format": "xlsx"}
    )
    assert resp.status_code == 200
    body = resp.get_data()  # streamed: the error would come while reading
    sheet = load_workbook(io.BytesIO(body)).active
    assert "TokoSari" in [c.value for row in sheet.iter_rows() for c in row]


def test_safe_cell_drops_what_xlsx_cannot_hold_before_quoting_a_formula():
    assert safe_cell("Budi\x0bSantoso\x00") == "BudiSantoso"
    assert safe_cell("\x00=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert safe_cell("a\tb\nc") == "a\tb\nc"
    assert safe_cell("\ud800x") == "x"
    assert safe_cell(12) == 12 and safe_cell(None) is None


def test_every_writer_accepts_each_control_character_and_a_lone_surrogate():
    rows = [[chr(code) + "x", code] for code in range(0x20)] + [["\ud800x", 0x10000]]
    book = load_workbook(io.BytesIO(b"".join(xlsx_chunks(["text", "code"], rows, "t"))))
    cells = list(book.active.iter_rows(min_row=2, values_only=True))
    assert len(cells) == len(rows)
    data = b"".join(csv_chunks(["text", "code"], rows)).decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(data, newline="")))) == len(rows) + 1
