"""A customer table of 10,000 customers over 60 months: the cohort answers at scale.

Run: ``.venv/bin/python bench/customers.py [--customers 10000] [--months 60] [--runs 3]``. It writes
the table as a long-form CSV (one row per paying customer and month, about 300,000 rows) to a
temporary directory and prints:

- the wall time of ``nrr report ttm --json`` on it, a new process each run, start-up included, and
  that process's peak memory (``resource.getrusage`` of the child); then the same for the table in wide form;
- when pandas and DuckDB are installed (``pip install '.[bench]'``), the same 12-month cohort figures with
  each, in a new process too, side by side, each checked to give nrr's NRR;
- in this process: read + derive (the grid to the customer table and its movements), and the time to answer
  every period in the grammar (``engine.EXAMPLES``), as a running ``nrr serve`` answers once it has the table.

Asserts nothing about time.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import re
import resource
import subprocess
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


NRR = [sys.executable, "-m", "nrr", "report", "ttm", "--json", "--ledger"]
TODAY = ["--today", "2026-01-15"]


def write_wide(long: Path, wide: Path) -> None:
    """The same table in wide form: one row per customer, one column per month (blank: 0)."""
    with long.open(newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    months = sorted({r[2] for r in rows})
    figures: dict[str, dict[str, str]] = {}
    about: dict[str, list[str]] = {}
    for key, name, month, mrr, segment, plan in rows:
        figures.setdefault(key, {})[month] = mrr
        about.setdefault(key, [key, name, segment, plan])
    with wide.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["Customer ID", "Customer", "Segment", "Plan", *months])
        out.writerows([*about[key], *(by_month.get(m, "") for m in months)] for key, by_month in figures.items())


def child_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"NRR_CONFIG": ""}


def child_run(path: Path, argv: list[str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of ``nrr report ttm --json`` (or ``argv``) in a new process."""
    env = child_env()
    argv = argv or [*NRR, str(path), *TODAY]
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


# The same 12-month cohort figures as ``nrr report ttm`` (the customers paying 12 months before the last month:
# NRR, GRR, logo retention, their MRR then and now, the top 5 churned, contracted and expanded) as a user would
# write them with pandas or DuckDB: a new process each, start-up and import included, no validation of the cells.
PANDAS = """
import sys, pandas as pd
frame = pd.read_csv(sys.argv[1], dtype={"Customer ID": str, "Customer": str, "Month": str})
frame["cents"] = (frame["MRR"] * 100).round().astype("int64")
wide = frame.pivot_table(index="Customer ID", columns="Month", values="cents", aggfunc="sum", fill_value=0)
before, last = wide.columns[-13], wide.columns[-1]
cohort = wide.loc[wide[before] > 0, [before, last]]
start, end = cohort[before].sum(), cohort[last].sum()
grr, logos = cohort.min(axis=1).sum() / start, (cohort[last] > 0).mean()
names = frame.drop_duplicates("Customer ID").set_index("Customer ID")["Customer"]
moves = pd.DataFrame({"s": cohort[before], "e": cohort[last]}).join(names)
moves["d"] = moves["e"] - moves["s"]
top = lambda f, by, asc: f.sort_values([by, "Customer"], ascending=[asc, True]).head(5)
print(end / start, grr, logos, len(cohort), start, end)
print(top(moves[moves.e == 0], "s", False), top(moves[(moves.e > 0) & (moves.d < 0)], "d", True),
      top(moves[moves.d > 0], "d", False))
"""
DUCKDB = """
import sys, duckdb
duckdb.sql(f\"\"\"create table t as select "Customer ID" as c, any_value("Customer") as name, Month as m,
  sum(round(MRR * 100))::bigint as cents
  from read_csv_auto('{sys.argv[1]}', types={{'Customer ID': 'VARCHAR', 'Month': 'VARCHAR'}}) group by c, m\"\"\")
months = [r[0] for r in duckdb.sql("select distinct m from t order by m").fetchall()]
before, last = months[-13], months[-1]
duckdb.sql(f\"\"\"create table k as select a.c, a.name, a.cents as s, coalesce(b.cents, 0) as e
  from (select * from t where m = '{before}') a left join (select * from t where m = '{last}') b using (c)\"\"\")
print(duckdb.sql("select sum(e) / sum(s), sum(least(s, e)) / sum(s), avg((e > 0)::int), count(*), sum(s), sum(e) "
                 "from k").fetchall())
print(duckdb.sql("select name, s from k where e = 0 order by s desc, name limit 5").fetchall(),
      duckdb.sql("select name, e - s from k where e > 0 and e < s order by e - s, name limit 5").fetchall(),
      duckdb.sql("select name, e - s from k where e > s order by e - s desc, name limit 5").fetchall())
"""


def competitors(path: Path, runs: int, nrr_pct: float) -> list[str]:
    """The side-by-side lines: pandas and DuckDB on the same file, when they are installed, each checked
    to give the NRR ``nrr`` gave."""
    lines = []
    for name, script in (("pandas", PANDAS), ("duckdb", DUCKDB)):
        try:
            __import__(name)
        except ImportError:
            lines.append(f"{name} is not installed here (pip install '.[bench]' to print the side-by-side figure)")
            continue
        argv = [sys.executable, "-c", script, str(path)]
        out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout  # also warms the caches
        theirs = float(re.findall(r"\d+\.\d+", out)[0]) * 100
        same = "the same NRR" if round(theirs, 2) == nrr_pct else f"NRR {theirs:.2f}%, not nrr's {nrr_pct}%"
        timed = sorted(child_run(path, argv) for _ in range(runs))
        lines.append(f"{name}, same 12-month cohort figures (new process, import included; {same}): median "
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
        # every new process first, while this one is small: a forked child's peak memory counts the pages
        # it shares with its parent until it execs
        answer = json.loads(subprocess.run([*NRR, str(path), *TODAY], capture_output=True, text=True, check=True,
                                           env=child_env()).stdout)  # also warms the .pyc files and file cache
        runs = sorted(child_run(path) for _ in range(args.runs))
        wall = runs[len(runs) // 2][0]
        print(f"  nrr report ttm --json (new process, start-up included; NRR {answer['nrr_pct']}%): median "
              f"{wall * 1000:.0f} ms, peak memory {max(p for _, p in runs):.0f} MB")
        wide = Path(tmp) / "wide.csv"
        write_wide(path, wide)
        child_run(wide)
        runs = sorted(child_run(wide) for _ in range(args.runs))
        print(f"  the same table in wide form ({wide.stat().st_size / 1e6:.1f} MB): median "
              f"{runs[len(runs) // 2][0] * 1000:.0f} ms, peak memory {max(p for _, p in runs):.0f} MB")
        for line in competitors(path, args.runs, answer["nrr_pct"]):
            print(f"  {line}")
        with path.open(newline="") as handle:
            grid = list(csv.reader(handle))
        started = time.perf_counter()
        check = check_ledger(grid)
        derived = time.perf_counter() - started
        ledger = check.ledger
        assert ledger is not None and ledger.customers is not None, check.issues[:3]
        print(f"  in this process: read + derive (grid to customer table, movements, derived ledger): "
              f"{derived * 1000:.0f} ms")
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
        print(f"  every period in the grammar ({answered} of {len(EXAMPLES)} answerable): {every * 1000:.0f} ms, "
              f"{every * 1000 / max(answered, 1):.0f} ms an answer once the table is read (as nrr serve keeps it)")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  peak memory of this process so far: {peak:.0f} MB")


if __name__ == "__main__":
    main()
