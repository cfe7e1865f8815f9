"""Admin routes of the ordering area: the per-vendor fair-share cap of each local period (the
finance role may read the caps too)."""

from __future__ import annotations

from marketplace.api import endpoint, require_role
from marketplace.ordering import bp, caps
from marketplace.ordering.schemas import CapBody, CapSchema


@endpoint(
    bp,
    "/admin/caps/<period>",
    "PUT",
    summary="Set a period's fair-share cap",
    roles=("admin",),
    body=CapBody,
    response=CapSchema,
    tag="admin",
)
def put_cap(period, data):
    """An admin sets the per-vendor sales cap for one local period (YYYY-MM); audited."""
    return caps.set_period_cap(require_role("admin"), period, data["amount"])


@endpoint(bp, "/admin/caps", summary="Fair-share caps", roles=("admin", "finance"), tag="admin")
def get_caps():
    """Caps set per period plus the default and the current period's cap."""
    data = caps.list_caps()
    return {**data, "items": CapSchema(many=True).dump(data["items"])}
