"""What every local fake shares: a threaded stdlib HTTP server on 127.0.0.1, port 0."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


class LocalHandler(BaseHTTPRequestHandler):
    """The base of the fakes' request handlers: keep-alive HTTP/1.1, quiet, and answered at once.

    A response goes out as two writes (headers, then body); with Nagle's algorithm on, the body
    waits for the client's delayed ACK of the headers, about 40 ms on Linux, on every request.
    """

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *_: object) -> None:
        pass


class LocalServer:
    """Serve ``handler`` on 127.0.0.1 (an ephemeral port) while used as a context manager."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        # serve_forever notices shutdown() only between polls; at its default 0.5 s poll every
        # test that started a fake waited up to half a second on the way out.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01},
                                        daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"


def wait_until(changed: threading.Condition, predicate: Callable[[], bool], timeout: float) -> bool:
    """Block until ``predicate()`` holds, checked whenever ``changed`` is notified, or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    with changed:
        while not predicate():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            changed.wait(left)
    return True
