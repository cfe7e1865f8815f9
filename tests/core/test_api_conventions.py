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
