"""Setting nrr up from Slack, through the real Bolt app over HTTP against the Slack and Google fakes:
/nrr connect, subscribe, subscriptions, unsubscribe, alerts. Every refusal changes nothing."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from nrr.config import DigestSchedule, LedgerSettings, Settings, SlackSettings, StateSettings
from nrr.runtime import Runtime
from nrr.server import build_server
from tests.fakes.google_api import SERVICE_ACCOUNT, FakeGoogle
from tests.fakes.servers import serve
from tests.fakes.slack_api import FakeSlack
from tests.helpers import EXAMPLE_LEDGER
from tests.test_bot import NOW, Stack, slack_env

SHEET = "1SetupSheet0000000000000"
ADMIN, MEMBER, GROUPIE = "U0ADMIN", "U0ANA", "U0GROUP"


@dataclass
class World:
    stack: Stack
    google: FakeGoogle
    runtime: Runtime

    def say(self, text: str, user: str = ADMIN, channel: str = "C0REVENUE", team: str = "T0ACME") -> str:
        self.stack.sent += 1
        name = f"setup{self.stack.sent}"
        body = {"token": "legacy", "team_id": team, "team_domain": "acme", "channel_id": channel,
                "channel_name": "revenue", "user_id": user, "user_name": "someone", "command": "/nrr",
                "text": text, "api_app_id": "A0NRR", "response_url": self.stack.slack.response_url(name),
                "trigger_id": "1.2.3"}
        from urllib.parse import urlencode

        assert self.stack.post(urlencode(body)).status_code == 200
        answer = self.stack.answer(f"/response/{name}")
        return str(answer["text"])

    def changes(self) -> list[str]:
        workspace = self.runtime.workspace(create=False)
        return [f"{c.user} {c.action}" for c in workspace.changes()] if workspace else []


class PartlyUnreachable(FakeSlack):
    """The Slack fake, with the methods in ``unreachable`` out of reach: their connection is closed unanswered, as
    a network failure closes it (slack_sdk raises an ``OSError``, not a ``SlackApiError``)."""

    def __init__(self) -> None:
        self.unreachable: set[str] = set()
        super().__init__()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake, answered = self, super()._handler()

        class Handler(answered):  # type: ignore[valid-type,misc]  # a class made at run time, as the fake makes it
            def do_POST(self) -> None:
                if urlsplit(self.path).path.removeprefix("/api/") in fake.unreachable:
                    self.close_connection = True
                    return
                super().do_POST()

        return Handler


@contextmanager
def setup_world(tmp_path: Path, admins: tuple[str, ...] = ("S0FINANCE",), google_key: bool = True) -> Iterator[World]:
    """The app serving the example ledger, with ``admins`` in ``[slack] admins`` and, with ``google_key``, a key
    for the Google fake."""
    with EXAMPLE_LEDGER.open() as f:
        rows: list[list[Any]] = [list(r) for r in csv.reader(f)]
    with PartlyUnreachable() as slack, FakeGoogle() as google:
        slack.users = {ADMIN: {"is_admin": True, "tz": "Asia/Tokyo"}, MEMBER: {"tz": "Europe/Paris"},
                       GROUPIE: {"tz": "UTC"}}
        slack.usergroups = {"S0FINANCE": [GROUPIE]}
        google.add_spreadsheet(SHEET, {"Ledger": rows})
        key = {"GOOGLE_SERVICE_ACCOUNT_JSON": json.dumps(google.key_info())} if google_key else {}
        env = slack_env(slack, SHEETS_API_URL=google.url, **key)
        settings = Settings(ledger=LedgerSettings(source=str(EXAMPLE_LEDGER)),
                            slack=SlackSettings(admins=admins),
                            state=StateSettings(f"sqlite:///{tmp_path / 'state.db'}"),
                            digests=(DigestSchedule(channel="C0FROMTOML", name="board"),))
        runtime = Runtime(_file=settings, env=env, clock=lambda: NOW)
        with serve(build_server(runtime).app) as url:
            yield World(Stack(slack, url, runtime), google, runtime)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with setup_world(tmp_path) as made:
        yield made


def unreachable(world: World) -> set[str]:
    """The Slack methods ``world``'s fake leaves unanswered (add one to take it out of reach)."""
    assert isinstance(world.stack.slack, PartlyUnreachable)
    return world.stack.slack.unreachable


def test_an_admin_connects_a_google_sheet_and_answers_read_it(world: World) -> None:
    answer = world.say(f"connect <https://docs.google.com/spreadsheets/d/{SHEET}/edit#gid=0>")
    assert answer == (
        f"Connected the workspace to https://docs.google.com/spreadsheets/d/{SHEET}/edit#gid=0. Tab 'Ledger': a "
        "monthly ledger (the NRR template), 34 months from January 2024 to October 2026; the latest month is "
        "October 2026; 0 warning(s). Answers, digests and alerts now read it.")
    assert world.runtime.ledger_spec == f"https://docs.google.com/spreadsheets/d/{SHEET}/edit#gid=0"
    reads = world.google.reads()
    assert world.say("last-quarter").startswith("Q3 2026: NRR 98.7%")
    assert world.google.reads() == reads  # the sheet, from the cache the connect filled
    assert world.say("connect").startswith(f"The workspace reads https://docs.google.com/spreadsheets/d/{SHEET}/"
                                           "edit#gid=0, connected by <@U0ADMIN> on 2026-11-05.")
    assert world.changes() == ["U0ADMIN connect"]


def test_a_customer_tab_is_said_to_be_a_customer_table(world: World) -> None:
    """A fresh-eyes try: a customer tab was "a monthly ledger (the NRR template), 21 months from February 2025",
    where answers say the table covers January 2025 to October 2026."""
    with (EXAMPLE_LEDGER.parent / "customers.csv").open() as f:
        world.google.add_spreadsheet("1CustomerTab000000000000", {"Customers": [list(r) for r in csv.reader(f)]})
    answer = world.say("connect gsheet:1CustomerTab000000000000/Customers")
    assert "Tab 'Customers': a customer table, 40 customers, 22 months from January 2025 to October 2026; the " \
           "latest month is October 2026" in answer, answer


def test_a_sheet_not_shared_gets_the_exact_fix(world: World) -> None:
    world.google.add_spreadsheet("1NotShared00000000000000", {"Ledger": [["Month"]]}).shared_with = set()
    assert world.say("connect gsheet:1NotShared00000000000000/Ledger") == (
        f"I cannot read that sheet yet. Share it with {SERVICE_ACCOUNT} as Viewer, then run the same /nrr connect "
        "again.")
    assert world.runtime.workspace(create=False) is None or world.changes() == []


def test_a_non_admin_is_told_who_can_and_nothing_changes(world: World) -> None:
    before = world.google.reads()
    answer = world.say(f"connect gsheet:{SHEET}/Ledger", user=MEMBER)
    assert answer == ("Only workspace admins and owners (and <!subteam^S0FINANCE>, from `[slack] admins`) can "
                      "change nrr's setup. Nothing changed; ask one of them.")
    assert world.say("subscribe", user=MEMBER).startswith("Only workspace admins and owners")
    assert world.say("alerts off", user=MEMBER).startswith("Only workspace admins and owners")
    assert world.google.reads() == before and world.changes() == []
    assert world.runtime.ledger_spec == str(EXAMPLE_LEDGER)


def test_a_user_group_id_sent_as_the_user_is_not_an_admin(world: World) -> None:
    answer = world.say("alerts here", user="S0FINANCE")  # the group named in [slack] admins, not a person
    assert answer.startswith("Only workspace admins and owners")
    assert world.changes() == []


def test_a_command_from_another_workspace_changes_nothing_even_with_an_admins_id(world: World) -> None:
    assert world.say("alerts here", team="T0OTHER") == (
        "This command came from another Slack workspace than the one nrr is installed in, and nrr's setup is "
        "changed only from its own. Nothing changed.")
    assert world.changes() == []
    asked = world.stack.slack.counts["auth.test"]  # Bolt asks too, once
    assert world.say("alerts here") == "Alerts now go to <#C0REVENUE>."
    assert world.say("alerts off").startswith("Alerts are off.")
    workspace = world.runtime.workspace(create=False)
    assert workspace is not None and [c.team for c in workspace.changes()] == ["T0ACME", "T0ACME"]
    assert world.stack.slack.counts["auth.test"] == asked  # the bot's workspace is asked once


@pytest.mark.parametrize(("typed", "kept"), [
    (f"https://docs.google.com/spreadsheets/d/{SHEET}@evil.example/x", f"https://docs.google.com/spreadsheets/d/{SHEET}"),
    (f"https://docs.google.com/spreadsheets/d/{SHEET}/../../etc/passwd",
     f"https://docs.google.com/spreadsheets/d/{SHEET}"),
    (f"http://docs.google.com/spreadsheets/d/{SHEET}/edit", f"https://docs.google.com/spreadsheets/d/{SHEET}"),
    (f"<https://docs.google.com/spreadsheets/d/{SHEET}/edit?usp=sharing|our ledger>",
     f"https://docs.google.com/spreadsheets/d/{SHEET}"),
    (f"https://docs.google.com/spreadsheets/d/{SHEET}/edit?x=1#gid=0",
     f"https://docs.google.com/spreadsheets/d/{SHEET}/edit#gid=0"),
    (f"gsheet:{SHEET}/Ledger", f"gsheet:{SHEET}/Ledger"),
    # signed into several Google accounts (a fresh-eyes try: refused as "not a Google Sheet")
    (f"https://docs.google.com/spreadsheets/u/1/d/{SHEET}/edit#gid=0",
     f"https://docs.google.com/spreadsheets/d/{SHEET}/edit#gid=0"),
])
def test_connect_keeps_and_shows_the_sheet_in_its_canonical_form(world: World, typed: str, kept: str) -> None:
    assert world.say(f"connect {typed}").startswith(f"Connected the workspace to {kept}. Tab 'Ledger'")
    assert world.runtime.ledger_spec == kept


@pytest.mark.parametrize("typed", [f"https://docs.google.com:8443/spreadsheets/d/{SHEET}",
                                   f"https://someone@docs.google.com/spreadsheets/d/{SHEET}",
                                   f"ftp://docs.google.com/spreadsheets/d/{SHEET}"])
def test_connect_refuses_a_sheet_url_on_another_host_or_port(world: World, typed: str) -> None:
    assert "is not a Google Sheet" in world.say(f"connect {typed}")
    assert world.changes() == [] and world.google.sheets_calls() == 0


def test_many_angle_brackets_are_refused_in_linear_time(world: World) -> None:
    import time

    start = time.perf_counter()
    answer = world.say("connect " + "<" * 16_000)
    assert time.perf_counter() - start < 1.0  # 6.2 s when the link pattern backtracked over every "<"
    assert "is not a Google Sheet" in answer and world.changes() == []


def test_a_member_of_an_admin_group_may_change_it(world: World) -> None:
    assert world.say("alerts here", user=GROUPIE) == "Alerts now go to <#C0REVENUE>."
    assert world.changes() == ["U0GROUP alerts"]


@pytest.mark.parametrize("spec", ["/etc/passwd", "examples/ledger.csv", "ledger.xlsx#Ledger",
                                  "https://evil.example/ledger.csv", "<https://evil.example|docs.google.com>",
                                  "file:///etc/nrr/nrr.toml", "postgresql://nrr@127.0.0.1:55432/postgres#public.mrr",
                                  "postgresql+psycopg://nrr@db:5432/a#mrr", "mrr.parquet", "warehouse.duckdb#mrr",
                                  "bigquery://project/dataset#mrr", "snowflake://nrr@account/db/schema#mrr"])
def test_only_google_sheets_can_be_connected_from_slack(world: World, spec: str) -> None:
    answer = world.say(f"connect {spec}")
    assert "is not a Google Sheet. From Slack, nrr connects only Google Sheets" in answer
    assert answer.endswith("Nothing changed.")
    assert world.changes() == [] and world.runtime.ledger_spec == str(EXAMPLE_LEDGER)
    assert world.google.sheets_calls() == 0


def test_subscribe_defaults_to_here_the_2nd_at_9_in_the_callers_time_zone(world: World) -> None:
    answer = world.say("subscribe")
    assert answer == ("Subscribed <#C0REVENUE>: the NRR digest for each month, on day 2 at 09:00 Asia/Tokyo (your "
                      "time zone in Slack). Next: Wed 2 Dec 2026, 09:00 JST.")
    (made,) = [d for d in world.runtime.settings.digests if d.channel == "C0REVENUE"]
    assert (made.day, made.time, made.timezone) == (2, dt.time(9, 0), "Asia/Tokyo")
    assert world.changes() == ["U0ADMIN subscribe"]


def test_subscribe_with_every_option_and_the_scheduler_picks_it_up(world: World) -> None:
    from nrr.scheduling import DigestService
    from nrr.state import StateStore

    service = DigestService(world.runtime, StateStore(world.runtime.settings.state.url), None)
    assert [d.channel for d in service.refresh().digests] == ["C0FROMTOML"]
    answer = world.say("subscribe <#C0REVENUE1|revenue> day 5 at 8:30 in America/Los_Angeles")
    assert answer == ("Subscribed <#C0REVENUE1>: the NRR digest for each month, on day 5 at 08:30 America/Los_Angeles "
                      "(as given). Next: Thu 5 Nov 2026, 08:30 PST.")
    assert [d.channel for d in service.refresh().digests] == ["C0FROMTOML", "C0REVENUE1"]  # next tick, no restart
    assert world.say("unsubscribe <#C0REVENUE1|revenue>") == (
        "Unsubscribed <#C0REVENUE1>: no more monthly digests there.")
    assert [d.channel for d in service.refresh().digests] == ["C0FROMTOML"]


def test_a_subscription_is_never_saved_where_the_bot_cannot_post(world: World) -> None:
    world.stack.slack.private.add("G0SECRET")
    answer = world.say("subscribe <#G0SECRET|secret>")
    assert answer == ("I am not in <#G0SECRET>, so I could not post there. Invite me first (`/invite @nrr` in "
                      "<#G0SECRET>), then run the same command again. Nothing changed.")
    assert world.changes() == []
    # a public channel: the bot joins it (channels:join), then subscribes
    assert world.say("subscribe <#C0PUBLIC|general>").startswith("Subscribed <#C0PUBLIC>")
    assert world.stack.slack.counts["conversations.join"] == 1


def test_subscriptions_list_the_next_runs_and_what_comes_from_nrr_toml(world: World) -> None:
    world.say("subscribe day 3")
    lines = world.say("subscriptions").splitlines()
    assert lines == [
        "• <#C0FROMTOML>: day 2 at 09:00 UTC; next Wed 2 Dec 2026, 09:00 UTC; from nrr.toml (read-only here)",
        "• <#C0REVENUE>: day 3 at 09:00 Asia/Tokyo; next Thu 3 Dec 2026, 09:00 JST; set up by <@U0ADMIN> on "
        "2026-11-05",
        "Alerts are off. `/nrr alerts here` turns them on in a channel.",
    ]
    assert world.say("unsubscribe <#C0FROMTOML|board>") == (
        "<#C0FROMTOML>'s digest is set in nrr.toml, so it is changed there, not from Slack. Nothing changed.")


def test_alerts_here_off_and_their_lines(world: World) -> None:
    assert world.say("alerts here") == "Alerts now go to <#C0REVENUE>."
    assert world.runtime.settings.alerts.channel == "C0REVENUE"
    assert world.say("alert grr below 90") == "The `grr_concerning` line is now 90%."
    assert world.say("alert nrr below 100 off") == "The `nrr_below_100` alert is off."
    alerts = world.runtime.settings.alerts
    assert str(alerts.thresholds.grr_concerning) == "0.9" and "nrr_below_100" not in alerts.rules
    assert world.say("alert banana 3").startswith("`banana 3` is not an alert I know.")
    assert world.say("alerts off") == "Alerts are off. `/nrr alerts here` turns them on in a channel."
    assert world.runtime.settings.alerts.channel is None
    assert world.changes() == ["U0ADMIN alerts"] * 4


def test_app_home_shows_the_setup(world: World) -> None:
    world.say("subscribe")
    home = world.stack.runtime
    from bot import Answers

    view = Answers(home).home()
    text = json.dumps(view["blocks"])
    assert "*Setup*" in text and "The workspace reads the ledger set in nrr.toml (a file on the server)" in text
    assert "<#C0REVENUE>: day 2 at 09:00 Asia/Tokyo; next Wed 2 Dec 2026, 09:00 JST" in text


def test_alert_values_are_numbers_said_back_safely(world: World) -> None:
    assert world.say("alert grr_concerning abc").startswith(
        "`abc` is not a number, for `grr_concerning`. Nothing changed.")
    assert world.say("alert move_points inf").startswith("`inf` is not a number, for `move_points`.")
    hostile = world.say("alert grr below <!channel>")
    assert "<!channel>" not in hostile and "&lt;!channel&gt;" in hostile
    assert world.say("subscribe day ²").startswith("`day ²` is not `day N` (1-28)")
    # a number of two million digits is no threshold: said at once (made an int, it took the CPU for minutes)
    assert world.say("alert trailing_months 1e2000000").startswith("`1e2000000` is not a number, for")
    assert world.say("subscribe day " + "1" * 5000).startswith("`day 1111")
    assert world.changes() == []


def test_a_non_admin_changing_an_alert_line_is_refused_before_the_value_is_read(world: World) -> None:
    assert world.say("alert trailing_months 1e2000000", user=MEMBER).startswith("Only workspace admins and owners")
    assert world.say("alert grr_concerning abc", user=MEMBER).startswith("Only workspace admins and owners")
    assert world.changes() == []


def test_unsubscribe_with_a_word_that_is_not_a_channel_removes_nothing(world: World) -> None:
    world.say("subscribe")
    assert world.say("unsubscribe revenue").startswith("`revenue` is not a channel: mention it")
    assert [d.channel for d in world.runtime.settings.digests] == ["C0FROMTOML", "C0REVENUE"]


def test_digests_go_to_channels_the_bot_can_post_in(world: World) -> None:
    assert world.say("subscribe", channel="D0ANA").startswith("Digests and alerts go to channels, not direct messages")
    assert world.changes() == []


def test_a_new_subscription_does_not_post_last_months_digest_at_once(world: World) -> None:
    from nrr.scheduling import DigestService
    from nrr.state import StateStore

    world.say("subscribe day 2 in UTC")  # on 5 November: October's digest was due on the 2nd, before it
    service = DigestService(world.runtime, StateStore(world.runtime.settings.state.url, owner="t"), None)
    report = service.tick(NOW)
    assert [k for k in report.posted + report.waiting + report.skipped if "C0REVENUE:" in k] == []


def test_an_instance_started_with_ledger_says_that_it_wins(tmp_path: Path) -> None:
    with FakeSlack() as slack, FakeGoogle() as google:
        slack.users = {ADMIN: {"is_admin": True}}
        google.add_spreadsheet(SHEET, {"Ledger": [["Month", "MRR (Start of Period)", "Expanded MRR", "Churned MRR",
                                                   "Downgraded MRR"], ["2026-10", "100", "0", "0", "0"]]})
        env = slack_env(slack, GOOGLE_SERVICE_ACCOUNT_JSON=json.dumps(google.key_info()), SHEETS_API_URL=google.url)
        settings = Settings(state=StateSettings(f"sqlite:///{tmp_path / 'state.db'}"))
        runtime = Runtime(_file=settings, env=env, clock=lambda: NOW, explicit_ledger=str(EXAMPLE_LEDGER))
        with serve(build_server(runtime).app) as url:
            world = World(Stack(slack, url, runtime), google, runtime)
            answer = world.say(f"connect gsheet:{SHEET}/Ledger")
            assert answer.endswith("But this instance of nrr was started with --ledger, which wins over the "
                                   "connection until it is restarted without it.")
            assert world.runtime.ledger_spec == str(EXAMPLE_LEDGER)
            # `/nrr connect` alone says what is read, and the connection that waits (fuzz 17: "But this instance
            # ..." alone, naming neither)
            assert world.say("connect") == (
                "This instance of nrr was started with --ledger, and reads what it names (a file on the server) "
                f"whatever is connected. The workspace's connection (gsheet:{SHEET}/Ledger, connected by <@{ADMIN}> on "
                f"{NOW:%Y-%m-%d}) is read once it is restarted without it.")


@pytest.mark.parametrize("gap", ["\u00a0", "\n", "\t", "  \u2003"])
def test_a_setup_command_reads_any_whitespace_as_a_space(world: World, gap: str) -> None:
    # a tab, a line break or a no-break space after the first word was 'Something went wrong' (a KeyError, fuzz 10)
    assert world.say(f"subscribe{gap}day{gap}3").startswith("Subscribed <#C0REVENUE>: the NRR digest for each month, "
                                                            "on day 3 at 09:00 Asia/Tokyo")
    assert world.say(f"alerts{gap}here") == "Alerts now go to <#C0REVENUE>."
    assert world.say(f"alert{gap}grr below{gap}90") == "The `grr_concerning` line is now 90%."
    assert world.say(f"connect{gap}https://docs.google.com/spreadsheets/d/{SHEET}").startswith("Connected")


@pytest.mark.parametrize(("typed", "said"), [("alert grr below 85%", "The `grr_concerning` line is now 85%."),
                                             ("alert move_points 3%", "The `move_points` line is now 3 pts."),
                                             ("alert grr below 8.5e1", "The `grr_concerning` line is now 85%.")])
def test_an_alert_line_is_said_back_with_its_unit_once(world: World, typed: str, said: str) -> None:
    assert world.say(typed) == said


def test_alert_lines_that_cannot_stand_together_are_refused(world: World) -> None:
    # a leaky-bucket line above the concerning one, and a move of 1,000 points, were kept (fuzz 22)
    assert world.say("alert grr_leaky 90").startswith(
        "grr_leaky (90%) must be below grr_concerning (85%): below grr_leaky GRR is a leaky bucket, below "
        "grr_concerning it is concerning; lower grr_leaky or raise grr_concerning. Nothing changed.")
    assert world.say("alert grr_concerning 75").startswith("grr_leaky (80%) must be below grr_concerning (75%)")
    assert world.say("alert move_points 1000").startswith(
        "`1000` is not a number of points above 0 and up to 100, such as 3, for `move_points`.")
    assert world.changes() == []
    assert world.say("alert grr_concerning 92") == "The `grr_concerning` line is now 92%."
    assert world.say("alert grr_leaky 90") == "The `grr_leaky` line is now 90%."


def test_subscribe_reads_a_time_zone_in_any_case_and_asks_for_a_channel_mention(world: World) -> None:
    # "in utc" was refused where "in UTC" was read; "#revenue" typed was "not `day N`" (fuzz 22)
    assert world.say("subscribe in utc").startswith("Subscribed <#C0REVENUE>: the NRR digest for each month, on day "
                                                    "2 at 09:00 UTC (as given).")
    assert world.say("subscribe in america/new_york").startswith(
        "Subscribed <#C0REVENUE>: the NRR digest for each month, on day 2 at 09:00 America/New_York (as given).")
    assert world.say("subscribe #revenue").startswith(
        "`#revenue` is not a channel mention: pick the channel from the list Slack offers as you type #")


WHO = ("Slack could not tell me who you are just now ({}), so I cannot check that you may change nrr's setup. "
       "Nothing changed; try again in a minute.")


def test_an_admin_slack_cannot_look_up_is_told_so_not_refused(world: World) -> None:
    """users.info failing (HTTP 500, or 429 after the retries) was read as "not an admin": a workspace admin was
    told only admins may change the setup."""
    world.stack.slack.fail_next["users.info"] = [500]
    assert world.say("alert tier_drop off") == WHO.format("users.info failed")
    assert world.changes() == []
    assert world.say("alert tier_drop off") == "The `tier_drop` alert is off."  # Slack answers again: so do we
    # a user Slack says does not exist is no admin, as before
    assert world.say("alert tier_drop on", user="U0GHOST").startswith("Only workspace admins and owners")


def test_a_user_group_slack_cannot_list_is_said_not_read_as_empty(world: World) -> None:
    """usergroups.users.list failing was read as a group without members: its member was refused."""
    world.stack.slack.fail_next["usergroups.users.list"] = [500]
    assert world.say("alerts here", user=GROUPIE) == WHO.format("usergroups.users.list failed")
    assert world.changes() == []
    assert world.say("alerts here", user=GROUPIE) == "Alerts now go to <#C0REVENUE>."


def test_a_time_zone_slack_cannot_give_is_not_taken_for_utc(tmp_path: Path) -> None:
    """users.info failing made a digest UTC's, "your Slack time zone is not one I know", and kept it."""
    with setup_world(tmp_path, admins=(ADMIN,)) as world:  # named in [slack] admins: users.info is asked for the zone
        world.stack.slack.fail_next["users.info"] = [500]
        assert world.say("subscribe") == WHO.format("users.info failed")
        assert world.changes() == []
        assert world.say("subscribe").startswith("Subscribed <#C0REVENUE>: the NRR digest for each month, on day 2 at "
                                                 "09:00 Asia/Tokyo (your time zone in Slack).")


@pytest.mark.parametrize(("method", "typed", "said"), [
    ("users.info", "alerts here", WHO.format("Slack's Web API could not be reached")),
    ("usergroups.users.list", "alerts here", WHO.format("Slack's Web API could not be reached")),
    ("auth.test", "alerts here", "I could not ask Slack which workspace I am installed in (auth.test failed), so I "
                                 "cannot check who you are. Nothing changed; try again in a minute."),
    ("conversations.info", "subscribe", "Slack could not tell me whether I can post in <#C0REVENUE> just now "
                                        "(Slack's Web API could not be reached). Nothing changed; try again in a "
                                        "minute."),
])
def test_slack_out_of_reach_during_a_setup_command_is_said_in_plain_words(
        world: World, caplog: pytest.LogCaptureFixture, method: str, typed: str, said: str) -> None:
    """A URLError or a closed connection from slack_sdk was 'Something went wrong on my side (ref ...)' and a
    traceback in the log."""
    user = GROUPIE if method == "usergroups.users.list" else ADMIN
    world.say("subscriptions")  # Bolt's own auth.test, before any is out of reach
    unreachable(world).add(method)
    assert world.say(typed, user=user) == said
    assert world.changes() == [] and not any(r.exc_info for r in caplog.records)


def test_an_environment_variable_in_nrrs_own_words_copies_as_typed(tmp_path: Path) -> None:
    """connect passed nrr's own message through plain(): GOOGLE_APPLICATION_CREDENTIALS reached Slack with word
    joiners (U+2060) around each underscore, and a shell took them with the copied name."""
    with setup_world(tmp_path, google_key=False) as world:
        answer = world.say(f"connect gsheet:{SHEET}/Ledger")
    assert answer == ("Reading a Google Sheet needs a service-account key: set `GOOGLE_APPLICATION_CREDENTIALS` to "
                      "the key file's path, or `GOOGLE_SERVICE_ACCOUNT_JSON` to the key's JSON. Nothing changed.")


def test_alert_rule_without_on_or_off_changes_nothing_and_says_how(world: World) -> None:
    """`/nrr alert nrr_below_100` alone turned the rule on; the grammar is `<rule> on|off`."""
    world.say("alert nrr below 100 off")
    assert world.say("alert nrr_below_100").startswith(
        "The `nrr_below_100` alert is off now: `/nrr alert nrr_below_100 on` turns it on, `/nrr alert nrr_below_100 "
        "off` off. Nothing changed.")
    assert "nrr_below_100" not in world.runtime.settings.alerts.rules
    assert world.changes() == ["U0ADMIN alerts"]


def test_subscribe_to_two_channels_at_once_says_one_at_a_time(world: World) -> None:
    """The second mention was echoed lowercased and escaped: "`&lt;#c0newpub|newpub&gt;` is not `day N`"."""
    answer = world.say("subscribe <#C0REVENUE|revenue> <#C0NEWPUB|newpub>")
    assert answer.startswith("`/nrr subscribe` takes one channel at a time: run it for <#C0REVENUE>, then again for "
                             "<#C0NEWPUB>. Nothing changed.")
    assert world.say("unsubscribe <#C0REVENUE|revenue> <#C0NEWPUB|newpub>").startswith(
        "`/nrr unsubscribe` takes one channel at a time")
    assert world.changes() == []
    assert world.say("subscribe day 3 AT 9:00 When").startswith("`When` is not `day N` (1-28)")  # as typed
    # an option given twice is refused: "day 3 day 4" had saved day 4 without a word (a fresh-eyes try)
    assert world.say("subscribe day 3 day 4").startswith("`day` is given twice; give each of `day N`")
    assert world.changes() == []


def test_slacks_escapes_in_a_setup_command_are_read_back(world: World) -> None:
    """Slack sends & < > as &amp; &lt; &gt;: `connect gsheet:ID/R&D` kept the tab as 'R&amp;D'."""
    with EXAMPLE_LEDGER.open() as f:
        world.google.add_spreadsheet("1RandDSheet0000000000000", {"R&D": [list(r) for r in csv.reader(f)]})
    answer = world.say("connect gsheet:1RandDSheet0000000000000/R&amp;D")
    assert answer.startswith("Connected the workspace to gsheet:1RandDSheet0000000000000/R&amp;D. Tab 'R&amp;D'")
    assert world.runtime.ledger_spec == "gsheet:1RandDSheet0000000000000/R&D"
    # Slack's own markup is still read as a link and a channel: only the text around it is unescaped
    assert world.say(f"connect <https://docs.google.com/spreadsheets/d/{SHEET}/edit?a=1&amp;b=2#gid=0>").startswith(
        f"Connected the workspace to https://docs.google.com/spreadsheets/d/{SHEET}/edit#gid=0.")
    assert world.say("subscribe <#C0REVENUE1|revenue> day 5").startswith("Subscribed <#C0REVENUE1>")


@pytest.mark.parametrize("zone", ["Europe", "America/Argentina", "Etc", "x" * 300])
def test_a_zone_that_is_a_folder_or_too_long_a_name_is_refused_in_words(world: World, zone: str) -> None:
    # "Something went wrong on my side": ZoneInfo raised IsADirectoryError, or OSError for a name too long (a
    # fresh-eyes try)
    assert world.say(f"subscribe in {zone}").startswith(f"`in {zone}` is not `day N` (1-28), `at HH:MM` or `in ")
    assert world.changes() == []
