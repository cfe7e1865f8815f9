"""Ordering rules with no database: line VAT, commission, refund splits, order numbers.

Every amount is integer rupiah; rounding is half-up (marketplace.money) and splits sum exactly.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from marketplace.money import allocate, percent_bps, round_half_up, vat_included
from marketplace.primitives import add_working_days
from marketplace.timeutil import naive_utc, to_local

MAX_CART_QUANTITY = 999


def line_vat(line_total: int, *, vendor_pkp: bool, vat_exempt: bool) -> int:
    """PPN contained in a tax-inclusive line: only PKP vendors charge it, sembako are exempt."""
    if not vendor_pkp or vat_exempt:
        return 0
    return vat_included(line_total)


def commission_for(total: int, bps: int) -> int:
    """The platform commission on an order total (frozen on the order at checkout)."""
    return percent_bps(total, bps)


def cumulative_share(whole: int, base: int, before: int, amount: int) -> int:
    """The part of `whole` carried by `amount` of `base`, once `before` of it was taken already.

    Cumulative rounding: share = round(whole × after / base) − round(whole × before / base), so
    repeated partial takes add up to exactly `whole` once all of `base` is taken.
    """
    if base <= 0 or whole <= 0:
        return 0

    def upto(taken: int) -> int:
        return round_half_up(Decimal(whole) * Decimal(taken) / Decimal(base))

    return upto(before + amount) - upto(before)


def refund_commission_share(commission: int, total: int, refunded_before: int, amount: int) -> int:
    """The commission part of a refund of `amount` after `refunded_before` was refunded already;
    repeated partial refunds add up to exactly the whole commission."""
    return cumulative_share(commission, total, refunded_before, amount)


def refund_vat_share(
    line_vat: int, line_total: int, refunded_before: int, amount: int, *, vat_exempt: bool
) -> int:
    """The PPN returned with `amount` refunded of a line (after `refunded_before` of it): the VAT
    contained in the refunded part, so a full line refund returns exactly the line's VAT. Sembako
    (VAT-exempt) lines return none."""
    if vat_exempt:
        return 0
    return cumulative_share(line_vat, line_total, refunded_before, amount)


@dataclass(frozen=True)
class RefundableLine:
    """What is left to refund of one order line."""

    quantity: int
    unit_price: int
    line_total: int
    refunded_quantity: int = 0
    refunded_amount: int = 0

    @property
    def amount_left(self) -> int:
        return self.line_total - self.refunded_amount

    @property
    def quantity_left(self) -> int:
        return self.quantity - self.refunded_quantity


@dataclass
class LineRefundPlan:
    """The refund of named lines: amount and (when refunded by quantity) quantity per line id, or
    the errors keyed `lines.<index>.<field>` when any line is refused."""

    amounts: dict[int, int] = field(default_factory=dict)
    quantities: dict[int, int] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)


def plan_line_refund(lines: dict[int, RefundableLine], requested: list[dict]) -> LineRefundPlan:
    """Check a refund of named lines against what is left on each and price it.

    Each request names an `order_line_id` of the order (once) with either a `quantity` (1 to the
    quantity not yet refunded; it refunds quantity × unit price, capped at what is left of the
    line) or an `amount` (1 to what is left of the line).
    """
    plan = LineRefundPlan()
    seen: set[int] = set()
    for i, item in enumerate(requested):
        line_id = item["order_line_id"]
        key = f"lines.{i}"
        line = lines.get(line_id)
        if line is None:
            plan.errors[f"{key}.order_line_id"] = ["Baris tidak ada pada pesanan ini."]
            continue
        if line_id in seen:
            plan.errors[f"{key}.order_line_id"] = ["Baris ini disebut lebih dari sekali."]
            continue
        seen.add(line_id)
        if line.amount_left <= 0:
            plan.errors[f"{key}.order_line_id"] = ["Baris ini sudah dikembalikan seluruhnya."]
            continue
        quantity = item.get("quantity")
        if quantity is not None:
            if not 1 <= quantity <= line.quantity_left:
                plan.errors[f"{key}.quantity"] = [f"Antara 1 dan {line.quantity_left}."]
                continue
            plan.quantities[line_id] = quantity
            plan.amounts[line_id] = min(quantity * line.unit_price, line.amount_left)
        else:
            amount = item["amount"]
            if not 1 <= amount <= line.amount_left:
                plan.errors[f"{key}.amount"] = [f"Antara 1 dan {line.amount_left}."]
                continue
            plan.amounts[line_id] = amount
    return plan


def refund_line_shares(line_remaining: list[int], amount: int) -> list[int]:
    """How much of a refund of `amount` each line carries, in proportion to what is still
    unrefunded on each line (`line_remaining`); the shares sum exactly to `amount`.

    Splitting what remains (not re-splitting the running total) keeps every share between 0 and
    its line's remainder, so no later partial refund moves a rupiah back onto a line, and a full
    refund nets every line to exactly 0.
    """
    if amount > sum(line_remaining):
        raise ValueError("a refund cannot exceed what is left on the lines")
    return allocate(amount, line_remaining)


def order_number(period: str, order_id: int) -> str:
    """Human-readable, unique: `PKN-202611-000123` (local month of creation + the order id)."""
    return f"PKN-{period.replace('-', '')}-{order_id:06d}"


def credit_note_number(year: int, refund_id: int) -> str:
    """The nota retur of a refund: `NR-2026-000042` (local year of the refund + the refund id)."""
    return f"NR-{year}-{refund_id:06d}"


def request_hash(data: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a request body (keys sorted, no spaces)."""
    canonical = json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def auto_complete_due(ready_at: datetime, working_days: int) -> datetime:
    """When a `ready` order completes by itself (SPEC §3, AUTO_COMPLETE_DAYS): `working_days`
    working days after it became ready, at the same clock time in the city's zone; weekends, libur nasional and
    cuti bersama do not count (primitives.add_working_days). On an ordinary week an order ready
    on Monday 10:00 completes on Thursday 10:00, as it always did; one ready on Tuesday
    17 March 2026 waits until Friday 27 March over Nyepi and Lebaran. Naive UTC in and out."""
    local = to_local(ready_at)
    day = add_working_days(local.date(), working_days)
    return naive_utc(datetime.combine(day, local.timetz()))


def delivery_errors(
    delivered_on: date, received_by: str, *, accepted_on: date | None, today: date
) -> dict[str, list[str]]:
    """What is wrong with a delivery record of an office's order (empty when nothing): the day of
    the hand-over lies between the day the shop accepted the order and today (the city's local
    days), and someone at the office received it."""
    errors: dict[str, list[str]] = {}
    if delivered_on > today:
        errors["delivered_on"] = ["Tanggal serah terima tidak boleh di masa depan."]
    elif accepted_on is not None and delivered_on < accepted_on:
        errors["delivered_on"] = ["Tanggal serah terima sebelum pesanan diterima toko."]
    if len(received_by.strip()) < 2:
        errors["received_by"] = ["Tulis nama penerima di kantor."]
    return errors
