"""Register export benchmark: does a year of a whole city's lines never sit in memory?

Seeds a fresh database with the rows the line-level transaction register joins — civil servants
(NIP, OPD) and public buyers, 60 OPDs, 200 shops (NIB, NPWP) with a product each, checkouts,
paid orders, order lines, one succeeded payment per checkout, spending records over the three
channels and ~3% partial refunds (a negative row with its refund, every other one naming its
line in refund_lines) — ROWS register rows in 2026 (the large set) and ROWS/10 in 2025 (the small
set), then measures with tracemalloc the peak
Python memory of consuming, chunk by chunk and discarding each, the API's downloads:

- csv small:     `csv_chunks(REGISTER_COLUMNS, register_rows(register_query(year=2025)))`
- csv large:     the same for 2026 (10× the rows)
- xlsx large:    `xlsx_chunks(...)` for 2026
- materialised:  `list(register_rows(register_query(year=2026)))` — what an export that built
                 the file from a list would hold at least (the reference)

Gate (higher is better): materialised peak ÷ streamed CSV peak on the large set. The run fails
when the CSV peak on the large set is more than 2× the small set's (+2 MB), or when a CSV does not
have exactly the seeded rows and amount sum, or the XLSX not the seeded number of rows.
Times are informational (measured with tracemalloc on, which slows allocation).

    .venv/bin/python bench/register_export.py [--db sqlite|postgres|both] [--rows 200000]

PostgreSQL uses BENCH_DATABASE_URL (or TEST_DATABASE_URL), e.g. from `bash .ci/postgres.sh start`;
a throwaway database is created and dropped there. Results go to
bench/results/register-<db>.json.
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import json
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
import uuid
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SMALL_YEAR, LARGE_YEAR = 2025, 2026
SHOPS, OPDS, PUBLIC_BUYERS = 200, 60, 2_000
MB = 1024 * 1024
FLAT_FACTOR, FLAT_SLACK = 2.0, 2 * MB


def _pg_url(base: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    if base.startswith("postgresql://"):
        base = base.replace("postgresql://", "postgresql+psycopg://", 1)
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def database(kind: str):
    """(url, cleanup) for a fresh database of `kind`."""
    if kind == "sqlite":
        path = Path(tempfile.mkdtemp(prefix="peken-bench-")) / "register.db"
        return f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)
    from sqlalchemy import create_engine, text

    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not base:
        sys.exit("set BENCH_DATABASE_URL or TEST_DATABASE_URL (e.g. $(bash .ci/postgres.sh start))")
    name = f"peken_bench_register_{uuid.uuid4().hex[:6]}"
    admin = create_engine(_pg_url(base, "postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def cleanup():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return _pg_url(base, name), cleanup


def seed(db, asn: int, sizes: dict[int, int], rng: random.Random) -> dict[int, dict]:
    """Bulk-insert the city with Core statements; `sizes` maps a WIB year to its number of
    register rows. Returns per year the expected row count and amount sum."""
    from sqlalchemy import insert

    from marketplace.accounts.models import Opd, User
    from marketplace.catalog.models import Category, Product
    from marketplace.ledger.models import SpendingRecord
    from marketplace.ordering.models import Checkout, Order, OrderLine
    from marketplace.payments.models import Payment, Refund, RefundLine
    from marketplace.shops.models import Vendor
    from marketplace.timeutil import period_of, year_bounds

    s = db.session
    now = datetime(2025, 1, 1)

    def bulk(model, rows, batch=5_000):
        for i in range(0, len(rows), batch):
            s.execute(insert(model), rows[i : i + batch])

    bulk(
        Opd,
        [
            {"id": i, "code": f"OPD{i:03d}", "name": f"Perangkat Daerah {i:03d}"}
            for i in range(1, OPDS + 1)
        ],
    )
    user = {"password_hash": "!bench", "active": True, "session_version": 1, "created_at": now}
    users = [
        {
            **user,
            "id": i,
            "email": f"asn{i}@bench.peken.id",
            "name": f"ASN {i:05d}",
            "role": "civil_servant",
            "nip": f"{198001010000000000 + i:018d}",
            "opd_id": 1 + i % OPDS,
            "position": "Staf",
            "kelurahan": "Gubeng",
        }
        for i in range(1, asn + 1)
    ]
    public_ids = range(asn + 1, asn + PUBLIC_BUYERS + 1)
    users += [
        {
            **user,
            "id": i,
            "email": f"warga{i}@bench.peken.id",
            "name": f"Warga {i}",
            "role": "public",
        }
        for i in public_ids
    ]
    owner0 = asn + PUBLIC_BUYERS
    users += [
        {
            **user,
            "id": owner0 + v,
            "email": f"toko{v}@bench.peken.id",
            "name": f"Pemilik {v}",
            "role": "vendor",
        }
        for v in range(1, SHOPS + 1)
    ]
    bulk(User, users)
    bulk(
        Vendor,
        [
            {
                "id": v,
                "owner_id": owner0 + v,
                # a few names a spreadsheet would run as a formula: the export must quote them
                "name": f"=Toko {v}" if v % 50 == 0 else f"Toko Sembako {v}, Gubeng",
                "type": "kelontong",
                "status": "verified",
                "nib": f"{1234500000000 + v:013d}",
                "npwp": f"{v % 100:02d}.{v:03d}.{v:03d}.1-609.000",  # 20 characters
                "pkp": v % 5 == 0,
                "kelurahan": "Gubeng",
                "kecamatan": "Gubeng",
                "address": "Jl. Bench",
                "made_in_city": v > 20,
                "umk_class": ("micro", "small", "medium")[v % 3],
                "created_at": now,
            }
            for v in range(1, SHOPS + 1)
        ],
    )
    s.execute(insert(Category), [{"id": 1, "slug": "sembako", "name": "Sembako"}])
    bulk(
        Product,
        [
            {
                "id": v,
                "vendor_id": v,
                "category_id": 1,
                "name": f"Beras Premium {v} 5 kg",
                "description": "",
                "unit": "karung",
                "price": 15_000,
                "stock": 10,
                "low_stock_threshold": 5,
                "is_active": True,
                "is_local_product": v % 4 != 0,
                "is_pdn": v % 7 != 0,
                "vat_exempt": v % 5 != 0,
                "created_at": now,
                "updated_at": now,
            }
            for v in range(1, SHOPS + 1)
        ],
    )
    s.commit()

    expected: dict[int, dict] = {}
    order_id = line_id = record_id = refund_id = 0
    for year, size in sizes.items():
        start, end = year_bounds(year)
        span = int((end - start).total_seconds())
        checkouts, orders, lines, payments, refunds, spending = [], [], [], [], [], []
        refund_lines = []
        total_amount = made = 0
        while made < size:
            order_id += 1
            at = start + timedelta(seconds=rng.randrange(span))
            period = period_of(at)
            public = rng.random() < 0.25
            buyer = rng.choice(public_ids) if public else rng.randint(1, asn)
            channel = (
                "public"
                if public
                else ("opd_procurement" if rng.random() < 0.2 else "asn_personal")
            )
            opd = None if public else 1 + buyer % OPDS
            vendor = rng.randint(1, SHOPS)
            total = vat_total = refunded = 0
            for _ in range(rng.randint(1, 3)):
                if made >= size:
                    break
                line_id += 1
                qty = rng.randint(1, 4)
                price = rng.choice((15_000, 25_000, 48_000, 72_500, 120_000))
                line_total = qty * price
                vat = line_total * 11 // 111 if vendor % 5 == 0 else 0
                total += line_total
                vat_total += vat
                lines.append(
                    {
                        "id": line_id,
                        "order_id": order_id,
                        "product_id": vendor,
                        "name": f"Beras Premium {vendor} 5 kg",
                        "unit": "karung",
                        "quantity": qty,
                        "unit_price": price,
                        "line_total": line_total,
                        "vat": vat,
                        "is_local_product": vendor % 4 != 0,
                        "is_pdn": vendor % 7 != 0,
                        "vat_exempt": vendor % 5 != 0,
                    }
                )
                record = {
                    "occurred_at": at,
                    "period": period,
                    "year": year,
                    "order_id": order_id,
                    "order_line_id": line_id,
                    "buyer_id": buyer,
                    "channel": channel,
                    "opd_id": opd,
                    "vendor_id": vendor,
                    "vendor_umk_class": ("micro", "small", "medium")[vendor % 3],
                    "vendor_kelurahan": "Gubeng",
                    "is_local_vendor": vendor > 20,
                    "is_local_product": vendor % 4 != 0,
                    "is_pdn": vendor % 7 != 0,
                    "amount": line_total,
                    "created_at": at,
                }
                record_id += 1
                made += 1
                spending.append({"id": record_id, **record})
                total_amount += line_total
                room = made < size
                if room and rng.random() < 0.03:  # a partial refund, a day later, same year
                    refund_id += 1
                    back = price if qty > 1 else line_total // 2
                    if refund_id % 2:  # it names its line (every other one: an older refund)
                        refund_lines.append(
                            {
                                "refund_id": refund_id,
                                "order_line_id": line_id,
                                "quantity": 1 if qty > 1 else None,
                                "amount": back,
                                "vat": vat * back // line_total,
                            }
                        )
                    refunded += back
                    when = min(at + timedelta(days=1), end - timedelta(seconds=1))
                    refunds.append(
                        {
                            "id": refund_id,
                            "order_id": order_id,
                            "payment_id": order_id,
                            "amount": back,
                            "reason": "barang rusak",
                            "status": "succeeded",
                            "vendor_share": back,
                            "commission_share": 0,
                            "created_at": when,
                        }
                    )
                    record_id += 1
                    made += 1
                    spending.append(
                        {
                            **record,
                            "id": record_id,
                            "occurred_at": when,
                            "period": period_of(when),
                            "refund_id": refund_id,
                            "amount": -back,
                            "created_at": when,
                        }
                    )
                    total_amount -= back
            checkouts.append(
                {
                    "id": order_id,
                    "buyer_id": buyer,
                    "idempotency_key": f"k{order_id}",
                    "request_hash": "0" * 64,
                    "total": total,
                    "fulfilment": "pickup",
                    "payment_method": "sandbox",
                    "created_at": at,
                }
            )
            orders.append(
                {
                    "id": order_id,
                    "number": f"PK{year}{order_id:08d}",
                    "checkout_id": order_id,
                    "buyer_id": buyer,
                    "vendor_id": vendor,
                    "status": "paid",
                    "fulfilment": "pickup",
                    "total": total,
                    "vat_total": vat_total,
                    "commission": 0,
                    "refunded_total": refunded,
                    "created_at": at,
                    "paid_at": at,
                }
            )
            payments.append(
                {
                    "id": order_id,
                    "checkout_id": order_id,
                    "provider": "sandbox",
                    "status": "succeeded",
                    "amount": total,
                    "provider_ref": f"sbx_{uuid.UUID(int=rng.getrandbits(128)).hex}",
                    "created_at": at,
                    "updated_at": at,
                }
            )
        for model, rows in (
            (Checkout, checkouts),
            (Order, orders),
            (OrderLine, lines),
            (Payment, payments),
            (Refund, refunds),
            (RefundLine, refund_lines),
            (SpendingRecord, spending),
        ):
            bulk(model, rows)
        s.commit()
        expected[year] = {"rows": size, "amount": total_amount, "refunds": len(refunds)}
    s.execute(db.text("ANALYZE"))
    s.commit()
    return expected


def traced(consume) -> dict:
    """Peak traced Python memory and wall time of `consume()`, started from a collected heap."""
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    t0 = time.perf_counter()
    result = consume()
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
    return {"peak": peak, "seconds": seconds, "maxrss": maxrss, "result": result}


def consume_csv(chunks, amount_index: int) -> dict:
    """Reads the CSV chunk by chunk as a client would, keeping only counts: bytes, data rows,
    the sum of the amount column, and cells a spreadsheet would run as a formula."""
    size = rows = amount = formulas = 0
    header = None
    for chunk in chunks:
        size += len(chunk)
        text = chunk.decode("utf-8")
        if header is None:
            text = text.removeprefix("\ufeff")
        for record in csv.reader(io.StringIO(text, newline="")):
            if header is None:
                header = record
                continue
            rows += 1
            amount += int(record[amount_index])
            formulas += any(cell.startswith(("=", "+", "@")) for cell in record)
    return {"bytes": size, "rows": rows, "amount": amount, "header": header, "formulas": formulas}


def consume_to_file(chunks, out) -> dict:
    size = 0
    for chunk in chunks:
        size += len(chunk)
        out.write(chunk)
    return {"bytes": size}


def xlsx_rows(path: str) -> int:
    """Rows in the workbook's one sheet, counted by streaming its XML (no workbook in memory)."""
    with zipfile.ZipFile(path) as zf:
        sheet = next(n for n in zf.namelist() if n.startswith("xl/worksheets/sheet"))
        count, tail = 0, b""
        with zf.open(sheet) as fh:
            while block := fh.read(1 << 16):
                data = tail + block
                count += data.count(b"<row")
                tail = data[-3:]
                count -= tail.count(b"<row")  # never count a token split over two blocks twice
        return count + tail.count(b"<row")


def run(kind: str, rows: int, asn: int, xlsx: list[str]) -> dict:
    url, cleanup = database(kind)
    os.environ["DATABASE_URL"] = url
    from marketplace import create_app
    from marketplace.exports import csv_chunks, xlsx_chunks
    from marketplace.extensions import db
    from marketplace.finance import register

    small = max(rows // 10, 1)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    cols = register.REGISTER_COLUMNS
    amount_index = cols.index("amount")
    try:
        with app.app_context():
            db.create_all()
            t0 = time.perf_counter()
            expected = seed(db, asn, {SMALL_YEAR: small, LARGE_YEAR: rows}, random.Random(2026))
            print(
                f"[{kind}] seeded {small + rows:,} register rows ({small:,} in {SMALL_YEAR}, "
                f"{rows:,} in {LARGE_YEAR}; {sum(e['refunds'] for e in expected.values()):,} "
                f"refunds) in {time.perf_counter() - t0:.1f}s"
            )
            db.session.remove()

            def stmt(year):
                return register.register_query(year=year)

            def csv_of(year):
                return consume_csv(
                    csv_chunks(cols, register.register_rows(stmt(year))), amount_index
                )

            # Warm-up outside the measurement: compiled-statement cache, imports, openpyxl.
            consume_csv(
                csv_chunks(cols, register.register_rows(stmt(SMALL_YEAR).limit(3_000))),
                amount_index,
            )
            with tempfile.TemporaryFile() as out:
                consume_to_file(
                    xlsx_chunks(cols, register.register_rows(stmt(SMALL_YEAR).limit(100)), "w"), out
                )
            db.session.remove()

            measured = {}
            measured["csv_small"] = traced(lambda: csv_of(SMALL_YEAR))
            db.session.remove()
            measured["csv_large"] = traced(lambda: csv_of(LARGE_YEAR))
            db.session.remove()
            for which in xlsx:
                year = LARGE_YEAR if which == "large" else SMALL_YEAR
                with tempfile.NamedTemporaryFile(suffix=".xlsx") as out:
                    measured[f"xlsx_{which}"] = traced(
                        lambda year=year, out=out: consume_to_file(
                            xlsx_chunks(
                                cols, register.register_rows(stmt(year)), "Register transaksi"
                            ),
                            out,
                        )
                    )
                    out.flush()
                    measured[f"xlsx_{which}"]["result"]["rows"] = xlsx_rows(out.name) - 1
                db.session.remove()

            def materialise():
                data = list(register.register_rows(stmt(LARGE_YEAR)))
                return {"rows": len(data), "amount": sum(r[amount_index] for r in data)}

            measured["materialised"] = traced(materialise)
            db.session.remove()
            db.engine.dispose()
    finally:
        cleanup()

    labels = {
        "csv_small": f"streamed CSV, {SMALL_YEAR} ({small:,} rows)",
        "csv_large": f"streamed CSV, {LARGE_YEAR} ({rows:,} rows)",
        "xlsx_small": f"streamed XLSX, {SMALL_YEAR} ({small:,} rows)",
        "xlsx_large": f"streamed XLSX, {LARGE_YEAR} ({rows:,} rows)",
        "materialised": f"reference: list(register_rows), {LARGE_YEAR}",
    }
    ref = measured["materialised"]["peak"]
    for key, label in labels.items():
        if key not in measured:
            continue
        m = measured[key]
        size = m["result"].get("bytes")
        print(
            f"  {label:<46} peak {m['peak'] / MB:8.1f} MB  ({m['peak'] / ref:6.1%} of list)  "
            f"{m['seconds']:6.1f} s"
            + (f"  {size / MB:6.1f} MB out" if size else "")
            + f"  maxrss {m['maxrss'] / MB:6.0f} MB"
        )

    failures = []
    small_csv, large_csv = measured["csv_small"], measured["csv_large"]
    for key, year in (("csv_small", SMALL_YEAR), ("csv_large", LARGE_YEAR)):
        got, want = measured[key]["result"], expected[year]
        if got["header"] != cols:
            failures.append(f"{key}: header {got['header']} is not REGISTER_COLUMNS")
        if got["rows"] != want["rows"] or got["amount"] != want["amount"]:
            failures.append(
                f"{key}: {got['rows']:,} rows summing {got['amount']:,}, "
                f"seeded {want['rows']:,} summing {want['amount']:,}"
            )
        if got["formulas"]:
            failures.append(
                f"{key}: {got['formulas']} rows with a cell that would run as a formula"
            )
    for which in xlsx:
        got = measured[f"xlsx_{which}"]["result"]["rows"]
        want = expected[LARGE_YEAR if which == "large" else SMALL_YEAR]["rows"]
        if got != want:
            failures.append(f"xlsx_{which}: {got:,} rows, seeded {want:,}")
    mat = measured["materialised"]["result"]
    if (
        mat["rows"] != expected[LARGE_YEAR]["rows"]
        or mat["amount"] != expected[LARGE_YEAR]["amount"]
    ):
        failures.append(f"materialised: {mat['rows']:,} rows summing {mat['amount']:,}")
    limit = FLAT_FACTOR * small_csv["peak"] + FLAT_SLACK
    flat = large_csv["peak"] <= limit
    if not flat:
        failures.append(
            f"not flat: CSV peak {large_csv['peak'] / MB:.1f} MB over {rows:,} rows > "
            f"{FLAT_FACTOR:g}× {small_csv['peak'] / MB:.1f} MB over {small:,} rows + "
            f"{FLAT_SLACK / MB:g} MB"
        )
    ratio = round(ref / large_csv["peak"], 1) if large_csv["peak"] else None
    print(
        f"  flat: CSV peak ×{large_csv['peak'] / small_csv['peak']:.2f} for ×{rows / small:.0f} "
        f"the rows (limit {FLAT_FACTOR:g}× + {FLAT_SLACK / MB:g} MB): {'ok' if flat else 'FAIL'}"
        + "".join(
            f"; XLSX {which} peak ×{measured[f'xlsx_{which}']['peak'] / large_csv['peak']:.2f} "
            "the large CSV's"
            for which in xlsx
        )
    )
    print(f"  ratio materialised ÷ streamed CSV peak ({LARGE_YEAR}): {ratio}")
    want = expected[LARGE_YEAR]
    sums = f"{want['rows']:,} rows in {LARGE_YEAR}: Rp{want['amount']:,}".replace(",", ".")
    print(
        f"  check: both CSVs have the seeded rows and amount sum, each XLSX the seeded rows ({sums})"
    )
    result = {
        "db": kind,
        "rows_small": small,
        "rows_large": rows,
        "ratio_materialised_to_streamed": ratio,
        "flat": flat,
        **{f"{key}_peak_mb": round(m["peak"] / MB, 2) for key, m in measured.items()},
        **{f"{key}_seconds": round(m["seconds"], 2) for key, m in measured.items()},
        **{
            f"{key}_bytes": m["result"]["bytes"]
            for key, m in measured.items()
            if "bytes" in m["result"]
        },
        "failures": failures,
    }
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / f"register-{kind}.json").write_text(json.dumps(result, indent=2) + "\n")
    for failure in failures:
        print(f"  FAIL {failure}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db",
        choices=("sqlite", "postgres", "both"),
        default=None,
        help="default: sqlite, plus postgres when BENCH_DATABASE_URL/TEST_DATABASE_URL is set",
    )
    parser.add_argument(
        "--rows", type=int, default=200_000, help="register rows in the large year (small: /10)"
    )
    parser.add_argument("--asn", type=int, default=13_000)
    parser.add_argument(
        "--xlsx",
        choices=("large", "small", "both", "none"),
        default="large",
        help="which year's XLSX to measure (openpyxl under tracemalloc: ~2 ms a row)",
    )
    args = parser.parse_args()
    xlsx = {"both": ["small", "large"], "none": []}.get(args.xlsx, [args.xlsx])
    kinds = {"sqlite": ["sqlite"], "postgres": ["postgres"], "both": ["sqlite", "postgres"]}.get(
        args.db or "",
        ["sqlite"]
        + (
            ["postgres"]
            if os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
            else []
        ),
    )
    failed = False
    for kind in kinds:
        failed |= bool(run(kind, args.rows, args.asn, xlsx)["failures"])
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
