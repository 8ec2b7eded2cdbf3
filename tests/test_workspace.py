"""The setup changed from Slack, as the state database keeps it: changes made at once by several
instances (threads here, each with its own StateStore on one database) are all kept."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from functools import partial

from nrr.config import LedgerSettings, Settings, StateSettings
from nrr.runtime import KEEP_ANSWERS, Runtime
from nrr.state import SCHEMA_VERSION, StateStore
from nrr.workspace import Workspace
from tests import test_scheduling

NOW = dt.datetime(2026, 11, 22, 15, 0, tzinfo=dt.UTC)
state_url = test_scheduling.state_url  # a SQLite file, and a PostgreSQL database when one runs


def at_once(*changes: Callable[[], object]) -> None:
    """Run ``changes`` in threads that start together."""
    start = threading.Barrier(len(changes))
    failures: list[BaseException] = []

    def run(change: Callable[[], object]) -> None:
        start.wait()
        try:
            change()
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(c,)) for c in changes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_two_admins_changing_different_alert_keys_at_once_both_keep_their_change(state_url: str) -> None:
    stores = [StateStore(state_url) for _ in range(2)]
    one, two = (Workspace(s, lambda: NOW) for s in stores)
    try:
        for round_ in range(25):
            at_once(partial(one.set_alerts, "U0ANA", rules={f"rule{round_}": True}),
                    partial(two.set_alerts, "U0BEN", thresholds={f"line{round_}": "0.9"}))
            kept = one.alert_overrides()
            assert (kept["rules"].get(f"rule{round_}"), kept["thresholds"].get(f"line{round_}")) == (True, "0.9")
        assert len(one.changes()) == 50
    finally:
        for s in stores:
            s.close()


def test_two_admins_subscribing_one_channel_at_once_leave_one_subscription(state_url: str) -> None:
    stores = [StateStore(state_url) for _ in range(2)]
    one, two = (Workspace(s, lambda: NOW) for s in stores)
    try:
        for round_ in range(10):
            at_once(partial(one.subscribe, f"C{round_}", None, 2, "09:00", "UTC", "U0ANA"),
                    partial(two.subscribe, f"C{round_}", None, 3, "10:00", "UTC", "U0BEN"))
        assert [s.channel for s in one.subscriptions()] == [f"C{r}" for r in range(10)]
        assert len(one.changes()) == 20
    finally:
        for s in stores:
            s.close()


def test_the_audit_log_records_the_team_a_change_came_from(state_url: str) -> None:
    store = StateStore(state_url)
    try:
        Workspace(store, lambda: NOW).set_alerts("U0ANA", team="T0ACME", channel="C1", name="revenue")
        change = store.changes()[-1]
        assert (change.user, change.team, change.detail) == ("U0ANA", "T0ACME", {"channel": "C1", "name": "revenue"})
    finally:
        store.close()


def test_kept_answers_are_pruned_by_age(state_url: str) -> None:
    now = [NOW]
    runtime = Runtime(_file=Settings(ledger=LedgerSettings(source="ledger.csv"), state=StateSettings(state_url)),
                      env={}, clock=lambda: now[0])
    try:
        runtime.remember("answer:old", {"text": "Q3"})
        now[0] = NOW + KEEP_ANSWERS + dt.timedelta(seconds=1)
        runtime.remember("answer:new", {"text": "Q4"})  # keeping one prunes what is past its age
        assert runtime.take("answer:old") is None
        assert runtime.take("answer:new") == {"text": "Q4"}
        assert runtime.take("answer:new") is None  # shared once
    finally:
        runtime.state().close()


def test_answers_kept_before_the_kept_table_go_at_the_upgrade(state_url: str) -> None:
    store = StateStore(state_url)
    store.set_value("answer:abc", {"text": "Q3"})
    store.set_value("schema-version", 2)
    store.close()
    again = StateStore(state_url)
    try:
        assert (again.get_value("answer:abc"), again.schema_version()) == (None, SCHEMA_VERSION)
    finally:
        again.close()
