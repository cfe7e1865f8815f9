"""Ledger rules with no database: the fair-share cap and the buyer channels."""

from __future__ import annotations


def vendor_cap_state(sales: int, cap: int) -> str:
    """`open` below the cap, `reached` at or over it (a checkout may cross it once)."""
    return "reached" if sales >= cap else "open"


def is_at_cap(sales: int, cap: int) -> bool:
    """Whether a shop with `sales` this period is at or over `cap`: not listed, not purchasable."""
    return vendor_cap_state(sales, cap) == "reached"


# ---------------------------------------------------------------- channels
# Who paid, out of which money. Targets (UMK, PDN, local; Perpres 12/2021 art. 65, Inpres 2/2022)
# count the government's own goods-and-services budget: purchases by an OPD. Civil servants' own
# salary spending (the mandate) and citizens' purchases are the programme's reach, never realisation.
ASN_PERSONAL = "asn_personal"
PUBLIC = "public"
OPD_PROCUREMENT = "opd_procurement"
CHANNELS = (ASN_PERSONAL, PUBLIC, OPD_PROCUREMENT)
TARGET_CHANNELS = (OPD_PROCUREMENT,)
REACH_CHANNELS = (ASN_PERSONAL, PUBLIC)
_CHANNEL_OF_ROLE = {"civil_servant": ASN_PERSONAL, "public": PUBLIC}


def channel_for_buyer(role: str) -> str:
    """The channel of a purchase by a user with `role`: a civil servant buys with their own
    salary (`asn_personal`), anyone else who may buy is the `public`. OPD procurement is placed
    by an office's purchasing account, never inferred from a person's role."""
    return _CHANNEL_OF_ROLE.get(role, PUBLIC)


def counts_for_targets(channel: str) -> bool:
    """Whether spending in `channel` is realisation of the UMK/PDN/local targets."""
    return channel in TARGET_CHANNELS


# ---------------------------------------------------------------- closed months
def booking_period(sale_period: str, now_period: str, closed: bool) -> tuple[str, str | None]:
    """Where a refund share of a sale in `sale_period` is booked, as (period, adjusts_period):
    in the sale's own month while that month is open (so the month stays net of its refunds);
    once finance closed it, in the month the refund happens (`now_period`), naming the closed
    month it corrects."""
    if closed and now_period != sale_period:
        return now_period, sale_period
    return sale_period, None


def can_close(period: str, now_period: str) -> bool:
    """Only a month that has ended may be closed (periods are YYYY-MM, so they sort as text)."""
    return period < now_period
