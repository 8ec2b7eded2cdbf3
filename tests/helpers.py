"""Small builders for hand-written ledgers in tests."""

from __future__ import annotations

import os
import ssl
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import certifi

from engine import Ledger, LedgerRow, Month

ROOT = Path(__file__).resolve().parent.parent
# read before the autouse fixture cleans NRR_* from the environment: .ci/run starts the server
POSTGRES_URL = os.environ.get("NRR_TEST_POSTGRES_URL")
EXAMPLE_LEDGER = ROOT / "examples" / "ledger.csv"
EXAMPLE_CONFIG = ROOT / "examples" / "nrr.toml"

#: how hard the property tests look (examples tried, mutated files read): 1 keeps `make test` within its minute and
#: still catches a regression in what they guard; `make fuzz` sets NRR_FUZZ=10 to look ten times harder
FUZZ = float(os.environ.get("NRR_FUZZ", "1"))


#: httpx's own TLS context (certifi's roots), built once for every request the tests send: httpx.post() or get()
#: without one builds it anew, loading the roots (some 25 ms of CPU, about 340 times a run), though every server
#: here is plain HTTP on 127.0.0.1
TLS = ssl.create_default_context(cafile=certifi.where())


def examples(n: int) -> int:
    """``n`` examples at ``make test``'s scale, ``FUZZ`` times as many under ``make fuzz``."""
    return max(1, round(n * FUZZ))

HEADER = ["Month", "MRR (Start of Period)", "Expanded MRR", "Churned MRR", "Downgraded MRR",
          "MRR (End of Period)", "NRR Rate"]


def row(month: str, start: str, expansion: str = "0", churn: str = "0", downgrade: str = "0") -> LedgerRow:
    """A ledger row from strings: ``row("2026-01", "100000", "15000", "5000", "2000")``."""
    y, m = month.split("-")
    return LedgerRow(month=Month(int(y), int(m)), start=Decimal(start), expansion=Decimal(expansion),
                     churn=Decimal(churn), downgrade=Decimal(downgrade))


def ledger(*rows: LedgerRow) -> Ledger:
    return Ledger.of(*rows)


def wait_until_healthy(url: str, process: subprocess.Popen[str] | subprocess.Popen[bytes], seconds: float) -> None:
    """Poll ``url``/healthz until ``nrr serve`` in ``process`` answers 200; ``AssertionError`` with what it
    printed (when captured) if it exits or ``seconds`` pass first."""
    import httpx

    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(f"{url}/healthz", trust_env=False, timeout=1, verify=TLS).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"nrr serve did not become healthy:\n{process.communicate()[0]!r}")
        time.sleep(0.1)


@contextmanager
def postgres_schema(prefix: str) -> Iterator[str]:
    """A schema of its own on the test PostgreSQL (``NRR_TEST_POSTGRES_URL``), dropped with all it holds after."""
    import sqlalchemy as sa

    assert POSTGRES_URL
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {name}"))
        yield name
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {name} CASCADE"))
    finally:
        admin.dispose()
