"""The result cache: byte-identical answers, hits and misses in /metrics, invalidation by writes,
keys by normalised text, format and dataset; errors never cached; the row cap kept."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager

import pytest
from fastapi.testclient import TestClient

from kg.settings import Settings
from kg.store import Store
from server.admission import Admission
from server.app import create_app
from server.jobs import Query
from server.metrics import Metrics
from server.result_cache import CachingPool, ResultCache, normalised
from server.results import Serialized
from server.sparql import TRUNCATED

TOKEN = "cache-test-token"
NAMES = "SELECT ?n WHERE { ?c <http://www.w3.org/2004/02/skos/core#altLabel> ?n } ORDER BY ?n"
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture
def client(fresh_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(fresh_store, Settings(update_token=TOKEN, max_rows=3))) as test_client:
        yield test_client


def counts(client: TestClient) -> tuple[int, int]:
    text = client.get("/metrics").text
    found = {name: float(value) for name, value in re.findall(r"^kg_result_cache_(hits|misses)_total (\S+)$", text, re.MULTILINE)}
    return int(found["hits"]), int(found["misses"])


def test_a_repeated_query_is_a_hit_with_the_same_bytes(client: TestClient) -> None:
    first = client.get("/sparql", params={"query": NAMES}, headers=JSON)
    second = client.get("/sparql", params={"query": NAMES}, headers=JSON)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert {k: v for k, v in first.headers.items() if k != "x-request-id"} == \
        {k: v for k, v in second.headers.items() if k != "x-request-id"}
    assert counts(client) == (1, 1)


VARIANTS = [
    ("spacing", NAMES.replace(" ", "   ").replace("{", "{\n"), JSON, True),
    ("a comment", "# who\n" + NAMES, JSON, True),
    ("another format", NAMES, {"Accept": "text/csv"}, False),
    ("another query", NAMES.replace("?n", "?name"), JSON, False),
]


@pytest.mark.parametrize(("case", "text", "headers", "hit"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_what_makes_a_different_entry(client: TestClient, case: str, text: str, headers: dict[str, str],
                                      hit: bool) -> None:
    client.get("/sparql", params={"query": NAMES}, headers=JSON)
    client.get("/sparql", params={"query": text}, headers=headers)
    assert counts(client) == ((1, 1) if hit else (0, 2))


def test_a_write_makes_the_next_read_a_miss_that_sees_it(client: TestClient) -> None:
    ask = {"query": "ASK { <urn:cache:s> ?p ?o }"}
    assert client.get("/sparql", params=ask, headers=JSON).json()["boolean"] is False
    written = client.post("/sparql", data={"update": "INSERT DATA { <urn:cache:s> <urn:cache:p> 1 }"},
                          headers={"Authorization": f"Bearer {TOKEN}"})
    assert written.status_code == 204
    assert client.get("/sparql", params=ask, headers=JSON).json()["boolean"] is True
    assert counts(client) == (0, 2)


SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
KEPT = [  # (case, query, write, kept across the write)
    ("a write of another predicate", NAMES, ("update", "INSERT DATA { <urn:cache:s> <urn:cache:p> 1 }"), True),
    ("a write of a predicate it reads", NAMES, ("update", f'INSERT DATA {{ <urn:cache:s> <{SKOS_ALT}> "AAA" }}'),
     False),
    ("a delete of a predicate it reads", NAMES, ("update", f"DELETE WHERE {{ GRAPH ?g {{ ?s <{SKOS_ALT}> ?o }} }}"), False),
    ("a query of any predicate", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
     ("update", "INSERT DATA { <urn:cache:s> <urn:cache:p> 1 }"), False),
    ("a path of zero steps or more", "SELECT (COUNT(*) AS ?n) WHERE { ?s <urn:cache:q>* ?o }",
     ("update", "INSERT DATA { <urn:cache:s> <urn:cache:p> 1 }"), False),
    ("a graph replaced", NAMES, ("put", "<urn:cache:s> <urn:cache:p> \"1\" ."), False),
]


@pytest.mark.parametrize(("case", "query", "write", "kept"), KEPT, ids=[k[0] for k in KEPT])
def test_a_write_keeps_only_the_answers_it_cannot_change(fresh_store: Store, client: TestClient, case: str,
                                                         query: str, write: tuple[str, str], kept: bool) -> None:
    client.get("/sparql", params={"query": query}, headers=JSON)
    kind, text = write
    if kind == "update":
        response = client.post("/sparql", data={"update": text}, headers=AUTH)
    else:
        response = client.put("/store", params={"graph": "http://example.org/cache/g"}, content=text.encode(),
                              headers={**AUTH, "Content-Type": "application/n-triples"})
    assert response.status_code in (201, 204)
    cached = client.get("/sparql", params={"query": query}, headers=JSON)
    assert counts(client)[0] == (1 if kept else 0), case  # hits
    with TestClient(create_app(fresh_store, Settings(max_rows=3, result_cache_mib=0))) as uncached:
        fresh = uncached.get("/sparql", params={"query": query}, headers=JSON)
    assert cached.content == fresh.content  # kept or not, the answer is today's
    assert re.search(r"^kg_result_cache_kept_total (\S+)$", client.get("/metrics").text, re.MULTILINE)[1] == \
        ("1.0" if kept else "0.0")


@pytest.mark.parametrize("query", ["SELECT (RAND() AS ?r) {}", "SELECT (STRUUID() AS ?id) {}",
                                   "SELECT ?n (NOW() AS ?t) WHERE { ?c <http://www.w3.org/2004/02/skos/core#altLabel> ?n }"])
def test_answers_that_differ_on_every_run_are_not_cached(client: TestClient, query: str) -> None:
    for _ in range(2):
        assert client.get("/sparql", params={"query": query}, headers=JSON).status_code == 200
    assert counts(client) == (0, 0)


@pytest.mark.parametrize("query", ["SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
                                   "SELECT * WHERE { service silent <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"])
def test_answers_from_another_endpoint_are_never_keyed(query: str) -> None:
    """Another endpoint's answer (or, under SILENT, its failure as no rows) is its own: no write
    of ours would ever drop it from the cache."""
    assert normalised(query, None) is None
    assert normalised(query.replace("SERVICE", "GRAPH").replace("service silent", "GRAPH"), None) is not None


def test_the_same_read_in_flight_is_answered_once(client: TestClient) -> None:
    """Clients asking what is already being worked out wait for that answer (no stampede)."""
    slow = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"VALUES ?v{i} {{ {' '.join(map(str, range(20)))} }}"
                                                       for i in range(5)) + " }"  # 3.2 million rows counted
    answers: list[bytes] = []
    threads = [threading.Thread(target=lambda: answers.append(
        client.get("/sparql", params={"query": slow}, headers=JSON).content)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    text = client.get("/metrics").text
    shared = float(re.search(r"^kg_result_cache_shared_total (\S+)$", text, re.MULTILINE)[1])
    hits, misses = counts(client)
    assert len(answers) == 4 and len(set(answers)) == 1 and b'"3200000"' in answers[0]
    assert misses == 1 and hits + shared == 3 and shared >= 1


def test_errors_are_not_cached(client: TestClient) -> None:
    for _ in range(2):
        assert client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p"}).status_code == 400
    assert counts(client) == (0, 2) and len(client.app.state.pool.cache) == 0  # type: ignore[attr-defined]


def test_a_cached_answer_keeps_the_row_cap(client: TestClient) -> None:
    answers = [client.get("/sparql", params={"query": NAMES}, headers=JSON) for _ in range(2)]
    assert all(len(a.json()["results"]["bindings"]) == 3 for a in answers)
    assert answers[0].headers.get(TRUNCATED) == answers[1].headers.get(TRUNCATED) == "true; limit=3"


def test_entity_pages_and_saved_queries_use_it_too(client: TestClient) -> None:
    for path in ("/id/MONDO:0010626", "/api/queries/condition-names"):
        first, second = client.get(path), client.get(path)
        assert first.status_code == 200 and first.content == second.content
    hits, _ = counts(client)
    assert hits >= 2


def test_the_cache_can_be_turned_off(fresh_store: Store) -> None:
    with TestClient(create_app(fresh_store, Settings(result_cache_mib=0))) as plain:
        for _ in range(2):
            assert plain.get("/sparql", params={"query": NAMES}, headers=JSON).status_code == 200
        assert counts(plain) == (0, 0)


AGES = [("no limit", None, True), ("younger than the limit", 3600.0, True), ("past the limit", -1.0, False)]


@pytest.mark.parametrize(("case", "max_age", "found"), AGES, ids=[a[0] for a in AGES])
def test_entries_past_their_age_are_not_used(case: str, max_age: float | None, found: bool) -> None:
    cache = ResultCache(1 << 20)
    cache.put("key", Serialized(b"answer", "text/plain"))
    assert cache.get("key", max_age)[0] is found


class Stalled:
    """A pool whose reads all wait until `release` (a leader stuck past its waiters' deadlines)."""

    version = 0

    def __init__(self, workers: int, pending: int) -> None:
        self.started, self.release = threading.Event(), threading.Event()
        self.admission = Admission(workers, pending)

    def run(self, job: Query, *, timeout: float | None = None) -> Serialized:
        with self.admission.held():
            self.started.set()
            self.release.wait(30)
        return Serialized(b"answer", "text/plain")

    def waiting(self) -> AbstractContextManager[None]:
        return self.admission.waiting()


WAITERS = [  # pending places, waiters: how many give up at their deadline and how many are refused at once
    ("all fit", 3, 3, 3, 0),
    ("beyond the pending places", 2, 5, 2, 3),
    ("no pending places", 0, 2, 0, 2),
]


@pytest.mark.parametrize(("case", "pending", "waiters", "timed_out", "refused"), WAITERS, ids=[w[0] for w in WAITERS])
def test_waiters_hold_a_pending_place_and_give_up_at_their_own_deadline(case: str, pending: int, waiters: int,
                                                                         timed_out: int, refused: int) -> None:
    pool = Stalled(1, pending)
    caching = CachingPool(pool, Metrics(), frozenset(), ResultCache(1 << 20), timeout=30)
    leader = threading.Thread(target=caching.run, args=(Query(NAMES),))
    leader.start()
    outcomes: list[str] = []
    try:
        assert pool.started.wait(30)  # the leader is in flight
        with ThreadPoolExecutor(waiters) as threads:
            for error in threads.map(lambda _: _error_of(caching, 0.5), range(waiters)):
                outcomes.append(type(error).__name__)
    finally:
        pool.release.set()
        leader.join(timeout=30)
    assert outcomes.count("QueryTimeout") == timed_out
    assert outcomes.count("ServiceUnavailable") == refused


def _error_of(caching: CachingPool, timeout: float) -> Exception | None:
    try:
        caching.run(Query(NAMES), timeout=timeout)
    except Exception as error:  # noqa: BLE001 - what the test looks at
        return error
    return None
