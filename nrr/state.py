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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from engine import redact_url
from nrr._errors import ConfigError

if TYPE_CHECKING:
    from stripe_source import Saved, StripeCustomer, StripeInvoice, StripeLine

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
# What was read from Stripe (stripe_source's records; the sync's progress is the value "stripe:progress")
stripe_invoices = Table(
    "nrr_stripe_invoices", metadata,
    Column("id", String(255), primary_key=True),
    Column("customer", String(255), nullable=False, index=True),
    Column("customer_name", Text),
    Column("status", String(32), nullable=False, index=True),
    Column("created", BigInteger, nullable=False, index=True),
    Column("currency", String(16), nullable=False),
    Column("livemode", Boolean, nullable=False),
    Column("run", String(32), nullable=False),  # the sync that last saw it
)
stripe_lines = Table(
    "nrr_stripe_lines", metadata,
    Column("invoice", String(255), primary_key=True),
    Column("id", String(255), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("discount", BigInteger, nullable=False),
    Column("tax_included", BigInteger, nullable=False),
    Column("currency", String(16), nullable=False),
    Column("period_start", BigInteger, nullable=False),
    Column("period_end", BigInteger, nullable=False),
    Column("subscription", String(255)),
    Column("proration", Boolean, nullable=False),
    Column("price", String(255)),
    Column("description", Text),
)
stripe_customers = Table(
    "nrr_stripe_customers", metadata,
    Column("id", String(255), primary_key=True),
    Column("name", Text),
    Column("created", BigInteger, nullable=False),
    Column("metadata", Text, nullable=False),
)
SCHEMA_VERSION = 4  # 1: posts, alert states, leases, values; 2: subscriptions and the audit log; 3: kept answers;
#                     4: what was read from Stripe

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
    lease_until: dt.datetime | None = None  # a claim's, or a send's: held by a run until then


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


def _create_tables(engine: Engine) -> None:
    """What is missing, created (every change so far only adds tables), each ``IF NOT EXISTS``: two runs opening a
    new database at once (cron's digests) raced to create a table, and the loser failed on "already exists"."""
    from sqlalchemy.schema import CreateIndex, CreateTable

    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            conn.execute(CreateTable(table, if_not_exists=True))
            for index in table.indexes:
                conn.execute(CreateIndex(index, if_not_exists=True))


class StateStore:
    """The state database. ``owner`` names this instance in claims and leases."""

    def __init__(self, url: str, owner: str | None = None, *, upgrade: bool = True) -> None:
        """Open the database at ``url``; ``upgrade`` creates what is missing and records the schema
        version (``nrr doctor`` opens it without, to change nothing)."""
        self.url = url
        self.owner = owner or uuid.uuid4().hex[:12]
        if url.startswith("postgres://"):  # Heroku's and many hosts' DATABASE_URL: SQLAlchemy knows postgresql://
            url = "postgresql://" + url.removeprefix("postgres://")
        database = url.partition("?")[0].removeprefix("sqlite:").lstrip("/") if url.startswith("sqlite:") else "x"
        if database in ("", ":memory:"):  # gone when nrr stops: a digest run twice would be posted twice
            raise ConfigError(f"The state database {_safe(url)} is held in memory and forgotten when nrr stops, so "
                              "a digest run twice would be posted twice; name a file, such as "
                              "sqlite:///nrr-state.db, in [state] url or NRR_STATE_URL.")
        try:
            if url.startswith("sqlite"):
                self.engine: Engine = create_engine(url, connect_args={"timeout": 30})
                event.listen(self.engine, "connect", _sqlite_pragmas)
            else:
                self.engine = create_engine(url, pool_pre_ping=True)
            if upgrade:
                _create_tables(self.engine)
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
                    posted_at=_utc(row["posted_at"]), ts=row["ts"], lease_until=_utc(row["lease_until"]))

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
                    status, takeable = "unknown", force  # (a forced run then takes it: it had found "sending")
                if not takeable:
                    return False
                done = conn.execute(
                    update(posts).where(posts.c.key == key, posts.c.status == status,
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

    def unknown(self, key: str, error: str) -> None:
        """The post was sent and no answer came: it may be in the channel, so it is not sent again but by ``force``
        (as a post whose instance stopped during the Slack call)."""
        with self.engine.begin() as conn:
            conn.execute(update(posts).where(posts.c.key == key, posts.c.owner == self.owner)
                         .values(status="unknown", last_error=error[:2000]))

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

    def take(self, name: str, now: dt.datetime | None = None, max_age: dt.timedelta | None = None) -> Any:
        """What ``keep`` kept under ``name``, removed in the same transaction: of two instances (or two
        clicks) taking it at once, one gets it and the other None. With ``now`` and ``max_age``, None for one kept
        longer ago than that (only a new ``keep`` prunes the table: an old answer had stayed shareable)."""
        with self.engine.begin() as conn:
            row = conn.execute(select(kept.c.value, kept.c.kept_at).where(kept.c.name == name)).first()
            if row is None or conn.execute(kept.delete().where(kept.c.name == name)).rowcount != 1:
                return None
        if now is not None and max_age is not None and (at := _utc(row[1])) is not None and at < now - max_age:
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

    # -- what was read from Stripe (stripe_source.SyncStore) --

    def stripe_progress(self) -> dict[str, Any] | None:
        value = self.get_value(_STRIPE_PROGRESS)
        return value if isinstance(value, dict) else None

    def stripe_save(self, *, invoices: Sequence[tuple[StripeInvoice, Sequence[StripeLine]]] = (),
                    customers: Sequence[StripeCustomer] = (), drop: Sequence[str] = (), run: str | None = None,
                    progress: dict[str, Any]) -> Saved:
        """Write invoices (each with all its lines, replacing those kept), customers, the invoices to drop
        and the sync's ``progress``, in one transaction: a sync killed at any point leaves either all of a
        page or none of it."""
        from stripe_source import Saved

        ids = [invoice.id for invoice, _ in invoices]
        new: list[str] = []
        changed: list[tuple[str, str, str]] = []
        with self.engine.begin() as conn:
            before = _in_chunks(conn, lambda chunk: select(stripe_invoices.c.id, stripe_invoices.c.status)
                                .where(stripe_invoices.c.id.in_(chunk)), ids)
            known = dict(before)
            for invoice, _ in invoices:
                if invoice.id not in known:
                    new.append(invoice.id)
                elif known[invoice.id] != invoice.status:
                    changed.append((invoice.id, known[invoice.id], invoice.status))
            dropped = [r[0] for r in _in_chunks(conn, lambda chunk: select(stripe_invoices.c.id)
                                                .where(stripe_invoices.c.id.in_(chunk)), list(drop))]
            gone = [*ids, *drop]
            for chunk in _chunks(gone):
                conn.execute(stripe_lines.delete().where(stripe_lines.c.invoice.in_(chunk)))
                conn.execute(stripe_invoices.delete().where(stripe_invoices.c.id.in_(chunk)))
            if invoices:
                conn.execute(insert(stripe_invoices), [
                    {"id": i.id, "customer": i.customer, "customer_name": i.customer_name, "status": i.status,
                     "created": i.created, "currency": i.currency, "livemode": i.livemode, "run": run or ""}
                    for i, _ in invoices])
                rows = [{"invoice": line.invoice, "id": line.id, "position": line.position, "amount": line.amount,
                         "discount": line.discount, "tax_included": line.tax_included, "currency": line.currency,
                         "period_start": line.start, "period_end": line.end, "subscription": line.subscription,
                         "proration": line.proration, "price": line.price, "description": line.description}
                        for _, lines in invoices for line in lines]
                if rows:
                    conn.execute(insert(stripe_lines), rows)
            changed_customers = 0
            if customers:
                cids = [c.id for c in customers]
                kept = {r[0]: (r[1], r[2]) for r in _in_chunks(
                    conn, lambda chunk: select(stripe_customers.c.id, stripe_customers.c.metadata,
                                               stripe_customers.c.name).where(stripe_customers.c.id.in_(chunk)), cids)}
                for chunk in _chunks(cids):
                    conn.execute(stripe_customers.delete().where(stripe_customers.c.id.in_(chunk)))
                rows = [{"id": c.id, "name": c.name, "created": c.created,
                         "metadata": json.dumps(dict(c.metadata), sort_keys=True)} for c in customers]
                changed_customers = sum(1 for r in rows if kept.get(r["id"]) != (r["metadata"], r["name"]))
                conn.execute(insert(stripe_customers), rows)
            _put_value(conn, _STRIPE_PROGRESS, progress)
        return Saved(new=new, changed=changed, dropped=dropped,
                     customers=changed_customers)

    def stripe_drop_unseen(self, run: str, *, since: int | None, statuses: Sequence[str] | None,
                           progress: dict[str, Any]) -> Saved:
        from stripe_source import Saved

        where = [stripe_invoices.c.run != run]
        if since is not None:
            where.append(stripe_invoices.c.created >= since)
        if statuses is not None:
            where.append(stripe_invoices.c.status.in_(statuses))
        with self.engine.begin() as conn:
            ids = [r[0] for r in conn.execute(select(stripe_invoices.c.id).where(*where))]
            for chunk in _chunks(ids):
                conn.execute(stripe_lines.delete().where(stripe_lines.c.invoice.in_(chunk)))
                conn.execute(stripe_invoices.delete().where(stripe_invoices.c.id.in_(chunk)))
            _put_value(conn, _STRIPE_PROGRESS, progress)
        return Saved(dropped=ids)

    def stripe_clear(self, progress: dict[str, Any]) -> None:
        """Forget everything read from Stripe (another key, maybe another account), keeping ``progress``."""
        with self.engine.begin() as conn:
            for table in (stripe_lines, stripe_invoices, stripe_customers):
                conn.execute(table.delete())
            _put_value(conn, _STRIPE_PROGRESS, progress)

    def stripe_open_invoices(self) -> list[tuple[str, int]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(stripe_invoices.c.id, stripe_invoices.c.created)
                                .where(stripe_invoices.c.status.not_in(["paid", "void"]))
                                .order_by(stripe_invoices.c.created)).all()
        return [(r[0], int(r[1])) for r in rows]

    def stripe_statuses(self, ids: Sequence[str]) -> dict[str, str]:
        with self.engine.connect() as conn:
            return dict(_in_chunks(conn, lambda chunk: select(stripe_invoices.c.id, stripe_invoices.c.status)
                                   .where(stripe_invoices.c.id.in_(chunk)), list(ids)))

    def stripe_unknown_customers(self, run: str) -> int:
        with self.engine.connect() as conn:
            known = select(stripe_customers.c.id)
            return int(conn.execute(select(func.count(stripe_invoices.c.customer.distinct()))
                                    .where(stripe_invoices.c.run == run, stripe_invoices.c.customer.not_in(known))
                                    ).scalar_one())

    def stripe_count_since(self, created: int) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(stripe_invoices)
                                    .where(stripe_invoices.c.created >= created)).scalar_one())

    def stripe_stale(self) -> dict[str, Any] | None:
        value = self.get_value(_STRIPE_STALE)
        return value if isinstance(value, dict) else None

    def stripe_mark_stale(self, now: dt.datetime, *, customers: bool) -> None:
        """A webhook said something changed: the next answer syncs first (``customers``: re-read them all)."""
        self.update_value(_STRIPE_STALE, lambda old: {
            "at": now.isoformat(), "customers": bool(customers or (old or {}).get("customers"))})

    def stripe_clear_stale(self, seen: dict[str, Any] | None) -> None:
        """The sync that began when ``seen`` was the stale mark is done: clear it, unless a newer mark came."""
        self.update_value(_STRIPE_STALE, lambda old: None if old == seen else old)

    def stripe_rows(self) -> tuple[list[dict[str, Any]], dict[str, StripeCustomer]]:
        """Every kept line joined with its invoice (status, customer, its name on the invoice), oldest first,
        and the customers by id."""
        from stripe_source import StripeCustomer

        with self.engine.connect() as conn:
            lines = conn.execute(
                select(stripe_lines, stripe_invoices.c.customer, stripe_invoices.c.customer_name,
                       stripe_invoices.c.status, stripe_invoices.c.created)
                .join(stripe_invoices, stripe_invoices.c.id == stripe_lines.c.invoice)
                .order_by(stripe_invoices.c.created, stripe_lines.c.invoice, stripe_lines.c.position)
            ).mappings().all()
            customers = {r["id"]: StripeCustomer(id=r["id"], name=r["name"], created=int(r["created"]),
                                                 metadata=json.loads(r["metadata"]))
                         for r in conn.execute(select(stripe_customers)).mappings()}
        return [dict(r) for r in lines], customers

    def stripe_counts(self) -> dict[str, int]:
        """How many invoices, lines and customers are kept."""
        with self.engine.connect() as conn:
            return {name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
                    for name, table in (("invoices", stripe_invoices), ("lines", stripe_lines),
                                        ("customers", stripe_customers))}

    def schema_version(self) -> int | None:
        """The schema recorded in the database; None when it has none (never upgraded, or not nrr's)."""
        try:
            value = self.get_value("schema-version")
        except SQLAlchemyError:
            return None
        return value if isinstance(value, int) else None


_STRIPE_PROGRESS, _STRIPE_STALE = "stripe:progress", "stripe:stale"
_CHUNK = 500  # ids per IN (...): well under SQLite's limit on bound parameters


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for n in range(0, len(ids), _CHUNK):
        yield ids[n:n + _CHUNK]


def _in_chunks(conn: Connection, query: Callable[[Sequence[str]], Any], ids: Sequence[str]) -> list[Any]:
    return [tuple(row) for chunk in _chunks(ids) for row in conn.execute(query(chunk))]


def _put_value(conn: Connection, name: str, value: Any) -> None:
    text = json.dumps(value)
    if conn.execute(update(values).where(values.c.name == name).values(value=text)).rowcount == 0:
        conn.execute(insert(values).values(name=name, value=text))


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
    """A database URL without its password (in its user part or its query), for messages and logs."""
    return redact_url(url)
