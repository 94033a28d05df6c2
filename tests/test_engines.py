"""Remote engines: the spec, the change-to-update translation, `kg publish`, and our server in front
of real engines on 127.0.0.1 — Oxigraph's server (with read replicas) and Virtuoso — checked by
one shared table of HTTP requests that the embedded store answers the same way. Engine failures
(down, slow, garbage) are answered 503, 504 and 502 with the engine named."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from conftest import ROOT
from live_server import build_store, serving

from bench.engines import oxigraph, oxigraph_binary, virtuoso, virtuoso_binary
from bench.live import free_port, running, stop
from kg.change import Change
from kg.remote import EngineSpec, change_updates

pytestmark = pytest.mark.live
MONDO = "http://purl.obolibrary.org/obo/MONDO_0010626"
ONTOLOGY = "https://w3id.org/higm-kg/graph/ontology"
ONTOLOGY_TRIPLES = len(list(ox.parse(path=ROOT / "ontology" / "higm.ttl")))  # the graph is the file, whole
TOKEN = "engine-test-token"
VIRTUOSO_ENV = {"KG_ENGINE_USER": "dba", "KG_ENGINE_PASSWORD": "dba"}


def needs(binary: str | None, what: str) -> None:
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{what} is not installed; CI installs it (make test)")
        pytest.skip(f"{what} is not installed here (make test installs it)")


# -- pure parts --------------------------------------------------------------------------------

SPECS = [
    ("oxigraph", "oxigraph:http://127.0.0.1:7878", {}, ("http://127.0.0.1:7878/query", "http://127.0.0.1:7878/update",
                                                        "http://127.0.0.1:7878/store", "param", False)),
    ("virtuoso", "virtuoso:http://127.0.0.1:8890/", {}, ("http://127.0.0.1:8890/sparql", "http://127.0.0.1:8890/sparql-auth",
                                                          "http://127.0.0.1:8890/sparql-graph-crud-auth", "dataset", True)),
    ("generic", "sparql:https://example.org/ds/query", {"update": "https://example.org/ds/update"},
     ("https://example.org/ds/query", "https://example.org/ds/update", None, "as-is", False)),
]


@pytest.mark.parametrize(("case", "spec", "extra", "expected"), SPECS, ids=[s[0] for s in SPECS])
def test_engine_specs(case: str, spec: str, extra: dict[str, str], expected: tuple[object, ...]) -> None:
    parsed = EngineSpec.parse(spec, env={}, **extra)
    assert (parsed.query, parsed.update, parsed.store, parsed.union, parsed.digest) == expected


def test_credentials_come_from_the_environment_only() -> None:
    parsed = EngineSpec.parse("virtuoso:http://127.0.0.1:8890",
                              env={"KG_ENGINE_USER": "u", "KG_ENGINE_PASSWORD": "s3cret-word"})
    assert parsed.credentials == ("u", "s3cret-word") and "s3cret-word" not in repr(parsed)
    assert EngineSpec.parse("sparql:http://h/q", env={"KG_ENGINE_TOKEN": "t"}).token == "t"


@pytest.mark.parametrize("spec", ["http://127.0.0.1:7878", "fuseki:http://h/q", "oxigraph:ftp://h", "oxigraph:"])
def test_bad_specs_are_refused(spec: str) -> None:
    with pytest.raises(ValueError, match="engine"):
        EngineSpec.parse(spec, env={})


S, P, G = ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), "http://example.org/g"
CHANGES = [
    ("added", Change(added=frozenset({ox.Quad(S, P, ox.Literal("o"), ox.NamedNode(G))})),
     ['INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> <http://example.org/p> "o" . } }']),
    ("cleared then added", Change(cleared=frozenset({G}), added=frozenset({ox.Quad(S, P, S, ox.NamedNode(G))})),
     ["CLEAR SILENT GRAPH <http://example.org/g>",
      "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> <http://example.org/p> <http://example.org/s> . } }"]),
    ("default graph", Change(cleared=frozenset({None}), removed=frozenset({ox.Quad(S, P, ox.Literal(1))})),
     ["CLEAR SILENT DEFAULT",
      'DELETE DATA { <http://example.org/s> <http://example.org/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> . }']),
    ("dropped and created", Change(dropped=frozenset({G}), created=frozenset({"http://example.org/h"})),
     ["DROP SILENT GRAPH <http://example.org/g>", "CREATE SILENT GRAPH <http://example.org/h>"]),
]


@pytest.mark.parametrize(("case", "change", "expected"), CHANGES, ids=[c[0] for c in CHANGES])
def test_a_change_becomes_updates_in_order(case: str, change: Change, expected: list[str]) -> None:
    assert list(change_updates(change)) == expected


# -- real engines --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def local_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("engines") / "store")


def kg(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **(env or {})}, timeout=600, check=False)


@pytest.fixture(scope="module")
def oxigraph_engine(tmp_path_factory: pytest.TempPathFactory, local_store: Path) -> Iterator[str]:
    needs(oxigraph_binary(), "the Oxigraph server (PyPI oxigraph)")
    with oxigraph(tmp_path_factory.mktemp("oxigraph") / "db") as url:
        published = kg("publish", "--engine", f"oxigraph:{url}", "--store", str(local_store))
        assert published.returncode == 0, published.stderr
        yield f"oxigraph:{url}"


@pytest.fixture(scope="module")
def virtuoso_engine(tmp_path_factory: pytest.TempPathFactory, local_store: Path) -> Iterator[str]:
    needs(virtuoso_binary(), "Virtuoso (Debian virtuoso-opensource)")
    with virtuoso(tmp_path_factory.mktemp("virtuoso")) as url:
        published = kg("publish", "--engine", f"virtuoso:{url}", "--store", str(local_store), env=VIRTUOSO_ENV)
        assert published.returncode == 0, published.stderr
        yield f"virtuoso:{url}"


@pytest.fixture(scope="module", params=["embedded", "oxigraph", "virtuoso"])
def server(request: pytest.FixtureRequest, local_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Our server over the embedded store, or in front of a real engine holding the same graphs
    (a fresh copy of them, so the writes of one run do not reach the next)."""
    store = tmp_path_factory.mktemp("copy") / "store"
    shutil.copytree(local_store, store)
    env = {"KG_UPDATE_TOKEN": TOKEN}
    if request.param == "embedded":
        with serving(store, **env) as url:
            yield url
        return
    engine = request.getfixturevalue(f"{request.param}_engine")
    env |= VIRTUOSO_ENV if request.param == "virtuoso" else {}
    with serving(store, "--engine", engine, **env) as url:
        yield url


def select(url: str, query: str) -> list[dict[str, str]]:
    response = httpx.post(f"{url}/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"},
                          timeout=60)
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]


def _names(url: str) -> object:
    return {r["n"] for r in select(url, f"SELECT ?n WHERE {{ <{MONDO}> <http://www.w3.org/2004/02/skos/core#altLabel> ?n }}")}


def _construct(url: str) -> object:
    response = httpx.get(f"{url}/sparql", params={"query": f"CONSTRUCT {{ <{MONDO}> ?p ?o }} WHERE {{ <{MONDO}> ?p ?o }}"},
                         headers={"Accept": "text/turtle"}, timeout=60)
    return response.status_code, len(list(ox.parse(response.content, format=ox.RdfFormat.TURTLE))) > 10


def _ask(url: str) -> object:
    response = httpx.get(f"{url}/sparql", params={"query": f"ASK {{ <{MONDO}> ?p ?o }}"},
                         headers={"Accept": "application/sparql-results+json"}, timeout=60)
    return response.status_code, response.json()["boolean"]


def _saved_query(url: str) -> object:
    response = httpx.get(f"{url}/api/queries/condition-names", timeout=60)
    return response.status_code, "HIGM1" in {b["name"]["value"] for b in response.json()["results"]["bindings"]}


def _graph_store_read(url: str) -> object:
    response = httpx.get(f"{url}/store", params={"graph": ONTOLOGY}, headers={"Accept": "application/n-triples"}, timeout=60)
    return response.status_code, len(list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)))


def _entity_page(url: str) -> object:
    response = httpx.get(f"{url}/id/MONDO:0010626", headers={"Accept": "text/html"}, timeout=60, follow_redirects=True)
    return response.status_code, "HIGM1" in response.text


def _void(url: str) -> object:
    response = httpx.get(f"{url}/.well-known/void", headers={"Accept": "text/turtle"}, timeout=60)
    return response.status_code, "graph/curated/x-linked-hyper-igm-syndrome" in response.text


def _made(ready: Callable[[], bool], seconds: float = 120) -> None:
    """Wait until what the server makes at start (search index, dumps) is there: bounded."""
    deadline = time.monotonic() + seconds
    while not ready() and time.monotonic() < deadline:
        time.sleep(0.5)


def _void_partitions(url: str) -> object:
    """The statistics as VoID: counted for the embedded store, the published graph/void's behind an engine."""
    response = httpx.get(f"{url}/.well-known/void", headers={"Accept": "application/n-triples"}, timeout=60)
    found = ox.Store()
    found.load(response.content, format=ox.RdfFormat.N_TRIPLES)
    genes = list(found.query("SELECT ?n WHERE { <https://w3id.org/higm-kg/graph/dataset> <http://rdfs.org/ns/void#classPartition> "
                             "[ <http://rdfs.org/ns/void#class> <https://w3id.org/higm-kg/vocab#Gene> ; "
                             "<http://rdfs.org/ns/void#entities> ?n ] }"))
    return response.status_code, [int(row["n"].value) for row in genes]


def _search(url: str) -> object:
    _made(lambda: "x-search-index" not in httpx.get(f"{url}/api/search", params={"q": "x"}, timeout=60).headers)
    response = httpx.get(f"{url}/api/search", params={"q": "HIGM"}, timeout=60)
    return response.status_code, MONDO in response.text


def _dump(url: str) -> object:
    _made(lambda: any(f["name"] == "higm-kg.nq.gz" for f in httpx.get(f"{url}/dumps", timeout=60).json()["files"]))
    response = httpx.get(f"{url}/dumps/higm-kg.nq.gz", timeout=120)
    graphs = {q.graph_name.value for q in ox.parse(gzip.decompress(response.content), format=ox.RdfFormat.N_QUADS)}
    return response.status_code, ONTOLOGY in graphs


def _service_description(url: str) -> object:
    response = httpx.get(f"{url}/sparql", headers={"Accept": "text/turtle"}, timeout=60)
    return response.status_code, "http://www.w3.org/ns/sparql-service-description#" in response.text


def _service_refused(url: str) -> object:
    response = httpx.get(f"{url}/sparql", params={"query": "SELECT * WHERE { SERVICE <http://example.org/s> { ?s ?p ?o } }"})
    return response.status_code


def _update_needs_the_token(url: str) -> object:
    return httpx.post(f"{url}/sparql", data={"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}).status_code


def _read_your_writes(url: str) -> object:
    graph = "http://example.org/written"
    put = httpx.put(f"{url}/store", params={"graph": graph}, content=b"<urn:x> <urn:y> \"1\" .\n",
                    headers={"Content-Type": "application/n-triples", "Authorization": f"Bearer {TOKEN}"}, timeout=60)
    update = httpx.post(f"{url}/sparql", data={"update": f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:x> <urn:y> \"2\" }} }}"},
                        headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)
    seen = {r["o"] for r in select(url, "SELECT ?o WHERE { <urn:x> <urn:y> ?o }")}
    return put.status_code in {201, 204}, update.status_code, seen


SHARED: list[tuple[str, Callable[[str], object], object]] = [
    ("other names by SPARQL", _names, {"HIGM1", "Hyper-IgM syndrome 1", "Hyper-IgM syndrome type 1",
                                       "Immunodeficiency with Hyper-IgM, type 1"}),
    ("CONSTRUCT as Turtle", _construct, (200, True)),
    ("ASK", _ask, (200, True)),
    ("a saved query over the API", _saved_query, (200, True)),
    ("a Graph Store read", _graph_store_read, (200, ONTOLOGY_TRIPLES)),
    ("an entity page", _entity_page, (200, True)),
    ("VoID statistics", _void, (200, True)),
    ("VoID class partitions", _void_partitions, (200, [2])),
    ("search", _search, (200, True)),
    ("a dump", _dump, (200, True)),
    ("the service description", _service_description, (200, True)),
    ("SERVICE refused", _service_refused, 403),
    ("updates need the token", _update_needs_the_token, 401),
    ("writes are seen by the next read", _read_your_writes, (True, 204, {"1", "2"})),
]


@pytest.mark.parametrize(("case", "check", "expected"), SHARED, ids=[s[0] for s in SHARED])
def test_the_same_answers_whatever_the_engine(server: str, case: str, check: Callable[[str], object],
                                              expected: object) -> None:
    assert check(server) == expected


def test_publishing_again_sends_only_what_changed(oxigraph_engine: str, local_store: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(local_store, store)
    again = kg("publish", "--engine", oxigraph_engine, "--store", str(store))
    assert again.returncode == 0 and "(sent)" not in again.stdout and "(unchanged)" in again.stdout
    extra = tmp_path / "extra.nt"
    extra.write_text("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n", encoding="utf-8")
    assert kg("load", str(extra), "--graph", "http://example.org/extra", "--store", str(store)).returncode == 0
    changed = kg("publish", "--engine", oxigraph_engine, "--store", str(store))
    assert "http://example.org/extra: 1 triples (sent)" in changed.stdout.replace("\n", " ")
    assert f"graph/ontology: {ONTOLOGY_TRIPLES} triples (unchanged)" in changed.stdout.replace("\n", "")


def test_query_and_stats_against_the_engine(oxigraph_engine: str) -> None:
    stats = kg("stats", "--engine", oxigraph_engine)
    assert stats.returncode == 0 and "graph/ontology" in stats.stdout
    names = kg("query", "condition-names", "--engine", oxigraph_engine, "-f", "csv")
    assert "HIGM1,alternative" in names.stdout


# -- failures ------------------------------------------------------------------------------------


class _Fake(BaseHTTPRequestHandler):
    mode = "garbage"

    def do_POST(self) -> None:
        if self.mode == "slow":
            time.sleep(3)
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<html>not SPARQL</html>")

    def log_message(self, format: str, *args: object) -> None:
        pass


def fake_engine(mode: str) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Fake", (_Fake,), {"mode": mode}))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"sparql:http://127.0.0.1:{server.server_address[1]}/sparql"


FAILURES = [("garbage", 502, "not SPARQL results"), ("slow", 504, "within 1 s"), ("down", 503, "unreachable")]


@pytest.mark.parametrize(("mode", "status", "message"), FAILURES, ids=[f[0] for f in FAILURES])
def test_engine_failures_are_answered_with_the_engine_named(local_store: Path, mode: str, status: int,
                                                            message: str) -> None:
    fake, spec = fake_engine(mode)
    if mode == "down":
        fake.shutdown()
        fake.server_close()
    try:
        with serving(local_store, "--engine", spec, KG_QUERY_TIMEOUT="1") as url:
            response = httpx.get(f"{url}/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
            health = httpx.get(f"{url}/health", timeout=30).text
    finally:
        if mode != "down":
            fake.shutdown()
            fake.server_close()
    assert response.status_code == status and message in response.text and "127.0.0.1" in response.text, response.text
    assert health.startswith("degraded") and "down" in health  # not answering SPARQL is not up


# -- read replicas -------------------------------------------------------------------------------


def test_reads_survive_a_replica_killed_under_load(local_store: Path, tmp_path: Path) -> None:
    needs(oxigraph_binary(), "the Oxigraph server (PyPI oxigraph)")
    dump = tmp_path / "all.nq"
    assert kg("export", "--format", "nq", "-o", str(dump), "--store", str(local_store)).returncode == 0
    locations = []
    for name in ("a", "b"):
        location = tmp_path / name
        subprocess.run([oxigraph_binary(), "load", "--location", str(location), "--file", str(dump)], check=True,
                       capture_output=True, timeout=300)
        locations.append(location)
    with oxigraph(tmp_path / "writer") as writer, oxigraph(locations[0], read_only=True) as first, \
            running([oxigraph_binary(), "serve-read-only", "--location", str(locations[1]), "--bind",
                     f"127.0.0.1:{(port := free_port())}"], f"http://127.0.0.1:{port}/query?query=ASK%7B%7D",
                    quiet=True) as second_process:
        replicas = f"oxigraph:{first},oxigraph:http://127.0.0.1:{port}"
        with serving(local_store, "--engine", f"oxigraph:{writer}", "--engine-read", replicas) as url:
            statuses = []
            for index in range(60):  # bounded: 60 reads
                if index == 20:
                    stop(second_process, 10)
                response = httpx.get(f"{url}/sparql", params={"query": f"ASK {{ <{MONDO}> ?p ?o }}"},
                                     headers={"Accept": "application/sparql-results+json"}, timeout=30)
                statuses.append((response.status_code, response.json().get("boolean") if response.status_code == 200
                                 else response.text))
            health = httpx.get(f"{url}/health", timeout=30).text
    assert statuses == [(200, True)] * 60
    assert f"read: 127.0.0.1:{port} down" in health and "write: " in health
