"""Run an ASGI app under uvicorn on 127.0.0.1 (port 0) in a thread, for tests and benches."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn


class _Server(uvicorn.Server):
    """uvicorn's server, stopped by ``stop()`` at once rather than on its next 0.1 s tick.

    uvicorn's main loop sleeps 0.1 s between looks at ``should_exit``; every test that served an
    app paid for that sleep on the way out. Here the loop waits on an event instead, and still
    ticks once a second so the Date header stays fresh, as uvicorn's own loop keeps it.
    """

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        await super().serve(sockets)

    async def main_loop(self) -> None:
        while not await self.on_tick(0):  # counter 0: refresh the default headers each tick
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=1.0)

    def stop(self) -> None:
        """Ask the server to shut down; safe to call from any thread."""
        self.should_exit = True
        with contextlib.suppress(RuntimeError):  # the loop has already finished
            self._loop.call_soon_threadsafe(self._stop.set)


@contextmanager
def serve(app: Any, **options: Any) -> Iterator[str]:
    """Yield the base URL of ``app`` served by a real uvicorn server (``options``: more of uvicorn's
    settings); stop it afterwards."""
    # A request still running at the end is cancelled after a second instead of holding the exit.
    options = {"ws": "none", **options}  # the fakes serve plain HTTP (Slack's Socket Mode fake is its own server)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on",
                            access_log=False, timeout_graceful_shutdown=1, **options)
    server = _Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
        thread.join(timeout=10)
