"""The result cache: repeated identical reads answered without the engine.

It sits in front of the pool (`CachingPool`), so every read that goes through the pool can use
it: SPARQL queries and saved queries (`Query` jobs) and the reads behind entity pages and the
Graph Store (`Call`s of the functions named cacheable). The key is the normalised operation
(the query's tokens, so spacing and comments do not matter; or the function and its arguments),
its dataset, its base (when its text has relative IRIs), the format the answer will be in (as
negotiated from Accept and `format=`, so clients asking differently for it share it) and the row
cap, all hashed (SHA-256, so a key is small whatever a client sent), and the store's version —
so a write, which moves the version, makes every older entry unreachable. A
streamed answer is kept when it has ended whole within the size an entry may have. The first
read after a write moves the entries the write cannot have changed to the new version and
drops the rest: an answer is kept when the predicates it depends on (worked out in the
background by `dependencies`) and the predicates of the quads the write added or removed have
none in common. Behind a remote engine, which others may write to without our knowing,
nothing is kept across a write, and entries are also given at most the pool's `cache_ttl`
seconds. Only answers are cached, never errors, and a cached answer is the same bytes as the
fresh one was.
"""

from __future__ import annotations

import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from kg.iris import scheme
from kg.safety import Malformed, first_word, shape
from kg.text_cache import digest

from .dependencies import predicates
from .errors import NotAcceptable, QueryTimeout
from .jobs import Call, Job, Query
from .metrics import Metrics
from .negotiation import GRAPH_FORMATS, RESULT_FORMATS, negotiate
from .requests import deadline
from .results import Serialized
from .streaming import Streamed

MAX_BYTES = 64 * 1024 * 1024  # answers held, in all
MAX_ENTRY = 4 * 1024 * 1024  # an answer larger than this is not kept
VOLATILE = ("RAND", "NOW", "UUID", "STRUUID", "BNODE",  # functions with a new value on every run
            "SERVICE")  # another endpoint's answer (or its failure, under SILENT): no write of ours moves it
ANALYSIS_WAIT = 0.5  # seconds a move to a new version waits for dependencies still being worked out
KEY_BYTES = 200  # what an entry costs besides its answer: its key and bookkeeping
ANALYSIS_QUEUE = 32  # analyses waiting at most; beyond, an answer depends on every write


class ResultCache:
    """A byte-bounded LRU map."""

    def __init__(self, max_bytes: int = MAX_BYTES, max_entry: int = MAX_ENTRY) -> None:
        self._entries: OrderedDict[Hashable, tuple[Any, int, float, Future | None]] = OrderedDict()
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

    def put(self, key: Hashable, value: Any, depends: Future | None = None) -> None:
        """Keep `value`; `depends` is to give the predicates it depends on (see `carry`)."""
        if self._max <= 0:
            return
        size = KEY_BYTES + (len(value.body) if isinstance(value, Serialized) else len(pickle.dumps(value)))
        if size > self.max_entry:
            return
        with self._lock:
            if key in self._entries:
                self._bytes -= self._entries.pop(key)[1]
            self._entries[key] = (value, size, time.monotonic(), depends)
            self._bytes += size
            while self._bytes > self._max and self._entries:
                self._bytes -= self._entries.popitem(last=False)[1][1]

    def carry(self, old: int, new: int, touched: frozenset[str] | None) -> int:
        """After the writes from version `old` to `new`, which wrote quads of the predicates
        `touched` (None: of any), keep as entries of `new` those of `old` whose answers depend
        on none of them; drop the rest. How many were kept."""
        with self._lock:
            entries, self._entries, self._bytes = self._entries, OrderedDict(), 0
            if touched is None:
                return 0
            deadline = time.monotonic() + ANALYSIS_WAIT
            for key, (value, size, at, depends) in entries.items():
                if key[-1] == old and _unaffected(depends, touched, deadline):  # type: ignore[index]
                    self._entries[(*key[:-1], new)] = (value, size, at, depends)  # type: ignore[index]
                    self._bytes += size
            return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def max_entry(self) -> int:
        """The largest answer kept, in bytes."""
        return min(self._max_entry, self._max)

    @property
    def enabled(self) -> bool:
        return self._max > 0


def _unaffected(depends: Future | None, touched: frozenset[str], deadline: float) -> bool:
    """Whether an answer is known, by `deadline`, to depend on none of the predicates `touched`."""
    if depends is None:
        return False
    try:
        predicates = depends.result(timeout=max(0.0, deadline - time.monotonic()))
    except Exception:  # noqa: BLE001 - not known in time, or not at all: not kept
        return False
    return predicates is not None and predicates.isdisjoint(touched)


def normalised(text: str, base: str | None) -> bytes | None:
    """The digest of the operation's tokens, one space apart (so a key is 32 bytes whatever the
    text's length); None (not cached) when it cannot be read, or when it calls a function whose
    value differs on every run (RAND, NOW, UUID …)."""
    try:
        tokens = shape(text, base).tokens
    except (Malformed, ValueError, SyntaxError):
        return None
    if any(token.is_word(*VOLATILE) for token in tokens):
        return None
    return digest(" ".join(token.text for token in tokens))


def answered_as(job: Query) -> tuple[str | None, ...]:
    """The format the answer will be in, for the query's form (a table or a graph), as
    negotiated from what the client sent: clients that ask differently for the same answer
    share it (and an answer warmed ahead of them serves them all)."""
    form = _form(job.text)
    families = [RESULT_FORMATS] if form in ("SELECT", "ASK") else [GRAPH_FORMATS] if form else [RESULT_FORMATS,
                                                                                                GRAPH_FORMATS]
    try:
        return tuple(negotiate(job.accept, family, job.override).media_type for family in families)
    except NotAcceptable:  # answered with an error, never kept; the key only has to be distinct
        return ("not acceptable", job.accept, job.override)


def _form(text: str) -> str | None:
    """SELECT, CONSTRUCT, ASK or DESCRIBE: the first keyword after the prologue; None if unread."""
    try:
        word = first_word(shape(text).tokens)
    except (Malformed, ValueError, SyntaxError):
        return None
    return word if word in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE") else None


def resolves(text: str) -> bool:
    """Whether an operation has a relative IRI (which the base resolves)."""
    try:
        tokens = shape(text).tokens
    except (Malformed, ValueError, SyntaxError):
        return True
    return any(token.kind == "iri" and scheme(token.text[1:-1], None) is None for token in tokens)


class CachingPool:
    """A pool (worker or remote) with the result cache in front of its reads."""

    def __init__(self, pool: Any, metrics: Metrics, cacheable: frozenset[Callable[..., Any]],
                 cache: ResultCache | None = None, timeout: float = 30.0) -> None:
        self._pool, self._metrics, self._cacheable, self._timeout = pool, metrics, cacheable, timeout
        self._inflight: dict[Hashable, Future] = {}  # misses being answered, by key
        self._inflight_lock = threading.Lock()
        self.cache = cache if cache is not None else ResultCache()
        self._version = pool.version  # the version the entries are of
        self._moving = threading.Lock()
        self._analysis = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-cache-analysis")
        self._queued = threading.BoundedSemaphore(ANALYSIS_QUEUE)  # analyses waiting or running

    def __getattr__(self, name: str) -> Any:  # version, workers, update, commit, start, close …
        return getattr(self._pool, name)

    def _key(self, job: Job) -> Hashable | None:
        version = self._pool.version
        if version != self._version:
            self._move_to(version)
        if isinstance(job, Query):
            text = normalised(job.text, job.base)
            parts = None if text is None else ("query", text, job.default_graphs, job.named_graphs, answered_as(job),
                                                job.max_rows, job.base if resolves(job.text) else None)
        elif isinstance(job, Call) and job.function in self._cacheable:
            parts = ("call", job.function.__module__, job.function.__qualname__, job.args)
        else:
            return None
        return None if parts is None else (digest(repr(parts)), version)  # small, whatever the client sent

    def _move_to(self, version: int) -> None:
        """A write: entries of the older version that it cannot have changed are kept for the
        new one; the rest are dropped (and could never be asked for again)."""
        with self._moving:
            if version == self._version:
                return
            touched = getattr(self._pool, "touched_since", lambda _: None)(self._version)
            kept = self.cache.carry(self._version, version, touched)
            self._metrics.cache_kept.inc(kept)
            self._version = version

    def _depends(self, job: Job) -> Future | None:
        """The predicates a query's answer depends on, worked out on a thread of its own; None
        (every write) when ANALYSIS_QUEUE analyses are waiting already."""
        if not isinstance(job, Query) or not self._queued.acquire(blocking=False):
            return None
        try:
            future = self._analysis.submit(predicates, job.text, job.base)
        except RuntimeError:  # shut down
            self._queued.release()
            return None
        future.add_done_callback(lambda _: self._queued.release())
        return future

    def run(self, job: Job, *, timeout: float | None = None, method: Callable[..., Any] | None = None) -> Any:
        key = self._key(job) if self.cache.enabled else None
        ask = method or self._pool.run
        if key is None:
            return ask(job, timeout=timeout)
        found, value = self.cache.get(key, getattr(self._pool, "cache_ttl", None))
        if found:
            self._metrics.cache_hits.inc()
            return value
        with self._inflight_lock:
            leader = self._inflight.get(key)
            if leader is None:
                self._inflight[key] = Future()
        if leader is not None:  # the same read is being answered: share its answer
            shared = self._shared(leader, timeout)
            if shared is not None:
                return shared
        self._metrics.cache_misses.inc()
        return self._answer(key, job, ask, timeout) if leader is None else ask(job, timeout=timeout)

    def _shared(self, leader: Future, timeout: float | None) -> Any:
        """The answer of the same read in flight; None when it was streamed (not shareable).
        The wait holds a place in the pool's admission and ends at this request's own deadline."""
        seconds = timeout or self._timeout
        due = time.monotonic() + timeout if timeout else deadline(seconds)
        with self._pool.waiting():
            try:
                value = leader.result(timeout=max(0.0, due - time.monotonic()))
            except FutureTimeout:
                raise QueryTimeout(f"the same query, asked before this one, was still running at this one's "
                                   f"{seconds:g} s deadline") from None
        if isinstance(value, Streamed):
            return None
        self._metrics.cache_shared.inc()
        return value

    def _answer(self, key: Hashable, job: Job, ask: Callable[..., Any], timeout: float | None) -> Any:
        """Answer a miss, and share the answer (or the error) with the same reads that came meanwhile."""
        leader = self._inflight[key]
        try:
            value = ask(job, timeout=timeout)
        except BaseException as error:
            leader.set_exception(error)
            raise
        finally:
            with self._inflight_lock:
                del self._inflight[key]
        if isinstance(value, Streamed):  # kept if it ends whole and small enough to keep
            depends = self._depends(job)
            value.keep(self.cache.max_entry, lambda body: self.cache.put(key, Serialized(body, value.media_type),
                                                                         depends))
        else:
            self.cache.put(key, value, self._depends(job))
        leader.set_result(value)
        return value

    def call(self, function: Any, *args: Any, timeout: float | None = None) -> Any:
        return self.run(Call(function, args), timeout=timeout)

    def close(self) -> None:
        self._analysis.shutdown(wait=False, cancel_futures=True)
        self._pool.close()

    def stream(self, job: Query, *, timeout: float | None = None) -> Any:
        """A query's answer; a streamed one is kept once it has ended whole, if it is small enough."""
        return self.run(job, timeout=timeout, method=self._pool.stream)
