"""The read side of procurement: the office's purchase requests, one request with its orders,
for the API and the pages alike. Anyone holding a role in the office sees its requests (the head
sees everything by holding the `head` role); another office's request answers 404."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import User
from marketplace.api import Page, paginate
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.ordering.models import Order
from marketplace.ordering.procurement_port import orders_of_checkout
from marketplace.procurement import rules
from marketplace.procurement.bast import attach_basts
from marketplace.procurement.models import (
    PurchaseRequest,
    PurchaseRequestEvent,
    PurchaseRequestLine,
)
from marketplace.procurement.roles import Office, require_office


def list_requests(
    user: User, *, status: str | None = None, page: int = 1, per_page: int = 20
) -> Page:
    """A page of the caller's office's submitted requests (drafts are their officers' carts),
    newest first; `status` keeps one status."""
    office = require_office(user)
    stmt = (
        select(PurchaseRequest)
        .where(PurchaseRequest.opd_id == office.opd.id, PurchaseRequest.status != rules.DRAFT)
        .options(selectinload(PurchaseRequest.officer))
    )
    if status in rules.REQUEST_STATUSES:
        stmt = stmt.where(PurchaseRequest.status == status)
    return paginate(stmt.order_by(PurchaseRequest.id.desc()), page, per_page)


def get_request(user: User, request_id: int) -> PurchaseRequest:
    """One request of the caller's office with its lines, history and orders (`orders`);
    another office's request, or an officer's draft, is 404."""
    office = require_office(user)
    request = db.session.scalar(
        select(PurchaseRequest)
        .where(
            PurchaseRequest.id == request_id,
            PurchaseRequest.opd_id == office.opd.id,
            PurchaseRequest.status != rules.DRAFT,
        )
        .options(
            selectinload(PurchaseRequest.lines).selectinload(PurchaseRequestLine.product),
            selectinload(PurchaseRequest.events).selectinload(PurchaseRequestEvent.actor),
            selectinload(PurchaseRequest.officer),
            selectinload(PurchaseRequest.decided_by),
        )
    )
    if request is None:
        raise NotFound("Permintaan pembelian tidak ditemukan.")
    request.orders = request_orders(request)
    request.actions = actions_for(office, request)
    attach_basts(office, request)
    return request


def request_orders(request: PurchaseRequest) -> list[Order]:
    return orders_of_checkout(request.checkout_id) if request.checkout_id else []


def actions_for(office: Office, request: PurchaseRequest) -> list[str]:
    """The steps the caller may take on the request now (pages show these buttons)."""
    return [
        target
        for target in (rules.APPROVED, rules.REJECTED, rules.CANCELLED)
        if rules.transition_problem(
            request.status,
            target,
            actor_roles=office.roles,
            actor_id=office.user.id,
            submitter_id=request.officer_id,
            reason="-",
        )
        is None
    ]
