"""The resource attacks of a few dozen anonymous clients, on raw sockets, and a probe that
checks a cheap query keeps answering while each one runs.

- **Large heads**: request heads of a megabyte (a header line that never ends, on connections
  that keep sending); each must get 431 (or be closed) without the server parsing it all.
- **Half-sent heads**: many more connections than `KG_MAX_CONNECTIONS`, each sending half a
  request head and then nothing; the server closes them (the oldest first, then all at the
  head timeout) and its open files come back.
- **Unauthenticated bodies**: Graph Store `PUT`s of 1 MiB without the token; each is answered
  401 on its head, so the server does not hold the bodies.
- **Identical slow queries**: the same slow query from many clients at once; the duplicates
  beyond admission get 503 at once, and cheap queries are still answered.

Goal of each, checked by `Probe`: a cheap query answered (200) within PROBE_GOAL seconds,
every time it is asked during the attack.
"""

from __future__ import annotations

import itertools
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from urllib.parse import urlencode, urlsplit

import httpx

PROBE_GOAL = 1.0  # seconds a cheap query may take during an attack
PROBE_EVERY = 0.2  # seconds between probes
CHEAP = "ASK {{ ?s a ?type FILTER(?type != <urn:probe:{}>) }}"  # a new text each time: never a cache hit
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"  # runs to its deadline


def connect(base: str, timeout: float = 10.0) -> socket.socket:
    """A TCP connection to the server at `base` (http://host:port)."""
    parts = urlsplit(base)
    return socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=timeout)


def head(method: str, target: str, headers: dict[str, str] | None = None) -> bytes:
    """A whole request head (line, Host, `headers`, blank line)."""
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in (headers or {}).items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def status(sock: socket.socket, timeout: float) -> int | None:
    """The status of the answer that comes on `sock` within `timeout` seconds; None when the
    server closed the connection without one. TimeoutError when neither happened."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            return int(data.split(b" ")[1]) if data.startswith(b"HTTP/") and b" " in data else None
        data += chunk
    return int(data.split(b" ", 2)[1])


def closed(sock: socket.socket) -> bool:
    """Whether the server has answered or closed `sock` already (without waiting)."""
    sock.settimeout(0.0)
    try:
        sock.recv(1, socket.MSG_PEEK)
    except BlockingIOError:
        return False
    except OSError:
        return True
    return True


class Probe:
    """A cheap query every PROBE_EVERY seconds on a new connection, on a thread, while the
    block runs; `latencies` and `failures` (status or error, and seconds) after."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.latencies: list[float] = []
        self.failures: list[str] = []
        self._stop = threading.Event()

    def _run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=30, limits=httpx.Limits(max_keepalive_connections=0)) as client:
            for n in itertools.count():
                if self._stop.is_set():
                    return
                self._ask(client, n)
                self._stop.wait(PROBE_EVERY)

    def _ask(self, client: httpx.Client, n: int) -> None:
        began = time.perf_counter()
        try:
            outcome: int | str = client.get("/sparql", params={"query": CHEAP.format(n)}).status_code
        except httpx.HTTPError as error:
            outcome = type(error).__name__
        seconds = time.perf_counter() - began
        self.latencies.append(seconds)
        if outcome != 200 or seconds > PROBE_GOAL:
            self.failures.append(f"{outcome} in {seconds:.2f} s")

    @contextmanager
    def running(self, at_least: int = 3) -> Iterator[Probe]:
        """Probing while the block runs, and until `at_least` probes were made (30 s at most)."""
        thread = threading.Thread(target=self._run, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            deadline = time.monotonic() + 30
            while len(self.latencies) < at_least and thread.is_alive() and time.monotonic() < deadline:
                time.sleep(0.05)
            self._stop.set()
            thread.join(timeout=60)


def large_heads(base: str, *, clients: int, rounds: int, size: int) -> list[int | None]:
    """`clients` connections at a time, `rounds` times, each sending a header line of `size`
    bytes in 64 KiB pieces; the status each got (None: closed without one)."""

    def one(_: int) -> int | None:
        with connect(base) as sock:
            try:
                sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: ")
                for _ in range(size // 65_536):
                    sock.sendall(b"a" * 65_536)
            except OSError:
                pass  # the server closed it after answering: read what it said
            try:
                return status(sock, 30)
            except OSError:
                return None

    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(one, range(clients * rounds)))


def half_heads(base: str, *, count: int, hold: float) -> tuple[int, int]:
    """`count` connections that each send half a request head and nothing more, held `hold`
    seconds; (how many the server had closed at the end, how many could be opened)."""
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            try:
                sock = connect(base)
                sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ")
            except OSError:
                break
            sockets.append(sock)
        time.sleep(hold)
        return sum(closed(sock) for sock in sockets), len(sockets)
    finally:
        for sock in sockets:
            sock.close()


def unauthenticated_bodies(base: str, *, clients: int, size: int) -> list[int | None]:
    """`clients` Graph Store PUTs of `size` bytes without the token, all open at once; the
    status each got on its head (None: closed without one)."""
    request = head("PUT", "/store?graph=http://example.org/attack", {
        "Content-Type": "text/turtle", "Content-Length": str(size)})
    body = b"#" * size
    sockets = [connect(base) for _ in range(clients)]

    def one(sock: socket.socket) -> int | None:
        try:
            sock.sendall(request)
            answer = status(sock, 30)
            sock.sendall(body)  # what a client that does not wait for the answer sends anyway
            return answer
        except OSError:
            return None

    try:
        with ThreadPoolExecutor(min(clients, 64)) as pool:
            return list(pool.map(one, sockets))
    finally:
        for sock in sockets:
            sock.close()


def identical_slow_queries(base: str, *, clients: int, timeout: float) -> list[int | None]:
    """The same slow query from `clients` connections at once; the status each got."""
    request = head("GET", "/sparql?" + urlencode({"query": SLOW}))
    sockets = [connect(base) for _ in range(clients)]

    def one(sock: socket.socket) -> int | None:
        try:
            return status(sock, timeout)
        except OSError:
            return None

    try:
        for sock in sockets:
            sock.sendall(request)
        with ThreadPoolExecutor(min(clients, 64)) as pool:
            return list(pool.map(one, sockets))
    finally:
        for sock in sockets:
            sock.close()
