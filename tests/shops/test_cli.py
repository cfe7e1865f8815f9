"""`flask import-products`: the shop's CSV import from the command line."""

from marketplace.catalog.models import Product
from marketplace.extensions import db
from tests.factories import make_category, make_vendor

HEADER = "sku,name,description,category,unit,price,stock,is_active,is_local_product,is_pdn,vat_exempt,low_stock_threshold\n"


def test_import_products_creates_then_updates_by_sku_and_reports_bad_rows(app, runner, tmp_path):
    make_category("sembako", "Sembako")
    vendor = make_vendor()
    db.session.commit()
    path = tmp_path / "produk.csv"
    path.write_text(
        HEADER + "BRS-5,Beras 5 kg,,sembako,kg,75000,10,ya,tidak,ya,ya,3\n"
        "BAD,X,,sembako,kg,0,1,ya,tidak,ya,ya,3\n"
    )
    result = runner.invoke(args=["import-products", "--shop", vendor.owner.email, str(path)])
    assert "created 1, updated 0, errors 1" in result.output
    assert "row 3" in result.output
    assert result.exit_code == 2

    path.write_text(HEADER + "BRS-5,Beras 5 kg,,sembako,kg,76000,12,ya,tidak,ya,ya,3\n")
    result = runner.invoke(args=["import-products", "--shop", vendor.owner.email, str(path)])
    assert result.exit_code == 0, result.output
    assert "created 0, updated 1, errors 0" in result.output
    product = db.session.scalars(db.select(Product).where(Product.sku == "BRS-5")).one()
    assert (product.price, product.stock) == (76000, 12)


def test_import_products_refuses_an_email_that_is_not_a_shop_owner(app, runner, tmp_path):
    path = tmp_path / "produk.csv"
    path.write_text(HEADER)
    result = runner.invoke(args=["import-products", "--shop", "nobody@example.com", str(path)])
    assert result.exit_code != 0
    assert "not a shop owner" in result.output
