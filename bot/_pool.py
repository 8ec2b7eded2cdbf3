"""The bounded pool the bot answers in: so many workers, so many answers waiting, and no more.

Acknowledging a request never waits on it: a listener only submits, and a full pool says so at once
(the caller tells the person to try again) instead of queueing without end.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class BoundedPool:
    """``workers`` threads and at most ``pending`` jobs taken (running or waiting) at a time.

    >>> pool = BoundedPool(workers=1, pending=1)
    >>> gate = threading.Event()
    >>> first = pool.submit(gate.wait)
    >>> pool.submit(print, "no room") is None
    True
    >>> _ = gate.set(), first.result()
    >>> pool.submit(len, "room again").result()
    10
    """

    def __init__(self, workers: int, pending: int, name: str = "nrr-answer") -> None:
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self.limit = pending
        self.pending = 0  # jobs taken and not yet done (running or waiting)
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any] | None:
        """Run ``fn(*args)`` in the pool; None, at once, when ``pending`` jobs are already taken."""
        with self._lock:
            if self.pending >= self.limit:
                return None
            self.pending += 1
        try:
            future = self.executor.submit(fn, *args)
        except BaseException:
            self._done(None)
            raise
        future.add_done_callback(self._done)
        return future

    def _done(self, _: object) -> None:
        with self._lock:
            self.pending -= 1

    def shutdown(self, wait: bool = True) -> None:
        self.executor.shutdown(wait=wait)
