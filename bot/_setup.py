"""Changing the workspace's setup from Slack: ``/nrr connect``, ``subscribe``, ``subscriptions``,
``unsubscribe``, ``alerts here|off`` and ``alert``.

Queries stay open to everyone; a change is made only for workspace admins and owners
(``users.info``) and the users or user groups in ``[slack] admins``. Anyone else gets a plain
answer naming who can, and nothing changes. A digest or alert channel is never saved where the bot
cannot post: it joins a public channel itself when ``[slack] join_channels`` allows, and otherwise
says how to invite it. Only Google Sheets, and the Stripe account of the server's own ``STRIPE_API_KEY``
(``/nrr connect stripe``), can be connected from Slack: a Slack user must never make the server read its
own files, nor hand it a key.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import _messages as say
from bot._blocks import Block, fit, mrkdwn
from bot._errors import Refused
from bot._mrkdwn import escape, plain, plain_with_names
from engine import Cells, NrrError, Thresholds, whole_number
from sheets import SheetNotShared, is_sheet_spec, parse_sheet_spec
from stripe_source import SOURCE_NAME, StripeSummary, is_stripe_spec
from warehouse import is_warehouse_spec

COMMANDS = ("connect", "subscribe", "subscriptions", "unsubscribe", "alerts", "alert")
# neither class holds "<": each try stops at the next one, so many "<" cost linear time, not quadratic
_CHANNEL = re.compile(r"<#([CG][A-Z0-9]+)(?:\|([^<>]*))?>")
_LINK = re.compile(r"<([^<|>]+)(?:\|[^<>]*)?>")
_PERSON = re.compile(r"[UW][A-Z0-9]+")  # a user; a user group (S...) or a bot (B...) is never one
_SHEETS_HOST = "docs.google.com"
_WORDS_FOR_LINES = {"grr_below": "grr_concerning", "grr_leaky_below": "grr_leaky",
                    "expansion_dependent_above": "expansion_dependent_nrr"}


class SlackAccess(Protocol):
    """Who may change the setup besides admins, and whether the bot may join channels itself."""

    @property
    def admins(self) -> tuple[str, ...]: ...

    @property
    def join_channels(self) -> bool: ...


class LedgerChoice(Protocol):
    @property
    def source(self) -> str: ...


class DigestTimes(Protocol):
    """A digest's channel and clock."""

    @property
    def channel(self) -> str: ...

    @property
    def day(self) -> int: ...

    @property
    def time(self) -> dt.time: ...

    @property
    def timezone(self) -> str: ...

    def next_run(self, now: dt.datetime) -> dt.datetime: ...


class AlertPlace(Protocol):
    @property
    def channel(self) -> str | None: ...

    @property
    def rules(self) -> frozenset[str]:
        """The rules that are on."""
        ...

    @property
    def thresholds(self) -> Thresholds: ...


class SetupSettings(Protocol):
    """The parts of the settings in effect that the setup commands read."""

    @property
    def slack(self) -> SlackAccess: ...

    @property
    def ledger(self) -> LedgerChoice: ...

    @property
    def digests(self) -> Sequence[DigestTimes]: ...

    @property
    def alerts(self) -> AlertPlace: ...


class ConnectionRecord(Protocol):
    @property
    def source(self) -> str: ...

    @property
    def by(self) -> str: ...

    @property
    def at(self) -> dt.datetime: ...

    @property
    def found(self) -> str: ...


class SubscriptionRecord(Protocol):
    @property
    def channel(self) -> str: ...

    @property
    def created_by(self) -> str: ...

    @property
    def created_at(self) -> dt.datetime: ...


class SetupStore(Protocol):
    """Where the setup made from Slack is kept; each change is recorded with who made it, from which team."""

    def connection(self) -> ConnectionRecord | None: ...

    def subscriptions(self) -> Sequence[SubscriptionRecord]: ...

    def connect(self, source: str, user: str, found: str, *, team: str | None = None) -> object: ...

    def subscribe(self, channel: str, name: str | None, day: int, time: str, timezone: str, user: str, *,
                  team: str | None = None) -> object: ...

    def unsubscribe(self, channel: str, user: str, *, team: str | None = None) -> bool: ...

    def set_alerts(self, user: str, *, team: str | None = None, **changes: Any) -> object: ...


class SetupApp(Protocol):
    """What changing the setup needs from the application."""

    @property
    def settings(self) -> SetupSettings:
        """The settings in effect: nrr.toml with the setup from Slack over it."""
        ...

    @property
    def file_digest_channels(self) -> frozenset[str]:
        """The channels whose digest nrr.toml sets (read-only from Slack)."""
        ...

    @property
    def alert_rules(self) -> tuple[str, ...]: ...

    @property
    def alert_lines(self) -> Mapping[str, Callable[[object], Any]]:
        """Each alert line's name and its parser (a ``ValueError`` says what it expects)."""
        ...

    @property
    def explicit_ledger(self) -> str | None:
        """The ledger this instance was started with (``--ledger``), which wins over a connection."""
        ...

    def workspace(self, *, create: bool = True) -> SetupStore | None: ...

    def now(self) -> dt.datetime: ...

    def sheet_cells(self, spec: str) -> Cells: ...

    def stripe_summary(self) -> StripeSummary:
        """Sync the Stripe account of the server's STRIPE_API_KEY now, and say what it holds."""
        ...


@dataclass(frozen=True)
class Caller:
    """Who typed the command, and where."""

    user: str
    channel: str
    channel_name: str = ""
    team: str = ""  # the Slack workspace the command came from (its team_id)

    @property
    def label(self) -> str:
        return f"<#{self.channel}>"


def is_setup_command(text: str) -> bool:
    words = text.strip().split()
    return bool(words) and words[0].lower() in COMMANDS


class Setup:
    """Answers the setup commands through ``client`` (the Bolt app's Web API client)."""

    def __init__(self, app: SetupApp) -> None:
        self.app = app
        self._team: str | None = None  # the bot token's workspace (auth.test), asked once

    def answer(self, text: str, caller: Caller, client: WebClient) -> tuple[list[Block], str]:
        word, *after = text.split()  # a tab, a line break or a no-break space is a space, as in a query
        rest = " ".join(after)
        handlers: dict[str, Callable[[str, Caller, WebClient], str]] = {
            "connect": self.connect, "subscribe": self.subscribe, "subscriptions": self.subscriptions,
            "unsubscribe": self.unsubscribe, "alerts": self.alerts, "alert": self.alert}
        try:
            message = handlers[word.lower()](rest, caller, client)
        except Refused as exc:
            message = str(exc)
        return fit([mrkdwn(message)]), message

    # -- who may --

    def _require_admin(self, caller: Caller, client: WebClient) -> None:
        """``caller`` may change the setup: a person (not a user group's id), from the workspace the bot
        token belongs to, who is a workspace admin or owner or is named (or in a group named) in
        ``[slack] admins``."""
        admins = list(self.app.settings.slack.admins)
        user = caller.user
        if not _PERSON.fullmatch(user):
            raise Refused(say.not_allowed(say.admins_named(admins)))
        if caller.team != self._home_team(client):
            raise Refused(say.other_workspace())
        if user in admins:
            return
        profile = _user(client, user)
        if profile.get("is_admin") or profile.get("is_owner") or profile.get("is_primary_owner"):
            return
        unknown = None  # why a group's members could not be read: the user may be in it
        for group in (a for a in admins if a.startswith("S")):
            try:
                members = client.usergroups_users_list(usergroup=group).get("users") or []
            except SlackApiError as exc:
                members = []
                if exc.response.get("error") != "no_such_subteam":  # a group gone has no members; a 500 says nothing
                    unknown = say.failed("usergroups.users.list")
            except OSError:
                members, unknown = [], say.UNREACHABLE
            if user in members:
                return
        if unknown is not None:
            raise Refused(say.who_unknown(unknown))
        raise Refused(say.not_allowed(say.admins_named(admins)))

    def _home_team(self, client: WebClient) -> str:
        if self._team is None:
            try:
                team = client.auth_test().get("team_id")
            except (SlackApiError, OSError):  # OSError: out of reach (URLError, a reset or timed-out connection)
                team = None
            if not isinstance(team, str) or not team:
                raise Refused(say.workspace_unknown())
            self._team = team
        return self._team

    def _require_member(self, channel: str, label: str, client: WebClient) -> None:
        """The bot can post in ``channel``: it is a member, or joins it (public, when allowed)."""
        if channel.startswith("D"):
            raise Refused(say.not_a_channel())
        try:
            info = client.conversations_info(channel=channel).get("channel") or {}
        except SlackApiError as exc:
            if _passing(exc):  # Slack could not answer: the channel may be fine
                raise Refused(say.channel_unknown(label, say.failed("conversations.info"))) from None
            raise Refused(say.cannot_see_channel()) from None
        except OSError:
            raise Refused(say.channel_unknown(label, say.UNREACHABLE)) from None
        if info.get("is_archived"):
            raise Refused(say.cannot_see_channel())
        if info.get("is_member"):
            return
        if not info.get("is_private") and self.app.settings.slack.join_channels:
            try:
                client.conversations_join(channel=channel)
                return
            except SlackApiError as exc:
                if _passing(exc):
                    raise Refused(say.channel_unknown(label, say.failed("conversations.join"))) from None
            except OSError:
                raise Refused(say.channel_unknown(label, say.UNREACHABLE)) from None
        raise Refused(say.invite_first(label))

    def _workspace(self) -> SetupStore:
        workspace = self.app.workspace()
        assert workspace is not None  # create=True always gives one
        return workspace

    # -- the ledger --

    def connect(self, rest: str, caller: Caller, client: WebClient) -> str:
        typed = _LINK.sub(r"\1", rest).strip()
        if not typed:
            return self._connection_now()
        if is_stripe_spec(typed):
            return self._connect_stripe(caller, client)
        spec = _canonical_sheet(typed)
        if spec is None:
            raise Refused(say.only_sheets(escape(typed)))
        self._require_admin(caller, client)
        try:
            cells = self.app.sheet_cells(spec)
        except SheetNotShared as exc:
            raise Refused(say.share_with(exc.email or "nrr's service account")) from None
        except NrrError as exc:
            raise Refused(f"{plain_with_names(str(exc))} Nothing changed.") from None
        check, tab = cells.check, cells.sheet or "the first tab"
        ledger = check.ledger
        if ledger is None or ledger.first_month is None or ledger.last_month is None:
            first = plain(str(check.errors[0])) if check.errors else ""
            raise Refused(say.sheet_unreadable(plain(tab), len(check.errors)) + (f"\n• {first}" if first else ""))
        table = ledger.customers
        if table is None:
            found = say.sheet_found(plain(tab), len(ledger), ledger.first_month.name, ledger.last_month.name,
                                    len(check.warnings))
        else:  # its own months, as a question's answer names them (the derived ledger starts a month later)
            found = say.sheet_found(plain(tab), table.last - table.first + 1, table.first.name, table.last.name,
                                    len(check.warnings), table.customer_count)
        warnings = "".join(f"\n:warning: {plain(str(w))}" for w in check.warnings[:3])
        self._workspace().connect(spec, caller.user, found, team=caller.team)
        pinned = self.app.explicit_ledger
        return say.connected(plain(spec), found) + (f" {say.pinned_by_command_line()}" if pinned else "") + warnings

    def _connect_stripe(self, caller: Caller, client: WebClient) -> str:
        """The server's own key (``STRIPE_API_KEY``; one typed into Slack is never taken), checked by a sync."""
        self._require_admin(caller, client)
        try:
            found = self.app.stripe_summary()
        except NrrError as exc:
            raise Refused(f"{plain_with_names(str(exc))} Nothing changed.") from None
        text = say.stripe_found(plain(found.account) if found.account else None, found.mode, found.invoices,
                                found.customers, found.first.name if found.first else None,
                                found.last.name if found.last else None, found.months)
        self._workspace().connect(SOURCE_NAME, caller.user, text, team=caller.team)
        pinned = self.app.explicit_ledger
        return say.connected("Stripe", text) + (f" {say.pinned_by_command_line()}" if pinned else "")

    def _connection_now(self) -> str:
        workspace = self.app.workspace(create=False)
        connection = workspace.connection() if workspace is not None else None
        if (pinned := self.app.explicit_ledger) is not None:
            return say.reads_command_line_ledger(
                _kind(pinned), None if connection is None else
                f"{plain(connection.source)}, connected by <@{connection.by}> on {connection.at:%Y-%m-%d}")
        if connection is None:
            return say.connection_from_file(_kind(self.app.settings.ledger.source))
        return say.connection_now(plain(connection.source), connection.by, f"{connection.at:%Y-%m-%d}",
                                  connection.found)

    # -- digests --

    def subscribe(self, rest: str, caller: Caller, client: WebClient) -> str:
        channel, name, words = _channel_in("subscribe", rest, caller)
        label = f"<#{channel}>"
        day, time, zone = 2, "09:00", None
        said: set[str] = set()
        while words:
            typed = words.pop(0)
            word = typed.lower()
            value = words.pop(0) if words else ""
            if word in ("day", "at", "in") and word in said:  # "day 3 day 4": the second had won without a word
                raise Refused(say.bad_setup(f"`{escape(word)}` is given twice; give each of `day N`, `at HH:MM` and "
                                            "`in Area/City` once."))
            said.add(word)
            if word == "day" and (asked := whole_number(value, 2)) is not None and 1 <= asked <= 28:
                day = asked
            elif word == "at" and re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", value):
                time = f"{int(value.split(':')[0]):02d}:{value.split(':')[1]}"
            elif word == "in" and (named := _zone_named(value)) is not None:
                zone = named
            elif word.startswith("#"):  # typed, not picked from Slack's list: no channel id comes with it
                raise Refused(say.bad_setup(f"`{escape(typed)}` is not a channel mention: pick the channel from the "
                                            "list Slack offers as you type #, like `/nrr subscribe #revenue`, or "
                                            "run it in the channel itself."))
            else:
                raise Refused(say.bad_setup(f"`{escape(' '.join([typed, value]).strip())}` is not `day N` (1-28), "
                                            "`at HH:MM` or `in Area/City`."))
        if channel in self.app.file_digest_channels:
            raise Refused(say.from_file_read_only(label))
        self._require_admin(caller, client)
        tz_from = "as given"
        if zone is None:
            zone = _user(client, caller.user).get("tz") or "UTC"
            tz_from = "your time zone in Slack" if _zone(zone) else "UTC: your Slack time zone is not one I know"
            zone = zone if _zone(zone) else "UTC"
        self._require_member(channel, label, client)
        self._workspace().subscribe(channel, name, day, time, zone, caller.user, team=caller.team)
        schedule = next(d for d in self.app.settings.digests if d.channel == channel)
        return say.subscribed(label, day, time, zone, tz_from, _local(schedule.next_run(self.app.now()), zone))

    def subscriptions(self, rest: str, caller: Caller, client: WebClient) -> str:
        return "\n".join(subscription_lines(self.app))

    def unsubscribe(self, rest: str, caller: Caller, client: WebClient) -> str:
        channel, _, words = _channel_in("unsubscribe", rest, caller)
        if words:  # "/nrr unsubscribe revenue" must not remove this channel's digest
            raise Refused(say.bad_setup(f"`{escape(' '.join(words))}` is not a channel: mention it, like "
                                        "`/nrr unsubscribe #revenue`, or say nothing for this channel."))
        label = f"<#{channel}>"
        if channel in self.app.file_digest_channels:
            raise Refused(say.from_file_read_only(label))
        self._require_admin(caller, client)
        if not self._workspace().unsubscribe(channel, caller.user, team=caller.team):
            raise Refused(say.no_subscription(label))
        return say.unsubscribed(label)

    # -- alerts --

    def alerts(self, rest: str, caller: Caller, client: WebClient) -> str:
        where = rest.lower()
        if where not in ("here", "off"):
            raise Refused(say.bad_setup("Say `/nrr alerts here` or `/nrr alerts off`."))
        self._require_admin(caller, client)
        if where == "off":
            self._workspace().set_alerts(caller.user, team=caller.team, channel=None, name=None)
            return say.alerts_off()
        self._require_member(caller.channel, caller.label, client)
        self._workspace().set_alerts(caller.user, team=caller.team, channel=caller.channel,
                                     name=caller.channel_name or None)
        return say.alerts_here(caller.label)

    def alert(self, rest: str, caller: Caller, client: WebClient) -> str:
        words = rest.lower().split()
        if not words:
            raise Refused(say.bad_setup("Which alert?"))
        switch = words[-1] if words[-1] in ("on", "off") else None
        name = "_".join(words[:-1] if switch else words)
        if name in self.app.alert_rules:
            if switch is None:  # "/nrr alert nrr_below_100" turned it on: the grammar is <rule> on|off
                raise Refused(say.bad_setup(say.rule_needs_switch(name, name in self.app.settings.alerts.rules)))
            self._require_admin(caller, client)
            self._workspace().set_alerts(caller.user, team=caller.team, rules={name: switch != "off"})
            return say.rule_set(name, switch != "off")
        line, value = "_".join(words[:-1]), words[-1]
        line = _WORDS_FOR_LINES.get(line, line)
        checks = self.app.alert_lines
        if line not in checks:
            known = ", ".join(f"`{r}`" for r in (*self.app.alert_rules, *checks))
            raise Refused(say.bad_setup(f"`{escape(rest)}` is not an alert I know. Rules and lines: {known}."))
        self._require_admin(caller, client)  # before anything is read of what would be changed
        number = _number(value)
        try:
            if number is None:
                raise ValueError("a number")
            parsed = checks[line](int(number) if line == "trailing_months" and number == int(number)
                                  else float(number))
        except ValueError as exc:
            raise Refused(say.bad_setup(f"`{escape(value)}` is not {exc}, for `{line}`.")) from None
        if (wrong := replace(self.app.settings.alerts.thresholds, **{line: parsed}).out_of_order) is not None:
            raise Refused(say.bad_setup(wrong))  # a GRR between the lines would be leaky and not concerning
        self._workspace().set_alerts(caller.user, team=caller.team, thresholds={line: str(parsed)})
        typed = format(number, "f")  # 85% is 85, said back once with its unit: it was 85%% (fuzz 10)
        shown = typed if line == "trailing_months" else f"{typed}{'%' if line != 'move_points' else ' pts'}"
        return say.line_set(line, shown)


def subscription_lines(app: SetupApp) -> list[str]:
    """Every digest with its next run on the channel's clock, who set it up and when, and which come
    from nrr.toml (read-only from Slack); then where alerts go. For ``/nrr subscriptions`` and Home."""
    settings, now = app.settings, app.now()
    own = app.file_digest_channels
    workspace = app.workspace(create=False)
    made = {s.channel: s for s in (workspace.subscriptions() if workspace is not None else [])}
    lines = []
    for d in settings.digests:
        when = f"day {d.day} at {d.time:%H:%M} {d.timezone}; next {_local(d.next_run(now), d.timezone)}"
        if d.channel in own:
            origin = "from nrr.toml (read-only here)"
        else:
            sub = made.get(d.channel)
            origin = f"set up by <@{sub.created_by}> on {sub.created_at:%Y-%m-%d}" if sub else "set up from Slack"
        lines.append(f"• <#{d.channel}>: {when}; {origin}")
    if not lines:
        lines.append("No monthly digests yet: `/nrr subscribe` in a channel adds one.")
    alerts = settings.alerts
    lines.append(f"Alerts go to <#{alerts.channel}>." if alerts.channel else say.alerts_off())
    return lines


def _channel_in(command: str, rest: str, caller: Caller) -> tuple[str, str | None, list[str]]:
    """The channel ``command`` names (``<#C123|revenue>``) or the caller's, its name, and the other words; refused
    when it names two."""
    if m := _CHANNEL.search(rest):
        rest = (rest[:m.start()] + rest[m.end():]).strip()
        if other := _CHANNEL.search(rest):  # it was "`&lt;#c0newpub|newpub&gt;` is not `day N`"
            raise Refused(say.bad_setup(say.one_channel_at_a_time(command, f"<#{m[1]}>", f"<#{other[1]}>")))
        return m[1], m[2] or None, rest.split()
    return caller.channel, caller.channel_name or None, rest.split()


def _canonical_sheet(typed: str) -> str | None:
    """The sheet ``typed`` names, as nrr keeps and shows it: ``https://docs.google.com/spreadsheets/d/ID``
    (``/edit#gid=N`` when a tab was named by its gid) or ``gsheet:ID/TAB``. None when it is not a Google
    Sheet on docs.google.com: nothing past the id is kept, so what was typed after it is never echoed."""
    if not is_sheet_spec(typed):
        return None
    if not typed.startswith("gsheet:"):
        parts = urlsplit(typed)
        if parts.scheme not in ("http", "https") or parts.hostname != _SHEETS_HOST or parts.port is not None \
                or parts.username is not None:
            return None
    try:
        ref = parse_sheet_spec(typed)
    except NrrError:
        return None
    if ref.title:
        return f"gsheet:{ref.spreadsheet_id}/{ref.title}"
    url = f"https://{_SHEETS_HOST}/spreadsheets/d/{ref.spreadsheet_id}"
    return f"{url}/edit#gid={ref.gid}" if ref.gid is not None else url


def _number(text: str) -> Decimal | None:
    """``85``, ``2.5``: a finite number, or None (``inf``, ``nan``, ``abc`` are not)."""
    try:
        number = Decimal(text.strip().rstrip("%"))
    except InvalidOperation:
        return None
    # a threshold is a few digits: 1e2000000 would be turned into a two-million-digit int, taking the CPU for minutes
    return number if number.is_finite() and abs(number.adjusted()) <= 15 else None


def _user(client: WebClient, user: str) -> dict[str, Any]:
    """``user``'s profile; empty for one Slack says does not exist. Refused when Slack cannot say (a 500, a 429 past
    the retries, out of reach): read as an empty profile, an admin was told they are not one."""
    try:
        profile = client.users_info(user=user).get("user")
    except SlackApiError as exc:
        if exc.response.get("error") == "user_not_found":
            return {}
        raise Refused(say.who_unknown(say.failed("users.info"))) from None
    except OSError:
        raise Refused(say.who_unknown(say.UNREACHABLE)) from None
    return profile if isinstance(profile, dict) else {}


def _passing(exc: SlackApiError) -> bool:
    """Whether Slack's error says nothing of what was asked: it failed (5xx) or is rate limited (429, after the
    client's retries), and may answer in a minute."""
    status: int = exc.response.status_code
    return status == 429 or status >= 500


def _zone_named(typed: str) -> str | None:
    """The IANA zone ``typed`` names, in any case (``utc``, ``europe/berlin``), as the zone database spells it."""
    if _zone(typed):
        return typed
    return _zones().get(typed.casefold())


@functools.cache
def _zones() -> dict[str, str]:
    return {name.casefold(): name for name in zoneinfo.available_timezones() if _zone(name)}


def _zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # Europe: a folder of zones
        return False
    return "/" in name or name == "UTC"


def _local(at: dt.datetime, zone: str) -> str:
    """``Wed 2 Dec 2026, 09:00 JST``: an instant on the channel's clock."""
    local = at.astimezone(ZoneInfo(zone))
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} {local.tzname()}"


def _kind(source: str) -> str:
    """A ledger source in words a workspace may see: a server's paths and URLs are not shown in Slack."""
    if is_sheet_spec(source):
        return "a Google Sheet"
    if is_stripe_spec(source):
        return "Stripe"
    database = source.startswith("env:") or is_warehouse_spec(source)  # env:NAME: a database URL in the environment
    return "a database table" if database else "a file on the server"
