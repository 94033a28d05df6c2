"""Hostile input, as an attacker on loopback would send it: each finding of the security review
is reproduced here and must now be refused cleanly, within the deadline, by a server that stays
whole (no worker lost, no 500 without its headers)."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator

import pytest
from bait import bait_server
from fastapi.testclient import TestClient

from kg.settings import Settings
from kg.store import Store
from server.app import create_app
from server.errors import WorkerCrashed

TOKEN = "s3cret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TURTLE = {"Content-Type": "text/turtle"}
G = "http://example.org/graph/g"
GENES = "SELECT ?s WHERE { ?s a <https://w3id.org/higm-kg/vocab#Gene> }"
CARTESIAN = ("INSERT { GRAPH <http://example.org/boom> { ?a ?b ?c } } "
             "WHERE { GRAPH ?g { ?a ?b ?c . ?d ?e ?f . ?h ?i ?j } }")


def _serve(store: Store, **settings: object) -> TestClient:
    return TestClient(create_app(store, Settings(update_token=TOKEN, **settings)))


@pytest.fixture()
def client(fresh_store: Store) -> Iterator[TestClient]:
    with _serve(fresh_store) as test_client:
        yield test_client


def _version(client: TestClient) -> str:
    return client.get("/health").text.split(",")[0]


def _whole(client: TestClient) -> None:
    """The server still answers, with every worker back, and no worker has crashed."""
    assert client.get("/sparql", params={"query": GENES}).status_code == 200
    deadline = time.monotonic() + 30
    while "2 engine workers" not in client.get("/health").text and time.monotonic() < deadline:
        time.sleep(0.05)  # a replaced worker is forked in the background
    assert "2 engine workers" in client.get("/health").text
    assert "kg_engine_worker_crashes_total 0.0" in client.get("/metrics").text


# -- the engine's parser and optimiser, fed hostile shapes -----------------------------------------

SHAPES = [
    ("10,000 nested braces", "SELECT * WHERE " + "{" * 10_000 + "}" * 10_000, 400),
    ("10,000 nested parentheses", "SELECT * WHERE { FILTER(" + "(" * 10_000 + "1" + ")" * 10_000 + ") }", 400),
    ("20 KB of 1+1+… with the word WITH", "SELECT (" + "+".join(["1"] * 10_000) + " AS ?with) WHERE {}", 400),
    ("10,000 negations", "SELECT * WHERE { FILTER(" + "!" * 10_000 + "true) }", 200),
    ("100 triple patterns", "SELECT * WHERE { " + " ".join(f"?s <http://e/p{i}> ?o{i} ." for i in range(100)) + " }", 200),
    ("SERVICE to an unbound variable", "SELECT * WHERE { SERVICE ?unbound { ?s ?p ?o } }", 403),
    ("a NUL byte", "SELECT * WHERE { ?s ?p ?o }\x00", 400),
    ("not SPARQL", "DROP TABLE graphs", 400),
]


@pytest.mark.parametrize(("case", "query", "status"), SHAPES, ids=[s[0] for s in SHAPES])
def test_hostile_shapes_are_answered_and_the_workers_survive(client: TestClient, case: str, query: str, status: int) -> None:
    response = client.post("/sparql", data={"query": query})
    assert response.status_code == status, response.text[:300]
    if status >= 400:
        assert response.text.strip()  # a message, not an empty error
    _whole(client)


def test_engine_errors_are_reported_and_the_worker_lives(client: TestClient) -> None:
    for _ in range(4):  # more errors than there are workers
        response = client.post("/sparql", data={"update": "DROP GRAPH <http://example.org/absent>"}, headers=AUTH)
        assert response.status_code == 400 and "does not exist" in response.text
    _whole(client)


# -- hidden dataset clauses ------------------------------------------------------------------------


def test_a_from_hidden_behind_a_cr_comment_is_honoured(client: TestClient) -> None:
    data = b"<http://example.org/only> <http://example.org/p> 1 ."
    assert client.put("/store", params={"graph": G}, content=data, headers={**AUTH, **TURTLE}).status_code == 201
    query = f"SELECT DISTINCT ?s # x\rFROM <{G}>\nWHERE {{ ?s ?p ?o }}"
    rows = client.get("/sparql", params={"query": query}).json()["results"]["bindings"]
    assert [r["s"]["value"] for r in rows] == ["http://example.org/only"]


# -- updates under the deadline --------------------------------------------------------------------


def test_a_runaway_update_is_stopped_and_changes_nothing(fresh_store: Store) -> None:
    with _serve(fresh_store, query_timeout=1) as client:
        before = _version(client)
        response = client.post("/sparql", data={"update": CARTESIAN}, headers=AUTH)
        assert response.status_code == 503 and "deadline" in response.text
        assert _version(client) == before  # nothing committed
        ask = client.get("/sparql", params={"query": "ASK { GRAPH <http://example.org/boom> { ?s ?p ?o } }"})
        assert ask.json()["boolean"] is False
        assert client.post("/sparql", data={"update": "INSERT DATA { <http://e/s> <http://e/p> 1 }"},
                           headers=AUTH).status_code == 204


def test_an_update_over_the_change_limit_is_refused(fresh_store: Store) -> None:
    with _serve(fresh_store, max_change=10) as client:
        update = "INSERT { GRAPH <http://example.org/copy> { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }"
        response = client.post("/sparql", data={"update": update}, headers=AUTH)
        assert response.status_code == 413 and "KG_MAX_CHANGE" in response.text
        assert client.get("/store", params={"graph": "http://example.org/copy"}).status_code == 404


# -- results: a byte cap beside the row cap --------------------------------------------------------


def test_a_huge_row_is_cut_at_the_byte_cap(fresh_store: Store) -> None:
    doublings = " ".join(f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1})" for i in range(23))
    query = f'SELECT ?v23 WHERE {{ BIND("x" AS ?v0) {doublings} }}'  # one row of 8 MiB
    with _serve(fresh_store, max_result_bytes=100_000) as client:
        response = client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
        assert response.status_code == 200
        assert response.headers["x-results-truncated"].startswith("true")
        assert len(response.content) < 100_000


# -- bad input that used to be a 500 ---------------------------------------------------------------

BAD_INPUT = [
    ("an IRI path with a space", lambda c: c.get("/id/a%20b", headers={"Accept": "text/turtle"}), 400),
    ("a graph path with a space", lambda c: c.get("/graph/a%20b", headers={"Accept": "text/turtle"}), 400),
    ("a non-ASCII bearer token", lambda c: c.post("/sparql", data={"update": "CLEAR ALL"},
                                                   headers={"Authorization": "Bearer s3crét".encode()}), 403),
    ("default-graph-uri that is not an IRI", lambda c: c.get("/sparql", params={"query": GENES, "default-graph-uri": "not an iri"}), 400),
    ("using-graph-uri that is not an IRI", lambda c: c.post("/sparql", data={"update": "INSERT { ?s ?p ?o } WHERE { ?s ?p ?o }",
                                                                           "using-graph-uri": "<bad>"}, headers=AUTH), 400),
    ("a huge offset", lambda c: c.get("/api/queries/publications", params={"offset": 10**30}), 422),
    ("RDF/XML with entity expansion", lambda c: c.put("/store", params={"graph": G}, headers={**AUTH, "Content-Type": "application/rdf+xml"},
                                                      content=b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
                                                              b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                                                              b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
                                                              b'<rdf:Description rdf:about="http://e/s"><rdf:value>&b;</rdf:value>'
                                                              b'</rdf:Description></rdf:RDF>'), 400),
    ("a Host we do not serve", lambda c: c.get("/health", headers={"Host": "evil.example"}), 400),
]


@pytest.mark.parametrize(("case", "call", "status"), BAD_INPUT, ids=[b[0] for b in BAD_INPUT])
def test_bad_input_is_a_client_error_with_the_security_headers(fresh_store: Store, case: str, call, status: int) -> None:
    with _serve(fresh_store, allowed_hosts=("testserver",)) as client:
        response = call(client)
        assert response.status_code == status, response.text[:300]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-request-id"]


def test_an_unexpected_error_is_a_500_with_the_security_headers(fresh_store: Store, caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(fresh_store, Settings())

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("unexpected")

    with TestClient(app, raise_server_exceptions=False) as client, caplog.at_level(logging.ERROR):
        response = client.get("/boom", headers={"X-Request-Id": "req-42"})
    assert response.status_code == 500 and "unexpected" not in response.text
    assert response.headers["content-security-policy"] and response.headers["x-request-id"] == "req-42"
    assert any("req-42" in record.getMessage() for record in caplog.records)


def test_a_worker_that_dies_is_logged_counted_and_replaced(fresh_store: Store, caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(fresh_store, Settings())

    @app.get("/die")
    def die() -> None:
        app.state.pool.call(sys.exit)  # the job ends its worker's thread, as a crash would

    with TestClient(app) as client, caplog.at_level(logging.ERROR):
        response = client.get("/die", headers={"X-Request-Id": "req-7"})
        assert response.status_code == 500 and "replaced" in response.text
        assert "kg_engine_worker_crashes_total 1.0" in client.get("/metrics").text
        assert client.get("/sparql", params={"query": GENES}).status_code == 200
    assert any("req-7" in record.getMessage() for record in caplog.records)
    assert issubclass(WorkerCrashed, Exception)


# -- the engine processes cannot reach the network -------------------------------------------------


def test_the_engine_itself_cannot_call_out(fresh_store: Store) -> None:
    """Past every check, straight to the engine in a worker: still no request leaves."""
    with bait_server() as (address, seen), _serve(fresh_store) as client:
        assert "off the network" in client.get("/health").text
        app = client.app
        query = f"ASK {{ SERVICE <{address}/direct> {{ ?s ?p ?o }} }}"
        with pytest.raises(Exception):  # noqa: B017 - the engine's error, whatever its kind
            app.state.pool.call(Store.query, query)
        assert seen == []


def test_with_federation_on_the_engine_can_call_out(fresh_store: Store) -> None:
    """The control for the test above: the same call does reach the bait when federation is on."""
    with bait_server() as (address, seen), _serve(fresh_store, service_allow=(address + "/",)) as client:
        assert "only towards the allow-list" in client.get("/health").text
        with pytest.raises(Exception):  # noqa: B017 - the bait answers 500
            client.app.state.pool.call(Store.query, f"ASK {{ SERVICE <{address}/direct> {{ ?s ?p ?o }} }}")
        assert seen == ["/direct"]


# -- HEAD and OPTIONS ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/sparql?query=ASK%7B%7D", "/sparql", "/health", "/id/HGNC:11935",
                                  "/id/frequency/x-linked-hyper-igm-syndrome", "/vocab", "/api/queries", "/docs",
                                  "/store?graph=https://w3id.org/higm-kg/graph/ontology", "/.well-known/void"])
def test_head_answers_wherever_get_does(client: TestClient, path: str) -> None:
    get, head = client.get(path), client.head(path)
    assert get.status_code == 200 and head.status_code == 200, path
    assert head.content == b"" and head.headers["content-type"] == get.headers["content-type"]


@pytest.mark.parametrize(("path", "allowed"), [
    ("/sparql", {"GET", "HEAD", "POST", "OPTIONS"}),
    ("/store", {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"}),
    ("/health", {"GET", "HEAD", "OPTIONS"}),
    ("/id/HGNC:11935", {"GET", "HEAD", "OPTIONS"}),
])
def test_options_says_what_is_allowed(client: TestClient, path: str, allowed: set[str]) -> None:
    response = client.options(path)
    assert response.status_code == 204
    assert set(response.headers["allow"].split(", ")) == allowed
    assert client.options("/no/such/path").status_code == 404


# -- pages -----------------------------------------------------------------------------------------


def test_pages_link_only_http_iris(client: TestClient) -> None:
    data = b"""@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
    @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
    @prefix prov: <http://www.w3.org/ns/prov#> .
    @prefix dcterms: <http://purl.org/dc/terms/> .
    <http://example.org/x> <http://www.w3.org/2000/01/rdf-schema#label> "x" ;
        skos:exactMatch <javascript:alert(1)>, <data:text/html,boom>, <https://example.org/fine> .
    [] rdf:subject <http://example.org/x> ; rdf:predicate <http://www.w3.org/2000/01/rdf-schema#label> ; rdf:object "x" ;
       prov:wasDerivedFrom [ dcterms:title "a section" ; dcterms:isPartOf <javascript:alert(2)> ] ."""
    assert client.put("/store", params={"graph": G}, content=data, headers={**AUTH, **TURTLE}).status_code == 201
    page = client.get("/resource", params={"iri": "http://example.org/x"}, headers={"Accept": "text/html"}).text
    assert 'href="https://example.org/fine"' in page and "javascript:alert(1)" in page
    assert 'href="javascript:' not in page and 'href="data:' not in page
