"""Query workers: processes holding the graph in memory, killed and replaced at a deadline.

Neither pyoxigraph nor rdflib can cancel a running query, so queries run in worker processes.
Each worker loads an N-Quads snapshot of the durable store into an in-memory store and answers
jobs over a pipe. A job that outlives its deadline gets its worker killed; a fresh worker is
started in the background while the others go on serving. After a write the snapshot version
goes up, and each worker reloads before its next job, so every query sees every earlier write.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from functools import cache
from multiprocessing.connection import Connection
from pathlib import Path

from kg.store import Store

from .errors import BadRequest, EngineError, NotAcceptable, QueryTimeout, ServiceUnavailable
from .execution import Failure, Job, execute
from .results import Serialized

LOAD_TIMEOUT = 600.0  # seconds a worker may take to load a snapshot
_FAILURES = {"syntax": BadRequest, "not-acceptable": NotAcceptable, "engine": EngineError}


def _serve(conn: Connection, snapshot: str, version: int) -> None:
    """A worker's life: load, say ready, then answer ("load", path, version) and ("job", job)."""
    store = Store.from_snapshot(Path(snapshot))
    conn.send(("ready", version))
    try:
        while (message := conn.recv()) is not None:
            if message[0] == "load":
                store = Store.from_snapshot(Path(message[1]))
                conn.send(("ready", message[2]))
            else:
                conn.send(execute(store, message[1]))
    except (EOFError, BrokenPipeError):
        return  # the server has gone: so does its worker


@cache
def _context() -> mp.context.BaseContext:
    """forkserver where there is one: fast to start, and safe beside the server's threads."""
    if "forkserver" in mp.get_all_start_methods():
        context = mp.get_context("forkserver")
        context.set_forkserver_preload(["server.workers"])
        return context
    return mp.get_context("spawn")


@dataclass(eq=False)
class _Worker:
    process: mp.process.BaseProcess
    conn: Connection
    version: int

    def wait_ready(self, timeout: float) -> None:
        if not self.conn.poll(timeout):
            raise TimeoutError("the worker did not load the snapshot in time")
        self.version = self.conn.recv()[1]

    def stop(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()


class WorkerPool:
    """`size` workers over snapshots of `store`; `run` blocks, so call it from a thread."""

    def __init__(self, store: Store, *, size: int, timeout: float, max_pending: int) -> None:
        self._store = store
        self._size = size
        self._timeout = timeout
        self._admission = threading.BoundedSemaphore(size + max_pending)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._version = 0
        self._snapshot: tuple[int, Path] | None = None
        self._directory = Path(tempfile.mkdtemp(prefix="kg-snapshots-"))
        self._started = False
        self._closed = False
        self._spawning = 0

    # -- snapshots -----------------------------------------------------------------------------

    @property
    def version(self) -> int:
        """Goes up by one on every write."""
        return self._version

    def invalidate(self) -> None:
        """The store has changed: workers reload before their next job."""
        with self._lock:
            self._version += 1

    def _current(self) -> tuple[int, Path]:
        """The snapshot of the store's present version, written when first needed."""
        with self._lock:
            if self._snapshot is None or self._snapshot[0] != self._version:
                path = self._directory / f"{self._version}.nq"
                self._store.save_snapshot(path)
                for old in self._directory.glob("*.nq"):
                    if old != path and (self._snapshot is None or old != self._snapshot[1]):
                        old.unlink()
                self._snapshot = (self._version, path)
            return self._snapshot

    # -- workers -------------------------------------------------------------------------------

    def _spawn(self) -> None:
        with self._lock:
            self._spawning += 1
        try:
            self._start_one()
        finally:
            with self._lock:
                self._spawning -= 1

    def _start_one(self) -> None:
        version, path = self._current()
        context = _context()
        parent, child = context.Pipe()
        process = context.Process(target=_serve, args=(child, str(path), version), daemon=True)
        process.start()
        child.close()
        worker = _Worker(process, parent, -1)
        try:
            worker.wait_ready(LOAD_TIMEOUT)
        except (TimeoutError, EOFError, OSError):
            worker.stop()
            return
        with self._lock:
            if self._closed:
                worker.stop()
                return
            self._workers.add(worker)
        self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        """Kill `worker` now; start its successor in the background."""
        worker.stop()
        with self._lock:
            self._workers.discard(worker)
            closed = self._closed
        if not closed:
            threading.Thread(target=self._spawn, name="kg-worker-spawn", daemon=True).start()

    def start(self) -> None:
        """Start every worker and wait until they have loaded the graph."""
        with self._lock:
            if self._started:
                return
            self._started = True
        spawners = [threading.Thread(target=self._spawn, daemon=True) for _ in range(self._size)]
        for thread in spawners:
            thread.start()
        for thread in spawners:
            thread.join()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers, self._workers = list(self._workers), set()
        for worker in workers:
            worker.stop()
        shutil.rmtree(self._directory, ignore_errors=True)

    # -- jobs ----------------------------------------------------------------------------------

    def _checkout(self) -> _Worker:
        deadline = time.monotonic() + self._timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                return self._idle.get(timeout=min(left, 0.25))
            except queue.Empty:
                with self._lock:
                    if not self._workers and not self._spawning:
                        raise EngineError("no query worker could be started; see the server's log") from None
        raise ServiceUnavailable("every query worker stayed busy; try again shortly")

    def _refresh(self, worker: _Worker) -> None:
        version, path = self._current()
        if worker.version != version:
            worker.conn.send(("load", str(path), version))
            worker.wait_ready(LOAD_TIMEOUT)

    def run(self, job: Job) -> Serialized:
        """The job's answer; 503 when overloaded or past the deadline, the job's own 4xx else."""
        self.start()
        if not self._admission.acquire(blocking=False):
            raise ServiceUnavailable("too many queries at once; try again shortly")
        try:
            worker = self._checkout()
            try:
                self._refresh(worker)
                worker.conn.send(("job", job))
                if not worker.conn.poll(self._timeout):
                    raise QueryTimeout(f"the query was stopped at its {self._timeout:g} s deadline (KG_QUERY_TIMEOUT)")
                reply = worker.conn.recv()
            except (EOFError, OSError, TimeoutError) as error:
                self._replace(worker)
                raise EngineError(f"the query worker failed: {error or type(error).__name__}") from None
            except BaseException:
                self._replace(worker)
                raise
            self._idle.put(worker)
        finally:
            self._admission.release()
        if isinstance(reply, Failure):
            raise _FAILURES[reply.kind](reply.message)
        return reply
