"""The cold start of ``nrr report last-quarter`` on the example CSV: a new process each run.

Run: ``.venv/bin/python bench/cli.py [--tree DIR] [--runs N]``. ``--tree`` measures another
checkout of nrr with this interpreter (``git worktree add /tmp/old <commit>``), for a before and
after. Bytecode is written and reused, as in an installed copy. Prints the wall times, what the
process imported, and which adapters' libraries were loaded (a CSV report needs none of them).
Asserts nothing about time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["report", "last-quarter", "--ledger", str(ROOT / "examples" / "ledger.csv"), "--today", "2026-11-05"]
HEAVY = ("gspread", "google.auth", "requests", "slack_sdk", "slack_bolt", "sqlalchemy", "matplotlib", "apscheduler",
         "starlette", "uvicorn", "openpyxl")


def run(tree: Path, extra: list[str]) -> tuple[float, str]:
    # .pyc files written and reused, as after pip install (which compiles them): a session that sets
    # PYTHONDONTWRITEBYTECODE would otherwise measure the compiler too
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"PYTHONPATH": str(tree),
                                                                                    "NRR_CONFIG": ""}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, *extra, "-m", "nrr", *ARGS], env=env, capture_output=True, text=True,
                          check=True, cwd=tree)
    return time.perf_counter() - started, done.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout to measure (default: this one)")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    tree = args.tree.resolve()
    run(tree, [])  # warm the file system cache and the .pyc files
    walls = sorted(run(tree, [])[0] for _ in range(args.runs))
    _, trace = run(tree, ["-X", "importtime"])
    modules = [line.rsplit("|", 1)[1].strip() for line in trace.splitlines()
               if line.startswith("import time:") and not line.endswith("imported package")][1:]
    loaded = sorted({h for h in HEAVY if any(m == h or m.startswith(h + ".") for m in modules)})
    bare = sorted(_bare() for _ in range(args.runs))
    print(f"nrr report last-quarter on examples/ledger.csv, {args.runs} cold starts ({tree}):")
    print(f"  wall: median {statistics.median(walls) * 1000:.0f} ms, min {walls[0] * 1000:.0f} ms, "
          f"max {walls[-1] * 1000:.0f} ms")
    print(f"  python -c pass alone: median {statistics.median(bare) * 1000:.0f} ms")
    print(f"  modules imported: {len(modules)}; adapter libraries loaded: {', '.join(loaded) or 'none'}")


def _bare() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
