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


def safe_referrer(referrer: str | None, host: str, default: str = "/") -> str:
    """The path of a same-site Referer header, else `default`: a forged or off-site Referer
    must never send the user elsewhere (ASVS 3.7.2)."""
    if not referrer:
        return default
    parts = urlsplit(referrer.strip())
    if parts.scheme not in ("", "http", "https") or (parts.netloc and parts.netloc != host):
        return default
    if not parts.netloc and parts.scheme:
        return default
    return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""), default)
