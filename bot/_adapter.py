"""Bolt behind Starlette: a page of code, like bolt-python's own adapters, except that

- Slack's signature is checked on the raw body before anything parses it, and a signed body nrr
  cannot use (not UTF-8, not the JSON or form Slack sends, a slash command without a
  response_url) is a 400 logged in one line, instead of Bolt's 500 with a traceback;
- the body is read by its fields, and Bolt is handed what was read: Bolt's own reading takes any form
  holding the letters "payload" (a channel named #api-payloads) for an interactivity payload;
- ``App.dispatch`` runs in threads of its own (``ACK_THREADS`` of them), never on the event loop and
  never in the pool other routes (the add-on) use, so nothing else can hold up an ack: the listeners
  only acknowledge and hand their work to the answers' bounded pool.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from anyio import CapacityLimiter, to_thread
from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.adapter.starlette.handler import to_starlette_response
from slack_bolt.error import BoltUnhandledRequestError
from slack_bolt.request.internals import build_context
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot import _messages as say
from bot._blocks import SHARE_ACTION
from engine import whole_number

log = logging.getLogger("nrr.bot")
ACK_THREADS = 16


def slack_routes(app: App, signing_secret: str, path: str = "/slack/events",
                 clock: Callable[[], float] = time.time) -> list[Route]:
    """The route Slack posts commands, actions and events to, for ``app`` signed with ``signing_secret``."""
    secret = signing_secret.encode()
    limiter = CapacityLimiter(ACK_THREADS)

    async def handle(request: Request) -> Response:
        body = await request.body()
        if not signed(secret, body, request.headers, clock()):
            return JSONResponse({"error": "invalid request"}, status_code=401)  # as Bolt answers it
        parsed, reason = read_body(body, request.headers.get("content-type"))
        if reason is not None:
            return refuse(reason)
        try:  # Bolt reads who, where and which listener from the body's shape before its own error handling
            response = await to_thread.run_sync(lambda: app.dispatch(bolt_request(request, body, parsed)),
                                                limiter=limiter)
        except Exception as exc:
            return to_starlette_response(refused_by_bolt(exc))
        return to_starlette_response(response)

    return [Route(path, handle, methods=["POST"])]


def refuse(reason: str) -> Response:
    """400 for a signed request nrr cannot use, logged in one line."""
    log.warning("refused a signed Slack request: %s", reason)
    return PlainTextResponse(say.unusable_request(reason), status_code=400)


def refused_by_bolt(error: Exception) -> BoltResponse:
    """Bolt's error handler: what Bolt could not read in a signed body (a field of the wrong shape) is
    a 400, logged in one line (its traceback at DEBUG), not a 500 with a traceback. Slack's Web API out of
    reach while Bolt authorizes the request (SLACK_API_URL, the network) is a 503, said as such: the request
    was not at fault."""
    if isinstance(error, BoltUnhandledRequestError):  # signed, read, and for nothing nrr answers (another command)
        body = error.request.body if isinstance(error.request.body, dict) else {}
        if body.get("type") == "app_rate_limited":  # Slack's notice, not a request: a 400 counts toward disabling
            log.warning("%s", say.events_rate_limited(str(body.get("team_id", ""))[:40],
                                                      _minute(body.get("minute_rate_limited"))))
            return BoltResponse(status=200, body="")
        what = say.unhandled(body)
        log.warning("ignored a signed Slack request: %s", what)
        if body.get("type") == "event_callback":  # acknowledged, or Slack delivers it again and again
            return BoltResponse(status=200, body="")
        return BoltResponse(status=400, body=say.unusable_request(what))
    if isinstance(error, OSError):  # URLError, a refused or timed-out connection
        log.warning("could not answer a Slack request: %s", say.api_unreachable(error))
        log.debug("what Bolt raised", exc_info=error)
        return BoltResponse(status=503, body=say.api_unreachable(error))
    reason = say.unreadable(error)
    log.warning("refused a signed Slack request: %s", reason)
    log.debug("what Bolt raised", exc_info=error)
    return BoltResponse(status=400, body=say.unusable_request(reason))


def _minute(epoch: object) -> str:
    """``2018-02-12 20:37 UTC`` for Slack's ``minute_rate_limited`` (epoch seconds); anything else as sent."""
    if isinstance(epoch, int) and not isinstance(epoch, bool) and 0 <= epoch < 2**35:
        return f"{dt.datetime.fromtimestamp(epoch, dt.UTC):%Y-%m-%d %H:%M} UTC"
    return repr(epoch)[:40]


def signed(secret: bytes, body: bytes, headers: Headers, now: float) -> bool:
    """Whether ``body`` (its bytes, whatever they are) carries Slack's signature, made within 5 minutes
    of ``now``: Slack's v0 HMAC-SHA256 of ``v0:{timestamp}:{body}``."""
    timestamp, signature = headers.get("x-slack-request-timestamp"), headers.get("x-slack-signature")
    if timestamp is None or signature is None or (sent := whole_number(timestamp, 15)) is None or abs(now - sent) > 300:
        return False
    expected = hmac.new(secret, b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(f"v0={expected}".encode(), signature.encode("latin-1"))


def read_body(body: bytes, content_type: str | None) -> tuple[dict[str, Any], str | None]:
    """A signed body read as Slack sends it, by its fields: JSON, a form with a ``payload`` field (an
    interactivity request) or a form (a slash command's, whatever its fields say); or why it is not usable.

    A form with a ``command`` field is a slash command even when its text, channel or user name holds the
    letters "payload": Bolt's ``parse_body`` takes any such body for an interactivity payload.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return {}, say.NOT_UTF8
    if not text:
        return {}, None
    # JSON by its media type, whatever parameters follow it (application/json; charset=utf-8), or by its first brace
    if (content_type or "").split(";")[0].strip().lower() == "application/json" or text.lstrip().startswith("{"):
        parsed, reason = _object(text, say.NOT_JSON, say.NOT_AN_OBJECT)
    else:
        parsed, reason = dict(parse_qsl(text, keep_blank_values=True)), None
        if "payload" in parsed and "command" not in parsed:
            parsed, reason = _object(parsed["payload"], say.PAYLOAD_NOT_JSON, say.PAYLOAD_NOT_AN_OBJECT)
    if reason is None and "command" in parsed:
        url, words = parsed.get("response_url"), parsed.get("text", "")
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            return parsed, say.NO_RESPONSE_URL
        if not isinstance(words, str):
            return parsed, say.COMMAND_TEXT_NOT_TEXT
        odd = next((f for f in COMMAND_FIELDS if f in parsed and not isinstance(parsed[f], str)), None)
        if odd is not None:  # a JSON command whose user_id is 5: a TypeError deep in the answer, after the ack
            return parsed, say.field_not_text(odd)
    if reason is None and parsed.get("type") == "block_actions" and not isinstance(parsed.get("response_url"), str):
        actions = parsed.get("actions")
        if isinstance(actions, list) and any(isinstance(a, dict) and a.get("action_id") == SHARE_ACTION
                                             for a in actions):
            return parsed, say.SHARE_WITHOUT_RESPONSE_URL  # its answer is posted through the response_url
    return parsed, reason


#: the fields of a slash command that are text, as Slack sends them
COMMAND_FIELDS = ("command", "user_id", "user_name", "team_id", "team_domain", "channel_id", "channel_name",
                  "enterprise_id", "trigger_id", "api_app_id")


def bolt_request(request: Request, body: bytes, parsed: dict[str, Any]) -> BoltRequest:
    """Bolt's request for ``body``, read as ``read_body`` read it (``parsed``), not by Bolt's ``parse_body``."""
    bolt = BoltRequest(body="", query=request.query_params, headers=request.headers)  # type: ignore[arg-type]
    bolt.raw_body, bolt.body = body.decode("utf-8"), parsed
    bolt.context = build_context(BoltContext({}), parsed)
    return bolt


def _object(text: str, not_json: str, not_object: str) -> tuple[dict[str, Any], str | None]:
    try:
        value: Any = json.loads(text)
    except (ValueError, RecursionError):  # nested past Python's recursion limit (fuzz 17: a 500 and a traceback)
        return {}, not_json
    return (value, None) if isinstance(value, dict) else ({}, not_object)
