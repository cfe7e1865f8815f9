"""Small readers for server-rendered pages' query strings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MAX_PAGE = 1_000_000  # the API's PageQuery allows the same range


def page_arg(args: Mapping[str, Any], name: str = "page") -> int:
    """`?page=` of a page view as an int within 1…1 000 000; absent, blank, garbage (`abc`,
    `1.5`), zero or negative → 1, too large → 1 000 000. Never raises."""
    raw = args.get(name)
    try:
        number = int(str(raw).strip())
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


def page_query(args: Mapping[str, Any]) -> dict[str, Any]:
    """A page view's query string as a dict for its API query schema, with `page` already read
    by `page_arg` (when given), so `?page=abc` shows the first page instead of an error."""
    values = dict(args.items()) if hasattr(args, "items") else dict(args)
    if "page" in values:
        values["page"] = page_arg(values)
    return values
