"""CSV product import: good rows kept, bad rows reported with their row number, re-import
updates by SKU, and files that are not UTF-8 CSV with the required header are refused."""

from __future__ import annotations

import io

from sqlalchemy import select

from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.shops.models import StockMovement
from tests.factories import make_product

HEADER = (
    "sku,name,description,category,unit,price,stock,is_active,is_local_product,is_pdn,"
    "vat_exempt,low_stock_threshold,tkdn\n"
)


def upload(shop_api, content: bytes | str, filename: str = "produk.csv"):
    data = content.encode() if isinstance(content, str) else content
    return shop_api.post(
        "/api/v1/vendor/products/import",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def products_of(shop):
    db.session.expire_all()
    return {
        p.sku: p for p in db.session.scalars(select(Product).where(Product.vendor_id == shop.id))
    }


def test_good_rows_are_created_and_bad_rows_reported_with_row_numbers(shop_api, shop):
    csv_text = HEADER + (
        "BRS-5,Beras 5 kg,Pulen,sembako,karung,68.000,20,ya,tidak,ya,ya,5\n"  # row 2 ok
        "GLA-1,Gula Pasir,,sembako,kg,0,5,ya,tidak,ya,ya,3\n"  # row 3 price 0
        "TLR-1,Telur,,unknown-cat,kg,28000,5,ya,tidak,ya,ya,3\n"  # row 4 category
        ",Tanpa SKU,,sembako,kg,1000,1,,,,,\n"  # row 5 no SKU
        "MYK-1,Minyak,,sembako,liter,18000,-2,ya,tidak,ya,tidak,3\n"  # row 6 stock < 0
        "KRP-1,Keripik,,umkm,pak,15000,,mungkin,ya,ya,tidak,\n"  # row 7 bad bool
        "\n"  # row 8 blank
        "KRP-2,Keripik Pedas,,umkm,pak,Rp16.000,8,1,1,1,0,2\n"
    )  # row 9 ok
    resp = upload(shop_api, csv_text)
    assert resp.status_code == 200, resp.json
    assert resp.json["created"] == 2 and resp.json["updated"] == 0
    assert [e["row"] for e in resp.json["errors"]] == [3, 4, 5, 6, 7]
    assert all(e["message"] for e in resp.json["errors"])
    assert "unknown-cat" in resp.json["errors"][1]["message"]
    products = products_of(shop)
    assert set(products) == {"BRS-5", "KRP-2"}
    assert products["BRS-5"].price == 68_000 and products["BRS-5"].claimed_vat_exempt is True
    assert products["KRP-2"].claimed_local_product is True and products["KRP-2"].stock == 8


def test_imported_flag_claims_wait_for_the_city_and_tkdn_is_read_as_percent(shop_api, shop):
    resp = upload(
        shop_api, HEADER + 'CKL-1,Cokelat Swiss,,sembako,pcs,50000,5,ya,ya,ya,ya,1,"43,56"\n'
    )
    assert resp.json["errors"] == [], resp.json
    product = products_of(shop)["CKL-1"]
    assert (product.is_pdn, product.is_local_product, product.vat_exempt) == (False, False, False)
    assert (product.claimed_pdn, product.claimed_tkdn_bps, product.claimed_vat_exempt) == (
        True,
        4356,
        True,
    )
    assert sorted(r.flag for r in product.flag_reviews if r.status == "pending") == [
        "is_local_product",
        "is_pdn",
        "vat_exempt",
    ]


def test_an_import_row_with_tkdn_but_no_pdn_claim_is_reported(shop_api, shop):
    resp = upload(
        shop_api, HEADER + "CKL-2,Cokelat,,sembako,pcs,50000,5,ya,tidak,tidak,tidak,1,40\n"
    )
    assert [e["row"] for e in resp.json["errors"]] == [2]
    assert "TKDN" in resp.json["errors"][0]["message"]


def test_reimporting_updates_by_sku_and_records_the_stock_change(shop_api, shop):
    upload(shop_api, HEADER + "BRS-5,Beras 5 kg,,sembako,karung,68000,20,ya,tidak,ya,ya,5\n")
    resp = upload(
        shop_api, HEADER + "BRS-5,Beras 5 kg premium,,sembako,karung,70000,12,ya,tidak,ya,ya,5\n"
    )
    assert (resp.json["created"], resp.json["updated"], resp.json["errors"]) == (0, 1, [])
    product = products_of(shop)["BRS-5"]
    assert (product.name, product.price, product.stock) == ("Beras 5 kg premium", 70_000, 12)
    moves = db.session.scalars(
        select(StockMovement)
        .where(StockMovement.product_id == product.id)
        .order_by(StockMovement.id)
    ).all()
    assert [(m.kind, m.delta, m.stock_after) for m in moves] == [
        ("import", 20, 20),
        ("import", -8, 12),
    ]


def test_a_blank_stock_on_reimport_leaves_stock_alone(shop_api, shop):
    make_product(shop, sku="OLD-1", stock=7)
    db.session.commit()
    resp = upload(shop_api, "sku,name,category,unit,price\nOLD-1,Nama Baru,sembako,kg,9000\n")
    assert resp.json["updated"] == 1
    assert products_of(shop)["OLD-1"].stock == 7


def test_a_reimport_never_touches_another_shops_product_with_the_same_sku(
    shop_api, shop, other_shop
):
    theirs = make_product(other_shop, sku="SAMA-1", stock=3, price=5_000)
    db.session.commit()
    resp = upload(
        shop_api, "sku,name,category,unit,price,stock\nSAMA-1,Punya Saya,sembako,kg,9000,1\n"
    )
    assert resp.json["created"] == 1
    db.session.expire_all()
    assert db.session.get(Product, theirs.id).price == 5_000


def test_a_repeated_sku_in_one_file_is_reported(shop_api, shop):
    resp = upload(
        shop_api, "sku,name,category,unit,price\nA,Satu,sembako,kg,1000\nA,Dua,sembako,kg,1000\n"
    )
    assert resp.json["created"] == 1 and resp.json["errors"][0]["row"] == 3


def test_semicolon_separated_files_from_spreadsheets_are_accepted(shop_api, shop):
    resp = upload(shop_api, "sku;name;category;unit;price;stock\nS-1;Sabun;sembako;pcs;4000;6\n")
    assert resp.json["created"] == 1 and products_of(shop)["S-1"].stock == 6


def test_a_file_that_is_not_utf8_is_422_and_imports_nothing(shop_api, shop):
    resp = upload(
        shop_api,
        "sku,name,category,unit,price\nX,Kopi Tubruk \xe9,sembako,kg,1\n".encode("latin-1"),
    )
    assert resp.status_code == 422 and "file" in resp.json["error"]["details"]
    assert products_of(shop) == {}


def test_a_file_without_the_required_header_is_422(shop_api, shop):
    resp = upload(shop_api, "nama,harga\nBeras,10000\n")
    assert resp.status_code == 422
    assert "sku" in resp.json["error"]["message"]
    assert products_of(shop) == {}


def test_an_empty_or_binary_or_missing_file_is_422(shop_api, shop):
    assert upload(shop_api, b"").status_code == 422
    assert upload(shop_api, b"\x89PNG\r\n\x1a\n\x00\x00\x00").status_code == 422
    resp = shop_api.post(
        "/api/v1/vendor/products/import", data={}, content_type="multipart/form-data"
    )
    assert resp.status_code == 422


def test_the_template_download_has_every_column(shop_api, shop):
    resp = shop_api.get("/api/v1/vendor/products/import-template")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    header = resp.data.decode("utf-8-sig").splitlines()[0]
    assert header == HEADER.strip()


def test_the_template_itself_imports_cleanly(shop_api, shop):
    template = shop_api.get("/api/v1/vendor/products/import-template").data
    resp = upload(shop_api, template)
    assert resp.json == {"created": 1, "updated": 0, "errors": []}
