"""Bolt behind Starlette: a page of code, like bolt-python's own adapters, except that
``App.dispatch`` (which blocks until the listener acks) runs in the thread pool, never on the
event loop, so one slow request cannot hold up the others."""

from __future__ import annotations

from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def slack_routes(app: App, path: str = "/slack/events") -> list[Route]:
    async def handle(request: Request) -> Response:
        body = await request.body()
        response = await run_in_threadpool(app.dispatch, to_bolt_request(request, body))
        return to_starlette_response(response)

    return [Route(path, handle, methods=["POST"])]
