"""Business class under PP 7/2021 (micro, small, medium, large) from rolling 12-month sales:
the derived class, the refresh after sales or for cron, and the admin's audited override."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext
from sqlalchemy import func, select

from marketplace.audit.models import record_audit
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.ledger.models import SpendingRecord
from marketplace.shops import rules
from marketplace.shops.models import Vendor
from marketplace.shops.profile import get_own_vendor
from marketplace.timeutil import naive_utc, now_utc

# Outside a request (CLI, jobs) the locale selector answers the default, Indonesian.
_ = gettext


def rolling_12m_sales(vendor: Vendor, at: datetime | None = None) -> int:
    """Paid order lines net of refunds over the last 365 days (rolling, not calendar year)."""
    since = naive_utc((at or now_utc()) - timedelta(days=365))
    total = db.session.scalar(
        select(func.coalesce(func.sum(SpendingRecord.amount), 0)).where(
            SpendingRecord.vendor_id == vendor.id, SpendingRecord.occurred_at >= since
        )
    )
    return int(total or 0)


def refresh_umk_class(vendor: Vendor) -> bool:
    """Recompute the derived class from rolling sales; when it changes ("naik kelas" or back
    down), store it and audit it. Flushes only; True when the class changed."""
    derived = rules.class_for_sales(rolling_12m_sales(vendor))
    if derived == vendor.umk_class:
        return False
    old, vendor.umk_class = vendor.umk_class, derived
    record_audit(
        None,
        "vendor.class_changed",
        "vendor",
        vendor.id,
        before={"umk_class": old},
        after={"umk_class": derived},
    )
    db.session.flush()
    return True


def refresh_business_classes(vendor_ids: list[int] | None = None, progress=None) -> int:
    """Refresh every shop's class (for cron); commits per batch. Returns how many changed."""
    ids = (
        vendor_ids
        if vendor_ids is not None
        else list(db.session.scalars(select(Vendor.id).order_by(Vendor.id)))
    )
    changed = 0
    for i, vendor_id in enumerate(ids, start=1):
        vendor = db.session.get(Vendor, vendor_id)
        if vendor is not None and refresh_umk_class(vendor):
            changed += 1
        if i % 200 == 0:
            db.session.commit()
        if progress:
            progress(1)
    db.session.commit()
    return changed


def business_class_of(vendor: Vendor) -> dict[str, Any]:
    """Rolling sales, the class in force, the class the sales imply and the override."""
    sales = rolling_12m_sales(vendor)
    return {
        "vendor_id": vendor.id,
        "rolling_12m_sales": sales,
        "umk_class": vendor.effective_umk_class,
        "derived_class": rules.class_for_sales(sales),
        "override": vendor.umk_class_override,
    }


def get_business_class(user) -> dict[str, Any]:
    """The caller's class: rolling 12-month sales, the class in force, the derived one and any
    admin override."""
    return business_class_of(get_own_vendor(user))


def get_vendor_business_class(admin, vendor_id: int) -> tuple[Vendor, dict[str, Any]]:
    """Any shop's class, for the admin."""
    vendor = db.session.get(Vendor, vendor_id)
    if vendor is None:
        raise NotFound(_("Toko tidak ditemukan."))
    return vendor, business_class_of(vendor)


def override_business_class(
    admin, vendor_id: int, umk_class: str | None, reason: str | None = None
) -> dict[str, Any]:
    """Set (or clear with None) the admin's override of a shop's class, audited."""
    vendor = db.session.get(Vendor, vendor_id)
    if vendor is None:
        raise NotFound(_("Toko tidak ditemukan."))
    before = {
        "umk_class_override": vendor.umk_class_override,
        "umk_class": vendor.effective_umk_class,
    }
    vendor.umk_class_override = umk_class
    record_audit(
        admin,
        "vendor.class_override",
        "vendor",
        vendor.id,
        before=before,
        after={"umk_class_override": umk_class, "umk_class": vendor.effective_umk_class},
        reason=reason,
    )
    db.session.commit()
    return business_class_of(vendor)
