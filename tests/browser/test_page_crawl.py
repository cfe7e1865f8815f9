"""Every page, as each kind of user meets it on a phone (SPEC §5).

The demo data (plus a pending payment, a cancelled and a paid order, a cart line, a payout run and a
reconciliation) makes list pages non-empty and gives each role objects of its own. For each role,
Chromium signs in through /login and visits every GET page the app serves that the role may use,
checking: no server error, no 404 on the role's own objects, no horizontal scrolling at 390px,
`<html lang="id">`, a title, and no "None"/"RpNone"/traceback where a value belongs. Then the role
switches to English once and a few pages must answer in English.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from tests.conftest import _clean

PHONE = 390
# Paths no page crawl visits: the API, files, the language switch and the health probe.
SKIP_PREFIXES = ("/api/", "/static", "/uploads", "/language", "/healthz")

ANON, CS, PUBLIC, VENDOR, FINANCE, ADMIN = (
    "anonymous",
    "civil_servant",
    "public",
    "vendor",
    "finance",
    "admin",
)
ROLES = [ANON, CS, PUBLIC, VENDOR, FINANCE, ADMIN]
USERS = {CS, PUBLIC, VENDOR, FINANCE, ADMIN}
EVERYONE = {ANON, *USERS}
BUYERS = {CS, PUBLIC}
MONEY = {FINANCE, ADMIN}

# Every GET page rule and who may use it. A new page fails
# test_every_page_rule_is_in_the_crawl_map until it is listed here (and so crawled).
ACCESS: dict[str, set[str]] = {
    "/": EVERYONE,
    "/products": EVERYONE,
    "/products/<int:product_id>": EVERYONE,
    "/shops/<int:vendor_id>": EVERYONE,
    "/login": {ANON},
    "/register": {ANON},
    "/password/forgot": {ANON},
    "/password/reset/<token>": {ANON},
    "/logout": USERS,
    "/account": USERS,
    "/account/tokens": USERS,
    "/notifications": USERS,
    "/cart": BUYERS,
    "/checkout": BUYERS,
    "/orders": BUYERS,
    "/orders/<int:order_id>": BUYERS,
    "/payments/<int:payment_id>": BUYERS,
    "/mandate": {CS},
    "/shop/apply": {PUBLIC, VENDOR},
    "/shop": {VENDOR},
    "/shop/profile": {VENDOR},
    "/shop/products": {VENDOR},
    "/shop/products/new": {VENDOR},
    "/shop/products/import": {VENDOR},
    "/shop/products/<int:product_id>/edit": {VENDOR},
    "/shop/products/<int:product_id>/stock": {VENDOR},
    "/shop/orders": {VENDOR},
    "/shop/orders/<int:order_id>/slip": {VENDOR},
    "/shop/pick-list": {VENDOR},
    "/shop/sales": {VENDOR},
    "/shop/payouts": {VENDOR},
    "/shop/business-class": {VENDOR},
    "/business-class/declarations/<int:declaration_id>/document": {VENDOR, ADMIN},
    "/finance": MONEY,
    "/finance/audit": MONEY,
    "/finance/compliance": MONEY,
    "/finance/ledger": MONEY,
    "/finance/watch": MONEY,
    "/finance/targets/<int:year>": MONEY,
    "/finance/budgets/<int:year>": MONEY,
    "/finance/periods": MONEY,
    "/finance/periods/<period>": MONEY,
    "/finance/payouts": MONEY,
    "/finance/payouts/runs/<int:run_id>": MONEY,
    "/finance/payouts/runs/<int:run_id>/bank-file": {FINANCE},
    "/finance/reconciliations": MONEY,
    "/finance/reconciliations/<int:rec_id>": MONEY,
    "/finance/orders": MONEY,
    "/finance/orders/<int:order_id>": MONEY,
    # the nota retur: also the shop's, but the crawled shop need not be PKP (the shop's view is
    # tested in tests/ordering/test_credit_notes.py)
    "/refunds/<int:refund_id>/nota-retur": {CS, *MONEY},
    "/refunds/<int:refund_id>/nota-retur.pdf": {CS, *MONEY},
    "/admin": {ADMIN},
    "/admin/categories": {ADMIN},
    "/admin/civil-servants/import": {ADMIN},
    "/admin/city": {ADMIN},
    "/admin/mandate-rules": {ADMIN},
    "/admin/mandate/positions": {ADMIN},
    "/admin/product-flags": {ADMIN},
    "/admin/business-class": {ADMIN},
    "/admin/vendors": {ADMIN},
    "/admin/vendors/<int:vendor_id>": {ADMIN},
    "/admin/vendors/<int:vendor_id>/class": {ADMIN},
    "/admin/areas/unresolved": {ADMIN},
    # an office's purchasing: the crawled civil servant is its officer and a PPK (procurement)
    "/opd": {CS},
    "/opd/cart": {CS},
    "/opd/requests/<int:request_id>": {CS},
    # the SPJ bundle of a request: any role of its office
    "/opd/requests/<int:request_id>/spj.pdf": {CS},
    "/opd/requests/<int:request_id>/spj.zip": {CS},
    # an office's BAST: its office and the order's shop (the crawled shop delivered it)
    "/opd/bast/<int:bast_id>": {CS, VENDOR},
    "/opd/bast/<int:bast_id>.pdf": {CS, VENDOR},
    "/opd/bast/<int:bast_id>/scan": {CS, VENDOR},
    "/opd/orders/<int:order_id>/bast": {CS, VENDOR},
    "/admin/opds": {ADMIN},
    "/admin/opds/<code>/roles": {ADMIN},
    # the treasurer's side: the crawled civil servant is also its office's treasurer and paid an
    # order of the crawled shop; the office and that shop open its documents
    "/opd/taxes": {CS},
    **{
        key: {CS, VENDOR}
        for key in (
            "/opd/orders/<int:order_id>/invoice",
            "/opd/orders/<int:order_id>/invoice.pdf",
            "/opd/orders/<int:order_id>/kwitansi",
            "/opd/orders/<int:order_id>/kwitansi.pdf",
            "/opd/orders/<int:order_id>/bukti-potong",
            "/opd/orders/<int:order_id>/bukti-potong.pdf",
        )
    },
    # the roster's leavers, exemptions and the month-end lists (issue 13): the crawled civil
    # servant also heads their office; finance and the admin read the month end like BKPSDM
    "/admin/civil-servants": {ADMIN},
    "/admin/civil-servants/roster-complete": {ADMIN},
    "/admin/mandate-readers": {ADMIN},
    "/mandate/exemptions": {CS, ADMIN},
    "/mandate/month-end": MONEY,
    "/mandate/month-end/<period>": MONEY,
    "/mandate/office": {CS},
    "/mandate/office/<period>": {CS},
}
OFFICE_DOCUMENTS = [
    rule for rule in ACCESS if rule.startswith("/opd/orders/") and "/bast" not in rule
]
# Signed-in users may still open these (the login form sends them on, the shop application page
# explains that only public accounts can apply).
OPEN_TO_SIGNED_IN = {"/login", "/register", "/password/forgot", "/shop/apply"}
DOWNLOADS = {
    "/finance/payouts/runs/<int:run_id>/bank-file",
    "/business-class/declarations/<int:declaration_id>/document",
    "/refunds/<int:refund_id>/nota-retur.pdf",
    "/opd/bast/<int:bast_id>.pdf",
    "/opd/bast/<int:bast_id>/scan",
    "/opd/orders/<int:order_id>/invoice.pdf",
    "/opd/orders/<int:order_id>/kwitansi.pdf",
    "/opd/orders/<int:order_id>/bukti-potong.pdf",
    "/opd/requests/<int:request_id>/spj.pdf",
    "/opd/requests/<int:request_id>/spj.zip",
}

# A few pages per role re-visited in English.
ENGLISH = {
    ANON: ["/", "/products", "/login"],
    CS: ["/", "/orders", "/mandate", "/cart"],
    PUBLIC: ["/", "/orders", "/account", "/account/tokens"],
    VENDOR: ["/shop", "/shop/orders", "/shop/products"],
    FINANCE: ["/finance", "/finance/payouts", "/finance/ledger"],
    ADMIN: ["/admin", "/admin/vendors", "/finance/compliance"],
}
INDONESIAN_NAV = ("Keranjang", "Keluar", "Belanja", "Masuk")
# List pages the world fills: they must list something, not show their empty state.
FILLED = {
    "/orders",
    "/cart",
    "/notifications",
    "/shop/orders",
    "/shop/products",
    "/shop/payouts",
    "/finance/payouts",
    "/finance/reconciliations",
    "/finance/orders",
    "/finance/ledger",
    "/finance/audit",
    "/admin/vendors",
    "/products",
    "/mandate",
    "/opd",
    "/opd/cart",
}

# Admins read the finance pages but never move money (separation of duties): no form of theirs
# posts a refund, a payout run or settlement, or a reconciliation, and no bank file is offered.
MONEY_FORMS = re.compile(
    r"^/finance/(orders/\d+/refunds|payouts/run|payouts/\d+/(mark-paid|cancel|retry)"
    r"|reconciliations)$"
)
MONEY_LINKS = re.compile(r"/bank-file$")
LEAKS = re.compile(r"Traceback|jinja2|Undefined|RpNone|Rp-|\bNone\b|\bnan\b|\{\{|\{%")

FIXTURE = (
    Path(__file__).resolve().parent.parent
    / "finance"
    / "fixtures"
    / "stripe_balance_transactions.csv"
)
DEMO_PASSWORD = "peken-demo-2026"


def _page_rules(app) -> list[str]:
    return sorted(
        {
            r.rule
            for r in app.url_map.iter_rules()
            if "GET" in r.methods and not r.rule.startswith(SKIP_PREFIXES)
        }
    )


def test_every_page_rule_is_in_the_crawl_map(_app):
    assert set(_page_rules(_app)) == set(ACCESS)


# ------------------------------------------------------------------------------ the world
def _build_world(app) -> dict:
    """Demo data plus the objects the demo leaves out; returns logins and ids by role."""
    from marketplace.accounts.models import User
    from marketplace.accounts.services import password_reset_token
    from marketplace.catalog.models import Product
    from marketplace.demo import seed_demo
    from marketplace.finance.reconciliation import reconcile_csv
    from marketplace.notifications.services import notify
    from marketplace.ordering.cart import add_to_cart
    from marketplace.ordering.checkout import place_checkout
    from marketplace.ordering.lifecycle import cancel_order
    from marketplace.ordering.models import Checkout, Order
    from marketplace.ordering.refunds import refund_order
    from marketplace.payments.models import Payment
    from marketplace.payments.services import confirm_sandbox_payment
    from marketplace.payouts import services as payouts
    from marketplace.shops.models import Vendor
    from marketplace.timeutil import current_period

    seed_demo()

    def user(email: str) -> User:
        return db.session.scalar(select(User).where(User.email == email))

    asn, warga = user("asn1@demo.peken.id"), user("warga1@demo.peken.id")
    finance, admin = user("finance@demo.peken.id"), user("admin@demo.peken.id")
    # the shop with the most demo orders, so its order pages show several statuses
    counts = db.session.execute(
        select(Order.vendor_id, db.func.count())
        .group_by(Order.vendor_id)
        .order_by(db.func.count().desc(), Order.vendor_id)
    ).all()
    shop = db.session.get(Vendor, counts[0][0])
    products = db.session.scalars(
        select(Product)
        .where(Product.vendor_id == shop.id, Product.is_active, Product.stock >= 10)
        .order_by(Product.id)
    ).all()

    def buy(key: str, pay: bool) -> Checkout:
        add_to_cart(asn, products[0].id, 1)
        checkout = place_checkout(asn, key, {"fulfilment": "pickup", "payment_method": "sandbox"})
        if pay:
            payment = db.session.scalar(select(Payment).where(Payment.checkout_id == checkout.id))
            confirm_sandbox_payment(asn, payment.id, "succeeded")
        return checkout

    buy("crawl-paid", pay=True)  # waits for the shop
    cancelled = buy("crawl-cancelled", pay=True)
    cancel_order(asn, cancelled.orders[0].id)  # refunded
    buy("crawl-unpaid", pay=False)  # pending payment
    # a refund of one line of a PKP shop's sale, so the nota retur has something to show
    pkp_product = db.session.scalar(
        select(Product)
        .join(Vendor)
        .where(Vendor.pkp, Vendor.status == "verified", Product.is_active, Product.stock >= 10)
        .order_by(Product.id)
    )
    add_to_cart(asn, pkp_product.id, 2)
    pkp_checkout = place_checkout(
        asn, "crawl-pkp", {"fulfilment": "pickup", "payment_method": "sandbox"}
    )
    pkp_payment = db.session.scalar(select(Payment).where(Payment.checkout_id == pkp_checkout.id))
    confirm_sandbox_payment(asn, pkp_payment.id, "succeeded")
    pkp_line = pkp_checkout.orders[0].lines[0]
    credit_note = refund_order(
        finance,
        pkp_line.order_id,
        None,
        "Satu rusak (penjelajahan)",
        lines=[{"order_line_id": pkp_line.id, "quantity": 1}],
    )
    add_to_cart(asn, products[-1].id, 2)  # a cart to check out
    add_to_cart(warga, products[0].id, 1)

    # one paid-to shop without a bank account, so the run both pays shops and flags one
    payable = db.session.scalars(
        select(Vendor)
        .join(Order, Order.vendor_id == Vendor.id)
        .where(Order.status == "completed", Vendor.id != shop.id)
        .order_by(Vendor.id.desc())
    ).first()
    payable.bank_account_number = None
    db.session.commit()
    run = payouts.run_payouts(finance)
    ours = [p for p in run.payouts if p.vendor_id == shop.id]
    assert ours and len(run.payouts) > 1 and run.flagged, (
        "the run should pay the crawled shop and flag one"
    )
    payouts.mark_payout_paid(finance, ours[0].id, "TRF-CRAWL-0001")
    for someone in (
        asn,
        warga,
        finance,
        admin,
    ):  # buyers and staff get no notification of their own yet
        notify(
            someone,
            "info",
            "Uji halaman",
            "Pemberitahuan contoh untuk penjelajahan halaman.",
            url="/",
            email=False,
        )
    rec = reconcile_csv(finance, FIXTURE.read_bytes(), "stripe.csv")
    reset = password_reset_token(warga)
    # a claim waiting for the city, so the review queue and the product form show their states
    from marketplace.shops.flag_reviews import claim_flags

    claim_flags(shop.owner, products[-1], {"is_pdn": True, "tkdn_bps": 4356, "vat_exempt": True})
    db.session.commit()
    # a business-class declaration with its evidence, waiting for the city
    import io

    from werkzeug.datastructures import FileStorage

    from marketplace.shops.business_class import submit_declaration

    declaration = submit_declaration(
        shop.owner,
        {
            "basis": "sales",
            "amount": 1_500_000_000,
            "year": int(current_period()[:4]) - 1,
            "source": "spt",
        },
        FileStorage(io.BytesIO(b"%PDF-1.4\n%%EOF\n"), filename="spt.pdf"),
    )
    # last month closed by finance, so its snapshot page has something to show
    from marketplace.finance.closing import close_period
    from marketplace.timeutil import previous_period

    closed_month = close_period(finance, previous_period(current_period())).period

    # the civil servant buys for their office: a submitted request and a cart being filled
    from marketplace.catalog.models import Category
    from marketplace.procurement import requests as office_requests
    from marketplace.procurement.roles import assign_role

    for role in ("officer", "ppk", "head"):
        assign_role(admin, asn.opd.code, {"user_id": asn.id, "role": role})
    sembako = db.session.scalars(
        select(Product)
        .join(Category)
        .join(Vendor, Vendor.id == Product.vendor_id)
        .where(
            Category.slug == "sembako",
            Vendor.status == "verified",
            Product.is_active,
            Product.stock >= 10,
        )
        .order_by(Product.id)
    ).all()
    office_requests.set_cart_item(asn, sembako[0].id, 2)
    office_requests.update_cart(
        asn,
        {"budget_line": "5.1.02.01.01.0024", "activity": "Rapat koordinasi", "purpose": "Konsumsi"},
    )
    office_request = office_requests.submit_request(asn)
    # a second purchase from the crawled shop, approved by another PPK of the office, delivered
    # and received with a BAST whose signed scan is uploaded
    from marketplace.ordering.lifecycle import accept_order, record_delivery
    from marketplace.procurement import bast as office_bast
    from marketplace.timeutil import today_local
    from tests.factories import make_civil_servant

    second_ppk = make_civil_servant(opd=asn.opd, name="PPK Ketiga")
    assign_role(admin, asn.opd.code, {"user_id": second_ppk.id, "role": "ppk"})
    allowed = office_requests.allowed_categories()
    bast_product = next(
        p for p in products if p.category and (not allowed or p.category.slug in allowed)
    )
    office_requests.set_cart_item(asn, bast_product.id, 1)
    office_requests.update_cart(
        asn,
        {"budget_line": "5.1.02.01.01.0024", "activity": "Rapat staf", "purpose": "Konsumsi"},
    )
    received_request = office_requests.approve_request(
        second_ppk, office_requests.submit_request(asn).id
    )
    received_order = db.session.scalar(
        select(Order).where(Order.checkout_id == received_request.checkout_id)
    )
    accept_order(shop.owner, received_order.id)
    record_delivery(
        shop.owner, received_order.id, delivered_on=today_local(), received_by="Penerima Kantor"
    )
    bast = office_bast.create_bast(asn, received_order.id, {"note": "Lengkap"})
    office_bast.upload_scan(
        asn, bast.id, FileStorage(io.BytesIO(b"%PDF-1.4\n%%EOF\n"), filename="bast.pdf")
    )
    bast_ids = {
        "bast_id": [bast.id],
        "/opd/orders/<int:order_id>/bast": [received_order.id],
    }
    paid_request, office_order = _paid_office_order(app, admin, asn, shop, products[1])
    office_requests.set_cart_item(asn, sembako[-1].id, 1)

    def buyer_ids(buyer: User) -> dict[str, list[int]]:
        orders = db.session.scalars(
            select(Order)
            .where(Order.buyer_id == buyer.id, Order.payment_terms == "prepaid")
            .order_by(Order.id)
        ).all()  # an office's orders on invoice are the office's pages, not the buyer's
        checkout_ids = {o.checkout_id for o in orders}
        pay_ids = db.session.scalars(
            select(Payment.id).where(Payment.checkout_id.in_(checkout_ids)).order_by(Payment.id)
        ).all()
        return {"order_id": [o.id for o in orders], "payment_id": list(pay_ids)}

    any_product = products[0].id
    vendors = db.session.scalars(select(Vendor).order_by(Vendor.id)).all()
    by_status = {v.status: v.id for v in vendors}
    shop_orders = dict(
        db.session.execute(
            select(Order.status, Order.id).where(Order.vendor_id == shop.id).order_by(Order.id)
        ).all()
    )  # one order per status
    shop_products = [p.id for p in products[:2]]
    public = {"product_id": [any_product], "vendor_id": [shop.id]}
    # finance opens a paid, a cancelled (refunded), an unpaid and a completed order
    finance_orders = sorted(
        {
            *buyer_ids(asn)["order_id"],
            *db.session.scalars(
                select(Order.id).where(Order.status == "completed").order_by(Order.id).limit(1)
            ),
        }
    )
    money = {
        "run_id": [run.id],
        "rec_id": [rec.id],
        "year": [int(current_period()[:4])],
        "order_id": finance_orders,
        "refund_id": [credit_note.id],
        "period": [closed_month],
    }
    world = {
        ANON: {"email": None, "ids": {**public, "token": [reset]}},
        CS: {
            "email": asn.email,
            "ids": {
                **public,
                **buyer_ids(asn),
                "refund_id": [credit_note.id],
                "request_id": [office_request.id, received_request.id, paid_request.id],
                **{key: [office_order.id] for key in OFFICE_DOCUMENTS},
                **bast_ids,
                "period": [closed_month],
            },
        },
        PUBLIC: {"email": warga.email, "ids": {**public, **buyer_ids(warga)}},
        VENDOR: {
            "email": shop.owner.email,
            "ids": {
                "product_id": shop_products,
                "vendor_id": [shop.id],
                "order_id": sorted(shop_orders.values()),
                "declaration_id": [declaration.id],
                **{key: [office_order.id] for key in OFFICE_DOCUMENTS},
                **bast_ids,
            },
        },
        FINANCE: {"email": finance.email, "ids": {**public, **money}},
        ADMIN: {
            "email": admin.email,
            "ids": {
                **public,
                **money,
                "declaration_id": [declaration.id],
                "code": [asn.opd.code],
                **{  # a pending, verified and suspended shop
                    rule: sorted(set(by_status.values()))
                    for rule in (
                        "/admin/vendors/<int:vendor_id>",
                        "/admin/vendors/<int:vendor_id>/class",
                    )
                },
            },
        },
    }
    db.session.commit()
    return world


def _paid_office_order(app, admin, asn, shop, product):
    """An office purchase from the crawled shop, approved by another PPK of the office, handed
    over and paid by the crawled civil servant as its treasurer, with PPh 22 withheld (the
    platform regime withholds on any amount), so its invoice, kwitansi and bukti potong exist."""
    from marketplace.ordering.lifecycle import accept_order, record_delivery
    from marketplace.ordering.models import Order
    from marketplace.procurement import bast as office_bast
    from marketplace.procurement import payments as office_payments
    from marketplace.procurement import requests as office_requests
    from marketplace.procurement.roles import assign_role
    from marketplace.timeutil import today_local
    from tests.factories import make_civil_servant

    assign_role(admin, asn.opd.code, {"user_id": asn.id, "role": "treasurer"})
    ppk = make_civil_servant(opd=asn.opd, name="PPK Kedua")
    assign_role(admin, asn.opd.code, {"user_id": ppk.id, "role": "ppk"})
    saved = {k: app.config[k] for k in ("OPD_ALLOWED_CATEGORIES", "OPD_TAX_REGIME")}
    app.config.update(OPD_ALLOWED_CATEGORIES="", OPD_TAX_REGIME="platform")
    try:
        office_requests.set_cart_item(asn, product.id, 1)
        office_requests.update_cart(
            asn,
            {"budget_line": "5.1.02.01.01.0024", "activity": "Rapat", "purpose": "Konsumsi"},
        )
        request = office_requests.submit_request(asn)
        office_requests.approve_request(ppk, request.id)
        order = db.session.scalars(
            select(Order).where(Order.checkout_id == request.checkout_id)
        ).one()
        accept_order(shop.owner, order.id)
        record_delivery(shop.owner, order.id, delivered_on=today_local(), received_by="Staf")
        office_bast.create_bast(asn, order.id, {"note": "Lengkap"})
        office_payments.pay_orders(
            asn,
            request.id,
            {"method": "sp2d", "reference": "001/SP2D/CRAWL", "paid_on": today_local()},
        )
    finally:
        app.config.update(saved)
    return request, order


@pytest.fixture(scope="module")
def world(_app):
    with _app.app_context():
        data = _build_world(_app)
        db.session.remove()
    yield data
    _clean(_app)


# ------------------------------------------------------------------------------ the crawl
def _urls(rule: str, ids: dict[str, list]) -> list[str]:
    """The rule with its parameter filled with each of the role's objects (`ids` by rule, else by
    parameter name)."""
    params = re.findall(r"<(?:\w+:)?(\w+)>", rule)
    if not params:
        return [rule]
    assert len(params) == 1, rule
    values = ids.get(rule) or ids.get(params[0])
    assert values, f"no {params[0]} to fill {rule}"
    return [re.sub(r"<(?:\w+:)?\w+>", str(v), rule) for v in values]


def _problems(page, url: str, status: int, lang: str = "id") -> list[str]:
    found = []
    if status >= 500:
        found.append(f"status {status}")
    elif status >= 400:
        found.append(f"status {status} on a page this role may use")
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE + 1:
        wide = page.evaluate(
            """(limit) => [...document.querySelectorAll('body *')]
                 .filter(e => e.getBoundingClientRect().right > limit + 1)
                 .filter(e => !e.closest('.table-wrap, pre'))
                 .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))""",
            PHONE,
        )
        found.append(f"scrollWidth {width} > {PHONE} ({', '.join(wide)})")
    got_lang = page.evaluate("document.documentElement.lang")
    if got_lang != lang:
        found.append(f'<html lang="{got_lang}">')
    if not page.title().strip():
        found.append("empty <title>")
    text = page.inner_text("body")
    for match in LEAKS.finditer(text):
        around = text[max(0, match.start() - 30) : match.end() + 30].replace("\n", " ")
        found.append(f"{match.group(0)!r} printed: …{around}…")
        break
    filled = page.evaluate("""() => [...document.querySelectorAll('input, textarea, select')]
        .filter(e => /^(None|nan|undefined)$/.test(e.value)).map(e => e.name || e.id)""")
    if filled:
        found.append(f"form fields pre-filled with None: {filled}")
    return found


def _money_actions(page) -> list[str]:
    """Forms that would move money, and bank-file links, on the page."""
    forms, links = page.evaluate("""() => [
        [...document.querySelectorAll('form')]
          .filter(f => (f.getAttribute('method') || 'get').toLowerCase() === 'post')
          .map(f => new URL(f.action, location.href).pathname),
        [...document.querySelectorAll('a[href]')].map(a => new URL(a.href).pathname)]""")
    return [f"offers a money-moving form {a}" for a in forms if MONEY_FORMS.search(a)] + [
        f"links to a bank file {a}" for a in links if MONEY_LINKS.search(a)
    ]


def _login(page, live_server, email: str) -> None:
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("[data-testid=login-form] button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url, f"{email} could not sign in"


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_the_role_works_on_a_phone_in_both_languages(
    role, world, page, live_server, _app
):
    me = world[role]
    if me["email"]:
        _login(page, live_server, me["email"])
    visited, refused, problems = [], [], []
    for rule in _page_rules(_app):
        if role not in ACCESS.get(rule, set()):
            continue
        for path in _urls(rule, me["ids"]):
            visited.append(path)
            if rule in DOWNLOADS:
                resp = page.request.get(f"{live_server}{path}")
                if resp.status != 200 or "html" in resp.headers.get("content-type", ""):
                    problems.append(
                        f"{path}: download answered {resp.status} {resp.headers.get('content-type')}"
                    )
                continue
            resp = page.goto(f"{live_server}{path}")
            status = resp.status if resp else 0
            problems += [f"{path}: {p}" for p in _problems(page, path, status)]
            if role == ADMIN:
                problems += [f"{path}: {p}" for p in _money_actions(page)]
            if path in FILLED and page.locator("main > .empty, main > section > .empty").count():
                problems.append(f"{path}: shows its empty state although the world has rows for it")
            if me["email"] and "/login" in page.url and path != "/login":
                problems.append(f"{path}: sent back to /login")

    # pages of other roles: refused with a clear page (or the login form), never a server error
    for rule in _page_rules(_app):
        if role in ACCESS[rule] or "<" in rule or rule in ("/logout",):
            continue
        resp = page.goto(f"{live_server}{rule}")
        status = resp.status if resp else 0
        landed = page.url.removeprefix(live_server)
        refused.append(f"{rule}→{status}{'' if landed == rule else ' ' + landed}")
        if not me["email"]:
            if landed != f"/login?next={rule}":
                problems.append(
                    f"{rule}: anonymous visitor not sent to the login form ({status} at {landed})"
                )
        elif rule not in OPEN_TO_SIGNED_IN and (
            status != 403 or "Tidak diizinkan" not in page.inner_text("main")
        ):
            problems.append(
                f"{rule}: another role's page answered {status} at {landed}, not a clear 403"
            )
        problems += [f"{rule} (refused): {p}" for p in _problems(page, rule, 200)]
    print(f"{role}: refused {' '.join(refused)}")

    # once in English, the same kind of pages answer in English
    page.goto(f"{live_server}/language/en")  # a GET only shows the switch: it stores nothing
    page.click("[data-testid=use-language]")  # the POST (with its CSRF token) switches
    for path in ENGLISH[role]:
        resp = page.goto(f"{live_server}{path}")
        problems += [
            f"[en] {path}: {p}"
            for p in _problems(page, path, resp.status if resp else 0, lang="en")
        ]
        nav = page.inner_text("header")
        still = [w for w in INDONESIAN_NAV if re.search(rf"\b{w}\b", nav)]
        if still:
            problems.append(f"[en] {path}: Indonesian nav words {still}")

    print(f"{role}: crawled {len(visited)} pages: {' '.join(visited)}")
    assert len(visited) >= 5
    assert not problems, f"{role}:\n  " + "\n  ".join(problems)


def test_the_phone_menu_opens_by_tap_and_by_keyboard(page, live_server):
    page.goto(f"{live_server}/")
    login_link = page.get_by_test_id("nav-login")
    assert not login_link.is_visible()  # folded away on a phone
    page.click("label.nav-toggle-label")
    assert login_link.is_visible()
    page.goto(f"{live_server}/products")
    assert not login_link.is_visible()
    page.keyboard.press("Tab")  # the brand link
    page.keyboard.press("Tab")  # the menu toggle
    assert page.evaluate("document.activeElement.id") == "nav-toggle"
    page.keyboard.press("Space")
    assert login_link.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE + 1
