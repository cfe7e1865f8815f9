"""Admins are reminded of submissions still pending REVIEW_REMINDER_WORKING_DAYS (3) working
days after they came in, counted with the SKB 3 Menteri calendar; once a day at most."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update

from marketplace.catalog.models import ProductFlagReview
from marketplace.extensions import db
from marketplace.notifications.models import Notification
from marketplace.shops.models import BusinessClassDeclaration, Vendor
from marketplace.shops.review_reminders import remind_overdue_reviews
from marketplace.timeutil import WIB, naive_utc
from tests.factories import make_product, make_user, make_vendor
from tests.shops.test_business_class_pages import pending_declaration


def wib(*parts):
    return datetime(*parts, tzinfo=WIB)


# ---------------------------------------------------------------- the job
def _submitted(model, row_id, when):
    db.session.execute(update(model).where(model.id == row_id).values(created_at=naive_utc(when)))
    db.session.commit()


def test_admins_are_reminded_after_lebaran_not_during_it(app):
    admin, other_admin = make_user("admin"), make_user("admin")
    inactive = make_user("admin", active=False)
    shop = make_vendor(status="pending")
    product = make_product(make_vendor())
    claim = ProductFlagReview(product_id=product.id, flag="is_pdn", status="pending")
    db.session.add(claim)
    declaration = pending_declaration(shop)
    for model, row_id in ((Vendor, shop.id), (BusinessClassDeclaration, declaration.id)):
        _submitted(model, row_id, wib(2026, 3, 17, 9))
    _submitted(ProductFlagReview, claim.id, wib(2026, 3, 17, 9))

    during = remind_overdue_reviews(now=wib(2026, 3, 26, 9))  # 6 calendar days, 2 working days
    assert (during.overdue, during.sent) == (0, 0)

    due = remind_overdue_reviews(now=wib(2026, 3, 27, 8))
    assert (due.applications, due.declarations, due.flag_products) == (1, 1, 1)
    assert due.sent == 2
    notes = db.session.scalars(select(Notification).order_by(Notification.user_id)).all()
    assert [n.user_id for n in notes] == [admin.id, other_admin.id]
    assert inactive.id not in {n.user_id for n in notes}
    assert "3 hari kerja" in notes[0].body and notes[0].url == "/admin"

    again = remind_overdue_reviews(now=wib(2026, 3, 27, 16))
    assert again.sent == 0  # once a WIB day
    assert remind_overdue_reviews(now=wib(2026, 3, 30, 8)).sent == 2  # the next working day


def test_nothing_is_sent_when_nothing_waits_too_long(app, runner):
    make_user("admin")
    make_vendor(status="pending")  # came in today
    db.session.commit()
    result = runner.invoke(args=["remind-reviews"])
    assert result.exit_code == 0, result.output
    assert "0 admin(s) reminded" in result.output
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
