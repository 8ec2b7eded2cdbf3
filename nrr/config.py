"""Settings: built once at start-up from nrr.toml and the environment, then passed down.

The config file is found at ``--config``, else ``$NRR_CONFIG``, else ``./nrr.toml`` if present;
without one every key takes its documented default. Unknown sections or keys and bad values
fail at once with a message naming them. Secrets never live here: they come from the
environment, read where they are used.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from engine import METHODS, Method, Month, Profile
from engine._benchmarks import FUNDINGS, PRICING_MODELS, SEGMENTS, STAGES
from engine._month import MONTH_NAMES
from nrr._errors import ConfigError

DEFAULT_CONFIG_NAME = "nrr.toml"
DEFAULT_LEDGER = "ledger.csv"


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
}


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
    clean: dict[str, dict[str, Any]] = {}
    for section, table in data.items():
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
    data: dict[str, dict[str, Any]] = {}
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
    ledger, calendar, company, sheets, addon, slack = (
        data.get(s, {}) for s in ("ledger", "calendar", "company", "sheets", "addon", "slack"))
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
        sheets_cache_ttl=sheets.get("cache_ttl", 60.0),
        sheets_retry_budget=sheets.get("retry_budget", 20.0),
        config_path=path,
        base_dir=path.parent if path is not None else cwd,
    )
