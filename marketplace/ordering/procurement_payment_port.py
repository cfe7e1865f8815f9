"""What procurement may ask of ordering when an office's treasurer pays its orders on invoice:
lock them, and mark one paid (the sale is recognised then: its spending records are written, with
the order's OPD and budget line, in the month of the payment). The ledger journal of the
settlement is procurement's (it knows the taxes withheld).

The functions only flush: the caller commits.
"""

from __future__ import annotations

from datetime import datetime

from marketplace.accounts.models import User
from marketplace.models_base import utcnow
from marketplace.ordering.locking import lock_orders
from marketplace.ordering.models import Order, OrderEvent
from marketplace.ordering.payments_port import _record_spending


def lock_invoice_orders(order_ids: list[int]) -> list[Order]:
    """The orders, row-locked in id order, with their shop and lines (flush only)."""
    return lock_orders(sorted(set(order_ids)))


def mark_invoice_paid(order: Order, actor: User, note: str, paid_at: datetime) -> None:
    """The office paid the order at `paid_at` (naive UTC, in a month finance has not closed: the
    caller picks it), its lines become spending records of channel `opd_procurement` then, and
    the timeline says how it was paid. Its status stays `received` (paid against the BAST); the
    caller checked that it may be paid. Flush only."""
    if order.payment_terms != "invoice" or order.paid_at is not None:
        raise ValueError(f"order {order.number} is not an unpaid order on invoice")
    now = utcnow()
    order.paid_at = paid_at
    order.events.append(
        OrderEvent(
            from_status=order.status,
            to_status=order.status,
            actor_id=actor.id,
            note=note,
            created_at=now,
        )
    )
    _record_spending(order)
