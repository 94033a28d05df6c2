"""Connections, before any request reaches the app: the size and time of a request's head, and
how many connections are open at once.

uvicorn's HTTP protocol (httptools) keeps reading a request line and headers however long they
get, and for as long as they take. `protocol(settings)` makes a subclass of it that

- answers `431` and closes when a head passes `KG_MAX_HEAD` bytes, before the parser sees the
  bytes past the cap (its cost grows with the square of a head's size);
- answers `408` and closes when a head has not arrived `KG_HEAD_TIMEOUT` seconds after the
  connection opened, or after the previous answer on it — a connection that sends half a head
  and then nothing holds a file descriptor only that long;
- keeps at most `KG_MAX_CONNECTIONS` open: a new one beyond closes the oldest connection that
  is waiting for a head (one that never finishes its head, or an idle keep-alive), so such
  connections cannot keep new clients out; when every open one is in a request, the new one
  gets `503` and is closed.

`raise_file_limit` lifts the soft limit of open files to the hard one, so those connections,
the workers' sockets and the store's files all fit.
"""

from __future__ import annotations

import logging
import resource
import time
from collections import OrderedDict
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from kg.settings import Settings

log = logging.getLogger("kg.server")
RESERVED_FILES = 256  # file descriptors kept for the store, the workers' sockets and logs
WARN_EVERY = 10.0  # seconds between log lines about the connection limit
REASONS = {408: b"Request Timeout", 431: b"Request Header Fields Too Large", 503: b"Service Unavailable"}


def raise_file_limit() -> int:
    """Lift the soft limit of open files to the hard limit; the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError) as error:
            log.warning("could not raise the open-file limit from %d to %d: %s", soft, hard, error)
    return soft


def connection_limit(wanted: int, files: int) -> int:
    """`KG_MAX_CONNECTIONS`, lowered to what `files` open files leave beside the reserve.

    >>> connection_limit(1000, 1_048_576), connection_limit(1000, 1024), connection_limit(1000, 100)
    (1000, 768, 1)
    """
    return max(1, min(wanted, files - RESERVED_FILES))


class Gate:
    """The open connections of one server, and those waiting for a head, oldest first."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.open: set[Any] = set()
        self.waiting: OrderedDict[Any, None] = OrderedDict()
        self._warned = -WARN_EVERY

    def warn(self, message: str) -> None:
        """Log `message`, at most once every WARN_EVERY seconds (an attack makes thousands)."""
        now = time.monotonic()
        if now - self._warned >= WARN_EVERY:
            self._warned = now
            log.warning("%s (KG_MAX_CONNECTIONS is %d)", message, self.limit)

    def admit(self, connection: Any) -> bool:
        """Count a new connection in; False (refuse it) when every other open one is in a request."""
        self.open.add(connection)
        if len(self.open) <= self.limit:
            return True
        oldest = next(iter(self.waiting), None)
        if oldest is None:
            self.open.discard(connection)
            return False
        self.leave(oldest)
        oldest.evict()
        return True

    def wait(self, connection: Any) -> None:
        if connection in self.open:
            self.waiting[connection] = None
            self.waiting.move_to_end(connection)

    def busy(self, connection: Any) -> None:
        self.waiting.pop(connection, None)

    def leave(self, connection: Any) -> None:
        self.open.discard(connection)
        self.waiting.pop(connection, None)


def _plain(status: int, message: str) -> bytes:
    body = message.encode() + b"\n"
    return (b"HTTP/1.1 %d %s\r\ncontent-type: text/plain; charset=utf-8\r\nx-content-type-options: nosniff\r\n"
            b"content-length: %d\r\nconnection: close\r\n\r\n" % (status, REASONS[status], len(body))) + body


class LimitedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the limits above (class attributes set by `protocol`)."""

    max_head = 16_384
    head_timeout = 10.0
    gate = Gate(1000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head: int | None = None  # bytes of the head being read; None while in a request
        self._head_timer: Any = None

    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if not self.gate.admit(self):
            self.gate.warn("connections refused: every open one is in a request")
            self._close_with(503, "too many connections at once; try again shortly")
            return
        self._await_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self.gate.leave(self)
        self._stop_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._head is None or self.transport.is_closing():
            super().data_received(data)
            return
        room = self.max_head - self._head
        self._head += len(data)
        if len(data) <= room:
            super().data_received(data)
            return
        super().data_received(data[:room])  # the head may end within the cap
        if self._head is not None and not self.transport.is_closing():
            self._close_with(431, f"the request's line and headers are over {self.max_head} bytes (KG_MAX_HEAD)")
        elif not self.transport.is_closing():
            super().data_received(data[room:])

    def on_headers_complete(self) -> None:
        self._head = None
        self._stop_timer()
        self.gate.busy(self)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._head = 0  # what follows on this connection is the next request's head

    def on_response_complete(self) -> None:
        """Answered (perhaps before its body was all sent, which is then read and dropped): the
        connection waits for its next head, under the same timer."""
        super().on_response_complete()
        if not self.transport.is_closing() and not self.pipeline:
            self._await_head(self._head)

    def _await_head(self, head: int | None = 0) -> None:
        self._head = head
        self.gate.wait(self)
        self._stop_timer()
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or (self.cycle is not None and not self.cycle.response_complete):
            return  # a request is being answered: its own deadline applies
        if not self._head:  # nothing of a new request came: an idle connection, closed quietly
            self.gate.leave(self)
            self.transport.close()
            return
        self._close_with(408, f"the request's line and headers did not arrive within {self.head_timeout:g} s "
                              "(KG_HEAD_TIMEOUT)")

    def evict(self) -> None:
        """Closed to make room for a new connection (see `Gate.admit`)."""
        self.gate.warn("connections waiting for a request closed to make room for new ones")
        if self._head:
            self._close_with(503, "too many connections at once; this one had not sent its request")
        else:
            self._stop_timer()
            self.transport.close()

    def _stop_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _close_with(self, status: int, message: str) -> None:
        self.gate.leave(self)
        self._stop_timer()
        if not self.transport.is_closing():
            self.transport.write(_plain(status, message))
            self.transport.close()


def protocol(settings: Settings, files: int) -> type[LimitedProtocol]:
    """The protocol class for uvicorn's `http=`, with this server's limits and its own gate."""
    limit = connection_limit(settings.max_connections, files)
    if limit < settings.max_connections:
        log.warning("KG_MAX_CONNECTIONS lowered from %d to %d: %d files may be open", settings.max_connections,
                    limit, files)
    return type("KgProtocol", (LimitedProtocol,), {
        "max_head": settings.max_head, "head_timeout": settings.head_timeout, "gate": Gate(limit)})
