"""Print the mutation score per module and list the survivors of the last `mutmut run`.

Reads mutmut's own results (mutants/<path>.meta). A survivor whose name is listed in
docs/mutation.md (as `module.x_function__mutmut_N`) is shown as a documented equivalent; any other
survivor is a gap in the tests. `--strict` exits 1 when a module scores under the floor or a
survivor is not documented.

    python .ci/mutation_report.py [--strict] [--floor 90] [--diff]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants"
DOC = ROOT / "docs" / "mutation.md"

# mutmut's exit-code → status table (mutmut/stats.py), reduced to what the score needs.
KILLED = {1, 3}
TIMEOUT = {24, -24, 36, 152, 255}
SURVIVED = {0}
NO_TESTS = {5, 33}
SKIPPED = {34, 37}
NOT_CHECKED = {None}


def status(code: int | None) -> str:
    if code in KILLED:
        return "killed"
    if code in TIMEOUT:
        return "timeout"
    if code in SURVIVED:
        return "survived"
    if code in NO_TESTS:
        return "no tests"
    if code in SKIPPED:
        return "skipped"
    if code in NOT_CHECKED:
        return "not checked"
    return "suspicious"


def documented_equivalents() -> set[str]:
    if not DOC.exists():
        return set()
    return set(re.findall(r"`([\w.]+__mutmut_\d+)`", DOC.read_text("utf-8")))


def load_results() -> dict[str, dict[str, int | None]]:
    """{module path: {mutant name: exit code}} from every .meta file mutmut wrote."""
    results = {}
    for meta in sorted(MUTANTS.rglob("*.py.meta")):
        module = str(meta.relative_to(MUTANTS))[: -len(".meta")]
        codes = json.loads(meta.read_text("utf-8"))["exit_code_by_key"]
        if codes:
            results[module] = codes
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strict", action="store_true", help="fail under the floor")
    parser.add_argument("--floor", type=float, default=90.0, help="per-module floor in percent")
    parser.add_argument("--diff", action="store_true", help="print each undocumented survivor")
    args = parser.parse_args()

    results = load_results()
    if not results:
        print("No mutation results: run `make mutate` first.", file=sys.stderr)
        return 2
    equivalents = documented_equivalents()
    failed = False
    total_all = detected_all = equivalent_all = 0
    survivors: list[tuple[str, str, str]] = []

    print(f"{'module':<34} {'mutants':>7} {'killed':>7} {'equiv.':>7} {'left':>5} {'score':>7}")
    for module, codes in results.items():
        statuses = {name: status(code) for name, code in codes.items()}
        total = len(statuses)
        detected = sum(s in ("killed", "timeout") for s in statuses.values())
        left = [(n, s) for n, s in sorted(statuses.items()) if s not in ("killed", "timeout")]
        equivalent = sum(n in equivalents for n, _ in left)
        # Equivalent mutants cannot be told apart from the original, so they leave the count.
        score = 100.0 * detected / (total - equivalent) if total > equivalent else 100.0
        total_all += total
        detected_all += detected
        equivalent_all += equivalent
        undocumented = [(n, s) for n, s in left if n not in equivalents]
        survivors += [(module, n, s) for n, s in left]
        flag = "" if score >= args.floor else "  < floor"
        failed |= bool(flag) or bool(undocumented)
        print(
            f"{module:<34} {total:>7} {detected:>7} {equivalent:>7} {len(undocumented):>5}"
            f" {score:>6.1f}%{flag}"
        )
    overall = 100.0 * detected_all / (total_all - equivalent_all)
    print(
        f"{'all':<34} {total_all:>7} {detected_all:>7} {equivalent_all:>7} {'':>5} {overall:>6.1f}%"
    )
    raw = 100.0 * detected_all / total_all
    print(f"(raw score, equivalents counted as survivors: {raw:.1f}%)")

    if survivors:
        print("\nSurvivors:")
        for module, name, state in survivors:
            note = "equivalent (docs/mutation.md)" if name in equivalents else state.upper()
            print(f"  {name:<60} {note}")
            if args.diff and name not in equivalents:
                subprocess.run(
                    [sys.executable, "-m", "mutmut", "show", name], cwd=ROOT, check=False
                )
    return 1 if (args.strict and failed) else 0


if __name__ == "__main__":
    sys.exit(main())
