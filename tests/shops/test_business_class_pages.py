"""The business-class pages: the shop's declaration page and the city's review queue."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from marketplace.audit.models import AuditLog
from marketplace.extensions import db
from marketplace.shops.models import BusinessClassDeclaration, BusinessClassFlag, Vendor
from marketplace.timeutil import now_utc, year_of
from tests.factories import make_user, make_vendor

PDF = b"%PDF-1.4\n%%EOF\n"
YEAR = str(year_of(now_utc()) - 1)


def committed(user):
    """Commit a factory user: a page's error handler rolls back what the test left uncommitted."""
    db.session.commit()
    return user


def html(resp) -> str:
    return resp.get_data(as_text=True)


def post_declaration(client, amount="3.000.000.000", document=PDF, **extra):
    data = {"basis": "sales", "amount": amount, "year": YEAR, "source": "spt", **extra}
    if document is not None:
        data["document"] = (io.BytesIO(document), "spt.pdf")
    return client.post("/shop/business-class", data=data, content_type="multipart/form-data")


def pending_declaration(vendor, amount=3_000_000_000) -> BusinessClassDeclaration:
    declaration = BusinessClassDeclaration(
        vendor_id=vendor.id,
        basis="sales",
        amount=amount,
        year=int(YEAR),
        source="oss_nib",
        document_path="missing.pdf",
        document_name="nib.pdf",
        document_type="pdf",
        status="pending",
    )
    db.session.add(declaration)
    db.session.commit()
    return declaration


def test_the_shop_sends_a_declaration_from_its_class_page(page_client, shop):
    page = html(page_client.get("/shop/business-class"))
    assert 'data-testid="declaration-form"' in page and "Kelas usaha" in page
    resp = post_declaration(page_client)
    assert resp.status_code == 302
    declaration = db.session.scalars(select(BusinessClassDeclaration)).one()
    assert (declaration.vendor_id, declaration.amount) == (shop.id, 3_000_000_000)
    page = html(page_client.get("/shop/business-class"))
    assert 'data-testid="declaration-pending"' in page and "spt.pdf" in page


def test_a_bad_declaration_rerenders_the_form_with_what_was_typed(page_client):
    resp = post_declaration(page_client, amount="3,5 miliar", document=None)
    assert resp.status_code == 422
    page = html(resp)
    assert "3,5 miliar" in page and 'class="field-error"' in page
    assert db.session.scalar(select(func.count()).select_from(BusinessClassDeclaration)) == 0


def test_the_admin_approves_from_the_queue_and_the_class_changes(client, login, shop):
    declaration = pending_declaration(shop, amount=20_000_000_000)
    login(client, committed(make_user("admin")))
    page = html(client.get("/admin/business-class"))
    assert f'data-testid="declaration-{declaration.id}"' in page
    assert "Usaha menengah" in page  # the class approval would give
    resp = client.post(f"/admin/business-class/declarations/{declaration.id}/approve", data={})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Vendor, shop.id).effective_umk_class == "medium"
    assert db.session.scalar(select(AuditLog.action)) == "vendor.class_changed"


def test_the_admin_rejects_with_a_reason_and_a_missing_reason_changes_nothing(client, login, shop):
    declaration = pending_declaration(shop)
    login(client, committed(make_user("admin")))
    url = f"/admin/business-class/declarations/{declaration.id}/reject"
    client.post(url, data={"reason": ""})
    db.session.expire_all()
    assert db.session.get(BusinessClassDeclaration, declaration.id).status == "pending"
    assert client.post(url, data={"reason": "dokumen bukan SPT"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(BusinessClassDeclaration, declaration.id).status == "rejected"


def test_open_flags_are_on_the_queue_and_closed_there(client, login):
    vendor = make_vendor(name="Toko Besar")
    flag = BusinessClassFlag(vendor_id=vendor.id, kind="large", umk_class="large", amount=1)
    db.session.add(flag)
    db.session.commit()
    login(client, committed(make_user("admin")))
    assert "Toko Besar" in html(client.get("/admin/business-class"))
    assert "Sedang ditinjau" in html(client.get(f"/admin/vendors/{vendor.id}"))
    assert f'data-testid="class-flag-{vendor.id}"' in html(client.get("/admin/vendors"))
    resp = client.post(f"/admin/business-class/flags/{flag.id}/resolve", data={"reason": "oke"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(BusinessClassFlag, flag.id).resolved_at is not None


def test_the_finance_watch_page_lists_open_class_flags(client, login):
    vendor = make_vendor(name="Toko Ramai")
    db.session.add(
        BusinessClassFlag(
            vendor_id=vendor.id,
            kind="platform_sales",
            umk_class="micro",
            amount=2_500_000_000,
            ceiling=2_000_000_000,
        )
    )
    db.session.commit()
    login(client, committed(make_user("finance")))
    resp = client.get("/finance/watch")
    assert resp.status_code == 200
    assert "Toko Ramai" in html(resp) and 'data-testid="class-flags"' in html(resp)


def test_shopkeepers_cannot_open_the_review_queue_or_decide(page_client, other_shop):
    declaration = pending_declaration(other_shop)
    flag = BusinessClassFlag(vendor_id=other_shop.id, kind="large", umk_class="large", amount=1)
    db.session.add(flag)
    db.session.commit()
    assert page_client.get("/admin/business-class").status_code == 403
    for action, data in (("approve", {}), ("reject", {"reason": "tidak sah"})):
        url = f"/admin/business-class/declarations/{declaration.id}/{action}"
        assert page_client.post(url, data=data).status_code == 403
    resolve = f"/admin/business-class/flags/{flag.id}/resolve"
    assert page_client.post(resolve, data={"reason": "tutup"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(BusinessClassDeclaration, declaration.id).status == "pending"
    assert db.session.get(BusinessClassFlag, flag.id).resolved_at is None


def test_the_class_page_is_in_english_too(page_client):
    page_client.post("/language/en")
    page = html(page_client.get("/shop/business-class"))
    assert "Business class" in page and "Send declaration" in page
