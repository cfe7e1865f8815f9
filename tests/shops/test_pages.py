"""The /shop pages a shopkeeper uses between customers, driven through a signed-in session."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from marketplace.audit.models import AuditLog
from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.ordering.models import Order
from marketplace.shops.models import StockMovement, Vendor
from tests.factories import make_paid_order, make_product, make_user


def html(resp) -> str:
    return resp.get_data(as_text=True)


def fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def test_dashboard_shows_new_orders_low_stock_and_todays_sales(page_client, shop, product):
    low = make_product(shop, name="Gula Pasir", stock=1, low_stock_threshold=5)
    db.session.commit()
    make_paid_order(items=[(product, 2)])
    resp = page_client.get("/shop")
    body = html(resp)
    assert resp.status_code == 200
    assert (
        'data-testid="count-paid"' in body
        and ">1</div>" in body.split('data-testid="count-paid"')[1][:200]
    )
    assert "Gula Pasir" in body and f"/shop/products/{low.id}/stock" in body
    assert "Rp24.000" in body  # today's sales
    assert "Kelas usaha" in body


def test_a_pending_shop_is_told_its_products_are_not_listed_yet(client, login, app):
    from tests.factories import make_vendor

    vendor = make_vendor(status="pending")
    db.session.commit()
    login(client, vendor.owner)
    assert "menunggu verifikasi" in html(client.get("/shop"))


def test_the_dashboard_speaks_english_when_asked(page_client, shop):
    from flask_babel import refresh

    refresh()  # the tests share one app context, where flask-babel caches the first locale
    body = html(page_client.get("/shop?lang=en"))
    assert "New orders" in body and "Pesanan baru" not in body


def test_products_page_searches_paginates_and_shows_empty_states(page_client, shop):
    assert "Belum ada produk" in html(page_client.get("/shop/products"))
    for i in range(23):
        make_product(shop, name=f"Beras {i:02d}", sku=f"B{i}")
    make_product(shop, name="Minyak Goreng", sku="M1")
    db.session.commit()
    first = html(page_client.get("/shop/products"))
    assert "Halaman 1 dari 2" in first
    found = html(page_client.get("/shop/products?q=minyak"))
    assert "Minyak Goreng" in found and "Beras 00" not in found
    assert "Tidak ada produk yang cocok" in html(page_client.get("/shop/products?q=sabun"))


def test_a_product_is_created_from_the_form_with_its_initial_stock(page_client, shop):
    resp = page_client.post(
        "/shop/products/new",
        data={
            "name": "Telur Ayam Kampung",
            "category": "sembako",
            "price": "28.000",
            "unit": "kg",
            "stock": "12",
            "low_stock_threshold": "3",
            "sku": "TLR",
            "is_active": "on",
            "vat_exempt": "on",
        },
    )
    assert resp.status_code == 302
    product = db.session.scalar(select(Product).where(Product.sku == "TLR"))
    assert product.price == 28_000 and product.claimed_vat_exempt and not product.is_local_product
    assert not product.vat_exempt  # claimed, waiting for the city's review
    moves = db.session.scalars(
        select(StockMovement).where(StockMovement.product_id == product.id)
    ).all()
    assert [(m.kind, m.delta) for m in moves] == [("initial", 12)]


def test_a_bad_product_form_keeps_what_was_typed_and_says_what_is_wrong(page_client, shop):
    resp = page_client.post(
        "/shop/products/new",
        data={"name": "Kopi Bubuk Lokal", "category": "sembako", "price": "0", "unit": "pak"},
    )
    body = html(resp)
    assert resp.status_code == 422
    assert 'value="Kopi Bubuk Lokal"' in body and "Harga harus lebih dari 0." in body
    assert db.session.scalar(select(Product)) is None


def test_editing_a_product_saves_fields_but_not_stock(page_client, product):
    resp = page_client.post(
        f"/shop/products/{product.id}/edit",
        data={
            "name": "Beras Medium 1 kg",
            "category": "sembako",
            "price": "12500",
            "unit": "kg",
            "stock": "999",
            "is_active": "on",
            "is_pdn": "on",
        },
    )
    assert resp.status_code == 302
    saved = fresh(Product, product.id)
    assert (saved.name, saved.price, saved.stock) == ("Beras Medium 1 kg", 12_500, 10)


def test_a_photo_is_uploaded_from_the_edit_page(page_client, product):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
    resp = page_client.post(
        f"/shop/products/{product.id}/image",
        data={"image": (io.BytesIO(png), "foto.png")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    assert fresh(Product, product.id).image_path.endswith(".png")
    assert "/uploads/p" in html(page_client.get(f"/shop/products/{product.id}/edit"))


def test_deactivating_asks_for_confirmation_and_hides_the_product(page_client, product):
    page = html(page_client.get("/shop/products"))
    assert f'action="/shop/products/{product.id}/active"' in page and "data-confirm=" in page
    page_client.post(f"/shop/products/{product.id}/active", data={"active": "0"})
    assert fresh(Product, product.id).is_active is False
    page_client.post(f"/shop/products/{product.id}/active", data={"active": "1"})
    assert fresh(Product, product.id).is_active is True


def test_quick_restock_button_adds_stock_and_shows_in_history(page_client, product):
    page = html(page_client.get(f"/shop/products/{product.id}/stock"))
    assert 'data-testid="restock-5"' in page
    resp = page_client.post(
        f"/shop/products/{product.id}/stock",
        data={"delta": "5", "kind": "restock", "reason": "Barang masuk"},
        follow_redirects=True,
    )
    body = html(resp)
    assert fresh(Product, product.id).stock == 15
    assert "Stok sekarang 15." in body and "Barang masuk" in body and "+5" in body


def test_a_correction_below_zero_is_refused_on_the_page_with_a_message(page_client, product):
    resp = page_client.post(
        f"/shop/products/{product.id}/stock",
        data={"delta": "-20", "kind": "correction", "reason": "hilang"},
        headers={"Referer": f"/shop/products/{product.id}/stock"},
        follow_redirects=True,
    )
    assert "Stok tidak cukup" in html(resp)
    assert fresh(Product, product.id).stock == 10


def test_a_correction_without_reason_is_refused(page_client, product):
    page_client.post(f"/shop/products/{product.id}/stock", data={"delta": "-1", "reason": ""})
    assert fresh(Product, product.id).stock == 10


def test_import_page_shows_the_result_table(page_client, shop):
    assert "/api/v1/vendor/products/import-template" in html(
        page_client.get("/shop/products/import")
    )
    csv_text = (
        "sku,name,category,unit,price,stock\n"
        "A1,Sabun Cuci,sembako,pcs,5000,4\n"
        "A2,Rusak,sembako,pcs,0,1\n"
    )
    resp = page_client.post(
        "/shop/products/import",
        data={"file": (io.BytesIO(csv_text.encode()), "p.csv")},
        content_type="multipart/form-data",
    )
    body = html(resp)
    assert resp.status_code == 200 and 'data-testid="import-result"' in body
    assert '<td class="num">3</td>' in body and "Harga harus lebih dari 0." in body


def test_orders_page_has_tabs_with_counts_and_accepts_then_readies_an_order(page_client, product):
    order = make_paid_order(items=[(product, 3)])
    page = html(page_client.get("/shop/orders"))
    assert order.number in page and f'data-testid="accept-{order.id}"' in page
    assert 'data-testid="tab-paid"' in page
    resp = page_client.post(f"/shop/orders/{order.id}/accept", data={"tab": "paid"})
    assert resp.status_code == 302
    assert fresh(Order, order.id).status == "accepted"
    accepted = html(page_client.get("/shop/orders?tab=accepted"))
    assert f'data-testid="ready-{order.id}"' in accepted
    page_client.post(f"/shop/orders/{order.id}/ready")
    assert fresh(Order, order.id).status == "ready"


def test_rejecting_needs_a_reason_and_confirmation(page_client, product):
    order = make_paid_order(items=[(product, 1)])
    page = html(page_client.get("/shop/orders"))
    assert f'action="/shop/orders/{order.id}/reject"' in page and "data-confirm=" in page
    page_client.post(f"/shop/orders/{order.id}/reject", data={"reason": ""})
    assert fresh(Order, order.id).status == "paid"
    page_client.post(f"/shop/orders/{order.id}/reject", data={"reason": "Stok habis"})
    rejected = fresh(Order, order.id)
    assert rejected.status == "rejected" and rejected.status_reason == "Stok habis"


def test_accepting_twice_flashes_the_conflict_instead_of_failing(page_client, product):
    order = make_paid_order(items=[(product, 1)])
    page_client.post(f"/shop/orders/{order.id}/accept")
    resp = page_client.post(
        f"/shop/orders/{order.id}/accept",
        headers={"Referer": "/shop/orders"},
        follow_redirects=True,
    )
    assert resp.status_code == 200 and "flash-error" in html(resp)


def test_pick_list_adds_up_quantities_of_accepted_orders(page_client, shop, product):
    from marketplace.ordering.lifecycle import accept_order

    other = make_product(shop, name="Gula Pasir", stock=10)
    db.session.commit()
    first = make_paid_order(items=[(product, 2), (other, 1)])
    second = make_paid_order(items=[(product, 3)])
    unaccepted = make_paid_order(items=[(other, 4)])
    accept_order(shop.owner, first.id)
    accept_order(shop.owner, second.id)
    body = html(page_client.get("/shop/pick-list"))
    table = body.split('data-testid="pick-list"')[1].split("</table>")[0]
    assert 'Beras Medium</td><td class="num"><strong>5</strong>' in table
    assert 'Gula Pasir</td><td class="num"><strong>1</strong>' in table
    assert unaccepted.number not in body


def test_pick_list_is_empty_when_nothing_is_accepted(page_client, shop):
    assert "Tidak ada pesanan yang perlu disiapkan" in html(page_client.get("/shop/pick-list"))


def test_order_slip_is_printable(page_client, product):
    order = make_paid_order(items=[(product, 2)])
    body = html(page_client.get(f"/shop/orders/{order.id}/slip"))
    assert order.number in body and "Beras Medium" in body and "Rp24.000" in body
    assert "data-print" in body and "js/vendor.js" in body and "no-print" in body


def test_sales_page_toggles_day_and_month_and_links_the_csv(page_client, product):
    make_paid_order(items=[(product, 1)])
    daily = html(page_client.get("/shop/sales"))
    assert "Rp12.000" in daily and "format=csv" in daily
    monthly = html(page_client.get("/shop/sales?group_by=month"))
    assert 'aria-current="page">Bulanan' in monthly


def test_profile_page_saves_and_keeps_typed_values_on_error(page_client, shop):
    resp = page_client.post(
        "/shop/profile",
        data={
            "name": "Warung Bu Sri",
            "address": "Jl. Kenjeran 10",
            "bank_account_number": "12-ab",
        },
    )
    assert resp.status_code == 422 and 'value="12-ab"' in html(resp)
    page_client.post(
        "/shop/profile",
        data={
            "name": "Warung Bu Sri",
            "address": "Jl. Kenjeran 10",
            "phone": "0812 3456 7890",
            "npwp": "01.234.567.8-901.000",
            "bank_account_number": "998877",
        },
    )
    saved = fresh(Vendor, shop.id)
    assert (saved.address, saved.bank_account_number) == ("Jl. Kenjeran 10", "998877")
    assert (saved.phone, saved.npwp) == ("+6281234567890", "0012345678901000")
    shown = html(page_client.get("/shop/profile"))
    assert 'value="0812-3456-7890"' in shown and 'value="01.234.567.8-901.000"' in shown


@pytest.mark.parametrize(
    "field, typed", [("phone", "081234567"), ("phone", "+1 415 555 0100"), ("npwp", "12.345")]
)
def test_profile_page_refuses_an_invalid_phone_or_npwp_beside_the_field(
    page_client, shop, field, typed
):
    resp = page_client.post(
        "/shop/profile", data={"name": "Warung Bu Sri", "address": "Jl. Kenjeran 10", field: typed}
    )
    body = html(resp)
    assert resp.status_code == 422 and f'value="{typed}"' in body and "field-error" in body
    assert getattr(fresh(Vendor, shop.id), field) is None


def test_admin_sets_a_class_override_on_the_admin_page(client, login, shop):
    admin = make_user("admin")
    db.session.commit()
    login(client, admin)
    assert "Kelas usaha" in html(client.get(f"/admin/vendors/{shop.id}/class"))
    client.post(f"/admin/vendors/{shop.id}/class", data={"umk_class": "small", "reason": "cek"})
    assert fresh(Vendor, shop.id).umk_class_override == "small"
    assert db.session.scalar(select(AuditLog.action)) == "vendor.class_override"


def test_shopkeepers_cannot_open_the_admin_class_page(page_client, shop):
    assert page_client.get(f"/admin/vendors/{shop.id}/class").status_code == 403


def test_the_active_switch_needs_an_explicit_value(page_client, product):
    page_client.post(f"/shop/products/{product.id}/active", data={})
    assert fresh(Product, product.id).is_active is True


def test_a_huge_page_number_is_clamped_not_a_server_error(page_client, shop):
    assert page_client.get("/shop/products?page=99999999999999999999").status_code == 200


def test_unpaid_orders_are_not_in_any_tab(page_client, product):
    import uuid

    from marketplace.ordering.cart import add_to_cart
    from marketplace.ordering.checkout import place_checkout
    from tests.factories import make_civil_servant

    buyer = make_civil_servant()
    add_to_cart(buyer, product.id, 1)
    checkout = place_checkout(
        buyer, uuid.uuid4().hex, {"fulfilment": "pickup", "payment_method": "sandbox"}
    )
    unpaid = checkout.orders[0]
    assert unpaid.status == "pending_payment"
    for tab in ("paid", "accepted", "ready", "completed", "closed"):
        body = html(page_client.get(f"/shop/orders?tab={tab}"))
        assert unpaid.number not in body
    assert 'data-testid="tab-paid">Baru <span class="count">0</span>' in html(
        page_client.get("/shop/orders")
    )
