"""Ack and answer latency for 200 /nrr commands against the running server, 10 at a time.

Run: ``.venv/bin/python bench/slack.py``. The real app (Bolt behind uvicorn on 127.0.0.1) takes
signed slash commands; the Slack fake receives the answers at their response_url. Two ledgers:
the example CSV (fast) and a Google Sheet behind the Sheets fake taking 2 s per read with no
cache, so every answer waits on the sheet (concurrent ones share a read).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import json
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from nrr.config import LedgerSettings, Settings, SheetsSettings
from nrr.runtime import Runtime
from nrr.server import build_server
from tests.fakes.google_api import FakeGoogle
from tests.fakes.servers import serve
from tests.fakes.slack_api import BOT_TOKEN, FakeSlack
from tests.helpers import EXAMPLE_LEDGER

SECRET = "bench-signing-secret"
NOW = dt.datetime(2026, 11, 5, 15, 0, tzinfo=dt.UTC)
QUERIES = ["last-quarter", "", "ttm", "Q3 2026 compare", "2026-03", "ytd grr", "2026-01..2026-06", "help"]
COMMANDS, CONCURRENCY = 200, 10


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def run(label: str, settings: Settings, env: dict[str, str], slack: FakeSlack) -> None:
    runtime = Runtime(settings, env, lambda: NOW)
    with serve(build_server(runtime).app) as url, httpx.Client(trust_env=False, timeout=30) as client:
        def one(i: int) -> tuple[float, str, float]:
            name = f"{label.split()[0]}{i}"
            body = urlencode({"command": "/nrr", "text": QUERIES[i % len(QUERIES)], "user_id": "U1",
                              "channel_id": "C1", "team_id": "T1", "response_url": slack.response_url(name)})
            ts = str(int(time.time()))
            sig = hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
            t0 = time.monotonic()
            response = client.post(f"{url}/slack/events", content=body, headers={
                "Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts,
                "X-Slack-Signature": f"v0={sig}"})
            assert response.status_code == 200
            return time.monotonic() - t0, f"/response/{name}", t0

        t_start = time.monotonic()
        with ThreadPoolExecutor(CONCURRENCY) as pool:
            results = list(pool.map(one, range(COMMANDS)))
        assert slack.wait_for(lambda: all(p in slack.arrived for _, p, _ in results), timeout=300)
        total = time.monotonic() - t_start
    acks = [a * 1000 for a, _, _ in results]
    answers = [(slack.arrived[p] - t0) * 1000 for _, p, t0 in results]
    timeouts = sum(a >= 3000 for a in acks)
    print(f"{label:<22} ack p50 {statistics.median(acks):7.1f} ms  p99 {percentile(acks, 0.99):7.1f} ms   "
          f"answer p50 {statistics.median(answers):7.1f} ms  p99 {percentile(answers, 0.99):7.1f} ms   "
          f"acks >= 3 s: {timeouts}   total {total:5.1f} s")


def main() -> None:
    print(f"{COMMANDS} /nrr commands, {CONCURRENCY} at a time; queries cycle through {QUERIES}")
    with ExitStack() as stack:
        slack = stack.enter_context(FakeSlack())
        env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack.api_url}
        run("fast-ledger (CSV)", Settings(LedgerSettings(str(EXAMPLE_LEDGER))), env, slack)
        google = stack.enter_context(FakeGoogle())
        with EXAMPLE_LEDGER.open() as f:
            google.add_spreadsheet("1BenchSlackSheet000000000", {"Ledger": [list(r) for r in csv.reader(f)]})
        google.latency = 2.0
        sheet_env = env | {"GOOGLE_SERVICE_ACCOUNT_JSON": json.dumps(google.key_info()),
                           "SHEETS_API_URL": google.url}
        run("slow-ledger (2 s Sheet)", Settings(LedgerSettings("gsheet:1BenchSlackSheet000000000/Ledger"),
                                           sheets=SheetsSettings(cache_ttl=0.0)), sheet_env, slack)
        print(f"Sheets reads for the 2 s ledger: {google.reads()} values reads, "
              f"{google.counts['spreadsheets.get']} metadata")


if __name__ == "__main__":
    main()
