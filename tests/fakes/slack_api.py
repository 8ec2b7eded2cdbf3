"""A small fake of the Slack Web API, plus a receiver for response_url posts.

Served over real HTTP on 127.0.0.1 (port 0), so slack_sdk and Bolt talk to it as to Slack:
``{base}/api/`` is the Web API base URL, ``{base}/response/N`` a response_url. It answers with
the documented JSON, counts calls per method, can enforce per-method rate limits (HTTP 429 with
Retry-After, as Slack does) and can fail a channel with Slack's own error codes.
``apps.connections.open`` takes the app-level token (``xapp-``) and answers with a URL from
``socket_link``, a Socket Mode fake's ``link`` (tests/fakes/slack_socket.py).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes._server import LocalHandler, LocalServer, wait_until

BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-1-A0NRR-1-test-token"


class FakeSlack(LocalServer):
    def __init__(self, token: str = BOT_TOKEN, clock: Callable[[], float] = time.monotonic, *,
                 app_token: str = APP_TOKEN, socket_link: Callable[[], str] | None = None) -> None:
        self.token = token
        self.app_token = app_token
        self.socket_link = socket_link
        self.tokens: dict[str, set[str]] = defaultdict(set)  # method -> the tokens it was called with
        self.clock = clock
        self.counts: Counter[str] = Counter()
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.responses: list[tuple[str, dict[str, Any]]] = []  # (response_url path, body)
        self.arrived: dict[str, float] = {}  # response_url path -> time.monotonic() of the first post
        self.uploads: dict[str, bytes] = {}
        self.channel_errors: dict[str, str] = {}  # channel -> "channel_not_found" / "not_in_channel"
        self.rate_limits: dict[str, float] = {}  # method -> calls per second (per channel for chat.*)
        self.rate_limited = 0
        self.fail_next: dict[str, list[int]] = defaultdict(list)  # method -> HTTP statuses to answer
        self._last_call: dict[tuple[str, str], float] = {}
        # the workspace as users.info, conversations.info/join and usergroups.users.list see it
        self.users: dict[str, dict[str, Any]] = {}  # id -> {"is_admin": True, "tz": "Asia/Tokyo", ...}
        self.member_of: set[str] = {"C0REVENUE", "C0REVENUE1", "C0ALERTS01"}  # channels the bot is in
        self.private: set[str] = set()
        self.usergroups: dict[str, list[str]] = {}
        self.scopes = ["commands", "chat:write", "files:write", "users:read", "usergroups:read", "channels:read",
                       "groups:read", "channels:join"]
        self._ts = itertools.count(1)
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        super().__init__(self._handler())

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, name: str) -> str:
        return f"{self.url}/response/{name}"

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 15.0) -> bool:
        """Block until ``predicate()`` holds (checked whenever a request lands), or time out."""
        return wait_until(self._changed, predicate, timeout)

    def posts(self, method: str) -> list[dict[str, Any]]:
        return [body for m, body in self.calls if m == method]

    # -- the server --

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(LocalHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                path = urlsplit(self.path).path
                status, payload, headers = fake._route(path, self.headers, raw)
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                with fake._changed:
                    fake._changed.notify_all()

        return Handler

    def _route(self, path: str, headers: Any, raw: bytes) -> tuple[int, Any, dict[str, str]]:
        if path.startswith("/response/"):
            with self._lock:
                self.responses.append((path, json.loads(raw or b"{}")))
                self.arrived.setdefault(path, time.monotonic())
            return 200, b"ok", {}
        if path.startswith("/upload/"):
            with self._lock:
                self.uploads[path.removeprefix("/upload/")] = raw
            return 200, f"OK - {len(raw)}".encode(), {}
        if not path.startswith("/api/"):
            return 404, {"ok": False, "error": "unknown_method"}, {}
        method = path.removeprefix("/api/")
        content_type = headers.get("Content-Type", "")
        if "json" in content_type:
            body = json.loads(raw or b"{}")
        else:
            body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        token = (headers.get("Authorization") or "").removeprefix("Bearer ") or body.get("token")
        with self._lock:
            self.counts[method] += 1
            self.tokens[method].add(token)
            if self.fail_next[method]:
                status = self.fail_next[method].pop(0)
                retry = {"Retry-After": "1"} if status == 429 else {}
                self.rate_limited += status == 429
                return status, {"ok": False, "error": "ratelimited" if status == 429 else "fatal_error"}, retry
            # apps.connections.open takes only the app-level token, every other method the bot token
            wanted, other = (self.app_token, self.token) if method == "apps.connections.open" else (self.token, None)
            if token != wanted:
                return 200, {"ok": False, "error": "not_allowed_token_type" if token == other else "invalid_auth"}, {}
            limit = self.rate_limits.get(method)
            if limit:
                key = (method, str(body.get("channel", "")))
                now = self.clock()
                last = self._last_call.get(key)
                if last is not None and now - last < 1 / limit:
                    self.rate_limited += 1
                    return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}
                self._last_call[key] = now
            self.calls.append((method, body))
            extra = {"x-oauth-scopes": ",".join(self.scopes)} if method == "auth.test" else {}
            return 200, self._answer(method, body), extra

    def _answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        channel = str(body.get("channel", body.get("channel_id", "")))
        if channel in self.channel_errors:
            return {"ok": False, "error": self.channel_errors[channel]}
        if method == "apps.connections.open" and self.socket_link is not None:
            return {"ok": True, "url": self.socket_link()}
        if method == "auth.test":
            return {"ok": True, "url": "https://acme.slack.com/", "team": "Acme", "user": "nrr",
                    "team_id": "T0ACME", "user_id": "U0NRRBOT", "bot_id": "B0NRRBOT", "is_enterprise_install": False}
        if method in ("chat.postMessage", "chat.update"):
            ts = f"1763800000.{next(self._ts):06d}"
            return {"ok": True, "channel": channel, "ts": ts,
                    "message": {"type": "message", "text": body.get("text", ""), "ts": ts, "bot_id": "B0NRRBOT"}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1763800000.{next(self._ts):06d}"}
        if method == "views.publish":
            view = body.get("view")
            view = json.loads(view) if isinstance(view, str) else view
            return {"ok": True, "view": {"id": "V0HOME", "type": "home", **(view or {})}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):08d}"
            return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = body.get("files")
            files = json.loads(files) if isinstance(files, str) else files or []
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title", "")} for f in files]}
        if method == "conversations.info":
            return {"ok": True, "channel": {"id": channel, "name": "revenue", "is_member": channel in self.member_of,
                                            "is_private": channel in self.private}}
        if method == "conversations.join":
            if channel in self.private:
                return {"ok": False, "error": "method_not_supported_for_channel_type"}
            self.member_of.add(channel)
            return {"ok": True, "channel": {"id": channel, "is_member": True}}
        if method == "users.info":
            user = str(body.get("user", ""))
            if user not in self.users:
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "user": {"id": user, "is_admin": False, "is_owner": False, "is_primary_owner": False,
                                         "tz": "America/New_York", **self.users[user]}}
        if method == "usergroups.users.list":
            group = str(body.get("usergroup", ""))
            if group not in self.usergroups:
                return {"ok": False, "error": "no_such_subteam"}
            return {"ok": True, "users": self.usergroups[group]}
        return {"ok": False, "error": "unknown_method"}
