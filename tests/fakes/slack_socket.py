"""A small fake of Slack's Socket Mode endpoint: the WebSocket that ``apps.connections.open`` hands out.

Served over a real WebSocket on 127.0.0.1 (port 0) by the ``websockets`` package's threaded
server, so slack_sdk's own Socket Mode client connects to it as to Slack. It speaks the
documented protocol (https://docs.slack.dev/apis/events-api/using-socket-mode/):

- ``link()`` issues a one-time URL, ``ws://127.0.0.1:PORT/link/?ticket=N&app_id=A0NRR``, as
  ``apps.connections.open`` does (the Web API fake calls it); a handshake with an unknown or
  already used ticket is refused (HTTP 401), so every socket needs its own apps.connections.open.
- On connect it sends ``{"type": "hello", "num_connections": N, ...}``.
- ``send_command`` sends a ``slash_commands`` envelope to the newest connection; the acks the
  client sends back (``{"envelope_id": ..., "payload"?: ...}``) are recorded by envelope id.
- ``refresh()`` sends ``{"type": "disconnect", "reason": "refresh_requested"}``, after which Slack
  closes the connection once the app has opened another; ``drop()`` closes it at once, with a
  close frame or, as a dropped network does, without one.
- It pings the client every 0.1 s, as Slack pings its clients; slack_sdk answers the pongs.
"""

from __future__ import annotations

import contextlib
import http
import itertools
import json
import socket
import threading
from collections.abc import Callable
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import ServerConnection, serve

from tests.fakes._server import wait_until

APP_ID = "A0NRR"


class FakeSocketMode:
    def __init__(self, app_id: str = APP_ID) -> None:
        self.app_id = app_id
        self.issued = 0  # links handed out by apps.connections.open
        self.connections = 0  # WebSocket handshakes accepted, each with a fresh ticket
        self.refused = 0  # handshakes with an unknown or used ticket
        self.acks: dict[str, dict[str, Any]] = {}  # envelope_id -> what the app sent back
        self._tickets: set[str] = set()
        self._open: list[ServerConnection] = []  # newest last, hello sent
        self._retiring: list[ServerConnection] = []  # told to disconnect, closed when another opens
        self._ids = itertools.count(1)
        self._lock = threading.RLock()  # reentrant: wait_for's predicates read open_connections
        self._changed = threading.Condition(self._lock)
        # Frequent pings, as Slack sends them: slack_sdk's client reads with a 3 s timeout and holds a
        # lock while it reads, so closing it waits for the next frame to arrive. A short close
        # handshake: the client closes its socket without answering a close frame.
        self._server = serve(self._handle, "127.0.0.1", 0, process_request=self._check_ticket,
                             ping_interval=0.1, close_timeout=0.2)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        port = self._server.socket.getsockname()[1]
        return f"ws://127.0.0.1:{port}"

    def link(self) -> str:
        """A one-time WebSocket URL, as ``apps.connections.open`` answers with."""
        with self._lock:
            self.issued += 1
            ticket = f"ticket-{next(self._ids)}"
            self._tickets.add(ticket)
        return f"{self.url}/link/?ticket={ticket}&app_id={self.app_id}"

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Block until ``predicate()`` holds (checked whenever a socket opens, closes or acks)."""
        return wait_until(self._changed, predicate, timeout)

    @property
    def open_connections(self) -> int:
        with self._lock:
            return len(self._open)

    def send_command(self, text: str, response_url: str, command: str = "/nrr") -> str:
        """Deliver a slash command as Slack does in Socket Mode; the envelope id to await the ack of."""
        envelope_id = f"envelope-{next(self._ids)}"
        payload = {"token": "legacy", "team_id": "T0ACME", "team_domain": "acme", "channel_id": "C0REVENUE",
                   "channel_name": "revenue", "user_id": "U0ANA", "user_name": "ana", "command": command,
                   "text": text, "api_app_id": self.app_id, "is_enterprise_install": "false",
                   "response_url": response_url, "trigger_id": "1.2.3"}
        self._newest().send(json.dumps({"envelope_id": envelope_id, "type": "slash_commands",
                                        "accepts_response_payload": True, "payload": payload}))
        return envelope_id

    def refresh(self) -> None:
        """Ask the app to reconnect, as Slack does every few hours; the old socket closes after."""
        connection = self._newest()
        with self._lock:
            self._retiring.append(connection)
        connection.send(json.dumps({"type": "disconnect", "reason": "refresh_requested",
                                    "debug_info": {"host": "applink-fake"}}))

    def drop(self, *, clean: bool = True) -> None:
        """Close the newest socket from Slack's side with no warning: with a close frame (1001, going
        away), or, as a dropped network does, with none."""
        connection = self._newest()
        if clean:
            connection.close(1001, "going away")
        else:
            connection.socket.shutdown(socket.SHUT_RDWR)

    # -- the server --

    def _newest(self) -> ServerConnection:
        with self._lock:
            if not self._open:
                raise AssertionError("no app is connected over Socket Mode")
            return self._open[-1]

    def _check_ticket(self, connection: ServerConnection, request: Request) -> Response | None:
        parts = urlsplit(request.path)
        ticket = parse_qs(parts.query).get("ticket", [""])[0]
        with self._lock:
            if parts.path == "/link/" and ticket in self._tickets:
                self._tickets.discard(ticket)
                return None
            self.refused += 1
        return connection.respond(http.HTTPStatus.UNAUTHORIZED, "unknown or used ticket\n")

    def _handle(self, connection: ServerConnection) -> None:
        with self._changed:
            self.connections += 1
            number = self.connections
            retiring, self._retiring = self._retiring, []
        for old in retiring:
            old.close(1000, "")
        connection.send(json.dumps({"type": "hello", "num_connections": number,
                                    "debug_info": {"host": "applink-fake", "build_number": 1,
                                                   "approximate_connection_time": 18060},
                                    "connection_info": {"app_id": self.app_id}}))
        with self._changed:
            self._open.append(connection)
            self._changed.notify_all()
        try:
            with contextlib.suppress(ConnectionClosed):
                for message in connection:
                    data = json.loads(message)
                    if "envelope_id" in data:
                        with self._changed:
                            self.acks[data["envelope_id"]] = data
                            self._changed.notify_all()
        finally:
            with self._changed:
                self._open.remove(connection)
                self._changed.notify_all()
