"""Run every benchmark and gate on its ratio to the floor measured in the same run.

    .venv/bin/python bench/run.py [--db sqlite|postgres] [--only checkout,catalog,mandate,register]
                                  [--update-baseline] [--tolerance 0.2]

`make bench` runs this on SQLite; `BENCH_DB=postgres make bench` on a throwaway PostgreSQL
(.ci/postgres.sh). Each gated number is a ratio, higher is better (throughput ÷ floor throughput,
or floor time ÷ report time), so a busy machine moves numerator and denominator together. The run
fails when a script fails (oversell, errors, a wrong answer) or when a ratio falls more than
`--tolerance` (20%) below its value in bench/baseline.json. `--update-baseline` records this run's
ratios as the new baseline (commit it with the change that moved them, and say why).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
BASELINE = BENCH / "baseline.json"
PY = str(ROOT / ".venv/bin/python") if (ROOT / ".venv/bin/python").exists() else sys.executable


def _json_result(name: str, key: str):
    def read(db: str, _stdout: str) -> float | None:
        path = BENCH / "results" / f"{name}-{db}.json"
        return json.loads(path.read_text()).get(key) if path.exists() else None

    return read


def _mandate_result(_db: str, stdout: str) -> float | None:
    """The compliance report page's time as a multiple of the floor → floor ÷ report."""
    match = re.search(r"report page \(20 rows \+ summary\).*?×\s*([\d.]+) floor", stdout)
    return round(1 / float(match.group(1)), 3) if match and float(match.group(1)) > 0 else None


# name → (command after the interpreter, how to read the ratio, what the ratio is)
BENCHES = {
    # Stock that lasts the whole run: once the product sells out every flow is a cheap 409 and
    # the ratio would reward selling out sooner. The sell-out itself (409s, no oversell) is
    # `bench/checkout.py` with its default stock; the invariants are checked in both.
    "checkout": (
        ["bench/checkout.py", "--stock", "5000"],
        _json_result("checkout", "ratio_checkout_to_floor"),
        "checkout flows/s ÷ GET /healthz req/s",
    ),
    "catalog": (
        ["bench/catalog.py"],
        _json_result("catalog", "ratio_search_to_floor"),
        "search+nearest req/s ÷ GET /healthz req/s",
    ),
    "mandate": (
        ["bench/mandate_compliance.py"],
        _mandate_result,
        "floor query time ÷ compliance report time",
    ),
    # A memory ratio, not a time: the peak of holding the year's register as a list ÷ the peak of
    # streaming it as CSV. The script itself fails when the CSV peak grows with the rows or an
    # export's rows/amounts are wrong. XLSX is measured on the small year only here: openpyxl
    # under tracemalloc takes ~2–4 ms a row, a quarter of an hour for the large year.
    "register": (
        ["bench/register_export.py", "--xlsx", "small"],
        _json_result("register", "ratio_materialised_to_streamed"),
        "peak memory of list(register) ÷ streamed CSV export, 200 000 lines",
    ),
}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--db", choices=["sqlite", "postgres"], default=os.environ.get("BENCH_DB", "sqlite")
    )
    parser.add_argument(
        "--only",
        default=os.environ.get("BENCH_ONLY", ""),
        help="comma-separated subset of: " + ", ".join(BENCHES),
    )
    parser.add_argument("--update-baseline", action="store_true")
    parser.add_argument("--tolerance", type=float, default=0.2)
    args = parser.parse_args()

    names = [n for n in args.only.split(",") if n] or list(BENCHES)
    unknown = set(names) - set(BENCHES)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    env = dict(os.environ)
    if args.db == "postgres" and not env.get("BENCH_DATABASE_URL"):
        env["BENCH_DATABASE_URL"] = subprocess.check_output(
            ["bash", str(ROOT / ".ci/postgres.sh"), "start"], text=True
        ).strip()

    baseline = json.loads(BASELINE.read_text()) if BASELINE.exists() else {}
    known = baseline.setdefault(args.db, {})
    failures, measured = [], {}
    for name in names:
        command, read, meaning = BENCHES[name]
        print(f"== {name} ({args.db}): {meaning}", flush=True)
        proc = subprocess.run(
            [PY, *command, "--db", args.db],
            check=False,
            cwd=ROOT,
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        print(
            "\n".join(line for line in proc.stdout.splitlines() if not line.startswith("INFO:")),
            flush=True,
        )
        if proc.returncode != 0:
            failures.append(f"{name}: the script failed (exit {proc.returncode})")
            continue
        ratio = read(args.db, proc.stdout)
        if ratio is None:
            failures.append(f"{name}: no ratio in its output")
            continue
        measured[name] = ratio
        floor = known.get(name)
        if floor is None:
            print(f"   ratio {ratio:.3f} (no baseline yet)")
        elif ratio < floor * (1 - args.tolerance):
            failures.append(
                f"{name}: ratio {ratio:.3f} is more than {args.tolerance:.0%} below "
                f"the baseline {floor:.3f}"
            )
        else:
            print(f"   ratio {ratio:.3f}, baseline {floor:.3f} ({ratio / floor - 1:+.0%}): ok")

    if args.update_baseline and measured:
        known.update(measured)
        BASELINE.write_text(json.dumps(baseline, indent=2, sort_keys=True) + "\n")
        print(f"baseline for {args.db} updated: {measured}")
    print("\n== summary")
    for name, ratio in measured.items():
        print(f"   {name:<9} {ratio:.3f}  (baseline {known.get(name, '—')})")
    for failure in failures:
        print(f"   FAIL {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
