"""The hot path of a running bot on a large customer table: the ledger's fingerprint and each answer.

Run: ``.venv/bin/python bench/answers.py [--customers 10000 100000] [--months 60] [--runs 5]``. For each
size it writes the long-form CSV of ``bench/customers.py`` (same generator, same seed) and prints, in this
process, as ``nrr serve`` does it:

- read: the file's cells read afresh (the file touched so nothing is reused), and the fingerprint those
  cells carry (what Share and the scheduler's change check compare), each timed on its own, and the time
  to hash the file's bytes (which the read includes when the fingerprint is taken from them);
- per answer: ``/nrr`` answers (``Answers.answer``, blocks and the kept copy for Share included) once the
  table is read and its ledger built, the median of ``--runs`` for each query.

Wall and CPU time are both printed: on a shared machine the CPU time of this process varies less.

Asserts nothing about time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.customers import generate  # noqa: E402
from bot import Answers  # noqa: E402
from nrr.cli import release_freed_memory  # noqa: E402
from nrr.config import LedgerSettings, Settings, StateSettings  # noqa: E402
from nrr.runtime import Runtime  # noqa: E402

NOW = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)
QUERIES = ("ttm", "last-quarter compare", "enterprise ttm", "ttm by segment", "smb movers last-quarter")


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def bench(tmp: Path, customers: int, months: int, runs: int) -> None:
    release_freed_memory()  # as nrr serve starts
    path = tmp / f"customers-{customers}.csv"
    rows = generate(path, customers, months)
    print(f"{customers:,} customers x {months} months: {rows:,} rows, {path.stat().st_size / 1e6:.0f} MB CSV")
    settings = Settings(ledger=LedgerSettings(source=str(path)), state=StateSettings(f"sqlite:///{tmp}/state-{customers}.db"))
    year, month = divmod(2021 * 12 + months, 12)  # the month after the table's last (it starts in January 2021)
    now = NOW.replace(year=year, month=month + 1)
    runtime = Runtime(_file=settings, env={}, clock=lambda: now)
    reads, prints, cpu = [], [], []
    for i in range(runs):
        os.utime(path, ns=(i, i))  # a new modification time: the file is read again, not reused
        t0 = time.perf_counter()
        cells = runtime.cells()
        t1, c1 = time.perf_counter(), time.process_time()
        cells.fingerprint  # noqa: B018 - timed
        prints.append(time.perf_counter() - t1)
        cpu.append(time.process_time() - c1)
        reads.append(t1 - t0)
    t0 = time.perf_counter()
    with path.open("rb") as handle:  # streamed: the file's bytes held at once would count in the peak below
        hashlib.file_digest(handle, "sha256").hexdigest()
    hashed = time.perf_counter() - t0
    print(f"  read the file's cells {median_ms(reads):8.1f} ms; fingerprint {median_ms(prints):8.1f} ms wall, "
          f"{median_ms(cpu):8.1f} ms CPU (median; its own time, beyond the read); hashing the file's bytes "
          f"{hashed * 1000:.1f} ms")
    answers = Answers(runtime, workers=1)
    try:
        answers.answer("ttm")  # the ledger and the customer table, built once per read (as nrr serve keeps them)
        for query in QUERIES:
            times, cpu = [], []
            for _ in range(runs):
                t0, c0 = time.perf_counter(), time.process_time()
                answers.answer(query)
                times.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
            print(f"  /nrr {query:<26} {median_ms(times):8.1f} ms wall, {median_ms(cpu):8.1f} ms CPU per answer "
                  f"(median of {runs})")
    finally:
        answers.pool.shutdown()
    print(f"  peak memory of this process so far: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for customers in args.customers:
            bench(Path(tmp), customers, args.months, args.runs)


if __name__ == "__main__":
    main()
