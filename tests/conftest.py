"""Fixtures for every layer. The database is SQLite by default; set TEST_DATABASE_URL to a
PostgreSQL server URL (e.g. postgresql://postgres@127.0.0.1:55432/postgres) to run the same
suite on PostgreSQL. Each pytest run (and each xdist worker) gets its own database.
"""

from __future__ import annotations

import os
import uuid

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from marketplace import create_app
from marketplace.extensions import db
from tests import hypothesis_profiles

hypothesis_profiles.register()

PG_URL = os.environ.get("TEST_DATABASE_URL", "")


def _pg_url(base: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(
        base.replace("postgresql://", "postgresql+psycopg://", 1)
        if base.startswith("postgresql://")
        else base
    )
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id):
    if not PG_URL:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", uuid.uuid4().hex)[:8]
    name = f"peken_test_{run}_{worker_id}".lower()
    admin = create_engine(_pg_url(PG_URL, "postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield _pg_url(PG_URL, name)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def is_postgres(database_url) -> bool:
    return database_url.startswith("postgresql")


def test_config(database_url, tmp_path_factory, **overrides):
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        # Flask-Limiter's memory is shared by every app of a test process: a test of the
        # per-address limit sets its own.
        "LOGIN_ADDRESS_LIMIT": "10000 per minute",
        "SERVER_NAME": None,
        "UPLOAD_FOLDER": str(tmp_path_factory.mktemp("uploads")),
        "EVIDENCE_FOLDER": str(tmp_path_factory.mktemp("evidence")),
        "STRIPE_SECRET_KEY": "",
        "STRIPE_WEBHOOK_SECRET": "",
        "SMTP_HOST": "",
        "PROPAGATE_UNEXPECTED": False,
    }
    config.update(overrides)
    return config


class FreshGlobalsClient(FlaskClient):
    """Each request starts with an empty `g`, as in production.

    Tests keep an app context pushed, and Flask reuses it for the requests they make, so without
    this the logged-in user (Flask-Login) and the locale (Flask-Babel) cached on `g` by one
    request would leak into the next.
    """

    def open(self, *args, **kwargs):
        from flask.globals import _cv_app

        ctx = _cv_app.get(None)
        if ctx is not None and ctx.app is self.application:
            ctx.g.__dict__.clear()
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def _app(database_url, tmp_path_factory):
    app = create_app(test_config(database_url, tmp_path_factory))
    app.test_client_class = FreshGlobalsClient
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def _clean(app) -> None:
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in db.metadata.sorted_tables]
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                conn.execute(
                    text(
                        "TRUNCATE "
                        + ", ".join(f'"{t}"' for t in tables)
                        + " RESTART IDENTITY CASCADE"
                    )
                )
            else:
                for t in reversed(tables):
                    conn.execute(text(f'DELETE FROM "{t}"'))


@pytest.fixture
def app(_app):
    """The app with an app context pushed; tables are emptied and config restored after."""
    saved = dict(_app.config)
    ctx = _app.app_context()
    ctx.push()
    yield _app
    db.session.remove()
    ctx.pop()
    _app.config.clear()
    _app.config.update(saved)
    _clean(_app)


@pytest.fixture
def make_app(database_url, tmp_path_factory):
    """Build a separate app with other settings (CSRF or rate limits on, Stripe configured…)."""
    built = []

    def factory(**overrides):
        application = create_app(test_config(database_url, tmp_path_factory, **overrides))
        application.test_client_class = FreshGlobalsClient
        built.append(application)
        return application

    yield factory
    for application in built:
        _clean(application)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class ApiClient:
    """A test client that sends `Authorization: Bearer <token>` for one user."""

    def __init__(self, flask_client, token: str | None):
        self.client = flask_client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _call(self, method, url, json=None, headers=None, **kw):
        merged = {**self.headers, **(headers or {})}
        return getattr(self.client, method)(url, json=json, headers=merged, **kw)

    def get(self, url, **kw):
        return self._call("get", url, **kw)

    def post(self, url, json=None, **kw):
        return self._call("post", url, json=json, **kw)

    def put(self, url, json=None, **kw):
        return self._call("put", url, json=json, **kw)

    def patch(self, url, json=None, **kw):
        return self._call("patch", url, json=json, **kw)

    def delete(self, url, **kw):
        return self._call("delete", url, **kw)


@pytest.fixture
def api(app):
    """`api(user)` → an ApiClient authenticated as `user`; `api()` → anonymous."""
    from tests.factories import token_for

    def factory(user=None):
        return ApiClient(app.test_client(), token_for(user) if user else None)

    return factory


@pytest.fixture
def login(app):
    """`login(client, user)` logs a browser-style session in (password `peken-test-pass`)."""

    def do_login(flask_client, user, password="peken-test-pass"):
        resp = flask_client.post("/login", data={"email": user.email, "password": password})
        assert resp.status_code in (302, 303), resp.data[:500]
        return flask_client

    return do_login


def pytest_collection_modifyitems(config, items):
    """postgres_only tests need real parallel connections; they are skipped on SQLite."""
    if PG_URL:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set TEST_DATABASE_URL)")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def worker_id(request):
    if hasattr(request.config, "workerinput"):
        return request.config.workerinput["workerid"]
    return "master"
