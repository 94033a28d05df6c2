"""The engine pool: every operation on the graph runs here, in a worker, under the deadline.

Neither pyoxigraph nor rdflib can cancel a running query, so operations run in worker
processes (see `engine_process`): forks of one mother process that holds the graph in memory.
With `KG_WORKER_DATA=disk` the mother holds nothing, and each worker opens the newest
read-only snapshot of the durable store instead (see `snapshots`). A job still running at its
deadline has its worker killed; a fresh fork takes its place in milliseconds while the others
go on serving.

Writes are `Change`s. An update runs first on a worker's copy (under the deadline), which
reports its effect; a Graph Store write is made into a change here. Either way the change is
applied to the durable store (journaled) and gets the next version. In memory, it is kept in
a log: the mother applies it at once, and every worker applies the changes it has missed
before its next job. On disk, the store is snapshotted, and every worker opens the new
snapshot before its next job. Either way every operation sees every write acknowledged before
it started.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.reduction import recv_handle, send_handle
from pathlib import Path
from typing import Any

from kg.change import Change
from kg.connect_supervisor import Supervisor
from kg.sandbox import OFF, OPEN
from kg.settings import Settings
from kg.store import Store

from .admission import Admission
from .errors import EngineError, Failure, HttpError, QueryTimeout, ServiceUnavailable, raised
from .jobs import Call, Job, Lowered, Query, Update
from .requests import deadline, request_id
from .results import Serialized
from .snapshots import Snapshots
from .streaming import StreamCut, Streamed
from .worker_memory import died, out_of_memory

LOAD_TIMEOUT = 3600.0  # seconds the mother may take to read the store
LOG_LENGTH = 256  # changes kept for workers that are behind
READY_TIMEOUT = 60.0  # seconds a new worker may take to open its store
log = logging.getLogger("kg.workers")


@dataclass(frozen=True)
class _Due:
    """When an operation must end (a time.monotonic()), and its deadline in seconds, for messages."""

    at: float
    seconds: float

    def left(self) -> float:
        return max(0.0, self.at - time.monotonic())


@dataclass(eq=False)
class _Worker:
    pid: int
    conn: Connection
    version: int
    pinned: int | None = None  # the snapshot version it was forked on, until it is counted in

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        self.conn.close()


class _Mother:
    """The process holding the in-memory copy; it forks the workers."""

    def __init__(self, store: Store, settings: Settings, version: int, snapshot: Path | None) -> None:
        ours, theirs = socket.socketpair()
        self.process = subprocess.Popen([sys.executable, "-m", "server.engine_process", str(theirs.fileno())],
                                        pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL)
        theirs.close()
        self.control = Connection(ours.detach())
        self.lock = threading.Lock()
        self.supervisor: Supervisor | None = None
        self.control.send((settings, version, None if snapshot is None else str(snapshot), store.generation))
        if snapshot is None:  # the graph, for the mother to hold in memory
            reader, writer = os.pipe()
            send_handle(self.control, reader, self.process.pid)
            os.close(reader)
            with os.fdopen(writer, "wb") as stream:
                store.dump(stream)
        if not self.control.poll(LOAD_TIMEOUT):
            self.stop()
            raise EngineError("the engine process did not read the store in time")
        _, self.version, self.network = self.control.recv()  # kg.sandbox: off, allow-list or open
        self.supervisor = Supervisor(recv_handle(self.control), settings.service_rules) \
            if self.network not in (OFF, OPEN) else None

    def fork(self, snapshot: Path | None) -> _Worker:
        """A new worker, once it has its store open."""
        with self.lock:
            self.control.send(("fork", None if snapshot is None else str(snapshot)))
            fd = recv_handle(self.control)
            _, pid, version = self.control.recv()
        worker = _Worker(pid, Connection(fd), version)
        try:
            if not worker.conn.poll(READY_TIMEOUT):
                raise EngineError(f"a new engine worker did not open its store within {READY_TIMEOUT:g} s")
            worker.conn.recv()
        except (EOFError, OSError):
            worker.kill()
            raise EngineError(f"a new engine worker ended before it was ready (status {self.ended(pid)})") from None
        except BaseException:
            worker.kill()
            raise
        return worker

    def ended(self, pid: int) -> int | None:
        """How worker `pid` ended (exit code, or minus the signal); None when not known."""
        try:
            with self.lock:
                self.control.send(("ended", pid))
                return self.control.recv()[1]
        except (EOFError, OSError, TypeError):
            return None

    def apply(self, changes: list[tuple], version: int, generation: int) -> None:
        with self.lock:
            self.control.send(("changes", changes, version, generation))

    def stop(self) -> None:
        if self.supervisor is not None:
            self.supervisor.close()
        self.control.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class WorkerPool:
    """`size` workers over the graph of `store`; `run` blocks, so call it from a thread."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self._store, self._settings = store, settings
        self._size, self._timeout = settings.workers, settings.query_timeout
        self._admission = Admission(settings.workers, settings.max_pending)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()  # workers, version and log
        self._writing = threading.Lock()  # one write at a time
        self._version = 0
        self._log: list[tuple[int, tuple, int]] = []  # (version, change, the store's generation after it)
        self._touched: list[tuple[int, frozenset[str] | None]] = []  # each version's predicates written
        self._mother: _Mother | None = None
        self._disk = settings.worker_data == "disk" and store.path is not None
        self._snapshots: Snapshots | None = None
        self._snapshot: Path | None = None  # the newest, when workers read from disk
        self._forking: list[int] = []  # versions of the snapshots given to workers not yet counted in
        self._spawning = 0
        self._closed = False
        self._background: set[_Worker] = set()  # workers of background jobs, one per job
        self.on_commit: Callable[[Change, int], None] | None = None  # told of each write of data

    @property
    def version(self) -> int:
        """Goes up by one on every write."""
        return self._version

    @property
    def workers(self) -> int:
        """Workers alive now."""
        with self._lock:
            return len(self._workers)

    @property
    def served_from_disk(self) -> bool:
        """Whether the store is on disk (not a test's in-memory store)."""
        return self._store.path is not None

    @property
    def generation(self) -> int:
        """The store's generation (see `Store.generation`)."""
        return self._store.generation

    @property
    def network(self) -> str:
        """What the engine processes may reach (`kg.sandbox`): off, allow-list or open."""
        return OPEN if self._mother is None else self._mother.network

    # -- processes -----------------------------------------------------------------------------

    def start(self) -> None:
        """Start the mother and every worker; wait until the graph is loaded."""
        with self._writing, self._lock:
            if self._mother is not None or self._closed:
                return
            if self._disk:
                self._snapshots = Snapshots(self._store)
                self._snapshot = self._snapshots.make(self._version)
            self._mother = _Mother(self._store, self._settings, self._version, self._snapshot)
        for _ in range(self._size):
            self._spawn()

    def _spawn(self) -> None:
        with self._lock:
            self._spawning += 1
        try:
            worker = self._fork()
            with self._lock:
                self._unpin(worker.pinned)  # counted in: its version keeps its snapshot from now on
                if self._closed:
                    worker.kill()
                    return
                self._workers.add(worker)
            self._idle.put(worker)
        except EngineError as error:
            log.error("no engine worker could be started: %s", error)
        finally:
            with self._lock:
                self._spawning -= 1

    def _fork(self, *, again: bool = True) -> _Worker:
        """A new worker, on the newest snapshot (when workers read from disk), which stays
        pinned — never removed — until `_spawn` counts the worker in."""
        mother = self._mother
        if mother is None or self._closed:
            raise EngineError("the engine is not running")
        with self._lock:
            snapshot, version = self._snapshot, self._version
            self._forking.append(version)
        try:
            worker = mother.fork(snapshot)
        except (EOFError, OSError, TypeError) as error:  # TypeError: its socket was closed under us
            with self._lock:
                self._unpin(version)
            if self._closed or not again:
                raise EngineError(f"the engine's mother process is gone: {error}") from None
        except BaseException:
            with self._lock:
                self._unpin(version)
            raise
        else:
            worker.pinned = version
            if snapshot is not None:
                worker.version = version
            return worker
        log.error("the engine's mother process ended; starting it again")
        with self._writing:
            if self._mother is mother and not self._closed:
                mother.stop()
                self._mother = _Mother(self._store, self._settings, self._version, self._snapshot)
        return self._fork(again=False)

    def _unpin(self, version: int | None) -> None:
        """Let go of a snapshot pinned by `_fork` (hold `_lock`)."""
        if version is not None:
            self._forking.remove(version)

    def _prune(self) -> None:
        """Remove the snapshots no worker can still open: those older than the newest that no
        worker stands on and no worker being forked was given."""
        if self._snapshots is None:
            return
        with self._lock:
            keep = {w.version for w in self._workers | self._background} | set(self._forking)
            stale = self._snapshots.stale(keep, below=self._version)
        for path in stale:
            Snapshots.remove(path)

    def _replace(self, worker: _Worker) -> None:
        """Kill `worker` now; fork its successor in the background."""
        worker.kill()
        with self._lock:
            self._workers.discard(worker)
            closed = self._closed
        if not closed:
            threading.Thread(target=self._spawn, name="kg-worker-spawn", daemon=True).start()

    def close(self) -> None:
        with self._lock:
            self._closed = self._admission.closed = True
            workers, self._workers = list(self._workers | self._background), set()
        for worker in workers:
            worker.kill()
        if self._mother is not None:
            self._mother.stop()
        if self._snapshots is not None:
            self._snapshots.close()

    # -- jobs ----------------------------------------------------------------------------------

    def _due(self, timeout: float | None) -> _Due:
        """When an operation must end: `timeout` seconds from now when given, else KG_QUERY_TIMEOUT
        from its request's arrival, so that waiting for a worker counts against it."""
        if timeout:
            return _Due(time.monotonic() + timeout, timeout)
        return _Due(deadline(self._timeout), self._timeout)

    def _checkout(self, due: _Due) -> _Worker:
        while (left := due.left()) > 0:
            try:
                worker = self._idle.get(timeout=min(left, 0.25))
            except queue.Empty:
                with self._lock:
                    if not self._workers and not self._spawning:
                        raise EngineError("no engine worker could be started; see the server's log") from None
                continue
            if self._can_catch_up(worker):
                return worker
            self._replace(worker)  # further behind than the log of changes reaches
        raise ServiceUnavailable(f"every engine worker stayed busy until this operation's {due.seconds:g} s "
                                 "deadline; try again shortly")

    def _can_catch_up(self, worker: _Worker) -> bool:
        with self._lock:
            return self._disk or not self._log or worker.version >= self._log[0][0] - 1

    def _catch_up(self, worker: _Worker) -> None:
        """Bring `worker` to the newest version: the changes it missed, or the newest snapshot
        (its version is the worker's from the moment it is read, so it is never pruned before
        the worker opens it)."""
        with self._lock:
            if worker.version == self._version:
                return
            snapshot = self._snapshot
            missed = [change for v, change, _ in self._log if v > worker.version]
            generation = self._log[-1][2] if self._log else self._store.generation
            worker.version = self._version
        if snapshot is not None:
            worker.conn.send(("open", str(snapshot)))
        elif missed:
            worker.conn.send(("changes", missed, generation))
        self._prune()

    def _ask(self, worker: _Worker, job: Job, due: _Due, *how: str) -> Any:
        """Send `job` to `worker` and wait for its reply (or, for a stream, its first piece) until
        the deadline. `how` is ("stream",), ("scratch", path) or nothing (a plain job)."""
        try:
            self._catch_up(worker)
            worker.conn.send((how[0], job, *how[1:]) if how else ("job", job))
            if not worker.conn.poll(due.left()):
                raise QueryTimeout(f"the operation was stopped at its {due.seconds:g} s deadline")
            reply = worker.conn.recv()
        except (EOFError, OSError):
            raise self._died(worker, type(job).__name__) from None
        if isinstance(reply, Failure) and reply.kind == "memory":
            raise out_of_memory(self._settings)
        return reply

    def _died(self, worker: _Worker, doing: str) -> HttpError:
        """The error for an operation whose worker ended under it, with why, as far as known."""
        mother = self._mother
        error = died(None if mother is None else mother.ended(worker.pid), self._settings)
        log.error("engine worker %d ended while running %s (request %s): %s",
                  worker.pid, doing, request_id(), error.message)
        return error

    def run(self, job: Job, *, timeout: float | None = None) -> Any:
        """A read job's result; 503 when overloaded or past the deadline, the job's own error else."""
        self.start()
        due = self._due(timeout)
        with self._admission.held():
            worker = self._checkout(due)
            try:
                reply = self._ask(worker, job, due)
            except BaseException:
                self._replace(worker)
                raise
            self._idle.put(worker)
        if isinstance(reply, Failure):
            raise raised(reply)
        return reply[1]

    def call(self, function: Any, *args: Any, timeout: float | None = None) -> Any:
        """`function(store, *args)` in a worker, under the deadline (KG_QUERY_TIMEOUT unless given)."""
        return self.run(Call(function, args), timeout=timeout)

    def background(self, job: Query | Call, *, timeout: float) -> Any:
        """A job's result from a worker of its own, forked for it and ended after it, which runs
        at the lowest CPU priority (nice 19), outside admission, so the requests' workers keep
        their CPU and their places: for the work made after writes (statistics …), which may
        take minutes on a large graph."""
        self.start()
        worker = self._fork()
        with self._lock:
            self._unpin(worker.pinned)  # counted in: its version keeps its snapshot from now on
            self._background.add(worker)
        try:
            reply = self._ask(worker, Lowered(job), self._due(timeout))
        finally:
            with self._lock:
                self._background.discard(worker)
            worker.kill()
        if isinstance(reply, Failure):
            raise raised(reply)
        return reply[1]

    def waiting(self) -> contextlib.AbstractContextManager[None]:
        """A place in admission for waiting on the same read in flight (see `admission`)."""
        return self._admission.waiting()

    def stream(self, job: Query, *, timeout: float | None = None) -> Serialized | Streamed:
        """A query's answer: whole when it is one piece, else `Streamed`, which keeps the worker
        (and its place in admission) until its last piece, the deadline, or its `close`."""
        self.start()
        due = self._due(timeout)
        self._admission.enter()
        try:
            worker = self._checkout(due)
            try:
                reply = self._ask(worker, job, due, "stream")
            except BaseException:
                self._replace(worker)
                raise
        except BaseException:
            self._admission.leave()
            raise
        if not isinstance(reply, Failure) and reply[0] == "part":
            pieces = self._pieces(worker, due, job.max_rows)
            next(pieces)  # started, so that closing it always runs its end
            return Streamed(reply[1], reply[2], pieces)
        self._idle.put(worker)
        self._admission.leave()
        if isinstance(reply, Failure):
            raise raised(reply)
        return reply[1]

    def _pieces(self, worker: _Worker, due: _Due, max_rows: int) -> Iterator[bytes]:
        """The rest of a streamed answer; at its end the worker goes back, or is replaced when
        the stream stopped half-way (the deadline, a crash, or the client going away)."""
        finished = False
        try:
            yield b""
            while True:
                if not worker.conn.poll(due.left()):
                    raise StreamCut("deadline", f"the query was stopped at its {due.seconds:g} s deadline")
                reply = worker.conn.recv()
                if isinstance(reply, Failure):
                    finished = not reply.dirty and reply.kind != "memory"
                    raise StreamCut("engine", out_of_memory(self._settings).message if reply.kind == "memory"
                                    else reply.message)
                if reply[0] == "part":
                    yield reply[2]
                    continue
                finished = True
                if reply[1].truncated:
                    raise StreamCut("cap", f"the answer reached the cap of {max_rows} rows or "
                                           f"{self._settings.max_result_bytes} bytes; narrow it, or page with LIMIT")
                return
        except (EOFError, OSError):
            raise StreamCut("engine", self._died(worker, "a streamed query").message) from None
        finally:
            if finished:
                self._idle.put(worker)
            else:
                self._replace(worker)
            self._admission.leave()

    def touched_since(self, version: int) -> frozenset[str] | None:
        """The predicates written after `version`; None when any may have been."""
        with self._lock:
            if version == self._version:
                return frozenset()
            if not self._touched or self._touched[0][0] > version + 1:
                return None
            written = [predicates for v, predicates in self._touched if v > version]
        if any(predicates is None for predicates in written):
            return None
        return frozenset().union(*written)  # type: ignore[arg-type]

    # -- writes --------------------------------------------------------------------------------

    def update(self, job: Update) -> Change:
        """Run an update on a worker's copy (in memory, or a scratch snapshot) under the deadline,
        then commit its effect."""
        self.start()
        due = self._due(None)
        with self._admission.held(), self._write_lock(due), self._scratch() as scratch:
            worker = self._checkout(due)
            try:
                reply = self._ask(worker, job, due, *(("scratch", str(scratch)) if scratch else ()))
                if not isinstance(reply, Failure):
                    change = Change.decode(reply[1])
                    self._commit(change, worker)
            except BaseException:
                self._replace(worker)  # its copy may hold part of the update
                raise
            if isinstance(reply, Failure) and reply.dirty:
                self._replace(worker)
            else:
                self._idle.put(worker)
            if isinstance(reply, Failure):
                raise raised(reply)
            return change

    @contextlib.contextmanager
    def _write_lock(self, due: _Due) -> Iterator[None]:
        """The one write at a time, waited for until the deadline at most."""
        if not self._writing.acquire(timeout=due.left()):
            raise ServiceUnavailable(f"other writes held the store until this one's {due.seconds:g} s deadline; "
                                     "try again shortly")
        try:
            yield
        finally:
            self._writing.release()

    @contextlib.contextmanager
    def _scratch(self) -> Iterator[Path | None]:
        """A writable snapshot for an update, when workers read from disk; removed after it."""
        if self._snapshots is None:
            yield None
            return
        path = self._snapshots.scratch()
        try:
            yield path
        finally:
            self._snapshots.remove(path)

    def commit(self, change: Change, *, derived: bool = False) -> None:
        """Commit a change made here: a Graph Store write, or a `derived` one (what is made from
        the data, written back: it leaves the store's generation, and tells no one)."""
        self.start()
        with self._write_lock(self._due(None)):
            self._commit(change, None, derived=derived)

    def _commit(self, change: Change, ran_on: _Worker | None, *, derived: bool = False) -> None:
        if change.is_empty:
            return
        self._store.apply(change, derived=derived)
        generation = self._store.generation
        snapshot = None if self._snapshots is None else self._snapshots.make(self._version + 1)
        self._logged(change, change.encode(), snapshot, ran_on, generation)
        if not derived and self.on_commit is not None:
            self.on_commit(change, generation)

    def _logged(self, change: Change, encoded: tuple, snapshot: Path | None, ran_on: _Worker | None,
                generation: int) -> None:
        """The new version: its snapshot for workers on disk, else its change in the log (and to the mother)."""
        with self._lock:
            self._version += 1
            self._touched.append((self._version, change.predicates))
            del self._touched[:-LOG_LENGTH]
            if snapshot is not None:  # workers open it before their next job
                self._snapshot = snapshot
                return
            self._log.append((self._version, encoded, generation))
            del self._log[:-LOG_LENGTH]
            if ran_on is not None:
                ran_on.version = self._version
            if self._mother is not None:  # in order, before any later fork is asked for
                self._mother.apply([encoded], self._version, generation)
