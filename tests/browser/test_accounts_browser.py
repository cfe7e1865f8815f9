"""Accounts in a real browser on a phone-sized screen: signing in to a `next` page, switching
the language, and an admin verifying a shop with the confirmation dialog."""

import re
from types import SimpleNamespace

from playwright.sync_api import expect

from marketplace.extensions import db
from marketplace.shops.models import Vendor
from tests.factories import make_civil_servant, make_opd, make_user, make_vendor


def test_civil_servant_signs_in_through_the_form_and_lands_on_the_next_page(app, page, live_server):
    asn = make_civil_servant(opd=make_opd("BKD", "Badan Kepegawaian Daerah"), position="Lurah")
    email, nip = asn.email, asn.nip  # read before commit: a later read would hold the SQLite lock
    db.session.commit()
    page.goto(f"{live_server}/account")
    expect(page).to_have_url(re.compile(r"/login\?next=/account$"))
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "peken-test-pass")
    page.click("[data-testid=login-form] button[type=submit]")
    expect(page).to_have_url(f"{live_server}/account")
    expect(page.locator("main")).to_contain_text(nip)
    expect(page.locator("main")).to_contain_text("Badan Kepegawaian Daerah")


def test_visitor_switches_the_language_to_english(app, page, live_server):
    page.goto(f"{live_server}/login")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator("h1")).to_have_text("Masuk ke Peken")
    page.click("label.nav-toggle-label")  # the menu is folded on a phone
    page.click("[data-testid=lang-en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Log in to Peken")
    expect(page.locator("label[for=password]")).to_have_text("Password")
    expect(page).to_have_url(re.compile(r"/login"))


def test_admin_verifies_a_pending_shop_after_confirming(app, page, live_server, browser_login):
    admin = make_user("admin")
    vendor = make_vendor(status="pending", name="Warung Bu Sri")
    vendor_id, admin_login = vendor.id, SimpleNamespace(email=admin.email)
    db.session.commit()  # and no reads after it: they would hold the SQLite lock
    browser_login(page, admin_login)
    expect(page).to_have_url(f"{live_server}/admin")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click(f"[data-testid=verify-{vendor_id}]")
    expect(page.locator(".flash").first).to_contain_text("Warung Bu Sri")
    assert db.session.get(Vendor, vendor_id).status == "verified"
    db.session.rollback()
