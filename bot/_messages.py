"""Every sentence the Slack bot says, in one place (tests assert them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import engine

HELP_EXAMPLES = ("/nrr", "/nrr last-quarter", "/nrr ttm grr", "/nrr Q3 2026 compare", "/nrr 2026-03",
                 "/nrr FY2027 method=sum", "/nrr 2026-01..2026-06")
CUSTOMER_EXAMPLES = ("/nrr movers Q2 2026", "/nrr who churned last-quarter", "/nrr top expansion ytd",
                     "/nrr ttm by segment", "/nrr enterprise ttm")


#: the options a /nrr question takes besides its period and segment: one list, for every message that names them
OPTIONS = "grr, compare or method=sum / method=chained / method=cohort"


def unknown_option(word: str) -> str:
    return f"'{word}' is not an option I know: use {OPTIONS}."


def column_equals(word: str) -> str:
    """``plan=``, ``=Pro`` or ``method = sum``: an ``=`` without a name or a value beside it."""
    return (f"'{word}' needs a name and a value on either side of '=', with no space: `method=sum`, or on a "
            "customer table a segment as `plan=Pro` (or its value alone, `/nrr ttm enterprise`); the options are "
            f"{OPTIONS}.")


def value_in_two_columns(value: str, columns: Sequence[str]) -> str:
    """A segment's value that two attribute columns hold: which column is meant."""
    asks = " or ".join(f"`/nrr {c.lower()}={value} ttm`" for c in columns)  # a column of spaces: as written
    return f"`{value}` is in {engine.and_list([f'`{c}`' for c in columns])}: say which, such as {asks}."


def help_text(periods: Sequence[str]) -> str:
    return (
        "*/nrr [PERIOD] [grr] [compare] [method=sum]*: Net Revenue Retention from the ledger.\n"
        f"Periods: {', '.join(f'`{p}`' for p in periods)}.\n"
        "`/nrr` alone answers the last closed month and the trailing 12 months. `grr` leads with "
        "GRR, `compare` sets the period beside the one before it, `method=sum` sums a span's "
        "movements over its first Start (for ledgers of true cohort totals).\n"
        f"Examples: {', '.join(f'`{e}`' for e in HELP_EXAMPLES)}.\n"
        "*With a customer table* (one MRR per customer per month) every figure is the cohort's, with logo "
        "retention: `movers` lists who churned, contracted and expanded (`who churned`, `top expansion` for "
        "one kind; `top 10` for more), `by COLUMN` splits by any attribute column, a segment's value "
        "(`enterprise`, or `plan=Pro` naming its column) answers for that segment alone, and `cohorts` answers NRR "
        "by acquisition quarter. "
        "`forecast [12 months] [target $2M by Dec 2027]` projects what today's customers will pay.\n"
        f"Examples: {', '.join(f'`{e}`' for e in CUSTOMER_EXAMPLES)}.\n"
        f"{SETUP_HELP}"
    )


def by_needs_column() -> str:
    return "`by` needs a column after it, such as `/nrr ttm by segment`."


def blocks_left_out(count: int) -> str:
    return (f"…and {count} more part{'s' if count > 1 else ''} of this answer, past what one Slack message holds: "
            "`nrr report` in a terminal (or its `--json`) shows it all.")


def where_needs_segment() -> str:
    return "`where` needs a segment after it, such as `/nrr ttm where plan=Pro` (or `/nrr ttm where Enterprise`)."


def two_segments(values: list[str]) -> str:
    shown = " and ".join(f"`{v}`" for v in values)
    return f"{shown} are two segments; ask for one at a time, such as `/nrr {values[0]} last-quarter`."


def top_range(asked: str, most: int) -> str:
    return f"`top {asked}`: movers are shown from 1 to {most} of each kind, such as `/nrr top 10 movers ttm`."


def by_twice(first: str, second: str) -> str:
    return (f"`by` is given twice (`{first}`, `{second}`); a report answers by one column, such as "
            f"`/nrr ttm by {first}`.")


def cohorts_take_no_more(words: str) -> str:
    return (f"`/nrr cohorts` answers for the whole table, by acquisition quarter, as of the latest closed month: it "
            f"takes no `{words}`. In a terminal, `nrr cohorts --by month` gives months.")


def needs_customer_table(words: str) -> str:
    return engine.needs_customer_table(words, "See the README's Customer tables.")


def needs_cohort_method(words: str, configured: str | None = None) -> str:
    """``configured``: nrr.toml's method, when the question gave none."""
    if configured is not None:
        return engine.needs_cohort_method(words, "ask with `method=cohort`", configured)
    return engine.needs_cohort_method(words, "ask again without `method=sum` or `method=chained`")


def period_not_covered(message: str, first: str, last: str, what: str = "ledger") -> str:
    return f"{message} The {what} covers {first} to {last}."


def invalid_ledger(count: int) -> str:
    return f"The ledger has {count} problem(s) to fix before I can answer:"


def more_problems(count: int) -> str:
    return f"...and {count} more. Run `nrr validate` or open the sheet's NRR panel for all of them."


def internal_error(ref: str) -> str:
    return (
        f"Something went wrong on my side (ref `{ref}`), and it has been logged. Try again in a "
        "minute; if it keeps happening, share the ref with whoever runs nrr."
    )


def shared_by(user: str) -> str:
    return f"Shared by <@{user}>"



def ledger_changed_since(query: str) -> str:
    q = f" {query}" if query.strip() else ""
    return f"the ledger has changed since; `/nrr{q}` gives today's figures"


def answer_gone() -> str:
    return "I no longer have that answer to share; ask again with /nrr and share the new one."


# --- changing the setup from Slack ------------------------------------------------------------

SETUP_HELP = (
    "*Set nrr up from here* (workspace admins and owners, and the people in `[slack] admins`):\n"
    "`/nrr connect <Google Sheet URL | gsheet:ID/TAB>` points the workspace at a ledger; `/nrr connect` shows it.\n"
    "`/nrr subscribe [#channel] [day N] [at HH:MM] [in Area/City]` adds a monthly digest; "
    "`/nrr subscriptions` lists them; `/nrr unsubscribe [#channel]` removes one.\n"
    "`/nrr alerts here|off` sets where alerts go; `/nrr alert <rule> on|off` and `/nrr alert <line> <value>` "
    "(e.g. `/nrr alert grr_concerning 85`) change the rules and lines."
)


def not_allowed(names: str) -> str:
    return f"Only {names} can change nrr's setup. Nothing changed; ask one of them."


def admins_named(ids: list[str]) -> str:
    named = [f"<@{i}>" if i.startswith("U") else f"<!subteam^{i}>" for i in ids]
    return "workspace admins and owners" + (f" (and {', '.join(named)}, from `[slack] admins`)" if named else "")


def other_workspace() -> str:
    return ("This command came from another Slack workspace than the one nrr is installed in, and nrr's setup "
            "is changed only from its own. Nothing changed.")


def workspace_unknown() -> str:
    return ("I could not ask Slack which workspace I am installed in (auth.test failed), so I cannot check who "
            "you are. Nothing changed; try again in a minute.")


def who_unknown(why: str) -> str:
    """Slack did not say who typed the command (users.info or usergroups.users.list failed, or was out of reach):
    not "not allowed", which would tell an admin they are not one."""
    return (f"Slack could not tell me who you are just now ({why}), so I cannot check that you may change nrr's "
            "setup. Nothing changed; try again in a minute.")


def channel_unknown(label: str, why: str) -> str:
    """Slack did not say whether the bot can post in ``label`` (conversations.info or .join failed, or was out of
    reach): not "invite me", which may be wrong."""
    return (f"Slack could not tell me whether I can post in {label} just now ({why}). Nothing changed; try again in "
            "a minute.")


#: why Slack did not answer, when slack_sdk raised an OSError (a refused, reset or timed-out connection)
UNREACHABLE = "Slack's Web API could not be reached"


def failed(method: str) -> str:
    return f"{method} failed"


def only_sheets(spec: str) -> str:
    return (f"`{spec}` is not a Google Sheet. From Slack, nrr connects only Google Sheets: paste the sheet's "
            "URL (https://docs.google.com/spreadsheets/d/...) or `gsheet:ID/TAB`. Files on the server are set in "
            "nrr.toml by whoever runs nrr. Nothing changed.")


def share_with(email: str) -> str:
    return f"I cannot read that sheet yet. Share it with {email} as Viewer, then run the same /nrr connect again."


def connected(spec: str, found: str) -> str:
    return f"Connected the workspace to {spec}. {found} Answers, digests and alerts now read it."


def stripe_found(account: str | None, mode: str, invoices: int, customers: int, first: str | None, last: str | None,
                 months: int) -> str:
    """What ``/nrr connect stripe`` found: the account, the key's mode, what was read, the months it covers."""
    name = f"Stripe account {account}" if account else "The Stripe account (the key may not read its name)"
    span = f"{first} to {last} ({months} month{'' if months == 1 else 's'})" if first and last else "no month yet"
    return (f"{name}, {mode} mode: {invoices:,} invoice{'' if invoices == 1 else 's'}, {customers:,} "
            f"customer{'' if customers == 1 else 's'}, {span}.")


def pinned_by_command_line() -> str:
    return ("But this instance of nrr was started with --ledger, which wins over the connection until it is "
            "restarted without it.")


def reads_command_line_ledger(kind: str, connection: str | None) -> str:
    """What ``/nrr connect`` alone says of an instance started with ``--ledger``: what it reads, and the
    connection that waits (fuzz 17: "But this instance..." alone, naming neither)."""
    waiting = (f" The workspace's connection ({connection}) is read once it is restarted without it."
               if connection else " `/nrr connect <Google Sheet URL>` is kept for when it is restarted without it.")
    return (f"This instance of nrr was started with --ledger, and reads what it names ({kind}) whatever is "
            f"connected.{waiting}")


def connection_now(spec: str, by: str, at: str, found: str) -> str:
    return f"The workspace reads {spec}, connected by <@{by}> on {at}. When connected: {found}"


def connection_from_file(kind: str) -> str:
    return (f"The workspace reads the ledger set in nrr.toml ({kind}). `/nrr connect <Google Sheet URL>` "
            "points it at a sheet instead.")


def sheet_found(tab: str, months: int, first: str, last: str, warnings: int, customers: int | None = None) -> str:
    """What a connected tab holds: a seven-column ledger, or (``customers``) a customer table."""
    kind = ("a monthly ledger (the NRR template)" if customers is None
            else f"a customer table, {customers} customer{'s' if customers != 1 else ''}")
    return (f"Tab '{tab}': {kind}, {months} month{'s' if months != 1 else ''} "
            f"from {first} to {last}; the latest month is {last}; {warnings} warning(s).")


def sheet_unreadable(tab: str, errors: int) -> str:
    return (f"Tab '{tab}' has {errors} error(s), so I cannot read a ledger from it yet; the first is below. Fix "
            "them and connect again.")


def invite_first(label: str) -> str:
    return (f"I am not in {label}, so I could not post there. Invite me first (`/invite @nrr` in {label}), then "
            "run the same command again. Nothing changed.")


def not_a_channel() -> str:
    return ("Digests and alerts go to channels, not direct messages: run the command in the channel, or name it "
            "(`/nrr subscribe #revenue`). Nothing changed.")


def cannot_see_channel() -> str:
    return ("I cannot see that channel (it may be private, or archived). Invite me there first (`/invite @nrr`), "
            "then run the same command again. Nothing changed.")


def subscribed(label: str, day: int, time: str, tz: str, tz_from: str, next_run: str) -> str:
    return (f"Subscribed {label}: the NRR digest for each month, on day {day} at {time} {tz} ({tz_from}). "
            f"Next: {next_run}.")


def from_file_read_only(label: str) -> str:
    return f"{label}'s digest is set in nrr.toml, so it is changed there, not from Slack. Nothing changed."


def unsubscribed(label: str) -> str:
    return f"Unsubscribed {label}: no more monthly digests there."


def no_subscription(label: str) -> str:
    return f"There is no digest set up from Slack for {label}. Nothing changed."


def alerts_here(label: str) -> str:
    return f"Alerts now go to {label}."


def alerts_off() -> str:
    return "Alerts are off. `/nrr alerts here` turns them on in a channel."


def rule_set(rule: str, on: bool) -> str:
    return f"The `{rule}` alert is {'on' if on else 'off'}."


def rule_needs_switch(rule: str, on: bool) -> str:
    """``/nrr alert <rule>`` without ``on`` or ``off``: whether it is on, and how to change it."""
    return (f"The `{rule}` alert is {'on' if on else 'off'} now: `/nrr alert {rule} on` turns it on, "
            f"`/nrr alert {rule} off` off.")


def one_channel_at_a_time(command: str, first: str, second: str) -> str:
    return f"`/nrr {command}` takes one channel at a time: run it for {first}, then again for {second}."


def line_set(line: str, shown: str) -> str:
    return f"The `{line}` line is now {shown}."


def bad_setup(message: str) -> str:
    return f"{message} Nothing changed.\n{SETUP_HELP}"


# Why a signed request from Slack was refused with 400 (logged, and the response's text).
NOT_UTF8 = "the body is not UTF-8"
NOT_JSON = "the body is not JSON"
NOT_AN_OBJECT = "the body is not a JSON object"
PAYLOAD_NOT_JSON = "its payload is not JSON"
PAYLOAD_NOT_AN_OBJECT = "its payload is not a JSON object"
NO_RESPONSE_URL = "a slash command without a response_url"
COMMAND_TEXT_NOT_TEXT = "a slash command whose text is not text"
SHARE_WITHOUT_RESPONSE_URL = "a Share click without a response_url"


def field_not_text(field: str) -> str:
    return f"a slash command whose {field} is not text"


def unreadable(error: Exception) -> str:
    return f"a field is not of the shape Slack sends ({type(error).__name__}: {str(error)[:200]})"


def unhandled(body: dict[str, Any]) -> str:
    """What a signed request asked that nrr has no answer for: ``the command /revenue``, ``the action x``."""
    if command := body.get("command"):
        return f"nrr answers /nrr, not the command {str(command)[:40]}"
    actions = body.get("actions")
    if isinstance(actions, list) and actions and isinstance(actions[0], dict):
        return f"nrr has no button {str(actions[0].get('action_id', ''))[:60]!r}"
    event = body.get("event")
    if isinstance(event, dict):
        return f"nrr does not take the event {str(event.get('type', ''))[:40]!r}"
    if kind := body.get("type"):
        return f"nrr has nothing that takes a request of type {str(kind)[:40]!r}"
    return "it holds no command, button or event"


def events_rate_limited(team: str, minute: str) -> str:
    """Slack's ``app_rate_limited`` callback, for the log: no request to answer, but worth knowing."""
    return (f"Slack says it is rate-limiting (or has disabled) nrr's event subscriptions for workspace {team} from "
            f"{minute} (app_rate_limited)")


def api_unreachable(error: Exception) -> str:
    return (f"nrr could not reach Slack's Web API to authorize this request ({type(error).__name__}: "
            f"{str(error)[:200]}); check SLACK_API_URL and the network, then ask again.")


def unusable_request(reason: str) -> str:
    return f"Slack's request could not be used: {reason}."


def busy() -> str:
    return "nrr is answering many questions at the moment; ask again in a minute."


def forecast_months(word: str) -> str:
    return f"`/nrr forecast` projects 1 to 120 months ahead, not {word}: try `/nrr forecast 12 months`."


def forecast_target_syntax() -> str:
    return "A target needs an amount and a month: `/nrr forecast target $2M by Dec 2027`."


def forecast_syntax(words: str) -> str:
    return (f"'{words}' is not part of a forecast I know: `/nrr forecast [12 months] [target $2M by Dec 2027]`.")


def forecast_target_month(words: str) -> str:
    return f"'{words}' is not a month such as Dec 2027 or 2027-12."


def forecast_needs_table() -> str:
    return engine.forecast_needs_customers("Connect a customer tab (`/nrr connect`): see the README's Customer tables.")


def forecast_more() -> str:
    return "Today's customers only, no new business. `/nrr forecast` for the months, the method and the band."
