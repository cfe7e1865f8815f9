"""Count the SQL statements (and optionally profile) each request of the buyer's hot path.

In-process (Flask test client) on a fresh SQLite file or PostgreSQL (BENCH_DATABASE_URL). Prints,
per request, how many statements it issued; `--sql` lists them, `--profile` prints the top of a
cProfile run of N repetitions of the whole flow.

    .venv/bin/python bench/profile_hot_path.py [--sql] [--profile 50] [--vendors 3]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class StatementCounter:
    """Counts statements sent to the database (a `before_cursor_execute` listener)."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.statements: list[str] = []
        event.listen(engine, "before_cursor_execute", self._on)

    def _on(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(" ".join(statement.split()))

    def reset(self) -> None:
        self.statements.clear()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sql", action="store_true", help="print the statements, grouped")
    parser.add_argument(
        "--seq",
        default="",
        help="print in order the statements of requests whose label contains this",
    )
    parser.add_argument("--profile", type=int, default=0, help="cProfile N rounds of the flow")
    parser.add_argument("--vendors", type=int, default=3)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="peken-prof-")
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/prof.db"
    os.environ["DATABASE_URL"] = url
    from marketplace import create_app
    from marketplace.extensions import db
    from tests import factories as f

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": "prof",
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        f.make_area("Gubeng", "Gubeng")
        vendors = [f.make_vendor() for _ in range(args.vendors)]
        products = [
            f.make_product(v, stock=100_000, price=15_000) for v in vendors for _ in range(4)
        ]
        buyer = f.make_civil_servant()
        token = f.token_for(buyer)
        pids = [p.id for p in products]
        db.session.commit()
        counter = StatementCounter(db.engine)

    client = app.test_client()
    hdr = {"Authorization": f"Bearer {token}"}

    def flow(report: bool):
        rows = []

        def req(label, method, path, **kw):
            counter.reset()
            resp = getattr(client, method)(path, headers={**hdr, **kw.pop("headers", {})}, **kw)
            rows.append((label, resp.status_code, list(counter.statements)))
            return resp

        for i in range(args.vendors):  # one product of each vendor
            req(
                f"PUT cart item (line {i + 1})",
                "put",
                f"/api/v1/cart/items/{pids[i * 4]}",
                json={"quantity": 1},
            )
        r = req(
            f"POST checkout ({args.vendors} vendors)",
            "post",
            "/api/v1/checkout",
            json={"fulfilment": "pickup", "payment_method": "sandbox"},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        pay = r.get_json()["payment"]["id"]
        req(
            "POST sandbox-confirm",
            "post",
            f"/api/v1/payments/{pay}/sandbox-confirm",
            json={"outcome": "succeeded"},
        )
        req("GET products?q=beras&sort=nearest", "get", "/api/v1/products?q=beras&sort=nearest")
        req("GET products/<id>", "get", f"/api/v1/products/{pids[0]}")
        req("GET / (home page)", "get", "/")
        req("GET /products (browse page)", "get", "/products")
        if report:
            for label, status, stmts in rows:
                print(f"{len(stmts):4d} statements  {status}  {label}")
                if args.seq and args.seq in label:
                    for s in stmts:
                        print(f"        {s[:150]}")
                elif args.sql:
                    kinds = Counter(s[:110] for s in stmts)
                    for s, n in kinds.most_common():
                        print(f"        {n:3d}× {s}")
        return rows

    with app.app_context():
        flow(report=True)
        if args.profile:
            prof = cProfile.Profile()
            prof.enable()
            for _ in range(args.profile):
                flow(report=False)
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(45)
    return 0


if __name__ == "__main__":
    sys.exit(main())
