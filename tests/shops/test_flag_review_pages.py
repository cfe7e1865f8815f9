"""The admin's review queue page and the shop's view of each flag's review state."""

import pytest
from sqlalchemy import select

from marketplace.audit.models import AuditLog
from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.shops import flag_reviews
from tests.factories import make_product, make_user


def _claimed(shop, name="Cokelat Swiss Impor", **claims):
    product = make_product(shop, name=name)
    flag_reviews.claim_flags(shop.owner, product, claims or {"is_pdn": True, "vat_exempt": True})
    db.session.commit()
    return product


def test_the_queue_page_shows_an_empty_state(client, login):
    login(client, make_user("admin"))
    html = client.get("/admin/product-flags").get_data(as_text=True)
    assert "Tidak ada klaim produk yang menunggu tinjauan." in html


def test_the_admin_dashboard_links_to_the_queue_with_its_count(client, login, shop):
    _claimed(shop)
    login(client, make_user("admin"))
    html = client.get("/admin").get_data(as_text=True)
    assert 'href="/admin/product-flags"' in html
    assert 'data-testid="count-flag-reviews">1<' in html


def test_the_queue_page_lists_claims_and_warns_outside_pp_49(client, login, shop):
    product = _claimed(shop)
    login(client, make_user("admin"))
    html = client.get("/admin/product-flags").get_data(as_text=True)
    assert f'data-testid="flag-review-{product.id}"' in html
    assert "Tidak ada di daftar barang kebutuhan pokok PP 49/2022" in html


def test_the_queue_page_paginates(client, login, shop):
    for n in range(21):
        _claimed(shop, name=f"Produk {n}", is_local_product=True)
    login(client, make_user("admin"))
    first = client.get("/admin/product-flags").get_data(as_text=True)
    assert first.count('data-testid="flag-review-') == 20 and "Halaman 1 dari 2" in first
    second = client.get("/admin/product-flags?page=2").get_data(as_text=True)
    assert second.count('data-testid="flag-review-') == 1
    assert client.get("/admin/product-flags?page=abc").status_code == 200


def test_approving_from_the_page_applies_the_ticked_flags(client, login, shop):
    product = _claimed(shop, name="Beras Premium 5 kg")
    login(client, make_user("admin"))
    resp = client.post(
        f"/admin/product-flags/{product.id}/approve", data={"flags": ["vat_exempt"], "reason": ""}
    )
    assert resp.status_code == 302 and resp.headers["Location"] == "/admin/product-flags"
    db.session.expire_all()
    product = db.session.get(Product, product.id)
    assert (product.vat_exempt, product.is_pdn) == (True, False)


def test_refusing_a_vat_exemption_on_the_page_flashes_why(client, login, shop):
    product = _claimed(shop)
    admin = make_user("admin")
    db.session.commit()
    login(client, admin)
    resp = client.post(
        f"/admin/product-flags/{product.id}/approve",
        data={"flags": ["is_pdn", "vat_exempt"]},
        headers={"Referer": "/admin/product-flags"},
        follow_redirects=True,
    )
    assert resp.status_code == 200
    assert "bukan barang kebutuhan pokok PP 49/2022" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Product, product.id).is_pdn is False


def test_rejecting_from_the_page_needs_a_reason(client, login, shop):
    product = _claimed(shop)
    admin = make_user("admin")
    db.session.commit()  # the refused form rolls the request's session back
    login(client, admin)
    client.post(f"/admin/product-flags/{product.id}/reject", data={"reason": ""})
    assert db.session.scalar(select(AuditLog.id)) is None
    resp = client.post(f"/admin/product-flags/{product.id}/reject", data={"reason": "Impor"})
    assert resp.status_code == 302
    assert db.session.scalar(select(AuditLog.reason)) == "Impor"


def test_only_admins_see_the_queue_page(client, login, shop):
    login(client, shop.owner)
    assert client.get("/admin/product-flags").status_code in (403, 302)


def test_the_shop_sees_each_flags_review_state_on_its_product_page(page_client, shop):
    admin = make_user("admin")
    product = _claimed(shop, name="Beras Premium 5 kg", is_pdn=True, vat_exempt=True)
    flag_reviews.claim_flags(shop.owner, product, {"is_local_product": True})
    db.session.commit()
    flag_reviews.approve_flags(admin, product.id, ["vat_exempt"])
    flag_reviews.reject_flags(admin, product.id, ["is_local_product"], "Bukan buatan UMKM kota")
    html = page_client.get(f"/shop/products/{product.id}/edit").get_data(as_text=True)
    assert 'data-testid="state-is_pdn">menunggu tinjauan<' in html
    assert 'data-testid="state-vat_exempt">disetujui<' in html
    assert 'data-testid="state-is_local_product">ditolak: Bukan buatan UMKM kota<' in html


def test_the_product_form_sends_a_tkdn_percentage_as_a_claim(page_client, shop, product):
    resp = page_client.post(
        f"/shop/products/{product.id}/edit",
        data={
            "name": product.name,
            "category": "sembako",
            "price": "12.000",
            "unit": "kg",
            "is_active": "on",
            "is_pdn": "on",
            "tkdn": "43,56",
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    db.session.expire_all()
    saved = db.session.get(Product, product.id)
    assert (saved.claimed_pdn, saved.claimed_tkdn_bps, saved.is_pdn) == (True, 4356, False)
    html = page_client.get(f"/shop/products/{product.id}/edit").get_data(as_text=True)
    assert 'value="43,56"' in html


def test_a_bad_tkdn_on_the_form_is_shown_beside_the_field(page_client, shop, product):
    resp = page_client.post(
        f"/shop/products/{product.id}/edit",
        data={"name": product.name, "category": "sembako", "price": "12.000", "unit": "kg"}
        | {"is_pdn": "on", "tkdn": "120"},
    )
    assert resp.status_code == 422
    assert 'value="120"' in resp.get_data(as_text=True)


def test_flag_review_texts_have_english_translations(app):
    from flask_babel import force_locale, gettext

    with app.test_request_context("/"), force_locale("en"):
        assert gettext("menunggu tinjauan") == "awaiting review"
        assert gettext("Tinjauan klaim produk") == "Product claim review"
        assert gettext("ditolak: %(reason)s", reason="x") == "rejected: x"


def test_each_decision_form_names_the_pending_flags(client, login, shop):
    product = _claimed(shop)
    login(client, make_user("admin"))
    html = client.get("/admin/product-flags").get_data(as_text=True)
    assert html.count('name="flags" value="vat_exempt" checked> Bebas PPN (bahan pokok)') == 2
    assert f'data-testid="reject-{product.id}"' in html


@pytest.mark.parametrize("role", ["vendor", "finance", "civil_servant", "public"])
@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_only_admins_decide_claims_from_the_pages(client, login, shop, role, decision):
    product = _claimed(shop, name="Beras Premium 5 kg")
    user = shop.owner if role == "vendor" else make_user(role)
    db.session.commit()
    login(client, user)
    resp = client.post(f"/admin/product-flags/{product.id}/{decision}", data={"reason": "x"})
    assert resp.status_code in (302, 403, 404)
    db.session.expire_all()
    assert [r.status for r in db.session.get(Product, product.id).flag_reviews] == [
        "pending",
        "pending",
    ]
    assert db.session.scalar(select(AuditLog.id)) is None


def test_the_shops_product_list_marks_products_with_claims_waiting(page_client, shop, product):
    claimed = _claimed(shop, name="Cokelat")
    html = page_client.get("/shop/products").get_data(as_text=True)
    assert f'data-testid="claims-pending-{claimed.id}"' in html
    assert f'data-testid="claims-pending-{product.id}"' not in html
