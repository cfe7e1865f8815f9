"""Reminders to the city's admins about submissions waiting for their decision: shop
applications, business-class declarations and products' flag claims still pending
REVIEW_REMINDER_WORKING_DAYS working days after they came in (rules.review_overdue: weekends,
libur nasional and cuti bersama do not count). One in-app notice (and email) per admin per local
day at most, so the job may run as often as cron likes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.catalog.models import ProductFlagReview
from marketplace.extensions import db
from marketplace.notifications.models import Notification
from marketplace.notifications.services import notify
from marketplace.shops import rules
from marketplace.shops.models import BusinessClassDeclaration, Vendor
from marketplace.timeutil import as_utc, day_start, naive_utc, now_utc, to_local

_ = gettext
KIND = "review.reminder"


@dataclass(frozen=True)
class ReviewReminders:
    applications: int
    declarations: int
    flag_products: int
    sent: int

    @property
    def overdue(self) -> int:
        return self.applications + self.declarations + self.flag_products


def _overdue(rows, today, days) -> list:
    return [
        key
        for key, created_at in rows
        if rules.review_overdue(to_local(created_at).date(), today, days)
    ]


def remind_overdue_reviews(now: datetime | None = None) -> ReviewReminders:
    """Count the overdue submissions and tell every active admin once today; commits."""
    now = as_utc(now) if now else now_utc()
    today = to_local(now).date()
    days = int(current_app.config["REVIEW_REMINDER_WORKING_DAYS"])
    applications = _overdue(
        db.session.execute(
            select(Vendor.id, Vendor.created_at).where(Vendor.status == "pending")
        ).all(),
        today,
        days,
    )
    declarations = _overdue(
        db.session.execute(
            select(BusinessClassDeclaration.id, BusinessClassDeclaration.created_at).where(
                BusinessClassDeclaration.status == "pending"
            )
        ).all(),
        today,
        days,
    )
    flag_products = set(
        _overdue(
            db.session.execute(
                select(ProductFlagReview.product_id, ProductFlagReview.created_at).where(
                    ProductFlagReview.status == "pending"
                )
            ).all(),
            today,
            days,
        )
    )
    sent = 0
    if applications or declarations or flag_products:
        start = day_start(today)
        already = set(
            db.session.scalars(
                select(Notification.user_id).where(
                    Notification.kind == KIND,
                    Notification.created_at >= start,
                    Notification.created_at < start + timedelta(days=1),
                )
            )
        )
        admins = db.session.scalars(
            select(User).where(User.role == "admin", User.active.is_(True)).order_by(User.id)
        ).all()
        body = _(
            "Pengajuan toko: %(a)s · deklarasi kelas usaha: %(d)s · produk dengan klaim label:"
            " %(f)s. Semuanya menunggu lebih dari %(n)s hari kerja.",
            a=len(applications),
            d=len(declarations),
            f=len(flag_products),
            n=days,
        )
        for admin in admins:
            if admin.id in already:
                continue
            note = notify(admin, KIND, _("Pengajuan menunggu keputusan"), body, "/admin")
            note.created_at = naive_utc(now)  # the day it counts for (a job may be replayed)
            sent += 1
    db.session.commit()
    return ReviewReminders(len(applications), len(declarations), len(flag_products), sent)
