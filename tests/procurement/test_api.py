"""The office purchasing API: roles, access, the cart, submission limits, the PPK's decision
and the orders placed on invoice at approval."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from marketplace.audit.models import AuditLog
from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.ledger.models import JournalEntry, SpendingRecord
from marketplace.models_base import utcnow
from marketplace.notifications.models import Notification
from marketplace.ordering.lifecycle import expire_due_orders
from marketplace.ordering.models import Order
from marketplace.payments.models import Payment
from marketplace.procurement.models import OfficeRole, PurchaseRequest
from marketplace.timeutil import to_local
from tests.factories import make_civil_servant, make_user
from tests.procurement.conftest import BUDGET_LINE, fill_cart, give, submitted


def _stock(product) -> int:
    return db.session.scalar(select(Product.stock).where(Product.id == product.id))


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# ---------------------------------------------------------------- roles
def test_admin_gives_and_takes_back_a_role_audited(api, office):
    admin = make_user("admin")
    staff = make_civil_servant(opd=office.opd, name="Dewi Baru")
    db.session.commit()
    resp = api(admin).post(
        "/api/v1/admin/opds/dinkop/roles", json={"email": staff.email, "role": "ppk"}
    )
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert (body["opd"], body["user_id"], body["role"]) == ("DINKOP", staff.id, "ppk")
    listed = api(admin).get("/api/v1/admin/opds/DINKOP/roles").get_json()
    assert {(r["name"], r["role"]) for r in listed} >= {("Dewi Baru", "ppk"), ("Budi PPK", "ppk")}
    again = api(admin).post(
        "/api/v1/admin/opds/DINKOP/roles", json={"user_id": staff.id, "role": "ppk"}
    )
    assert again.status_code == 409
    gone = api(admin).delete(f"/api/v1/admin/opds/DINKOP/roles/{body['id']}")
    assert gone.status_code == 204
    assert _count(OfficeRole, OfficeRole.id == body["id"]) == 0
    actions = db.session.scalars(
        select(AuditLog.action).where(AuditLog.target_type == "office_role").order_by(AuditLog.id)
    ).all()
    assert actions == ["procurement.role_assign", "procurement.role_remove"]


def test_a_role_of_another_office_cannot_be_removed_through_this_one(api, office):
    admin = make_user("admin")
    db.session.commit()
    role = db.session.scalar(select(OfficeRole).where(OfficeRole.user_id == office.ppk.id))
    assert api(admin).delete(f"/api/v1/admin/opds/DINKES/roles/{role.id}").status_code == 404
    assert db.session.get(OfficeRole, role.id) is not None


def test_only_civil_servants_of_the_office_may_hold_its_roles(api, office):
    admin = make_user("admin")
    citizen = make_user("public")
    db.session.commit()
    for user in (citizen, office.other_ppk):
        resp = api(admin).post(
            "/api/v1/admin/opds/DINKOP/roles", json={"user_id": user.id, "role": "officer"}
        )
        assert resp.status_code == 422
        assert resp.get_json()["error"]["details"]["user_id"]
    bad_role = api(admin).post(
        "/api/v1/admin/opds/DINKOP/roles", json={"user_id": office.plain.id, "role": "boss"}
    )
    assert bad_role.status_code == 422
    assert api(admin).get("/api/v1/admin/opds/NOPE/roles").status_code == 404


def test_roles_are_the_admins_to_give(api, office):
    for user in (office.head, office.ppk, make_user("finance")):
        db.session.commit()
        resp = api(user).post(
            "/api/v1/admin/opds/DINKOP/roles", json={"user_id": office.plain.id, "role": "ppk"}
        )
        assert resp.status_code == 403


def test_my_office_lists_my_roles(api, office):
    give(office.officer, "ppk")
    db.session.commit()
    body = api(office.officer).get("/api/v1/opd/me").get_json()
    assert body["opd"]["code"] == "DINKOP"
    assert body["roles"] == ["officer", "ppk"]
    assert api(office.plain).get("/api/v1/opd/me").get_json()["roles"] == []


# ---------------------------------------------------------------- access
def test_a_civil_servant_without_a_role_gets_403(api, office):
    plain = api(office.plain)
    assert plain.get("/api/v1/opd/requests").status_code == 403
    assert plain.get("/api/v1/opd/cart").status_code == 403
    assert api(make_user("public")).get("/api/v1/opd/requests").status_code == 403


def test_another_offices_request_answers_404(api, office):
    req = submitted(api, office)
    for user in (office.other_ppk, office.other_officer):
        client = api(user)
        assert client.get(f"/api/v1/opd/requests/{req['id']}").status_code == 404
        assert client.post(f"/api/v1/opd/requests/{req['id']}/approve").status_code == 404
        assert client.post(f"/api/v1/opd/requests/{req['id']}/cancel").status_code == 404
        assert (
            client.post(
                f"/api/v1/opd/requests/{req['id']}/reject", json={"reason": "x"}
            ).status_code
            == 404
        )
        assert client.get("/api/v1/opd/requests").get_json()["items"] == []
    assert db.session.get(PurchaseRequest, req["id"]).status == "submitted"


def test_a_role_the_user_does_not_hold_answers_403(api, office):
    req = submitted(api, office)
    for user in (office.treasurer, office.head, office.officer):
        resp = api(user).post(f"/api/v1/opd/requests/{req['id']}/approve")
        assert resp.status_code == 403, user.name
    assert api(office.ppk).post("/api/v1/opd/cart/submit").status_code == 403
    assert (
        api(office.ppk)
        .put("/api/v1/opd/cart/items", json={"product_id": office.rice.id, "quantity": 1})
        .status_code
        == 403
    )
    # Everyone with a role in the office sees its requests (the head sees everything).
    for user in (office.treasurer, office.head, office.ppk):
        assert api(user).get(f"/api/v1/opd/requests/{req['id']}").status_code == 200


def test_a_ppk_who_submitted_the_request_cannot_approve_it(api, office):
    give(office.officer, "ppk")
    db.session.commit()
    req = submitted(api, office)
    assert req["actions"] == ["cancelled"]
    resp = api(office.officer).post(f"/api/v1/opd/requests/{req['id']}/approve")
    assert resp.status_code == 403
    error = resp.get_json()["error"]
    assert error["code"] == "own_request"
    assert "sendiri" in error["message"]
    rejected = api(office.officer).post(
        f"/api/v1/opd/requests/{req['id']}/reject", json={"reason": "salah"}
    )
    assert rejected.get_json()["error"]["code"] == "own_request"
    assert _count(Order, Order.channel == "opd_procurement") == 0
    # Another PPK of the office decides.
    assert api(office.ppk).post(f"/api/v1/opd/requests/{req['id']}/approve").status_code == 200


# ---------------------------------------------------------------- the cart and submission
def test_the_cart_keeps_lines_and_fields(api, office):
    officer = api(office.officer)
    cart = fill_cart(officer, [(office.rice, 2), (office.water, 1), (office.rice, 3)])
    assert [(ln["name"], ln["quantity"]) for ln in cart["lines"]] == [
        ("Beras 5 kg", 3),
        ("Air mineral 1 dus", 1),
    ]
    assert cart["total"] == 3 * 75_000 + 45_000
    assert cart["budget_line"] == BUDGET_LINE
    removed = officer.put(
        "/api/v1/opd/cart/items", json={"product_id": office.water.id, "quantity": 0}
    ).get_json()
    assert [ln["name"] for ln in removed["lines"]] == ["Beras 5 kg"]


def test_a_malformed_budget_line_is_refused(api, office):
    resp = api(office.officer).patch("/api/v1/opd/cart", json={"budget_line": "5.1.2.x"})
    assert resp.status_code == 422
    assert "5.1.02.01.01.0024" in resp.get_json()["error"]["details"]["budget_line"][0]


def test_an_unlisted_product_cannot_enter_the_cart(api, office):
    office.rice.is_active = False
    db.session.commit()
    resp = api(office.officer).put(
        "/api/v1/opd/cart/items", json={"product_id": office.rice.id, "quantity": 1}
    )
    assert resp.status_code == 404


def test_submission_needs_lines_and_every_field(api, office):
    officer = api(office.officer)
    empty = officer.post("/api/v1/opd/cart/submit")
    assert empty.status_code == 422
    assert empty.get_json()["error"]["code"] == "empty_cart"
    fill_cart(officer, [(office.rice, 1)], activity="", purpose="")
    resp = officer.post("/api/v1/opd/cart/submit")
    assert resp.status_code == 422
    assert set(resp.get_json()["error"]["details"]) == {"activity", "purpose"}


def test_submission_numbers_requests_per_office_and_year_and_tells_the_ppk(api, office):
    year = to_local(utcnow()).year
    first = submitted(api, office)
    second = submitted(api, office, [(office.oil, 1)])
    other = api(office.other_officer)
    fill_cart(other, [(office.rice, 1)])
    theirs = other.post("/api/v1/opd/cart/submit").get_json()
    assert first["number"] == f"PR/DINKOP/{year}/0001"
    assert second["number"] == f"PR/DINKOP/{year}/0002"
    assert theirs["number"] == f"PR/DINKES/{year}/0001"
    assert first["status"] == "submitted"
    assert first["total"] == 2 * 75_000 + 3 * 45_000
    assert [(ln["name"], ln["unit_price"], ln["line_total"]) for ln in first["lines"]] == [
        ("Beras 5 kg", 75_000, 150_000),
        ("Air mineral 1 dus", 45_000, 135_000),
    ]
    notes = db.session.scalars(
        select(Notification).where(Notification.kind == "procurement_submitted")
    ).all()
    assert {n.user_id for n in notes} == {office.ppk.id, office.other_ppk.id}
    assert any(first["number"] in n.title for n in notes if n.user_id == office.ppk.id)
    # The cart is empty again.
    assert api(office.officer).get("/api/v1/opd/cart").get_json()["lines"] == []


def test_a_purchase_above_the_maximum_is_refused_in_indonesian(app, api, office):
    app.config["OPD_PURCHASE_MAX"] = 200_000
    officer = api(office.officer)
    fill_cart(officer, [(office.rice, 3)])  # Rp225.000
    resp = officer.post("/api/v1/opd/cart/submit")
    assert resp.status_code == 422
    error = resp.get_json()["error"]
    assert error["code"] == "over_purchase_max"
    assert "melebihi batas" in error["message"]
    assert "200.000" in error["message"]
    assert _count(PurchaseRequest, PurchaseRequest.status == "submitted") == 0
    fill_cart(officer, [(office.rice, 2)])  # Rp150.000: within
    assert officer.post("/api/v1/opd/cart/submit").status_code == 201


def test_the_default_maximum_is_fifty_million(app):
    assert app.config["OPD_PURCHASE_MAX"] == 50_000_000


def test_products_outside_the_allowed_categories_are_refused(api, office):
    officer = api(office.officer)
    cart = fill_cart(officer, [(office.rice, 1), (office.batik, 1)])
    assert [ln["warning"] for ln in cart["lines"]] == [None, "category_not_allowed"]
    resp = officer.post("/api/v1/opd/cart/submit")
    assert resp.status_code == 422
    error = resp.get_json()["error"]
    assert error["code"] == "category_not_allowed"
    assert "Fashion" in error["message"]
    assert "tidak termasuk" in error["message"]


def test_the_allowed_categories_come_from_the_config(app, api, office):
    app.config["OPD_ALLOWED_CATEGORIES"] = "sembako,fashion"
    officer = api(office.officer)
    fill_cart(officer, [(office.batik, 1)])
    assert officer.post("/api/v1/opd/cart/submit").status_code == 201


# ---------------------------------------------------------------- the decision
def test_approval_places_one_order_per_shop_on_invoice_with_the_stock_taken(api, office):
    req = submitted(api, office, [(office.rice, 2), (office.oil, 1), (office.water, 3)])
    office.rice.price = 99_000  # a later price change does not touch the approved request
    db.session.commit()
    resp = api(office.ppk).post(f"/api/v1/opd/requests/{req['id']}/approve")
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "approved"
    assert body["decided_by"] == "Budi PPK"
    assert len(body["orders"]) == 2
    orders = db.session.scalars(select(Order).order_by(Order.id)).all()
    assert {o.vendor_id: o.total for o in orders} == {
        office.shop_a.id: 2 * 75_000 + 38_000,
        office.shop_b.id: 3 * 45_000,
    }
    for order in orders:
        assert order.channel == "opd_procurement"
        assert order.payment_terms == "invoice"
        assert order.status == "placed"
        assert order.opd_id == office.opd.id
        assert order.budget_line == BUDGET_LINE
        assert order.expires_at is None and order.paid_at is None
        assert order.buyer_id == office.officer.id
    assert (_stock(office.rice), _stock(office.oil), _stock(office.water)) == (18, 9, 2)
    # A sale is recognised when it is paid: nothing in the ledger yet, no card payment.
    assert _count(SpendingRecord) == 0
    assert _count(JournalEntry) == 0
    assert _count(Payment) == 0
    note = db.session.scalar(
        select(Notification).where(Notification.kind == "procurement_approved")
    )
    assert note.user_id == office.officer.id and req["number"] in note.title
    shop_notes = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == "order_placed")
    ).all()
    assert set(shop_notes) == {office.shop_a.owner_id, office.shop_b.owner_id}
    # Approved once: a second approval is a conflict and places nothing more.
    again = api(office.ppk).post(f"/api/v1/opd/requests/{req['id']}/approve")
    assert again.status_code == 409
    assert _count(Order) == 2


def test_approval_with_stock_short_fails_and_changes_nothing(api, office):
    req = submitted(api, office, [(office.rice, 2), (office.water, 5)])
    office.water.stock = 4  # sold elsewhere meanwhile
    db.session.commit()
    resp = api(office.ppk).post(f"/api/v1/opd/requests/{req['id']}/approve")
    assert resp.status_code == 409
    error = resp.get_json()["error"]
    assert error["code"] == "out_of_stock"
    assert "Air mineral" in error["message"]
    assert error["details"]["available"] == 4
    db.session.expire_all()
    assert db.session.get(PurchaseRequest, req["id"]).status == "submitted"
    assert (_stock(office.rice), _stock(office.water)) == (20, 4)
    assert _count(Order) == 0
    assert _count(Notification, Notification.kind == "procurement_approved") == 0


def test_approval_of_a_product_no_longer_sold_fails_and_changes_nothing(api, office):
    req = submitted(api, office, [(office.rice, 2), (office.water, 1)])
    office.water.is_active = False
    db.session.commit()
    resp = api(office.ppk).post(f"/api/v1/opd/requests/{req['id']}/approve")
    assert resp.status_code == 409
    assert resp.get_json()["error"]["code"] == "product_unavailable"
    assert _stock(office.rice) == 20
    assert _count(Order) == 0
    db.session.expire_all()
    assert db.session.get(PurchaseRequest, req["id"]).status == "submitted"


def test_rejection_needs_a_reason_and_tells_the_officer(api, office):
    req = submitted(api, office)
    ppk = api(office.ppk)
    missing = ppk.post(f"/api/v1/opd/requests/{req['id']}/reject", json={"reason": " "})
    assert missing.status_code == 422
    resp = ppk.post(
        f"/api/v1/opd/requests/{req['id']}/reject", json={"reason": "Anggaran kegiatan habis"}
    )
    assert resp.status_code == 200
    body = resp.get_json()
    assert (body["status"], body["decision_reason"]) == ("rejected", "Anggaran kegiatan habis")
    assert [e["to_status"] for e in body["events"]] == ["submitted", "rejected"]
    note = db.session.scalar(
        select(Notification).where(Notification.kind == "procurement_rejected")
    )
    assert note.user_id == office.officer.id
    assert "Anggaran kegiatan habis" in note.body
    assert _count(Order) == 0
    assert ppk.post(f"/api/v1/opd/requests/{req['id']}/approve").status_code == 409


def test_the_officer_cancels_a_waiting_request(api, office):
    req = submitted(api, office)
    resp = api(office.officer).post(f"/api/v1/opd/requests/{req['id']}/cancel")
    assert resp.status_code == 200
    assert resp.get_json()["status"] == "cancelled"
    assert api(office.ppk).post(f"/api/v1/opd/requests/{req['id']}/approve").status_code == 409


def test_the_office_list_paginates_and_filters(api, office):
    for _ in range(3):
        submitted(api, office, [(office.oil, 1)])
    page = api(office.head).get("/api/v1/opd/requests?per_page=2").get_json()
    assert page["total"] == 3 and len(page["items"]) == 2
    assert page["items"][0]["number"].endswith("0003")
    waiting = api(office.head).get("/api/v1/opd/requests?status=approved").get_json()
    assert waiting["items"] == []


# ---------------------------------------------------------------- the orders afterwards
def test_the_shop_sees_accepts_and_readies_an_office_order(api, office):
    req = submitted(api, office, [(office.rice, 2)])
    api(office.ppk).post(f"/api/v1/opd/requests/{req['id']}/approve")
    order = db.session.scalar(select(Order))
    shop = api(office.shop_a.owner)
    listed = shop.get("/api/v1/vendor/orders").get_json()["items"]
    assert [o["id"] for o in listed] == [order.id]
    assert (listed[0]["status"], listed[0]["payment_terms"], listed[0]["budget_line"]) == (
        "placed",
        "invoice",
        BUDGET_LINE,
    )
    assert listed[0]["channel"] == "opd_procurement"
    assert shop.post(f"/api/v1/vendor/orders/{order.id}/accept").status_code == 200
    assert shop.post(f"/api/v1/vendor/orders/{order.id}/ready").status_code == 200
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "ready"
    assert _count(JournalEntry) == 0


def test_a_shop_rejecting_an_office_order_puts_the_stock_back(api, office):
    req = submitted(api, office, [(office.rice, 2)])
    api(office.ppk).post(f"/api/v1/opd/requests/{req['id']}/approve")
    order = db.session.scalar(select(Order))
    resp = api(office.shop_a.owner).post(
        f"/api/v1/vendor/orders/{order.id}/reject", json={"reason": "stok rusak"}
    )
    assert resp.status_code == 200, resp.get_json()
    assert _stock(office.rice) == 20
    assert _count(Payment) == 0


def test_office_orders_never_expire_and_are_not_the_officers_own(api, office):
    req = submitted(api, office, [(office.rice, 2)])
    api(office.ppk).post(f"/api/v1/opd/requests/{req['id']}/approve")
    order = db.session.scalar(select(Order))
    expire_due_orders(now=utcnow() + timedelta(days=30))
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "placed"
    mine = api(office.officer)
    assert mine.get("/api/v1/orders").get_json()["items"] == []
    assert mine.post(f"/api/v1/orders/{order.id}/cancel").status_code == 404
