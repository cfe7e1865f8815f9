"""Shared helpers of the security tests."""

from __future__ import annotations

from urllib.parse import urlsplit

from marketplace.extensions import db
from tests.factories import make_completed_order, make_product, make_user, make_vendor

# Ways to send a browser off-site through a redirect target (ASVS 3.7.2; PYSEC-2021-123).
EVIL_TARGETS = [
    "//evil.com",
    "/\\evil.com",
    "\\\\evil.com",
    "https://evil.com",
    "https:/evil.com",
    "http://evil.com/orders",
    "javascript:alert(1)",
    "/\t/evil.com",
    " //evil.com",
]


def assert_stays_on_site(resp) -> str:
    """The response redirects to a path of this site, never elsewhere."""
    assert resp.status_code in (301, 302, 303, 307, 308), (resp.status_code, resp.data[:300])
    location = resp.headers["Location"]
    parts = urlsplit(location)
    assert parts.scheme in ("", "http"), location
    assert parts.netloc in ("", "localhost"), location
    assert location.startswith("/") or parts.netloc == "localhost", location
    assert not location.startswith(("//", "/\\")), location
    return location


def make_manual_payout(finance=None):
    """One manual payout of a banked shop, through the real services (committed)."""
    from marketplace.payouts import services as payouts

    finance = finance or make_user("finance")
    vendor = make_vendor(
        bank_name="Bank Jatim", bank_account_number="0011223344", bank_account_name="Siti Aminah"
    )
    make_completed_order(items=[(make_product(vendor, price=50_000), 1)])
    run = payouts.run_payouts(finance, adapter="manual")
    db.session.commit()
    return run.payouts[0]
