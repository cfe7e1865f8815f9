"""Small security helpers: safe redirects and the CSRF rule for API calls."""

from __future__ import annotations

from urllib.parse import urlsplit

# Endpoints that authenticate themselves another way (e.g. a signed Stripe webhook).
CSRF_EXEMPT_ENDPOINTS: set[str] = set()


def safe_next(target: str | None, default: str = "/") -> str:
    """Only a local path: no scheme or host, starting with one `/` (not `//` or `/\\`)."""
    if not target:
        return default
    target = target.strip()
    if "\\" in target or any(ord(c) < 32 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def bearer_token(headers) -> str | None:
    value = headers.get("Authorization", "")
    if value[:7].lower() == "bearer ":
        return value[7:].strip() or None
    return None
