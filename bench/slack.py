"""Ack and answer latency for /nrr commands against the running server, 100 in flight; then the
memory of ``nrr serve`` under ten unsigned 100 MB POSTs.

Run: ``.venv/bin/python bench/slack.py [--in-flight N] [--commands M] [--tree DIR]``. The real app (Bolt behind
uvicorn on 127.0.0.1) runs in its own process, as ``nrr serve`` does, so the load it is given does not
share its interpreter; the Slack fake receives the answers at their response_url. Two ledgers: the
example CSV (fast; ``--commands`` of them) and a Google Sheet behind the Sheets fake taking 2 s per read
with no cache, so every answer waits on the sheet (concurrent ones share a read; 200 of them), then
again with every fifth request an App Home opening (whose dashboard reads the sheet too). Slack
gives an ack 3 seconds; the line says how many took longer. Last, ``nrr serve`` runs as a process
(from ``--tree``, another checkout, for a before and after) and is sent ten unsigned 100 MB bodies
at once: its resident memory before, at its peak and after.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import hashlib
import hmac
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nrr.config import LedgerSettings, Settings, SheetsSettings
from nrr.runtime import Runtime
from nrr.server import build_server
from tests.fakes.google_api import FakeGoogle
from tests.fakes.servers import serve
from tests.fakes.slack_api import BOT_TOKEN, FakeSlack
from tests.helpers import EXAMPLE_LEDGER, wait_until_healthy

SECRET = "bench-signing-secret"
NOW = dt.datetime(2026, 11, 5, 15, 0, tzinfo=dt.UTC)
QUERIES = ["last-quarter", "", "ttm", "Q3 2026 compare", "2026-03", "ytd grr", "2026-01..2026-06", "help"]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def _serve(settings: Settings, env: dict[str, str], ready: Any, stop: Any) -> None:
    """The server's process: the app at ``NOW``, its URL put on ``ready``, served until ``stop`` is set."""
    runtime = Runtime(_file=settings, env=env, clock=lambda: NOW)
    with serve(build_server(runtime).app) as url:
        ready.put(url)
        stop.wait()


async def _post_all(url: str, slack: FakeSlack, label: str, commands: int, in_flight: int, home_every: int
                    ) -> list[tuple[float, str, float, str]]:
    """Post ``commands`` signed /nrr commands over ``in_flight`` keep-alive connections, each sending its
    next command when the last is acked, every ``home_every``-th an ``app_home_opened`` event instead
    (0: none): (ack seconds, response_url path or "" for an event, monotonic time sent, HTTP status or
    "busy" for an ack that says so) each.

    Plain asyncio streams, not httpx.AsyncClient: at 100 in flight its connection pool was the
    bottleneck (a Starlette app that answers at once measured p99 4.8 s through it, 41 ms this way)."""
    host, port = urlsplit(url).hostname or "127.0.0.1", urlsplit(url).port or 80
    todo = iter(range(commands))
    results: list[tuple[float, str, float, str]] = []

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        for i in todo:
            name = f"{label.split()[0]}{i}"
            home = home_every and i % home_every == home_every - 1
            if home:
                kind, body = "application/json", json.dumps({
                    "type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": f"Ev{i}",
                    "event": {"type": "app_home_opened", "user": f"U{i}", "tab": "home"}})
            else:
                kind, body = "application/x-www-form-urlencoded", urlencode({
                    "command": "/nrr", "text": QUERIES[i % len(QUERIES)], "user_id": "U1", "channel_id": "C1",
                    "team_id": "T1", "response_url": slack.response_url(name)})
            ts = str(int(time.time()))
            sig = hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
            t0 = time.monotonic()
            writer.write((f"POST /slack/events HTTP/1.1\r\nHost: {host}\r\n"
                          f"Content-Type: {kind}\r\nX-Slack-Request-Timestamp: {ts}\r\n"
                          f"X-Slack-Signature: v0={sig}\r\nContent-Length: {len(body)}\r\n\r\n{body}").encode())
            await writer.drain()
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            length = next(int(h.split(":")[1]) for h in head if h.lower().startswith("content-length:"))
            said = await reader.readexactly(length)
            status = head[0].split()[1]
            if status == "200" and said and not home:  # an ack that says it is too busy
                status = "busy"
            results.append((time.monotonic() - t0, "" if home else f"/response/{name}", t0, status))
        writer.close()

    await asyncio.gather(*(connection() for _ in range(in_flight)))
    return results


def run(label: str, settings: Settings, env: dict[str, str], slack: FakeSlack, commands: int,
        in_flight: int, home_every: int = 0) -> None:
    spawn = multiprocessing.get_context("spawn")
    ready, stop = spawn.Queue(), spawn.Event()
    server = spawn.Process(target=_serve, args=(settings, env, ready, stop), daemon=True)
    server.start()
    try:
        url = ready.get(timeout=60)
        t_start = time.monotonic()
        results = asyncio.run(_post_all(url, slack, label, commands, in_flight, home_every))
        paths = [p for _, p, _, status in results if p and status == "200"]
        assert slack.wait_for(lambda: all(p in slack.arrived for p in paths), timeout=600)
        total = time.monotonic() - t_start
    finally:
        stop.set()
        server.join(timeout=10)
    acks = [a * 1000 for a, _, _, _ in results]
    answers = [(slack.arrived[p] - t0) * 1000 for _, p, t0, status in results if p and status == "200"]
    late = sum(a >= 3000 for a in acks)
    refused = sum(status not in ("200", "busy") for _, _, _, status in results)
    busy = sum(status == "busy" for _, _, _, status in results)
    print(f"{label:<24} {commands:>5} reqs  ack p50 {statistics.median(acks):7.1f} ms  p99 "
          f"{percentile(acks, 0.99):7.1f} ms  max {max(acks):7.1f} ms   answer p50 "
          f"{statistics.median(answers):8.1f} ms  p99 {percentile(answers, 0.99):8.1f} ms   acks >= 3 s: {late}   "
          f"not 200: {refused}   too busy: {busy}   total {total:5.1f} s")


def _rss_mb(pid: int) -> tuple[float, float]:
    """Resident memory now and at its peak (VmRSS, VmHWM), in MB."""
    with Path(f"/proc/{pid}/status").open() as f:
        fields = dict(line.split(":", 1) for line in f)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def oversized(tree: Path, slack: FakeSlack, count: int = 10, megabytes: int = 100) -> None:
    """``nrr serve`` from ``tree`` sent ``count`` unsigned bodies of ``megabytes`` at once: its memory."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    state = tempfile.mkdtemp(prefix="nrr-bench-")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "NRR_", "GOOGLE_"))}
    env |= {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack.api_url,
            "NRR_STATE_URL": f"sqlite:///{state}/state.db", "PYTHONPATH": str(tree)}
    process = subprocess.Popen([sys.executable, "-m", "nrr", "serve", "--host", "127.0.0.1", "--port", str(port),
                                "--ledger", str(EXAMPLE_LEDGER)], env=env, cwd=str(tree),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, process, 60)
        before, _ = _rss_mb(process.pid)
        chunk = b"x" * (1 << 20)
        outcomes: list[str] = []

        def post() -> None:
            try:
                response = httpx.post(f"{url}/slack/events", content=(chunk for _ in range(megabytes)),
                                      trust_env=False, timeout=120)
                outcomes.append(str(response.status_code))
            except httpx.HTTPError as exc:  # a server that stops reading may close before the body is sent
                outcomes.append(type(exc).__name__)

        started = time.monotonic()
        threads = [threading.Thread(target=post) for _ in range(count)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.monotonic() - started
        after, peak = _rss_mb(process.pid)
        answers = ", ".join(f"{n} x {o}" for o in sorted(set(outcomes)) if (n := outcomes.count(o)))
        print(f"nrr serve ({tree}), {count} unsigned {megabytes} MB POSTs to /slack/events at once: RSS "
              f"{before:.0f} MB before, peak {peak:.0f} MB, {after:.0f} MB after; answers: {answers}; {took:.1f} s")
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--in-flight", type=int, default=100, help="commands in flight at once (default 100)")
    parser.add_argument("--commands", type=int, default=1000, help="commands to the fast ledger (default 1000)")
    parser.add_argument("--tree", type=Path, default=Path(__file__).resolve().parent.parent,
                        help="the checkout whose nrr serve gets the oversized bodies (default: this one)")
    args = parser.parse_args()
    print(f"/nrr commands, {args.in_flight} in flight; queries cycle through {QUERIES}")
    with ExitStack() as stack:
        slack = stack.enter_context(FakeSlack())
        env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack.api_url}
        run("fast-ledger (CSV)", Settings(ledger=LedgerSettings(source=str(EXAMPLE_LEDGER))), env, slack, args.commands,
            args.in_flight)
        google = stack.enter_context(FakeGoogle())
        with EXAMPLE_LEDGER.open() as f:
            google.add_spreadsheet("1BenchSlackSheet000000000", {"Ledger": [list(r) for r in csv.reader(f)]})
        google.latency = 2.0
        sheet_env = env | {"GOOGLE_SERVICE_ACCOUNT_JSON": json.dumps(google.key_info()),
                           "SHEETS_API_URL": google.url}
        run("slow-ledger (2 s Sheet)", Settings(ledger=LedgerSettings(source="gsheet:1BenchSlackSheet000000000/Ledger"),
                                           sheets=SheetsSettings(cache_ttl=0.0)), sheet_env, slack, 200,
            args.in_flight)
        run("slow+home (2 s Sheet)", Settings(ledger=LedgerSettings(source="gsheet:1BenchSlackSheet000000000/Ledger"),
                                          sheets=SheetsSettings(cache_ttl=0.0)), sheet_env, slack, 200,
            args.in_flight, home_every=5)
        print(f"Sheets reads for the 2 s ledger: {google.reads()} values reads, "
              f"{google.counts['spreadsheets.get']} metadata")
        oversized(args.tree, slack)


if __name__ == "__main__":
    main()
