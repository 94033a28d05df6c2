"""Limits a process sets on itself before the engine runs in it.

`forbid_network` installs a seccomp filter under which the process and every process it
forks can no longer open an IPv4 or IPv6 socket, so the engine's HTTP client (which would
fetch `SERVICE` endpoints and `LOAD` documents) cannot reach any host, whatever text it is
given. Unix sockets and pipes, which the workers talk over, stay open.

`die_with_parent` asks the kernel to kill this process when its parent ends.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import signal
import socket

log = logging.getLogger("kg.sandbox")
PR_SET_PDEATHSIG = 1


def forbid_network() -> bool:
    """Refuse new IPv4/IPv6 sockets from now on (EACCES); False where seccomp is not available."""
    try:
        import pyseccomp as seccomp

        rules = seccomp.SyscallFilter(seccomp.ALLOW)
        for family in (socket.AF_INET, socket.AF_INET6):
            rules.add_rule(seccomp.ERRNO(errno.EACCES), "socket", seccomp.Arg(0, seccomp.EQ, family))
        rules.load()
    except (ImportError, OSError, RuntimeError, ValueError) as error:
        log.warning("the engine processes could not be kept off the network (seccomp: %s)", error)
        return False
    return True


def network_forbidden() -> bool:
    """Whether this process can no longer open an IPv4 socket."""
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
    except PermissionError:
        return True
    return False


def die_with_parent() -> None:
    """SIGKILL this process when the process that forked it ends (Linux)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError) as error:
        log.warning("could not tie a worker's life to its parent: %s", error)
