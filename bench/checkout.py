"""Payday-rush benchmark: many buyers check out the same hot product at once.

Starts gunicorn on a fresh database (SQLite file, or PostgreSQL with BENCH_DATABASE_URL), seeds one
verified shop with a product of STOCK units and BUYERS buyers, then fires concurrent
cart→checkout→sandbox-pay flows for DURATION seconds. In the same run it measures a floor: the
rate of `GET /healthz` (a one-query JSON answer) through the same server and client.

Reports checkout rate, p50/p99 latency, the ratio checkout/floor, non-409 errors (must be 0) and
the oversell invariant (orders sold == initial stock − stock left, stock never below 0).

    .venv/bin/python bench/checkout.py [--db sqlite|postgres] [--duration 15] [--clients 16]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def bench_database(db: str, tmp: str):
    """A fresh database for one run → (url, drop): a SQLite file under `tmp`, or a throwaway
    PostgreSQL database on BENCH_DATABASE_URL (default: the test server of .ci/postgres.sh)."""
    if db != "postgres":
        return f"sqlite:///{tmp}/bench.db", lambda: None
    from sqlalchemy import create_engine, text

    from tests.conftest import _pg_url

    base = (
        os.environ.get("BENCH_DATABASE_URL")
        or subprocess.check_output(
            ["bash", str(ROOT / ".ci/postgres.sh"), "start"], text=True
        ).strip()
    )
    name = f"peken_bench_{uuid.uuid4().hex[:6]}"
    admin = create_engine(_pg_url(base, "postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:  # leave no benchmark database behind
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return _pg_url(base, name), drop


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(database_url: str, stock: int, buyers: int) -> list[tuple[str, int]]:
    """Fresh schema, one shop with one product, `buyers` buyers with tokens → [(token, product_id)]."""
    os.environ["DATABASE_URL"] = database_url
    from marketplace import create_app
    from marketplace.extensions import db
    from tests import factories as f

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
        vendor = f.make_vendor()
        product = f.make_product(vendor, stock=stock, price=15_000, name="Beras Premium 5 kg")
        tokens = [f.token_for(f.make_civil_servant()) for _ in range(buyers)]
        db.session.commit()
        pid = product.id
        db.engine.dispose()
    return [(t, pid) for t in tokens]


def call(conn, method, path, token, body=None, headers=None):
    hdrs = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        **(headers or {}),
    }
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=hdrs)
    resp = conn.getresponse()
    data = resp.read()
    return resp.status, data


def buyer_loop(port, token, pid, stop, results):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while not stop.is_set():
        t0 = time.perf_counter()
        status, _ = call(conn, "PUT", f"/api/v1/cart/items/{pid}", token, {"quantity": 1})
        if status == 200:
            status, data = call(
                conn,
                "POST",
                "/api/v1/checkout",
                token,
                {"fulfilment": "pickup", "payment_method": "sandbox"},
                {"Idempotency-Key": uuid.uuid4().hex},
            )
            if status == 201:
                pay = json.loads(data)["payment"]["id"]
                status, _ = call(
                    conn,
                    "POST",
                    f"/api/v1/payments/{pay}/sandbox-confirm",
                    token,
                    {"outcome": "succeeded"},
                )
                status = 201 if status == 200 else status
        results.append((status, time.perf_counter() - t0))


def floor_loop(port, stop, results):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while not stop.is_set():
        t0 = time.perf_counter()
        conn.request("GET", "/healthz")
        resp = conn.getresponse()
        resp.read()
        results.append((resp.status, time.perf_counter() - t0))


def wait_until_warm(port: int, workers: int) -> None:
    """gunicorn binds before its workers have booted the app: wait until every worker answers."""
    deadline = time.time() + 120
    answered = 0
    while answered < workers * 4 and time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                answered += 1
            conn.close()
        except OSError:
            time.sleep(0.2)


def run_phase(target, args_list, duration):
    stop = threading.Event()
    results: list[tuple[int, float]] = []
    threads = [
        threading.Thread(target=target, args=(*a, stop, results), daemon=True) for a in args_list
    ]
    for t in threads:
        t.start()
    time.sleep(duration)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--stock", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="peken-bench-")
    database_url, drop_database = bench_database(args.db, tmp)

    print(f"seeding {args.db}: stock {args.stock}, {args.clients} buyers…", flush=True)
    buyers = seed(database_url, args.stock, args.clients)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "RATELIMIT_ENABLED": "false",
        "SECRET_KEY": "bench",
        "PEKEN_INSTANCE_PATH": tmp,
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        wait_until_warm(port, args.workers)
        print(f"floor: GET /healthz for {args.duration:.0f}s…", flush=True)
        floor = run_phase(floor_loop, [(port,)] * args.clients, args.duration)
        print(f"rush: {args.clients} buyers checking out for {args.duration:.0f}s…", flush=True)
        rush = run_phase(buyer_loop, [(port, t, p) for t, p in buyers], args.duration)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    from marketplace import create_app
    from marketplace.catalog.models import Product
    from marketplace.extensions import db
    from marketplace.ordering.models import Order

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        left = db.session.scalar(db.select(Product.stock))
        sold = db.session.scalar(
            db.select(db.func.count())
            .select_from(Order)
            .where(Order.status.in_(("pending_payment", "paid")))
        )
        db.engine.dispose()

    floor_rps = len(floor) / args.duration
    ok = [d for s, d in rush if s == 201]
    refused = sum(1 for s, _ in rush if s == 409)
    errors = [s for s, _ in rush if s not in (201, 409)]
    flows_rps = len(rush) / args.duration
    lat = sorted(d for _, d in rush) or [0.0]
    report = {
        "db": args.db,
        "floor_healthz_rps": round(floor_rps, 1),
        "checkout_flows_per_s": round(flows_rps, 1),
        "ratio_checkout_to_floor": round(flows_rps / floor_rps, 3) if floor_rps else None,
        "p50_ms": round(statistics.median(lat) * 1000, 1),
        "p99_ms": round(lat[int(len(lat) * 0.99) - 1 if len(lat) > 1 else 0] * 1000, 1),
        "sold": len(ok),
        "refused_409": refused,
        "non_409_errors": len(errors),
        "stock_initial": args.stock,
        "stock_left": left,
        "orders_holding_stock": sold,
        "oversold": args.stock - left != sold or left < 0,
    }
    print(json.dumps(report, indent=2))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"checkout-{args.db}.json").write_text(json.dumps(report, indent=2))
    drop_database()
    return 1 if report["oversold"] or report["non_409_errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
