"""The Slack bot end to end: the real Bolt app behind uvicorn on 127.0.0.1, signed requests, a
Slack Web API fake, and a response_url receiver."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from nrr import ConfigError
from nrr.config import LedgerSettings, Settings, StateSettings
from nrr.runtime import KEEP_ANSWERS, Runtime
from nrr.server import build_server
from tests.fakes.google_api import FakeGoogle
from tests.fakes.servers import serve
from tests.fakes.slack_api import BOT_TOKEN, FakeSlack
from tests.helpers import EXAMPLE_LEDGER, HEADER, TLS

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
NOW = dt.datetime(2026, 11, 5, 15, 0, tzinfo=dt.UTC)


@dataclass
class Stack:
    slack: FakeSlack
    url: str
    runtime: Runtime
    sent: int = 0

    def command(self, text: str, *, secret: str = SECRET, age: float = 0, signed: bool = True,
                tamper: bool = False) -> tuple[httpx.Response, str]:
        self.sent += 1
        name = f"cmd{self.sent}"
        body = urlencode({"token": "legacy", "team_id": "T0ACME", "team_domain": "acme", "channel_id": "C0REVENUE",
                          "channel_name": "revenue", "user_id": "U0ANA", "user_name": "ana", "command": "/nrr",
                          "text": text, "api_app_id": "A0NRR", "response_url": self.slack.response_url(name),
                          "trigger_id": "1.2.3"})
        return self.post(body, secret=secret, age=age, signed=signed, tamper=tamper), f"/response/{name}"

    def post(self, body: str, *, secret: str = SECRET, age: float = 0, signed: bool = True,
             tamper: bool = False, content_type: str = "application/x-www-form-urlencoded") -> httpx.Response:
        ts = str(int(time.time() - age))
        headers = {"Content-Type": content_type}
        if signed:
            digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
            headers |= {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}
        if tamper:
            body = body.replace("text=", "text=ttm+")
        return httpx.post(f"{self.url}/slack/events", content=body, headers=headers, timeout=30, trust_env=False,
                          verify=TLS)

    def answer(self, path: str) -> dict[str, Any]:
        assert self.slack.wait_for(lambda: any(p == path for p, _ in self.slack.responses)), "no answer"
        return next(b for p, b in self.slack.responses if p == path)


def slack_env(slack: FakeSlack, **extra: str) -> dict[str, str]:
    return {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack.api_url, **extra}


def settings(source: str, tmp_path: Path) -> Settings:
    return Settings(ledger=LedgerSettings(source=source), state=StateSettings(f"sqlite:///{tmp_path / 'state.db'}"))


def ask_once(file: Settings, text: str, **env: str) -> list[dict[str, Any]]:
    """The blocks ``/nrr text`` answers with, from a server reading ``file`` (``env``: more environment)."""
    with FakeSlack() as slack:
        runtime = Runtime(_file=file, env=slack_env(slack, **env), clock=lambda: NOW)
        with serve(build_server(runtime).app) as url:
            stack = Stack(slack, url, runtime)
            _, path = stack.command(text)
            blocks: list[dict[str, Any]] = stack.answer(path)["blocks"]
            return blocks


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    with FakeSlack() as slack:
        runtime = Runtime(_file=settings(str(EXAMPLE_LEDGER), tmp_path), env=slack_env(slack), clock=lambda: NOW)
        with serve(build_server(runtime).app) as url:
            yield Stack(slack, url, runtime)


def texts(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def test_last_quarter_is_acked_then_answered_in_block_kit(stack: Stack) -> None:
    response, path = stack.command("last-quarter")
    assert (response.status_code, response.text) == (200, "")
    answer = stack.answer(path)
    assert answer["response_type"] == "ephemeral"
    blocks = answer["blocks"]
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": "Q3 2026: NRR 98.7% · GRR 91.7%"}}
    body = texts(blocks)
    assert ("NRR -5.2 pts vs Q2 2026, mostly more churn (-5.9 pts), despite more expansion (+0.6 pts) and fewer "
            "downgrades (+0.1 pts); GRR -5.6 pts") in body
    assert "+$45,272" in body and "-$48,128" in body and "-$5,952" in body
    assert "*Good* on trailing 12 months to Sep 2026" in body
    assert "+1.6 pts vs the mid-market median (108%), -10.4 pts vs the top quartile (120%)" in body
    assert "2026-09" in body and "96.4%" in body  # per-month rows for a span
    assert "Method: chained: the product of the monthly rates" in body
    assert blocks[-1]["elements"][0]["text"]["text"] == "Share in channel"
    assert answer["text"] == "Q3 2026: NRR 98.7% · GRR 91.7%"
    assert stack.slack.counts["auth.test"] == 1


def test_nrr_alone_is_last_month_with_the_trailing_year(stack: Stack) -> None:
    _, path = stack.command("")
    body = texts(stack.answer(path)["blocks"])
    assert "October 2026: NRR 101.1% · GRR 98.9%" in body
    assert "trailing 12 months to Oct 2026: NRR 109.57%, GRR 83.44%" in body


def test_options_grr_compare_and_method(stack: Stack) -> None:
    _, path = stack.command("Q3 2026 grr compare method=sum")
    blocks = stack.answer(path)["blocks"]
    assert blocks[0]["text"]["text"].startswith("Q3 2026: GRR")
    body = texts(blocks)
    assert "*From churn*" in body and "*Q2 2026*" in body
    assert "Method: sum" in body
    assert "The sum method treats the rows as one cohort" in body


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("banana", ":x: 'banana' is not a period I know. Try one of: last-month, this-month, last-quarter, "
                   "this-quarter, last-year, ytd, ttm, last-12-months, 2026-03, Mar 2026, march, Q3 2026, "
                   "2026-Q3, q3, FY2027, 2026-01..2026-06."),
        ("2023-05", ":x: May 2023 is before the ledger starts; the first month is January 2024. The ledger "
                    "covers January 2024 to October 2026."),
        ("this-month", ":x: November 2026 is not in the ledger yet; the latest month is October 2026. The "
                       "ledger covers January 2024 to October 2026."),
        ("ttm method=average", ":x: 'method=average' is not an option I know: use grr, compare or method=sum "
                               "/ method=chained / method=cohort."),
    ],
)
def test_errors_are_answered_in_plain_words(stack: Stack, text: str, expected: str) -> None:
    _, path = stack.command(text)
    answer = stack.answer(path)
    assert answer["response_type"] == "ephemeral"
    assert answer["blocks"][0]["text"]["text"] == expected


def test_help(stack: Stack) -> None:
    _, path = stack.command("help")
    text = stack.answer(path)["blocks"][0]["text"]["text"]
    assert text.startswith("*/nrr [PERIOD] [grr] [compare] [method=sum]*")
    assert "`/nrr last-quarter`" in text
    # the setup commands too: they were said only once one was refused (a fresh-eyes try)
    assert all(f"`/nrr {word}" in text for word in ("connect", "subscribe", "subscriptions", "unsubscribe", "alerts"))


def test_an_invalid_ledger_is_answered_with_its_cells(tmp_path: Any) -> None:
    bad = tmp_path / "ledger.csv"
    bad.write_text(",".join(HEADER[:5]) + "\n2026-09,100,x,0,0\n2026-10,100,0,0,0\n")
    blocks = ask_once(settings(str(bad), tmp_path), "last-month")
    assert blocks[0]["text"]["text"] == ":x: The ledger has 1 problem(s) to fix before I can answer:"
    assert blocks[1]["text"]["text"] == (
        "• C2 (September 2026): Expanded MRR 'x' is not an amount such as 100000, 100000.50 or $100,000.")


def test_a_sheet_that_cannot_be_read_says_what_to_do(tmp_path: Path) -> None:
    with FakeSlack() as slack, FakeGoogle() as google:
        google.add_spreadsheet("1SlackSheet000000000000", {"Ledger": [HEADER]}).shared_with = set()
        env = slack_env(slack, GOOGLE_SERVICE_ACCOUNT_JSON=json.dumps(google.key_info()), SHEETS_API_URL=google.url)
        runtime = Runtime(_file=settings("gsheet:1SlackSheet000000000000", tmp_path), env=env, clock=lambda: NOW)
        with serve(build_server(runtime).app) as url:
            stack = Stack(slack, url, runtime)
            _, path = stack.command("ttm")
            text = stack.answer(path)["blocks"][0]["text"]["text"]
    assert text.startswith(":x: Share the sheet with nrr-bot@nrr-test.iam.gserviceaccount.com")


@pytest.mark.parametrize(
    "case",
    [
        {"signed": False},
        {"secret": "not-the-signing-secret"},
        {"tamper": True},
        {"age": 6 * 60},
    ],
    ids=["unsigned", "wrong-secret", "altered-body", "six-minutes-old"],
)
def test_unsigned_wrong_altered_or_stale_requests_get_401_and_no_work(stack: Stack, case: dict[str, Any]) -> None:
    response, _ = stack.command("ttm", **case)
    assert response.status_code == 401
    assert not stack.slack.wait_for(lambda: bool(stack.slack.responses), timeout=0.5)
    assert stack.slack.counts["auth.test"] == 0


def test_a_slow_ledger_is_acked_within_3_seconds_and_answered_after(tmp_path: Path) -> None:
    with EXAMPLE_LEDGER.open() as f:
        rows: list[list[Any]] = [list(r) for r in csv.reader(f)]
    with FakeSlack() as slack, FakeGoogle() as google:
        google.add_spreadsheet("1SlowSheet0000000000000", {"Ledger": rows})
        google.latency = 1.6  # metadata + values: 3.2 s to read the ledger, past the 3 s Slack allows
        env = slack_env(slack, GOOGLE_SERVICE_ACCOUNT_JSON=json.dumps(google.key_info()), SHEETS_API_URL=google.url)
        runtime = Runtime(_file=settings("gsheet:1SlowSheet0000000000000/Ledger", tmp_path), env=env, clock=lambda: NOW)
        with serve(build_server(runtime).app) as url:
            stack = Stack(slack, url, runtime)
            t0 = time.monotonic()
            response, path = stack.command("last-quarter")
            acked = time.monotonic() - t0
            answer = stack.answer(path)
            answered = time.monotonic() - t0
    assert response.status_code == 200 and acked < 3.0
    assert answered >= 3.2
    assert answer["blocks"][0]["text"]["text"] == "Q3 2026: NRR 98.7% · GRR 91.7%"


def test_a_quick_ratio_slack_cannot_show_says_why_as_the_terminal_does(stack: Stack) -> None:
    # last month's needs the next month's Start: Slack left the figure out without a word (fuzz 7)
    _, path = stack.command("last-month")
    assert "*Quick ratio*\\nn/a (needs November 2026's Start)" in texts(stack.answer(path)["blocks"])
    _, path = stack.command("last-quarter")
    assert "*Quick ratio*\\n1.81" in texts(stack.answer(path)["blocks"])


def click_share(stack: Stack, button: dict[str, Any], name: str, replies: int = 2) -> list[dict[str, Any]]:
    payload = {"type": "block_actions", "user": {"id": "U0ANA", "name": "ana"}, "api_app_id": "A0NRR",
               "team": {"id": "T0ACME"}, "channel": {"id": "C0REVENUE"}, "container": {"type": "message"},
               "trigger_id": "1.2.3", "response_url": stack.slack.response_url(name),
               "actions": [{"action_id": button["action_id"], "block_id": "b1", "type": "button",
                            "value": button["value"], "action_ts": "1763800000.1"}]}
    response = stack.post(urlencode({"payload": json.dumps(payload)}))
    assert response.status_code == 200
    assert stack.slack.wait_for(lambda: sum(p == f"/response/{name}" for p, _ in stack.slack.responses) == replies)
    return [b for p, b in stack.slack.responses if p == f"/response/{name}"]


AS_OF = "<!date^1793890800^as of {date_short_pretty} {time}|as of 2026-11-05 15:00 UTC>"


def test_share_in_channel_posts_the_same_answer_for_everyone(stack: Stack) -> None:
    _, path = stack.command("last-quarter")
    shown = stack.answer(path)["blocks"]
    button = shown[-1]["elements"][0]
    assert "last-quarter" not in button["value"]  # the answer's key, not the question
    shared, deleted = click_share(stack, button, "share1")
    assert shared["response_type"] == "in_channel" and shared["replace_original"] is False
    assert shared["blocks"][0]["text"]["text"] == "Q3 2026: NRR 98.7% · GRR 91.7%"
    assert all(b["type"] != "actions" for b in shared["blocks"])
    assert shared["blocks"][:-1] == shown[:-1]  # exactly what was shown
    assert shared["blocks"][-1]["elements"][0]["text"] == f"Shared by <@U0ANA> · {AS_OF}"
    assert deleted["delete_original"] is True


def test_share_after_the_ledger_changed_posts_what_was_seen_as_of_its_time(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(EXAMPLE_LEDGER.read_text())
    with FakeSlack() as slack:
        runtime = Runtime(_file=settings(str(ledger), tmp_path), env=slack_env(slack), clock=lambda: NOW)
        with serve(build_server(runtime).app) as url:
            stack = Stack(slack, url, runtime)
            _, path = stack.command("last-quarter")
            shown = stack.answer(path)["blocks"]
            ledger.write_text(EXAMPLE_LEDGER.read_text().replace('"$652,094"', '"$752,094"'))  # September's Start
            shared, _ = click_share(stack, shown[-1]["elements"][0], "share2")
    assert shared["blocks"][:-1] == shown[:-1]
    assert shared["blocks"][0]["text"]["text"] == "Q3 2026: NRR 98.7% · GRR 91.7%"
    assert shared["blocks"][-1]["elements"][0]["text"] == (
        f"Shared by <@U0ANA> · {AS_OF} · the ledger has changed since; `/nrr last-quarter` gives today's figures")


def test_an_answer_kept_longer_than_a_week_is_not_shared(tmp_path: Path) -> None:
    """Kept answers are pruned when a new one is kept; one older than KEEP_ANSWERS is not shared meanwhile (a
    fresh-eyes try: a 30-day-old answer was posted in the channel, as of its time)."""
    now = [NOW]
    with FakeSlack() as slack:
        runtime = Runtime(_file=settings(str(EXAMPLE_LEDGER), tmp_path), env=slack_env(slack), clock=lambda: now[0])
        with serve(build_server(runtime).app) as url:
            stack = Stack(slack, url, runtime)
            _, path = stack.command("last-quarter")
            shown = stack.answer(path)["blocks"]
            now[0] = NOW + KEEP_ANSWERS + dt.timedelta(minutes=1)
            (reply,) = click_share(stack, shown[-1]["elements"][0], "share4", replies=1)
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == "I no longer have that answer to share; ask again with /nrr and share the new one."


def test_sharing_an_answer_no_longer_kept_says_so_privately(stack: Stack) -> None:
    button = {"action_id": "nrr_share", "value": json.dumps({"a": "answer:gone"})}
    (reply,) = click_share(stack, button, "share3", replies=1)
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == "I no longer have that answer to share; ask again with /nrr and share the new one."


def test_app_home_is_the_dashboard(stack: Stack) -> None:
    event = {"type": "event_callback", "team_id": "T0ACME", "api_app_id": "A0NRR", "event_id": "Ev1",
             "event_time": int(time.time()),
             "event": {"type": "app_home_opened", "user": "U0ANA", "channel": "D0ANA", "tab": "home",
                       "event_ts": "1763800000.2"}}
    response = stack.post(json.dumps(event), content_type="application/json")
    assert response.status_code == 200
    assert stack.slack.wait_for(lambda: stack.slack.counts["views.publish"] == 1)
    published = stack.slack.posts("views.publish")[0]
    view = published["view"] if isinstance(published["view"], dict) else json.loads(published["view"])
    assert published["user_id"] == "U0ANA" and view["type"] == "home"
    body = texts(view["blocks"])
    assert "*Last month*: October 2026: NRR 101.1%" in body
    assert "*Quarter to date*: Q4 2026 to date: NRR 101.1%" in body
    assert "*Trailing 12 months*: Trailing 12 months to Oct 2026: NRR 109.6% · GRR 83.4%" in body
    assert "*Good* on trailing 12 months" in body
    assert "Method: chained: the product of the monthly rates" in body  # every figure names its method
    # Slack's retries of the same event (X-Slack-Retry-Num 1..3) draw nothing again: each had computed the dashboard
    # and published it once more (a fresh-eyes try); another event draws it again
    for _ in range(3):
        assert stack.post(json.dumps(event), content_type="application/json").status_code == 200
    assert stack.post(json.dumps(event | {"event_id": "Ev2"}), content_type="application/json").status_code == 200
    assert stack.slack.wait_for(lambda: stack.slack.counts["views.publish"] == 2)
    # (each event is taken or passed over before its request is answered: a retry's publish would be under way)
    assert not stack.slack.wait_for(lambda: stack.slack.counts["views.publish"] > 2, timeout=0.5)


def test_url_verification_challenge(stack: Stack) -> None:
    response = stack.post(json.dumps({"type": "url_verification", "challenge": "abc123", "token": "x"}),
                          content_type="application/json")
    assert response.json() == {"challenge": "abc123"}


@pytest.mark.parametrize(
    ("env", "socket_mode", "message"),
    [
        ({}, False, "SLACK_BOT_TOKEN is not set: nrr needs it to call the Slack Web API. Set it in the "
                    "environment and start again."),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, False, "SLACK_SIGNING_SECRET is not set: nrr needs it to verify "
                                               "that requests come from Slack. Set it in the environment and "
                                               "start again."),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, True, "SLACK_APP_TOKEN is not set: nrr needs it to connect in "
                                              "Socket Mode. Set it in the environment and start again."),
    ],
)
def test_a_missing_secret_fails_at_start_by_name(env: dict[str, str], socket_mode: bool, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        build_server(Runtime(_file=Settings(), env=env, clock=lambda: NOW), socket_mode=socket_mode)
    assert str(info.value) == message


@pytest.mark.parametrize("token", ["xoxb-FAKE-1\nxoxb-FAKE-1", "\u201cxoxb-FAKE-1\u201d", "xoxb FAKE"])
def test_a_token_with_a_line_break_or_quotes_inside_is_refused_by_name_never_shown(token: str) -> None:
    # sent in a header it was an internal error that printed the token whole (fuzz 13)
    with pytest.raises(ConfigError) as info:
        build_server(Runtime(_file=Settings(), env={"SLACK_BOT_TOKEN": token, "SLACK_SIGNING_SECRET": "s"},
                             clock=lambda: NOW))
    assert str(info.value).startswith("SLACK_BOT_TOKEN holds a space, a line break") and "FAKE" not in str(info.value)


def test_spaces_around_a_signing_secret_are_no_part_of_it() -> None:
    """An env file's line break after SLACK_SIGNING_SECRET failed every request's signature, without a word."""
    from nrr.config import slack_secrets

    secrets = slack_secrets({"SLACK_BOT_TOKEN": " xoxb-1\n", "SLACK_SIGNING_SECRET": f"{SECRET}\n"})
    assert (secrets.bot_token, secrets.signing_secret) == ("xoxb-1", SECRET)
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET is not set"):
        slack_secrets({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "  "})


def test_nrr_serve_refuses_to_start_without_secrets() -> None:
    import io

    from rich.console import Console

    from nrr.cli import main

    err = io.StringIO()
    code = main(["serve", "--port", "0"], env={}, stderr=Console(file=err, width=200))
    assert code == 1
    assert err.getvalue().startswith("SLACK_BOT_TOKEN is not set")


def test_secrets_never_show_in_reprs() -> None:
    from nrr import slack_secrets

    secrets = slack_secrets({"SLACK_BOT_TOKEN": "xoxb-secret", "SLACK_SIGNING_SECRET": "shh"})
    assert "xoxb-secret" not in repr(secrets) and "shh" not in repr(secrets)


def test_an_answer_shows_three_warnings_and_counts_the_rest(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(",".join(HEADER) + "".join(f"\n2026-{m:02d},100,5,5,0,999," for m in range(7, 11)) + "\n")
    blocks = ask_once(settings(str(ledger), tmp_path), "last-month")
    shown = [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"] if ":warning:" in e["text"]
             or e["text"].startswith("...")]
    assert shown == [
        *(f":warning: F{m - 5} ({month} 2026): MRR (End of Period) says 999.00 but Start + Expanded - Churned - "
          "Downgraded = 100.00; using 100.00." for m, month in ((7, "July"), (8, "August"), (9, "September"))),
        "...and 1 more warning: run nrr validate to see them all.",
    ]


HOSTILE = "<!channel> <https://evil.example|click here> & more"


def test_text_from_the_sheet_is_data_never_markup(tmp_path: Any) -> None:
    bad = tmp_path / "ledger.csv"
    bad.write_text(",".join(HEADER[:5]) + f'\n2026-09,100,"{HOSTILE}",0,0\n2026-10,100,0,0,0\n')
    with FakeSlack() as slack:
        runtime = Runtime(_file=settings(str(bad), tmp_path), env=slack_env(slack), clock=lambda: NOW)
        with serve(build_server(runtime).app) as url:
            stack = Stack(slack, url, runtime)
            _, path = stack.command("last-month")
            answer = stack.answer(path)
            _, path = stack.command(HOSTILE)  # a period nobody knows, quoted back
            unknown = stack.answer(path)
    shown = json.dumps([answer, unknown], ensure_ascii=False)
    assert "<!channel>" not in shown and "<https://evil" not in shown
    assert ("• C2 (September 2026): Expanded MRR '&lt;!channel&gt; &lt;https://evil.example|click here&gt; "
            "&amp; more' is not an amount") in answer["blocks"][1]["text"]["text"]
    assert unknown["text"].startswith("'&lt;!channel&gt; &lt;https://evil.example|click here&gt; &amp; more' is "
                                      "not a period I know.")


def test_compare_with_no_earlier_period_says_why(stack: Stack) -> None:
    _, path = stack.command("2024-01 compare")
    body = texts(stack.answer(path)["blocks"])
    assert ("No comparison with the period before: December 2023 is before the ledger starts; the first month is "
            "January 2024.") in body


def test_the_app_starts_without_bolts_unused_token_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeSlack() as slack:
        env = slack_env(slack)
        for name, value in env.items():  # as in production, where Bolt can see the variables too
            monkeypatch.setenv(name, value)
        with caplog.at_level("WARNING"):
            build_server(Runtime(_file=settings(str(EXAMPLE_LEDGER), tmp_path), env=env, clock=lambda: NOW))
    assert not [r for r in caplog.records if "unused" in r.getMessage()]


def test_an_answer_is_shared_once_however_often_it_is_clicked(stack: Stack) -> None:
    _, path = stack.command("last-quarter")
    button = stack.answer(path)["blocks"][-1]["elements"][0]
    click_share(stack, button, "twice1")
    (second,) = click_share(stack, button, "twice2", replies=1)
    assert second["text"] == "I no longer have that answer to share; ask again with /nrr and share the new one."


def test_a_seven_column_benchmark_says_its_figure_approximates_the_cohort_one(stack: Stack) -> None:
    _, path = stack.command("last-quarter")
    body = texts(stack.answer(path)["blocks"])
    assert ("_The basis is chained from month totals: an approximation of the 12-month cohort figure, low when new "
            "customers churn early (common in SMB): in simulations 1-8 pts for a flat company, 4-35 pts for one "
            "growing 50-100% a year, up to 41 pts at 200%; add a customer tab for the exact one._") in body


def test_format_characters_pasted_with_the_words_are_dropped(stack: Stack) -> None:
    # a zero-width space or a BOM made 'last-quarter' an unknown period, and 'grr' part of one (fuzz 10)
    _, path = stack.command("\ufefflast-quarter\u200b grr\u2060 compare")
    blocks = stack.answer(path)["blocks"]
    assert blocks[0]["text"]["text"].startswith("Q3 2026: GRR")
    assert "*Q2 2026*" in texts(blocks)


@pytest.mark.parametrize("size", [100, 3000, 60_000])
def test_a_long_unknown_period_is_quoted_in_part_and_keeps_the_examples(stack: Stack, size: int) -> None:
    # pasted whole, 2,800 characters or more cut the examples off at the block's 3,000 (fuzz 10)
    _, path = stack.command("q" * size)
    answer = stack.answer(path)
    said = f"'{'q' * 60}…' is not a period I know. Try one of: last-month, this-month, last-quarter, this-quarter, "
    assert answer["blocks"][0]["text"]["text"].startswith(f":x: {said}")
    assert answer["blocks"][0]["text"]["text"].endswith("FY2027, 2026-01..2026-06.")
    assert answer["text"].startswith(said) and len(answer["text"]) < 400


def test_an_environment_variable_in_an_error_copies_as_typed(tmp_path: Path) -> None:
    """The error's words went through plain(): GOOGLE_APPLICATION_CREDENTIALS reached Slack with word joiners
    (U+2060) around each underscore, and a shell took them with the copied name."""
    with FakeSlack() as slack:
        runtime = Runtime(_file=settings("gsheet:1NoKeySheet0000000000000/Ledger", tmp_path), env=slack_env(slack),
                          clock=lambda: NOW)
        with serve(build_server(runtime).app) as url:
            stack = Stack(slack, url, runtime)
            _, path = stack.command("ttm")
            answer = stack.answer(path)
    assert answer["blocks"][0]["text"]["text"] == (
        ":x: Reading a Google Sheet needs a service-account key: set `GOOGLE_APPLICATION_CREDENTIALS` to the key "
        "file's path, or `GOOGLE_SERVICE_ACCOUNT_JSON` to the key's JSON.")
