"""State shared by every instance: posting history, alert states, the scheduler lease.

One database through SQLAlchemy (``[state] url`` or ``NRR_STATE_URL``; SQLite by default,
PostgreSQL when several instances run). Every post goes through a claim, so exactly one instance
posts it, once:

    (none) --claim--> claimed --begin_send--> sending --posted--> posted
                        |                        |
                        | lease runs out          +--failed--> pending --claim--> claimed ...
                        v                        |
                   (claim again)                 +--lease runs out--> unknown (never reposted
                                                    by itself: the post may have gone out)

A crash before sending leaves ``claimed``, which another tick may take over once the lease runs
out; a crash while sending leaves ``sending``, whose outcome nobody knows, so it is never posted
again automatically (``nrr digest --force`` does, on purpose).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, SQLAlchemyError

from nrr._errors import ConfigError

metadata = MetaData()
posts = Table(
    "nrr_posts", metadata,
    Column("key", String(255), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("channel", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("owner", String(64)),
    Column("lease_until", DateTime(timezone=True)),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("posted_at", DateTime(timezone=True)),
    Column("ts", String(32)),
)
alert_states = Table(
    "nrr_alert_states", metadata,
    Column("rule", String(64), primary_key=True),
    Column("channel", String(64), primary_key=True),
    Column("level", String(64), nullable=False),
    Column("rank", Integer, nullable=False),
    Column("month", String(7), nullable=False),
    Column("posted_at", DateTime(timezone=True), nullable=False),
)
leases = Table(
    "nrr_leases", metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(64), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)
values = Table(
    "nrr_values", metadata,
    Column("name", String(255), primary_key=True),
    Column("value", Text, nullable=False),
)
subscriptions = Table(  # digests set up from Slack (those in nrr.toml are not here)
    "nrr_subscriptions", metadata,
    Column("channel", String(64), primary_key=True),
    Column("name", String(255)),
    Column("day", Integer, nullable=False),
    Column("time", String(5), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
audit = Table(  # every change to the workspace's setup: who, when, what
    "nrr_audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("user", String(64), nullable=False),
    Column("action", String(64), nullable=False),
    Column("detail", Text, nullable=False),
)
kept = Table(  # answers kept for the Share button, pruned by age
    "nrr_kept", metadata,
    Column("name", String(255), primary_key=True),
    Column("value", Text, nullable=False),
    Column("kept_at", DateTime(timezone=True), nullable=False, index=True),
)
SCHEMA_VERSION = 3  # 1: posts, alert states, leases, values; 2: subscriptions and the audit log; 3: kept answers

CLAIM_LEASE = dt.timedelta(minutes=10)
_RETRIES = 50  # compare-and-set rounds before a change gives up


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes; every time here is UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@dataclass(frozen=True, kw_only=True)
class Post:
    key: str
    kind: str
    channel: str
    status: str
    attempts: int
    last_error: str | None
    posted_at: dt.datetime | None
    ts: str | None


@dataclass(frozen=True, kw_only=True)
class Subscription:
    """A monthly digest set up from Slack: the channel, its clock, and who set it up when."""

    channel: str
    name: str | None
    day: int
    time: str  # "09:00", the channel's local time
    timezone: str
    created_by: str
    created_at: dt.datetime


@dataclass(frozen=True, kw_only=True)
class Change:
    """One change to the workspace's setup, as the audit log keeps it."""

    at: dt.datetime
    user: str
    action: str
    detail: dict[str, Any]
    team: str | None = None  # the Slack workspace the command came from


@dataclass(frozen=True)
class AlertRecord:
    level: str
    rank: int
    month: str
    posted_at: dt.datetime


class StateStore:
    """The state database. ``owner`` names this instance in claims and leases."""

    def __init__(self, url: str, owner: str | None = None, *, upgrade: bool = True) -> None:
        """Open the database at ``url``; ``upgrade`` creates what is missing and records the schema
        version (``nrr doctor`` opens it without, to change nothing)."""
        self.url = url
        self.owner = owner or uuid.uuid4().hex[:12]
        try:
            if url.startswith("sqlite"):
                self.engine: Engine = create_engine(url, connect_args={"timeout": 30})
                event.listen(self.engine, "connect", _sqlite_pragmas)
            else:
                self.engine = create_engine(url, pool_pre_ping=True)
            if upgrade:
                metadata.create_all(self.engine)  # every change so far only adds tables
                version = self.get_value("schema-version")
                if not isinstance(version, int) or version < SCHEMA_VERSION:
                    if isinstance(version, int) and version < 3:  # answers kept among the values, never pruned
                        with self.engine.begin() as conn:
                            conn.execute(values.delete().where(values.c.name.like("answer:%")))
                    self.set_value("schema-version", SCHEMA_VERSION)
            else:
                with self.engine.connect():
                    pass  # reachable?
        except (SQLAlchemyError, ValueError, ImportError) as exc:
            raise ConfigError(f"The state database {_safe(url)} cannot be opened ({type(exc).__name__}: "
                              f"{str(exc).splitlines()[0]}); check [state] url or NRR_STATE_URL.") from None

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    # -- posts --

    def post(self, key: str) -> Post | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(posts).where(posts.c.key == key)).mappings().first()
        if row is None:
            return None
        return Post(key=row["key"], kind=row["kind"], channel=row["channel"], status=row["status"],
                    attempts=row["attempts"], last_error=row["last_error"],
                    posted_at=_utc(row["posted_at"]), ts=row["ts"])

    def claim(self, key: str, kind: str, channel: str, now: dt.datetime, *, force: bool = False) -> bool:
        """Take ``key`` for this instance, in a transaction; False if it is posted, being posted,
        or of unknown outcome (unless ``force``), or another instance holds a live claim."""
        lease_until = now + CLAIM_LEASE
        try:
            with self.engine.begin() as conn:
                row = conn.execute(select(posts).where(posts.c.key == key)).mappings().first()
                if row is None:
                    conn.execute(insert(posts).values(key=key, kind=kind, channel=channel, status="claimed",
                                                      owner=self.owner, lease_until=lease_until, attempts=0))
                    return True
                status, lease = row["status"], _utc(row["lease_until"])
                stale = lease is not None and lease < now
                takeable = (status == "pending" or (status == "claimed" and stale)
                            or (force and status in ("posted", "unknown", "skipped", "pending", "claimed")))
                if status == "sending" and stale:
                    conn.execute(update(posts).where(posts.c.key == key, posts.c.status == "sending")
                                 .values(status="unknown"))
                    takeable = force
                if not takeable:
                    return False
                done = conn.execute(
                    update(posts).where(posts.c.key == key, posts.c.status == row["status"],
                                        posts.c.owner.is_(row["owner"]) if row["owner"] is None
                                        else posts.c.owner == row["owner"])
                    .values(status="claimed", owner=self.owner, lease_until=lease_until))
                return bool(done.rowcount == 1)
        except IntegrityError:
            return False  # another instance inserted the claim first

    def begin_send(self, key: str, now: dt.datetime) -> bool:
        """Claimed -> sending, just before the Slack call; False if the claim was lost."""
        with self.engine.begin() as conn:
            done = conn.execute(update(posts).where(posts.c.key == key, posts.c.status == "claimed",
                                                    posts.c.owner == self.owner)
                                .values(status="sending", lease_until=now + CLAIM_LEASE,
                                        attempts=posts.c.attempts + 1))
            return bool(done.rowcount == 1)

    def posted(self, key: str, now: dt.datetime, ts: str | None) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(posts).where(posts.c.key == key)
                         .values(status="posted", posted_at=now, ts=ts, last_error=None, owner=self.owner))

    def failed(self, key: str, error: str) -> None:
        """Slack said no (or never answered before we knew): retried on the next tick."""
        with self.engine.begin() as conn:
            conn.execute(update(posts).where(posts.c.key == key, posts.c.owner == self.owner)
                         .values(status="pending", last_error=error[:2000]))

    def skip(self, key: str, kind: str, channel: str, reason: str) -> None:
        """Record that ``key`` will not be posted (too late), so it is not tried again."""
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(posts).values(key=key, kind=kind, channel=channel, status="skipped",
                                                  owner=self.owner, attempts=0, last_error=reason))
        except IntegrityError:
            pass

    # -- alerts --

    def alert_record(self, rule: str, channel: str) -> AlertRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(alert_states).where(alert_states.c.rule == rule,
                                                          alert_states.c.channel == channel)).mappings().first()
        if row is None:
            return None
        posted_at = _utc(row["posted_at"])
        assert posted_at is not None
        return AlertRecord(row["level"], row["rank"], row["month"], posted_at)

    def record_alert(self, rule: str, channel: str, level: str, rank: int, month: str, now: dt.datetime) -> None:
        with self.engine.begin() as conn:
            done = conn.execute(update(alert_states).where(alert_states.c.rule == rule,
                                                           alert_states.c.channel == channel)
                                .values(level=level, rank=rank, month=month, posted_at=now))
            if done.rowcount == 0:
                conn.execute(insert(alert_states).values(rule=rule, channel=channel, level=level, rank=rank,
                                                         month=month, posted_at=now))

    # -- the scheduler lease --

    def acquire_lease(self, name: str, now: dt.datetime, ttl: dt.timedelta) -> bool:
        """Hold ``name`` for ``ttl`` (or renew it); False while another instance holds it."""
        expires = now + ttl
        try:
            with self.engine.begin() as conn:
                row = conn.execute(select(leases).where(leases.c.name == name)).mappings().first()
                if row is None:
                    conn.execute(insert(leases).values(name=name, holder=self.owner, expires_at=expires))
                    return True
                held = _utc(row["expires_at"])
                if row["holder"] != self.owner and held is not None and held > now:
                    return False
                done = conn.execute(update(leases).where(leases.c.name == name, leases.c.holder == row["holder"])
                                    .values(holder=self.owner, expires_at=expires))
                return bool(done.rowcount == 1)
        except IntegrityError:
            return False

    # -- small values --

    def get_value(self, name: str) -> Any:
        with self.engine.connect() as conn:
            row = conn.execute(select(values.c.value).where(values.c.name == name)).first()
        return None if row is None else json.loads(row[0])

    def set_value(self, name: str, value: Any, *, change: Change | None = None) -> None:
        """Keep ``value`` under ``name``; ``change`` is recorded in the audit log in the same transaction."""
        text = json.dumps(value)
        for _ in range(_RETRIES):
            try:
                with self.engine.begin() as conn:
                    done = conn.execute(update(values).where(values.c.name == name).values(value=text))
                    if done.rowcount == 0:
                        conn.execute(insert(values).values(name=name, value=text))
                    _audit(conn, change)
                return
            except IntegrityError:
                continue  # another instance inserted it first: update it now
        raise _contended(name)

    def update_value(self, name: str, merge: Callable[[Any], Any], *, change: Change | None = None) -> Any:
        """Replace the value under ``name`` by ``merge(value)`` (None when there is none) atomically and
        return the new value: a compare-and-set, retried when another instance changed it in between,
        so two changes made at once are both kept. ``change`` goes to the audit log with it."""
        for _ in range(_RETRIES):
            with self.engine.connect() as conn:
                row = conn.execute(select(values.c.value).where(values.c.name == name)).first()
            new = merge(None if row is None else json.loads(row[0]))
            text = json.dumps(new)
            try:
                with self.engine.begin() as conn:
                    if row is None:
                        conn.execute(insert(values).values(name=name, value=text))
                    elif conn.execute(update(values).where(values.c.name == name, values.c.value == row[0])
                                      .values(value=text)).rowcount != 1:
                        continue  # changed since it was read: merge into the newer value
                    _audit(conn, change)
                return new
            except IntegrityError:
                continue
        raise _contended(name)

    # -- kept answers --

    def keep(self, name: str, value: Any, now: dt.datetime, max_age: dt.timedelta) -> None:
        """Keep ``value`` under ``name`` until ``take`` or until it is older than ``max_age``: whatever is
        older goes in the same transaction, so the table holds at most ``max_age`` of answers."""
        with self.engine.begin() as conn:
            conn.execute(kept.delete().where(kept.c.kept_at < now - max_age))
            conn.execute(insert(kept).values(name=name, value=json.dumps(value), kept_at=now))

    def take(self, name: str) -> Any:
        """What ``keep`` kept under ``name``, removed in the same transaction: of two instances (or two
        clicks) taking it at once, one gets it and the other None."""
        with self.engine.begin() as conn:
            row = conn.execute(select(kept.c.value).where(kept.c.name == name)).first()
            if row is None or conn.execute(kept.delete().where(kept.c.name == name)).rowcount != 1:
                return None
        return json.loads(row[0])

    # -- the workspace's setup, changed from Slack --

    def subscriptions(self) -> list[Subscription]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(subscriptions).order_by(subscriptions.c.channel)).mappings().all()
        return [Subscription(channel=r["channel"], name=r["name"], day=r["day"], time=r["time"], timezone=r["timezone"],
                             created_by=r["created_by"],
                             created_at=_utc(r["created_at"]) or dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) for r in rows]

    def save_subscription(self, sub: Subscription, *, change: Change | None = None) -> None:
        """Add or replace the channel's subscription, and record ``change``, in one transaction."""
        for _ in range(_RETRIES):
            try:
                with self.engine.begin() as conn:
                    conn.execute(subscriptions.delete().where(subscriptions.c.channel == sub.channel))
                    conn.execute(insert(subscriptions).values(
                        channel=sub.channel, name=sub.name, day=sub.day, time=sub.time, timezone=sub.timezone,
                        created_by=sub.created_by, created_at=sub.created_at))
                    _audit(conn, change)
                return
            except IntegrityError:
                continue  # another instance subscribed the channel at the same moment: replace it
        raise _contended(f"subscription {sub.channel}")

    def remove_subscription(self, channel: str, *, change: Change | None = None) -> bool:
        """Remove the channel's subscription; ``change`` is recorded only if there was one."""
        with self.engine.begin() as conn:
            removed = bool(conn.execute(subscriptions.delete().where(subscriptions.c.channel == channel)).rowcount)
            if removed:
                _audit(conn, change)
            return removed

    def record_change(self, change: Change) -> None:
        with self.engine.begin() as conn:
            _audit(conn, change)

    def changes(self) -> list[Change]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(audit).order_by(audit.c.id)).mappings().all()
        found = []
        for r in rows:
            detail = json.loads(r["detail"])
            team = detail.pop("team", None)
            found.append(Change(at=_utc(r["at"]) or dt.datetime(1970, 1, 1, tzinfo=dt.UTC), user=r["user"],
                                action=r["action"], detail=detail, team=team))
        return found

    def schema_version(self) -> int | None:
        """The schema recorded in the database; None when it has none (never upgraded, or not nrr's)."""
        try:
            value = self.get_value("schema-version")
        except SQLAlchemyError:
            return None
        return value if isinstance(value, int) else None


def _audit(conn: Connection, change: Change | None) -> None:
    if change is not None:
        detail = {**change.detail, "team": change.team} if change.team else change.detail
        conn.execute(insert(audit).values(at=change.at, user=change.user, action=change.action,
                                          detail=json.dumps(detail)))


def _contended(name: str) -> ConfigError:
    return ConfigError(f"The state database kept changing {name} under this instance ({_RETRIES} tries); "
                       "try again.")


def _sqlite_pragmas(connection: Any, _: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _safe(url: str) -> str:
    """A database URL without its password, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url if "@" not in url else "(a URL that cannot be parsed)"
