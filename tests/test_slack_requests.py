"""Requests Slack signed but nrr cannot use, and the ack under load: the real Bolt app behind uvicorn on
127.0.0.1, signed requests, the Slack Web API fake."""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from starlette.applications import Starlette

from bot import build_slack_app, slack_routes
from nrr.config import SheetsSettings, slack_secrets
from nrr.runtime import Runtime
from nrr.server import build_server
from tests.fakes.google_api import FakeGoogle
from tests.fakes.servers import serve
from tests.fakes.slack_api import FakeSlack
from tests.helpers import EXAMPLE_LEDGER, TLS
from tests.test_bot import NOW, SECRET, settings, slack_env

FORM, JSON = "application/x-www-form-urlencoded", "application/json"
SHEET = "1HeldSheet00000000000000"


def signed(url: str, body: bytes, content_type: str) -> httpx.Response:
    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return httpx.post(f"{url}/slack/events", content=body, timeout=30, trust_env=False, verify=TLS, headers={
        "Content-Type": content_type, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"})


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, FakeSlack]]:
    with FakeSlack() as slack:
        runtime = Runtime(_file=settings(str(EXAMPLE_LEDGER), tmp_path), env=slack_env(slack), clock=lambda: NOW)
        with serve(build_server(runtime).app) as url:
            yield url, slack


MALFORMED = [
    pytest.param(b"{not json", JSON, "the body is not JSON", id="bad-json"),
    pytest.param(b"[1, 2]", JSON, "the body is not a JSON object", id="json-array"),
    pytest.param(b"null", JSON, "the body is not a JSON object", id="json-null"),
    pytest.param(b"payload=%7Bnot+json", FORM, "its payload is not JSON", id="payload-not-json"),
    pytest.param(b"payload=%5B1%5D", FORM, "its payload is not a JSON object", id="payload-array"),
    # nested past Python's recursion limit: a 500 and three tracebacks (fuzz 17)
    pytest.param(b"[" * 100_000 + b"]" * 100_000, JSON, "the body is not JSON", id="json-nested-deep"),
    pytest.param(b"payload=" + b"%5B" * 50_000 + b"%5D" * 50_000, FORM, "its payload is not JSON",
                 id="payload-nested-deep"),
    pytest.param(b"command=/nrr&text=\xff\xfe", FORM, "the body is not UTF-8", id="invalid-utf8"),
    pytest.param(urlencode({"command": "/nrr", "text": "ttm", "user_id": "U1", "channel_id": "C1"}).encode(),
                 FORM, "a slash command without a response_url", id="command-without-response-url"),
    pytest.param(b"command=/nrr&text=ttm&response_url=nowhere", FORM, "a slash command without a response_url",
                 id="command-response-url-not-a-url"),
    pytest.param(json.dumps({"command": "/nrr", "text": 5, "response_url": "https://hooks.slack.com/x"}).encode(),
                 JSON, "a slash command whose text is not text", id="command-text-a-number"),
    # a user_id of 5 was acked, then 'Something went wrong' and a TypeError's traceback (fuzz 10)
    pytest.param(json.dumps({"command": "/nrr", "text": "subscribe", "user_id": 5,
                             "response_url": "https://hooks.slack.com/x"}).encode(),
                 JSON, "a slash command whose user_id is not text", id="command-user-a-number"),
    # a Share click without a response_url had nowhere to post: three tracebacks (fuzz 10)
    pytest.param(b"payload=" + json.dumps({"type": "block_actions", "user": {"id": "U1"},
                                           "actions": [{"action_id": "nrr_share", "value": "{}"}]}).encode(),
                 FORM, "a Share click without a response_url", id="share-without-response-url"),
    pytest.param(json.dumps({"type": "event_callback", "event": "app_home_opened"}).encode(), JSON,
                 "a field is not of the shape Slack sends (AttributeError: 'str' object has no attribute 'get')",
                 id="event-a-string"),
    pytest.param(b"payload=" + json.dumps({"type": "block_actions", "actions": []}).encode(), FORM,
                 "a field is not of the shape Slack sends (IndexError: list index out of range)",
                 id="no-actions"),
]


@pytest.mark.parametrize(("body", "content_type", "reason"), MALFORMED)
def test_a_signed_body_nrr_cannot_use_is_a_400_logged_in_one_line(
        served: tuple[str, FakeSlack], caplog: pytest.LogCaptureFixture, body: bytes, content_type: str,
        reason: str) -> None:
    url, _ = served
    caplog.set_level(logging.INFO)
    response = signed(url, body, content_type)
    assert (response.status_code, response.text) == (400, f"Slack's request could not be used: {reason}.")
    refused = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in refused] == [f"refused a signed Slack request: {reason}"]
    assert not any(r.exc_info for r in caplog.records)  # one line, no traceback


def test_an_unsigned_malformed_body_is_401_as_any_unsigned_one(served: tuple[str, FakeSlack]) -> None:
    url, _ = served
    response = httpx.post(f"{url}/slack/events", content=b"[1, 2]", headers={"Content-Type": JSON},
                          trust_env=False, timeout=30, verify=TLS)
    assert response.status_code == 401


@pytest.mark.parametrize("timestamp", ["\u00b2", "1" * 5000, "not-a-number"])
def test_a_timestamp_that_is_no_whole_number_is_401_as_any_unsigned_request(served: tuple[str, FakeSlack],
                                                                            timestamp: str) -> None:
    # ² passed str.isdigit and 5,000 digits passed too: int() raised, and the server answered 500 (fuzz 7)
    url, _ = served
    response = httpx.post(f"{url}/slack/events", content=b"command=/nrr&text=ttm",
                          headers={b"Content-Type": FORM.encode(),
                                   b"X-Slack-Request-Timestamp": timestamp.encode("latin-1"),
                                   b"X-Slack-Signature": b"v0=00"}, trust_env=False, timeout=30,
                          verify=TLS)
    assert response.status_code == 401


def home_opened(user: str) -> bytes:
    return json.dumps({"type": "event_callback", "team_id": "T0ACME", "api_app_id": "A0NRR", "event_id": f"Ev{user}",
                       "event": {"type": "app_home_opened", "user": user, "tab": "home"}}).encode()


def command(slack: FakeSlack, name: str, text: str = "ttm") -> bytes:
    return urlencode({"command": "/nrr", "text": text, "user_id": "U0ANA", "channel_id": "C0REVENUE",
                      "team_id": "T0ACME", "response_url": slack.response_url(name)}).encode()


@contextmanager
def held_sheet(tmp_path: Path, **build: int) -> Iterator[tuple[str, FakeSlack, FakeGoogle]]:
    """The bot on a Google Sheet whose every read waits until ``google.open`` is set (set on the way out)."""
    with FakeSlack() as slack, FakeGoogle() as google:
        with EXAMPLE_LEDGER.open() as f:
            google.add_spreadsheet(SHEET, {"Ledger": [list(r) for r in csv.reader(f)]})
        env = slack_env(slack, GOOGLE_SERVICE_ACCOUNT_JSON=json.dumps(google.key_info()), SHEETS_API_URL=google.url)
        runtime = Runtime(_file=replace(settings(f"gsheet:{SHEET}/Ledger", tmp_path),
                                        sheets=SheetsSettings(cache_ttl=0.0)),
                          env=env, clock=lambda: NOW)
        slack_app, _ = build_slack_app(runtime, slack_secrets(env, "events"), **build)
        google.open.clear()
        try:
            with serve(Starlette(routes=slack_routes(slack_app, SECRET))) as url:
                yield url, slack, google
        finally:
            google.open.set()


def test_an_ack_does_not_wait_behind_dashboards_reading_a_slow_sheet(tmp_path: Path) -> None:
    with held_sheet(tmp_path) as (url, slack, google):
        for i in range(16):  # as many as Bolt had threads to run listeners in: each reads the held sheet
            assert signed(url, home_opened(f"U{i}"), JSON).status_code == 200
        response = signed(url, command(slack, "held"), FORM)
        assert (response.status_code, response.text) == (200, "")  # acked while every answer waits
        assert not slack.responses
        google.open.set()
        assert slack.wait_for(lambda: "/response/held" in slack.arrived and slack.counts["views.publish"] == 16)


def test_a_full_pool_says_so_in_the_ack(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with held_sheet(tmp_path, workers=1, pending=2) as (url, slack, google):
        assert [signed(url, command(slack, f"c{i}"), FORM).text for i in range(2)] == ["", ""]
        busy = signed(url, command(slack, "c2"), FORM)
        assert busy.status_code == 200
        assert busy.json() == {"text": "nrr is answering many questions at the moment; ask again in a minute.",
                               "response_type": "ephemeral"}
        assert "too busy to answer /nrr 'ttm': 2 answers waiting" in caplog.text
        google.open.set()
        assert slack.wait_for(lambda: {"/response/c0", "/response/c1"} <= set(slack.arrived))
        assert "/response/c2" not in slack.arrived


TTM = "Trailing 12 months to Oct 2026: NRR 109.6% · GRR 83.4%"


@pytest.mark.parametrize(("fields", "said"), [
    pytest.param({"channel_name": "api-payloads"}, TTM, id="channel-name"),
    pytest.param({"user_name": "payloadpete"}, TTM, id="user-name"),
    pytest.param({"text": "ttm payload"}, "'ttm payload' is not a period I know", id="text"),
    pytest.param({"payload": "not json"}, TTM, id="a-payload-field-beside-command"),
])
def test_a_slash_command_holding_the_word_payload_is_answered(served: tuple[str, FakeSlack],
                                                              fields: dict[str, str], said: str) -> None:
    # Bolt reads any form body holding the letters "payload" as an interactivity payload: the command was a 404
    # {"error": "unhandled request"}, never answered (fuzz 10)
    url, slack = served
    form = {"command": "/nrr", "text": "ttm", "user_id": "U0ANA", "channel_id": "C0REVENUE", "channel_name": "revenue",
            "team_id": "T0ACME", "response_url": slack.response_url("payload"), **fields}
    response = signed(url, urlencode(form).encode(), FORM)
    assert (response.status_code, response.text) == (200, "")
    assert slack.wait_for(lambda: "/response/payload" in slack.arrived)
    (answer,) = [b for p, b in slack.responses if p == "/response/payload"]
    assert answer["text"].startswith(said)


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "Application/JSON"])
def test_json_is_read_as_json_whatever_its_media_types_parameters_or_leading_space(
        served: tuple[str, FakeSlack], content_type: str) -> None:
    # "application/json; charset=utf-8" with a body starting with a space was read as a form (review)
    url, _ = served
    body = b' \n{"type": "url_verification", "challenge": "abc123", "token": "x"}'
    response = signed(url, body, content_type)
    assert response.status_code == 200 and "abc123" in response.text


def test_slacks_api_out_of_reach_is_a_503_said_as_such_not_a_malformed_request(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # it was a 400, "a field is not of the shape Slack sends (URLError ...)" (fuzz 13)
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": "http://127.0.0.1:9/api/"}
    runtime = Runtime(_file=settings(str(EXAMPLE_LEDGER), tmp_path), env=env, clock=lambda: NOW)
    caplog.set_level(logging.INFO)
    body = urlencode({"command": "/nrr", "text": "ttm", "user_id": "U1", "team_id": "T1", "channel_id": "C1",
                      "response_url": "https://hooks.slack.com/x"}).encode()
    with serve(build_server(runtime).app) as url:
        response = signed(url, body, FORM)
    assert response.status_code == 503 and "could not reach Slack's Web API" in response.text
    assert not any("not of the shape" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(("body", "content_type", "status", "what"), [
    pytest.param(urlencode({"command": "/revenue", "text": "ttm", "response_url": "https://hooks.slack.com/x"}).encode(),
                 FORM, 400, "nrr answers /nrr, not the command /revenue", id="another-command"),
    pytest.param(b"payload=" + json.dumps({"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U1"},
                                           "response_url": "https://hooks.slack.com/x",
                                           "actions": [{"action_id": "zzz", "value": "{}"}]}).encode(),
                 FORM, 400, "nrr has no button 'zzz'", id="another-button"),
    pytest.param(b"payload=" + json.dumps({"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U1"},
                                           "view": {"id": "V1", "type": "modal", "callback_id": "x"}}).encode(),
                 FORM, 400, "nrr has nothing that takes a request of type 'view_submission'",
                 id="a-form-nrr-never-opened"),
    pytest.param(urlencode({"text": "ttm", "user_id": "U1"}).encode(), FORM, 400,
                 "it holds no command, button or event", id="no-command"),
    # an event nrr did not subscribe to is acknowledged: Slack would deliver it again on anything else
    pytest.param(json.dumps({"type": "event_callback", "team_id": "T1", "event": {"type": "team_join"}}).encode(),
                 JSON, 200, "nrr does not take the event 'team_join'", id="another-event"),
])
def test_a_signed_request_for_nothing_nrr_answers_is_said_in_one_line(
        served: tuple[str, FakeSlack], caplog: pytest.LogCaptureFixture, body: bytes, content_type: str,
        status: int, what: str) -> None:
    # Bolt's 404 and its twelve lines of advice on writing a listener (fuzz 22)
    url, _ = served
    caplog.set_level(logging.INFO)
    response = signed(url, body, content_type)
    assert (response.status_code, response.text) == (
        (400, f"Slack's request could not be used: {what}.") if status == 400 else (200, ""))
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert logged == [f"ignored a signed Slack request: {what}"]


def test_slacks_app_rate_limited_notice_is_acknowledged_and_logged_in_one_line(
        served: tuple[str, FakeSlack], caplog: pytest.LogCaptureFixture) -> None:
    """Slack's app_rate_limited callback was a 400, "nrr has nothing that takes a request of type ...": Slack
    posts it to the events URL when it holds events back, and wants a 200 like any event."""
    url, _ = served
    caplog.set_level(logging.INFO)
    body = {"token": "x", "type": "app_rate_limited", "team_id": "T0ACME", "minute_rate_limited": 1518467820,
            "api_app_id": "A0NRR"}
    response = signed(url, json.dumps(body).encode(), JSON)
    assert (response.status_code, response.text) == (200, "")
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert logged == ["Slack says it is rate-limiting (or has disabled) nrr's event subscriptions for workspace "
                      "T0ACME from 2018-02-12 20:37 UTC (app_rate_limited)"]
