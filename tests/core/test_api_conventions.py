def test_openapi_document_is_served(client):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    assert resp.json["openapi"].startswith("3.")
    assert "Error" in resp.json["components"]["schemas"]


def test_browsable_docs_render_without_internet(client):
    resp = client.get("/api/v1/docs")
    assert resp.status_code == 200
    assert b"openapi.json" in resp.data
    assert b"cdn" not in resp.data.lower()


def test_unknown_api_path_answers_the_error_shape(client):
    resp = client.get("/api/v1/no-such-thing")
    assert resp.status_code == 404
    assert resp.json["error"]["code"] == "not_found"
    assert set(resp.json["error"]) == {"code", "message", "details"}


def test_security_headers_are_set(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]


def test_an_id_too_large_for_the_database_is_a_plain_404(client):
    resp = client.get("/api/v1/products/175037558518708568064")
    assert resp.status_code == 404
    assert resp.json["error"]["code"] == "not_found"


def test_a_number_the_database_cannot_hold_is_a_422_not_a_500(client):
    resp = client.get("/api/v1/products?vendor_id=99999999999999999999999")
    assert resp.status_code == 422


def test_a_page_that_needs_login_sends_the_whole_address_back_as_next(client):
    resp = client.get("/orders?status=paid&page=2")
    assert resp.status_code in (302, 303)
    from urllib.parse import parse_qs, urlsplit

    assert parse_qs(urlsplit(resp.location).query)["next"] == ["/orders?status=paid&page=2"]


def test_using_a_token_records_when_it_was_last_used(api, app):
    from marketplace.accounts.models import ApiToken
    from marketplace.extensions import db
    from tests.factories import make_user

    api(make_user("public")).get("/api/v1/me")
    assert db.session.scalars(db.select(ApiToken.last_used_at)).one() is not None
