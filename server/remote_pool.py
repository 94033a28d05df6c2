"""The executor for a remote engine: the `WorkerPool` interface, over HTTP.

The same jobs run (the safety checks of the text, the row and byte caps, the serialisation),
in threads of this process against a `RemoteStore`; the deadline is the HTTP client's timeout,
and a job not done by then is answered 504 while its thread ends with the client's timeout.

Reads are spread round-robin over the read replicas (the writer when there are none). A replica
that fails or times out is taken out for `COOLDOWN` seconds, and the read is tried once more on
another; with none up the answer is 503. Writes go to the writer, one at a time; `version`
counts them, so caches keyed by it see every write made through this server.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from kg.change import Change
from kg.remote import EngineError, RemoteStore
from kg.safety import check_dataset, check_update, with_prefixes
from kg.settings import Settings

from .admission import Admission
from .errors import BadGateway, EngineUnavailable, GatewayTimeout
from .jobs import Call, Job, Update
from .using import with_using

COOLDOWN = 10.0  # seconds a failed replica stays out
PROBE_TIMEOUT = 1.0  # seconds /health waits for each engine
CACHE_TTL = 30.0  # seconds a cached answer from a remote engine is used


@dataclass(eq=False)
class _Engine:
    store: RemoteStore
    down_until: float = 0.0

    @property
    def up(self) -> bool:
        return time.monotonic() >= self.down_until


class RemotePool:
    """Jobs against a remote engine (and its read replicas), under the deadline."""

    network = "remote"  # the engine is another's: its network is its own affair
    on_commit = None  # behind a remote engine, nothing is made after writes (see refresher)
    cache_ttl = CACHE_TTL  # others may write to the engine: cached answers are kept this long at most

    def __init__(self, writer: RemoteStore, settings: Settings, readers: Sequence[RemoteStore] = ()) -> None:
        self._writer, self._settings = _Engine(writer), settings
        self._readers = [_Engine(r) for r in readers] or [self._writer]
        self._turn = itertools.count()
        self._threads = ThreadPoolExecutor(max_workers=settings.workers + settings.max_pending,
                                           thread_name_prefix="kg-remote")
        self._admission = Admission(settings.workers, settings.max_pending)
        self._writing = threading.Lock()

    @property
    def version(self) -> int:
        return self._writer.store.version

    @property
    def workers(self) -> int:
        return sum(engine.up for engine in self._readers)

    def engines(self) -> list[tuple[str, str, bool]]:
        """(role, name, up) of every engine, each asked now (ASK {}, within PROBE_TIMEOUT)."""
        separate = self._readers != [self._writer]
        found = [("write" if separate else "read and write", self._probe(self._writer))]
        found += [("read", self._probe(engine)) for engine in self._readers] if separate else []
        return [(role, engine.store.spec.name, engine.up) for role, engine in found]

    @staticmethod
    def _probe(engine: _Engine) -> _Engine:
        try:
            engine.store.query("ASK {}", timeout=PROBE_TIMEOUT)
            engine.down_until = 0.0
        except (EngineError, ValueError):
            engine.down_until = time.monotonic() + COOLDOWN
        return engine

    def start(self) -> None:
        pass

    def close(self) -> None:
        self._admission.closed = True
        self._threads.shutdown(wait=False, cancel_futures=True)
        for engine in {id(e): e for e in (self._writer, *self._readers)}.values():
            engine.store.close()

    # -- reads ---------------------------------------------------------------------------------

    def run(self, job: Job, *, timeout: float | None = None) -> Any:
        """A read job's result from a replica; retried once on another when one fails."""
        deadline = timeout or self._settings.query_timeout
        with self._admission.held():
            tried: list[_Engine] = []
            failed: Exception | None = None
            for _ in range(2):
                engine = self._pick(tried, failed)
                tried.append(engine)
                try:
                    return self._within(deadline, lambda e=engine: job.run(e.store, self._settings))
                except (EngineError, GatewayTimeout) as error:
                    engine.down_until = time.monotonic() + COOLDOWN
                    failed = error
            raise _http(failed)  # type: ignore[arg-type]

    def call(self, function: Any, *args: Any, timeout: float | None = None) -> Any:
        return self.run(Call(function, args), timeout=timeout)

    def stream(self, job: Job, *, timeout: float | None = None) -> Any:
        """A query's answer, whole: a remote engine's answer arrives whole, so it is not streamed."""
        return self.run(job, timeout=timeout)

    def _pick(self, tried: list[_Engine], failed: Exception | None) -> _Engine:
        """The next engine that is up; when all are marked down, the one marked longest ago (a
        mark is a hint: asking again gives the client the engine's own answer)."""
        untried = [e for e in self._readers if e not in tried]
        candidates = [e for e in untried if e.up]
        if candidates:
            return candidates[next(self._turn) % len(candidates)]
        if untried and failed is None:
            return min(untried, key=lambda e: e.down_until)
        raise _http(failed) if failed is not None else EngineUnavailable("no engine to answer reads")

    def _within(self, deadline: float, work: Callable[[], Any]) -> Any:
        future = self._threads.submit(work)
        try:
            return future.result(timeout=deadline + 1.0)  # the client's own timeout comes first
        except FutureTimeout:
            raise GatewayTimeout(f"the engine did not answer within {deadline:g} s") from None

    def waiting(self) -> AbstractContextManager[None]:
        """A place in admission for waiting on the same read in flight (see `admission`)."""
        return self._admission.waiting()

    # -- writes --------------------------------------------------------------------------------

    def update(self, job: Update) -> Change:
        """An update, checked here and run by the writer. Its effect is the engine's to know."""
        checked = check_update(job.text, self._settings,
                               using_parameters=bool(job.using_graphs or job.using_named_graphs), base=job.base)
        check_dataset((*job.using_graphs, *job.using_named_graphs))
        text = with_prefixes(with_using(job.text, job.using_graphs, job.using_named_graphs), checked)
        with self._admission.held(), self._writing:
            try:
                self._within(self._settings.query_timeout, lambda: self._writer.store.update(text))
            except EngineError as error:
                raise _http(error) from None
        return Change()

    def commit(self, change: Change) -> None:
        with self._writing:
            try:
                self._within(self._settings.query_timeout, lambda: self._writer.store.apply(change))
            except EngineError as error:
                raise _http(error) from None


def _http(error: Exception) -> Exception:
    """The answer for an engine's failure: 503 down, 504 too slow, 502 anything else."""
    if isinstance(error, GatewayTimeout):
        return error
    if isinstance(error, EngineError) and error.kind == "unavailable":
        return EngineUnavailable(f"engine {error}")
    if isinstance(error, EngineError) and error.kind == "timeout":
        return GatewayTimeout(f"engine {error}")
    return BadGateway(f"engine {error}")
