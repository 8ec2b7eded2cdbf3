"""Request coalescing: concurrent callers asking for the same key share one call's result."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Generic, TypeVar

T = TypeVar("T")


class Flights(Generic[T]):
    """``run(key, call)``: the first caller for ``key`` calls; those arriving meanwhile wait for
    its result (or its exception) instead of calling again."""

    def __init__(self) -> None:
        self._inflight: dict[Hashable, Future[T]] = {}
        self._lock = threading.Lock()

    def run(self, key: Hashable, call: Callable[[], T]) -> T:
        with self._lock:
            flight = self._inflight.get(key)
            leader = flight is None
            if flight is None:
                flight = self._inflight[key] = Future()
        if not leader:
            return flight.result()
        try:
            value = call()
        except BaseException as exc:
            flight.set_exception(exc)
            raise
        finally:
            with self._lock:
                self._inflight.pop(key, None)
        flight.set_result(value)
        return value
