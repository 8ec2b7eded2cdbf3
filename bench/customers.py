"""A customer table of 10,000 customers over 60 months: the cohort answers at scale.

Run: ``.venv/bin/python bench/customers.py [--customers 10000] [--months 60] [--runs 3]``. It writes
the table as a long-form CSV (one row per paying customer and month, about 300,000 rows) to a
temporary directory and prints:

- the wall time of ``nrr report ttm --json`` on it, a new process each run, start-up included, and
  that process's peak memory (``resource.getrusage`` of the child);
- in this process: read + derive (the grid to the customer table and its movements), and the time
  to answer every period in the grammar (``engine.EXAMPLES``);
- when pandas and DuckDB are installed (``pip install '.[bench]'``), the same 12-month cohort with each,
  in a new process too, side by side.

Asserts nothing about time.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import EXAMPLES, QueryError, build_report, check_ledger, resolve_period  # noqa: E402

SEGMENTS = ("Enterprise", "Mid-Market", "SMB")
PLANS = ("Basic", "Pro", "Scale")


def generate(path: Path, customers: int, months: int, seed: int = 11) -> int:
    """Write the table; returns its number of rows. Customers join over the first months, then grow,
    shrink, churn and come back at rates like a mid-market company's."""
    rng = random.Random(seed)
    first = dt.date(2021, 1, 1)
    labels = [f"{first.year + (first.month - 1 + i) // 12}-{(first.month - 1 + i) % 12 + 1:02d}" for i in range(months)]
    rows = 0
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["Customer ID", "Customer", "Month", "MRR", "Segment", "Plan"])
        for c in range(customers):
            segment = rng.choices(SEGMENTS, weights=(1, 3, 6))[0]
            plan = rng.choice(PLANS)
            base = {"Enterprise": 8000, "Mid-Market": 1500, "SMB": 200}[segment]
            start = int(rng.random() ** 2 * months * 0.8)
            mrr = round(base * rng.uniform(0.5, 1.5) * 100)
            paying = True
            for i in range(start, months):
                roll = rng.random()
                if paying:
                    if roll < 0.015:
                        paying = False
                        continue
                    if roll < 0.05:
                        mrr = round(mrr * rng.uniform(1.05, 1.4))
                    elif roll < 0.07:
                        mrr = round(mrr * rng.uniform(0.6, 0.95))
                elif roll < 0.02:
                    paying = True
                if paying:
                    out.writerow([f"{c:05d}", f"Customer {c:05d}", labels[i], f"{mrr // 100}.{mrr % 100:02d}",
                                  segment, plan])
                    rows += 1
    return rows


def child_run(path: Path, argv: list[str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of ``nrr report ttm --json`` (or ``argv``) in a new process."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"NRR_CONFIG": ""}
    argv = argv or [sys.executable, "-m", "nrr", "report", "ttm", "--json", "--ledger", str(path), "--today",
                    "2026-01-15"]
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: exec with stdout to /dev/null
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        os.execve(argv[0], argv, env)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv[2:4]} failed with status {os.waitstatus_to_exitcode(status)}")
    return wall, usage.ru_maxrss / 1024  # Linux reports kilobytes


# The same 12-month cohort NRR (customers paying 12 months before the last month; their MRR then and now)
# as a user would write it with pandas or DuckDB: a new process each, start-up and import included.
PANDAS = """
import sys, pandas as pd
frame = pd.read_csv(sys.argv[1], dtype={"Customer ID": str})
frame["cents"] = (frame["MRR"] * 100).round().astype("int64")
wide = frame.pivot_table(index="Customer ID", columns="Month", values="cents", aggfunc="sum", fill_value=0)
before, last = wide.columns[-13], wide.columns[-1]
cohort = wide[wide[before] > 0]
print(cohort[last].sum() / cohort[before].sum())
"""
DUCKDB = """
import sys, duckdb
months = duckdb.sql(f"select distinct Month from read_csv_auto('{sys.argv[1]}') order by Month").fetchall()
before, last = months[-13][0], months[-1][0]
print(duckdb.sql(f\"\"\"
  with t as (select "Customer ID" as c, Month as m, sum(round(MRR * 100)) as cents
             from read_csv_auto('{sys.argv[1]}', types={{'Customer ID': 'VARCHAR'}}) group by 1, 2),
       a as (select c, cents from t where m = '{before}'), b as (select c, cents from t where m = '{last}')
  select sum(coalesce(b.cents, 0)) / sum(a.cents) from a left join b using (c)\"\"\").fetchall())
"""


def competitors(path: Path, runs: int) -> list[str]:
    """The side-by-side lines: pandas and DuckDB on the same file, when they are installed."""
    lines = []
    for name, script in (("pandas", PANDAS), ("duckdb", DUCKDB)):
        try:
            __import__(name)
        except ImportError:
            lines.append(f"{name} is not installed here (pip install {name} to print the side-by-side figure)")
            continue
        argv = [sys.executable, "-c", script, str(path)]
        child_run(path, argv)
        timed = sorted(child_run(path, argv) for _ in range(runs))
        lines.append(f"{name}, same 12-month cohort (new process, import included): median "
                     f"{timed[len(timed) // 2][0] * 1000:.0f} ms, peak memory {max(p for _, p in timed):.0f} MB")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "customers.csv"
        rows = generate(path, args.customers, args.months)
        print(f"customer table: {args.customers:,} customers x {args.months} months, {rows:,} rows, "
              f"{path.stat().st_size / 1e6:.1f} MB CSV")
        child_run(path)  # warm the .pyc files and the file system cache
        runs = sorted(child_run(path) for _ in range(args.runs))
        wall = runs[len(runs) // 2][0]
        print(f"  nrr report ttm --json (new process, start-up included): median {wall * 1000:.0f} ms, "
              f"peak memory {max(p for _, p in runs):.0f} MB")
        with path.open(newline="") as handle:
            grid = list(csv.reader(handle))
        started = time.perf_counter()
        check = check_ledger(grid)
        derived = time.perf_counter() - started
        ledger = check.ledger
        assert ledger is not None and ledger.customers is not None, check.issues[:3]
        print(f"  read + derive (grid to customer table, movements, derived ledger): {derived * 1000:.0f} ms")
        today = dt.date(2026, 1, 15)
        started = time.perf_counter()
        answered = 0
        for example in EXAMPLES:
            try:
                build_report(ledger, resolve_period(example, today))
                answered += 1
            except QueryError:
                pass
        every = time.perf_counter() - started
        print(f"  every period in the grammar ({answered} of {len(EXAMPLES)} answerable): {every * 1000:.0f} ms")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  peak memory of this process so far: {peak:.0f} MB")
        for line in competitors(path, args.runs):
            print(f"  {line}")


if __name__ == "__main__":
    main()
