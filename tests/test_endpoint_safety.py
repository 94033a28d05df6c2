"""Limits, refusals and browser safety of the endpoint, and the Graph Store Protocol at /store."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient

from kg.settings import Settings
from kg.store import Store
from server.app import create_app

TOKEN = "s3cret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
GENES = "SELECT ?s WHERE { ?s a <https://w3id.org/higm-kg/vocab#Gene> }"
EVERYTHING = "SELECT * WHERE { ?s ?p ?o }"
EXPLOSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
G = "http://example.org/graph/g"
CURATED = "https://w3id.org/higm-kg/graph/curated/x-linked-hyper-igm-syndrome"
TURTLE = {"Content-Type": "text/turtle"}


@contextmanager
def serving(store: Store, **settings: object) -> Iterator[TestClient]:
    with TestClient(create_app(store, Settings(update_token=TOKEN, **settings))) as client:
        yield client


@pytest.fixture()
def client(fresh_store: Store) -> Iterator[TestClient]:
    with serving(fresh_store) as test_client:
        yield test_client


# -- refusals, decided on the parsed operation ------------------------------------------------

REFUSED = [
    ("SERVICE, federation off", {"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"}, 403),
    ("SERVICE in lower case", {"query": "select * where { service <http://127.0.0.1:9/x> { ?s ?p ?o } }"}, 403),
    ("SERVICE to a variable", {"query": "SELECT * WHERE { ?e ?p ?o SERVICE ?e { ?s ?p ?o } }"}, 403),
    ("FROM a file", {"query": "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"}, 403),
    ("file: through a prefix", {"query": "PREFIX f: <file:///etc/> SELECT * WHERE { f:passwd ?p ?o }"}, 403),
    ("default-graph-uri is a file", {"query": GENES, "default-graph-uri": "file:///etc/passwd"}, 403),
    ("LOAD a file", {"update": "LOAD <file:///etc/passwd>"}, 403),
    ("LOAD over HTTP", {"update": "LOAD <http://127.0.0.1:9/data.ttl> INTO GRAPH <http://example.org/g>"}, 403),
    ("SERVICE in an update", {"update": "INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }"}, 403),
    ("SERVICE spelt with a codepoint escape (not SPARQL to the engine)", {"query": "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}, 400),
    ("using-graph-uri with USING", {"update": f"INSERT {{ ?s ?p ?o }} USING <{CURATED}> WHERE {{ ?s ?p ?o }}", "using-graph-uri": CURATED}, 400),
    ("using-graph-uri with WITH", {"update": f"WITH <{G}> INSERT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}", "using-graph-uri": CURATED}, 400),
]


@pytest.mark.parametrize(("case", "form", "status"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused(client: TestClient, case: str, form: dict[str, str], status: int) -> None:
    before = client.get("/health").text.split(",")[0]  # "ok: version N"
    response = client.post("/sparql", data=form, headers=AUTH)
    assert response.status_code == status, response.text
    assert client.get("/health").text.split(",")[0] == before


def test_service_outside_the_allow_list(fresh_store: Store) -> None:
    with serving(fresh_store, service_allow=("https://sparql.uniprot.org/",)) as client:
        response = client.get("/sparql", params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"})
        assert response.status_code == 403 and "allow-list" in response.text


# -- using-graph-uri ---------------------------------------------------------------------------


def test_using_graph_uri_sets_the_where_dataset(client: TestClient) -> None:
    client.put("/store", params={"graph": G}, content=b"<http://example.org/a> <http://example.org/p> 1 .", headers={**AUTH, **TURTLE})
    update = "INSERT { GRAPH <http://example.org/copy> { ?s ?p ?o } } WHERE { ?s ?p ?o }"
    response = client.post("/sparql", data={"update": update, "using-graph-uri": G}, headers=AUTH)
    assert response.status_code == 204, response.text
    copied = client.get("/store", params={"graph": "http://example.org/copy"}, headers={"Accept": "application/n-triples"})
    assert copied.text.strip() == '<http://example.org/a> <http://example.org/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .'


# -- limits ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "accept", "lines"), [
    (EVERYTHING, "text/csv", 1 + 5),
    (EVERYTHING, "text/tab-separated-values", 1 + 5),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples", 5),
])
def test_row_cap_truncates_and_says_so(fresh_store: Store, query: str, accept: str, lines: int) -> None:
    with serving(fresh_store, max_rows=5) as client:
        response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
        assert response.status_code == 200
        assert response.headers["x-results-truncated"] == "true; limit=5"
        assert len(response.text.strip().splitlines()) == lines
        small = client.get("/sparql", params={"query": GENES + " LIMIT 1"})
        assert "x-results-truncated" not in small.headers
        assert len(small.json()["results"]["bindings"]) == 1


def test_row_cap_json_is_well_formed(fresh_store: Store) -> None:
    with serving(fresh_store, max_rows=3) as client:
        response = client.get("/sparql", params={"query": EVERYTHING})
        assert len(response.json()["results"]["bindings"]) == 3


def test_body_limit(fresh_store: Store) -> None:
    with serving(fresh_store, max_body=100) as client:
        response = client.post("/sparql", content=GENES + " " * 200, headers={"Content-Type": "application/sparql-query"})
        assert response.status_code == 413
        assert client.post("/sparql", content=GENES, headers={"Content-Type": "application/sparql-query"}).status_code == 200


def test_overload_is_503_with_retry_after(fresh_store: Store) -> None:
    with serving(fresh_store, workers=1, max_pending=0, query_timeout=3) as client:
        burners: list[threading.Thread] = []
        deadline = time.monotonic() + 20
        response = None
        while time.monotonic() < deadline:  # until the explosive query holds the only worker
            if not any(b.is_alive() for b in burners):
                burner = threading.Thread(target=client.get, args=("/sparql",), kwargs={"params": {"query": EXPLOSIVE}})
                burner.start()
                burners.append(burner)
                time.sleep(0.2)
            response = client.get("/sparql", params={"query": GENES})
            if response.status_code == 503:
                break
        for burner in burners:
            burner.join(timeout=10)
        assert response is not None and response.status_code == 503 and response.headers["retry-after"]
        assert client.get("/sparql", params={"query": GENES}).status_code == 200  # a new worker took over


def test_deadline_stops_the_query_and_the_worker_is_replaced(fresh_store: Store) -> None:
    with serving(fresh_store, workers=1, query_timeout=1) as client:
        response = client.get("/sparql", params={"query": EXPLOSIVE})
        assert response.status_code == 503 and "deadline" in response.text
        assert client.get("/sparql", params={"query": GENES}).status_code == 200
        metrics = client.get("/metrics").text
        assert "kg_sparql_timeouts_total 1.0" in metrics
        assert 'kg_sparql_errors_total{status="503"} 1.0' in metrics


# -- browser safety, proxies, metrics, VoID ----------------------------------------------------


def test_cors_for_reads_without_credentials(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": GENES}, headers={"Origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    preflight = client.options("/sparql", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type"})
    assert preflight.status_code == 200 and "POST" in preflight.headers["access-control-allow-methods"]


def test_cors_origins_are_configurable(fresh_store: Store) -> None:
    with serving(fresh_store, cors_origins=("https://allowed.example",)) as client:
        other = client.get("/health", headers={"Origin": "https://other.example"})
        allowed = client.get("/health", headers={"Origin": "https://allowed.example"})
        assert "access-control-allow-origin" not in other.headers
        assert allowed.headers["access-control-allow-origin"] == "https://allowed.example"


@pytest.mark.parametrize("path", ["/", "/health", "/sparql?query=ASK%7B%7D", "/store?graph=http://example.org/none"])
def test_security_headers(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    assert headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "kg.example.org", "X-Forwarded-Prefix": "/higm"}


@pytest.mark.parametrize(("trusted", "endpoint"), [
    ((), "http://testserver/sparql"),
    (("*",), "https://kg.example.org/higm/sparql"),
    (("10.0.0.1",), "http://testserver/sparql"),
])
def test_forwarded_headers_only_from_trusted_proxies(fresh_store: Store, trusted: tuple[str, ...], endpoint: str) -> None:
    with serving(fresh_store, forwarded_allow_ips=trusted) as client:
        response = client.get("/sparql", headers={**FORWARDED, "Accept": "application/n-triples"})
        assert f"<http://www.w3.org/ns/sparql-service-description#endpoint> <{endpoint}>" in response.text


def test_metrics_count_operations_and_latency(client: TestClient) -> None:
    client.get("/sparql", params={"query": GENES})
    client.get("/sparql", params={"query": "SELECT"})
    metrics = client.get("/metrics").text
    assert 'kg_sparql_operations_total{kind="query"} 2.0' in metrics
    assert 'kg_sparql_errors_total{status="400"} 1.0' in metrics
    assert "kg_sparql_seconds_bucket" in metrics


def test_well_known_void(client: TestClient) -> None:
    response = client.get("/.well-known/void", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert "<http://rdfs.org/ns/void#sparqlEndpoint> <http://testserver/sparql>" in response.text
    assert f"<{CURATED}> <http://rdfs.org/ns/void#triples>" in response.text
    assert client.get("/.well-known/void", headers={"Accept": "image/png"}).status_code == 406


# -- Graph Store HTTP Protocol -----------------------------------------------------------------

DATA = b"<http://example.org/a> <http://example.org/p> <http://example.org/b> ."


def test_graph_store_lifecycle(client: TestClient) -> None:
    assert client.get("/store", params={"graph": G}).status_code == 404
    assert client.put("/store", params={"graph": G}, content=DATA, headers={**AUTH, **TURTLE}).status_code == 201
    assert client.put("/store", params={"graph": G}, content=DATA, headers={**AUTH, **TURTLE}).status_code == 204
    more = b"<http://example.org/a> <http://example.org/p> <http://example.org/c> ."
    assert client.post("/store", params={"graph": G}, content=more, headers={**AUTH, **TURTLE}).status_code == 204
    read = client.get("/store", params={"graph": G}, headers={"Accept": "application/n-triples"})
    assert read.status_code == 200 and len(read.text.strip().splitlines()) == 2
    seen = client.get("/sparql", params={"query": f"ASK {{ GRAPH <{G}> {{ ?s ?p <http://example.org/c> }} }}"})
    assert seen.json()["boolean"] is True  # read-your-writes through the workers
    assert client.head("/store", params={"graph": G}).status_code == 200
    assert client.delete("/store", params={"graph": G}, headers=AUTH).status_code == 204
    assert client.get("/store", params={"graph": G}).status_code == 404
    assert client.delete("/store", params={"graph": G}, headers=AUTH).status_code == 404


def test_graph_store_post_creates_a_graph(client: TestClient) -> None:
    """The Location of a new graph is the graph's IRI, and that IRI works as ?graph=."""
    response = client.post("/store", content=DATA, headers={**AUTH, **TURTLE})
    assert response.status_code == 201
    graph = response.headers["location"]
    assert graph.startswith("https://w3id.org/higm-kg/graph/upload/")
    created = client.get("/store", params={"graph": graph}, headers={"Accept": "application/n-triples"})
    assert created.status_code == 200 and created.text.strip() == DATA.decode()


def test_graph_store_default_graph_is_writable_and_part_of_the_union(client: TestClient) -> None:
    nt = {"Accept": "application/n-triples"}
    assert client.get("/store", params={"default": ""}, headers=nt).text == ""
    assert client.put("/store", params={"default": ""}, content=DATA, headers={**AUTH, **TURTLE}).status_code == 204
    more = b"<http://example.org/a> <http://example.org/p> <http://example.org/c> ."
    assert client.post("/store", params={"default": ""}, content=more, headers={**AUTH, **TURTLE}).status_code == 204
    assert len(client.get("/store", params={"default": ""}, headers=nt).text.strip().splitlines()) == 2
    union = client.get("/sparql", params={"query": "ASK { <http://example.org/a> ?p <http://example.org/c> }"})
    assert union.json()["boolean"] is True  # queries see the default graph within the union
    assert client.delete("/store", params={"default": ""}, headers=AUTH).status_code == 204
    assert client.get("/store", params={"default": ""}, headers=nt).text == ""


GSP_ERRORS = [
    ("write without token", lambda c: c.put("/store", params={"graph": G}, content=DATA, headers=TURTLE), 401),
    ("unknown media type", lambda c: c.put("/store", params={"graph": G}, content=DATA, headers={**AUTH, "Content-Type": "image/png"}), 415),
    ("no media type", lambda c: c.put("/store", params={"graph": G}, content=DATA, headers=AUTH), 415),
    ("body does not parse", lambda c: c.put("/store", params={"graph": G}, content=b"<a> <b>", headers={**AUTH, **TURTLE}), 400),
    ("DELETE without a graph", lambda c: c.delete("/store", headers=AUTH), 405),
    ("PUT without a graph", lambda c: c.put("/store", content=DATA, headers={**AUTH, **TURTLE}), 405),
    ("relative graph IRI", lambda c: c.get("/store", params={"graph": "g"}), 400),
    ("both graph and default", lambda c: c.get("/store", params={"graph": G, "default": ""}), 400),
    ("nothing acceptable", lambda c: c.get("/store", params={"default": ""}, headers={"Accept": "image/png"}), 406),
    ("PATCH", lambda c: c.patch("/store", params={"graph": G}), 405),
]


@pytest.mark.parametrize(("case", "call", "status"), GSP_ERRORS, ids=[c[0] for c in GSP_ERRORS])
def test_graph_store_errors(client: TestClient, case: str, call, status: int) -> None:
    assert call(client).status_code == status


def test_graph_store_reads(client: TestClient) -> None:
    default = client.get("/store", params={"default": ""}, headers={"Accept": "application/n-triples"})
    assert default.status_code == 200 and default.text == ""  # the store's own default graph: empty
    curated = client.get("/store", params={"graph": CURATED}, headers={"Accept": "application/n-triples"})
    assert curated.status_code == 200 and "CD40" in curated.text
    dataset = client.get("/store", headers={"Accept": "application/n-quads"})
    assert f"<{CURATED}> ." in dataset.text
