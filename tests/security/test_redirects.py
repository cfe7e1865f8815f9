"""No `next` parameter, form field or Referer header can send a user off-site (ASVS 3.7.2):
every redirect the app makes from something the client sent stays on this site."""

from __future__ import annotations

import pytest

from marketplace.extensions import db
from marketplace.notifications.services import notify
from tests.factories import make_product, make_user, make_vendor
from tests.security.helpers import EVIL_TARGETS, assert_stays_on_site, make_manual_payout


@pytest.fixture(params=EVIL_TARGETS)
def evil(request):
    return request.param


def test_login_ignores_an_off_site_next(client, app, evil):
    user = make_user()
    db.session.commit()
    resp = client.post(
        "/login", data={"email": user.email, "password": "peken-test-pass", "next": evil}
    )
    assert_stays_on_site(resp)


def test_login_page_of_a_signed_in_user_ignores_an_off_site_next(client, login, app, evil):
    user = make_user()
    db.session.commit()
    login(client, user)
    assert_stays_on_site(client.get("/login", query_string={"next": evil}))


def test_register_ignores_an_off_site_next(client, app, evil):
    resp = client.post(
        "/register",
        data={
            "email": "baru@test.peken.id",
            "name": "Baru",
            "password": "kata-sandi-panjang-sekali",
            "password_confirm": "kata-sandi-panjang-sekali",
            "next": evil,
        },
    )
    assert_stays_on_site(resp)


def test_language_switch_ignores_an_off_site_next_and_referer(client, app, evil):
    assert_stays_on_site(client.post("/language/en", data={"next": evil}))
    assert_stays_on_site(client.post("/language/id", headers={"Referer": evil}))
    page = client.get("/language/en", query_string={"next": evil}).get_data(as_text=True)
    chooser = page[page.index("<main") :]  # the nav's own switch carries this page's path
    assert 'name="next" value="/"' in chooser and 'href="/"' in chooser
    assert evil not in chooser


def test_language_switch_goes_back_to_a_page_of_this_site(client, app):
    resp = client.post("/language/en", headers={"Referer": "http://localhost/products?q=beras"})
    assert resp.headers["Location"] == "/products?q=beras"
    resp = client.post("/language/id", data={"next": "/products?q=telur"})
    assert resp.headers["Location"] == "/products?q=telur"


def test_a_failed_page_post_does_not_follow_an_off_site_referer(client, app, evil):
    # An empty sign-up form fails validation; the error handler flashes and goes "back".
    resp = client.post("/register", data={}, headers={"Referer": evil})
    assert_stays_on_site(resp)


def test_a_failed_page_post_goes_back_to_the_same_site_referer(client, app):
    resp = client.post("/register", data={}, headers={"Referer": "http://localhost/register?x=1"})
    assert resp.headers["Location"] == "/register?x=1"


def test_adding_to_the_cart_does_not_follow_an_off_site_referer(client, login, app, evil):
    buyer = make_user()
    product = make_product()
    db.session.commit()
    login(client, buyer)
    resp = client.post(
        f"/cart/items/{product.id}", data={"quantity": "1"}, headers={"Referer": evil}
    )
    assert_stays_on_site(resp)


def test_adding_to_the_cart_goes_back_to_the_product_page(client, login, app):
    buyer = make_user()
    product = make_product()
    db.session.commit()
    login(client, buyer)
    resp = client.post(
        f"/cart/items/{product.id}",
        data={"quantity": "1"},
        headers={"Referer": f"http://localhost/products/{product.id}"},
    )
    assert resp.headers["Location"] == f"/products/{product.id}"


def test_reading_a_notification_ignores_an_off_site_next_and_link(client, login, app, evil):
    user = make_user()
    note = notify(user, "test", "Halo", url=evil, email=False)
    db.session.commit()
    login(client, user)
    assert_stays_on_site(client.post(f"/notifications/{note.id}/read", data={"next": evil}))
    assert_stays_on_site(client.post(f"/notifications/{note.id}/read", data={"open": "1"}))


@pytest.mark.parametrize("action", ["verify", "suspend"])
def test_admin_shop_decisions_ignore_an_off_site_next(client, login, app, evil, action):
    admin = make_user("admin")
    vendor = make_vendor(status="pending" if action == "verify" else "verified")
    db.session.commit()
    login(client, admin)
    resp = client.post(f"/admin/vendors/{vendor.id}/{action}", data={"next": evil, "reason": "cek"})
    assert_stays_on_site(resp)


def test_finance_payout_actions_ignore_an_off_site_next(client, login, app, evil):
    finance = make_user("finance")
    payout = make_manual_payout(finance)
    login(client, finance)
    resp = client.post(
        f"/finance/payouts/{payout.id}/mark-paid", data={"bank_reference": "TRF-001", "next": evil}
    )
    assert_stays_on_site(resp)


def test_product_visibility_toggle_ignores_an_off_site_next(client, login, app, evil):
    product = make_product()
    db.session.commit()
    login(client, product.vendor.owner)
    resp = client.post(f"/shop/products/{product.id}/active", data={"active": "0", "next": evil})
    assert_stays_on_site(resp)
