"""Digests and alerts: on each channel's clock, exactly once, with time injected (nothing sleeps)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient

from bot import Delivery
from engine import Month
from nrr.config import AlertSettings, DigestSchedule, LedgerSettings, Settings, StateSettings
from nrr.runtime import Runtime
from nrr.scheduling import DigestService, occurrence_for, occurrences, start_scheduler
from nrr.state import StateStore
from tests.fakes.slack_api import BOT_TOKEN, FakeSlack
from tests.helpers import EXAMPLE_LEDGER, POSTGRES_URL

UTC = dt.UTC


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def ledger_file(tmp_path: Path, last: str = "Oct 2026", name: str = "ledger.csv") -> Path:
    """The example ledger, cut after the month ``last``."""
    with EXAMPLE_LEDGER.open() as f:
        rows = list(csv.reader(f))
    cut = next(i for i, r in enumerate(rows) if r[0] == last)
    path = tmp_path / name
    with path.open("w", newline="") as f:
        csv.writer(f).writerows(rows[: cut + 1])
    return path


_STORES: list[StateStore] = []


@pytest.fixture(autouse=True)
def close_stores() -> Iterator[None]:
    yield
    while _STORES:
        _STORES.pop().close()


@pytest.fixture(params=["sqlite", "postgresql"])
def state_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh state database: a SQLite file, or a new PostgreSQL database when .ci/run started one."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'shared-state.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("no PostgreSQL server (.ci/run starts one where it can)")
    from sqlalchemy import create_engine, text

    name = f"nrr_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    while _STORES:
        _STORES.pop().close()
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def make_service(slack: FakeSlack, tmp_path: Path, *, ledger: Path | None = None, owner: str | None = None,
                 sleeps: Sleeps | None = None, state_url: str | None = None, **settings: Any) -> DigestService:
    base = Settings(
        ledger=LedgerSettings(source=str(ledger or EXAMPLE_LEDGER)),
        digests=(DigestSchedule(channel="C0REVENUE1", name="revenue", timezone="Asia/Tokyo", day=2,
                                time=dt.time(0, 30)),),
        alerts=AlertSettings(channel="C0ALERTS01", name="revenue-alerts"),
        state=StateSettings(state_url or f"sqlite:///{tmp_path / 'state.db'}"),
    )
    runtime = Runtime(_file=replace(base, **settings), env={}, clock=lambda: at("2026-11-22T00:00:00"))
    sleep = sleeps or Sleeps()
    delivery = Delivery(WebClient(token=BOT_TOKEN, base_url=slack.api_url), sleep)
    store = StateStore(runtime.settings.state.url, owner=owner)
    _STORES.append(store)
    _STORES.append(runtime.state())  # the runtime's own connection, for the setup made from Slack
    return DigestService(runtime, store, delivery)


def together(services: list[DigestService], work: Callable[[DigestService], object]) -> None:
    """Run ``work`` on every service at once, from a common start line."""
    barrier = threading.Barrier(len(services))

    def run(service: DigestService) -> None:
        barrier.wait()
        work(service)

    threads = [threading.Thread(target=run, args=(s,)) for s in services]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def digests(slack: FakeSlack) -> list[dict[str, Any]]:
    return [p for p in slack.posts("chat.postMessage") if str(p.get("text", "")).startswith("NRR digest")]


# --- when -------------------------------------------------------------------------------------

def test_the_2nd_at_0030_in_tokyo_is_still_the_1st_in_utc(slack: FakeSlack, tmp_path: Path) -> None:
    service = make_service(slack, tmp_path)
    assert service.tick(at("2026-11-01T15:29:00")).posted == []
    report = service.tick(at("2026-11-01T15:30:00"))
    assert report.posted[0] == "digest:C0REVENUE1:2026-10"
    (message,) = digests(slack)
    assert message["channel"] == "C0REVENUE1"
    assert message["text"] == "NRR digest for October 2026: October 2026: NRR 101.1% · GRR 98.9%"
    for later in ("2026-11-01T15:31:00", "2026-11-02T09:00:00", "2026-11-03T00:00:00"):
        service.tick(at(later))
    assert len(digests(slack)) == 1


def test_the_chart_goes_into_the_digests_thread(slack: FakeSlack, tmp_path: Path) -> None:
    service = make_service(slack, tmp_path)
    service.tick(at("2026-11-01T15:30:00"))
    assert len(digests(slack)) == 1
    (complete,) = slack.posts("files.completeUploadExternal")
    assert complete["channel_id"] == "C0REVENUE1"
    assert complete["thread_ts"].startswith("1763800000.")
    (png,) = slack.uploads.values()
    assert png.startswith(b"\x89PNG")
    service.tick(at("2026-11-01T15:40:00"))
    assert slack.counts["files.completeUploadExternal"] == 1


@pytest.mark.parametrize("died", ["before-claiming-the-chart", "holding-the-charts-claim"])
def test_a_digest_whose_poster_died_gets_its_chart_alone_later(slack: FakeSlack, tmp_path: Path, died: str) -> None:
    service = make_service(slack, tmp_path)
    dead = StateStore(service.runtime.state().url, owner="dead")  # the instance killed after posting the digest
    _STORES.append(dead)
    posted = at("2026-11-01T15:30:00")
    assert dead.claim("digest:C0REVENUE1:2026-10", "digest", "C0REVENUE1", posted)
    assert dead.begin_send("digest:C0REVENUE1:2026-10", posted)
    dead.posted("digest:C0REVENUE1:2026-10", posted, "1763800000.999999")
    if died == "holding-the-charts-claim":
        assert dead.claim("chart:C0REVENUE1:2026-10", "chart", "C0REVENUE1", posted)
    service.tick(at("2026-11-01T15:45:00"))  # past the dead instance's claim lease
    service.tick(at("2026-11-01T15:50:00"))
    assert digests(slack) == []  # the digest is never posted again
    (complete,) = slack.posts("files.completeUploadExternal")
    assert (complete["channel_id"], complete["thread_ts"]) == ("C0REVENUE1", "1763800000.999999")


@pytest.mark.parametrize(
    ("schedule", "ticks", "posted_at"),
    [
        # clocks go back on 1 Nov 2026 in New York: 01:30 happens twice (05:30Z and 06:30Z)
        (DigestSchedule(channel="C0NEWYORK1", timezone="America/New_York", day=1, time=dt.time(1, 30)),
         ["2026-11-01T05:29:00", "2026-11-01T05:30:00", "2026-11-01T06:30:00", "2026-11-01T07:00:00"],
         "2026-11-01T05:30:00"),
        # clocks go forward on 8 Mar 2026: 02:30 never happens; the digest goes at 03:30 EDT (07:30Z)
        (DigestSchedule(channel="C0NEWYORK1", timezone="America/New_York", day=8, time=dt.time(2, 30)),
         ["2026-03-08T06:30:00", "2026-03-08T07:29:00", "2026-03-08T07:30:00", "2026-03-08T08:30:00"],
         "2026-03-08T07:30:00"),
    ],
    ids=["fall-back", "spring-forward"],
)
def test_daylight_saving_changes_post_once(slack: FakeSlack, tmp_path: Path, schedule: DigestSchedule,
                                           ticks: list[str], posted_at: str) -> None:
    service = make_service(slack, tmp_path, digests=(schedule,))
    posted = [t for t in ticks if service.tick(at(t)).posted]
    assert posted == [posted_at]
    assert len(digests(slack)) == 1


def test_occurrences_are_on_the_channels_clock() -> None:
    schedule = DigestSchedule(channel="C0REVENUE1", timezone="Asia/Tokyo", day=2, time=dt.time(0, 30))
    this, = [o for o in occurrences(schedule, at("2026-11-10T00:00:00")) if o.month == Month(2026, 10)]
    assert this.at == at("2026-11-01T15:30:00")
    assert occurrence_for(schedule, Month(2026, 10)) == this


# --- catching up -------------------------------------------------------------------------------

def test_a_digest_missed_while_down_is_posted_late_within_the_grace(slack: FakeSlack, tmp_path: Path) -> None:
    schedule = DigestSchedule(channel="C0REVENUE1", timezone="UTC", day=2, time=dt.time(9, 0))
    service = make_service(slack, tmp_path, digests=(schedule,))
    service.tick(at("2026-11-04T20:00:00"))  # back up after more than two days down
    (message,) = digests(slack)
    assert ":hourglass: Posted late (2 days after its time)" in str(message["blocks"])


def test_past_the_grace_it_is_skipped_not_posted(slack: FakeSlack, tmp_path: Path) -> None:
    schedule = DigestSchedule(channel="C0REVENUE1", timezone="UTC", day=2, time=dt.time(9, 0))
    service = make_service(slack, tmp_path, digests=(schedule,))
    report = service.tick(at("2026-11-05T09:01:00"))
    assert report.skipped == ["digest:C0REVENUE1:2026-10"] and digests(slack) == []
    post = service.store.post("digest:C0REVENUE1:2026-10")
    assert post is not None and post.status == "skipped"


def test_a_month_before_the_ledger_is_recorded_as_skipped_once_and_never_read_for_again(slack: FakeSlack,
                                                                                        tmp_path: Path) -> None:
    # it was read for at every tick until the grace ran out, then said "missed by more than 3 days" (review)
    schedule = DigestSchedule(channel="C0REVENUE1", timezone="UTC", day=2, time=dt.time(9, 0))
    service = make_service(slack, tmp_path, digests=(schedule,))
    report = service.tick(at("2024-01-02T09:01:00"))  # December 2023's digest: the ledger starts in January 2024
    assert report.before_ledger == {"digest:C0REVENUE1:2023-12": Month(2024, 1)} and digests(slack) == []
    post = service.store.post("digest:C0REVENUE1:2023-12")
    assert post is not None and post.status == "skipped"
    assert service.tick(at("2024-01-02T10:01:00")).before_ledger == {}


# --- exactly once --------------------------------------------------------------------------------

def test_two_schedulers_on_one_database_post_once(slack: FakeSlack, tmp_path: Path, state_url: str) -> None:
    one = make_service(slack, tmp_path, owner="instance-one", state_url=state_url)
    two = make_service(slack, tmp_path, owner="instance-two", state_url=state_url)
    reports: list[Any] = []

    def run(service: DigestService) -> None:
        for minute in range(30, 36):
            reports.append(service.tick(at(f"2026-11-01T15:{minute}:00")))

    together([one, two], run)
    assert len(digests(slack)) == 1
    assert any(not r.leader for r in reports)


def test_claims_alone_keep_a_double_fire_harmless(slack: FakeSlack, tmp_path: Path, state_url: str) -> None:
    """Even with the lease out of the way, two instances running the same digest post it once."""
    one = make_service(slack, tmp_path, owner="a", state_url=state_url)
    two = make_service(slack, tmp_path, owner="b", state_url=state_url)
    occurrence = occurrence_for(one.settings.digests[0], Month(2026, 10))
    together([one, two], lambda service: service.run_digest(occurrence, at("2026-11-01T15:30:00")))
    assert len(digests(slack)) == 1


def test_a_crash_between_claiming_and_posting(slack: FakeSlack, tmp_path: Path, state_url: str) -> None:
    crashed = make_service(slack, tmp_path, owner="crashed", state_url=state_url)
    key = "digest:C0REVENUE1:2026-10"
    assert crashed.store.claim(key, "digest", "C0REVENUE1", at("2026-11-01T15:30:00"))  # ...then it died
    survivor = make_service(slack, tmp_path, owner="survivor", state_url=state_url)
    assert survivor.tick(at("2026-11-01T15:35:00")).posted == []  # the claim is still live
    assert survivor.tick(at("2026-11-01T15:41:00")).posted[0] == key  # lease over: taken over, posted
    survivor.tick(at("2026-11-01T15:50:00"))
    assert len(digests(slack)) == 1


def test_a_crash_while_sending_is_never_reposted_by_itself(slack: FakeSlack, tmp_path: Path) -> None:
    crashed = make_service(slack, tmp_path, owner="crashed")
    key = "digest:C0REVENUE1:2026-10"
    crashed.store.claim(key, "digest", "C0REVENUE1", at("2026-11-01T15:30:00"))
    crashed.store.begin_send(key, at("2026-11-01T15:30:00"))  # died during the Slack call
    survivor = make_service(slack, tmp_path, owner="survivor")
    for minute in ("15:45", "16:30", "23:00"):
        survivor.tick(at(f"2026-11-01T{minute}:00"))
    assert digests(slack) == []
    post = survivor.store.post(key)
    assert post is not None and post.status == "unknown"
    occurrence = occurrence_for(survivor.settings.digests[0], Month(2026, 10))
    survivor.run_digest(occurrence, at("2026-11-01T23:05:00"), force=True)
    assert len(digests(slack)) == 1


def test_the_first_forced_run_after_a_crash_while_sending_posts(slack: FakeSlack, tmp_path: Path) -> None:
    # the forced run that found the post "sending" marked it unknown, then claimed it as still "sending": nothing
    # was posted, and it was told to use --force (a fresh-eyes try)
    crashed = make_service(slack, tmp_path, owner="crashed")
    key = "digest:C0REVENUE1:2026-10"
    crashed.store.claim(key, "digest", "C0REVENUE1", at("2026-11-01T15:30:00"))
    crashed.store.begin_send(key, at("2026-11-01T15:30:00"))
    survivor = make_service(slack, tmp_path, owner="survivor")
    occurrence = occurrence_for(survivor.settings.digests[0], Month(2026, 10))
    survivor.run_digest(occurrence, at("2026-11-01T23:05:00"), force=True)
    assert len(digests(slack)) == 1


# --- delivery --------------------------------------------------------------------------------------

def test_slack_429_is_retried_after_its_retry_after(slack: FakeSlack, tmp_path: Path) -> None:
    sleeps = Sleeps()
    service = make_service(slack, tmp_path, sleeps=sleeps)
    slack.fail_next["chat.postMessage"] = [429]
    service.tick(at("2026-11-01T15:30:00"))
    assert len(digests(slack)) == 1 and sleeps.calls[0] == 1.0


def test_a_post_that_keeps_failing_stays_pending_and_goes_next_tick(slack: FakeSlack, tmp_path: Path) -> None:
    service = make_service(slack, tmp_path)
    slack.fail_next["chat.postMessage"] = [500] * 4
    report = service.tick(at("2026-11-01T15:30:00"))
    assert report.failed == ["digest:C0REVENUE1:2026-10"] and digests(slack) == []
    post = service.store.post("digest:C0REVENUE1:2026-10")
    assert post is not None and post.status == "pending"
    service.tick(at("2026-11-01T15:31:00"))
    assert len(digests(slack)) == 1


def test_channel_errors_say_how_to_fix_them(slack: FakeSlack, tmp_path: Path,
                                            caplog: pytest.LogCaptureFixture) -> None:
    slack.channel_errors["C0REVENUE1"] = "not_in_channel"
    service = make_service(slack, tmp_path)
    service.tick(at("2026-11-01T15:30:00"))
    post = service.store.post("digest:C0REVENUE1:2026-10")
    assert post is not None and post.status == "pending"
    assert post.last_error == "not_in_channel (invite the bot to the channel: /invite @nrr in #revenue)"
    assert "invite the bot to the channel: /invite @nrr in #revenue" in caplog.text


# --- an unfilled month -------------------------------------------------------------------------------

def test_an_unfilled_month_waits_then_notes_then_posts_when_filled(slack: FakeSlack, tmp_path: Path) -> None:
    path = ledger_file(tmp_path, last="Sep 2026")
    service = make_service(slack, tmp_path, ledger=path)
    assert service.tick(at("2026-11-01T15:30:00")).waiting == ["digest:C0REVENUE1:2026-10"]
    service.tick(at("2026-11-01T19:00:00"))
    assert slack.posts("chat.postMessage") == []  # no wrong or missing figures, and no note yet
    service.tick(at("2026-11-01T21:30:00"))  # six hours on: a short note, once
    service.tick(at("2026-11-01T22:00:00"))
    (note,) = slack.posts("chat.postMessage")
    assert note["text"] == (":calendar: The October 2026 digest is waiting: October 2026 is not in the ledger yet "
                            "(the latest month is September 2026). It will be posted once the month is filled in.")
    service.tick(at("2026-11-05T09:50:00"))  # still waiting
    ledger_file(tmp_path, last="Oct 2026")  # someone fills October in
    service.tick(at("2026-11-05T10:00:00"))  # past the 3-day grace, but a note promised it
    assert len(digests(slack)) == 1
    # late, and said why: it waited for its month (it said "nrr was not running then": a fresh-eyes try)
    assert (":hourglass: Posted late (3 days after its time): it waited: October 2026 was not in the ledger yet."
            in str(digests(slack)[0]["blocks"]))


# --- alerts ----------------------------------------------------------------------------------------

def alert_posts(slack: FakeSlack) -> list[str]:
    return [p["text"] for p in slack.posts("chat.postMessage") if p["channel"] == "C0ALERTS01"]


def test_alerts_post_once_per_state_and_recover_after_the_cooldown(slack: FakeSlack, tmp_path: Path) -> None:
    september = ledger_file(tmp_path, last="Sep 2026")
    service = make_service(slack, tmp_path, ledger=september)
    check = service.runtime.source().read_cells().check
    service.check_alerts(at("2026-10-02T10:00:00"), check)
    first = alert_posts(slack)
    assert sorted(t.split(":")[0] for t in first) == [
        "Benchmark tier", "GRR line", "Growth depends on expansion", "Unusual GRR month", "Unusual NRR month"]
    assert ("GRR line: Trailing-12-month GRR is 83.44%, 1.56 pts below the 85% line since September 2026. Why it "
            "matters: healthy NRR needs GRR above 85%, ideally 90%+; below it, losses are outrunning the base."
            ) in first
    service.check_alerts(at("2026-10-02T11:00:00"), check)
    assert alert_posts(slack) == first  # same state: nothing new

    october = ledger_file(tmp_path, last="Oct 2026", name="ledger-oct.csv")
    service.runtime.explicit_ledger = str(october)  # as if restarted with --ledger
    check = service.runtime.source().read_cells().check
    service.check_alerts(at("2026-10-02T12:00:00"), check)  # the moves recovered, but inside the cooldown
    assert alert_posts(slack) == first
    service.check_alerts(at("2026-11-02T12:00:00"), check)
    recovered = alert_posts(slack)[len(first):]
    assert sorted(recovered) == [
        "Unusual GRR month: October 2026's monthly GRR is back within 3 pts of its 6-month average.",
        "Unusual NRR month: October 2026's monthly NRR is back within 3 pts of its 6-month average."]
    blocks = [p["blocks"] for p in slack.posts("chat.postMessage") if p["channel"] == "C0ALERTS01"]
    assert ":white_check_mark:" in str(blocks[-1]) and "Source: this ledger's own history" in str(blocks[-1])


def test_a_change_the_cooldown_held_back_is_said_by_the_first_poll_after_it(slack: FakeSlack,
                                                                             tmp_path: Path) -> None:
    # the moves recovered inside the cooldown, and the ledger did not change again: no poll looked at the alerts
    # again, and the recovery was never said (a fresh-eyes try)
    september = ledger_file(tmp_path, last="Sep 2026")
    service = make_service(slack, tmp_path, ledger=september)
    service.poll(at("2026-11-02T10:00:00"))
    first = alert_posts(slack)
    october = ledger_file(tmp_path, last="Oct 2026", name="ledger-oct.csv")
    service.runtime.explicit_ledger = str(october)
    service.poll(at("2026-11-02T12:00:00"))  # changed, but inside the cooldown: held back
    service.poll(at("2026-11-02T18:00:00"))
    assert alert_posts(slack) == first
    service.poll(at("2026-11-03T10:30:00"))  # the cooldown over, the ledger as it was
    assert sorted(t.split(":")[0] for t in alert_posts(slack)[len(first):]) == ["Unusual GRR month",
                                                                               "Unusual NRR month"]
    service.poll(at("2026-11-04T10:30:00"))
    assert len(alert_posts(slack)) == len(first) + 2  # said once


def test_a_digest_is_followed_by_its_alerts(slack: FakeSlack, tmp_path: Path) -> None:
    service = make_service(slack, tmp_path)
    report = service.tick(at("2026-11-01T15:30:00"))
    assert any(k.startswith("alert:grr_floor:C0ALERTS01:2026-10:concerning") for k in report.alerts)


def test_a_digest_is_followed_by_its_alerts_when_the_month_in_progress_has_a_row(slack: FakeSlack,
                                                                                 tmp_path: Path) -> None:
    # the month in progress already in the ledger (November, begun): October's digest skipped its alerts, taken
    # for an older month's (a review)
    path = ledger_file(tmp_path)
    path.write_text(path.read_text() + 'Nov 2026,"$653,317","$1,000","$500","$100",,\n')
    service = make_service(slack, tmp_path, ledger=path)
    report = service.tick(at("2026-11-01T15:30:00"))
    assert "digest:C0REVENUE1:2026-10" in report.posted
    assert any(k.startswith("alert:grr_floor:C0ALERTS01:2026-10:concerning") for k in report.alerts)


def test_a_late_digest_says_it_waited_only_when_it_waited_lately(slack: FakeSlack, tmp_path: Path) -> None:
    # October missing at the first tick, filled in minutes later, then two days with nrr down: "it waited" was said
    # of a lateness that was the downtime (a review)
    path = ledger_file(tmp_path, last="Sep 2026")
    service = make_service(slack, tmp_path, ledger=path)
    service.tick(at("2026-11-01T15:31:00"))
    ledger_file(tmp_path, last="Oct 2026")
    service.tick(at("2026-11-03T15:31:00"))
    (digest,) = digests(slack)
    assert ":hourglass: Posted late (2 days after its time): nrr was not running then." in str(digest["blocks"])


def test_new_ledger_errors_are_alerted_and_their_fix_too(slack: FakeSlack, tmp_path: Path) -> None:
    path = ledger_file(tmp_path)
    good = path.read_text()
    path.write_text(good.replace('"$645,955"', '"64,59,55"'))
    service = make_service(slack, tmp_path, ledger=path)
    service.poll(at("2026-11-03T10:00:00"))
    (text,) = alert_posts(slack)
    assert text.startswith("Ledger errors: The ledger has 1 error(s) now, 1 new: B35 (October 2026): MRR (Start of "
                           "Period) '64,59,55' is not an amount that reads one way only")
    service.poll(at("2026-11-03T10:15:00"))
    assert len(alert_posts(slack)) == 1  # unchanged ledger: not even looked at again
    path.write_text(good)
    service.poll(at("2026-11-04T11:00:00"))
    assert "Ledger errors: The ledger reads cleanly again: every error is fixed." in alert_posts(slack)


# --- APScheduler ----------------------------------------------------------------------------------

def test_apscheduler_ticks_the_service_and_polls_the_ledger(slack: FakeSlack, tmp_path: Path) -> None:
    service = make_service(slack, tmp_path)
    scheduler = start_scheduler(service)
    try:
        jobs = {job.id: job.trigger.interval for job in scheduler.get_jobs()}
        assert jobs == {"nrr:tick": dt.timedelta(seconds=60), "nrr:poll": dt.timedelta(minutes=15),
                        "nrr:stripe-sync": dt.timedelta(minutes=1)}
    finally:
        scheduler.shutdown(wait=False)


def test_a_ledger_error_alert_quotes_the_sheet_as_data(slack: FakeSlack, tmp_path: Path) -> None:
    path = ledger_file(tmp_path)
    path.write_text(path.read_text().replace('"$645,955"', '"<!channel> <https://evil.example|click>"'))
    service = make_service(slack, tmp_path, ledger=path)
    service.poll(at("2026-11-03T10:00:00"))
    (post,) = [p for p in slack.posts("chat.postMessage") if p["channel"] == "C0ALERTS01"]
    shown = json.dumps(post)
    assert "<!channel>" not in shown and "<https://evil" not in shown
    assert "'&lt;!channel&gt; &lt;https://evil.example|click&gt;' is not an amount" in post["text"]


def test_alerts_read_the_last_closed_month_not_the_one_in_progress(slack: FakeSlack, tmp_path: Path) -> None:
    # a month in progress entered for a few customers read as a cohort that churned: tier_drop critical (a review);
    # on 20 October the October row is the month in progress: the alerts are September's, as on a September ledger
    october = ledger_file(tmp_path, last="Oct 2026", name="ledger-oct.csv")
    service = make_service(slack, tmp_path, ledger=october)
    service.check_alerts(at("2026-10-20T10:00:00"), service.runtime.source().read_cells().check)
    posted = alert_posts(slack)
    assert sorted(t.split(":")[0] for t in posted) == [
        "Benchmark tier", "GRR line", "Growth depends on expansion", "Unusual GRR month", "Unusual NRR month"]
    assert any("since September 2026" in t for t in posted) and not any("October 2026" in t for t in posted)


def test_a_ledger_with_a_bad_cell_is_logged_as_such_and_no_missing_month_note_is_posted(
        slack: FakeSlack, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # a bad cell was read as "October 2026 is not in the ledger yet": a "digest is waiting" note blamed a month
    # that is there (t4). The channel hears, once, past the same wait, that the ledger cannot be read (a review:
    # it had heard nothing at all until the digest was skipped), without the error, which may name a server's path
    path = ledger_file(tmp_path)
    path.write_text(path.read_text().replace('"$645,955"', "x"))
    service = make_service(slack, tmp_path, ledger=path)
    assert service.tick(at("2026-11-01T15:30:00")).waiting == ["digest:C0REVENUE1:2026-10"]
    assert [p for p in slack.posts("chat.postMessage") if p["channel"] == "C0REVENUE1"] == []
    for tick in ("2026-11-01T22:00:00", "2026-11-01T23:00:00"):  # past the six hours a missing month waits
        assert service.tick(at(tick)).waiting == ["digest:C0REVENUE1:2026-10"]
    (note,) = [p for p in slack.posts("chat.postMessage") if p["channel"] == "C0REVENUE1"]
    assert note["text"] == (":warning: The October 2026 digest is waiting: the ledger cannot be read as it stands "
                            "(`nrr validate` names what to fix). It will be posted once it reads.")
    assert "B35 (October 2026): MRR (Start of Period) 'x' is not an amount" in caplog.text
    assert "not in the ledger yet" not in caplog.text


def test_a_gap_the_scheduler_waits_for_is_noted_as_a_gap(slack: FakeSlack, tmp_path: Path) -> None:
    # October missing while November was entered ahead was noted "not in the ledger yet (the latest month is
    # November 2026)" (t10)
    path = ledger_file(tmp_path, last="Oct 2026")
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines[:-1], 'Nov 2026,"$653,317",$0,$0,$0,"$653,317",']) + "\n")
    service = make_service(slack, tmp_path, ledger=path)
    service.tick(at("2026-11-01T22:00:00"))
    (note,) = slack.posts("chat.postMessage")
    assert note["text"] == (":calendar: The October 2026 digest is waiting: October 2026 is missing from the ledger, "
                            "between September and November 2026. It will be posted once the month is filled in.")


def test_a_first_trailing_tier_is_no_tier_drop(slack: FakeSlack, tmp_path: Path) -> None:
    # December 2024, the ledger's first trailing-12 figure, posted "Benchmark tier: ... strong" with no tier
    # before it to drop from (t9)
    service = make_service(slack, tmp_path)
    check = service.runtime.source().read_cells().check
    service.check_alerts(at("2025-01-02T10:00:00"), check, as_of=Month(2024, 12))
    assert not any(t.startswith("Benchmark tier") for t in alert_posts(slack))
    record = service.store.alert_record("tier_drop", "C0ALERTS01")
    assert record is not None and record.level == "strong"  # the level a later drop is judged against
