"""The Slack app: Bolt, its secrets, and one listener per command, action and event."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot import _messages as say
from bot._answers import Answers
from bot._blocks import SHARE_ACTION
from nrr._errors import ConfigError
from nrr.runtime import Runtime

log = logging.getLogger("nrr.bot")
DEFAULT_API_URL = "https://slack.com/api/"


@dataclass(frozen=True)
class SlackSecrets:
    """Read from the environment at start; never logged."""

    bot_token: str
    signing_secret: str | None
    app_token: str | None
    api_url: str

    def __repr__(self) -> str:
        return f"SlackSecrets(api_url={self.api_url!r}, tokens=<hidden>)"


def slack_secrets(env: Mapping[str, str], *, socket_mode: bool = False) -> SlackSecrets:
    """The Slack secrets, or ``ConfigError`` naming the first one missing."""
    needed = [("SLACK_BOT_TOKEN", "call the Slack Web API")]
    needed.append(("SLACK_APP_TOKEN", "connect in Socket Mode") if socket_mode
                  else ("SLACK_SIGNING_SECRET", "verify that requests come from Slack"))
    for name, purpose in needed:
        if not env.get(name):
            raise ConfigError(say.missing_secret(name, purpose))
    api_url = env.get("SLACK_API_URL") or DEFAULT_API_URL
    return SlackSecrets(env["SLACK_BOT_TOKEN"], env.get("SLACK_SIGNING_SECRET"), env.get("SLACK_APP_TOKEN"),
                        api_url if api_url.endswith("/") else api_url + "/")


def build_slack_app(runtime: Runtime, secrets: SlackSecrets) -> tuple[App, Answers]:
    """A Bolt app whose Web API client talks to ``secrets.api_url``; nothing is called at start."""
    client = WebClient(token=secrets.bot_token, base_url=secrets.api_url,
                       retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)])
    app = App(
        signing_secret=secrets.signing_secret or "socket-mode-needs-no-signing-secret",
        client=client,
        token_verification_enabled=False,
        request_verification_enabled=secrets.signing_secret is not None,
        listener_executor=ThreadPoolExecutor(max_workers=16, thread_name_prefix="nrr-bolt"),
        logger=log,
    )
    answers = Answers(runtime)
    register(app, answers)
    return app, answers


def register(app: App, answers: Answers) -> None:
    """One listener per Slack command, action and event."""

    @app.command("/nrr")
    def nrr_command(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        answers.submit(respond, command.get("text", ""))

    @app.action(SHARE_ACTION)
    def share(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        value = json.loads(body["actions"][0].get("value") or "{}")
        user = body.get("user", {}).get("id", "")

        def in_channel(**message: Any) -> None:
            blocks = [b for b in message.pop("blocks") if b.get("type") != "actions"]
            blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": say.shared_by(user)}]})
            respond(blocks=blocks, response_type="in_channel", replace_original=False, **{
                k: v for k, v in message.items() if k == "text"})
            respond(delete_original=True)

        answers.submit(in_channel, value.get("q", ""))

    @app.event("app_home_opened")
    def home(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        client.views_publish(user_id=event["user"], view=answers.home())
