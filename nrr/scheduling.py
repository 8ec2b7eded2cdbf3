"""Monthly digests and benchmark alerts: due on each channel's own clock, posted exactly once.

APScheduler only ticks. What is due is decided here, on each tick, from the configuration and
the posting history in the state database (due and not yet posted), never from APScheduler's
misfire bookkeeping: a restart, a catch-up after downtime, a clock change or a second
scheduler on the same database can at worst tick twice, and the claim on (channel, month) makes
the second tick a no-op. One instance at a time does the work (a lease in the state database).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot import (
    Block,
    Delivery,
    DeliveryError,
    alert_blocks,
    alert_fallback,
    digest_blocks,
    digest_text,
    missing_month_text,
    render_chart,
    unreadable_ledger_text,
)
from engine import (
    RULES,
    Alert,
    Cells,
    Digest,
    Ledger,
    LedgerCheck,
    LedgerSource,
    Method,
    Month,
    NrrError,
    alert_ledger_clean,
    alert_ledger_errors,
    evaluate_alerts,
)
from nrr import _messages as say
from nrr.config import DigestSchedule, Settings, slack_secrets
from nrr.runtime import Runtime
from nrr.state import AlertRecord, StateStore
from stripe_source import is_stripe_spec

if TYPE_CHECKING:
    from apscheduler.schedulers.base import BaseScheduler

    from stripe_source import SyncResult

log = logging.getLogger("nrr.scheduler")
LEASE = "scheduler"
MISSING_NOTE_KIND = "digest-note"


# --- when digests are due ------------------------------------------------------------------------

@dataclass(frozen=True)
class Occurrence:
    """A digest's scheduled instant (UTC) and the month it reports on."""

    schedule: DigestSchedule
    month: Month
    at: dt.datetime

    @property
    def key(self) -> str:
        return f"digest:{self.schedule.channel}:{self.month}"

    @property
    def note_key(self) -> str:
        return f"note:{self.schedule.channel}:{self.month}"

    @property
    def chart_key(self) -> str:
        return f"chart:{self.schedule.channel}:{self.month}"


def occurrences(schedule: DigestSchedule, now: dt.datetime) -> list[Occurrence]:
    """This local month's and last local month's scheduled digests for ``schedule``.

    The instant is the configured day and time on the channel's clock, taken once (a time the
    clocks skip maps forward; a time they repeat is its first occurrence); the digest reports on
    the month before.
    """
    local_now = now.astimezone(ZoneInfo(schedule.timezone))
    this_month = Month(local_now.year, local_now.month)
    return [occurrence_for(schedule, this_month - back - 1) for back in (1, 0)]


_HELD = "alerts-held-until"  # when the first alert change a cooldown held back may be said
_WAITED = "waited:"  # + a digest's key: why, and until when, the scheduler waited for it (in the state database)
_WAIT_SEEN = dt.timedelta(hours=1)  # a wait seen this lately is why a digest posted now is late


def _ago(delta: dt.timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    if hours >= 48:
        return f"{hours // 24} days"
    if hours >= 1:
        return f"{hours} hour{'s' if hours > 1 else ''}"
    return f"{int(delta.total_seconds() // 60)} minutes"


def first_sight(alert: Alert) -> tuple[str, int]:
    """The level an alert is compared with when nothing was posted yet: a tier is judged against last
    month (a tier is not bad in itself), and the first tier there is against itself (there was none to drop
    from: "strong" was posted as a drop the month the ledger first had a year); every other rule against "fine"."""
    if alert.rule != "tier_drop":
        return ("ok", 0)
    if alert.previous_level == "unknown":
        return (alert.level, alert.rank)
    return (alert.previous_level, alert.previous_rank)


def alerts_due(settings: Settings, store: StateStore | None, ledger: Ledger, month: Month,
               now: dt.datetime) -> tuple[list[Alert], str | None]:
    """The alerts a digest of ``month`` posted ``now`` would be followed by, as ``DigestService.run_digest`` and its
    ``_alert`` decide (``nrr digest --dry-run`` lists these: it had listed alerts the real run did not post): none
    without an alerts channel, nor for a month older than the latest closed one (with why); of the rest, each whose
    level differs from the one last posted (or from first sight), past its cooldown, and not posted already.
    ``store``: the state database, None when there is none yet (every alert is then at first sight)."""
    alerts = settings.alerts
    if alerts.channel is None:
        return [], "no [alerts] channel is configured, so none is posted"
    latest = latest_closed(settings, ledger, now)
    if latest is not None and month < latest:
        return [], (f"{month.name} is older than the latest closed month ({latest.name}): its digest, run by hand, "
                    "looks at no alerts")
    due: list[Alert] = []
    for alert in evaluated_alerts(settings, ledger, month):
        record = store.alert_record(alert.rule, alerts.channel) if store is not None else None
        if alert.level == (first_sight(alert)[0] if record is None else record.level):
            continue
        if record is not None and now < cooled_down(record, alerts.cooldown_hours):
            continue  # held back by the cooldown: the poll after it looks again
        if store is not None and (post := store.post(alert_key(alert, alerts.channel))) is not None \
                and post.status == "posted":
            continue
        due.append(alert)
    return due, None


def latest_closed(settings: Settings, ledger: Ledger, now: dt.datetime) -> Month | None:
    """The ledger's latest month that has closed on the calendar's clock, as every answer counts months: a month
    in progress entered for a few customers read as a cohort that churned (a review: tier_drop critical at 12.32%,
    the month after reading good)."""
    return ledger.latest_through(Month.of(now.astimezone(settings.calendar.zone).date()) - 1)


def evaluated_alerts(settings: Settings, ledger: Ledger, month: Month) -> list[Alert]:
    """Every alert rule ``[alerts] rules`` turns on, read as of ``month``."""
    alerts = settings.alerts
    return list(evaluate_alerts(ledger, month, settings.profile, alerts.thresholds,
                                [r for r in RULES if r in alerts.rules], currency=settings.company.currency,
                                method=digest_method(settings, ledger)))


def alert_key(alert: Alert, channel: str) -> str:
    """The exactly-once key of an alert's post: its rule, channel, month and level."""
    return f"alert:{alert.rule}:{channel}:{alert.month}:{alert.level}"


def cooled_down(record: AlertRecord, hours: float) -> dt.datetime:
    """When the cooldown after the alert ``record`` says was last posted is over."""
    return record.posted_at + dt.timedelta(hours=hours)


def not_closed(schedule: DigestSchedule, month: Month, now: dt.datetime, *, scheduled: bool) -> str | None:
    """Why ``month`` has no digest yet when it is not over on ``schedule``'s clock, else None: a digest is of a
    closed month only (one run by hand for the month in progress was posted as if closed, and recorded, so the real
    one was never posted). ``scheduled``: the scheduler posts this channel's digests."""
    this_month = Month.of(now.astimezone(ZoneInfo(schedule.timezone)))
    if this_month > month:
        return None
    return say.digest_not_closed(month, this_month == month, schedule.label, scheduled)


def digest_method(settings: Settings, ledger: Ledger) -> Method | None:
    """The method the digest's figures are combined by (as ``Runtime.digest`` passes it): the alerts read the
    annual figure the digest shows, not a customer table's cohort beside a chain asked for in nrr.toml."""
    method = settings.ledger.method
    return None if method == "cohort" and ledger.customers is None else method


def month_missing(ledger: Ledger, month: Month) -> str:
    """How ``month`` (after the ledger's first) is missing: a gap between two filled months, or not in yet."""
    after = min((row.month for row in ledger.rows if row.month > month), default=None)
    before = ledger.latest_through(month)
    if after is None or before is None:
        return say.month_not_in_yet(month, ledger.last_month)
    return say.month_in_a_gap(month, before, after)


# --- the service -----------------------------------------------------------------------------

@dataclass(kw_only=True)
class TickReport:
    posted: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)
    #: digests of a month before the ledger's first, which no filling in will bring: the first month, by key
    before_ledger: dict[str, Month] = field(default_factory=dict)
    #: digests not posted for a reason the one who asked is told (``nrr digest``): the sentence, by key
    why: dict[str, str] = field(default_factory=dict)
    leader: bool = True


class DigestService:
    """Decides what is due and posts it. Every method takes ``now``; nothing reads a clock."""

    def __init__(self, runtime: Runtime, store: StateStore, delivery: Delivery | None) -> None:
        self.runtime, self.store, self.delivery = runtime, store, delivery
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        """The settings as of the last ``refresh``: nrr.toml with the setup from Slack over it."""
        if self._settings is None:
            self.refresh()
        assert self._settings is not None
        return self._settings

    def refresh(self) -> Settings:
        """Read the setup again (each tick does): a subscription added or removed in Slack is seen
        within a tick, without a restart."""
        self._settings = self.runtime.settings
        return self._settings

    # -- ticks --

    def _lead(self, now: dt.datetime) -> bool:
        """Hold (or renew) the scheduler lease: only its holder posts."""
        return self.store.acquire_lease(LEASE, now, dt.timedelta(seconds=self.settings.scheduler.tick_seconds * 3))

    def tick(self, now: dt.datetime) -> TickReport:
        """Post every digest that is due and not yet posted, then retry pending posts."""
        self.refresh()
        if not self._lead(now):
            return TickReport(leader=False)
        report = TickReport()
        for schedule in self.settings.digests:
            for occurrence in occurrences(schedule, now):
                # a digest subscribed to on the 3rd starts with next month's: last month's was due before it
                if now >= occurrence.at and (schedule.since is None or occurrence.at >= schedule.since):
                    self._due(occurrence, now, report)
        return report

    def poll(self, now: dt.datetime) -> TickReport:
        """Look at the ledger; if it changed since the last look, check the alerts."""
        self.refresh()
        if not self._lead(now):
            return TickReport(leader=False)
        report = TickReport()
        try:
            cells = self.runtime.source().read_cells()
        except NrrError as exc:
            log.warning("ledger poll failed: %s", exc)
            return report
        held = self.store.get_value(_HELD)  # a change the cooldown held back, looked at again once it is over
        due = held is not None and dt.datetime.fromisoformat(held) <= now
        if self.store.get_value("ledger-fingerprint") == cells.fingerprint and not due:
            return report
        self.check_alerts(now, cells.check, report=report)
        if due:  # looked at: let it go, unless the check held one back again (a later time) meanwhile
            self.store.update_value(_HELD, lambda value: None if value == held else value)
        self.store.set_value("ledger-fingerprint", cells.fingerprint)
        return report

    def _due(self, occurrence: Occurrence, now: dt.datetime, report: TickReport) -> None:
        post = self.store.post(occurrence.key)
        if post is not None and post.status == "sending":
            self.store.claim(occurrence.key, "digest", occurrence.schedule.channel, now)  # stale -> unknown
            after = self.store.post(occurrence.key)
            if after is not None and after.status == "unknown":
                log.error("digest %s may or may not have been posted: the instance posting it stopped during "
                          "the Slack call. Check %s; `nrr digest --channel %s --month %s --force` posts it again.",
                          occurrence.key, occurrence.schedule.label, occurrence.schedule.channel, occurrence.month)
            return
        if post is not None and post.status in ("posted", "skipped", "unknown"):
            if post.status == "posted" and "chart" in occurrence.schedule.include:
                self._retry_chart(occurrence, now)
            return
        noted = self.store.post(occurrence.note_key)
        grace = dt.timedelta(days=self.settings.scheduler.grace_days)
        too_late = now - occurrence.at > grace
        if too_late and (noted is None or noted.status != "posted"):
            if now - occurrence.at > grace + dt.timedelta(days=1):
                return  # long gone (a new install, last month's slot): nothing to say
            self.store.skip(occurrence.key, "digest", occurrence.schedule.channel,
                            f"missed by more than {self.settings.scheduler.grace_days} days")
            log.warning("digest %s skipped: due %s, more than the %s-day grace ago", occurrence.key,
                        occurrence.at.isoformat(), self.settings.scheduler.grace_days)
            report.skipped.append(occurrence.key)
            return
        self.run_digest(occurrence, now, report=report)

    # -- one digest --

    def run_digest(self, occurrence: Occurrence, now: dt.datetime, *, force: bool = False, by_hand: bool = False,
                   report: TickReport | None = None) -> TickReport:
        """Post one digest, exactly once (``force``: again). Waits for an unfilled month. ``by_hand`` (``nrr
        digest``) posts no note that the digest is waiting and says nothing of its being late: both are the
        scheduler's, which was not running late, and which keeps the promise of the note."""
        report = report or TickReport()
        schedule, month = occurrence.schedule, occurrence.month
        scheduled = any(d.channel == schedule.channel for d in self.settings.digests)
        if (why := not_closed(schedule, month, now, scheduled=scheduled)) is not None:
            report.why[occurrence.key] = why  # nothing recorded: the scheduler posts it once it closes
            return report
        try:
            cells = self._fresh_source().read_cells()
            ledger = cells.ledger  # a bad cell is the ledger's error, said by cell: not a month "not in the ledger"
        except NrrError as exc:
            if not by_hand:  # a hand run says it in words, and tries no tick again
                log.warning("digest %s: the ledger cannot be read (%s); trying again next tick", occurrence.key, exc)
                self._note_waiting(occurrence, now, unreadable_ledger_text(month.name), force=force, report=report)
                self._waited(occurrence, "the ledger could not be read", now)
            report.waiting.append(occurrence.key)
            report.why[occurrence.key] = say.digest_unreadable(month, str(exc))
            return report
        if ledger.first_month is not None and month < ledger.first_month:
            log.info("digest %s: %s", occurrence.key, say.digest_before_ledger(month, ledger.first_month))
            report.before_ledger[occurrence.key] = ledger.first_month  # no note: the month is never filled in
            if not force:  # recorded, so the next ticks do not read the ledger again for it
                self.store.skip(occurrence.key, "digest", schedule.channel, "before the ledger starts")
            return report
        if month not in ledger:
            missing = month_missing(ledger, month)
            if not by_hand:
                self._note_waiting(occurrence, now, missing_month_text(month.name, None, missing), force=force,
                                   report=report)
                self._waited(occurrence, f"{month.name} was not in the ledger yet", now)
            report.waiting.append(occurrence.key)
            report.why[occurrence.key] = say.digest_month_missing(missing)
            return report
        if not self.store.claim(occurrence.key, "digest", schedule.channel, now, force=force):
            return report
        digest = self._digest(cells, month, schedule.chart_months, schedule.by)
        late = now - occurrence.at  # the scheduler catching up: by hand, it is whenever someone ran it
        late_by = _ago(late) if late > dt.timedelta(hours=1) and not by_hand else None
        waited_for = self._waited_for(occurrence, now) if late_by else None
        blocks = digest_blocks(digest, schedule.include, late_by=late_by, waited_for=waited_for)
        ts = self._send(occurrence.key, schedule.channel, schedule.label, now, blocks=blocks,
                        text=digest_text(digest), report=report)
        if ts is not None and "chart" in schedule.include:
            self._post_chart(occurrence, cells, digest, ts, now, force=force)
        latest = latest_closed(self.settings, ledger, now)
        if ts is not None and (latest is None or month >= latest):
            # once per month and read of the ledger: five hundred digests need one look at the alerts; an older
            # month's digest, run by hand, looks at none (June's figures had posted "recovered" alerts in November,
            # and kept June's levels as the state: a fresh-eyes try)
            cells.memo(("alerts", month), lambda: self.check_alerts(now, cells.check, as_of=month, report=report))
        return report

    def _waited(self, occurrence: Occurrence, why: str, now: dt.datetime) -> None:
        """Remember why, and until when, the scheduler waited for this digest: posted late right after, it says so,
        not that nrr was not running (a digest that waited ten days for its month was said to be late for that)."""
        self.store.set_value(_WAITED + occurrence.key, {"why": why, "at": now.isoformat()})

    def _waited_for(self, occurrence: Occurrence, now: dt.datetime) -> str | None:
        """Why the digest waited, when it waited until lately (within ``_WAIT_SEEN``); None when it did not, or
        when nrr was not running since (the month filled in, then days without a tick: that is why it is late)."""
        seen = self.store.get_value(_WAITED + occurrence.key)
        if not isinstance(seen, dict) or now - dt.datetime.fromisoformat(seen["at"]) > _WAIT_SEEN:
            return None
        return str(seen["why"])

    def _note_waiting(self, occurrence: Occurrence, now: dt.datetime, text: str, *, force: bool,
                      report: TickReport) -> None:
        """Tell the channel, once, why its digest waits (its month not filled in, its ledger unreadable), once it
        has waited ``[scheduler] missing_month_wait_hours``; a forced run posts the digest or nothing."""
        waited = now - occurrence.at
        if waited >= dt.timedelta(hours=self.settings.scheduler.missing_month_wait_hours) and not force:
            self._post(occurrence.note_key, MISSING_NOTE_KIND, occurrence.schedule.channel, occurrence.schedule.label,
                       now, blocks=None, text=text, report=report)

    def _fresh_source(self) -> LedgerSource:
        """The ledger for a digest: Stripe synced right before it (its last sync, "as of", when Stripe
        cannot be reached), any other source as configured."""
        if is_stripe_spec(self.runtime.ledger_spec):
            return self.runtime.stripe_source(dt.timedelta(0))
        return self.runtime.source()

    def sync_stripe(self, now: dt.datetime) -> SyncResult | None:
        """Sync Stripe when the ledger is Stripe and its last sync is older than ``[stripe] sync_minutes`` (or
        a webhook marked it stale); None when nothing was due, or another instance is syncing."""
        if not is_stripe_spec(self.runtime.ledger_spec):
            return None
        try:
            return self.runtime.stripe_source().sync(force=False)
        except NrrError as exc:
            log.warning("Stripe sync failed: %s", exc)
            return None

    def _post(self, key: str, kind: str, channel: str, label: str, now: dt.datetime, *,
              blocks: list[Block] | None, text: str, report: TickReport) -> str | None:
        """Claim ``key``, then send it."""
        if not self.store.claim(key, kind, channel, now):
            return None
        return self._send(key, channel, label, now, blocks=blocks, text=text, report=report)

    def _send(self, key: str, channel: str, label: str, now: dt.datetime, *, blocks: list[Block] | None,
              text: str, report: TickReport) -> str | None:
        """Claimed -> sending -> posted (or pending on a known failure)."""
        if self.delivery is None or not self.store.begin_send(key, now):
            return None
        arguments: dict[str, Any] = {"channel": channel, "text": text}
        if blocks is not None:
            arguments["blocks"] = blocks
        try:
            response = self.delivery.call("chat_postMessage", label, **arguments)
        except DeliveryError as exc:
            if exc.unknown:  # maybe in the channel: a second copy is worse than a person looking
                self.store.unknown(key, str(exc))
                log.error("post %s to %s may or may not have been posted: %s. Look in the channel; `nrr digest "
                          "--force` posts a digest again.", key, label, exc)
            else:
                self.store.failed(key, str(exc))
                (log.error if exc.permanent else log.warning)("post %s to %s failed: %s", key, label, exc)
            report.failed.append(key)
            return None
        ts = str(response.get("ts", "")) or None
        self.store.posted(key, now, ts)
        report.posted.append(key)
        return ts

    def _digest(self, cells: Cells, month: Month, chart_months: int, by: str | None = None) -> Digest:
        """One digest per read of the ledger, month, chart span and segment column, however many channels
        receive it."""
        ledger: Ledger = cells.ledger
        return cells.memo(("digest", month, chart_months, by),
                          lambda: self.runtime.digest(ledger, month, chart_months, by))

    # -- charts --

    def _chart_png(self, cells: Cells, digest: Digest, months: int, forecast: bool = False) -> bytes:
        title = f"Trailing-12-month NRR and GRR to {digest.month.name}"
        return cells.memo(("chart", digest.month, months, forecast),
                          lambda: render_chart(digest.series, self.settings.profile, title,
                                               digest.forecast if forecast else None))

    def _post_chart(self, occurrence: Occurrence, cells: Cells, digest: Digest, thread_ts: str, now: dt.datetime,
                    *, force: bool = False) -> None:
        schedule = occurrence.schedule
        if self.delivery is None:
            return
        if not digest.series:  # nothing to draw: say so once, so no tick looks again
            self.store.skip(occurrence.chart_key, "chart", schedule.channel, "no trailing series to draw")
            return
        if not self.store.claim(occurrence.chart_key, "chart", schedule.channel, now, force=force):
            return
        if not self.store.begin_send(occurrence.chart_key, now):
            return
        png = self._chart_png(cells, digest, schedule.chart_months, "forecast" in schedule.include)
        try:
            self.delivery.call("files_upload_v2", schedule.label, channel=schedule.channel, thread_ts=thread_ts,
                               content=png, filename=f"nrr-{digest.month}.png",
                               title=f"NRR and GRR, trailing 12 months to {digest.month.name}")
        except DeliveryError as exc:
            (self.store.unknown if exc.unknown else self.store.failed)(occurrence.chart_key, str(exc))
            log.warning("chart for %s not uploaded: %s", occurrence.key, exc)
            return
        self.store.posted(occurrence.chart_key, now, None)

    def _retry_chart(self, occurrence: Occurrence, now: dt.datetime) -> None:
        """The chart of a posted digest that has none yet: its upload failed, or the instance posting
        it stopped before (or while holding the claim on) the chart. The chart alone is posted, in the
        digest's thread; the digest never again. A chart whose upload began stays unknown, as a digest does."""
        chart = self.store.post(occurrence.chart_key)
        if chart is not None and chart.status in ("posted", "sending", "unknown", "skipped"):
            return
        digest_post = self.store.post(occurrence.key)
        if digest_post is None or not digest_post.ts:
            return
        try:
            cells = self.runtime.source().read_cells()
            digest = self._digest(cells, occurrence.month, occurrence.schedule.chart_months, occurrence.schedule.by)
        except NrrError:
            return
        self._post_chart(occurrence, cells, digest, digest_post.ts, now)

    # -- alerts --

    def check_alerts(self, now: dt.datetime, check: LedgerCheck, *, as_of: Month | None = None,
                     report: TickReport | None = None) -> list[str]:
        """Post the alerts whose state changed (worse, or recovered), once, past the cooldown."""
        report = report or TickReport()
        alerts = self.settings.alerts
        if alerts.channel is None:
            return []
        posted: list[str] = []
        if "ledger_errors" in alerts.rules:
            posted += self._ledger_error_alert(now, check, report)
        ledger = check.ledger
        if ledger is None or ledger.last_month is None:
            return posted
        month = as_of or latest_closed(self.settings, ledger, now)
        if month is None:
            return posted
        for alert in evaluated_alerts(self.settings, ledger, month):
            if self._alert(alert, now, report):
                posted.append(alert.rule)
        return posted

    def _alert(self, alert: Alert, now: dt.datetime, report: TickReport) -> bool:
        alerts = self.settings.alerts
        assert alerts.channel is not None
        record = self.store.alert_record(alert.rule, alerts.channel)
        base_level, base_rank = first_sight(alert) if record is None else (record.level, record.rank)
        if alert.level == base_level:
            if record is None:
                self.store.record_alert(alert.rule, alerts.channel, alert.level, alert.rank, str(alert.month),
                                        dt.datetime(1970, 1, 1, tzinfo=dt.UTC))
            return False
        if record is not None and now < (until := cooled_down(record, alerts.cooldown_hours)):
            # a flapping metric stays quiet until the cooldown is over; the poll after it looks again, ledger
            # changed or not (a GRR that fell further within the cooldown was never said: a fresh-eyes try)
            self.store.update_value(_HELD, lambda held: until.isoformat() if held is None or (
                dt.datetime.fromisoformat(held) <= now or dt.datetime.fromisoformat(held) > until) else held)
            return False
        worse = alert.rank > base_rank
        key = alert_key(alert, alerts.channel)
        ts = self._post(key, "alert", alerts.channel, alerts.label, now,
                        blocks=alert_blocks(alert.rule, alert.message, alert.source, worse=worse),
                        text=alert_fallback(alert.rule, alert.message), report=report)
        if ts is None and (existing := self.store.post(key)) is not None and existing.status == "posted":
            ts = existing.ts or "posted"
        if ts is not None:
            self.store.record_alert(alert.rule, alerts.channel, alert.level, alert.rank, str(alert.month), now)
            report.alerts.append(key)
            return True
        return False

    def _ledger_error_alert(self, now: dt.datetime, check: LedgerCheck, report: TickReport) -> list[str]:
        alerts = self.settings.alerts
        assert alerts.channel is not None
        errors = sorted(str(e) for e in check.errors)
        seen = self.store.get_value("ledger-errors") or []
        new = [e for e in errors if e not in seen]
        if not new and (errors or not seen):
            if errors != seen:
                self.store.set_value("ledger-errors", errors)
            return []
        text = alert_ledger_errors(len(errors), new) if new else alert_ledger_clean()
        digest_of = hashlib.sha256("\n".join(errors).encode()).hexdigest()[:12]
        key = f"alert:ledger_errors:{alerts.channel}:{digest_of}"
        ts = self._post(key, "alert", alerts.channel, alerts.label, now,
                        blocks=alert_blocks("ledger_errors", text, "nrr validate", worse=bool(new)),
                        text=alert_fallback("ledger_errors", text), report=report)
        if ts is not None:
            self.store.set_value("ledger-errors", errors)
            report.alerts.append(key)
            return ["ledger_errors"]
        return []


# --- APScheduler ---------------------------------------------------------------------------------

def _job(service: DigestService, what: Callable[[dt.datetime], TickReport]) -> Callable[[], None]:
    """An APScheduler job: ``what`` at the runtime's now, logging instead of raising."""
    def run() -> None:
        try:
            what(service.runtime.clock())
        except Exception:
            log.exception("scheduler %s failed", what.__name__)
    return run


def _sync_job(service: DigestService) -> Callable[[], None]:
    def run() -> None:
        try:
            service.sync_stripe(service.runtime.clock())
        except Exception:
            log.exception("scheduler Stripe sync failed")
    return run


def start_scheduler(service: DigestService, *, blocking: bool = False) -> BaseScheduler:
    """APScheduler 3 ticking the service: ``tick`` (what is due) and ``poll`` (the ledger, for alerts).

    Jobs are interval triggers in UTC (a bare CronTrigger would use the machine's zone) in memory:
    nothing depends on their next run time, because what is due comes from the posting history
    in the state database.
    """
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.interval import IntervalTrigger

    kind = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = kind(timezone=dt.UTC, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60})
    every = service.settings.scheduler
    scheduler.add_job(_job(service, service.tick), IntervalTrigger(seconds=every.tick_seconds, timezone=dt.UTC),
                      id="nrr:tick", next_run_time=service.runtime.clock())
    scheduler.add_job(_job(service, service.poll), IntervalTrigger(minutes=every.poll_minutes, timezone=dt.UTC),
                      id="nrr:poll")
    # every minute: syncs when the ledger is Stripe (connected from Slack at any time) and the last sync is older
    # than [stripe] sync_minutes, or a webhook marked it stale
    scheduler.add_job(_sync_job(service), IntervalTrigger(minutes=1, timezone=dt.UTC), id="nrr:stripe-sync")
    scheduler.start()
    return scheduler


def build_service(runtime: Runtime) -> DigestService:
    """The digest service for ``runtime``: the state store and a Slack client to post with."""
    from slack_sdk import WebClient

    secrets = slack_secrets(runtime.env, "posting")
    delivery = Delivery(WebClient(token=secrets.bot_token, base_url=secrets.api_url), runtime.sleep)
    return DigestService(runtime, runtime.state(), delivery)


def schedule_for(runtime: Runtime, channel: str) -> DigestSchedule:
    """The configured schedule for ``channel``, or a default one (for ``nrr digest`` by hand)."""
    settings = runtime.settings
    for schedule in settings.digests:
        if schedule.channel == channel:
            return schedule
    return settings.schedule(channel)


def occurrence_for(schedule: DigestSchedule, month: Month) -> Occurrence:
    """The scheduled instant of ``month``'s digest on ``schedule``'s clock."""
    return Occurrence(schedule, month, schedule.due(month))
