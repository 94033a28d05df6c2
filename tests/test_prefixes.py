"""Predeclared prefixes: queries and updates may use every prefix of our map undeclared, their own
PREFIX wins, a remote engine gets the PREFIX lines it needs, and `/prefixes` lists them. Also
the linked-data paths whose CURIE makes no IRI (400, not 500)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from kg.remote import EngineSpec, RemoteStore
from kg.settings import Settings
from kg.store import Store
from ontology import PREFIXES
from ontology.identifiers import sparql_prefixes
from server.app import create_app

TOKEN = "s3cret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
JSON = {"Accept": "application/sparql-results+json"}
SH = "http://www.w3.org/ns/shacl#"


@pytest.fixture()
def client(fresh_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(fresh_store, Settings(update_token=TOKEN))) as test_client:
        yield test_client


@pytest.mark.parametrize(("query", "expected"), [
    ("SELECT ?label WHERE { ?gene a kg:Gene ; rdfs:label ?label } ORDER BY ?label LIMIT 1", "CD40"),
    ("SELECT ?label WHERE { HGNC:11935 rdfs:label ?label }", "CD40LG"),
    ("PREFIX rdfs: <http://example.org/not-rdfs#> SELECT ?label WHERE { HGNC:11935 rdfs:label ?label }", None),
])
def test_queries_use_our_prefixes_undeclared(client: TestClient, query: str, expected: str | None) -> None:
    response = client.get("/sparql", params={"query": query}, headers=JSON)
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    assert (rows[0]["label"]["value"] if rows else None) == expected


def test_updates_use_our_prefixes_undeclared(client: TestClient) -> None:
    update = 'INSERT DATA { GRAPH <http://example.org/g> { id:new rdfs:label "new" } }'
    assert client.post("/sparql", data={"update": update}, headers=AUTH).status_code == 204
    ask = client.get("/sparql", params={"query": 'ASK { id:new rdfs:label "new" }'}, headers=JSON)
    assert ask.json()["boolean"] is True


def test_an_unknown_prefix_is_named_with_the_one_probably_meant(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s a kgg:Gene }"})
    assert response.status_code == 400
    assert "'kgg:' is not declared" in response.text and f"did you mean 'kg:' <{PREFIXES['kg']}>" in response.text


def test_a_remote_engine_gets_the_prefix_lines_it_needs() -> None:
    sent: list[str] = []

    def engine(request: httpx.Request) -> httpx.Response:
        sent.append(parse_qs(request.content.decode())["query"][0])
        return httpx.Response(200, json={"head": {}, "boolean": True},
                              headers={"Content-Type": "application/sparql-results+json"})

    remote = RemoteStore(EngineSpec.parse("sparql:http://engine.example/sparql"),
                         client=httpx.Client(transport=httpx.MockTransport(engine)))
    assert bool(remote.query("PREFIX kg: <http://example.org/mine#> ASK { ?s a kg:Gene ; rdfs:label ?l }"))
    assert sent == [(f"PREFIX rdfs: <{PREFIXES['rdfs']}>\nPREFIX kg: <http://example.org/mine#> "
                     "ASK { ?s a kg:Gene ; rdfs:label ?l }")]


@pytest.mark.parametrize(("headers", "params", "media"), [
    ({}, {}, "application/json"),
    ({"Accept": "application/json"}, {}, "application/json"),
    ({"Accept": "text/turtle"}, {}, "text/turtle"),
    ({"Accept": "text/turtle;q=0.5, application/json"}, {}, "application/json"),
    ({"Accept": "text/turtle"}, {"format": "json"}, "application/json"),
    ({}, {"format": "nt"}, "application/n-triples"),
])
def test_the_prefixes_are_listed(client: TestClient, headers: dict[str, str], params: dict[str, str],
                                 media: str) -> None:
    response = client.get("/prefixes", headers=headers, params=params)
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    assert "Accept" in response.headers["vary"]
    if media == "application/json":
        assert response.json() == sparql_prefixes()
        return
    graph = ox.Store()
    graph.load(response.content, format=ox.RdfFormat.from_media_type(media))
    declared = {row["p"].value: row["n"].value for row in graph.query(
        f"SELECT ?p ?n WHERE {{ ?doc <{SH}declare> [ <{SH}prefix> ?p ; <{SH}namespace> ?n ] }}")}
    assert declared == sparql_prefixes()


@pytest.mark.parametrize(("headers", "params"), [({"Accept": "image/png"}, {}), ({}, {"format": "png"}),
                                                 ({"Accept": "application/json;q=0, text/turtle;q=0"}, {})])
def test_no_acceptable_prefix_format_is_406(client: TestClient, headers: dict[str, str],
                                            params: dict[str, str]) -> None:
    assert client.get("/prefixes", headers=headers, params=params).status_code == 406


@pytest.mark.parametrize("path", ["/id/HGNC:a%20b", "/id/MONDO:%3Cx%3E", "/id/HGNC:%7B%7D"])
def test_a_curie_that_makes_no_iri_is_400(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 400 and "not an IRI" in response.text
