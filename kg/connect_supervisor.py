"""The second lock with federation on: every connect of a confined engine, judged by address.

With federation on, the engine processes (or the CLI's engine thread) run under a seccomp filter
(`sandbox.confine`) that hands each `connect`, each `sendto` with an address, and each `sendmsg`
and `sendmmsg` to this supervisor, by seccomp user notification, before the kernel does them.
The supervisor runs where no such filter is (the server process; the CLI's main thread). It
reads the address from the confined process's memory and lets the call go on
(`SECCOMP_USER_NOTIF_FLAG_CONTINUE`) only to

- an address and port that an allow-listed endpoint's host resolves to (resolved here, kept
  `RESOLVED_TTL` seconds; an address not known is looked up afresh once before it is refused);
- the system's DNS resolvers (`/etc/resolv.conf`), port 53, so that the engine can resolve
  the allow-listed hosts;
- Unix and netlink sockets (the workers' own channels; the resolver's interface queries).

Anything else fails with EACCES, whatever the text asked for: a `SERVICE` the check missed, a
redirect from an allowed endpoint to another host, a host that resolves elsewhere for the
engine than for us (it fails closed). This lock does not read the text.

Threat model: the query text is hostile; the engine's code is not. The kernel reads the
address again after CONTINUE, so a thread of the confined process could change it between
our check and the connect (the TOCTOU the seccomp documentation warns of). That takes code
running in the engine that races us on purpose; a query text cannot make the engine do that.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import ipaddress
import logging
import os
import re
import select
import socket
import struct
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from .allow_list import Endpoint

log = logging.getLogger("kg.sandbox")
RESOLVED_TTL = 30.0  # seconds the addresses of the allow-listed hosts are kept
RESOLV_CONF = Path("/etc/resolv.conf")
CONTINUE = 1  # SECCOMP_USER_NOTIF_FLAG_CONTINUE
MAX_MESSAGES = 64  # sendmmsg vectors longer than this are refused
OPEN_FAMILIES = (socket.AF_UNSPEC, socket.AF_UNIX, socket.AF_NETLINK)
Address = tuple[str, int]


class _Data(ctypes.Structure):
    _fields_ = [("nr", ctypes.c_int), ("arch", ctypes.c_uint32), ("ip", ctypes.c_uint64),
                ("args", ctypes.c_uint64 * 6)]


class _Notif(ctypes.Structure):
    _fields_ = [("id", ctypes.c_uint64), ("pid", ctypes.c_uint32), ("flags", ctypes.c_uint32), ("data", _Data)]


class _Resp(ctypes.Structure):
    _fields_ = [("id", ctypes.c_uint64), ("val", ctypes.c_int64), ("error", ctypes.c_int32),
                ("flags", ctypes.c_uint32)]


def _ioc(direction: int, number: int, size: int) -> int:
    return direction << 30 | size << 16 | ord("!") << 8 | number


# The listener's ioctls (linux/seccomp.h), used directly: libseccomp's own wrappers answer only
# in a process whose libseccomp state has probed the kernel, which the server's never does.
NOTIF_RECV = _ioc(3, 0, ctypes.sizeof(_Notif))
NOTIF_SEND = _ioc(3, 1, ctypes.sizeof(_Resp))
NOTIF_ID_VALID = _ioc(1, 2, 8)


def _libseccomp() -> ctypes.CDLL:
    lib = ctypes.CDLL(ctypes.util.find_library("seccomp") or "libseccomp.so.2")
    lib.seccomp_notify_fd.argtypes = (ctypes.c_void_p,)
    lib.seccomp_reset.argtypes = (ctypes.c_void_p, ctypes.c_uint32)
    return lib


def listener_of(rules: object) -> int:
    """The user-notification fd of the pyseccomp filter just loaded, ours to keep and close.
    libseccomp keeps one such fd for the whole process and asks the kernel for no new one while
    it has it: so it is duplicated, and libseccomp's global state reset (which closes its copy),
    for the next filter (the CLI's next command in the same process) to get a listener of its own."""
    lib = _libseccomp()
    fd = lib.seccomp_notify_fd(rules._filter)  # type: ignore[attr-defined]  # pyseccomp has no accessor
    if fd < 0:
        raise OSError(-fd, "the seccomp filter has no notification fd")
    ours = os.dup(fd)
    lib.seccomp_reset(None, 0)  # the next NOTIFY rule added probes the kernel again
    return ours


# -- what may be reached ---------------------------------------------------------------------------


def _normal(host: str) -> str:
    address = ipaddress.ip_address(host.split("%")[0])
    mapped = getattr(address, "ipv4_mapped", None)
    return str(mapped or address)


def resolvers(conf: Path = RESOLV_CONF) -> set[Address]:
    """The DNS servers the C library asks (port 53); its default, the local host, if none."""
    try:
        text = conf.read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    found = set()
    for host in re.findall(r"^\s*nameserver\s+(\S+)", text, re.MULTILINE):
        try:
            found.add((_normal(host), 53))
        except ValueError:
            continue
    return found or {("127.0.0.1", 53), ("::1", 53)}


class Reachable:
    """The addresses the allow-list names: resolved here, each kept RESOLVED_TTL seconds after it
    was last seen. An address not known is looked up afresh (at most once a second) before it is
    refused, so a host that answers each lookup with other addresses (a CDN) still works."""

    def __init__(self, rules: Sequence[Endpoint]) -> None:
        self._endpoints = sorted({(rule.host, rule.port) for rule in rules})
        self._dns = resolvers()
        self._known: dict[Address, float] = {}  # address: until when
        self._looked = -1.0

    def admits(self, address: Address) -> bool:
        now = time.monotonic()
        if address in self._dns or self._known.get(address, 0.0) > now:
            return True
        if now - self._looked >= 1.0:
            self._looked = now
            self._known = {a: until for a, until in self._known.items() if until > now}
            self._known.update(dict.fromkeys(self._resolve(), now + RESOLVED_TTL))
        return self._known.get(address, 0.0) > now

    def _resolve(self) -> set[Address]:
        found: set[Address] = set()
        for host, port in self._endpoints:
            try:
                infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except OSError as error:
                log.warning("the allow-listed host %s does not resolve: %s", host, error)
                continue
            found |= {(_normal(str(info[4][0])), port) for info in infos}
        return found


# -- reading the call ------------------------------------------------------------------------------


def _read(pid: int, address: int, size: int) -> bytes:
    fd = os.open(f"/proc/{pid}/mem", os.O_RDONLY)
    try:
        return os.pread(fd, size, address)
    finally:
        os.close(fd)


def _sockaddr(raw: bytes) -> tuple[int, Address | None]:
    """The family of a sockaddr, and its (host, port) for IPv4 and IPv6."""
    if len(raw) < 2:
        return -1, None
    family = struct.unpack_from("=H", raw)[0]
    if family == socket.AF_INET and len(raw) >= 8:
        return family, (str(ipaddress.IPv4Address(raw[4:8])), struct.unpack_from("!H", raw, 2)[0])
    if family == socket.AF_INET6 and len(raw) >= 24:
        return family, (_normal(str(ipaddress.IPv6Address(raw[8:24]))), struct.unpack_from("!H", raw, 2)[0])
    return family, None


class _Call:
    """The addresses one notified system call would send to (None: no address given)."""

    def __init__(self, pid: int, names: dict[int, str], nr: int, args: Sequence[int]) -> None:
        self.pid, self.name, self.args = pid, names.get(nr, str(nr)), args

    def addresses(self) -> list[bytes | None]:
        if self.name == "connect":
            return [self._name(self.args[1], self.args[2])]
        if self.name == "sendto":
            return [self._name(self.args[4], self.args[5])]
        if self.name == "sendmsg":
            return [self._message(self.args[1])]
        if self.name == "sendmmsg":
            count = self.args[2]
            if count > MAX_MESSAGES:
                raise OSError(errno.E2BIG, f"sendmmsg of {count} messages")
            return [self._message(self.args[1] + 64 * index) for index in range(count)]  # sizeof(struct mmsghdr)
        raise OSError(errno.ENOSYS, f"{self.name} is not supervised")

    def _name(self, pointer: int, length: int) -> bytes | None:
        return None if not pointer else _read(self.pid, pointer, min(length, 128))

    def _message(self, pointer: int) -> bytes | None:
        name, length = struct.unpack("=QI", _read(self.pid, pointer, 12))  # struct msghdr: msg_name, msg_namelen
        return self._name(name, length)


def _admitted(call: _Call, reachable: Reachable) -> bool:
    for raw in call.addresses():
        if raw is None:
            continue
        family, address = _sockaddr(raw)
        if family in OPEN_FAMILIES:
            continue
        if address is None or not reachable.admits(address):
            log.warning("engine process %d: %s to %s refused (not an allow-listed endpoint)", call.pid, call.name,
                        address or f"family {family}")
            return False
    return True


# -- the supervisor --------------------------------------------------------------------------------


class Supervisor:
    """Answers the notifications of one listener fd on a thread of its own, until closed or until
    every process under the filter has ended. It owns the fd."""

    def __init__(self, listener: int, rules: Sequence[Endpoint]) -> None:
        import pyseccomp as seccomp

        self._fd, self._reachable = listener, Reachable(rules)
        self._names = {seccomp.resolve_syscall(seccomp.Arch.NATIVE, name): name
                       for name in ("connect", "sendto", "sendmsg", "sendmmsg")}
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="kg-connect-supervisor", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._closing.set()
        self._thread.join(timeout=5)
        os.close(self._fd)

    def _serve(self) -> None:
        poller = select.poll()
        poller.register(self._fd, select.POLLIN)
        while not self._closing.is_set():
            events = poller.poll(250)
            if any(flags & (select.POLLHUP | select.POLLERR | select.POLLNVAL) for _, flags in events):
                return  # every process under the filter has ended
            if events:
                try:
                    self._answer()
                except Exception:  # a caller left waiting would wait for ever
                    log.exception("a notification could not be answered")

    def _answer(self) -> None:
        notice = _Notif()
        try:
            fcntl.ioctl(self._fd, NOTIF_RECV, notice)
        except OSError:
            return  # the caller went away meanwhile
        try:
            allowed = _admitted(_Call(notice.pid, self._names, notice.data.nr, list(notice.data.args)), self._reachable)
        except (OSError, ValueError, struct.error) as error:
            log.warning("engine process %d: a call refused, as it could not be read: %s", notice.pid, error)
            allowed = False
        try:
            fcntl.ioctl(self._fd, NOTIF_ID_VALID, ctypes.c_uint64(notice.id))
            fcntl.ioctl(self._fd, NOTIF_SEND, _Resp(notice.id, 0, 0 if allowed else -errno.EACCES,
                                                    CONTINUE if allowed else 0))
        except OSError:
            return  # the caller ended while we read its memory (its pid may be another's now)
