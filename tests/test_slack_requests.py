"""Requests Slack signed but nrr cannot use, and the ack under load: the real Bolt app behind uvicorn on
127.0.0.1, signed requests, the Slack Web API fake."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from nrr.runtime import Runtime
from nrr.server import build_server
from tests.fakes.servers import serve
from tests.fakes.slack_api import FakeSlack
from tests.helpers import EXAMPLE_LEDGER
from tests.test_bot import NOW, SECRET, settings, slack_env

FORM, JSON = "application/x-www-form-urlencoded", "application/json"


def signed(url: str, body: bytes, content_type: str) -> httpx.Response:
    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return httpx.post(f"{url}/slack/events", content=body, timeout=30, trust_env=False, headers={
        "Content-Type": content_type, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"})


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, FakeSlack]]:
    with FakeSlack() as slack:
        runtime = Runtime(settings(str(EXAMPLE_LEDGER), tmp_path), slack_env(slack), lambda: NOW)
        with serve(build_server(runtime).app) as url:
            yield url, slack


MALFORMED = [
    pytest.param(b"{not json", JSON, "the body is not JSON", id="bad-json"),
    pytest.param(b"[1, 2]", JSON, "the body is not a JSON object", id="json-array"),
    pytest.param(b"null", JSON, "the body is not a JSON object", id="json-null"),
    pytest.param(b"payload=%7Bnot+json", FORM, "its payload is not JSON", id="payload-not-json"),
    pytest.param(b"payload=%5B1%5D", FORM, "its payload is not a JSON object", id="payload-array"),
    pytest.param(b"command=/nrr&text=\xff\xfe", FORM, "the body is not UTF-8", id="invalid-utf8"),
    pytest.param(urlencode({"command": "/nrr", "text": "ttm", "user_id": "U1", "channel_id": "C1"}).encode(),
                 FORM, "a slash command without a response_url", id="command-without-response-url"),
    pytest.param(b"command=/nrr&text=ttm&response_url=nowhere", FORM, "a slash command without a response_url",
                 id="command-response-url-not-a-url"),
    pytest.param(json.dumps({"command": "/nrr", "text": 5, "response_url": "https://hooks.slack.com/x"}).encode(),
                 JSON, "a slash command whose text is not text", id="command-text-a-number"),
    pytest.param(json.dumps({"type": "event_callback", "event": "app_home_opened"}).encode(), JSON,
                 "a field is not of the shape Slack sends (AttributeError: 'str' object has no attribute 'get')",
                 id="event-a-string"),
    pytest.param(b"payload=" + json.dumps({"type": "block_actions", "actions": []}).encode(), FORM,
                 "a field is not of the shape Slack sends (IndexError: list index out of range)",
                 id="no-actions"),
    pytest.param(b"payload=" + json.dumps({"type": "view_submission", "view": "x"}).encode(), FORM,
                 "a field is not of the shape Slack sends (AttributeError: 'str' object has no attribute 'get')",
                 id="view-a-string"),
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
                          trust_env=False, timeout=30)
    assert response.status_code == 401
