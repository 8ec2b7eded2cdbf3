"""Settings: built once at start-up from nrr.toml and the environment, then passed down.

The config file is found at ``--config``, else ``$NRR_CONFIG``, else ``./nrr.toml`` if present;
without one every key takes its documented default. Unknown sections or keys and bad values
fail at once with a message naming them. Secrets never live here: they come from the
environment, read where they are used.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from engine import (
    FUNDINGS,
    METHODS,
    PRICING_MODELS,
    RULES,
    SEGMENTS,
    STAGES,
    Funding,
    Method,
    Month,
    PricingModel,
    Profile,
    Segment,
    Stage,
    Thresholds,
    parse_month_number,
)
from nrr._errors import ConfigError

DEFAULT_CONFIG_NAME = "nrr.toml"


def _choice(options: tuple[str, ...]) -> Callable[[object], str]:
    def check(value: object) -> str:
        if isinstance(value, str) and value.strip().lower() in options:
            return value.strip().lower()
        raise ValueError(f"one of {', '.join(options)}")
    return check


def _text(value: object) -> str:
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise ValueError("a non-empty string")


def _timezone(value: object) -> str:
    name = _text(value)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # Europe: a folder of zones
        raise ValueError("an IANA time zone name such as Europe/Paris or America/New_York") from None
    return name


def _currency(value: object) -> str:
    text = _text(value).upper()
    if not re.fullmatch(r"[A-Z]{3}", text):
        raise ValueError("an ISO 4217 currency code such as USD, EUR or GBP")
    return text


def _url(value: object) -> str:
    text = _text(value)
    if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", text):
        raise ValueError("a URL such as https://nrr.example.com")
    return text.rstrip("/")


def _addon_account(value: object) -> str:
    text = _text(value)
    if not re.fullmatch(r"service-\d+@gcp-sa-gsuiteaddons\.iam\.gserviceaccount\.com", text):
        raise ValueError("the add-on's service account, service-PROJECT_NUMBER@gcp-sa-gsuiteaddons"
                         ".iam.gserviceaccount.com")
    return text


def _bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError("true or false")


def _seconds(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 86400:
        return float(value)
    raise ValueError("a number of seconds (0 to 86400)")


def _timeout(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= 86400:
        return float(value)
    raise ValueError("a number of seconds above 0 (at most 86400)")


def _int_range(low: int, high: int) -> Callable[[object], int]:
    def check(value: object) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
            return value
        raise ValueError(f"a whole number from {low} to {high}")
    return check


def _positive(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    raise ValueError("a positive number")


def _clock_time(value: object) -> dt.time:
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, str) and re.fullmatch(r"\d{1,2}:\d{2}", value.strip()):
        hours, minutes = (int(x) for x in value.strip().split(":"))
        if hours < 24 and minutes < 60:
            return dt.time(hours, minutes)
    raise ValueError("a time of day such as \"09:00\"")


#: a Slack channel id: ``C0123ABCD`` (a public channel), ``G...`` (a private one), ``D...`` (a direct message)
CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{6,}")


def _channel(value: object) -> str:
    text = _text(value)
    if not CHANNEL_ID.fullmatch(text):
        raise ValueError("a Slack channel id such as C0123ABCD (channel details > About, at the bottom)")
    return text


LEDGER_COLUMN_ROLES = ("customer", "name", "month", "mrr")


def _ledger_columns(value: object) -> Mapping[str, str]:
    if isinstance(value, Mapping) and value and all(k in LEDGER_COLUMN_ROLES and isinstance(v, str) and v.strip()
                                                    for k, v in value.items()):
        named = {k: v.strip() for k, v in value.items()}
        if len({v.casefold() for v in named.values()}) == len(named):
            return MappingProxyType(named)
        raise ValueError("a different column for each role: a column holds one of them")
    raise ValueError("a table of column names by role, such as {customer = \"acct\", month = \"m\", mrr = "
                     "\"amount\"} (roles: customer, name, month, mrr)")


def setting(default: Any, check: Callable[[object], Any]) -> Any:
    """A key of nrr.toml: its default (written here, once) and the check its value must pass."""
    return field(default=default, metadata={"check": check})


def required(check: Callable[[object], Any]) -> Any:
    """A key of nrr.toml that has no default."""
    return field(metadata={"check": check})


def checks(section: type) -> dict[str, Callable[[object], Any]]:
    """The keys a section's table may hold, with their checks."""
    return {f.name: f.metadata["check"] for f in fields(section) if "check" in f.metadata}


@dataclass(frozen=True, kw_only=True)
class LedgerSettings:
    """``[ledger]``: where the ledger is, and how spans combine its months."""

    source: str = setting("ledger.csv", _text)
    method: Method | None = setting(None, _choice(METHODS))  # None: cohort for a customer table, else chained
    #: the tab ``nrr fill`` writes a customer tab's derived seven-column ledger to (same spreadsheet)
    template_tab: str = setting("NRR", _text)
    #: a warehouse table's columns by role (customer, name, month, mrr), when their names are not recognised
    columns: Mapping[str, str] | None = setting(None, _ledger_columns)
    #: how long one SQL statement on a warehouse table may run, in seconds (PostgreSQL, Snowflake)
    statement_timeout: float = setting(60.0, _timeout)


@dataclass(frozen=True)
class CalendarSettings:
    """``[calendar]``: the zone that decides what "today" is, and the fiscal year."""

    timezone: str = setting("UTC", _timezone)
    fiscal_year_start: int = setting(1, parse_month_number)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, kw_only=True)
class CompanySettings:
    """``[company]``: the profile benchmarks compare against, and the currency money is shown in."""

    segment: Segment = setting("mid-market", _choice(SEGMENTS))
    pricing_model: PricingModel | None = setting(None, _choice(PRICING_MODELS))
    stage: Stage | None = setting(None, _choice(STAGES))
    funding: Funding = setting("vc", _choice(FUNDINGS))
    currency: str = setting("USD", _currency)
    #: true until nrr.toml names the segment or the funding: answers then say which profile they assumed
    assumed: bool = True
    #: whether nrr.toml names the currency: a ledger showing another then gets a warning (USD alone is a default)
    currency_set: bool = False

    @property
    def profile(self) -> Profile:
        return Profile(segment=self.segment, pricing_model=self.pricing_model, stage=self.stage, funding=self.funding,
                       assumed=self.assumed)


@dataclass(frozen=True)
class FxSettings:
    """``[fx]``: exchange rates into ``[company] currency``: one per currency (``EUR = 1.10``: one EUR is worth
    1.10 of it, every month), and/or ``rates``, a table of Month, Currency, Rate (a path relative to nrr.toml,
    or a Google Sheet)."""

    flat: Mapping[str, Decimal] = field(default_factory=dict)
    rates: str | None = None
    base_dir: Path | None = None  # where ``rates`` is relative to: nrr.toml's folder

    @property
    def given(self) -> bool:
        return bool(self.flat) or self.rates is not None


def _fx(table: object, where: str, reporting: str, base_dir: Path) -> FxSettings:
    """``[fx]``: ``rates = "fx.csv"`` and one key per currency code with its rate above 0."""
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where}: [fx] must be a table of keys, not a value.")
    flat: dict[str, Decimal] = {}
    rates = None
    for key, value in table.items():
        if key == "rates":
            try:
                rates = _text(value)
            except ValueError:
                raise ConfigError(f'{where}: [fx] rates = {value!r} is not a file name such as "fx.csv".') from None
            continue
        code = key.strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise ConfigError(f"{where}: unknown key [fx] {key}: [fx] holds rates = \"fx.csv\" and one line per "
                              "currency code, such as EUR = 1.10 (what one EUR is worth in the reporting "
                              f"currency, {reporting}).")
        if code == reporting:
            raise ConfigError(f"{where}: [fx] {key}: {code} is the reporting currency ([company] currency), worth 1 "
                              "of itself; leave the line out.")
        try:
            rate = Decimal(str(value)) if isinstance(value, int | float | str) and not isinstance(value, bool) \
                else None
        except ArithmeticError:
            rate = None
        if rate is None or not rate.is_finite() or rate <= 0:
            raise ConfigError(f"{where}: [fx] {key} = {value!r} is not a rate above 0 such as 1.10 (what one "
                              f"{code} is worth in {reporting}, the reporting currency).")
        flat[code] = rate
    return FxSettings(flat, rates, base_dir)


@dataclass(frozen=True)
class SheetsSettings:
    """``[sheets]``: how long a Google Sheet's cells are reused, how long Google's errors are retried."""

    cache_ttl: float = setting(60.0, _seconds)
    retry_budget: float = setting(20.0, _seconds)


@dataclass(frozen=True)
class AddonSettings:
    """``[addon]``: the add-on is served when both the endpoint URL and its service account are set."""

    endpoint_url: str | None = setting(None, _url)
    service_account: str | None = setting(None, _addon_account)
    certs_url: str = setting("https://www.googleapis.com/oauth2/v1/certs", _url)

    @property
    def enabled(self) -> bool:
        return bool(self.endpoint_url and self.service_account)


def _slack_ids(value: object) -> tuple[str, ...]:
    if isinstance(value, list) and all(isinstance(v, str) and re.fullmatch(r"[US][A-Z0-9]{6,}", v) for v in value):
        return tuple(value)
    raise ValueError("a list of Slack user ids (U0123ABCD) or user group ids (S0123ABCD)")


@dataclass(frozen=True)
class SlackSettings:
    """``[slack]``: serve the Slack app (``false`` serves the add-on alone); who may change the setup
    from Slack besides workspace admins and owners; whether the bot joins a public channel itself."""

    enabled: bool = setting(True, _bool)
    admins: tuple[str, ...] = setting((), _slack_ids)
    join_channels: bool = setting(True, _bool)


@dataclass(frozen=True)
class StateSettings:
    """``[state]``: the database that holds the posting history (``NRR_STATE_URL`` overrides)."""

    url: str = setting("sqlite:///nrr-state.db", _text)


@dataclass(frozen=True, kw_only=True)
class StripeSettings:
    """``[stripe]``: how often the scheduler syncs the Stripe account (the key is ``STRIPE_API_KEY``, never here),
    and how long Stripe's 429s and failures are waited out."""

    sync_minutes: int = setting(60, _int_range(1, 1440))
    retry_budget: float = setting(120.0, _seconds)


@dataclass(frozen=True, kw_only=True)
class SchedulerSettings:
    """``[scheduler]``: whether this instance runs digests and alerts, and how often it looks."""

    enabled: bool = setting(True, _bool)
    poll_minutes: int = setting(15, _int_range(1, 1440))
    grace_days: int = setting(3, _int_range(0, 27))
    missing_month_wait_hours: int = setting(6, _int_range(0, 23))
    tick_seconds: int = setting(60, _int_range(10, 3600))


def _column(value: object) -> str:
    if isinstance(value, str) and value.strip() and "=" not in value:
        return value.strip()
    raise ValueError("the name of a customer table's attribute column, such as \"segment\"")


INCLUDES = ("month", "quarter", "year", "movements", "benchmark", "warnings", "chart")
#: parts a digest has only when its include names them
OPTIONAL_INCLUDES = ("forecast",)


def _includes(value: object) -> tuple[str, ...]:
    known = (*INCLUDES, *OPTIONAL_INCLUDES)
    if isinstance(value, list) and value and all(isinstance(v, str) and v in known for v in value):
        return tuple(dict.fromkeys(value))
    raise ValueError(f"a list drawn from {', '.join(known)}")


@dataclass(frozen=True, kw_only=True)
class DigestSchedule:
    """``[[digests]]``: one channel's monthly digest: when (its own clock) and what it includes."""

    channel: str = required(_channel)
    name: str | None = setting(None, _text)
    timezone: str = setting("UTC", _timezone)
    day: int = setting(2, _int_range(1, 28))
    time: dt.time = setting(dt.time(9, 0), _clock_time)
    include: tuple[str, ...] = setting(INCLUDES, _includes)
    chart_months: int = setting(12, _int_range(6, 36))
    #: a customer table's attribute column (``segment``): one line per segment in the digest
    by: str | None = setting(None, _column)
    #: when a digest set up from Slack was set up: nothing due before it is posted (not a key of nrr.toml)
    since: dt.datetime | None = None

    @property
    def label(self) -> str:
        return f"#{self.name}" if self.name else self.channel

    def due(self, month: Month) -> dt.datetime:
        """When ``month``'s digest is due (UTC): the configured day and time of the month after, on the
        channel's clock (a time the clocks skip maps forward; one they repeat is its first occurrence)."""
        zone = ZoneInfo(self.timezone)
        following = month + 1
        local = dt.datetime(following.year, following.month, self.day, self.time.hour, self.time.minute, tzinfo=zone)
        return local.astimezone(dt.UTC)

    def next_run(self, now: dt.datetime) -> dt.datetime:
        """The first due instant after ``now``."""
        local = now.astimezone(ZoneInfo(self.timezone))
        month = Month(local.year, local.month) - 2
        while (at := self.due(month)) <= now:
            month += 1
        return at


ALERT_RULES = (*RULES, "ledger_errors")


def _pct_line_up_to(most: int) -> Callable[[object], Decimal]:
    """A line written as a percentage (85), kept as a ratio (0.85): from 1 to ``most``. 0.85 is refused, not read as
    0.85%, under which the alert would never fire; nor a GRR line above 100%, which no GRR can reach."""
    def check(value: object) -> Decimal:
        if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value <= most:
            return Decimal(str(value)) / 100
        raise ValueError(f"a percentage from 1 to {most}, such as 85 (not 0.85)")
    return check


_pct_line = _pct_line_up_to(100)


def _points(value: object) -> Decimal:
    """Written in points (3), kept as a ratio (0.03): above 0 and up to 100 (a move of 1,000 points never comes)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= 100:
        return Decimal(str(value)) / 100
    raise ValueError("a number of points above 0 and up to 100, such as 3")


#: ``[alerts.rules]`` and ``[alerts.thresholds]``: the keys each may hold, with their checks.
ALERT_TABLES: dict[str, dict[str, Callable[[object], Any]]] = {
    "rules": dict.fromkeys(ALERT_RULES, _bool),
    "thresholds": {"grr_concerning": _pct_line, "grr_leaky": _pct_line,
                   "expansion_dependent_nrr": _pct_line_up_to(1000),
                   "move_points": _points, "trailing_months": _int_range(2, 24), "logo_retention": _pct_line,
                   "concentration": _pct_line},
}


@dataclass(frozen=True, kw_only=True)
class AlertSettings:
    """``[alerts]``: where alerts go, which rules are on, and where their lines are."""

    channel: str | None = setting(None, _channel)
    name: str | None = setting(None, _text)
    cooldown_hours: float = setting(24.0, _positive)
    rules: frozenset[str] = frozenset(ALERT_RULES)
    thresholds: Thresholds = field(default_factory=Thresholds)

    @property
    def label(self) -> str:
        return f"#{self.name}" if self.name else (self.channel or "")


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Everything the app needs to know, from nrr.toml and the environment, one section per table."""

    ledger: LedgerSettings = field(default_factory=LedgerSettings)
    calendar: CalendarSettings = field(default_factory=CalendarSettings)
    company: CompanySettings = field(default_factory=CompanySettings)
    sheets: SheetsSettings = field(default_factory=SheetsSettings)
    addon: AddonSettings = field(default_factory=AddonSettings)
    slack: SlackSettings = field(default_factory=SlackSettings)
    state: StateSettings = field(default_factory=StateSettings)
    scheduler: SchedulerSettings = field(default_factory=SchedulerSettings)
    stripe: StripeSettings = field(default_factory=StripeSettings)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    fx: FxSettings = field(default_factory=FxSettings)
    digests: tuple[DigestSchedule, ...] = ()
    #: ``[digest]``: what every digest has unless its own table says otherwise (``by = "segment"``, ...)
    digest: Mapping[str, Any] = field(default_factory=dict)
    config_path: Path | None = None
    base_dir: Path = field(default_factory=Path.cwd)  # relative ledger paths resolve from here

    @property
    def profile(self) -> Profile:
        return self.company.profile

    def schedule(self, channel: str, **own: Any) -> DigestSchedule:
        """A digest for ``channel``: the ``[digest]`` defaults, then ``own`` (its own table's keys)."""
        return DigestSchedule(channel=channel, **{**self.digest, **own})


#: The tables of nrr.toml, each with the section it fills.
SECTIONS: dict[str, type] = {
    "ledger": LedgerSettings, "calendar": CalendarSettings, "company": CompanySettings,
    "sheets": SheetsSettings, "addon": AddonSettings, "slack": SlackSettings, "state": StateSettings,
    "scheduler": SchedulerSettings, "alerts": AlertSettings, "stripe": StripeSettings,
}


def _suggest(name: str, options: list[str]) -> str:
    import difflib  # only a misspelt key needs it

    close = difflib.get_close_matches(name, options, n=1)
    return f" Did you mean '{close[0]}'?" if close else f" Known: {', '.join(options)}."


def _check_table(name: str, table: object, keys: Mapping[str, Callable[[object], Any]], where: str
                 ) -> dict[str, Any]:
    """Each key of ``table`` checked: an unknown key or a bad value is an error naming it."""
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where}: [{name}] must be a table of keys, not a value.")
    clean = {}
    for key, value in table.items():
        if key not in keys:
            raise ConfigError(f"{where}: unknown key [{name}] {key}.{_suggest(key, list(keys))}")
        try:
            clean[key] = keys[key](value)
        except ValueError as exc:
            raise ConfigError(f"{where}: [{name}] {key} = {value!r} is not {exc}.") from None
    return clean


def _alerts(table: object, where: str) -> AlertSettings:
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where}: [alerts] must be a table of keys, not a value.")
    nested = {k: _check_table(f"alerts.{k}", table[k], ALERT_TABLES[k], where) for k in ALERT_TABLES if k in table}
    own = _check_table("alerts", {k: v for k, v in table.items() if k not in ALERT_TABLES},
                       checks(AlertSettings), where)
    rules = nested.get("rules", {})
    thresholds = Thresholds(**nested.get("thresholds", {}))
    if (wrong := thresholds.out_of_order) is not None:
        raise ConfigError(f"{where}: [alerts.thresholds] {wrong}")
    return AlertSettings(**own, rules=frozenset(r for r in ALERT_RULES if rules.get(r, True)), thresholds=thresholds)


#: the keys ``[digest]`` may set for every digest (a channel and its name belong to each one's own table)
DIGEST_DEFAULTS = {k: v for k, v in checks(DigestSchedule).items() if k not in ("channel", "name")}


def _digests(value: object, where: str, defaults: Mapping[str, Any]) -> tuple[DigestSchedule, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"{where}: [[digests]] must be a list of tables, one per channel.")
    schedules = []
    for number, entry in enumerate(value, start=1):
        if not isinstance(entry, Mapping):
            raise ConfigError(f"{where}: [[digests]] number {number} must be a table.")
        fields_ = _check_table(f"digests #{number}", entry, checks(DigestSchedule), where)
        if "channel" not in fields_:
            raise ConfigError(f"{where}: [[digests]] number {number} needs a channel (a Slack channel id).")
        schedules.append(DigestSchedule(**{**defaults, **fields_}))
    channels = [s.channel for s in schedules]
    if len(set(channels)) != len(channels):
        raise ConfigError(f"{where}: a channel appears in more than one [[digests]] table; keep one per channel.")
    return tuple(schedules)


def settings_from(data: Mapping[str, Any], where: str, env: Mapping[str, str], *, config_path: Path | None,
                  base_dir: Path) -> Settings:
    """Settings from nrr.toml's parsed tables: every unknown table or key and every bad value is an error."""
    sections: dict[str, Any] = {}
    digests: tuple[DigestSchedule, ...] = ()
    digest = _check_table("digest", data["digest"], DIGEST_DEFAULTS, where) if "digest" in data else {}
    for name, table in data.items():
        if name == "digests":
            digests = _digests(table, where, digest)
        elif name == "digest":
            pass  # read first: its keys are every [[digests]] table's defaults
        elif name == "alerts":
            sections["alerts"] = _alerts(table, where)
        elif name == "fx":
            pass  # read once [company] says what the reporting currency is
        elif name == "company":
            company = _check_table(name, table, checks(CompanySettings), where)
            sections[name] = CompanySettings(**company, assumed=not ({"segment", "funding"} & set(company)),
                                             currency_set="currency" in company)
        elif name in SECTIONS:
            sections[name] = SECTIONS[name](**_check_table(name, table, checks(SECTIONS[name]), where))
        else:
            raise ConfigError(f"{where}: unknown section [{name}]."
                              f"{_suggest(name, [*SECTIONS, 'digest', 'digests', 'fx'])}")
    if "fx" in data:
        reporting = sections.get("company", CompanySettings()).currency
        sections["fx"] = _fx(data["fx"], where, reporting, config_path.parent if config_path else base_dir)
    addon = sections.get("addon")
    if addon is not None and not addon.enabled and (addon.endpoint_url or addon.service_account):
        missing = "endpoint_url" if not addon.endpoint_url else "service_account"
        raise ConfigError(f"{where}: [addon] needs {missing} too (the add-on is served when both "
                          "endpoint_url and service_account are set).")
    if env.get("NRR_STATE_URL"):
        sections["state"] = StateSettings(env["NRR_STATE_URL"])
    return Settings(**sections, digests=digests, digest=digest, config_path=config_path, base_dir=base_dir)


def find_config(explicit: str | None, env: Mapping[str, str], cwd: Path) -> Path | None:
    """The config file to read: ``--config``, else ``$NRR_CONFIG``, else ``./nrr.toml`` if any."""
    if explicit:
        return Path(explicit)
    if env.get("NRR_CONFIG"):
        return Path(env["NRR_CONFIG"])
    default = cwd / DEFAULT_CONFIG_NAME
    return default if default.is_file() else None


def load_settings(config: str | None = None, env: Mapping[str, str] | None = None,
                  cwd: Path | None = None) -> Settings:
    """Build the settings once, at start-up. ``env`` is the process environment, passed in."""
    env = env or {}
    cwd = cwd or Path.cwd()
    path = find_config(config, env, cwd)
    if path is None:
        return settings_from({}, "nrr.toml", env, config_path=None, base_dir=cwd)
    import tomllib  # only a config file needs it

    try:
        data = path.read_bytes()
        raw = tomllib.loads(data.decode("utf-8-sig"))  # Notepad's UTF-8 with a byte-order mark: the same text
    except UnicodeDecodeError:
        encoding = "UTF-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "not UTF-8"
        raise ConfigError(f"{path}: the file is {encoding}; save it as UTF-8 (in Notepad: Save As, Encoding UTF-8) "
                          "and start again.") from None
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file; check --config or NRR_CONFIG.") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror}).") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}).") from None
    return settings_from(raw, str(path), env, config_path=path, base_dir=path.parent)


# --- secrets: from the environment only, read once where the process starts --------------------

SLACK_API_URL = "https://slack.com/api/"
SlackUse = Literal["events", "socket-mode", "posting"]
_SLACK_NEEDS: dict[SlackUse, tuple[tuple[str, str], ...]] = {
    "events": (("SLACK_BOT_TOKEN", "call the Slack Web API"),
               ("SLACK_SIGNING_SECRET", "verify that requests come from Slack")),
    "socket-mode": (("SLACK_BOT_TOKEN", "call the Slack Web API"), ("SLACK_APP_TOKEN", "connect in Socket Mode")),
    "posting": (("SLACK_BOT_TOKEN", "post digests and alerts"),),
}


def _http_url(text: str) -> bool:
    """An http(s) address with a host: what an API's base URL has to be."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(text)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # http://[::1
        return False


def missing_secret(name: str, purpose: str) -> str:
    return f"{name} is not set: nrr needs it to {purpose}. Set it in the environment and start again."


@dataclass(frozen=True)
class SlackSecrets:
    """Read from the environment at start; never logged."""

    bot_token: str
    signing_secret: str | None
    app_token: str | None
    api_url: str

    def __repr__(self) -> str:
        return f"SlackSecrets(api_url={self.api_url!r}, tokens=<hidden>)"


def slack_secrets(env: Mapping[str, str], use: SlackUse = "events") -> SlackSecrets:
    """The Slack secrets ``use`` needs, or ``ConfigError`` naming the first one missing.

    ``events``: answering over HTTP (bot token, signing secret); ``socket-mode``: over Socket
    Mode (bot token, app token); ``posting``: digests and alerts (the bot token).
    """
    for name, purpose in _SLACK_NEEDS[use]:
        if not slack_secret(env, name):
            raise ConfigError(missing_secret(name, purpose))
    api_url = env.get("SLACK_API_URL") or SLACK_API_URL
    if not _http_url(api_url):  # said now, before a digest is claimed: a post that cannot start is not "sending"
        raise ConfigError(f"SLACK_API_URL {api_url[:100]!r} is not a URL such as {SLACK_API_URL}; set it to Slack's "
                          "Web API address (or unset it to use Slack's own) and start again.")
    return SlackSecrets(slack_secret(env, "SLACK_BOT_TOKEN") or "",
                        slack_secret(env, "SLACK_SIGNING_SECRET") if use == "events" else None,
                        slack_secret(env, "SLACK_APP_TOKEN"), api_url if api_url.endswith("/") else api_url + "/")


def slack_secret(env: Mapping[str, str], name: str) -> str | None:
    """A Slack token or signing secret from the environment, without the spaces or line break an env file leaves
    around it (kept, a signing secret failed every request's signature); None when unset or blank. One with a space,
    a line break or a character outside ASCII inside it (pasted twice, or with typographic quotes) is refused in
    words: sent in a header, it ended in an internal error that printed it whole."""
    value = env.get(name, "").strip()
    if value and (not value.isascii() or not value.isprintable() or any(c.isspace() for c in value)):
        raise ConfigError(f"{name} holds a space, a line break or a character other than letters, digits and "
                          "punctuation inside it (pasted twice, or with quotes?); copy it again from the Slack app's "
                          "settings and start again. Nothing of it is shown here.")
    return value or None
