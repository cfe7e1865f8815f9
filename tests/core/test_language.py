"""The language switch changes stored state (the session and the signed-in user's locale), so
it is a POST with the CSRF token; a GET only reads: a followed or prefetched link, or `?lang=`,
changes nothing."""

import re

from marketplace.accounts.models import User
from marketplace.extensions import db
from tests.factories import make_user


def _lang(resp) -> str:
    return re.search(r'<html lang="(\w+)"', resp.get_data(as_text=True)).group(1)


def test_following_the_language_link_stores_nothing(client, login):
    user = make_user()
    db.session.commit()
    login(client, user)
    page = client.get("/language/en", query_string={"next": "/products"})
    assert page.status_code == 200 and _lang(page) == "en"  # shown in English, to choose
    html = page.get_data(as_text=True)
    assert 'method="post"' in html and "Use this language" in html
    assert _lang(client.get("/")) == "id"
    db.session.expire_all()
    assert db.session.get(User, user.id).locale is None


def test_a_lang_query_shows_one_page_only(client):
    assert _lang(client.get("/?lang=en")) == "en"
    assert _lang(client.get("/")) == "id"


def test_posting_the_switch_stores_the_language_for_the_browser_and_the_account(client, login):
    user = make_user()
    db.session.commit()
    login(client, user)
    resp = client.post("/language/en", data={"next": "/products"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/products"
    assert _lang(client.get("/")) == "en"
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"


def test_the_switch_needs_the_csrf_token(make_app):
    strict = make_app(WTF_CSRF_ENABLED=True)
    client = strict.test_client()
    home = client.get("/").get_data(as_text=True)
    refused = client.post("/language/en", data={"next": "/products"})
    assert refused.headers.get("Location") != "/products"  # the CSRF error, not the switch
    assert _lang(client.get("/")) == "id"
    form = re.search(r'<form method="post" action="/language/en".*?</form>', home, re.DOTALL).group(
        0
    )
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    resp = client.post("/language/en", data={"csrf_token": token, "next": "/"})
    assert resp.status_code == 302
    assert _lang(client.get("/")) == "en"
