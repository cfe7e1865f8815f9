"""The mandate's receivers: when finance closes a month, freeze every civil servant's standing in
it (inside the closing transaction) and hand the summary to the month's snapshot; once the close
committed, send the month-end lists to office heads and readers (`month_end`); warn the roster
import of positions that match no class."""

from __future__ import annotations

from typing import Any

from marketplace.mandate import month_end
from marketplace.mandate.positions import roster_warnings
from marketplace.mandate.services import freeze_compliance
from marketplace.signals import period_closed, period_closing, roster_checking


@period_closing.connect
def freeze_on_close(period: str, **_kw) -> dict[str, Any]:
    return {"mandate": freeze_compliance(period)}


@period_closed.connect
def month_end_on_close(period: str, **_kw) -> None:
    month_end.send_on_close(period)


@roster_checking.connect
def warn_unmatched_positions(_actor, rows, **_kw) -> list[dict[str, Any]]:
    return roster_warnings(rows)
