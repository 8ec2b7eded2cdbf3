"""500 channels' monthly digests against the Slack fake, with its rate limits enforced.

Run: ``.venv/bin/python bench/digest.py``. Two scheduler instances (separate owners, one SQLite
state database) tick at the same moment, as after a double start; the Slack fake enforces
chat.postMessage at 1 per second per channel and answers 429 with Retry-After beyond that. Prints
the time taken, the posts made, the 429s met and the duplicates, which must be 0. Charts are left
out here (one PNG per channel would measure matplotlib and the upload rate limit, not delivery);
bench numbers for the chart: one render, reused across channels of the same month.
"""

from __future__ import annotations

import collections
import datetime as dt
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from slack_sdk import WebClient

from bot import Delivery
from nrr.config import AlertSettings, DigestSchedule, LedgerSettings, Settings, StateSettings
from nrr.runtime import Runtime
from nrr.scheduling import DigestService
from nrr.state import StateStore
from tests.fakes.slack_api import BOT_TOKEN, FakeSlack
from tests.helpers import EXAMPLE_LEDGER

CHANNELS = 500
NOW = dt.datetime(2026, 11, 2, 9, 5, tzinfo=dt.UTC)


def main() -> None:
    zones = ["UTC", "Europe/London", "America/New_York", "Asia/Tokyo", "Australia/Sydney"]
    schedules = tuple(DigestSchedule(channel=f"C{n:08d}", timezone=zones[n % len(zones)], day=1, time=dt.time(0, 30),
                                     include=("month", "quarter", "year", "movements", "benchmark", "warnings"))
                      for n in range(CHANNELS))
    with FakeSlack() as slack, tempfile.TemporaryDirectory() as tmp:
        slack.rate_limits["chat.postMessage"] = 1.0
        settings = Settings(ledger=LedgerSettings(source=str(EXAMPLE_LEDGER)), digests=schedules,
                            alerts=AlertSettings(channel="C0ALERTS01", name="revenue-alerts"),
                            state=StateSettings(f"sqlite:///{tmp}/state.db"))
        services = []
        for owner in ("scheduler-a", "scheduler-b"):
            runtime = Runtime(_file=settings, env={}, clock=lambda: NOW)
            delivery = Delivery(WebClient(token=BOT_TOKEN, base_url=slack.api_url), time.sleep)
            services.append(DigestService(runtime, StateStore(settings.state.url, owner=owner), delivery))
        t0 = time.perf_counter()
        reports = []

        def run(service: DigestService) -> None:
            reports.append(service.tick(NOW))

        threads = [threading.Thread(target=run, args=(s,)) for s in services]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        first = time.perf_counter() - t0
        # the lease holder did the work; now the other one takes over (as after a failover) and ticks too
        t1 = time.perf_counter()
        services[1].store.acquire_lease("scheduler", NOW + dt.timedelta(minutes=10), dt.timedelta(minutes=3))
        services[1].tick(NOW + dt.timedelta(minutes=10))
        second = time.perf_counter() - t1
        digests = collections.Counter(p["channel"] for p in slack.posts("chat.postMessage")
                                      if str(p.get("text", "")).startswith("NRR digest"))
        alerts = [p for p in slack.posts("chat.postMessage") if p["channel"] == "C0ALERTS01"]
        duplicates = sum(n - 1 for n in digests.values())
        print(f"channels: {CHANNELS} (5 time zones), two schedulers on one SQLite state database")
        print(f"first tick (both instances): {first:6.2f} s   failover tick: {second:6.2f} s")
        print(f"digests posted: {sum(digests.values())} to {len(digests)} channels; alerts posted: {len(alerts)}")
        print(f"429s answered by the fake: {slack.rate_limited}; leaders: {sum(r.leader for r in reports)} of 2")
        print(f"duplicates: {duplicates}")


if __name__ == "__main__":
    main()
