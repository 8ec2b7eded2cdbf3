"""Reads per query and time to answer from a Google Sheet ledger, against the local Sheets fake.

Run: ``.venv/bin/python bench/sheets.py``. For each latency the fake adds to every Sheets call
(0, 300 ms, 2 s): a cold answer (token + metadata + one values read), warm answers within the
cache TTL, a burst of 20 concurrent queries, and the same after the TTL expires.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import build_report, load_ledger, resolve_period
from nrr.config import LedgerSettings, Settings
from nrr.runtime import Runtime
from tests.fakes.google_api import FakeGoogle
from tests.helpers import EXAMPLE_LEDGER

SHEET = "1BenchSheet0123456789abcdefghij"
TODAY = dt.date(2026, 11, 5)


def shifted(offset: list[float]) -> float:
    """A monotonic clock the bench can move forward past the cache TTL without waiting."""
    return time.monotonic() + offset[0]


def answer(rt: Runtime, query: str) -> float:
    t0 = time.perf_counter()
    ledger = load_ledger(rt.source())
    build_report(ledger, resolve_period(query, TODAY))
    return time.perf_counter() - t0


def main() -> None:
    import csv

    rows = list(csv.reader(EXAMPLE_LEDGER.open()))
    print(f"ledger: {len(rows) - 1} months in one worksheet; TTL 60 s; python {sys.version.split()[0]}")
    print(f"{'latency':>8} {'cold ms':>9} {'warm p50 ms':>12} {'burst 20 p50/p99 ms':>20} "
          f"{'reads/20 queries':>17} {'after TTL ms':>13}")
    for latency in (0.0, 0.3, 2.0):
        with FakeGoogle() as google:
            google.add_spreadsheet(SHEET, {"Ledger": rows})
            env = {"GOOGLE_SERVICE_ACCOUNT_JSON": json.dumps(google.key_info()), "SHEETS_API_URL": google.url}
            fake_now = [0.0]
            rt = Runtime(_file=Settings(ledger=LedgerSettings(source=f"gsheet:{SHEET}/Ledger")), env=env,
                         monotonic=functools.partial(shifted, fake_now))
            google.latency = latency
            cold = answer(rt, "last-quarter")
            warm = [answer(rt, "ttm") for _ in range(20)]
            fake_now[0] += 61  # the TTL runs out
            before = google.reads()
            with ThreadPoolExecutor(10) as pool:
                burst = sorted(pool.map(lambda _, runtime=rt: answer(runtime, "last-month"), range(20)))
            burst_reads = google.reads() - before
            fake_now[0] += 61
            after = answer(rt, "last-quarter")
            print(f"{latency * 1000:>6.0f}ms {cold * 1000:>9.1f} {statistics.median(warm) * 1000:>12.2f} "
                  f"{statistics.median(burst) * 1000:>9.1f}/{burst[-1] * 1000:<9.1f} {burst_reads:>17} "
                  f"{after * 1000:>13.1f}")
            print(f"{'':>8} requests: {dict(sorted(google.counts.items()))}")


if __name__ == "__main__":
    main()
