"""What the engine may reach: no host at all, or only the allow-listed endpoints.

The threat: a query or update text is hostile; the engine's code is not. Oxigraph fetches
`SERVICE` endpoints and `LOAD` documents itself. The safety check (`safety`) reads the text and
refuses what may not run; this sandbox is the second lock, which does not read the text. It
is a seccomp filter (Linux, `pyseccomp`) that `confine` loads on the calling thread; every
thread that thread starts and every process it forks inherit it:

- always: no io_uring (its operations would bypass seccomp), and no socket family but Unix,
  IPv4, IPv6 and netlink;
- federation off: no IPv4 or IPv6 socket at all (EACCES);
- federation on: every `connect`, `sendto` with an address, `sendmsg` and `sendmmsg` waits for
  a supervisor (`connect_supervisor`) outside the filter, which lets it go on only towards the
  addresses of the allow-listed endpoints and the DNS resolvers.

The server's engine mother confines itself before it forks a worker and hands the supervisor's
fd to the server. `kg query` and `kg load` run their engine work with `run_confined`: on a
thread with a large stack (the engine's parser and optimiser recurse), confined, supervised
from the calling thread. Where seccomp is missing, or user notification is (federation on),
`confine` says what it could do, and the server's `/health` says it too.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import queue
import signal
import socket
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from .connect_supervisor import Supervisor, listener_of
from .settings import Settings

try:
    import pyseccomp as seccomp
except (ImportError, OSError, RuntimeError) as missing:  # not Linux, or no libseccomp
    seccomp, MISSING = None, str(missing)
else:
    MISSING = ""

log = logging.getLogger("kg.sandbox")
STACK_BYTES = 512 * 1024 * 1024  # address space only; pages are used as the stack grows
PR_SET_PDEATHSIG = 1
OFF, ALLOW_LIST, OPEN = "off", "allow-list", "open"  # what the engine may reach
ALLOWED_FAMILIES = (socket.AF_UNIX, socket.AF_INET, socket.AF_INET6, socket.AF_NETLINK)
IO_URING = ("io_uring_setup", "io_uring_enter", "io_uring_register")
Result = TypeVar("Result")


@dataclass(frozen=True)
class Confinement:
    """What `confine` achieved: the network the engine may reach, and with ALLOW_LIST the fd
    on which its connects are to be supervised."""

    network: str
    listener: int | None = None


def _base_rules() -> Any:
    rules = seccomp.SyscallFilter(seccomp.ALLOW)
    for name in IO_URING:
        rules.add_rule(seccomp.ERRNO(errno.ENOSYS), name)
    for family in range(max(ALLOWED_FAMILIES) + 1):
        if family not in ALLOWED_FAMILIES:
            rules.add_rule(seccomp.ERRNO(errno.EAFNOSUPPORT), "socket", seccomp.Arg(0, seccomp.EQ, family))
    rules.add_rule(seccomp.ERRNO(errno.EAFNOSUPPORT), "socket", seccomp.Arg(0, seccomp.GT, max(ALLOWED_FAMILIES)))
    return rules


def _supervised_rules(keep_fd: int | None) -> Any:
    rules = _base_rules()
    rules.add_rule(seccomp.NOTIFY, "connect")
    rules.add_rule(seccomp.NOTIFY, "sendto", seccomp.Arg(4, seccomp.NE, 0))
    if keep_fd is None:
        rules.add_rule(seccomp.NOTIFY, "sendmsg")
    else:  # the mother hands fds to the server over this socket, before and after the supervisor is up
        rules.add_rule(seccomp.NOTIFY, "sendmsg", seccomp.Arg(0, seccomp.NE, keep_fd))
    rules.add_rule(seccomp.NOTIFY, "sendmmsg")
    return rules


def confine(federation: bool, *, keep_fd: int | None = None) -> Confinement:
    """Load the filter on this thread. Federation on: its connects wait, until answered, on the
    returned listener (see `connect_supervisor.Supervisor`); `keep_fd` is a Unix socket whose
    `sendmsg`s need no supervisor (a forked child must `reserve_fd` it)."""
    if seccomp is None:
        log.warning("the engine could not be confined (seccomp: %s); only the text's check stands", MISSING)
        return Confinement(OPEN)
    if federation:
        try:
            rules = _supervised_rules(keep_fd)
            rules.load()
            return Confinement(ALLOW_LIST, listener_of(rules))
        except (OSError, RuntimeError, ValueError, NotImplementedError) as error:
            log.warning("the engine's connects cannot be supervised (seccomp user notification: %s); "
                        "only the text's check keeps SERVICE to the allow-list", error)
    try:
        rules = _base_rules()
        if not federation:
            for family in (socket.AF_INET, socket.AF_INET6):
                rules.add_rule(seccomp.ERRNO(errno.EACCES), "socket", seccomp.Arg(0, seccomp.EQ, family))
        rules.load()
    except (OSError, RuntimeError, ValueError) as error:
        log.warning("the engine could not be confined (seccomp: %s); only the text's check stands", error)
        return Confinement(OPEN)
    return Confinement(OPEN if federation else OFF)


def run_confined(work: Callable[[], Result], settings: Settings) -> Result:
    """`work()` on a thread with a large stack, confined (no network, or the allow-list through
    a supervisor on a thread of the caller's, started before `work` begins); its exception, if
    any, raised here."""
    handed: queue.Queue[Confinement] = queue.Queue()
    supervised = threading.Event()
    outcome: list[tuple[bool, object]] = []
    jobs = [work]  # taken when run: a traceback's frame keeps `confined`, whose closure must not keep `work`

    def confined() -> None:
        confinement = Confinement(OPEN)
        try:
            confinement = confine(settings.federation)
            handed.put(confinement)
            supervised.wait()
            outcome.append((True, jobs.pop()()))
        except BaseException as error:  # noqa: BLE001 - raised again on the caller's thread
            let_go(error)
            outcome.append((False, error))
        finally:
            handed.put(confinement)  # a second put, if any, is never read

    previous = threading.stack_size(STACK_BYTES)
    try:
        thread = threading.Thread(target=confined, name="kg-engine")
        thread.start()
    finally:
        threading.stack_size(previous)
    listener = handed.get().listener
    supervisor = None if listener is None else Supervisor(listener, settings.service_rules)
    supervised.set()
    try:
        thread.join()
    finally:
        if supervisor is not None:
            supervisor.close()
    ok, value = outcome.pop()  # the list is in the thread's frame, which the error's traceback holds: no cycle
    if not ok:
        raise value  # type: ignore[misc]
    return value  # type: ignore[return-value]


def let_go(error: BaseException | None, *, drop: bool = False) -> None:
    """Clear the frames an error (and its causes) holds, so the objects in them go now: engine
    objects must be dropped on the thread that made them, an open store's lock with its store.
    With `drop`, the tracebacks go too (a frame keeps its function, and so a closure's cells)."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        error = pending.pop()
        if error is not None and id(error) not in seen:
            seen.add(id(error))
            traceback.clear_frames(error.__traceback__)
            if drop:
                error.__traceback__ = None
            pending += [error.__cause__, error.__context__]


def reserve_fd(fd: int) -> None:
    """Keep the number of a closed `keep_fd` taken (by /dev/null), so that no socket the engine
    opens later gets it, and with it the filter's exception."""
    placeholder = os.open(os.devnull, os.O_RDONLY)
    if placeholder != fd:
        os.dup2(placeholder, fd)
        os.close(placeholder)


def die_with_parent() -> None:
    """SIGKILL this process when the process that forked it ends (Linux)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError) as error:
        log.warning("could not tie a worker's life to its parent: %s", error)
