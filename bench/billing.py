"""Billing data at scale: 1.5 million invoice lines read and normalized to MRR per customer per month.

Run: ``.venv/bin/python bench/billing.py [--lines 1500000] [--runs 1]``. It writes Stripe-style invoice line
items (``customer, invoice_id, invoice_status, subscription, period_start, period_end, amount,
discount_amount, tax, currency, proration, plan``: monthly, quarterly and annual plans, coupons, tax, void
invoices, one-off lines) to a temporary CSV and prints:

- the wall time and peak memory of ``nrr report ttm --json`` on it, a new process each run, start-up
  included (``resource.getrusage`` of the child);
- when DuckDB is installed (``pip install '.[bench]'``), the same MRR per customer-month computed by a DuckDB
  script in a new process (the same rules: status, one-offs, discounts, n = the period in months rounded, the
  cents split with the remainder to the first months, the table ending with the latest start month), its
  time and memory, and whether its month totals equal nrr's, cent for cent.

Measured on the shared 2-core machine (``.venv/bin/python bench/billing.py``): 1,500,010 lines, 153 MB; nrr
10.46 s wall and 1,154 MB peak (the CSV grid about 4.5 s and 1.1 GB of it); DuckDB 0.57 s and 223 MB; month
totals equal.

Asserts nothing about time.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEADER = ["id", "customer", "invoice_id", "invoice_status", "subscription", "period_start", "period_end", "amount",
          "discount_amount", "tax", "currency", "proration", "plan"]


def _add(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, day.day)


def generate(path: Path, lines: int, seed: int = 16) -> int:
    """Write about ``lines`` invoice lines over 36 months; returns how many were written."""
    rng = random.Random(seed)
    first = dt.date(2023, 1, 1)
    months = 36
    written = 0
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        c = 0
        while written < lines:
            c += 1
            plan, n = rng.choices((("Monthly", 1), ("Quarterly", 3), ("Annual", 12)), weights=(80, 8, 12))[0]
            start = _add(first, int(rng.random() ** 2 * months * 0.8))
            day = rng.randint(1, 28)
            start = start.replace(day=day)
            price = round(rng.uniform(20, 2000) * n, 2)
            coupon = round(price * 0.1, 2) if rng.random() < 0.2 else 0
            life = int(rng.expovariate(1 / 30)) + 1
            sub = f"sub_{c}"
            for k in range(0, life, n):
                begin = _add(start, k)
                if (begin.year - first.year) * 12 + begin.month - first.month >= months:
                    break
                status = "void" if rng.random() < 0.02 else "open" if rng.random() < 0.05 else "paid"
                written += 1
                out.writerow([f"il_{written}", f"cus_{c}", f"in_{written}", status, sub, begin.isoformat(),
                              _add(begin, n).isoformat(), f"{price:.2f}", f"{coupon:.2f}" if coupon else "",
                              f"{price * 0.2:.2f}", "usd", "false", plan])
                if rng.random() < 0.03:  # a one-off line beside it
                    written += 1
                    out.writerow([f"il_{written}", f"cus_{c}", f"in_{written}", "paid", "", begin.isoformat(),
                                  begin.isoformat(), "99.00", "", "19.80", "usd", "false", "Setup"])
    return written


DUCKDB_SCRIPT = r"""
import duckdb, json, sys
path = sys.argv[1]
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")  # its bar goes to stdout on a slow run
rows = con.execute(f'''
with lines as (
  select customer, cast(period_start as date) as s, cast(period_end as date) as e,
         cast(round(amount * 100) as bigint) - coalesce(cast(round(discount_amount * 100) as bigint), 0) as net
  from read_csv('{path}', header=true, all_varchar=false)
  where lower(coalesce(invoice_status, 'paid')) not in ('void', 'draft', 'uncollectible')
    and subscription is not null and cast(period_end as date) > cast(period_start as date)
),
counted as (
  select *, greatest(1, cast(floor(datediff('day', s, e) / 30.436875 + 0.5) as bigint)) as n,
         year(s) * 12 + month(s) - 1 as m0
  from lines where net > 0
),
spread as (
  select customer, m0 + i as m,
         net // n + case when i < net % n then 1 else 0 end as cents
  from counted, range(n) as t(i)
)
select m, sum(cents) as total from spread
where m <= (select max(m0) from counted)
group by m order by m
''').fetchall()
print(json.dumps({str(m): int(t) for m, t in rows}))
"""


_WRAP = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
         "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)")


def timed(argv: list[str]) -> tuple[float, float, str]:
    """Wall seconds, the command's own peak MB (its max RSS, through a wrapper process of its own) and its
    output."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _WRAP, *argv], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    return wall, int(done.stderr.split()[-1]) / 1024, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_500_000)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "invoice_lines.csv"
        count = generate(path, args.lines)
        print(f"{count:,} invoice lines, {path.stat().st_size / 1e6:.0f} MB of CSV")
        nrr = [sys.executable, "-m", "nrr", "report", "ttm", "--ledger", str(path), "--today", "2026-01-05",
               "--json"]
        for _ in range(args.runs):
            wall, peak, out = timed(nrr)
            data = json.loads(out)
            print(f"nrr report ttm --json: {wall:.2f} s wall, peak {peak:.0f} MB "
                  f"(child max RSS); {data['normalization']['summary']}")
        try:
            import duckdb  # noqa: F401
        except ImportError:
            print("DuckDB is not installed (pip install '.[bench]'): no side-by-side figure")
            return
        wall, peak, out = timed([sys.executable, "-c", DUCKDB_SCRIPT, str(path)])
        theirs = json.loads(out.strip().splitlines()[-1])
        from engine import Month, check_ledger
        from sheets import open_file_source

        table = check_ledger(open_file_source(str(path), ROOT).read_cells().grid).ledger.customers  # type: ignore[union-attr]
        assert table is not None
        ours = {str(Month.from_index(int(m)).index): table.total(Month.from_index(int(m))) for m in theirs
                if Month.from_index(int(m)) in table}
        same = ours == {m: t for m, t in theirs.items() if m in ours} and len(ours) == table.count
        print(f"DuckDB, the same MRR per customer-month: {wall:.2f} s wall, peak {peak:.0f} MB; "
              f"month totals {'equal' if same else 'DIFFER from'} nrr's ({len(ours)} months)")


if __name__ == "__main__":
    main()
