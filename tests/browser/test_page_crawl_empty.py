"""The first day: every role's pages on a phone before anything has happened. List pages say
that they are empty (m.empty) instead of showing a bare table, and nothing breaks for lack of
data (no 5xx, no "None", no horizontal scrolling)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from marketplace.extensions import db
from marketplace.procurement.models import OfficeRole
from marketplace.timeutil import current_period
from tests.browser.test_page_crawl import ACCESS, ANON, DOWNLOADS, ROLES, _page_rules, _problems
from tests.factories import make_civil_servant, make_user, make_vendor

# Pages that list things, by role; on an empty world each must show its empty state.
EMPTY_LISTS = {
    ANON: ["/products"],
    "civil_servant": ["/orders", "/cart", "/notifications", "/opd", "/opd/cart"],
    "public": ["/orders", "/cart", "/notifications"],
    "vendor": [
        "/shop/orders",
        "/shop/products",
        "/shop/payouts",
        "/shop/pick-list",
        "/notifications",
    ],
    "finance": [
        "/finance/payouts",
        "/finance/reconciliations",
        "/finance/ledger",
        "/finance/audit",
        "/finance/compliance",
        "/notifications",
    ],
    "admin": [
        "/admin/vendors",
        "/admin/categories",
        "/finance/payouts",
        "/finance/reconciliations",
        "/finance/ledger",
        "/finance/audit",
    ],
}


@pytest.mark.parametrize("role", ROLES)
def test_an_empty_world_shows_empty_states_and_nothing_breaks(
    role, app, page, live_server, browser_login
):
    if role == ANON:
        who = None
    elif role == "civil_servant":
        who = make_civil_servant(name="ASN Baru")
        for office_role in ("officer", "head"):  # the office's pages (procurement)
            db.session.add(OfficeRole(opd_id=who.opd_id, user_id=who.id, role=office_role))
    elif role == "vendor":
        who = make_vendor(name="Toko Baru").owner
    else:
        who = make_user(role, name=f"Pengguna {role}")
    login = SimpleNamespace(email=who.email) if who else None
    db.session.commit()
    db.session.close()  # no open transaction while the browser works (SQLite has one writer)

    if login:
        browser_login(page, login)
        assert "/login" not in page.url
    ids = {"year": [int(current_period()[:4])]}
    visited, problems = [], []
    for rule in _page_rules(app):
        if role not in ACCESS[rule] or rule in DOWNLOADS:
            continue
        params = re.findall(r"<(?:\w+:)?(\w+)>", rule)
        if params and params[0] not in ids:
            continue  # no object of that kind exists yet
        path = re.sub(r"<(?:\w+:)?\w+>", str(ids[params[0]][0]), rule) if params else rule
        if path == "/checkout":
            continue  # an empty cart is sent back to the cart (covered by /cart)
        resp = page.goto(f"{live_server}{path}")
        visited.append(path)
        problems += [f"{path}: {p}" for p in _problems(page, path, resp.status if resp else 0)]
        if path in EMPTY_LISTS[role] and not page.locator("main .empty").count():
            problems.append(f"{path}: no empty-state message")
    print(f"{role} (empty world): crawled {' '.join(visited)}")
    assert set(EMPTY_LISTS[role]) <= set(visited)
    assert not problems, f"{role} (empty world):\n  " + "\n  ".join(problems)
