"""A value worked out once per version of the store.

Caches of anything derived from the graph (statistics, the search index, dumps) hold one of
these: the value is recomputed on first use after a write, and no handler has to remember
to invalidate it.

>>> version = [0]
>>> counted = PerVersion(lambda: version[0], lambda: version[0] * 10)
>>> counted.get(), counted.get()
(0, 0)
>>> version[0] = 1
>>> counted.get()
10
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class PerVersion(Generic[T]):
    def __init__(self, version: Callable[[], int], compute: Callable[[], T]) -> None:
        self._version, self._compute = version, compute
        self._value: tuple[int, T] | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        version = self._version()
        with self._lock:
            if self._value is None or self._value[0] != version:
                self._value = (version, self._compute())
            return self._value[1]
