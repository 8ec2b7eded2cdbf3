"""``nrr serve --socket-mode`` end to end: the real Bolt app and slack_sdk's Socket Mode client, a
Slack Web API fake that hands out the WebSocket URL, and a WebSocket fake that plays Slack."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from nrr.config import LedgerSettings, Settings, StateSettings
from nrr.runtime import Runtime
from nrr.server import build_server
from tests.fakes.slack_api import APP_TOKEN, BOT_TOKEN, FakeSlack
from tests.fakes.slack_socket import FakeSocketMode
from tests.helpers import EXAMPLE_LEDGER

NOW = dt.datetime(2026, 11, 5, 15, 0, tzinfo=dt.UTC)
ACK_DEADLINE = 3.0  # Slack shows the user an error when an envelope is not acked within 3 seconds
# How often the client pings and checks its socket. nrr serve keeps Bolt's 10 s; here a socket
# Slack closed is noticed, and replaced, within a few tenths of a second.
PING_INTERVAL = 0.1


@dataclass
class Stack:
    slack: FakeSlack
    socket: FakeSocketMode
    sent: int = 0

    def command(self, text: str) -> tuple[str, str]:
        """Send ``/nrr text`` over the socket; the envelope id and the response_url path."""
        self.sent += 1
        name = f"socket{self.sent}"
        return self.socket.send_command(text, self.slack.response_url(name)), f"/response/{name}"

    def ack(self, envelope_id: str) -> dict[str, Any]:
        start = time.monotonic()
        assert self.socket.wait_for(lambda: envelope_id in self.socket.acks, timeout=ACK_DEADLINE), "no ack"
        assert time.monotonic() - start < ACK_DEADLINE
        return self.socket.acks[envelope_id]

    def answer(self, path: str) -> dict[str, Any]:
        assert self.slack.wait_for(lambda: any(p == path for p, _ in self.slack.responses), timeout=5), "no answer"
        return next(b for p, b in self.slack.responses if p == path)

    def connected(self, connections: int) -> bool:
        """Whether the app has opened ``connections`` sockets in all and has exactly one open now."""
        return self.socket.wait_for(lambda: self.socket.connections == connections
                                    and self.socket.open_connections == 1)


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    before = set(threading.enumerate())
    with FakeSocketMode() as socket, FakeSlack(socket_link=socket.link) as slack:
        env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN, "SLACK_API_URL": slack.api_url}
        settings = Settings(ledger=LedgerSettings(source=str(EXAMPLE_LEDGER)), state=StateSettings(f"sqlite:///{tmp_path}/state.db"))
        server = build_server(Runtime(_file=settings, env=env, clock=lambda: NOW), socket_mode=True,
                              ping_interval=PING_INTERVAL)
        try:
            server.socket_mode.connect()  # as nrr serve does, before uvicorn starts
            yield Stack(slack, socket)
        finally:
            server.socket_mode.close()
    # the Bolt app's own listener and answer pools live as long as the app, as under nrr serve
    leaked = [t.name for t in set(threading.enumerate()) - before if not t.name.startswith("nrr-")]
    assert not leaked, f"threads left running: {leaked}"


def test_connects_with_the_app_token_then_acks_and_answers_a_slash_command(stack: Stack) -> None:
    assert stack.connected(1)
    assert stack.slack.counts["apps.connections.open"] == 1
    assert stack.slack.tokens["apps.connections.open"] == {APP_TOKEN}
    envelope_id, path = stack.command("last-quarter")
    assert stack.ack(envelope_id) == {"envelope_id": envelope_id}  # an empty ack; the answer follows
    answer = stack.answer(path)
    assert answer["response_type"] == "ephemeral"
    assert answer["text"] == "Q3 2026: NRR 98.7% · GRR 91.7%"
    assert answer["blocks"][0] == {"type": "header",
                                   "text": {"type": "plain_text", "text": "Q3 2026: NRR 98.7% · GRR 91.7%"}}
    assert stack.slack.tokens["auth.test"] == {BOT_TOKEN}  # the Web API, with the bot token


def test_reconnects_when_slack_asks_it_to_refresh(stack: Stack) -> None:
    assert stack.connected(1)
    first, path = stack.command("last-quarter")
    stack.ack(first)
    stack.answer(path)
    stack.socket.refresh()
    assert stack.connected(2)  # a new socket, and the old one closed
    second, path = stack.command("ttm")
    assert stack.ack(second) == {"envelope_id": second}
    assert stack.answer(path)["text"].startswith("Trailing 12 months to Oct 2026: NRR 109.6%")
    # each socket through its own apps.connections.open: Slack's URLs are good for one connection
    assert stack.slack.counts["apps.connections.open"] == stack.socket.issued == 2
    assert stack.socket.refused == 0


@pytest.mark.parametrize("clean", [True, False], ids=["close-frame", "no-close-frame"])
def test_reconnects_after_slack_drops_the_socket(stack: Stack, clean: bool) -> None:
    assert stack.connected(1)
    stack.socket.drop(clean=clean)
    assert stack.connected(2)
    envelope_id, path = stack.command("last-quarter")
    assert stack.ack(envelope_id) == {"envelope_id": envelope_id}
    assert stack.answer(path)["text"] == "Q3 2026: NRR 98.7% · GRR 91.7%"
    assert stack.slack.counts["apps.connections.open"] == stack.socket.issued == 2
    assert stack.socket.refused == 0
