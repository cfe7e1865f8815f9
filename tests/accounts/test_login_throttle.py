"""The failed sign-in limit holds across worker processes: it is counted in the database, not
in one worker's memory (with Flask-Limiter's memory storage 4 gunicorn workers let 10–26
failures a minute through instead of 5)."""

import multiprocessing
import time

import pytest

from marketplace import create_app
from marketplace.accounts.models import LoginThrottle
from marketplace.extensions import db
from tests.conftest import test_config as config_for
from tests.factories import make_user

EMAIL = "sasaran@test.peken.id"
ADDRESS = "203.0.113.9"
LIMIT = 5


def _attempts(config, count, start, results) -> None:
    """One worker process: its own app and database connections, `count` wrong passwords."""
    app = create_app(config)
    client = app.test_client()
    start.wait()
    codes = []
    for _ in range(count):
        resp = client.post(
            "/api/v1/auth/token",
            json={"email": EMAIL, "password": "tebakan-yang-salah"},
            environ_base={"REMOTE_ADDR": ADDRESS},
        )
        if resp.status_code == 429:
            assert set(resp.json["error"]) == {"code", "message", "details"}
            assert resp.json["error"]["code"] == "too_many_requests"
        codes.append(resp.status_code)
    with app.app_context():
        db.engine.dispose()
    results.put(codes)


def _wait_for_a_fresh_window(seconds: int = 3600, margin: int = 60) -> None:
    """The windows are fixed (aligned to the epoch): never start a run just before one ends."""
    left = seconds - time.time() % seconds
    if left < margin:
        time.sleep(left + 1)


@pytest.mark.parametrize("workers", [2, 4])
def test_failed_sign_ins_past_the_limit_are_refused_whatever_the_worker_count(
    make_app, database_url, tmp_path_factory, workers
):
    config = config_for(
        database_url,
        tmp_path_factory,
        RATELIMIT_ENABLED=True,
        LOGIN_FAILURE_LIMIT=f"{LIMIT} per hour",
    )
    limited = make_app(RATELIMIT_ENABLED=True, LOGIN_FAILURE_LIMIT=f"{LIMIT} per hour")
    with limited.app_context():
        make_user(email=EMAIL)
        db.session.commit()
        db.session.remove()
    _wait_for_a_fresh_window()

    ctx = multiprocessing.get_context("fork")
    start, results = ctx.Barrier(workers), ctx.Queue()
    per_worker = 4
    procs = [
        ctx.Process(target=_attempts, args=(config, per_worker, start, results))
        for _ in range(workers)
    ]
    for proc in procs:
        proc.start()
    codes = [code for _ in procs for code in results.get(timeout=120)]
    for proc in procs:
        proc.join(timeout=30)
        assert proc.exitcode == 0

    assert len(codes) == workers * per_worker
    assert codes.count(401) == LIMIT  # exactly the limit got their password checked
    assert codes.count(429) == workers * per_worker - LIMIT

    client = limited.test_client()
    right = {"email": EMAIL, "password": "peken-test-pass"}
    refused = client.post("/api/v1/auth/token", json=right, environ_base={"REMOTE_ADDR": ADDRESS})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0  # the client knows when to come back
    assert refused.json["error"]["code"] == "too_many_requests"
    # another address is counted apart (nobody locks a user out from elsewhere)
    assert (
        client.post(
            "/api/v1/auth/token", json=right, environ_base={"REMOTE_ADDR": "198.51.100.7"}
        ).status_code
        == 200
    )


def test_the_count_is_a_database_row_per_address_and_email_not_the_email_itself(make_app):
    limited = make_app(RATELIMIT_ENABLED=True, LOGIN_FAILURE_LIMIT="5 per minute")
    with limited.app_context():
        make_user(email=EMAIL)
        db.session.commit()
    client = limited.test_client()
    for _ in range(2):
        client.post("/api/v1/auth/token", json={"email": EMAIL, "password": "salah-salah"})
    client.post("/api/v1/auth/token", json={"email": EMAIL, "password": "peken-test-pass"})
    with limited.app_context():
        rows = db.session.scalars(db.select(LoginThrottle)).all()
        assert [r.failures for r in rows] == [2]  # the success gave its slot back
        assert EMAIL not in rows[0].key and len(rows[0].key) == 64
        db.session.remove()


def test_many_emails_from_one_address_hit_the_address_limit(make_app):
    from marketplace.extensions import limiter

    limited = make_app(
        RATELIMIT_ENABLED=True,
        LOGIN_FAILURE_LIMIT="5 per minute",
        LOGIN_ADDRESS_LIMIT="3 per minute",
    )
    client = limited.test_client()
    spray = "192.0.2.44"
    try:
        codes = [
            client.post(
                "/api/v1/auth/token",
                json={"email": f"orang{i}@test.peken.id", "password": "salah-salah"},
                environ_base={"REMOTE_ADDR": spray},
            ).status_code
            for i in range(4)
        ]
        assert codes == [401, 401, 401, 429]
    finally:
        limiter.reset()
