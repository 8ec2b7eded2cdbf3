"""The Slack app: Bolt, its secrets, and one listener per command, action and event."""

from __future__ import annotations

import collections
import json
import logging
import threading
from typing import Any, Protocol

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot import _messages as say
from bot._adapter import refused_by_bolt
from bot._answers import Answers, BotApp
from bot._blocks import SHARE_ACTION
from bot._setup import Caller

log = logging.getLogger("nrr.bot")


class SlackCredentials(Protocol):
    """The secrets the app is built with (read from the environment by the application)."""

    @property
    def bot_token(self) -> str: ...

    @property
    def signing_secret(self) -> str | None: ...

    @property
    def api_url(self) -> str: ...


def build_slack_app(application: BotApp, secrets: SlackCredentials, *, workers: int = 16,
                    pending: int = 1000) -> tuple[App, Answers]:
    """A Bolt app whose Web API client talks to ``secrets.api_url``; nothing is called at start.

    Each listener only acknowledges and hands its work to the answers' pool (``workers`` threads, at
    most ``pending`` jobs taken): Bolt runs it before it responds (``process_before_response``), in
    the thread that dispatched the request, so an ack never waits for a free listener thread behind
    slow work, as it did when Bolt ran listeners in a pool of its own that dashboards could fill.

    Bolt is given the token, not a client of ours: given a client, it still reads SLACK_BOT_TOKEN from
    the environment and warns at every start that the token is unused. Its own client is then pointed
    at ``api_url`` and given a rate-limit retry handler, through the client's public attributes.
    """
    app = App(
        token=secrets.bot_token,
        signing_secret=secrets.signing_secret or "socket-mode-needs-no-signing-secret",
        token_verification_enabled=False,
        request_verification_enabled=secrets.signing_secret is not None,
        process_before_response=True,
        raise_error_for_unhandled_request=True,  # one line in the log and a 400, not Bolt's advice on 12 lines
        logger=log,
    )
    app.client.base_url = secrets.api_url
    app.client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    app.error(refused_by_bolt)
    answers = Answers(application, workers, pending)
    register(app, answers)
    return app, answers


def register(app: App, answers: Answers) -> None:
    """One listener per Slack command, action and event."""

    @app.command("/nrr")
    def nrr_command(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        name = command.get("channel_name", "")  # Slack says "privategroup" or "directmessage" for those
        caller = Caller(command.get("user_id", ""), command.get("channel_id", ""),
                        "" if name in ("privategroup", "directmessage") else name, command.get("team_id", ""))
        if answers.submit(respond, command.get("text", ""), caller, client) is None:
            log.warning("too busy to answer /nrr %r: %d answers waiting", command.get("text", ""),
                        answers.pool.pending)
            ack(text=say.busy(), response_type="ephemeral")
            return
        ack()

    @app.action(SHARE_ACTION)
    def share(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        try:
            value = json.loads(body["actions"][0].get("value") or "{}")
        except (ValueError, RecursionError):
            value = {}
        if not isinstance(value, dict):  # a button's value is ours, an object: anything else shares nothing
            value = {}
        if answers.submit_share(respond, str(value.get("a", "")), body.get("user", {}).get("id", "")) is None:
            log.warning("too busy to share an answer: %d answers waiting", answers.pool.pending)
            threading.Thread(target=respond, kwargs={"text": say.busy(), "response_type": "ephemeral",
                                                     "replace_original": False}, daemon=True).start()

    delivered = _Seen()

    @app.event("app_home_opened")
    def home(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        if not delivered.first(body.get("event_id")):  # Slack's retry of one it sent already (X-Slack-Retry-Num)
            return
        if answers.pool.submit(publish_home, answers, client, event["user"]) is None:
            log.warning("too busy to draw App Home for %s: %d answers waiting", event["user"], answers.pool.pending)
            delivered.forget(body.get("event_id"))  # Slack's retry of it may draw it, once there is room


class _Seen:
    """The last ``most`` event ids delivered: Slack sends an event again when it thinks the first was not
    acknowledged in time, and each delivery drew the App Home again (four retries: four dashboards computed)."""

    def __init__(self, most: int = 1000) -> None:
        self.most, self.ids, self.lock = most, collections.OrderedDict[str, None](), threading.Lock()

    def first(self, event_id: object) -> bool:
        """Whether ``event_id`` is seen for the first time (an event without one always is)."""
        if not isinstance(event_id, str) or not event_id:
            return True
        with self.lock:
            if event_id in self.ids:
                return False
            self.ids[event_id] = None
            if len(self.ids) > self.most:
                self.ids.popitem(last=False)
            return True

    def forget(self, event_id: object) -> None:
        """Take ``event_id`` back: it was not handled, and its retry should be."""
        with self.lock:
            self.ids.pop(event_id, None)  # type: ignore[call-overload]


def publish_home(answers: Answers, client: WebClient, user: str) -> None:
    """Draw ``user``'s App Home (in the answers' pool: the dashboard reads the ledger)."""
    try:
        client.views_publish(user_id=user, view=answers.home())
    except Exception:
        log.exception("could not publish App Home for %s", user)
