"""The read side of ordering: orders a user may see, the shop's orders, finance's order search,
refunds of an order and the ledger balances. Reads only (the opportunistic expiry aside).
"""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import BUYER_ROLES, User
from marketplace.api import Page, paginate
from marketplace.errors import Forbidden, NotFound
from marketplace.extensions import db
from marketplace.ordering.lifecycle import expire_due_orders
from marketplace.ordering.models import Order
from marketplace.payments.models import Refund


# ================================================================= orders a user may see
def _scoped_orders(user: User):
    stmt = select(Order)
    if user.role in BUYER_ROLES:
        # A person's own orders; an office's orders on invoice belong to the office's pages.
        return stmt.where(Order.buyer_id == user.id, Order.payment_terms == "prepaid")
    if user.role == "vendor":
        return stmt.where(Order.vendor_id == (user.vendor_id or -1))
    if user.role in ("finance", "admin"):
        return stmt
    raise Forbidden()


def list_orders(
    user: User, *, status: str | None = None, page: int = 1, per_page: int = 20
) -> Page:
    """Orders the user may see: own (buyer), own shop (vendor), all (finance, admin), newest first."""
    expire_due_orders()
    stmt = _scoped_orders(user)
    if status:
        stmt = stmt.where(Order.status == status)
    return paginate(stmt.order_by(Order.id.desc()), page, per_page)


# ================================================================= the shop's orders
# The one read side of a shop's orders, for the API and the shop pages alike. Orders never paid
# (pending_payment, expired, cancelled before paying) are not the shop's concern: only orders
# with a payment are listed or counted, and an office's orders on invoice (placed at its PPK's
# approval, paid later): `placed` ones wait in the first tab with the paid ones.
SHOP_ORDER_TABS = ("paid", "accepted", "ready", "completed", "closed")
CLOSED_STATUSES = ("cancelled", "rejected")
WAITING_TABS = ("paid", "accepted", "ready")


def _tab_statuses(tab: str) -> tuple[str, ...]:
    if tab == "paid":
        return ("paid", "placed")
    if tab == "completed":
        # an office's order handed over (awaiting its BAST) or received (its BAST made)
        return ("completed", "delivered", "received")
    return CLOSED_STATUSES if tab == "closed" else (tab,)


def _shop_orders(user: User):
    """The caller's shop's paid orders and orders on invoice; 404 when the caller has no shop."""
    if user.role != "vendor" or user.vendor_id is None:
        raise NotFound("Toko tidak ditemukan.")
    return select(Order).where(
        Order.vendor_id == user.vendor_id,
        or_(Order.paid_at.is_not(None), Order.payment_terms == "invoice"),
    )


def list_shop_orders(
    user: User,
    *,
    status: str | None = None,
    tab: str | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Page:
    """A page of the shop owner's paid orders (never the unpaid ones); 404 without a shop.

    `status` (the API's ?status=) keeps one status, newest first. `tab` (the shop's orders page)
    keeps a tab's statuses; the tabs still waiting on the shop list the oldest paid first, since
    those waited longest.
    """
    stmt = _shop_orders(user).options(selectinload(Order.lines), selectinload(Order.buyer))
    expire_due_orders()
    if status:
        stmt = stmt.where(Order.status == status)
    if tab is not None:
        tab = tab if tab in SHOP_ORDER_TABS else "paid"
        stmt = stmt.where(Order.status.in_(_tab_statuses(tab)))
    if tab in WAITING_TABS:
        stmt = stmt.order_by(func.coalesce(Order.paid_at, Order.created_at).asc(), Order.id.asc())
    else:
        stmt = stmt.order_by(Order.id.desc())
    return paginate(stmt, page, per_page)


def shop_order_counts(user: User) -> dict[str, int]:
    """How many of the shop's paid orders sit in each tab of the shop's orders page."""
    rows = db.session.execute(
        _shop_orders(user).with_only_columns(Order.status, func.count()).group_by(Order.status)
    ).all()
    by_status = {status: count for status, count in rows}
    return {tab: sum(by_status.get(s, 0) for s in _tab_statuses(tab)) for tab in SHOP_ORDER_TABS}


def get_order(user: User, order_id: int) -> Order:
    """One order the user may see; another user's or shop's order → 404."""
    order = db.session.scalar(_scoped_orders(user).where(Order.id == order_id))
    if order is None:
        raise NotFound("Pesanan tidak ditemukan.")
    return order


def list_refunds(user: User, order_id: int) -> list[Refund]:
    """Refunds of one order the user may see."""
    order = get_order(user, order_id)
    return list(
        db.session.scalars(
            select(Refund).where(Refund.order_id == order.id).order_by(Refund.id)
        ).all()
    )


# ================================================================= finance reads
def search_orders(
    *, number: str | None = None, status: str | None = None, page: int = 1, per_page: int = 20
) -> Page:
    """Finance finds an order: by number (exact or prefix, case-insensitive) and status, newest
    first. `%`, `_` and `\\` in the number are matched literally."""
    stmt = select(Order).options(selectinload(Order.vendor), selectinload(Order.buyer))
    q = (number or "").strip().upper()[:32]
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(Order.number.like(escaped + "%", escape="\\"))
    if status:
        stmt = stmt.where(Order.status == status)
    return paginate(stmt.order_by(Order.id.desc()), page, per_page)


def vendor_order_counts(vendor_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(Order.status, func.count())
        .where(Order.vendor_id == vendor_id)
        .group_by(Order.status)
    ).all()
    return {status: n for status, n in rows}
