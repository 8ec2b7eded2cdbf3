"""The workspace's setup as changed from Slack, kept in the state database, over nrr.toml.

nrr.toml stays the base that infrastructure-as-code deployments write. From Slack, an admin can
point the workspace at a ledger (``/nrr connect``), add and remove monthly digests, and set the
alert channel and lines. Those live here, in the state database every instance shares, and
override the file: the connection wins over ``[ledger] source``, a subscription is added to the
``[[digests]]`` (a channel the file names stays the file's, read-only from Slack), and the alert
settings replace ``[alerts]``'s channel and lines. Every change is recorded with its author.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from nrr.config import ALERT_RULES, ALERT_TABLES, AlertSettings, Settings
from nrr.state import Change, StateStore, Subscription

CONNECTION = "workspace:connection"
ALERTS = "workspace:alerts"


@dataclass(frozen=True)
class Connection:
    """The ledger the workspace was pointed at from Slack."""

    source: str
    by: str
    at: dt.datetime
    found: str  # what the sheet held when it was connected, as the answer said it


class Workspace:
    """Reads and changes the setup kept in the state database; ``clock`` stamps the changes."""

    def __init__(self, store: StateStore, clock: Callable[[], dt.datetime]) -> None:
        self.store, self.clock = store, clock

    # -- the ledger --

    def connection(self) -> Connection | None:
        value = self.store.get_value(CONNECTION)
        if not isinstance(value, dict):
            return None
        return Connection(value["source"], value["by"], dt.datetime.fromisoformat(value["at"]), value["found"])

    def connect(self, source: str, user: str, found: str, *, team: str | None = None) -> Connection:
        now = self.clock()
        self.store.set_value(CONNECTION, {"source": source, "by": user, "at": now.isoformat(), "found": found},
                             change=Change(at=now, user=user, action="connect", detail={"source": source}, team=team))
        return Connection(source, user, now, found)

    # -- digests --

    def subscriptions(self) -> list[Subscription]:
        return self.store.subscriptions()

    def subscribe(self, channel: str, name: str | None, day: int, time: str, timezone: str,
                  user: str, *, team: str | None = None) -> Subscription:
        now = self.clock()
        sub = Subscription(channel=channel, name=name, day=day, time=time, timezone=timezone, created_by=user,
                           created_at=now)
        self.store.save_subscription(sub, change=Change(at=now, user=user, action="subscribe", detail={
            "channel": channel, "day": day, "time": time, "timezone": timezone}, team=team))
        return sub

    def unsubscribe(self, channel: str, user: str, *, team: str | None = None) -> bool:
        return self.store.remove_subscription(channel, change=Change(at=self.clock(), user=user, action="unsubscribe",
                                                                     detail={"channel": channel}, team=team))

    # -- alerts --

    def alert_overrides(self) -> dict[str, Any]:
        value = self.store.get_value(ALERTS)
        return value if isinstance(value, dict) else {}

    def set_alerts(self, user: str, *, team: str | None = None, **changes: Any) -> dict[str, Any]:
        """Merge ``changes`` (``channel``/``name``, ``thresholds``, ``rules``) into the alert settings, in
        one compare-and-set: two admins changing different keys at once both keep their change."""
        def merge(value: Any) -> dict[str, Any]:
            current = dict(value) if isinstance(value, dict) else {}
            for key, new in changes.items():
                current[key] = {**current.get(key, {}), **new} if isinstance(new, dict) else new
            return current

        merged: dict[str, Any] = self.store.update_value(ALERTS, merge,
                                                         change=Change(at=self.clock(), user=user, action="alerts",
                                                                       detail=changes, team=team))
        return merged

    def changes(self) -> list[Change]:
        return self.store.changes()

    # -- what the app runs with --

    def apply(self, settings: Settings) -> Settings:
        """``settings`` with the setup from Slack laid over them."""
        connection = self.connection()
        if connection is not None:
            settings = replace(settings, ledger=replace(settings.ledger, source=connection.source))
        own = {d.channel for d in settings.digests}
        extra = tuple(settings.schedule(s.channel, name=s.name, timezone=s.timezone, day=s.day, time=_clock(s.time),
                                        since=s.created_at)
                      for s in self.subscriptions() if s.channel not in own)
        return replace(settings, digests=settings.digests + extra, alerts=_alerts(settings.alerts,
                                                                                  self.alert_overrides()))


def _clock(text: str) -> dt.time:
    hours, minutes = (int(x) for x in text.split(":"))
    return dt.time(hours, minutes)


def _alerts(base: AlertSettings, overrides: dict[str, Any]) -> AlertSettings:
    if not overrides:
        return base
    # lines are kept as the config keeps them: ratios as strings ("0.85"), trailing_months a number
    lines: dict[str, Any] = {k: Decimal(str(v)) if k != "trailing_months" else int(v)
                             for k, v in overrides.get("thresholds", {}).items() if k in ALERT_TABLES["thresholds"]}
    rules = set(base.rules)
    for rule, on in overrides.get("rules", {}).items():
        if rule in ALERT_RULES:
            (rules.add if on else rules.discard)(rule)
    channel = overrides.get("channel", base.channel)
    name = overrides.get("name", base.name) if "channel" in overrides else base.name
    return AlertSettings(channel=channel, name=name, cooldown_hours=base.cooldown_hours, rules=frozenset(rules),
                         thresholds=replace(base.thresholds, **lines) if lines else base.thresholds)

