"""The compliance base's roster tenure and exemptions in SQL, mirroring the pure rules
(`rules.on_roster`, `rules.required_for`): who counts in a period (joiners from the month they
joined, leavers up to and including the month they left) and what they owe in it (Rp0 with an
approved exemption, pro-rated or nothing in a joiner's first month)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, and_, case, cast, extract, literal, or_, select

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.mandate import rules
from marketplace.mandate.models import MandateExemption, MandateRule


def on_roster_clause(period: str):
    """`rules.on_roster` as a WHERE clause over `users`."""
    first, last = rules.period_days(period)
    return and_(
        or_(User.joined_on.is_(None), User.joined_on <= last),
        or_(User.active.is_(True), and_(User.left_on.is_not(None), User.left_on >= first)),
    )


def approved_exemptions(period: str):
    """The approved exemptions of `period`: (user_id, kind), at most one per user."""
    return (
        select(MandateExemption.user_id.label("user_id"), MandateExemption.kind.label("kind"))
        .where(MandateExemption.period == period, MandateExemption.status == "approved")
        .subquery("exemptions")
    )


def adjust_required(stmt, period: str, rule: MandateRule | None):
    """Wrap a compliance select (one row per civil servant with `user_id`, `required` and
    `joined_on`) so that `required` follows tenure and exemptions, with an `exemption` column
    (the approved kind or NULL). Every other column passes through unchanged."""
    inner = stmt.subquery("roster")
    exempt = approved_exemptions(period)
    first, last = rules.period_days(period)
    days = last.day
    policy = (rule.joiners if rule is not None else None) or rules.JOINERS_PRORATE
    joined_this_month = and_(inner.c.joined_on > first, inner.c.joined_on <= last)
    if policy == rules.JOINERS_NEXT_MONTH:
        first_month = literal(0, BigInteger)
    else:
        day = cast(extract("day", inner.c.joined_on), Integer)
        # Integer division (`//`) rounds down on both databases: in the ASN's favour.
        first_month = (inner.c.required * (days + 1 - day)) // days
    required = case(
        (exempt.c.kind.is_not(None), literal(0, BigInteger)),
        (joined_this_month, first_month),
        else_=inner.c.required,
    )
    passed = [c for c in inner.c if c.key not in ("required", "joined_on")]
    return select(
        *passed,
        cast(required, BigInteger).label("required"),
        exempt.c.kind.label("exemption"),
    ).outerjoin(exempt, exempt.c.user_id == inner.c.user_id)


def exemption_of(user_id: int, period: str) -> str | None:
    """The kind of `user_id`'s approved exemption for `period`, or None."""
    return db.session.scalar(
        select(MandateExemption.kind).where(
            MandateExemption.user_id == user_id,
            MandateExemption.period == period,
            MandateExemption.status == "approved",
        )
    )
