"""Mandate compliance benchmark: one month of a city the size of Surabaya's e-Peken.

Seeds a fresh database with ASN civil servants (default 13 000, positions spread over camat,
lurah, kepala seksi and staf, some typed in odd case/spacing), 60 OPDs, 200 shops and RECORDS
spending records (default 100 000: 80% in the measured month, the rest the month before; 10% at
non-local shops, 5% refunds), then times in the same run:

- floor:        `SELECT count(*), sum(amount) FROM spending_records` (a bare scan of the same
                table that reads every row)
- reference:    `SELECT sum(amount) FROM spending_records WHERE period = ?` (one month, no join)
- report page:  `compliance_report()` — page 1 of 20 rows + the summary (what the API answers)
- all rows:     `compliance_rows()` — every ASN (what the CSV/XLSX download reads)
- by OPD:       `compliance_by_opd()`
- one ASN:      `my_mandate()` — the widget's single query

Each is run REPEAT times; the median is reported with its ratio to the floor's median. It also
checks the report against a plain Python sum over the records (the totals must agree).

    .venv/bin/python bench/mandate_compliance.py [--db sqlite|postgres] [--asn 13000] [--records 100000]

PostgreSQL uses BENCH_DATABASE_URL (or TEST_DATABASE_URL), e.g. from `bash .ci/postgres.sh start`;
a throwaway database is created and dropped there.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PERIOD, PREVIOUS = "2026-05", "2026-04"
POSITIONS = [("Camat", 31), ("Lurah", 154), ("Kepala Seksi", 1_500), ("Sekretaris", 300)]


def _pg_url(base: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    if base.startswith("postgresql://"):
        base = base.replace("postgresql://", "postgresql+psycopg://", 1)
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def database(kind: str):
    """(url, cleanup) for a fresh database of `kind`."""
    if kind == "sqlite":
        path = Path(tempfile.mkdtemp(prefix="peken-bench-")) / "mandate.db"
        return f"sqlite:///{path}", lambda: None
    from sqlalchemy import create_engine, text

    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not base:
        sys.exit("set BENCH_DATABASE_URL or TEST_DATABASE_URL (e.g. $(bash .ci/postgres.sh start))")
    name = f"peken_bench_mandate_{uuid.uuid4().hex[:6]}"
    admin = create_engine(_pg_url(base, "postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def cleanup():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return _pg_url(base, name), cleanup


def seed(db, asn: int, records: int, rng: random.Random) -> dict:
    """Bulk-insert the city with Core statements; returns the expected totals for the period."""
    from sqlalchemy import insert

    from marketplace.accounts.models import Opd, User
    from marketplace.catalog.models import Category, Product
    from marketplace.ledger.models import SpendingRecord
    from marketplace.mandate.models import MandateRule, MandateRuleLine
    from marketplace.ordering.models import Checkout, Order, OrderLine
    from marketplace.shops.models import Vendor

    s = db.session
    now = datetime(2026, 5, 15)
    s.execute(
        insert(Opd),
        [
            {"id": i, "code": f"OPD{i:03d}", "name": f"Perangkat Daerah {i:03d}"}
            for i in range(1, 61)
        ],
    )
    positions = []
    for name, count in POSITIONS:
        positions += [name] * count
    positions += ["Staf"] * max(asn - len(positions), 0)
    rng.shuffle(positions)
    odd = {"Staf": " staf", "Lurah": "LURAH", "Kepala Seksi": "kepala seksi "}
    users = [
        {
            "id": i,
            "email": f"asn{i}@bench.peken.id",
            "password_hash": "!bench",
            "name": f"ASN {i:05d}",
            "role": "civil_servant",
            "active": True,
            "nip": f"{198001010000000000 + i:018d}",
            "opd_id": 1 + i % 60,
            "position": odd.get(p, p) if i % 7 == 0 else p,
            "kelurahan": "Gubeng",
            "session_version": 1,
            "created_at": now,
        }
        for i, p in enumerate(positions[:asn], start=1)
    ]
    owners = [
        {
            "id": asn + v,
            "email": f"toko{v}@bench.peken.id",
            "password_hash": "!bench",
            "name": f"Pemilik {v}",
            "role": "vendor",
            "active": True,
            "session_version": 1,
            "created_at": now,
        }
        for v in range(1, 201)
    ]
    finance_id = asn + 1_000
    finance = [
        {
            "id": finance_id,
            "email": "finance@bench.peken.id",
            "password_hash": "!bench",
            "name": "Keuangan",
            "role": "finance",
            "active": True,
            "session_version": 1,
            "created_at": now,
        }
    ]
    for i in range(0, len(users), 2_000):
        s.execute(insert(User), users[i : i + 2_000])
    s.execute(insert(User), owners + finance)
    s.execute(
        insert(Vendor),
        [
            {
                "id": v,
                "owner_id": asn + v,
                "name": f"Toko {v}",
                "type": "kelontong",
                "status": "verified",
                "nib": f"{1234500000000 + v:013d}",
                "pkp": False,
                "kelurahan": "Gubeng",
                "kecamatan": "Gubeng",
                "address": "Jl. Bench",
                "made_in_city": v > 20,
                "umk_class": "micro",
                "created_at": now,
            }
            for v in range(1, 201)
        ],
    )
    s.execute(insert(Category), [{"id": 1, "slug": "sembako", "name": "Sembako"}])
    s.execute(
        insert(Product),
        [
            {
                "id": v,
                "vendor_id": v,
                "category_id": 1,
                "name": f"Beras {v}",
                "description": "",
                "unit": "kg",
                "price": 15_000,
                "stock": 10,
                "low_stock_threshold": 5,
                "is_active": True,
                "is_local_product": True,
                "is_pdn": True,
                "vat_exempt": True,
                "created_at": now,
                "updated_at": now,
            }
            for v in range(1, 201)
        ],
    )
    rule = s.execute(
        insert(MandateRule).returning(MandateRule.id),
        [
            {
                "effective_from": "2026-01",
                "default_amount": 100_000,
                # the seeded orders are paid, not received: count on payment (the Python check
                # sums records by their own period)
                "counts_on": "payment",
                "created_at": now,
                "updated_at": now,
            }
        ],
    ).scalar_one()
    amounts = {"Camat": 2_000_000, "Lurah": 1_000_000, "Kepala Seksi": 300_000, "Staf": 100_000}
    s.execute(
        insert(MandateRuleLine),
        [
            {"rule_id": rule, "position": p, "position_key": p.lower(), "amount": a}
            for p, a in amounts.items()
        ],
    )

    expected = defaultdict(int)
    orders, lines, spending, checkouts = [], [], [], []
    n_orders = records // 2  # two lines per order, one record per line
    for o in range(1, n_orders + 1):
        buyer = rng.randint(1, asn)
        vendor = rng.randint(1, 200)
        period_start = (
            datetime(2026, 4, 30, 17) if rng.random() < 0.8 else datetime(2026, 3, 31, 17)
        )
        at = period_start + timedelta(seconds=rng.randint(0, 29 * 86_400))
        period = PERIOD if period_start.month == 4 and period_start.day == 30 else PREVIOUS
        checkouts.append(
            {
                "id": o,
                "buyer_id": buyer,
                "idempotency_key": f"k{o}",
                "request_hash": "0" * 64,
                "total": 0,
                "fulfilment": "pickup",
                "payment_method": "sandbox",
                "created_at": at,
            }
        )
        total = 0
        for k in (1, 2):
            amount = rng.choice((15_000, 25_000, 48_000, 72_500, 120_000))
            total += amount
            line_id = 2 * o - 2 + k
            lines.append(
                {
                    "id": line_id,
                    "order_id": o,
                    "product_id": vendor,
                    "name": "Beras",
                    "unit": "kg",
                    "quantity": 1,
                    "unit_price": amount,
                    "line_total": amount,
                    "vat": 0,
                    "is_local_product": True,
                    "is_pdn": True,
                    "vat_exempt": True,
                }
            )
            refunded = rng.random() < 0.05
            value = -amount if refunded else amount  # a refund row replaces the sale in this sample
            local = vendor > 20
            spending.append(
                {
                    "occurred_at": at,
                    "period": period,
                    "year": 2026,
                    "order_id": o,
                    "order_line_id": line_id,
                    "buyer_id": buyer,
                    "channel": "asn_personal",  # their own purchases (the mandate counts no other)
                    "opd_id": 1 + buyer % 60,
                    "vendor_id": vendor,
                    "vendor_umk_class": "micro",
                    "vendor_kelurahan": "Gubeng",
                    "is_local_vendor": local,
                    "is_local_product": True,
                    "is_pdn": True,
                    "amount": value,
                    "created_at": at,
                }
            )
            if local and period == PERIOD:
                expected[buyer] += value
        orders.append(
            {
                "id": o,
                "number": f"B{o:08d}",
                "checkout_id": o,
                "buyer_id": buyer,
                "vendor_id": vendor,
                "status": "paid",
                "fulfilment": "pickup",
                "total": total,
                "vat_total": 0,
                "commission": 0,
                "refunded_total": 0,
                "created_at": at,
                "paid_at": at,
            }
        )
    for table, rows in (
        (Checkout, checkouts),
        (Order, orders),
        (OrderLine, lines),
        (SpendingRecord, spending),
    ):
        for i in range(0, len(rows), 5_000):
            s.execute(insert(table), rows[i : i + 5_000])
    s.commit()
    if db.engine.dialect.name == "postgresql":
        for table in ("users", "spending_records", "mandate_rule_lines", "opds"):
            s.execute(db.text(f"ANALYZE {table}"))
    else:
        s.execute(db.text("ANALYZE"))
    s.commit()
    by_key = {p.lower(): a for p, a in amounts.items()}
    required = {u["id"]: by_key.get(u["position"].strip().lower(), 100_000) for u in users}
    return {"finance_id": finance_id, "expected": expected, "required": required}


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def run(kind: str, asn: int, records: int, repeat: int, explain: bool = False) -> None:
    url, cleanup = database(kind)
    os.environ["DATABASE_URL"] = url
    from marketplace import create_app
    from marketplace.accounts.models import User
    from marketplace.extensions import db
    from marketplace.mandate import services

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    try:
        with app.app_context():
            db.create_all()
            t0 = time.perf_counter()
            seeded = seed(db, asn, records, random.Random(2026))
            print(
                f"[{kind}] seeded {asn:,} ASN and {records:,} spending records in "
                f"{time.perf_counter() - t0:.1f}s"
            )
            finance = db.session.get(User, seeded["finance_id"])
            asn_user = db.session.get(User, 1)
            # The floor reads every row of the same table: SQLite answers a bare count(*) from the
            # smallest index without touching rows, which would make a meaningless floor.
            floor, _ = timed(
                lambda: db.session.execute(
                    db.text("SELECT count(*), sum(amount) FROM spending_records")
                ).one(),
                repeat,
            )
            period_sum, _ = timed(
                lambda: db.session.execute(
                    db.text("SELECT sum(amount) FROM spending_records WHERE period = :p"),
                    {"p": PERIOD},
                ).scalar(),
                repeat,
            )
            rows = [
                ("floor: SELECT count(*), sum(amount) FROM spending_records", floor, None),
                ("reference: SELECT sum(amount) … WHERE period", period_sum, None),
                (
                    "report page (20 rows + summary)",
                    *timed(lambda: services.compliance_report(finance, PERIOD), repeat),
                ),
                (
                    "all rows (download)",
                    *timed(lambda: services.compliance_rows(finance, PERIOD), repeat),
                ),
                ("by OPD", *timed(lambda: services.compliance_by_opd(finance, PERIOD), repeat)),
                ("one ASN (widget)", *timed(lambda: services.my_mandate(asn_user, PERIOD), repeat)),
            ]
            if explain:
                from sqlalchemy import select

                base, _ = services.compliance_base(PERIOD)
                sql = select(base).compile(db.engine, compile_kwargs={"literal_binds": True})
                prefix = "EXPLAIN ANALYZE " if kind == "postgres" else "EXPLAIN QUERY PLAN "
                for line in db.session.execute(db.text(prefix + str(sql))):
                    print("    " + " ".join(str(v) for v in line))
            for label, seconds, _ in rows:
                print(f"  {label:<58} {seconds * 1000:8.1f} ms   ×{seconds / floor:6.1f} floor")
            page = rows[2][2]
            _, all_rows = rows[3][2]
            spent = {r["user_id"]: r["spent"] for r in all_rows}
            assert len(all_rows) == asn, "every ASN has a row"
            assert all(spent[u] == seeded["expected"].get(u, 0) for u in spent), "spent per ASN"
            assert all(r["required"] == seeded["required"][r["user_id"]] for r in all_rows), (
                "required per ASN"
            )
            assert page.extra["summary"]["spent"] == sum(seeded["expected"].values()), (
                "summary spent"
            )
            summary = page.extra["summary"]
            print(
                f"  check: totals agree with a Python sum over the records; {summary['compliant']:,} of "
                f"{summary['civil_servants']:,} compliant ({summary['rate']:.1%}), "
                f"spent Rp{summary['spent']:,}".replace(",", ".")
            )
            db.session.remove()
            db.engine.dispose()
    finally:
        cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db",
        choices=("sqlite", "postgres", "both"),
        default=None,
        help="default: sqlite, plus postgres when BENCH_DATABASE_URL/TEST_DATABASE_URL is set",
    )
    parser.add_argument("--asn", type=int, default=13_000)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--explain", action="store_true", help="print the query plan of the report")
    args = parser.parse_args()
    kinds = {"sqlite": ["sqlite"], "postgres": ["postgres"], "both": ["sqlite", "postgres"]}.get(
        args.db or "",
        ["sqlite"]
        + (
            ["postgres"]
            if os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
            else []
        ),
    )
    for kind in kinds:
        run(kind, args.asn, args.records, args.repeat, args.explain)


if __name__ == "__main__":
    main()
