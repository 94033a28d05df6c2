"""A few dozen anonymous clients cannot take a real uvicorn down (issue 19, "high" and its
memory and deadline findings), each attack at a bounded scale on loopback: heads over the cap,
heads that never end, connections beyond the limit, bodies sent without the token, identical
slow queries, a query over a worker's memory, and a query queued behind slow ones."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from live_server import build_store, serving

from stress.attacks import CHEAP, SLOW, closed, connect, head, status
from stress.measure import settle

pytestmark = pytest.mark.live

TOKEN = "resources-token"
HEAD_TIMEOUT = 3.0
BODY_TIMEOUT = 3.0
QUERY_TIMEOUT = 3.0
CONNECTIONS = 16
FRONT = {"KG_UPDATE_TOKEN": TOKEN, "KG_HEAD_TIMEOUT": str(HEAD_TIMEOUT), "KG_MAX_CONNECTIONS": str(CONNECTIONS),
         "KG_BODY_READS": "2", "KG_BODY_TIMEOUT": str(BODY_TIMEOUT)}
ENGINE = {"KG_WORKERS": "2", "KG_MAX_PENDING": "3", "KG_QUERY_TIMEOUT": str(QUERY_TIMEOUT),
          "KG_WORKER_MEMORY_MIB": "64"}
HALF = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: "


@pytest.fixture(scope="module")
def front(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server with small limits on heads, connections and bodies."""
    with serving(build_store(tmp_path_factory.mktemp("front") / "store"), **FRONT) as base:
        yield base


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server with two workers, three pending places, a 3 s deadline and 64 MiB a worker."""
    with serving(build_store(tmp_path_factory.mktemp("engine") / "store"), **ENGINE) as base:
        yield base


def cheap(base: str) -> int:
    """A cheap query no cache has seen, its status."""
    return httpx.get(f"{base}/sparql", params={"query": CHEAP.format(time.monotonic_ns())}, timeout=30).status_code


# -- heads -----------------------------------------------------------------------------------------

HEADS = [
    ("a long header", head("GET", "/health", {"X-Long": "a" * 40_000}), 431),
    ("many headers", head("GET", "/health", {f"X-{i}": "a" * 100 for i in range(300)}), 431),
    ("a long URL", head("GET", "/health?" + "a" * 40_000), 431),
    ("a 10 MB line", b"GET /health HTTP/1.1\r\nX-Long: " + b"a" * 10_000_000, 431),
    ("just under the cap", head("GET", "/health", {"X-Long": "a" * 16_000}), 200),
]


@pytest.mark.parametrize(("case", "request_head", "expected"), HEADS, ids=[h[0] for h in HEADS])
def test_a_head_over_the_cap_is_431(front: str, case: str, request_head: bytes, expected: int) -> None:
    with connect(front) as sock:
        try:
            sock.sendall(request_head)
        except OSError:
            pass  # answered and closed before all of it was sent
        assert status(sock, 10) == expected
    assert cheap(front) == 200


TRICKLES = [  # what is sent, and the pause between its bytes (0: all at once)
    ("nothing at all", b"", 0.0, None),
    ("half a head", HALF, 0.0, 408),
    ("a head one byte at a time", HALF + b"a" * 60, 0.1, 408),
]


@pytest.mark.parametrize(("case", "sent", "pause", "expected"), TRICKLES, ids=[t[0] for t in TRICKLES])
def test_a_head_that_never_ends_is_closed_at_the_head_timeout(front: str, case: str, sent: bytes, pause: float,
                                                              expected: int | None) -> None:
    with connect(front) as sock:
        pieces = [sent[i:i + 1] for i in range(len(sent))] if pause else [sent]
        for piece in pieces:  # at most 100 bytes 0.1 s apart: longer than the head timeout
            try:
                sock.sendall(piece)
            except OSError:
                break  # closed by the server: read what it said
            time.sleep(pause)
        assert status(sock, HEAD_TIMEOUT + 5) == expected


def test_connections_beyond_the_limit_close_the_oldest_half_sent_heads(front: str) -> None:
    """Twice the limit in half-sent heads: the oldest are closed to make room, so there are
    never more than the limit, and /health (a new client) still answers."""
    sockets: list[socket.socket] = []
    try:
        for _ in range(2 * CONNECTIONS):
            sockets.append(connect(front))
            sockets[-1].sendall(HALF)
        assert httpx.get(f"{front}/health", timeout=HEAD_TIMEOUT).status_code == 200
        shut = [closed(sock) for sock in sockets]
        assert shut == [True] * (CONNECTIONS + 1) + [False] * (CONNECTIONS - 1)  # the oldest, one for /health
        assert {status(sock, 1) for sock in sockets[:CONNECTIONS + 1]} <= {503, None}
    finally:
        for sock in sockets:
            sock.close()


def test_when_every_connection_is_in_a_request_a_new_one_is_refused(tmp_path: Path) -> None:
    """Connections that sent a whole head and are still sending their body are in a request:
    none can be closed for a newcomer, which gets 503; once their bodies time out, it is served."""
    form = head("POST", "/sparql", {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": "100"})
    with serving(build_store(tmp_path / "store"), KG_MAX_CONNECTIONS="3", KG_BODY_READS="3",
                 KG_BODY_TIMEOUT=str(BODY_TIMEOUT)) as base:
        busy = [connect(base) for _ in range(3)]
        try:
            for sock in busy:
                sock.sendall(form + b"query=")
            time.sleep(0.5)
            with connect(base) as newcomer:
                newcomer.sendall(head("GET", "/health"))
                assert status(newcomer, 5) == 503
            assert {status(sock, BODY_TIMEOUT + 5) for sock in busy} == {408}
        finally:
            for sock in busy:
                sock.close()
        assert httpx.get(f"{base}/health", timeout=10).status_code == 200


# -- bodies ----------------------------------------------------------------------------------------

UNAUTHORISED = [
    ("Graph Store PUT, no token", "PUT", "/store?graph=http://example.org/x", "text/turtle", {}, 401),
    ("Graph Store POST, no token", "POST", "/store", "text/turtle", {}, 401),
    ("Graph Store PUT, wrong token", "PUT", "/store?default", "text/turtle", {"Authorization": "Bearer no"}, 403),
    ("an update, no token", "POST", "/sparql", "application/sparql-update", {}, 401),
    ("an update, wrong token", "POST", "/sparql", "application/sparql-update", {"Authorization": "Bearer no"}, 403),
    ("a body over the limit", "POST", "/sparql", "application/sparql-query", {"Content-Length": "2000000"}, 413),
]


@pytest.mark.parametrize(("case", "method", "target", "media", "headers", "expected"), UNAUTHORISED,
                         ids=[u[0] for u in UNAUTHORISED])
def test_a_write_without_the_token_is_refused_on_its_head(front: str, case: str, method: str, target: str,
                                                          media: str, headers: dict[str, str], expected: int) -> None:
    """Only the head of a 1 MiB body is sent: the answer comes without the body, so the server
    did not wait for it (nor hold it)."""
    with connect(front) as sock:
        sock.sendall(head(method, target, {"Content-Type": media, "Content-Length": str(1 << 20), **headers}))
        assert status(sock, 5) == expected


def test_only_so_many_bodies_are_read_at_once(front: str) -> None:
    """Two bodies that never end hold both reading places: a third POST gets 503, a GET is
    answered meanwhile, and the two get 408 at the body timeout."""
    form = head("POST", "/sparql", {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": "100"})
    holders = [connect(front) for _ in range(2)]
    try:
        for sock in holders:
            sock.sendall(form + b"query=")
        time.sleep(0.3)
        third = httpx.post(f"{front}/sparql", data={"query": "ASK {}"}, timeout=10)
        assert third.status_code == 503 and "KG_BODY_READS" in third.text
        assert cheap(front) == 200
        assert [status(sock, BODY_TIMEOUT + 5) for sock in holders] == [408, 408]
    finally:
        for sock in holders:
            sock.close()
    assert httpx.post(f"{front}/sparql", data={"query": "ASK {}"}, timeout=10).status_code == 200


# -- the engine ------------------------------------------------------------------------------------


def test_identical_slow_queries_wait_inside_admission(engine: str) -> None:
    """48 identical slow queries: one runs, three wait for its answer (the pending places) and
    end with it at the deadline, the rest get 503 at once — and a cheap query is answered
    while the slow one still runs."""
    settle(engine, 2)
    limits = httpx.Limits(max_connections=64)
    with httpx.Client(base_url=engine, timeout=QUERY_TIMEOUT * 3, limits=limits) as client, \
            ThreadPoolExecutor(48) as pool:
        asked = [pool.submit(client.get, "/sparql", params={"query": SLOW}) for _ in range(48)]
        time.sleep(0.5)
        assert cheap(engine) == 200
        running = sum(not answer.done() for answer in asked)
        answers = [answer.result() for answer in asked]
    assert running >= 4  # the slow one and its three waiters: the cheap one did not wait for them
    assert {answer.status_code for answer in answers} == {503}
    assert sum("deadline" in answer.text for answer in answers) == 4
    assert sum("wait for answers" in answer.text for answer in answers) == 44


def test_a_query_over_the_memory_limit_is_told_so_and_its_worker_replaced(engine: str) -> None:
    values = " ".join(map(str, range(1000)))
    sort = (f"SELECT * WHERE {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} "
            "BIND(CONCAT(STR(?a), '-', STR(?b)) AS ?c) } ORDER BY DESC(?c)")  # a million rows to sort
    settle(engine, 2)
    response = httpx.post(f"{engine}/sparql", data={"query": sort}, timeout=30)
    assert response.status_code == 503
    assert "KG_WORKER_MEMORY_MIB" in response.text and "64 MiB" in response.text
    assert settle(engine, 2) == 2
    assert [cheap(engine) for _ in range(4)] == [200] * 4


def test_a_query_queued_behind_two_slow_ones_ends_by_its_own_deadline(engine: str) -> None:
    """Two slow queries hold both workers; a third, queued behind them, is answered 503 at its
    own deadline, which counts its wait: not after waiting one deadline and running another."""
    settle(engine, 2)
    texts = [SLOW.replace("?l }", f"?l . ?x{n} ?y{n} ?z{n} }}") for n in range(3)]
    with ThreadPoolExecutor(2) as pool:
        first = [pool.submit(httpx.get, f"{engine}/sparql", params={"query": t}, timeout=30) for t in texts[:2]]
        time.sleep(0.5)
        third = httpx.get(f"{engine}/sparql", params={"query": texts[2]}, timeout=QUERY_TIMEOUT * 1.6)
        assert third.status_code == 503 and "deadline" in third.text
        assert [f.result().status_code for f in first] == [503, 503]
