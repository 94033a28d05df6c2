"""Admission: how many operations may be in the server at once, running or waiting.

`KG_WORKERS + KG_MAX_PENDING` operations are admitted; one more gets 503 with `Retry-After`.
A request that waits for the same read already in flight (the result cache shares its answer)
is admitted like any other — it is one pending operation — and at most `KG_MAX_PENDING` wait
so at once, so duplicates of a slow query cannot take every place from other queries.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import ServiceUnavailable


class Admission:
    def __init__(self, running: int, pending: int) -> None:
        self._places = threading.BoundedSemaphore(running + pending)
        self._waiting = threading.BoundedSemaphore(pending) if pending > 0 else None
        self.closed = False

    def enter(self) -> None:
        """Take a place; 503 when none is free (or the server is stopping). `leave` gives it back."""
        if self.closed:
            raise ServiceUnavailable("the server is stopping")
        if not self._places.acquire(blocking=False):
            raise ServiceUnavailable("too many operations at once; try again shortly")

    def leave(self) -> None:
        self._places.release()

    @contextmanager
    def held(self) -> Iterator[None]:
        self.enter()
        try:
            yield
        finally:
            self.leave()

    @contextmanager
    def waiting(self) -> Iterator[None]:
        """A place for waiting on another request's answer: one of the pending ones."""
        if self._waiting is None or not self._waiting.acquire(blocking=False):
            raise ServiceUnavailable("too many requests wait for answers already being worked out; "
                                     "try again shortly")
        try:
            with self.held():
                yield
        finally:
            self._waiting.release()
