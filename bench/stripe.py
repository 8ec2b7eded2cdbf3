"""A first Stripe sync of 100,000 invoices and a repeat, against the emulator at a realistic latency.

Run: ``.venv/bin/python bench/stripe.py`` (``--invoices N`` scales the account, ``--latency S`` sets the
seconds the emulator waits before each answer, 0.15 by default). The emulator runs in this process; each
``nrr`` command runs in its own process (its wall time and peak RSS are its own), with the state database
in a temporary SQLite file:

1. ``nrr sync``: the first sync, every customer and invoice;
2. ``nrr sync`` again with nothing new;
3. ``nrr sync`` after the latest month's invoices, open at the first sync, were paid, and 100 were added;
4. ``nrr report ttm --ledger stripe --json``: a sync, then the billing rules over every kept line.

Stripe's lists are cursor-paginated (``starting_after`` is the last id of the page before), so one list's
pages cannot be fetched in parallel: a first sync takes about (invoices / 100 + customers / 100) x latency.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fakes.stripe_api import SECRET_KEY, FakeStripe, month_start, monthly_account

ROOT = Path(__file__).resolve().parent.parent

MONTHS = 24


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB (the child's own), and what it printed."""
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _MEASURE, *argv], env=env, cwd=ROOT, capture_output=True, text=True,
                          check=False)
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"nrr {' '.join(argv)} failed ({done.returncode}): {done.stderr}")
    out, _, peak = done.stdout.rpartition("PEAK_KB ")
    return wall, int(peak) / 1024, out


# runs nrr's main in-process and prints its own peak RSS last (ru_maxrss of RUSAGE_SELF)
_MEASURE = (
    "import resource, sys\n"
    "from nrr.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "sys.stdout.flush()\n"
    "print('PEAK_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    "sys.exit(code)\n"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=100_000, help="invoices in the account (default 100,000)")
    parser.add_argument("--latency", type=float, default=0.15, help="seconds before each answer (default 0.15)")
    args = parser.parse_args()
    customers = max(1, args.invoices // MONTHS)
    t0 = time.perf_counter()
    account = monthly_account(customers, MONTHS, first=(2024, 11), churn=False)
    latest = month_start(2026, 10)
    opened = [i for i in account.invoices.values() if i.created >= latest]  # this month's: not paid yet
    for invoice in opened:
        account.set_status(invoice.id, "open")
    print(f"Account: {len(account.invoices):,} invoices ({customers:,} customers x {MONTHS} months, one line each), "
          f"built in {time.perf_counter() - t0:.1f} s; emulator latency {args.latency * 1000:.0f} ms a request")
    with tempfile.TemporaryDirectory() as tmp, FakeStripe(account, latency=args.latency) as fake:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "STRIPE_API_KEY": SECRET_KEY, "STRIPE_API_BASE": fake.url,
               "NRR_STATE_URL": f"sqlite:///{Path(tmp) / 'state.db'}"}

        def step(label: str, argv: list[str]) -> str:
            fake.reset_counts()
            wall, peak, out = run(argv, env)
            print(f"{label:<38} {wall:7.1f} s  {fake.total:6,} requests  peak {peak:5.0f} MB")
            return out

        out = step("first sync (nrr sync)", ["sync"])
        print("   " + out.strip().replace("\n", "\n   "))
        step("repeat, nothing new (nrr sync)", ["sync"])
        for invoice in opened:
            account.set_status(invoice.id, "paid")
        last = month_start(2026, 10)
        for n, customer in enumerate(list(account.customers.values())[:100]):
            account.add_invoice(customer, last + 86400 + n, [account.line(5_000, last, month_start(2026, 11),
                                                                          subscription=f"sub_1New{n:05d}")])
        out = step(f"{len(opened):,} paid + 100 new (nrr sync)", ["sync"])
        print("   " + out.strip().splitlines()[1])
        step("nrr report ttm --ledger stripe --json", ["report", "ttm", "--ledger", "stripe", "--json",
                                                        "--today", dt.date(2026, 11, 5).isoformat()])


if __name__ == "__main__":
    main()
