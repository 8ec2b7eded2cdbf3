"""A customer table of millions of rows in PostgreSQL: ``nrr report ttm --json`` and ``nrr forecast --json`` answered
in the database.

Run: ``.venv/bin/python bench/warehouse.py [--customers 100000] [--months 24] [--runs 3] [--url URL]``, with
PostgreSQL at ``--url`` (default ``$NRR_TEST_POSTGRES_URL``, else ``postgresql+psycopg://nrr@127.0.0.1:55432/postgres``;
``.ci/run`` starts one). It loads bench/customers.py's table (its generator, the same seed) into
``nrr_bench.customer_mrr`` with COPY, then prints, for a new ``nrr`` process each run (start-up included): the
wall time of ``nrr report ttm --json``, ``--by segment`` and ``nrr forecast --json``, and that process's peak memory
(``run_measured``: the database's memory is the server's). With DuckDB installed the same table as a Parquet file
too. With ``--check``, each answer's NRR is checked against the same figure read from the CSV by ``nrr`` itself, and
the forecast's whole JSON against the CSV's.

Asserts nothing about time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.customers import generate  # noqa: E402

NRR = str(Path(sys.executable).parent / "nrr")


#: run by a fresh, small Python process: the command, then its peak RSS (the measure's own few MB at most: see below)
MEASURE = ("import resource, subprocess, sys\n"
           "done = subprocess.run(sys.argv[1:])\n"
           "sys.stderr.write(f'\\n{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\\n')\n"
           "sys.exit(done.returncode)\n")


def run_measured(argv: list[str]) -> tuple[float, float, dict[str, object]]:
    """Wall seconds, peak MB of the nrr process and its JSON answer.

    The peak is not this process's ``wait4`` of the child: Linux counts in a child's ``ru_maxrss`` the memory of the
    process it was forked from (at ``exec`` the old address space's high-water mark is kept), and this one holds
    the generated table and DuckDB by then, so every child read as this process's peak. A fresh interpreter that
    imports only ``subprocess`` starts each ``nrr`` and reports ``RUSAGE_CHILDREN``: its own ~10 MB are the floor
    (the same figures as ``/usr/bin/time -v`` within that)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-S", "-c", MEASURE, *argv], capture_output=True, check=False)
    wall = time.perf_counter() - started
    err, _, peak = done.stderr.rstrip().rpartition(b"\n")
    if done.returncode:
        raise SystemExit(f"{' '.join(argv)} failed: {err.decode()}")
    return wall, int(peak) / 1024, json.loads(done.stdout)


def load_postgres(url: str, csv_path: Path) -> str:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE SCHEMA IF NOT EXISTS nrr_bench")
        conn.exec_driver_sql("DROP TABLE IF EXISTS nrr_bench.customer_mrr")
        conn.exec_driver_sql('CREATE TABLE nrr_bench.customer_mrr ("Customer ID" text, "Customer" text, '
                             '"Month" text, "MRR" numeric(14,2), "Segment" text, "Plan" text)')
        raw = conn.connection.dbapi_connection
        assert raw is not None
        with raw.cursor() as cursor, csv_path.open("rb") as handle, cursor.copy(  # type: ignore[attr-defined]
                "COPY nrr_bench.customer_mrr FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        conn.exec_driver_sql("ANALYZE nrr_bench.customer_mrr")
    engine.dispose()
    return f"{url}#nrr_bench.customer_mrr"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--url", default=os.environ.get("NRR_TEST_POSTGRES_URL")
                        or "postgresql+psycopg://nrr@127.0.0.1:55432/postgres")
    parser.add_argument("--check", action="store_true", help="also answer from the CSV and compare the figures")
    args = parser.parse_args()
    after = 2021 * 12 + args.months  # bench/customers.py's table starts in January 2021
    today = f"{after // 12}-{after % 12 + 1:02d}-05"  # the month after its last
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "customers.csv"
        rows = generate(csv_path, args.customers, args.months)
        print(f"{args.customers:,} customers x {args.months} months: {rows:,} rows")
        started = time.perf_counter()
        spec = load_postgres(args.url, csv_path)
        print(f"loaded into PostgreSQL in {time.perf_counter() - started:.1f} s")
        sources = [("PostgreSQL", spec)]
        try:
            import duckdb

            parquet = Path(tmp) / "customers.parquet"
            duckdb.sql(f"COPY (SELECT * FROM read_csv('{csv_path}', types={{'Month': 'VARCHAR'}})) "
                       f"TO '{parquet}' (FORMAT parquet)")
            sources.append(("Parquet (DuckDB)", str(parquet)))
        except ImportError:
            pass
        answers: dict[str, object] = {}
        forecasts: dict[str, object] = {}
        for label, source in sources:
            for extra in ([], ["--by", "Segment"]):
                walls, peaks = [], []
                for _ in range(args.runs):
                    wall, peak, out = run_measured([NRR, "report", "ttm", "--json", "--ledger", source,
                                                    "--today", today, *extra])
                    walls.append(wall)
                    peaks.append(peak)
                answers[f"{label}{extra}"] = (out["nrr_pct"], out["grr_pct"], out.get("cohort"))
                walls.sort()
                print(f"{label:<18} report ttm --json {' '.join(extra):<13} median {walls[len(walls) // 2]:.2f} s "
                      f"(runs {', '.join(f'{w:.2f}' for w in walls)}), nrr's peak {max(peaks):.0f} MB, "
                      f"NRR {out['nrr_pct']}%, GRR {out['grr_pct']}%")
            walls, peaks = [], []
            for _ in range(args.runs):
                wall, peak, out = run_measured([NRR, "forecast", "--json", "--ledger", source, "--today", today])
                walls.append(wall)
                peaks.append(peak)
            forecasts[label] = out
            walls.sort()
            print(f"{label:<18} forecast --json                 median {walls[len(walls) // 2]:.2f} s "
                  f"(runs {', '.join(f'{w:.2f}' for w in walls)}), nrr's peak {max(peaks):.0f} MB, "
                  f"{out['method']}, 12th month {out['months'][-1]['mrr']}")  # type: ignore[index]
        if args.check:
            wall, peak, out = run_measured([NRR, "forecast", "--json", "--ledger", str(csv_path), "--today", today])
            same = all(v == out for v in forecasts.values())
            print(f"CSV, read by nrr   forecast --json                 {wall:.2f} s, peak {peak:.0f} MB: "
                  f"{'the same JSON' if same else 'A DIFFERENT JSON'}")
            wall, peak, out = run_measured([NRR, "report", "ttm", "--json", "--ledger", str(csv_path),
                                            "--today", today])
            same = all(v == (out["nrr_pct"], out["grr_pct"], out.get("cohort")) for k, v in answers.items()
                       if "Segment" not in k)
            print(f"CSV, read by nrr   report ttm --json               {wall:.2f} s, peak {peak:.0f} MB: "
                  f"{'the same figures' if same else 'DIFFERENT FIGURES'}")


if __name__ == "__main__":
    main()
