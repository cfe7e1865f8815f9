"""Separation of duties: money moves only by finance's hand.

SPEC §2: finance runs payouts, refunds and reconciliations; admins verify shops and set the
city's rules. An admin who could also refund or pay out could approve a shop and then send it
money alone, so every money-moving service asks `require_money_mover(actor)` whatever its
caller (API, page, CLI, demo) checked already.
"""

from __future__ import annotations

from marketplace.errors import Forbidden

MONEY_MOVERS = ("finance",)


def may_move_money(actor) -> bool:
    """Whether `actor` may refund, pay out or reconcile (pages use it to show the buttons)."""
    return actor is not None and getattr(actor, "role", None) in MONEY_MOVERS


def require_money_mover(actor, *, system: bool = False) -> None:
    """403 forbidden unless `actor` is finance. `system=True` also lets a scheduled job with no
    actor through (cron's `payouts-run` without --actor-email)."""
    if actor is None and system:
        return
    if not may_move_money(actor):
        raise Forbidden(
            "Hanya bagian keuangan yang dapat memindahkan uang "
            "(pengembalian dana, pembayaran ke toko, rekonsiliasi)."
        )
