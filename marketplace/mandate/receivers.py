"""The mandate's receivers: when finance closes a month, freeze every civil servant's standing in
it (inside the closing transaction) and hand the summary to the month's snapshot."""

from __future__ import annotations

from typing import Any

from marketplace.mandate.services import freeze_compliance
from marketplace.signals import period_closing


@period_closing.connect
def freeze_on_close(period: str, **_kw) -> dict[str, Any]:
    return {"mandate": freeze_compliance(period)}
