"""``nrr doctor``: what is wrong with this installation, one line per check, each failing line with its fix.

It reads the config, the ledger (and says with which account), checks the Stripe key, asks Slack about the token, its
scopes and every digest and alert channel, opens the state database and checks its schema, lists
each digest's next run on its channel's clock, and checks the add-on's settings. Nothing is changed
or posted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

from bot import Finding
from engine import NrrError, months, redact_url
from nrr.config import Settings, slack_secret, slack_secrets
from nrr.runtime import Runtime
from sheets import is_sheet_spec
from stripe_source import is_stripe_spec
from warehouse import is_warehouse_spec


def diagnose(load: Callable[[], Settings], env: Mapping[str, str], clock: Callable[[], dt.datetime],
             explicit_ledger: str | None = None) -> list[Finding]:
    """Every check, in order; ``load`` builds the settings (its failure is the first finding)."""
    try:
        settings = load()
    except NrrError as exc:
        return [Finding("config", False, str(exc), "fix nrr.toml as the message says")]
    found = [Finding("config", True, f"{settings.config_path} parses" if settings.config_path
                     else "no nrr.toml found: every key takes its default")]
    runtime = Runtime(_file=settings, env=env, clock=clock, explicit_ledger=explicit_ledger)
    found.append(_state(runtime, settings.state.url))  # nrr.toml's: reading the setup would open (and upgrade) it
    if not found[-1].ok:  # the setup made from Slack lives there: go on with nrr.toml's alone
        runtime = _without_state(runtime)
    found.append(_ledger(runtime))
    found += _stripe(runtime)
    found += _slack(runtime)
    found += _next_runs(runtime)
    found.append(_addon(settings))
    return found


def _state(runtime: Runtime, url: str) -> Finding:
    from nrr.state import SCHEMA_VERSION, StateStore

    if not runtime.state_exists():
        # a SQLite file is created on first use, but not its directory: digest and scheduler then cannot open it
        folder = Path(url.removeprefix("sqlite:///").split("?")[0]).parent
        if not folder.is_dir():
            what = "does not exist" if not folder.exists() else "is not a directory"
            return Finding("state database", False, f"{redact_url(url)}: the directory {folder} {what}, so the "
                           "database cannot be created there", "create the directory, or set [state] url or "
                           "NRR_STATE_URL to a path in one that exists")
        return Finding("state database", True, f"none yet at {redact_url(url)}: it is created on first "
                                               "use (nrr serve, nrr digest)")
    try:
        store = StateStore(url, upgrade=False)  # look, change nothing
        version = store.schema_version()
        store.close()
    except NrrError as exc:
        return Finding("state database", False, str(exc), "set [state] url or NRR_STATE_URL to a database nrr can open")
    if version != SCHEMA_VERSION:
        return Finding("state database", False, f"schema {version}, nrr needs {SCHEMA_VERSION}",
                       "restart nrr once with this version so it upgrades the schema")
    return Finding("state database", True, f"reachable, schema {version}")


def _without_state(runtime: Runtime) -> Runtime:
    """A runtime that reads nrr.toml's settings only (the state database is out of reach)."""
    return replace(runtime, setup_from_state=False)


def _ledger(runtime: Runtime) -> Finding:
    spec = runtime.ledger_spec
    if is_stripe_spec(spec):  # doctor changes nothing: Stripe's own line checks the key
        return Finding("ledger", True, "Stripe (STRIPE_API_KEY), synced into the state database")
    try:
        source = runtime.source()
        check = source.read_cells().check
    except NrrError as exc:
        return Finding("ledger", False, str(exc), "the message says what to do")
    account = "nrr's own process (a file)"
    if is_sheet_spec(spec):
        account = runtime.sheets_client().email
    elif is_warehouse_spec(spec) or spec.startswith("env:"):  # a table answered in its database
        account = "its database (answered in SQL)"
    ledger = check.ledger
    if ledger is None or ledger.last_month is None:
        return Finding("ledger", False, f"{source.name} read by {account}: {len(check.errors)} error(s)",
                       "run nrr validate to see them by cell, and fix them")
    # a customer table's own months, as nrr validate counts them (its derived ledger has one fewer)
    count = ledger.customers.count if ledger.customers is not None else len(ledger)
    return Finding("ledger", True, f"{source.name} read by {account}: {months(count)}, latest "
                                   f"{ledger.last_month.name}, {len(check.warnings)} warning(s)")


def _stripe(runtime: Runtime) -> list[Finding]:
    """The key's mode and that it reads invoices and customers (two requests; nothing synced or kept), when
    Stripe is the ledger or a key is set."""
    if not (is_stripe_spec(runtime.ledger_spec) or runtime.env.get("STRIPE_API_KEY")):
        return []
    from stripe_source import key_reads

    try:
        api = runtime.stripe_api()
        api.probe()
    except NrrError as exc:
        return [Finding("stripe", False, str(exc))]
    return [Finding("stripe", True, key_reads(api.restricted, api.mode))]


def _slack(runtime: Runtime) -> list[Finding]:
    settings, env = runtime.settings, runtime.env
    if not settings.slack.enabled:
        return [Finding("slack", True, "off ([slack] enabled = false)")]
    found = []
    channels = [(d.channel, d.label) for d in settings.digests]
    if settings.alerts.channel and settings.alerts.channel not in {c for c, _ in channels}:
        channels.append((settings.alerts.channel, settings.alerts.label))
    if not channels and not any(env.get(v) for v in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN")):
        # nothing to post and nothing set: someone using nrr in the terminal alone, for whom this is no failure
        return [Finding("slack", True, "not set up (no SLACK_BOT_TOKEN and no [[digests]] or [alerts] channel)")]
    try:
        secrets = slack_secrets(env, "posting")
    except NrrError as exc:
        return [Finding("slack token", False, str(exc), "set SLACK_BOT_TOKEN to the app's bot token (xoxb-...)")]
    try:
        has_events = bool(slack_secret(env, "SLACK_SIGNING_SECRET") or slack_secret(env, "SLACK_APP_TOKEN"))
    except NrrError as exc:
        return [Finding("slack secrets", False, str(exc), "")]
    found.append(Finding("slack secrets", has_events, "SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is set" if has_events
                         else "neither SLACK_SIGNING_SECRET nor SLACK_APP_TOKEN is set",
                         "" if has_events else "set SLACK_SIGNING_SECRET (HTTP) or SLACK_APP_TOKEN (Socket Mode)"))
    from slack_sdk import WebClient

    from bot import check_slack

    return found + check_slack(WebClient(token=secrets.bot_token, base_url=secrets.api_url), channels)


def _next_runs(runtime: Runtime) -> list[Finding]:
    now = runtime.clock()
    found = []
    for d in runtime.settings.digests:
        local = d.next_run(now).astimezone(ZoneInfo(d.timezone))
        found.append(Finding(f"digest {d.label}", True,
                             f"next {local:%a} {local.day} {local:%b %Y, %H:%M} {local.tzname()} ({d.timezone})"))
    return found


def _addon(settings: Settings) -> Finding:
    addon = settings.addon
    if not addon.enabled:
        return Finding("add-on", True, "not configured: [addon] endpoint_url and service_account are unset, so "
                                       "the add-on is not served")
    return Finding("add-on", True, f"audience {addon.endpoint_url}, service account {addon.service_account}")


def render(findings: list[Finding]) -> list[str]:
    return [f"{'ok' if f.ok else 'FAIL':<4} {f.check}: {f.detail}" + (f" -> fix: {f.fix}" if f.fix else "")
            for f in findings]
