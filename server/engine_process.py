"""The engine processes: a mother that holds the in-memory copy of the store, and its workers.

The server starts the mother (`python -m server.engine_process FD`) and streams the durable
store into it as N-Quads — or, when workers read from disk (`KG_WORKER_DATA=disk`), gives it
nothing to hold. The mother then confines itself (`kg.sandbox`: off the network, or, with
federation on, its connects supervised by the server, to which it hands the supervisor's fd)
and waits for orders on its control socket:

- `("changes", [change, …])`: apply committed writes, in order, to its copy;
- `("fork", snapshot)`: fork a worker. The worker shares the mother's memory copy-on-write, so
  a new one costs milliseconds and no memory until it writes; or, given a snapshot of the
  store (see `snapshots`), it opens that read-only. Its socket goes back to the server.

A worker answers `("job", job)` with `("ok", result)` or a `Failure`, and applies
`("changes", …)` (or opens `("open", newer snapshot)`) that the server sends it before a job.
`("scratch", update, path)` runs an update on a writable snapshot made for it. A query sent as
`("stream", job)` may first send its answer in pieces, `("part", media type, bytes)`, before
the reply. Jobs run on a thread with a large stack, so the engine's recursive parser and
optimiser cannot overflow it within the lexer's bounds. Any exception a job raises becomes a
`Failure`; the worker lives on. A worker first says `("ready",)` once it has its store open, and
limits its own memory (see `worker_memory`). The mother reaps the workers that end and answers
`("ended", pid)` with how that one ended (its exit code, or minus the signal), so the server
can say why a worker died. A worker dies with its mother, and the mother ends when the
server's end of its socket closes.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
import time
from collections import OrderedDict
from multiprocessing.connection import Connection
from multiprocessing.reduction import recv_handle, sendfds
from typing import Any

import pyoxigraph as ox

from kg.change import Change
from kg.sandbox import STACK_BYTES, confine, die_with_parent, reserve_fd
from kg.settings import Settings
from kg.store import Store

from .errors import failure
from .results import Emit
from .worker_memory import limit_memory

ENDED_KEPT = 64  # exit statuses of ended workers the mother keeps for the server to ask about
ENDED_WAIT = 2.0  # seconds the mother waits for a worker the server saw end to be reaped
log = logging.getLogger("kg.engine")


def _apply(store: Store, changes: list[tuple]) -> None:
    for encoded in changes:
        Change.decode(encoded).apply(store.engine)


def attempt(job: Any, store: Store, settings: Settings, emit: Emit | None = None) -> Any:
    """A job's reply: ("ok", result), or a Failure for any error it raised. A query given `emit`
    may send its answer in pieces through it first."""
    try:
        return ("ok", job.run(store, settings, emit) if emit else job.run(store, settings))
    except (SystemExit, KeyboardInterrupt):
        raise
    except BaseException as error:  # noqa: BLE001 - a worker survives every error a job can raise
        return failure(error)


def _answer(conn: Connection, store: Store | str, settings: Settings) -> None:
    """A worker's loop: changes and jobs until the server closes the socket. `store` is the
    mother's in-memory copy, or the path of a snapshot to open read-only."""
    if isinstance(store, str):
        store = Store.open_snapshot(store)
    limit_memory(settings.worker_memory_mib)  # beyond the store, its engine's threads, and this thread's stack
    conn.send(("ready",))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        except Exception as error:  # noqa: BLE001 - a message that does not unpickle
            conn.send(failure(error))
            continue
        if message[0] == "changes":  # ("changes", [change, …], the store's generation after them)
            _apply(store, message[1])
            store.generation = message[2]
        elif message[0] == "open":  # a newer snapshot
            store = Store.open_snapshot(message[1])
        elif message[0] == "scratch":  # an update, on a writable copy made for it
            _reply(conn, _on_scratch(message[1], message[2], settings))
        elif message[0] == "stream":  # a query whose answer may go out in pieces: ("part", media type, bytes)
            _reply(conn, attempt(message[1], store, settings, lambda media_type, data: conn.send(
                ("part", media_type, data))))
        else:
            _reply(conn, attempt(message[1], store, settings))


def _on_scratch(job: Any, path: str, settings: Settings) -> Any:
    scratch = Store.open_snapshot(path, writable=True)
    reply = attempt(job, scratch, settings)
    del scratch  # closed before the server removes its folder
    return reply


def _reply(conn: Connection, reply: Any) -> None:
    try:
        conn.send(reply)
    except (TypeError, AttributeError, ValueError) as error:  # a result that does not pickle
        conn.send(failure(error))


def _worker(sock: socket.socket, store: Store | str, settings: Settings) -> None:
    die_with_parent()
    conn = Connection(sock.detach())
    threading.stack_size(STACK_BYTES)
    thread = threading.Thread(target=_answer, args=(conn, store, settings), name="kg-worker")
    thread.start()
    thread.join()


def _fork(control: Connection, store: Store | str, settings: Settings, version: int) -> None:
    ours, theirs = socket.socketpair()
    pid = os.fork()
    if pid == 0:  # the worker
        try:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            ours.close()
            number = control.fileno()
            control.close()
            reserve_fd(number)  # the filter lets sendmsg on this number through unsupervised
            _worker(theirs, store, settings)
        finally:
            os._exit(0)
    theirs.close()
    _hand(control, ours.fileno())
    ours.close()
    control.send(("forked", pid, version))


class _Reaper:
    """The mother's record of how its workers ended (the last ENDED_KEPT of them)."""

    def __init__(self) -> None:
        self.ended: OrderedDict[int, int] = OrderedDict()

    def reap(self, *_: Any) -> None:
        """Collect every worker that has ended (the SIGCHLD handler)."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.ended[pid] = os.waitstatus_to_exitcode(status)
            while len(self.ended) > ENDED_KEPT:
                self.ended.popitem(last=False)

    def status(self, pid: int) -> int | None:
        """How worker `pid` ended; None when it has not ended within ENDED_WAIT seconds."""
        deadline = time.monotonic() + ENDED_WAIT
        while True:
            self.reap()
            if pid in self.ended:
                return self.ended.pop(pid)
            if time.monotonic() > deadline:
                return None
            time.sleep(0.01)


def _hand(control: Connection, fd: int) -> None:
    """Send `fd` to the server, as `send_handle` does but on the control socket's own number
    (send_handle sends on a dup): the filter lets `sendmsg` through unsupervised there only."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM, fileno=control.fileno())
    try:
        sendfds(sock, [fd])
    finally:
        sock.detach()


def _load(control: Connection) -> Store:
    """The store, read from the pipe the server streams N-Quads into."""
    fd = recv_handle(control)
    engine = ox.Store()
    with os.fdopen(fd, "rb") as stream:
        engine.bulk_load(input=stream, format=ox.RdfFormat.N_QUADS)
    return Store(engine)


def main(fd: int) -> None:
    control = Connection(fd)
    settings, version, snapshot, generation = control.recv()
    store: Store | None = None if snapshot else _load(control)
    if store is not None:
        store.generation = generation
    confinement = confine(settings.federation, keep_fd=control.fileno())
    reaper = _Reaper()
    signal.signal(signal.SIGCHLD, reaper.reap)
    control.send(("ready", version, confinement.network))
    if confinement.listener is not None:  # the server supervises our connects; no worker may hold this
        _hand(control, confinement.listener)
        os.close(confinement.listener)
    while True:
        try:
            message = control.recv()
        except (EOFError, OSError):
            break
        if message[0] == "changes":
            _apply(store, message[1])
            version, store.generation = message[2], message[3]
        elif message[0] == "fork":  # ("fork", snapshot path or None)
            _fork(control, message[1] or store, settings, version)
        elif message[0] == "ended":
            control.send(("ended", reaper.status(message[1])))
        else:
            break
    os._exit(0)


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    main(int(sys.argv[1]))
