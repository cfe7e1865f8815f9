"""The per-vendor fair-share cap of each local period: set by an admin (audited) and listed."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.audit.models import record_audit
from marketplace.errors import ValidationFailed
from marketplace.extensions import db
from marketplace.ledger.models import FairShareCap
from marketplace.ledger.queries import cap_amount
from marketplace.timeutil import current_period


def set_period_cap(admin: User, period: str, amount: int) -> FairShareCap:
    """An admin sets the per-vendor fair-share cap of one local period (audited)."""
    from marketplace.timeutil import is_period

    if not is_period(period):
        raise ValidationFailed(details={"period": ["Format YYYY-MM."]})
    cap = db.session.scalar(select(FairShareCap).where(FairShareCap.period == period))
    before = {"amount": cap.amount} if cap else None
    if cap is None:
        cap = FairShareCap(period=period, amount=amount)
        db.session.add(cap)
    else:
        cap.amount = amount
    record_audit(
        admin, "cap.set", "fair_share_cap", period, before=before, after={"amount": amount}
    )
    db.session.commit()
    return cap


def list_caps() -> dict[str, Any]:
    """Caps set per period, newest first, plus the default and the current period's cap."""
    caps = db.session.scalars(select(FairShareCap).order_by(FairShareCap.period.desc())).all()
    period = current_period()
    return {
        "items": list(caps),
        "default": int(current_app.config["FAIR_SHARE_CAP"]),
        "current_period": period,
        "current": cap_amount(period),
    }
