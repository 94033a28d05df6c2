"""What the result cache's dependency analysis reads, and how much every cache keyed by a text may
hold: the stale answer of the security review, the analysis's bounds, and 1,024 refused 20 KB
texts that must not grow a process."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kg.settings import Settings
from kg.store import Store
from server import dependencies, result_cache
from server.app import create_app
from server.dependencies import predicates

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "s3cret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
JSON = {"Accept": "application/sparql-results+json"}
P, Q = "urn:cache:p", "urn:cache:q"
ESCAPED_QUOTES = 'SELECT ?v WHERE { BIND("\\u0022" AS ?x) ?s <urn:cache:p> ?v . BIND("\\u0022" AS ?y) }'
CR_COMMENT = "SELECT ?v WHERE { ?s <urn:cache:q> ?w . # x\r ?s <urn:cache:p> ?v \n}"


@pytest.mark.parametrize(("case", "text", "expected"), [
    ("patterns after escaped quotes (rdflib reads one long string)", ESCAPED_QUOTES, None),
    ("a comment ended by CR (rdflib reads on to LF)", CR_COMMENT, {P, Q}),
    ("a codepoint escape in an IRI", "SELECT * WHERE { ?s <urn:cache:\\u0070> ?o }", None),
    ("predeclared prefixes", "SELECT * WHERE { ?s rdfs:label ?o }", {"http://www.w3.org/2000/01/rdf-schema#label"}),
    ("a text too long to analyse", "SELECT * WHERE { ?s <urn:cache:p> ?o FILTER(?o IN ("
     + ",".join(f'"v{i}"' for i in range(2_000)) + ")) }", None),
])
def test_the_analysis_reads_what_the_engine_reads(case: str, text: str, expected: set[str] | None) -> None:
    found = predicates(text)
    assert (None if found is None else set(found)) == expected, case


def test_the_analysis_stops_at_its_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "SELECT * WHERE { ?s <urn:cache:deadline> ?o FILTER(?o IN (" + ",".join(map(str, range(300))) + ")) }"
    monkeypatch.setattr(dependencies, "TIME_LIMIT", 0.001)
    assert predicates(text) is None  # not worked out in time: every write
    monkeypatch.setattr(dependencies, "TIME_LIMIT", 30.0)
    assert predicates(text + " ") == {"urn:cache:deadline"}


@pytest.fixture
def client(fresh_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(fresh_store, Settings(update_token=TOKEN))) as test_client:
        assert test_client.post("/sparql", data={"update": f'INSERT DATA {{ <urn:cache:s> <{P}> "old" ; <{Q}> "w" }}'},
                                headers=AUTH).status_code == 204
        yield test_client


@pytest.mark.parametrize("query", [ESCAPED_QUOTES, CR_COMMENT], ids=["escaped quotes", "CR comment"])
def test_no_stale_answer_after_delete_data(client: TestClient, query: str) -> None:
    """The review's reproduction: cached, then DELETE DATA of what it returned, then asked again."""
    before = client.get("/sparql", params={"query": query}, headers=JSON).json()["results"]["bindings"]
    assert [row["v"]["value"] for row in before] == ["old"]
    deleted = client.post("/sparql", data={"update": f'DELETE DATA {{ <urn:cache:s> <{P}> "old" }}'}, headers=AUTH)
    assert deleted.status_code == 204
    after = client.get("/sparql", params={"query": query}, headers=JSON).json()["results"]["bindings"]
    assert after == []


def _kept(client: TestClient) -> float:
    return float(re.search(r"^kg_result_cache_kept_total (\S+)$", client.get("/metrics").text, re.MULTILINE)[1])


@pytest.mark.parametrize(("queue", "kept"), [(32, 1.0), (0, 0.0)])
def test_an_analysis_beyond_the_queue_means_every_write(fresh_store: Store, monkeypatch: pytest.MonkeyPatch,
                                                        queue: int, kept: float) -> None:
    monkeypatch.setattr(result_cache, "ANALYSIS_QUEUE", queue)
    with TestClient(create_app(fresh_store, Settings(update_token=TOKEN))) as client:
        query = f"SELECT ?v WHERE {{ ?s <{P}> ?v }}"
        client.get("/sparql", params={"query": query}, headers=JSON)
        assert client.post("/sparql", data={"update": "INSERT DATA { <urn:cache:s> <urn:cache:other> 1 }"},
                           headers=AUTH).status_code == 204
        client.get("/sparql", params={"query": query}, headers=JSON)
        assert _kept(client) == kept


GROWTH = """
import gc, resource, sys
from kg.safety import Refused, check_query
from kg.settings import Settings
from server.dependencies import predicates
from server.result_cache import normalised

def rss():
    gc.collect()
    return int(open("/proc/self/statm").read().split()[1]) * resource.getpagesize()

def text(n):
    values = ",".join(f"{n:04d}{i:04d}" for i in range(2_180))
    return f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:9/{n}> {{ ?s ?p ?o }} FILTER(?o IN ({values})) }}"

for n in range(16):  # warm up: imports, the allocator's arenas
    normalised(text(n), None)
before = rss()
for n in range(16, 16 + 1_024):
    sent = text(n)
    assert 19_500 <= len(sent) <= 20_000  # as long as a text the shape cache keeps
    try:
        check_query(sent, Settings())
    except Refused:
        pass
    normalised(sent, None)
    predicates(sent)
print(rss() - before)
"""


def test_refused_texts_do_not_grow_the_process() -> None:
    """1,024 refused 20 KB texts through the check, the result cache's key and the dependency
    analysis, in a fresh process: its resident memory grows by a bounded amount (every cache
    keyed by a text holds digests, within a byte bound), not by a copy of each text."""
    result = subprocess.run([sys.executable, "-c", GROWTH], cwd=ROOT, capture_output=True, text=True, timeout=600,
                            check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert int(result.stdout) < 64 << 20, f"grew by {int(result.stdout) >> 20} MiB"
