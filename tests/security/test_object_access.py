"""Object-level access (BOLA/IDOR, ASVS 8.2.2): for every route with an id in its path, user B
of the same role as owner A asks for A's object and gets 404 — not 403, not the data — and
nothing changes. Finance and admin objects answer 403 to the other roles, and money-moving actions
(refunds, payouts, reconciliations) 403 to admins too.

`ROUTES` must name every id-bearing route of the app: a new route fails
`test_every_route_with_an_id_is_in_the_table` until it is added here (or to the test that
already covers it, listed in `COVERED_ELSEWHERE`). Then come mass-assignment checks: bodies and
forms cannot set fields such as role, vendor_id, status, buyer_id or price of another shop.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from marketplace.accounts import services as accounts
from marketplace.accounts.models import ApiToken, User
from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.notifications.models import Notification
from marketplace.notifications.services import notify
from marketplace.ordering.cart import add_to_cart
from marketplace.ordering.checkout import place_checkout
from marketplace.ordering.lifecycle import accept_order, mark_order_ready
from marketplace.ordering.models import CartItem, Order
from marketplace.payments.models import Payment, Refund
from marketplace.payouts.models import Payout
from marketplace.shops.models import Vendor
from tests.factories import (
    make_category,
    make_civil_servant,
    make_paid_order,
    make_product,
    make_user,
    make_vendor,
)
from tests.security.helpers import make_manual_payout

ROOT = Path(__file__).resolve().parents[2]
SECRET = "Rahasia Pembeli A"

# Routes whose cross-owner cases another test module already asserts: (file, text it holds).
VENDOR_ISOLATION = ("tests/shops/test_isolation.py", "FOREIGN_OBJECT_ENDPOINTS")
ACCESS_MATRIX = ("tests/accounts/test_access_matrix.py", "_REGISTRY")  # 401/403 for every API role
PROCUREMENT_API = ("tests/procurement/test_api.py", "test_another_offices_request_answers_404")
PROCUREMENT_PAGES = ("tests/procurement/test_pages.py", "test_another_offices_request_page_is_404")
PROCUREMENT_ADMIN_PAGES = (
    "tests/procurement/test_pages.py",
    "test_only_admins_manage_office_roles_from_the_pages",
)
DELIVERY = ("tests/procurement/test_delivery.py", "test_a_shop_cannot_deliver_another_shops_order")
BAST_API = ("tests/procurement/test_bast.py", "test_another_office_and_another_shop_get_404")
BAST_PAGES = (
    "tests/procurement/test_bast.py",
    "test_another_office_and_shop_get_404_on_the_bast_pages",
)
OFFICE_PAYMENTS = ("tests/procurement/test_payments.py", "test_only_the_offices_treasurer_pays")
OFFICE_PAY_PAGE = (
    "tests/procurement/test_payment_pages.py",
    "test_another_offices_treasurer_cannot_pay_from_the_page",
)
OFFICE_DOCUMENTS = (
    "tests/procurement/test_payment_pages.py",
    "test_the_shop_sees_its_documents_and_nobody_else_does",
)
MANDATE_LIFECYCLE = "tests/security/test_mandate_lifecycle_access.py"
SPJ_API = ("tests/procurement/test_spj.py", "test_any_role_of_the_office_downloads_it_and_nobody")
SPJ_PAGES = (
    "tests/procurement/test_spj.py",
    "test_the_request_page_links_the_bundle_and_the_pages",
)
COVERED_ELSEWHERE = {
    # the SPJ bundle of an office's request: another office 404
    ("GET", "/api/v1/opd/requests/<int:request_id>/spj.pdf"): SPJ_API,
    ("GET", "/api/v1/opd/requests/<int:request_id>/spj.zip"): SPJ_API,
    ("GET", "/opd/requests/<int:request_id>/spj.pdf"): SPJ_PAGES,
    ("GET", "/opd/requests/<int:request_id>/spj.zip"): SPJ_PAGES,
    # an office's payments and the documents of its orders: another office (and shop) 404
    ("GET", "/api/v1/opd/requests/<int:request_id>/payments"): OFFICE_PAYMENTS,
    ("POST", "/api/v1/opd/requests/<int:request_id>/payments"): OFFICE_PAYMENTS,
    ("POST", "/opd/requests/<int:request_id>/pay"): OFFICE_PAY_PAGE,
    **{
        ("GET", f"/opd/orders/<int:order_id>/{doc}"): OFFICE_DOCUMENTS
        for doc in (
            "invoice",
            "invoice.pdf",
            "kwitansi",
            "kwitansi.pdf",
            "bukti-potong",
            "bukti-potong.pdf",
        )
    },
    # issue 13: roster leavers, exemptions, month end and its readers
    ("POST", "/api/v1/admin/civil-servants/<int:user_id>/deactivate"): (
        MANDATE_LIFECYCLE,
        "test_roster_leavers_are_the_admins",
    ),
    ("POST", "/api/v1/admin/civil-servants/<int:user_id>/reactivate"): (
        MANDATE_LIFECYCLE,
        "test_roster_leavers_are_the_admins",
    ),
    ("POST", "/admin/civil-servants/<int:user_id>/deactivate"): (
        MANDATE_LIFECYCLE,
        "test_roster_leavers_are_the_admins",
    ),
    ("POST", "/admin/civil-servants/<int:user_id>/reactivate"): (
        MANDATE_LIFECYCLE,
        "test_roster_leavers_are_the_admins",
    ),
    ("GET", "/api/v1/mandate/exemptions/<int:exemption_id>"): (
        MANDATE_LIFECYCLE,
        "test_another_asns_exemption_answers_404",
    ),
    ("POST", "/api/v1/mandate/exemptions/<int:exemption_id>/approve"): (
        MANDATE_LIFECYCLE,
        "test_only_the_admin_decides_exemptions_api_and_page",
    ),
    ("POST", "/api/v1/mandate/exemptions/<int:exemption_id>/reject"): (
        MANDATE_LIFECYCLE,
        "test_only_the_admin_decides_exemptions_api_and_page",
    ),
    ("POST", "/mandate/exemptions/<int:exemption_id>/<any(approve, reject):decision>"): (
        MANDATE_LIFECYCLE,
        "test_only_the_admin_decides_exemptions_api_and_page",
    ),
    ("GET", "/api/v1/mandate/month-end/<period>"): (
        MANDATE_LIFECYCLE,
        "test_month_end_api_is_for_readers_finance_and_admin",
    ),
    ("GET", "/mandate/month-end/<period>"): (
        MANDATE_LIFECYCLE,
        "test_month_end_pages_are_for_readers_finance_and_admin",
    ),
    ("GET", "/api/v1/mandate/office/<period>"): (
        MANDATE_LIFECYCLE,
        "test_an_office_head_sees_only_their_own_office",
    ),
    ("GET", "/mandate/office/<period>"): (
        MANDATE_LIFECYCLE,
        "test_an_office_head_sees_only_their_own_office",
    ),
    ("PUT", "/api/v1/mandate/readers/<int:user_id>"): (
        MANDATE_LIFECYCLE,
        "test_readers_are_assigned_by_the_admin_only",
    ),
    ("DELETE", "/api/v1/mandate/readers/<int:user_id>"): (
        MANDATE_LIFECYCLE,
        "test_readers_are_assigned_by_the_admin_only",
    ),
    ("POST", "/admin/mandate-readers/<int:user_id>/remove"): (
        MANDATE_LIFECYCLE,
        "test_readers_are_assigned_by_the_admin_only",
    ),
    # admin only (settling is not owned by anyone; 401/403 for every other role)
    ("POST", "/api/v1/admin/areas/unresolved/<int:reference_id>/settle"): ACCESS_MATRIX,
    # shop A never reaches shop B's products, stock or orders (404, nothing changes)
    ("GET", "/api/v1/vendor/products/<int:product_id>"): VENDOR_ISOLATION,
    ("PATCH", "/api/v1/vendor/products/<int:product_id>"): VENDOR_ISOLATION,
    ("POST", "/api/v1/vendor/products/<int:product_id>/image"): VENDOR_ISOLATION,
    ("POST", "/api/v1/vendor/products/<int:product_id>/stock-adjustments"): VENDOR_ISOLATION,
    ("GET", "/api/v1/vendor/products/<int:product_id>/stock-movements"): VENDOR_ISOLATION,
    ("GET", "/api/v1/vendor/orders/<int:order_id>"): VENDOR_ISOLATION,
    ("POST", "/api/v1/vendor/orders/<int:order_id>/accept"): VENDOR_ISOLATION,
    ("POST", "/api/v1/vendor/orders/<int:order_id>/reject"): VENDOR_ISOLATION,
    ("POST", "/api/v1/vendor/orders/<int:order_id>/ready"): VENDOR_ISOLATION,
    ("POST", "/api/v1/vendor/orders/<int:order_id>/deliver"): DELIVERY,
    ("GET", "/shop/products/<int:product_id>/edit"): VENDOR_ISOLATION,
    ("POST", "/shop/products/<int:product_id>/edit"): VENDOR_ISOLATION,
    ("POST", "/shop/products/<int:product_id>/image"): VENDOR_ISOLATION,
    ("POST", "/shop/products/<int:product_id>/active"): VENDOR_ISOLATION,
    ("GET", "/shop/products/<int:product_id>/stock"): VENDOR_ISOLATION,
    ("POST", "/shop/products/<int:product_id>/stock"): VENDOR_ISOLATION,
    ("GET", "/shop/orders/<int:order_id>/slip"): VENDOR_ISOLATION,
    ("POST", "/shop/orders/<int:order_id>/accept"): VENDOR_ISOLATION,
    ("POST", "/shop/orders/<int:order_id>/reject"): VENDOR_ISOLATION,
    ("POST", "/shop/orders/<int:order_id>/ready"): VENDOR_ISOLATION,
    ("POST", "/shop/orders/<int:order_id>/deliver"): DELIVERY,
    # the office's BAST: its office (any role) and the order's shop only
    ("POST", "/api/v1/opd/orders/<int:order_id>/bast"): BAST_API,
    ("GET", "/api/v1/opd/bast/<int:bast_id>"): BAST_API,
    ("GET", "/api/v1/opd/bast/<int:bast_id>/pdf"): BAST_API,
    ("POST", "/api/v1/opd/bast/<int:bast_id>/scan"): BAST_API,
    ("GET", "/api/v1/opd/bast/<int:bast_id>/scan"): BAST_API,
    ("POST", "/opd/orders/<int:order_id>/bast"): BAST_PAGES,
    ("GET", "/opd/orders/<int:order_id>/bast"): BAST_PAGES,
    ("GET", "/opd/bast/<int:bast_id>"): BAST_PAGES,
    ("GET", "/opd/bast/<int:bast_id>.pdf"): BAST_PAGES,
    ("GET", "/opd/bast/<int:bast_id>/scan"): BAST_PAGES,
    ("POST", "/opd/bast/<int:bast_id>/scan"): BAST_PAGES,
    # buyer pages asserted by their areas
    ("GET", "/orders/<int:order_id>"): (
        "tests/ordering/test_pages.py",
        "test_another_buyers_order_page_is_404",
    ),
    ("GET", "/refunds/<int:refund_id>/nota-retur"): (
        "tests/ordering/test_credit_notes.py",
        "test_other_buyers_and_shops_get_404",
    ),
    ("GET", "/refunds/<int:refund_id>/nota-retur.pdf"): (
        "tests/ordering/test_credit_notes.py",
        "test_other_buyers_and_shops_get_404",
    ),
    # an office's purchase requests: another office's answers 404, nothing changes
    ("GET", "/api/v1/opd/requests/<int:request_id>"): PROCUREMENT_API,
    ("POST", "/api/v1/opd/requests/<int:request_id>/approve"): PROCUREMENT_API,
    ("POST", "/api/v1/opd/requests/<int:request_id>/reject"): PROCUREMENT_API,
    ("POST", "/api/v1/opd/requests/<int:request_id>/cancel"): PROCUREMENT_API,
    ("GET", "/opd/requests/<int:request_id>"): PROCUREMENT_PAGES,
    ("POST", "/opd/requests/<int:request_id>/approve"): PROCUREMENT_PAGES,
    ("POST", "/opd/requests/<int:request_id>/reject"): PROCUREMENT_PAGES,
    ("POST", "/opd/requests/<int:request_id>/cancel"): PROCUREMENT_PAGES,
    # an OPD's roles: admin only (401/403 for every other role); another OPD's role is 404
    ("GET", "/api/v1/admin/opds/<code>/roles"): ACCESS_MATRIX,
    ("POST", "/api/v1/admin/opds/<code>/roles"): ACCESS_MATRIX,
    ("DELETE", "/api/v1/admin/opds/<code>/roles/<int:role_id>"): (
        "tests/procurement/test_api.py",
        "test_a_role_of_another_office_cannot_be_removed_through_this_one",
    ),
    ("GET", "/admin/opds/<code>/roles"): PROCUREMENT_ADMIN_PAGES,
    ("POST", "/admin/opds/<code>/roles"): PROCUREMENT_ADMIN_PAGES,
    ("POST", "/admin/opds/<code>/roles/<int:role_id>/remove"): PROCUREMENT_ADMIN_PAGES,
    ("POST", "/notifications/<int:notification_id>/read"): (
        "tests/notifications/test_notifications.py",
        "test_another_users_notification_cannot_be_marked_from_the_page",
    ),
    # finance and admin API objects: role-only, 401/403 asserted for every registered endpoint
    ("GET", "/api/v1/admin/vendors/<int:vendor_id>"): ACCESS_MATRIX,
    ("POST", "/api/v1/admin/vendors/<int:vendor_id>/verify"): ACCESS_MATRIX,
    ("POST", "/api/v1/admin/vendors/<int:vendor_id>/suspend"): ACCESS_MATRIX,
    ("PUT", "/api/v1/admin/vendors/<int:vendor_id>/business-class"): ACCESS_MATRIX,
    ("POST", "/api/v1/admin/product-flags/<int:product_id>/approve"): ACCESS_MATRIX,
    ("POST", "/api/v1/admin/product-flags/<int:product_id>/reject"): ACCESS_MATRIX,
    ("POST", "/admin/product-flags/<int:product_id>/approve"): (
        "tests/shops/test_flag_review_pages.py",
        "test_only_admins_decide_claims_from_the_pages",
    ),
    ("POST", "/admin/product-flags/<int:product_id>/reject"): (
        "tests/shops/test_flag_review_pages.py",
        "test_only_admins_decide_claims_from_the_pages",
    ),
    ("GET", "/api/v1/admin/business-class/declarations/<int:declaration_id>"): ACCESS_MATRIX,
    ("POST", "/api/v1/admin/business-class/declarations/<int:declaration_id>/approve"): (
        ACCESS_MATRIX
    ),
    ("POST", "/api/v1/admin/business-class/declarations/<int:declaration_id>/reject"): (
        ACCESS_MATRIX
    ),
    ("POST", "/api/v1/admin/business-class/flags/<int:flag_id>/resolve"): ACCESS_MATRIX,
    # a declaration's evidence: its shop and admins only, another shop 404
    ("GET", "/business-class/declarations/<int:declaration_id>/document"): (
        "tests/shops/test_business_class_api.py",
        "test_shops_see_only_their_own_declarations_and_documents",
    ),
    ("POST", "/admin/business-class/declarations/<int:declaration_id>/approve"): (
        "tests/shops/test_business_class_pages.py",
        "test_shopkeepers_cannot_open_the_review_queue_or_decide",
    ),
    ("POST", "/admin/business-class/declarations/<int:declaration_id>/reject"): (
        "tests/shops/test_business_class_pages.py",
        "test_shopkeepers_cannot_open_the_review_queue_or_decide",
    ),
    ("POST", "/admin/business-class/flags/<int:flag_id>/resolve"): (
        "tests/shops/test_business_class_pages.py",
        "test_shopkeepers_cannot_open_the_review_queue_or_decide",
    ),
    ("PUT", "/api/v1/admin/caps/<period>"): ACCESS_MATRIX,
    ("PATCH", "/api/v1/admin/categories/<slug>"): ACCESS_MATRIX,
    ("POST", "/api/v1/orders/<int:order_id>/refunds"): ACCESS_MATRIX,
    ("GET", "/api/v1/finance/payout-runs/<int:run_id>"): ACCESS_MATRIX,
    ("GET", "/api/v1/finance/payout-runs/<int:run_id>/bank-file"): ACCESS_MATRIX,
    ("GET", "/api/v1/finance/payouts/<int:payout_id>"): ACCESS_MATRIX,
    ("POST", "/api/v1/finance/payouts/<int:payout_id>/cancel"): ACCESS_MATRIX,
    ("POST", "/api/v1/finance/payouts/<int:payout_id>/mark-paid"): ACCESS_MATRIX,
    ("POST", "/api/v1/finance/payouts/<int:payout_id>/retry"): ACCESS_MATRIX,
    ("GET", "/api/v1/finance/reconciliations/<int:rec_id>"): ACCESS_MATRIX,
    ("GET", "/api/v1/finance/targets/<int:year>"): ACCESS_MATRIX,
    ("PUT", "/api/v1/finance/targets/<int:year>"): ACCESS_MATRIX,
    ("GET", "/api/v1/finance/budgets/<int:year>"): ACCESS_MATRIX,
    ("POST", "/api/v1/finance/periods/<period>/close"): ACCESS_MATRIX,
    ("GET", "/api/v1/finance/periods/<period>"): ACCESS_MATRIX,
    ("GET", "/api/v1/finance/periods/<period>/corrections"): ACCESS_MATRIX,
    ("PUT", "/api/v1/finance/budgets/<int:year>"): ACCESS_MATRIX,
    # not an object of anyone: a token, a language, a file name
    ("GET", "/password/reset/<token>"): (
        "tests/security/test_secrets.py",
        "test_a_password_reset_link_works_once",
    ),
    ("POST", "/password/reset/<token>"): (
        "tests/security/test_secrets.py",
        "test_a_password_reset_link_works_once",
    ),
    ("GET", "/language/<lang>"): ("tests/security/test_redirects.py", "/language/en"),
    ("POST", "/language/<lang>"): ("tests/security/test_redirects.py", "/language/en"),
    ("GET", "/uploads/<path:filename>"): (
        "tests/security/test_injection.py",
        "test_uploads_cannot_escape_the_upload_folder",
    ),
}


@dataclass
class World:
    buyer_a: User
    buyer_b: User
    shop_a: Vendor
    shop_b: Vendor
    product: Product
    hidden: Product
    pending_shop: Vendor
    paid: Order
    ready: Order
    payment: Payment
    note: Notification
    token: ApiToken
    payout: Payout
    finance: User
    admin: User


@pytest.fixture
def world(app) -> World:
    make_category()
    shop_a = make_vendor(name="Toko A")
    product = make_product(shop_a, stock=50, name="Beras Rahasia A")
    hidden = make_product(shop_a, stock=5, name="Beras Rahasia A nonaktif", is_active=False)
    buyer_a = make_civil_servant(name=SECRET)
    buyer_b = make_civil_servant(name="Pembeli B")
    paid = make_paid_order(buyer_a, [(product, 1)])
    ready = make_paid_order(buyer_a, [(product, 2)])
    accept_order(shop_a.owner, ready.id)
    mark_order_ready(shop_a.owner, ready.id)
    add_to_cart(buyer_a, product.id, 3)
    checkout = place_checkout(
        buyer_a, uuid.uuid4().hex, {"fulfilment": "pickup", "payment_method": "sandbox"}
    )
    payment = db.session.scalar(select(Payment).where(Payment.checkout_id == checkout.id))
    add_to_cart(buyer_a, product.id, 4)  # A's cart after the checkout
    note = notify(buyer_a, "test", SECRET, email=False)
    accounts.issue_token(buyer_a, "token A")
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.user_id == buyer_a.id, ApiToken.name == "token A")
    )
    finance = make_user("finance")
    payout = make_manual_payout(finance)
    world = World(
        buyer_a=buyer_a,
        buyer_b=buyer_b,
        shop_a=shop_a,
        shop_b=make_vendor(name="Toko B"),
        product=product,
        hidden=hidden,
        pending_shop=make_vendor(status="pending", name="Toko Menunggu"),
        paid=paid,
        ready=ready,
        payment=payment,
        note=note,
        token=token,
        payout=payout,
        finance=finance,
        admin=make_user("admin"),
    )
    db.session.commit()
    assert (
        payment.status == "requires_payment" and paid.status == "paid" and ready.status == "ready"
    )
    return world


def _state(w: World):
    """Everything of A's (and the money objects) that a forged request could change."""
    db.session.expire_all()
    rows = lambda model, *cols: sorted(
        tuple(getattr(r, c) for c in cols) for r in db.session.scalars(select(model))
    )
    return {
        "orders": rows(Order, "id", "status", "refunded_total"),
        "payments": rows(Payment, "id", "status"),
        "refunds": rows(Refund, "id", "amount"),
        "notes": rows(Notification, "id", "user_id", "read_at"),
        "tokens": [
            t
            for t in rows(ApiToken, "user_id", "name", "revoked_at")
            if t[:2] == (w.buyer_a.id, "token A")
        ],
        "cart_a": [
            c for c in rows(CartItem, "user_id", "product_id", "quantity") if c[0] == w.buyer_a.id
        ],
        "products": rows(Product, "id", "stock", "price", "is_active", "vendor_id"),
        "payouts": rows(Payout, "id", "status"),
        "vendors": rows(Vendor, "id", "status", "umk_class"),
    }


# (method, rule) → list of (caller, url, request kwargs, expected status).
# Callers: "B" = another buyer of A's role, "shop_b" = another shopkeeper, "shop_a" = the shop
# that sold A's orders, "finance", "admin", "public" (a member of the public).
def _cases(w: World):
    o_paid, o_ready, pay, note = w.paid.id, w.ready.id, w.payment.id, w.note.id
    p, payout, run = w.product.id, w.payout.id, w.payout.run_id
    hidden, pending = w.hidden.id, w.pending_shop.id
    j = lambda body: {"json": body}
    f = lambda body: {"data": body}
    return {
        # -------- A's orders, payments and notifications: 404 to another buyer and to other shops
        ("GET", "/api/v1/orders/<int:order_id>"): [
            ("B", f"/api/v1/orders/{o_paid}", {}, 404),
            ("shop_b", f"/api/v1/orders/{o_paid}", {}, 404),
        ],
        ("POST", "/api/v1/orders/<int:order_id>/cancel"): [
            ("B", f"/api/v1/orders/{o_paid}/cancel", {}, 404)
        ],
        ("POST", "/api/v1/orders/<int:order_id>/confirm-receipt"): [
            ("B", f"/api/v1/orders/{o_ready}/confirm-receipt", {}, 404)
        ],
        ("GET", "/api/v1/orders/<int:order_id>/refunds"): [
            ("B", f"/api/v1/orders/{o_paid}/refunds", {}, 404),
            ("shop_b", f"/api/v1/orders/{o_paid}/refunds", {}, 404),
        ],
        ("GET", "/api/v1/payments/<int:payment_id>"): [("B", f"/api/v1/payments/{pay}", {}, 404)],
        ("POST", "/api/v1/payments/<int:payment_id>/sandbox-confirm"): [
            ("B", f"/api/v1/payments/{pay}/sandbox-confirm", j({"outcome": "succeeded"}), 404),
            ("B", f"/api/v1/payments/{pay}/sandbox-confirm", j({"outcome": "failed"}), 404),
        ],
        ("POST", "/api/v1/notifications/<int:notification_id>/read"): [
            ("B", f"/api/v1/notifications/{note}/read", {}, 404)
        ],
        ("POST", "/orders/<int:order_id>/cancel"): [("B", f"/orders/{o_paid}/cancel", {}, 404)],
        ("POST", "/orders/<int:order_id>/confirm-receipt"): [
            ("B", f"/orders/{o_ready}/confirm-receipt", {}, 404)
        ],
        ("GET", "/payments/<int:payment_id>"): [("B", f"/payments/{pay}", {}, 404)],
        ("POST", "/payments/<int:payment_id>/sandbox"): [
            ("B", f"/payments/{pay}/sandbox", f({"outcome": "succeeded"}), 404)
        ],
        ("POST", "/account/tokens/<int:token_id>/revoke"): [
            ("B", f"/account/tokens/{w.token.id}/revoke", {}, 404)
        ],
        ("DELETE", "/api/v1/me/tokens/<int:token_id>"): [
            ("B", f"/api/v1/me/tokens/{w.token.id}", {}, 404)
        ],
        # -------- the cart: a product id, but only ever the caller's own cart lines
        ("PUT", "/api/v1/cart/items/<int:product_id>"): [
            ("B", f"/api/v1/cart/items/{p}", j({"quantity": 0}), 200)
        ],
        ("DELETE", "/api/v1/cart/items/<int:product_id>"): [
            ("B", f"/api/v1/cart/items/{p}", {}, 200)
        ],
        ("POST", "/cart/items/<int:product_id>/quantity"): [
            ("B", f"/cart/items/{p}/quantity", f({"quantity": "0"}), 302)
        ],
        ("POST", "/cart/items/<int:product_id>/remove"): [
            ("B", f"/cart/items/{p}/remove", {}, 302)
        ],
        ("POST", "/cart/items/<int:product_id>"): [
            ("B", f"/cart/items/{hidden}", f({"quantity": "1"}), 404)
        ],
        # -------- public catalog: a shop's unlisted product or an unverified shop is nobody's
        ("GET", "/api/v1/products/<int:product_id>"): [
            ("shop_b", f"/api/v1/products/{hidden}", {}, 404),
            ("B", f"/api/v1/products/{hidden}", {}, 404),
        ],
        ("GET", "/products/<int:product_id>"): [
            ("shop_b", f"/products/{hidden}", {}, 404),
            ("B", f"/products/{hidden}", {}, 404),
        ],
        ("GET", "/shops/<int:vendor_id>"): [("B", f"/shops/{pending}", {}, 404)],
        # -------- admin pages: 403 for every other role, nothing changes
        ("GET", "/admin/vendors/<int:vendor_id>"): [
            ("finance", f"/admin/vendors/{pending}", {}, 403),
            ("shop_b", f"/admin/vendors/{pending}", {}, 403),
        ],
        ("POST", "/admin/vendors/<int:vendor_id>/verify"): [
            ("finance", f"/admin/vendors/{pending}/verify", f({"reason": "x"}), 403),
            ("public", f"/admin/vendors/{pending}/verify", f({"reason": "x"}), 403),
        ],
        ("POST", "/admin/vendors/<int:vendor_id>/suspend"): [
            ("finance", f"/admin/vendors/{w.shop_a.id}/suspend", f({"reason": "x"}), 403),
            ("shop_b", f"/admin/vendors/{w.shop_a.id}/suspend", f({"reason": "x"}), 403),
        ],
        ("GET", "/admin/vendors/<int:vendor_id>/class"): [
            ("finance", f"/admin/vendors/{w.shop_a.id}/class", {}, 403),
            ("shop_a", f"/admin/vendors/{w.shop_a.id}/class", {}, 403),
        ],
        ("POST", "/admin/vendors/<int:vendor_id>/class"): [
            ("shop_a", f"/admin/vendors/{w.shop_a.id}/class", f({"umk_class": "medium"}), 403)
        ],
        ("POST", "/admin/areas/unresolved/<int:reference_id>/settle"): [
            ("finance", "/admin/areas/unresolved/1/settle", f({"code": "35.78.08.1002"}), 403),
            ("shop_a", "/admin/areas/unresolved/1/settle", f({"code": "35.78.08.1002"}), 403),
        ],
        ("POST", "/admin/categories/<slug>"): [
            ("finance", "/admin/categories/sembako", f({"name": "Diubah"}), 403),
            ("shop_a", "/admin/categories/sembako", f({"name": "Diubah"}), 403),
        ],
        # -------- finance pages: the paid shop itself cannot act on its payout or see the run
        ("POST", "/finance/payouts/<int:payout_id>/mark-paid"): [
            (
                "shop_payee",
                f"/finance/payouts/{payout}/mark-paid",
                f({"bank_reference": "X1"}),
                403,
            ),
            ("admin", f"/finance/payouts/{payout}/mark-paid", f({"bank_reference": "X1"}), 403),
        ],
        ("POST", "/finance/payouts/<int:payout_id>/cancel"): [
            ("shop_payee", f"/finance/payouts/{payout}/cancel", f({"reason": "batal"}), 403),
            ("admin", f"/finance/payouts/{payout}/cancel", f({"reason": "batal"}), 403),
        ],
        ("POST", "/finance/payouts/<int:payout_id>/retry"): [
            ("shop_payee", f"/finance/payouts/{payout}/retry", {}, 403),
            ("admin", f"/finance/payouts/{payout}/retry", {}, 403),
        ],
        ("GET", "/finance/payouts/runs/<int:run_id>"): [
            ("shop_payee", f"/finance/payouts/runs/{run}", {}, 403),
            ("B", f"/finance/payouts/runs/{run}", {}, 403),
        ],
        ("GET", "/finance/payouts/runs/<int:run_id>/bank-file"): [
            ("shop_payee", f"/finance/payouts/runs/{run}/bank-file", {}, 403),
            ("admin", f"/finance/payouts/runs/{run}/bank-file", {}, 403),
        ],
        ("GET", "/finance/reconciliations/<int:rec_id>"): [
            ("shop_a", "/finance/reconciliations/1", {}, 403),
            ("B", "/finance/reconciliations/1", {}, 403),
        ],
        # -------- finance order pages: the buyer and the shop of the order get 403, no refund;
        # an admin reads the order but may not refund it (separation of duties)
        ("GET", "/finance/orders/<int:order_id>"): [
            ("B", f"/finance/orders/{o_paid}", {}, 403),
            ("shop_a", f"/finance/orders/{o_paid}", {}, 403),
        ],
        ("POST", "/finance/orders/<int:order_id>/refunds"): [
            ("shop_a", f"/finance/orders/{o_paid}/refunds", f({"amount": "1", "reason": "x"}), 403),
            ("B", f"/finance/orders/{o_paid}/refunds", f({"amount": "1", "reason": "x"}), 403),
            ("public", f"/finance/orders/{o_paid}/refunds", f({"amount": "1", "reason": "x"}), 403),
            ("admin", f"/finance/orders/{o_paid}/refunds", f({"amount": "1", "reason": "x"}), 403),
        ],
        ("GET", "/finance/targets/<int:year>"): [("shop_a", "/finance/targets/2026", {}, 403)],
        ("POST", "/finance/targets/<int:year>"): [
            ("shop_a", "/finance/targets/2026", f({"umk": "1"}), 403),
            ("B", "/finance/targets/2026", f({"umk": "1"}), 403),
        ],
        ("GET", "/finance/budgets/<int:year>"): [("shop_a", "/finance/budgets/2026", {}, 403)],
        ("GET", "/finance/periods/<period>"): [("shop_a", "/finance/periods/2026-01", {}, 403)],
        ("POST", "/finance/periods/<period>/close"): [
            ("shop_a", "/finance/periods/2026-01/close", f({}), 403),
            ("B", "/finance/periods/2026-01/close", f({}), 403),
        ],
        ("POST", "/finance/budgets/<int:year>"): [
            ("shop_a", "/finance/budgets/2026", f({"budget-X": "1"}), 403),
            ("B", "/finance/budgets/2026", f({"budget-X": "1"}), 403),
        ],
    }


def _caller(w: World, name: str) -> User:
    return {
        "B": w.buyer_b,
        "shop_b": w.shop_b.owner,
        "shop_a": w.shop_a.owner,
        "shop_payee": w.payout.vendor.owner,
        "finance": w.finance,
        "admin": w.admin,
        "public": None,
    }[name] or make_user("public")


# Built once from a throw-away World-free listing, so parametrize ids stay readable.
TABLE_KEYS = [
    ("GET", "/api/v1/orders/<int:order_id>"),
    ("POST", "/api/v1/orders/<int:order_id>/cancel"),
    ("POST", "/api/v1/orders/<int:order_id>/confirm-receipt"),
    ("GET", "/api/v1/orders/<int:order_id>/refunds"),
    ("GET", "/api/v1/payments/<int:payment_id>"),
    ("POST", "/api/v1/payments/<int:payment_id>/sandbox-confirm"),
    ("POST", "/api/v1/notifications/<int:notification_id>/read"),
    ("POST", "/orders/<int:order_id>/cancel"),
    ("POST", "/orders/<int:order_id>/confirm-receipt"),
    ("GET", "/payments/<int:payment_id>"),
    ("POST", "/payments/<int:payment_id>/sandbox"),
    ("POST", "/account/tokens/<int:token_id>/revoke"),
    ("DELETE", "/api/v1/me/tokens/<int:token_id>"),
    ("PUT", "/api/v1/cart/items/<int:product_id>"),
    ("DELETE", "/api/v1/cart/items/<int:product_id>"),
    ("POST", "/cart/items/<int:product_id>/quantity"),
    ("POST", "/cart/items/<int:product_id>/remove"),
    ("POST", "/cart/items/<int:product_id>"),
    ("GET", "/api/v1/products/<int:product_id>"),
    ("GET", "/products/<int:product_id>"),
    ("GET", "/shops/<int:vendor_id>"),
    ("GET", "/admin/vendors/<int:vendor_id>"),
    ("POST", "/admin/vendors/<int:vendor_id>/verify"),
    ("POST", "/admin/vendors/<int:vendor_id>/suspend"),
    ("GET", "/admin/vendors/<int:vendor_id>/class"),
    ("POST", "/admin/vendors/<int:vendor_id>/class"),
    ("POST", "/admin/categories/<slug>"),
    ("POST", "/admin/areas/unresolved/<int:reference_id>/settle"),
    ("POST", "/finance/payouts/<int:payout_id>/mark-paid"),
    ("POST", "/finance/payouts/<int:payout_id>/cancel"),
    ("POST", "/finance/payouts/<int:payout_id>/retry"),
    ("GET", "/finance/payouts/runs/<int:run_id>"),
    ("GET", "/finance/payouts/runs/<int:run_id>/bank-file"),
    ("GET", "/finance/reconciliations/<int:rec_id>"),
    ("GET", "/finance/targets/<int:year>"),
    ("POST", "/finance/targets/<int:year>"),
    ("GET", "/finance/budgets/<int:year>"),
    ("POST", "/finance/budgets/<int:year>"),
    ("GET", "/finance/periods/<period>"),
    ("POST", "/finance/periods/<period>/close"),
    ("GET", "/finance/orders/<int:order_id>"),
    ("POST", "/finance/orders/<int:order_id>/refunds"),
]


def _id_routes(app) -> set[tuple[str, str]]:
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.arguments and rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_every_route_with_an_id_is_in_the_table(app):
    missing = _id_routes(app) - set(TABLE_KEYS) - set(COVERED_ELSEWHERE)
    assert not missing, (
        f"add these routes to tests/security/test_object_access.py: {sorted(missing)}"
    )
    stale = (set(TABLE_KEYS) | set(COVERED_ELSEWHERE)) - _id_routes(app)
    assert not stale, f"routes no longer served: {sorted(stale)}"


@pytest.mark.parametrize("key", sorted(COVERED_ELSEWHERE), ids=" ".join)
def test_routes_covered_elsewhere_name_a_test_that_exists(key):
    path, needle = COVERED_ELSEWHERE[key]
    assert needle in (ROOT / path).read_text(), (key, path, needle)


def test_the_table_has_cases_for_exactly_its_keys(world):
    assert set(_cases(world)) == set(TABLE_KEYS)


@pytest.mark.parametrize("key", TABLE_KEYS, ids=" ".join)
def test_another_user_cannot_reach_or_change_the_object(api, world, key):
    for caller, url, kwargs, expected in _cases(world)[key]:
        before = _state(world)
        resp = api(_caller(world, caller))._call(key[0].lower(), url, **kwargs)
        assert resp.status_code == expected, (caller, url, resp.status_code, resp.data[:300])
        body = resp.get_data(as_text=True)
        assert SECRET not in body and "Beras Rahasia A" not in body, (caller, url)
        assert _state(world) == before, (caller, url)


# ================================================================= mass assignment
def test_a_product_patch_cannot_move_it_to_another_shop_or_set_its_stock(api, world):
    client = api(world.shop_a.owner)
    before = _state(world)
    for field, value in (
        ("vendor_id", world.shop_b.id),
        ("stock", 9999),
        ("id", 1),
        ("image_path", "../../etc/passwd"),
    ):
        resp = client.patch(f"/api/v1/vendor/products/{world.product.id}", json={field: value})
        assert resp.status_code == 422, (field, resp.data[:300])
    assert _state(world) == before


def test_a_new_product_is_always_in_the_callers_own_shop(api, world):
    resp = api(world.shop_b.owner).post(
        "/api/v1/vendor/products",
        json={
            "name": "Gula",
            "category": "sembako",
            "unit": "kg",
            "price": 1000,
            "stock": 1,
            "vendor_id": world.shop_a.id,
        },
    )
    assert resp.status_code == 422
    assert db.session.scalar(select(Product).where(Product.name == "Gula")) is None


def test_the_product_form_ignores_a_vendor_id_field(api, world):
    resp = api(world.shop_b.owner)._call(
        "post",
        "/shop/products/new",
        data={
            "name": "Gula Pasir",
            "category": "sembako",
            "unit": "kg",
            "price": "1000",
            "stock": "1",
            "vendor_id": str(world.shop_a.id),
        },
    )
    assert resp.status_code == 302, resp.data[:300]
    made = db.session.scalar(select(Product).where(Product.name == "Gula Pasir"))
    assert made.vendor_id == world.shop_b.id


@pytest.mark.parametrize(
    "field, value",
    [
        ("status", "verified"),
        ("umk_class", "micro"),
        ("owner_id", 1),
        ("nib", "9999999999999"),
        ("id", 1),
    ],
)
def test_a_shop_cannot_set_what_the_city_decides(api, world, field, value):
    pending = world.pending_shop
    resp = api(pending.owner).patch("/api/v1/vendor/shop", json={field: value})
    assert resp.status_code == 422, resp.data[:300]
    db.session.expire_all()
    assert db.session.get(Vendor, pending.id).status == "pending"


def test_the_shop_profile_form_ignores_status_and_owner(api, world):
    pending = world.pending_shop
    resp = api(pending.owner)._call(
        "post",
        "/shop/profile",
        data={
            "name": "Toko Menunggu",
            "status": "verified",
            "owner_id": str(world.admin.id),
            "umk_class": "medium",
        },
    )
    assert resp.status_code in (302, 422), resp.data[:300]
    db.session.expire_all()
    shop = db.session.get(Vendor, pending.id)
    assert (shop.status, shop.owner_id) == ("pending", pending.owner.id)


def test_signing_up_cannot_choose_a_role(api, client, app):
    resp = api().post(
        "/api/v1/auth/register",
        json={
            "email": "naik@test.peken.id",
            "password": "kata-sandi-panjang-sekali",
            "name": "Naik",
            "role": "admin",
        },
    )
    assert resp.status_code == 422
    client.post(
        "/register",
        data={
            "email": "naik2@test.peken.id",
            "name": "Naik",
            "password": "kata-sandi-panjang-sekali",
            "password_confirm": "kata-sandi-panjang-sekali",
            "role": "admin",
        },
    )
    user = db.session.scalar(select(User).where(User.email == "naik2@test.peken.id"))
    assert user is not None and user.role == "public"


def test_a_shop_application_cannot_verify_itself(api, app):
    applicant = make_user("public")
    db.session.commit()
    body = {
        "shop_name": "Toko Baru",
        "type": "kelontong",
        "nib": "1234567890123",
        "pkp": False,
        "kelurahan": "Gubeng",
        "kecamatan": "Gubeng",
        "address": "Jl. Baru 1",
        "made_in_city": True,
    }
    assert (
        api(applicant)
        .post("/api/v1/vendor-applications", json={**body, "status": "verified"})
        .status_code
        == 422
    )
    api(applicant)._call(
        "post",
        "/shop/apply",
        data={**{k: str(v) for k, v in body.items()}, "made_in_city": "yes", "status": "verified"},
    )
    db.session.expire_all()
    shop = db.session.scalar(select(Vendor).where(Vendor.owner_id == applicant.id))
    assert shop is None or shop.status == "pending"


@pytest.mark.parametrize(
    "url, body",
    [
        ("/api/v1/cart/items/{p}", {"quantity": 1, "price": 1}),
        ("/api/v1/cart/items/{p}", {"quantity": 1, "unit_price": 1}),
        ("/api/v1/cart/items/{p}", {"quantity": 1, "user_id": "{a}"}),
    ],
)
def test_a_cart_line_cannot_set_its_price_or_owner(api, world, url, body):
    body = {
        k: (int(v.format(a=world.buyer_a.id)) if isinstance(v, str) else v) for k, v in body.items()
    }
    before = _state(world)
    resp = api(world.buyer_b).put(url.format(p=world.product.id), json=body)
    assert resp.status_code == 422, resp.data[:300]
    assert _state(world) == before


@pytest.mark.parametrize(
    "extra", [{"buyer_id": "a"}, {"total": 1}, {"status": "paid"}, {"amount": 1}]
)
def test_a_checkout_cannot_set_its_buyer_total_or_status(api, world, extra):
    extra = {k: (world.buyer_a.id if v == "a" else v) for k, v in extra.items()}
    client = api(world.buyer_b)
    client.put(f"/api/v1/cart/items/{world.product.id}", json={"quantity": 1})
    before = _state(world)
    resp = client.post(
        "/api/v1/checkout",
        headers={"Idempotency-Key": uuid.uuid4().hex},
        json={"fulfilment": "pickup", "payment_method": "sandbox", **extra},
    )
    assert resp.status_code == 422, resp.data[:300]
    assert _state(world) == before


def test_a_sandbox_confirmation_cannot_set_the_amount(api, world):
    before = _state(world)
    resp = api(world.buyer_a).post(
        f"/api/v1/payments/{world.payment.id}/sandbox-confirm",
        json={"outcome": "succeeded", "amount": 1},
    )
    assert resp.status_code == 422
    assert _state(world) == before


def test_a_stock_adjustment_on_another_shops_product_via_import_sku_is_refused(api, world):
    """Importing a CSV whose SKU matches another shop's product creates the caller's own
    product; the other shop's product is untouched."""
    world.product.sku = "SKU-A"
    db.session.commit()
    before = _state(world)
    csv_text = (
        "sku,name,description,category,unit,price,stock,is_active,is_local_product,"
        "is_pdn,vat_exempt,low_stock_threshold\n"
        "SKU-A,Diambil alih,,sembako,kg,1,999,ya,tidak,tidak,tidak,1\n"
    )
    resp = api(world.shop_b.owner)._call(
        "post",
        "/api/v1/vendor/products/import",
        data={"file": (io.BytesIO(csv_text.encode()), "p.csv")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 200, resp.data[:300]
    after = _state(world)
    theirs = [r for r in after["products"] if r[0] == world.product.id]
    assert theirs == [r for r in before["products"] if r[0] == world.product.id]
