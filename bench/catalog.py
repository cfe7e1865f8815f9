"""Catalog read benchmark: search + `nearest` sort over a city-sized catalog.

Seeds a fresh database (SQLite file, or PostgreSQL with `--db postgres`) with 40 kelurahan in 10
kecamatan, 200 verified shops spread over them, 2,000 products and 20,000 spending records this
period (5 shops over the fair-share cap, so the listing must leave them out), then starts gunicorn
and measures, in the same run and through the same server and client:

- the floor: `GET /healthz` (one query, a tiny JSON answer);
- the searches: a civil servant living in one kelurahan asks `GET /api/v1/products?q=<word>&
  sort=nearest` (and every 4th time without a word, and a second page), so each request filters by
  words, leaves out capped shops, ranks by proximity and by this period's sales per shop, counts
  and pages.

Reports searches/s, ratio to the floor, p50/p99, non-200 answers (must be 0) and checks the answer:
the nearest shop comes first and no shop at the cap is listed.

    .venv/bin/python bench/catalog.py [--db sqlite|postgres] [--duration 10] [--clients 8]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from checkout import bench_database, floor_loop, free_port, run_phase, wait_until_warm

WORDS = [
    "Beras",
    "Minyak Goreng",
    "Telur Ayam",
    "Gula Pasir",
    "Tepung Terigu",
    "Kopi Bubuk",
    "Sambal Bawang",
    "Kerupuk Udang",
    "Batik Tulis",
    "Tas Anyaman",
]
VARIANTS = ["Premium", "Curah", "Super", "Organik", "Khas Surabaya"]
QUERIES = [
    "beras",
    "minyak",
    "telur",
    "gula",
    "kopi",
    "sambal",
    "kerupuk",
    "batik",
    "premium",
    "surabaya",
]
VENDORS, PRODUCTS_PER_VENDOR, RECORDS, CAPPED = 200, 10, 20_000, 5
HOME_KELURAHAN = "Kelurahan 3-2"


def kelurahan_of(v: int) -> tuple[str, str]:
    kec = 1 + v % 10
    return f"Kelurahan {kec}-{1 + (v // 10) % 4}", f"Kecamatan {kec}"


def seed(database_url: str) -> str:
    """Bulk-insert the catalog with Core statements; returns the buyer's bearer token."""
    os.environ["DATABASE_URL"] = database_url
    from sqlalchemy import insert

    from marketplace import create_app
    from marketplace.accounts.models import Area, User
    from marketplace.catalog.models import Category, Product
    from marketplace.extensions import db
    from marketplace.ledger.models import SpendingRecord
    from marketplace.models_base import utcnow
    from marketplace.ordering.models import Checkout, Order, OrderLine
    from marketplace.shops.models import Vendor
    from marketplace.timeutil import current_period
    from tests import factories as f

    rng = random.Random(7)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
        s = db.session
        now = utcnow().replace(microsecond=0)
        period = current_period()
        s.execute(
            insert(Area),
            [
                {"kelurahan": f"Kelurahan {k}-{j}", "kecamatan": f"Kecamatan {k}"}
                for k in range(1, 11)
                for j in range(1, 5)
            ],
        )
        s.execute(
            insert(User),
            [
                {
                    "id": 10_000 + v,
                    "email": f"toko{v}@bench.peken.id",
                    "password_hash": "!bench",
                    "name": f"Pemilik {v}",
                    "role": "vendor",
                    "active": True,
                    "session_version": 1,
                    "created_at": now,
                }
                for v in range(1, VENDORS + 1)
            ],
        )
        s.execute(
            insert(Vendor),
            [
                {
                    "id": v,
                    "owner_id": 10_000 + v,
                    "name": f"Toko {v}",
                    "type": ("kelontong", "umkm", "food_centre")[v % 3],
                    "status": "verified",
                    "nib": f"{1234500000000 + v:013d}",
                    "pkp": v % 4 == 0,
                    "kelurahan": kelurahan_of(v)[0],
                    "kecamatan": kelurahan_of(v)[1],
                    "address": "Jl. Bench",
                    "made_in_city": True,
                    "umk_class": "micro",
                    "created_at": now,
                }
                for v in range(1, VENDORS + 1)
            ],
        )
        s.execute(
            insert(Category),
            [
                {"id": 1, "slug": "sembako", "name": "Sembako"},
                {"id": 2, "slug": "umkm", "name": "Produk UMKM"},
            ],
        )
        products = []
        for v in range(1, VENDORS + 1):
            for k in range(PRODUCTS_PER_VENDOR):
                pid = (v - 1) * PRODUCTS_PER_VENDOR + k + 1
                word = WORDS[(v + k) % len(WORDS)]
                products.append(
                    {
                        "id": pid,
                        "vendor_id": v,
                        "category_id": 1 if k < 6 else 2,
                        "name": f"{word} {VARIANTS[k % len(VARIANTS)]} {pid}",
                        "description": f"{word} dari {kelurahan_of(v)[0]}, stok segar setiap hari.",
                        "unit": "kg",
                        "price": 5_000 + 500 * (pid % 97),
                        "stock": pid % 13,
                        "low_stock_threshold": 5,
                        "is_active": pid % 17 != 0,
                        "is_local_product": k >= 6,
                        "is_pdn": True,
                        "vat_exempt": k < 6,
                        "created_at": now - timedelta(minutes=pid),
                        "updated_at": now,
                    }
                )
        s.execute(insert(Product), products)
        buyer = f.make_civil_servant(kelurahan=HOME_KELURAHAN)
        checkouts, orders, lines, spending = [], [], [], []
        for o in range(1, RECORDS // 2 + 1):
            vendor = rng.randint(1, VENDORS)
            checkouts.append(
                {
                    "id": o,
                    "buyer_id": buyer.id,
                    "idempotency_key": f"k{o}",
                    "request_hash": "0" * 64,
                    "total": 0,
                    "fulfilment": "pickup",
                    "payment_method": "sandbox",
                    "created_at": now,
                }
            )
            total = 0
            for k in (1, 2):
                amount = 40_000 if vendor > CAPPED else 3_500_000  # the first shops cross the cap
                total += amount
                line_id = 2 * o - 2 + k
                lines.append(
                    {
                        "id": line_id,
                        "order_id": o,
                        "product_id": (vendor - 1) * 10 + k,
                        "name": "Beras",
                        "unit": "kg",
                        "quantity": 1,
                        "unit_price": amount,
                        "line_total": amount,
                        "vat": 0,
                        "is_local_product": False,
                        "is_pdn": True,
                        "vat_exempt": True,
                    }
                )
                spending.append(
                    {
                        "occurred_at": now,
                        "period": period,
                        "year": int(period[:4]),
                        "order_id": o,
                        "order_line_id": line_id,
                        "buyer_id": buyer.id,
                        "vendor_id": vendor,
                        "vendor_umk_class": "micro",
                        "vendor_kelurahan": kelurahan_of(vendor)[0],
                        "is_local_vendor": True,
                        "is_local_product": False,
                        "is_pdn": True,
                        "amount": amount,
                        "created_at": now,
                    }
                )
            orders.append(
                {
                    "id": o,
                    "number": f"BENCH-{o}",
                    "checkout_id": o,
                    "buyer_id": buyer.id,
                    "vendor_id": vendor,
                    "status": "completed",
                    "fulfilment": "pickup",
                    "total": total,
                    "vat_total": 0,
                    "commission": 0,
                    "refunded_total": 0,
                    "created_at": now,
                    "expires_at": now,
                    "paid_at": now,
                }
            )
        for table, rows in (
            (Checkout, checkouts),
            (Order, orders),
            (OrderLine, lines),
            (SpendingRecord, spending),
        ):
            for i in range(0, len(rows), 2_000):
                s.execute(insert(table), rows[i : i + 2_000])
        token = f.token_for(buyer)
        s.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
        db.engine.dispose()
    return token


def get(conn, path, token):
    conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    resp = conn.getresponse()
    return resp.status, resp.read()


def search_loop(port, token, seed_, stop, results):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    rng = random.Random(seed_)
    n = 0
    while not stop.is_set():
        n += 1
        q = "" if n % 4 == 0 else rng.choice(QUERIES)
        page = 2 if n % 5 == 0 else 1
        t0 = time.perf_counter()
        status, _ = get(conn, f"/api/v1/products?q={q}&sort=nearest&page={page}&per_page=20", token)
        results.append((status, time.perf_counter() - t0))


def check_answer(port, token) -> list[str]:
    """The listing is right, not only fast: nearest first, no shop at the cap."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    problems = []
    status, body = get(conn, "/api/v1/products?sort=nearest&per_page=100", token)
    data = json.loads(body)
    if status != 200 or data.get("sort") not in (None, "nearest"):
        problems.append(f"nearest listing answered {status} {str(data)[:200]}")
        return problems
    first = data["items"][0]["vendor"]
    if first.get("kelurahan") != HOME_KELURAHAN:
        problems.append(f"nearest listing starts with a shop in {first.get('kelurahan')}")
    capped = [p["id"] for p in data["items"] if p["vendor"]["id"] <= CAPPED]
    status, body = get(conn, "/api/v1/products?q=beras&sort=nearest&per_page=100", token)
    capped += [p["id"] for p in json.loads(body)["items"] if p["vendor"]["id"] <= CAPPED]
    if capped:
        problems.append(f"products of shops at the cap are listed: {capped[:5]}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="peken-bench-")
    database_url, drop_database = bench_database(args.db, tmp)

    print(
        f"seeding {args.db}: {VENDORS} shops, {VENDORS * PRODUCTS_PER_VENDOR} products, "
        f"{RECORDS} spending records…",
        flush=True,
    )
    token = seed(database_url)
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
        problems = check_answer(port, token)
        print(f"floor: GET /healthz for {args.duration:.0f}s…", flush=True)
        floor = run_phase(floor_loop, [(port,)] * args.clients, args.duration)
        print(
            f"search: {args.clients} clients, q + sort=nearest for {args.duration:.0f}s…",
            flush=True,
        )
        rush = run_phase(
            search_loop, [(port, token, i) for i in range(args.clients)], args.duration
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        drop_database()

    floor_rps = len(floor) / args.duration
    rps = len(rush) / args.duration
    errors = [s for s, _ in rush if s != 200]
    lat = sorted(d for _, d in rush) or [0.0]
    report = {
        "db": args.db,
        "floor_healthz_rps": round(floor_rps, 1),
        "searches_per_s": round(rps, 1),
        "ratio_search_to_floor": round(rps / floor_rps, 3) if floor_rps else None,
        "p50_ms": round(statistics.median(lat) * 1000, 1),
        "p99_ms": round(lat[int(len(lat) * 0.99) - 1 if len(lat) > 1 else 0] * 1000, 1),
        "non_200": len(errors),
        "problems": problems,
    }
    print(json.dumps(report, indent=2))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"catalog-{args.db}.json").write_text(json.dumps(report, indent=2))
    return 1 if errors or problems else 0


if __name__ == "__main__":
    sys.exit(main())
