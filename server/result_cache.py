"""The result cache: repeated identical reads answered without the engine.

It sits in front of the pool (`CachingPool`), so every read that goes through the pool can use
it: SPARQL queries and saved queries (`Query` jobs) and the reads behind entity pages and the
Graph Store (`Call`s of the functions named cacheable). The key is the normalised operation
(the query's tokens, so spacing and comments do not matter; or the function and its arguments),
its dataset and base, the format asked for (Accept and `format=`), the row cap, and the store's
version — so a write, which moves the version, makes every older entry unreachable, and the
first read after it empties the cache. Behind a remote engine, which others may write to without our knowing, entries are
also given at most the pool's `cache_ttl` seconds. Only answers are cached, never errors, and a cached answer is the same bytes as the
fresh one was.
"""

from __future__ import annotations

import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from kg.safety import Malformed, shape

from .jobs import Call, Job, Query
from .metrics import Metrics
from .results import Serialized
from .streaming import Streamed

MAX_BYTES = 64 * 1024 * 1024  # answers held, in all
MAX_ENTRY = 4 * 1024 * 1024  # an answer larger than this is not kept


class ResultCache:
    """A byte-bounded LRU map."""

    def __init__(self, max_bytes: int = MAX_BYTES, max_entry: int = MAX_ENTRY) -> None:
        self._entries: OrderedDict[Hashable, tuple[Any, int, float]] = OrderedDict()
        self._bytes, self._max, self._max_entry = 0, max_bytes, max_entry
        self._lock = threading.Lock()

    def get(self, key: Hashable, max_age: float | None = None) -> tuple[bool, Any]:
        """(found, value); an entry older than `max_age` seconds is not found."""
        if self._max <= 0:
            return False, None
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or (max_age is not None and time.monotonic() - entry[2] > max_age):
                return False, None
            self._entries.move_to_end(key)
            return True, entry[0]

    def put(self, key: Hashable, value: Any) -> None:
        if self._max <= 0:
            return
        size = len(value.body) if isinstance(value, Serialized) else len(pickle.dumps(value))
        if size > min(self._max_entry, self._max):
            return
        with self._lock:
            if key in self._entries:
                self._bytes -= self._entries.pop(key)[1]
            self._entries[key] = (value, size, time.monotonic())
            self._bytes += size
            while self._bytes > self._max and self._entries:
                self._bytes -= self._entries.popitem(last=False)[1][1]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def enabled(self) -> bool:
        return self._max > 0


def normalised(text: str, base: str | None) -> str | None:
    """The operation as its tokens, one space apart; None when it cannot be read (not cached)."""
    try:
        return " ".join(token.text for token in shape(text, base).tokens)
    except (Malformed, ValueError, SyntaxError):
        return None


class CachingPool:
    """A pool (worker or remote) with the result cache in front of its reads."""

    def __init__(self, pool: Any, metrics: Metrics, cacheable: frozenset[Callable[..., Any]],
                 cache: ResultCache | None = None) -> None:
        self._pool, self._metrics, self._cacheable = pool, metrics, cacheable
        self.cache = cache if cache is not None else ResultCache()
        self._version = pool.version  # the version the entries are of

    def __getattr__(self, name: str) -> Any:  # version, workers, update, commit, start, close …
        return getattr(self._pool, name)

    def _key(self, job: Job) -> Hashable | None:
        version = self._pool.version
        if version != self._version:  # a write: no older entry can be asked for again
            self._version = version
            self.cache.clear()
        if isinstance(job, Query):
            text = normalised(job.text, job.base)
            return None if text is None else ("query", text, job.default_graphs, job.named_graphs, job.accept,
                                               job.override, job.max_rows, job.base, version)
        if isinstance(job, Call) and job.function in self._cacheable:
            return ("call", job.function.__module__, job.function.__qualname__, repr(job.args), version)
        return None

    def run(self, job: Job, *, timeout: float | None = None, method: Callable[..., Any] | None = None) -> Any:
        key = self._key(job) if self.cache.enabled else None
        if key is not None:
            found, value = self.cache.get(key, getattr(self._pool, "cache_ttl", None))
            if found:
                self._metrics.cache_hits.inc()
                return value
            self._metrics.cache_misses.inc()
        value = (method or self._pool.run)(job, timeout=timeout)
        if key is not None and not isinstance(value, Streamed):
            self.cache.put(key, value)
        return value

    def call(self, function: Any, *args: Any, timeout: float | None = None) -> Any:
        return self.run(Call(function, args), timeout=timeout)

    def stream(self, job: Query, *, timeout: float | None = None) -> Any:
        """A query's answer, cached when it came whole (a streamed one is never kept)."""
        return self.run(job, timeout=timeout, method=self._pool.stream)
