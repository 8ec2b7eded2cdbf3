"""The HTTP app ``nrr serve`` runs: health, the Sheets add-on under /addon/, Slack at /slack/events.

An ASGI (Starlette) app behind uvicorn, a production server; each integration mounts its routes
only when configured.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from nrr.config import slack_secrets
from nrr.runtime import Runtime


@dataclass
class Server:
    """What ``nrr serve`` runs: the ASGI app, and in Socket Mode the handler to connect."""

    app: Starlette
    socket_mode: Any = None  # a SocketModeHandler when serving Slack over Socket Mode


def build_server(runtime: Runtime, *, socket_mode: bool = False, ping_interval: float = 10) -> Server:
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
            routes += slack_routes(slack_app)
    return Server(build_app(runtime, routes), handler)


def build_app(runtime: Runtime, extra_routes: list[BaseRoute] | None = None) -> Starlette:
    """The app for ``runtime``: /healthz, plus the add-on when [addon] is configured."""
    routes: list[BaseRoute] = []
    settings = runtime.settings
    if settings.addon.endpoint_url and settings.addon.service_account:
        from nrr.addon import IdTokenVerifier, addon_routes

        verifier = IdTokenVerifier(settings.addon.endpoint_url, settings.addon.service_account,
                                   certs_url=settings.addon.certs_url, clock=runtime.monotonic)
        routes += addon_routes(runtime, verifier, settings.addon.endpoint_url)
    routes += extra_routes or []
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
    return Starlette(routes=routes, lifespan=lifespan)
