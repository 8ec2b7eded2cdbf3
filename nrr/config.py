"""Settings: built once at start-up from nrr.toml and the environment, then passed down.

The config file is found at ``--config``, else ``$NRR_CONFIG``, else ``./nrr.toml`` if present;
without one every key takes its documented default. Unknown sections or keys and bad values
fail at once with a message naming them. Secrets never live here: they come from the
environment, read where they are used.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from engine import (
    FUNDINGS,
    METHODS,
    MONTH_NAMES,
    PRICING_MODELS,
    RULES,
    SEGMENTS,
    STAGES,
    Method,
    Month,
    Profile,
    Thresholds,
)
from nrr._errors import ConfigError

DEFAULT_CONFIG_NAME = "nrr.toml"
DEFAULT_LEDGER = "ledger.csv"
DEFAULT_STATE_URL = "sqlite:///nrr-state.db"


def parse_month_number(value: object) -> int:
    """``7``, ``"07"``, ``"July"`` and ``"jul"`` are all 7."""
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 12:
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text.isdigit() and 1 <= int(text) <= 12:
            return int(text)
        for number, name in enumerate(MONTH_NAMES, start=1):
            if text in (name.lower(), name[:3].lower()):
                return number
    raise ValueError("a month: a number 1-12 or a name such as July")


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
    except (ZoneInfoNotFoundError, ValueError):
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


def _channel(value: object) -> str:
    text = _text(value)
    if not re.fullmatch(r"[CGD][A-Z0-9]{6,}", text):
        raise ValueError("a Slack channel id such as C0123ABCD (channel details > About, at the bottom)")
    return text


INCLUDES = ("month", "quarter", "year", "movements", "benchmark", "warnings", "chart")


def _includes(value: object) -> tuple[str, ...]:
    if isinstance(value, list) and value and all(isinstance(v, str) and v in INCLUDES for v in value):
        return tuple(dict.fromkeys(value))
    raise ValueError(f"a list drawn from {', '.join(INCLUDES)}")


def _pct_line(value: object) -> Decimal:
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < 1000:
        return Decimal(str(value)) / 100
    raise ValueError("a percentage such as 85")


Schema = dict[str, dict[str, Callable[[object], Any]]]

#: Every section and key nrr.toml may hold, with the check each value must pass.
SCHEMA: Schema = {
    "ledger": {"source": _text, "method": _choice(METHODS)},
    "calendar": {"timezone": _timezone, "fiscal_year_start": parse_month_number},
    "company": {
        "segment": _choice(SEGMENTS),
        "pricing_model": _choice(PRICING_MODELS),
        "stage": _choice(STAGES),
        "funding": _choice(FUNDINGS),
        "currency": _currency,
    },
    "sheets": {"cache_ttl": _seconds, "retry_budget": _seconds},
    "addon": {"endpoint_url": _url, "service_account": _addon_account, "certs_url": _url},
    "slack": {"enabled": _bool},
    "state": {"url": _text},
    "scheduler": {"enabled": _bool, "poll_minutes": _int_range(1, 1440), "grace_days": _int_range(0, 27),
                  "missing_month_wait_hours": _int_range(0, 23), "tick_seconds": _int_range(10, 3600)},
    "alerts": {"channel": _channel, "name": _text, "cooldown_hours": _positive},
}
DIGEST_SCHEMA: dict[str, Callable[[object], Any]] = {
    "channel": _channel, "name": _text, "timezone": _timezone, "day": _int_range(1, 28),
    "time": _clock_time, "include": _includes, "chart_months": _int_range(6, 36),
}
ALERT_TABLES: Schema = {
    "rules": dict.fromkeys((*RULES, "ledger_errors"), _bool),
    "thresholds": {"grr_concerning": _pct_line, "grr_leaky": _pct_line, "expansion_dependent_nrr": _pct_line,
                   "move_points": _positive, "trailing_months": _int_range(2, 24)},
}


@dataclass(frozen=True)
class DigestSchedule:
    """One channel's monthly digest: when (its own clock) and what it includes."""

    channel: str
    name: str | None = None
    timezone: str = "UTC"
    day: int = 2
    time: dt.time = dt.time(9, 0)
    include: tuple[str, ...] = INCLUDES
    chart_months: int = 12

    @property
    def label(self) -> str:
        return f"#{self.name}" if self.name else self.channel


@dataclass(frozen=True)
class AlertSettings:
    """Where alerts go, which rules are on, and where their lines are."""

    channel: str | None = None
    name: str | None = None
    rules: frozenset[str] = frozenset((*RULES, "ledger_errors"))
    thresholds: Thresholds = field(default_factory=Thresholds)
    cooldown_hours: float = 24.0

    @property
    def label(self) -> str:
        return f"#{self.name}" if self.name else (self.channel or "")


@dataclass(frozen=True)
class Settings:
    """Everything the app needs to know, from nrr.toml and the environment."""

    ledger_source: str = DEFAULT_LEDGER
    method: Method = "chained"
    timezone: str = "UTC"
    fiscal_year_start: int = 1
    profile: Profile = field(default_factory=Profile)
    currency: str = "USD"
    addon_endpoint_url: str | None = None  # the add-on is served when both of these are set
    addon_service_account: str | None = None
    addon_certs_url: str = "https://www.googleapis.com/oauth2/v1/certs"
    slack_enabled: bool = True
    state_url: str = DEFAULT_STATE_URL
    scheduler_enabled: bool = True
    poll_minutes: int = 15
    grace_days: int = 3
    missing_month_wait_hours: int = 6
    tick_seconds: int = 60
    digests: tuple[DigestSchedule, ...] = ()
    alerts: AlertSettings = field(default_factory=AlertSettings)
    sheets_cache_ttl: float = 60.0
    sheets_retry_budget: float = 20.0
    config_path: Path | None = None
    base_dir: Path = field(default_factory=Path.cwd)  # relative ledger paths resolve from here

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def fiscal_year_label(self) -> str:
        return Month(2000, self.fiscal_year_start).name.split()[0]


def _suggest(name: str, options: list[str]) -> str:
    close = difflib.get_close_matches(name, options, n=1)
    return f" Did you mean '{close[0]}'?" if close else f" Known: {', '.join(options)}."


def validate_config(data: Mapping[str, Any], where: str,
                    schema: Schema = SCHEMA) -> dict[str, dict[str, Any]]:
    """Check nrr.toml's tables against ``schema``: every unknown key and bad value is an error."""
    clean: dict[str, Any] = {}
    for section, table in data.items():
        if section == "digests" and schema is SCHEMA:
            clean["digests"] = _validate_digests(table, where)
            continue
        if section == "alerts" and schema is SCHEMA and isinstance(table, Mapping):
            nested = {k: v for k, v in table.items() if k in ALERT_TABLES}
            clean.update({f"alerts.{k}": v for k, v in validate_config(nested, where, ALERT_TABLES).items()})
            table = {k: v for k, v in table.items() if k not in ALERT_TABLES}
        if section not in schema:
            raise ConfigError(f"{where}: unknown section [{section}].{_suggest(section, list(schema))}")
        if not isinstance(table, Mapping):
            raise ConfigError(f"{where}: [{section}] must be a table of keys, not a value.")
        clean[section] = {}
        for key, value in table.items():
            checks = schema[section]
            if key not in checks:
                raise ConfigError(f"{where}: unknown key [{section}] {key}.{_suggest(key, list(checks))}")
            try:
                clean[section][key] = checks[key](value)
            except ValueError as exc:
                raise ConfigError(f"{where}: [{section}] {key} = {value!r} is not {exc}.") from None
    return clean


def _validate_digests(value: object, where: str) -> list[DigestSchedule]:
    if not isinstance(value, list):
        raise ConfigError(f"{where}: [[digests]] must be a list of tables, one per channel.")
    schedules = []
    for number, entry in enumerate(value, start=1):
        if not isinstance(entry, Mapping):
            raise ConfigError(f"{where}: [[digests]] number {number} must be a table.")
        checked = validate_config({f"digests #{number}": entry}, where, {f"digests #{number}": DIGEST_SCHEMA})
        fields = checked[f"digests #{number}"]
        if "channel" not in fields:
            raise ConfigError(f"{where}: [[digests]] number {number} needs a channel (a Slack channel id).")
        schedules.append(DigestSchedule(**fields))
    channels = [s.channel for s in schedules]
    if len(set(channels)) != len(channels):
        raise ConfigError(f"{where}: a channel appears in more than one [[digests]] table; keep one per channel.")
    return schedules


def _alert_settings(alerts: Mapping[str, Any], rules: Mapping[str, bool],
                    thresholds: Mapping[str, Any]) -> AlertSettings:
    lines = dict(thresholds)
    if "move_points" in lines:  # written in points (3), kept as a ratio (0.03)
        lines["move_points"] = Decimal(str(lines["move_points"])) / 100
    return AlertSettings(
        channel=alerts.get("channel"), name=alerts.get("name"),
        rules=frozenset(r for r in (*RULES, "ledger_errors") if rules.get(r, True)),
        thresholds=Thresholds(**lines), cooldown_hours=alerts.get("cooldown_hours", 24.0))


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
    data: dict[str, Any] = {}
    if path is not None:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: no such config file; check --config or NRR_CONFIG.") from None
        except OSError as exc:
            raise ConfigError(f"{path}: cannot be read ({exc.strerror}).") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc}).") from None
        data = validate_config(raw, str(path))
    ledger, calendar, company, sheets, addon, slack, state, scheduler, alerts = (
        data.get(s, {}) for s in ("ledger", "calendar", "company", "sheets", "addon", "slack", "state",
                                  "scheduler", "alerts"))
    rules = data.get("alerts.rules", {})
    thresholds = data.get("alerts.thresholds", {})
    digests: list[DigestSchedule] = data.get("digests", [])
    if addon and not (addon.get("endpoint_url") and addon.get("service_account")):
        missing = "endpoint_url" if not addon.get("endpoint_url") else "service_account"
        raise ConfigError(f"{path}: [addon] needs {missing} too (the add-on is served when both "
                          "endpoint_url and service_account are set).")
    return Settings(
        ledger_source=ledger.get("source", DEFAULT_LEDGER),
        method=ledger.get("method", "chained"),
        timezone=calendar.get("timezone", "UTC"),
        fiscal_year_start=calendar.get("fiscal_year_start", 1),
        profile=Profile(
            segment=company.get("segment", "mid-market"),
            pricing_model=company.get("pricing_model"),
            stage=company.get("stage"),
            funding=company.get("funding", "vc"),
        ),
        currency=company.get("currency", "USD"),
        addon_endpoint_url=addon.get("endpoint_url"),
        addon_service_account=addon.get("service_account"),
        addon_certs_url=addon.get("certs_url", "https://www.googleapis.com/oauth2/v1/certs"),
        slack_enabled=slack.get("enabled", True),
        state_url=env.get("NRR_STATE_URL") or state.get("url", DEFAULT_STATE_URL),
        scheduler_enabled=scheduler.get("enabled", True),
        poll_minutes=scheduler.get("poll_minutes", 15),
        grace_days=scheduler.get("grace_days", 3),
        missing_month_wait_hours=scheduler.get("missing_month_wait_hours", 6),
        tick_seconds=scheduler.get("tick_seconds", 60),
        digests=tuple(digests),
        alerts=_alert_settings(alerts, rules, thresholds),
        sheets_cache_ttl=sheets.get("cache_ttl", 60.0),
        sheets_retry_budget=sheets.get("retry_budget", 20.0),
        config_path=path,
        base_dir=path.parent if path is not None else cwd,
    )


# --- secrets: from the environment only, read once where the process starts --------------------

SLACK_API_URL = "https://slack.com/api/"
SlackUse = Literal["events", "socket-mode", "posting"]
_SLACK_NEEDS: dict[SlackUse, tuple[tuple[str, str], ...]] = {
    "events": (("SLACK_BOT_TOKEN", "call the Slack Web API"),
               ("SLACK_SIGNING_SECRET", "verify that requests come from Slack")),
    "socket-mode": (("SLACK_BOT_TOKEN", "call the Slack Web API"), ("SLACK_APP_TOKEN", "connect in Socket Mode")),
    "posting": (("SLACK_BOT_TOKEN", "post digests and alerts"),),
}


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
        if not env.get(name):
            raise ConfigError(missing_secret(name, purpose))
    api_url = env.get("SLACK_API_URL") or SLACK_API_URL
    return SlackSecrets(env["SLACK_BOT_TOKEN"], env.get("SLACK_SIGNING_SECRET") if use == "events" else None,
                        env.get("SLACK_APP_TOKEN"), api_url if api_url.endswith("/") else api_url + "/")
