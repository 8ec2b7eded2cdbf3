"""The HTTP app ``nrr serve`` runs: health, the Sheets add-on under /addon/, Slack at /slack/events.

An ASGI (Starlette) app behind uvicorn, a production server; each integration mounts its routes
only when configured. Every route sits behind the same limits on what a client may send: a body
over ``MAX_BODY_BYTES`` is refused with 413 before it is read, a body still arriving after
``BODY_TIMEOUT`` seconds gets 408, and (``uvicorn_options``) headers over ``MAX_HEADER_BYTES`` are
refused and a connection that has not sent its headers within ``HEADER_TIMEOUT`` seconds is closed.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from engine import whole_number
from nrr import _messages as say
from nrr.config import slack_secrets
from nrr.runtime import Runtime

log = logging.getLogger("nrr.server")

#: The largest request body read, 1 MiB: a slash command is under 1 KB, Slack's largest interaction
#: payloads (a modal's state) and the add-on's event objects a few tens of KB.
MAX_BODY_BYTES = 1024 * 1024
#: The most a request's line and headers may take (uvicorn's h11 limit), 16 KiB.
MAX_HEADER_BYTES = 16 * 1024
#: Seconds a client has to send its request line and headers, then its body; then an idle keep-alive
#: connection's seconds.
HEADER_TIMEOUT, BODY_TIMEOUT, KEEP_ALIVE_TIMEOUT = 10.0, 10.0, 5


class RequestLimits:
    """ASGI middleware in front of every route: the body is read here, at most ``max_bytes`` of it
    within ``timeout`` seconds, then handed to the app whole.

    A declared Content-Length over the limit is refused with 413 before a byte of the body is read;
    a chunked body is counted as it streams and refused once it passes the limit, so an unsigned
    100 MB POST costs a megabyte at most. Slack's signature is checked after this, by Bolt: the
    body is what is signed.
    """

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES, timeout: float = BODY_TIMEOUT) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        declared = Headers(scope=scope).get("content-length")
        size = whole_number(declared, 15) if declared is not None else None
        if declared is not None and (size is None or size > self.max_bytes):
            await self._refuse(413 if size is not None else 400, path, scope, receive, send,
                               f"Content-Length {declared[:20]}")
            return
        chunks: list[bytes] = []
        size = 0
        try:
            with anyio.fail_after(self.timeout):
                more = True
                while more:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > self.max_bytes:
                        await self._refuse(413, path, scope, receive, send, "a chunked body")
                        return
                    chunks.append(chunk)
                    more = message.get("more_body", False)
        except TimeoutError:
            await self._refuse(408, path, scope, receive, send, f"{size} bytes in {self.timeout:g} s")
            return
        body, handed = b"".join(chunks), False

        async def replay() -> Message:
            nonlocal handed
            if handed:
                return await receive()
            handed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, status: int, path: str, scope: Scope, receive: Receive, send: Send, what: str) -> None:
        text = {413: say.body_too_large(self.max_bytes), 408: say.body_too_slow(self.timeout),
                400: say.bad_content_length()}[status]
        log.warning("refused a request to %s with %d: %s (%s)", path, status, text, what)
        await PlainTextResponse(text, status_code=status, headers={"Connection": "close"})(scope, receive, send)


def uvicorn_options(header_timeout: float = HEADER_TIMEOUT) -> dict[str, Any]:
    """uvicorn's settings for ``nrr serve``: the header size limit, the keep-alive timeout, and an h11
    protocol that closes a connection whose request line and headers are not all in within
    ``header_timeout`` seconds (uvicorn itself waits for them forever)."""
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class HeaderTimeoutProtocol(H11Protocol):
        _waiting: Any = None  # the timer armed while a request's headers are awaited

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.conn.their_state is h11.IDLE:  # part of a request line or headers: the clock runs
                self._arm()
            else:
                self._disarm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            if self._waiting is None:
                self._waiting = self.loop.call_later(header_timeout, self._too_slow)

        def _disarm(self) -> None:
            if self._waiting is not None:
                self._waiting.cancel()
                self._waiting = None

        def _too_slow(self) -> None:
            self._waiting = None
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                log.warning("closed a connection from %s: no complete request headers within %g s",
                            f"{self.client[0]}:{self.client[1]}" if self.client else "a client", header_timeout)
                self.transport.close()

    # no WebSocket endpoint is served (Socket Mode is a client): uvicorn does not import a websockets library,
    # whose older releases beside an older uvicorn warn on import
    return {"http": HeaderTimeoutProtocol, "ws": "none", "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
            "timeout_keep_alive": KEEP_ALIVE_TIMEOUT}


@dataclass
class Server:
    """What ``nrr serve`` runs: the ASGI app, and in Socket Mode the handler to connect."""

    app: Starlette
    socket_mode: Any = None  # a SocketModeHandler when serving Slack over Socket Mode


def build_server(runtime: Runtime, *, socket_mode: bool = False, ping_interval: float = 10,
                 body_timeout: float = BODY_TIMEOUT) -> Server:
    """Everything configured, wired; a missing Slack secret fails here, at start, by name.

    In Socket Mode the client pings Slack and checks its socket every ``ping_interval`` seconds
    (Bolt's default, 10). A ``disconnect`` message from Slack is answered with a new socket at
    once; a socket Slack closes unannounced is replaced at the next check, one that died without
    a close frame after five failed pings. Tests pass a tenth of a second.
    """
    routes: list[BaseRoute] = []
    handler = None
    if runtime.settings.slack.enabled:
        from bot import build_slack_app, slack_routes

        secrets = slack_secrets(runtime.env, "socket-mode" if socket_mode else "events")
        slack_app, _ = build_slack_app(runtime, secrets)
        if socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            handler = SocketModeHandler(slack_app, secrets.app_token, ping_interval=ping_interval)
        else:
            routes += slack_routes(slack_app, secrets.signing_secret or "")
    return Server(build_app(runtime, routes, body_timeout=body_timeout), handler)


def build_app(runtime: Runtime, extra_routes: list[BaseRoute] | None = None, *,
              body_timeout: float = BODY_TIMEOUT) -> Starlette:
    """The app for ``runtime``: /healthz, plus the add-on when [addon] is configured, every route
    behind ``RequestLimits``."""
    routes: list[BaseRoute] = []
    settings = runtime.settings
    if settings.addon.endpoint_url and settings.addon.service_account:
        from nrr.addon import IdTokenVerifier, addon_routes

        verifier = IdTokenVerifier(settings.addon.endpoint_url, settings.addon.service_account,
                                   certs_url=settings.addon.certs_url, clock=runtime.monotonic)
        routes += addon_routes(runtime, verifier, settings.addon.endpoint_url)
    routes += extra_routes or []
    if runtime.env.get("STRIPE_WEBHOOK_SECRET"):
        routes.append(Route("/stripe/webhook", _stripe_webhook(runtime, runtime.env["STRIPE_WEBHOOK_SECRET"]),
                            methods=["POST"]))
    ready = {"ok": False}

    async def healthz(_: Request) -> Response:
        if not ready["ok"]:
            return JSONResponse({"status": "starting"}, status_code=503)
        return JSONResponse({"status": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        ready["ok"] = True
        yield
        ready["ok"] = False

    routes.append(Route("/healthz", healthz, methods=["GET"]))
    return Starlette(routes=routes, lifespan=lifespan,
                     middleware=[Middleware(RequestLimits, timeout=body_timeout)])


def _stripe_webhook(runtime: Runtime, secret: str) -> Any:
    """``POST /stripe/webhook``: a verified ``invoice.*`` or ``customer.*`` event marks the Stripe sync stale, so
    the next answer syncs first; a request that does not verify gets 400 and nothing in it is read."""
    from stripe_source import WebhookRefused, stale_kind, verify_event

    async def webhook(request: Request) -> Response:
        payload = await request.body()
        now = runtime.clock()
        try:
            event = verify_event(payload, request.headers.get("stripe-signature"), secret, now)
        except WebhookRefused as exc:
            log.warning("refused a Stripe webhook: %s", exc)
            return PlainTextResponse(say.stripe_webhook_refused(), status_code=400)
        kind = stale_kind(event["type"])
        if kind is not None:
            await anyio.to_thread.run_sync(
                lambda: runtime.state().stripe_mark_stale(now, customers=kind == "customers"))
        return JSONResponse({"received": True})

    return webhook
