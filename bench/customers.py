"""Customer tables at scale: nrr beside DuckDB and polars scripts computing the same 12-month cohort figures.

Run: ``.venv/bin/python bench/customers.py [--tables 1000x60 10000x60 100000x60 1000000x24] [--runs 3]
[--data DIR]`` (``--data``: keep the generated tables there and take them from there next time).
(``pip install '.[bench]'`` for the DuckDB and polars scripts; nrr's columnar path needs ``.[fast]``). For each
table (customers x months) it writes a long-form CSV (one row per paying customer and month) to a temporary
directory and runs every runner in ``RUNNERS`` in a new process, start-up and imports included:

- ``nrr, first run``: ``nrr report ttm --json`` with an empty cache directory (the columnar read, the report,
  and the cache written);
- ``nrr, cached``: the same command again, the parsed table loaded from the cache (2 s or more after the entry
  was written: a run within 2 s of it hashes the file to compare its bytes too);
- ``duckdb`` and ``polars``: scripts a user would write for the same figures (NRR, GRR, logo retention, the
  cohort's customers and MRR, the top 5 churned, contracted and expanded), no validation of the cells.

Each runner's first number is checked against nrr's NRR (``same`` in the table), then it is timed ``--runs``
times: the median wall time and the largest peak RSS of the child (``wait4``'s ``ru_maxrss``). It prints one
Markdown table. A new runner (a PostgreSQL script, say) is one more ``Runner`` in ``RUNNERS``. Asserts nothing
about time; a 1,000,000-customer table takes minutes to write and about 2 GB to run, so run it once.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

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




def nrr_argv(months: int) -> list[str]:
    """``nrr report ttm --json`` as of the month after the table's last (the tables start in January 2021)."""
    year, month = divmod(2021 * 12 + months, 12)
    return [sys.executable, "-m", "nrr", "report", "ttm", "--json", "--today", f"{year}-{month + 1:02d}-15", "--ledger"]


# The same 12-month cohort figures as ``nrr report ttm`` (the customers paying 12 months before the last month:
# NRR, GRR, logo retention, their MRR then and now, the top 5 churned, contracted and expanded) as a user would
# write them: a new process each, start-up and import included, no validation of the cells.
DUCKDB = """
import sys, duckdb
duckdb.execute("set enable_progress_bar = false")
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
POLARS = """
import sys, polars as pl
t = (pl.scan_csv(sys.argv[1], schema_overrides={"Customer ID": pl.String, "Month": pl.String})
     .with_columns((pl.col("MRR") * 100).round(0).cast(pl.Int64).alias("cents"))
     .group_by("Customer ID", "Month").agg(pl.col("Customer").first(), pl.col("cents").sum()).collect())
months = sorted(t["Month"].unique().to_list())
before, last = months[-13], months[-1]
a = t.filter(pl.col("Month") == before).select("Customer ID", "Customer", s="cents")
b = t.filter(pl.col("Month") == last).select("Customer ID", e="cents")
k = a.join(b, on="Customer ID", how="left").with_columns(pl.col("e").fill_null(0))
k = k.with_columns(d=pl.col("e") - pl.col("s"))
s, e = k["s"].sum(), k["e"].sum()
print(e / s, k.select(pl.min_horizontal("s", "e")).to_series().sum() / s, (k["e"] > 0).mean(), k.height, s, e)
top = lambda f, by, desc: f.sort([by, "Customer"], descending=[desc, False]).head(5).rows()
print(top(k.filter(pl.col("e") == 0), "s", True), top(k.filter((pl.col("e") > 0) & (pl.col("d") < 0)), "d", False),
      top(k.filter(pl.col("d") > 0), "d", True))
"""


@dataclass(frozen=True)
class Runner:
    """One row of the table: the command it runs on a CSV (``argv``), what to do before each run (``before``:
    empty the cache, say) and how to read its NRR (a percentage) from what it prints."""

    name: str
    argv: Callable[[Path], list[str]]
    before: Callable[[], None] = lambda: None
    nrr: Callable[[str], float] = lambda out: float(re.findall(r"\d+\.\d+", out)[0]) * 100
    needs: str | None = None  # a module that must be installed


def child_env(cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return env | {"NRR_CONFIG": "", "NRR_CACHE_DIR": str(cache)}


def child_run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of ``argv`` in a new process, its stdout to /dev/null."""
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        os.execve(argv[0], argv, env)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv[:4]} failed with status {os.waitstatus_to_exitcode(status)}")
    return wall, usage.ru_maxrss / 1024  # Linux reports kilobytes


def runners(cache: Path, months: int) -> list[Runner]:
    def empty_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    def settled_cache() -> None:
        # a cached run is a later run: one within 2 s of the entry being written hashes the file's bytes again
        # to compare them (sheets._cache.RACY_NS), which at 1,000,000 customers is most of its time
        written = max((p.stat().st_mtime for p in cache.glob("*.table")), default=0.0)
        time.sleep(max(0.0, written + 2.1 - time.time()))

    def nrr_pct(out: str) -> float:
        return float(json.loads(out)["nrr_pct"])

    return [
        Runner("nrr, first run", lambda path: [*nrr_argv(months), str(path)], empty_cache, nrr_pct),
        Runner("nrr, cached", lambda path: [*nrr_argv(months), str(path)], settled_cache, nrr_pct),
        Runner("duckdb script", lambda path: [sys.executable, "-c", DUCKDB, str(path)], needs="duckdb"),
        Runner("polars script, lazy", lambda path: [sys.executable, "-c", POLARS, str(path)], needs="polars"),
    ]


RUNNERS = runners  # the list of runners, given the cache directory nrr uses and the table's months


def installed(module: str | None) -> bool:
    if module is None:
        return True
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def table(directory: Path, customers: int, months: int) -> tuple[Path, int]:
    """The generated table in ``directory`` and its number of rows: written there unless it is there already."""
    path = directory / f"customers-{customers}x{months}.csv"
    if path.exists():
        with path.open("rb") as f:
            return path, sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b"")) - 1
    directory.mkdir(parents=True, exist_ok=True)
    staged = path.with_suffix(".partial")
    rows = generate(staged, customers, months)
    staged.replace(path)  # a run stopped while writing leaves no half table to be taken for a whole one
    return path, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tables", nargs="+", default=["1000x60", "10000x60", "100000x60"],
                        help="customers x months, e.g. 1000000x24")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data", type=Path, default=None,
                        help="a directory to keep each generated table in (customers-NxM.csv), and to take it from "
                             "on the next run: a 1,000,000-customer table takes minutes to write")
    args = parser.parse_args()
    print("| customers x months (rows, CSV) | runner | figures | wall (median) | peak memory |")
    print("|---|---|---|---|---|")
    for spec in args.tables:
        customers, months = map(int, spec.lower().split("x"))
        with tempfile.TemporaryDirectory() as tmp:
            path, rows = table(args.data or Path(tmp), customers, months)
            size = f"{customers:,} x {months} ({rows:,} rows, {path.stat().st_size / 1e6:.0f} MB)"
            cache = Path(tmp) / "cache"
            env = child_env(cache)
            expected: float | None = None
            for runner in RUNNERS(cache, months):
                if not installed(runner.needs):
                    print(f"| {size} | {runner.name} | {runner.needs} not installed | | |")
                    continue
                runner.before()
                out = subprocess.run(runner.argv(path), capture_output=True, text=True, check=True, env=env).stdout
                theirs = runner.nrr(out)
                expected = theirs if expected is None else expected
                same = "same" if round(theirs, 2) == round(expected, 2) else f"NRR {theirs:.2f}% not {expected:.2f}%"
                timed = []
                for _ in range(args.runs):
                    runner.before()
                    timed.append(child_run(runner.argv(path), env))
                timed.sort()
                wall, peak = timed[len(timed) // 2][0], max(p for _, p in timed)
                print(f"| {size} | {runner.name} | {same} | {wall:.2f} s | {peak:.0f} MB |", flush=True)


if __name__ == "__main__":
    main()
