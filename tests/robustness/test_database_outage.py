"""Issue 10 part 9: while the database cannot be reached, the API answers 503 with Retry-After
in the error shape and pages show a friendly 503 (rendered without the layout, which would read
the database again) — never a 500."""

import logging

import pytest
from sqlalchemy.exc import OperationalError

from marketplace import create_app
from marketplace.errors import database_unavailable

UNREACHABLE = "postgresql+psycopg://peken:x@127.0.0.1:1/peken"  # nothing listens on port 1


@pytest.fixture
def down(tmp_path):
    logging.disable(logging.CRITICAL)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": UNREACHABLE,
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        }
    )
    yield app.test_client()
    logging.disable(logging.NOTSET)


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("get", "/api/v1/products", None),
        ("get", "/api/v1/categories", None),
        ("post", "/api/v1/auth/token", {"email": "a@peken.id", "password": "rahasia-sekali"}),
    ],
)
def test_the_api_answers_503_with_retry_after_while_the_database_is_down(down, method, path, body):
    resp = getattr(down, method)(path, json=body) if body else getattr(down, method)(path)
    assert resp.status_code == 503
    assert int(resp.headers["Retry-After"]) > 0
    assert resp.json["error"]["code"] == "service_unavailable"
    assert set(resp.json["error"]) == {"code", "message", "details"}


def test_pages_show_a_friendly_503(down):
    resp = down.get("/")
    assert resp.status_code == 503 and "Retry-After" in resp.headers
    page = resp.get_data(as_text=True)
    assert "tidak tersedia" in page and 'lang="id"' in page


def test_only_an_unreachable_database_is_a_503():
    def err(message):
        return OperationalError("SELECT 1", {}, Exception(message))

    assert database_unavailable(err("connection failed: Connection refused"))
    assert database_unavailable(err("server closed the connection unexpectedly"))
    assert database_unavailable(err("database is locked"))
    assert not database_unavailable(err("no such table: categories"))
    assert not database_unavailable(err('syntax error at or near "SELEC"'))
