"""How fast the engine reads a 10-year ledger and answers every period in the grammar.

Run: ``.venv/bin/python bench/engine.py`` (or ``make bench``). Prints the figures; asserts
nothing about time, so it never flakes.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import EXAMPLES, Cell, Month, build_report, check_ledger, read_ledger, resolve_period

HEADER = ["Month", "MRR (Start of Period)", "Expanded MRR", "Churned MRR", "Downgraded MRR",
          "MRR (End of Period)", "NRR Rate"]
TODAY = dt.date(2035, 2, 10)


def ten_year_grid(seed: int = 7) -> list[list[Cell]]:
    """120 months, Feb 2025 to Jan 2035, as a CSV export would hold them (strings, formats)."""
    rng = random.Random(seed)
    start = Decimal(150_000)
    grid: list[list[Cell]] = [list(HEADER)]
    month = Month(2025, 2)
    for _ in range(120):
        e = (start * Decimal(rng.uniform(0.015, 0.03))).quantize(Decimal(1))
        c = (start * Decimal(rng.uniform(0.004, 0.012))).quantize(Decimal(1))
        d = (start * Decimal(rng.uniform(0.002, 0.006))).quantize(Decimal(1))
        end = start + e - c - d
        grid.append([month.short, f"${start:,.0f}", f"${e:,.0f}", f"(${c:,.0f})", f"${d:,.0f}",
                     f"${end:,.0f}", f"{end / start * 100:.2f}%"])
        start = end + (start * Decimal(rng.uniform(0.01, 0.03))).quantize(Decimal(1))
        month += 1
    return grid


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return samples


def show(name: str, samples: list[float], per: int = 1) -> None:
    ms = sorted(s * 1000 / per for s in samples)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    print(f"{name:<44} median {statistics.median(ms):8.3f} ms   p95 {p95:8.3f} ms   (n={len(ms)})")


def main() -> None:
    grid = ten_year_grid()
    ledger = read_ledger(grid)
    queries = [q for q in EXAMPLES if q not in ("this-month",)] + [
        "2033-01..2034-12", "last-120-months", "FY2034", "2034", "Q1 2030", "december"]
    periods = [resolve_period(q, TODAY) for q in queries]
    print(f"ledger: {len(ledger)} months ({ledger.first_month} to {ledger.last_month}); "
          f"{len(queries)} period queries; python {sys.version.split()[0]}")
    show("read + validate 120 months (strings)", timed(lambda: check_ledger(grid), 30))
    show("resolve every period query", timed(lambda: [resolve_period(q, TODAY) for q in queries], 200),
         per=len(queries))
    for method in ("chained", "sum"):
        show(f"full report per period ({method})",
             timed(lambda m=method: [build_report(ledger, p, method=m) for p in periods], 20),  # type: ignore[misc]
             per=len(periods))
    t0 = time.perf_counter()
    answered = [build_report(read_ledger(grid), resolve_period(q, TODAY)) for q in queries]
    total = (time.perf_counter() - t0) * 1000
    print(f"{'cold: read + answer all ' + str(len(answered)) + ' queries':<44} total  {total:8.1f} ms")


if __name__ == "__main__":
    main()
