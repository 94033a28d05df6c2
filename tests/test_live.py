"""A real uvicorn process on 127.0.0.1, driven by the clients our users run."""

from __future__ import annotations

import contextlib
import http.server
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import httpx
import pytest
from live_server import build_store, process_of, serving, stop_by_sigterm
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import CSV, JSON, XML, SPARQLWrapper

from ontology.identifiers import expand

pytestmark = pytest.mark.live

TOKEN = "live-token"
CD40LG = expand("HGNC:11935")
GENES = "SELECT ?gene WHERE { ?gene a <https://w3id.org/higm-kg/vocab#Gene> } ORDER BY ?gene"
EXPLOSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
TIMEOUT = 4


@pytest.fixture(scope="module")
def live_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("live") / "store")


@pytest.fixture(scope="module")
def url(live_store: Path) -> Iterator[str]:
    with serving(live_store, KG_UPDATE_TOKEN=TOKEN, KG_QUERY_TIMEOUT=str(TIMEOUT), KG_WORKERS="2") as base:
        yield base


@pytest.mark.parametrize(("fmt", "media_type"), [
    (JSON, "application/sparql-results+json"), (XML, "application/sparql-results+xml"), (CSV, "text/csv"),
])
def test_sparqlwrapper(url: str, fmt: str, media_type: str) -> None:
    client = SPARQLWrapper(f"{url}/sparql")
    client.setQuery(GENES)
    client.setReturnFormat(fmt)
    response = client.query()
    assert response.response.headers["Content-Type"].startswith(media_type)
    converted = response.convert()
    if fmt == JSON:
        genes = [b["gene"]["value"] for b in converted["results"]["bindings"]]
    elif fmt == XML:
        genes = [n.firstChild.firstChild.data for n in converted.getElementsByTagName("binding")]
    else:
        genes = converted.decode().split()[1:]
    assert str(CD40LG) in genes and len(genes) == 2


def test_sparqlwrapper_post_and_ask(url: str) -> None:
    client = SPARQLWrapper(f"{url}/sparql")
    client.setMethod("POST")
    client.setQuery(f"ASK {{ <{CD40LG}> ?p ?o }}")
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True


def test_rdflib_sparqlstore(url: str) -> None:
    graph = Graph(store=SPARQLStore(f"{url}/sparql"))
    [row] = graph.query(f"SELECT ?label WHERE {{ <{CD40LG}> <{RDFS.label}> ?label }}")
    assert str(row.label) == "CD40LG"
    assert (CD40LG, RDFS.label, Literal("CD40LG")) in set(graph.triples((CD40LG, RDFS.label, None)))


def test_rdflib_sparqlupdatestore_with_token_and_read_your_writes(url: str) -> None:
    endpoint = f"{url}/sparql"
    store = SPARQLUpdateStore(endpoint, endpoint, headers={"Authorization": f"Bearer {TOKEN}"})
    subject = URIRef("http://example.org/live/written")
    store.update(f'INSERT DATA {{ GRAPH <http://example.org/live> {{ <{subject}> <{RDFS.label}> "written" }} }}')
    reader = Graph(store=SPARQLStore(endpoint))
    for _ in range(6):  # several queries, so that every worker answers at least once in turn
        assert bool(reader.query(f"ASK {{ <{subject}> ?p ?o }}").askAnswer) is True


def test_update_without_the_token_is_refused(url: str) -> None:
    response = httpx.post(f"{url}/sparql", data={"update": "CLEAR ALL"})
    assert response.status_code == 401
    assert httpx.get(f"{url}/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


def test_runaway_query_is_stopped_while_others_are_served(url: str) -> None:
    """The explosive query burns until its deadline; simple queries answer while it burns."""
    outcome: dict[str, httpx.Response] = {}
    burning = threading.Thread(target=lambda: outcome.setdefault(
        "explosive", httpx.get(f"{url}/sparql", params={"query": EXPLOSIVE}, timeout=TIMEOUT * 10)))
    burning.start()
    try:
        simple = [httpx.get(f"{url}/sparql", params={"query": GENES}, timeout=TIMEOUT * 10) for _ in range(5)]
        assert burning.is_alive(), "the simple queries should finish while the explosive one still burns"
        assert all(r.status_code == 200 for r in simple)
    finally:
        burning.join(timeout=TIMEOUT * 10)
    assert outcome["explosive"].status_code == 503
    assert "deadline" in outcome["explosive"].text
    metrics = httpx.get(f"{url}/metrics").text
    assert "kg_sparql_timeouts_total 1.0" in metrics
    assert httpx.get(f"{url}/sparql", params={"query": GENES}).status_code == 200  # the pool is whole again


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.requests.append(self.path)
        self.send_response(200)
        self.end_headers()

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def bait() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that records every request it gets."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", _Recorder.requests
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("operation", [
    {"query": "SELECT * WHERE { SERVICE <{bait}/sparql> { ?s ?p ?o } }"},
    {"query": "SELECT * WHERE { SERVICE SILENT <{bait}/sparql> { ?s ?p ?o } }"},
    {"update": "LOAD <{bait}/data.ttl>"},
    {"update": "INSERT { ?s ?p ?o } WHERE { SERVICE <{bait}/sparql> { ?s ?p ?o } }"},
])
def test_no_request_reaches_a_local_server(url: str, bait: tuple[str, list[str]], operation: dict[str, str]) -> None:
    address, seen = bait
    form = {k: v.replace("{bait}", address) for k, v in operation.items()}
    response = httpx.post(f"{url}/sparql", data=form, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 403, response.text
    assert seen == []


@pytest.mark.parametrize("operation", [
    {"query": "SELECT * WHERE { # x\rSERVICE <{bait}/sparql> { ?s ?p ?o }\n}"},
    {"update": "# x\rLOAD <{bait}/data.ttl> INTO GRAPH <http://example.org/loaded>\n"},
])
def test_the_cr_comment_bypass_is_closed(url: str, bait: tuple[str, list[str]], operation: dict[str, str]) -> None:
    """The security review's repro: a comment ended by CR hid SERVICE and LOAD from the check."""
    address, seen = bait
    form = {k: v.replace("{bait}", address) for k, v in operation.items()}
    response = httpx.post(f"{url}/sparql", data=form, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 403, response.text
    assert address not in response.text
    assert seen == []


def test_forwarded_headers_are_not_believed_by_default(url: str) -> None:
    """uvicorn would believe X-Forwarded-* from 127.0.0.1; the server leaves that to KG_FORWARDED_ALLOW_IPS."""
    response = httpx.get(f"{url}/sparql", headers={"Accept": "application/n-triples", "X-Forwarded-Proto": "https",
                                                  "X-Forwarded-For": "203.0.113.9"})
    endpoint = "<http://www.w3.org/ns/sparql-service-description#endpoint>"
    assert f"{endpoint} <{url}/sparql>" in response.text and f"{endpoint} <https://" not in response.text


def test_only_loopback_hosts_are_answered_by_default(url: str) -> None:
    assert httpx.get(f"{url}/health", headers={"Host": "evil.example"}).status_code == 400
    assert httpx.get(f"{url}/health").status_code == 200


def test_a_second_process_on_the_store_reads_through_the_server(url: str, live_store: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "cli", "stats", "--store", str(live_store)],
                            check=False, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == (f"the store {live_store} is served by process {process_of(url).pid} at {url}: "
                                     "reading through it")


def test_the_server_stops_on_sigterm_during_a_runaway_update(tmp_path: Path) -> None:
    store = build_store(tmp_path / "store")
    update = ("INSERT { GRAPH <http://example.org/boom> { ?a ?b ?c } } "
              "WHERE { GRAPH ?g { ?a ?b ?c . ?d ?e ?f . ?h ?i ?j } }")
    def run(base: str) -> None:
        with contextlib.suppress(httpx.HTTPError):  # the server goes away under it
            httpx.post(f"{base}/sparql", data={"update": update}, timeout=60, headers={"Authorization": f"Bearer {TOKEN}"})

    with serving(store, KG_UPDATE_TOKEN=TOKEN, KG_QUERY_TIMEOUT="300") as base:
        runaway = threading.Thread(target=run, args=(base,), daemon=True)
        runaway.start()
        runaway.join(timeout=1)
        assert runaway.is_alive()
        stopped = stop_by_sigterm(base)
    assert stopped, "kg serve did not stop on SIGTERM"
    with serving(store) as base:  # and the store holds nothing of the update
        ask = httpx.get(f"{base}/sparql", params={"query": "ASK { GRAPH <http://example.org/boom> { ?s ?p ?o } }"})
        assert ask.json()["boolean"] is False


def test_load_of_a_local_file_is_refused(url: str) -> None:
    response = httpx.post(f"{url}/sparql", data={"update": "LOAD <file:///etc/passwd> INTO GRAPH <http://example.org/p>"},
                          headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 403
    ask = httpx.get(f"{url}/sparql", params={"query": "ASK { GRAPH <http://example.org/p> { ?s ?p ?o } }"})
    assert ask.json()["boolean"] is False


def test_service_description_names_the_address_asked(url: str) -> None:
    response = httpx.get(f"{url}/sparql", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.text, format="turtle")
    endpoints = set(graph.objects(None, URIRef("http://www.w3.org/ns/sparql-service-description#endpoint")))
    assert endpoints == {URIRef(f"{url}/sparql")}


def test_store_survives_a_restart(tmp_path: Path) -> None:
    store = build_store(tmp_path / "store")
    update = 'INSERT DATA { GRAPH <http://example.org/kept> { <http://example.org/k> <http://example.org/p> "kept" } }'
    with serving(store, KG_UPDATE_TOKEN=TOKEN) as base:
        assert httpx.post(f"{base}/sparql", data={"update": update},
                          headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 204
    with serving(store) as base:
        ask = httpx.get(f"{base}/sparql", params={"query": 'ASK { ?s ?p "kept" }'})
        assert ask.json()["boolean"] is True


def test_allow_listed_service_is_called(tmp_path: Path, bait: tuple[str, list[str]]) -> None:
    """With federation on, SERVICE reaches an endpoint on the allow-list, and only such an endpoint."""
    address, seen = bait
    store = build_store(tmp_path / "store")
    with serving(store, KG_SERVICE_ALLOW=f"{address}/allowed/") as base:
        refused = httpx.post(f"{base}/sparql", data={"query": f"SELECT * WHERE {{ SERVICE <{address}/other> {{ ?s ?p ?o }} }}"})
        assert refused.status_code == 403 and seen == []
        httpx.post(f"{base}/sparql", data={"query": f"SELECT * WHERE {{ SERVICE SILENT <{address}/allowed/sparql> {{ ?s ?p ?o }} }}"})
        assert [path.split("?")[0] for path in seen] == ["/allowed/sparql"]
        description = httpx.get(f"{base}/sparql", headers={"Accept": "application/n-triples"}).text
        assert "sparql-service-description#BasicFederatedQuery" in description
