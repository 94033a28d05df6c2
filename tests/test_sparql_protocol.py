"""The SPARQL 1.1 Protocol at /sparql, through FastAPI's TestClient."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from kg.settings import Settings
from kg.store import Store
from server.app import create_app

SELECT = "SELECT ?s WHERE { ?s a <https://w3id.org/higm-kg/vocab#Gene> }"
ASK = "ASK { ?s a <https://w3id.org/higm-kg/vocab#Gene> }"
CONSTRUCT = "CONSTRUCT { ?s a <https://w3id.org/higm-kg/vocab#Gene> } WHERE { ?s a <https://w3id.org/higm-kg/vocab#Gene> }"
DESCRIBE = "DESCRIBE <http://purl.uniprot.org/uniprot/P29965>"
TOKEN = "s3cret"


@pytest.fixture()
def client(fresh_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(fresh_store, Settings(update_token=TOKEN))) as test_client:
        yield test_client


@pytest.fixture()
def read_only(default_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(default_store, Settings())) as test_client:
        yield test_client


@pytest.mark.parametrize(("method", "query"), [
    ("get", SELECT), ("form", SELECT), ("direct", SELECT), ("get", ASK), ("direct", CONSTRUCT), ("get", DESCRIBE),
])
def test_every_way_of_asking(read_only: TestClient, method: str, query: str) -> None:
    if method == "get":
        response = read_only.get("/sparql", params={"query": query})
    elif method == "form":
        response = read_only.post("/sparql", data={"query": query})
    else:
        response = read_only.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 200, response.text
    assert "Accept" in response.headers["vary"].split(", ")


ACCEPT_CASES = [
    (SELECT, None, "application/sparql-results+json"),
    (SELECT, "*/*", "application/sparql-results+json"),
    (SELECT, "application/sparql-results+xml", "application/sparql-results+xml"),
    (SELECT, "text/csv", "text/csv"),
    (SELECT, "text/tab-separated-values", "text/tab-separated-values"),
    (SELECT, "application/json", "application/sparql-results+json"),
    (SELECT, "text/csv;q=0.2, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    (SELECT, "text/*", "text/csv"),
    (ASK, "application/sparql-results+xml", "application/sparql-results+xml"),
    (CONSTRUCT, None, "text/turtle"),
    (CONSTRUCT, "application/n-triples", "application/n-triples"),
    (CONSTRUCT, "application/ld+json", "application/ld+json"),
    (CONSTRUCT, "application/rdf+xml", "application/rdf+xml"),
    (CONSTRUCT, "application/n-quads", "application/n-quads"),
    (CONSTRUCT, "application/trig", "application/trig"),
    (CONSTRUCT, "text/turtle;q=0, */*;q=0.1", "application/n-triples"),
]


@pytest.mark.parametrize(("query", "accept", "media_type"), ACCEPT_CASES)
def test_accept(read_only: TestClient, query: str, accept: str | None, media_type: str) -> None:
    headers = {"Accept": accept} if accept else {}
    response = read_only.get("/sparql", params={"query": query}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type


@pytest.mark.parametrize(("query", "accept"), [(SELECT, "text/turtle"), (CONSTRUCT, "text/csv"), (SELECT, "image/png")])
def test_nothing_acceptable_is_406(read_only: TestClient, query: str, accept: str) -> None:
    response = read_only.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 406
    assert "Accept" in response.headers["vary"].split(", ")


@pytest.mark.parametrize(("params", "media_type"), [
    ({"format": "json"}, "application/sparql-results+json"),
    ({"output": "xml"}, "application/sparql-results+xml"),
    ({"format": "text/csv"}, "text/csv"),
])
def test_format_parameter_overrides_accept(read_only: TestClient, params: dict[str, str], media_type: str) -> None:
    response = read_only.get("/sparql", params={"query": SELECT, **params}, headers={"Accept": "text/turtle"})
    assert response.headers["content-type"].split(";")[0] == media_type


def test_results_are_right(read_only: TestClient) -> None:
    response = read_only.get("/sparql", params={"query": SELECT})
    genes = {b["s"]["value"] for b in response.json()["results"]["bindings"]}
    assert genes == {"https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/11935",
                     "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/11919"}


def test_default_graph_uri_overrides_from(read_only: TestClient) -> None:
    query = "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/higm-kg/graph/ontology> WHERE { ?s ?p ?o }"
    count = lambda **extra: read_only.get("/sparql", params={"query": query, **extra}).json()["results"]["bindings"][0]["n"]["value"]
    ontology = read_only.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH "
                                               "<https://w3id.org/higm-kg/graph/ontology> { ?s ?p ?o } }"})
    assert count() == ontology.json()["results"]["bindings"][0]["n"]["value"]
    assert count(**{"default-graph-uri": "https://w3id.org/higm-kg/graph/metadata"}) != count()


STATUS_CASES = [
    ("syntax error", lambda c: c.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"}), 400),
    ("two queries", lambda c: c.get("/sparql?query=" + quote(ASK) + "&query=" + quote(ASK)), 400),
    ("query and update", lambda c: c.post("/sparql", data={"query": ASK, "update": "CLEAR ALL"}), 400),
    ("update by GET", lambda c: c.get("/sparql", params={"update": "CLEAR ALL"}), 405),
    ("no content type", lambda c: c.post("/sparql", content=ASK.encode()), 415),
    ("wrong content type", lambda c: c.post("/sparql", content=ASK, headers={"Content-Type": "text/plain"}), 415),
    ("not UTF-8", lambda c: c.post("/sparql", content=b"ASK { ?s ?p '\xff' }", headers={"Content-Type": "application/sparql-query"}), 400),
    ("empty form", lambda c: c.post("/sparql", data={"foo": "bar"}), 400),
    ("wrong method", lambda c: c.put("/sparql", content=ASK), 405),
    ("update without token", lambda c: c.post("/sparql", data={"update": "CLEAR ALL"}), 401),
    ("update with a wrong token", lambda c: c.post("/sparql", data={"update": "CLEAR ALL"}, headers={"Authorization": "Bearer nope"}), 403),
]


@pytest.mark.parametrize(("case", "call", "status"), STATUS_CASES, ids=[c[0] for c in STATUS_CASES])
def test_status_codes(client: TestClient, case: str, call, status: int) -> None:
    response = call(client)
    assert response.status_code == status, response.text


def test_syntax_error_names_line_and_column(read_only: TestClient) -> None:
    response = read_only.get("/sparql", params={"query": "SELECT *\nWHERE { ?s ?p }"})
    assert response.status_code == 400 and "at line 2, column" in response.text


def test_updates_are_off_without_a_token(read_only: TestClient) -> None:
    response = read_only.post("/sparql", data={"update": "CLEAR ALL"}, headers={"Authorization": "Bearer x"})
    assert response.status_code == 403


def test_update_with_token_is_visible_to_the_next_query(client: TestClient) -> None:
    update = 'INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> <http://example.org/b> "new" } }'
    response = client.post("/sparql", content=update, headers={
        "Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 204
    answer = client.get("/sparql", params={"query": "ASK { ?s ?p 'new' }"}).json()
    assert answer["boolean"] is True


def test_service_description_for_rdf_clients(read_only: TestClient) -> None:
    response = read_only.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    triples = list(ox.parse(response.content, format=ox.RdfFormat.TURTLE))
    endpoints = {t.object.value for t in triples if t.predicate.value.endswith("#endpoint")}
    assert endpoints == {"http://testserver/sparql"}
    languages = {t.object.value.rsplit("#", 1)[1] for t in triples if t.predicate.value.endswith("#supportedLanguage")}
    assert languages == {"SPARQL11Query"}
    named = {t.object.value for t in triples if t.predicate.value.endswith("#name")}
    assert "https://w3id.org/higm-kg/graph/ontology" in named


@pytest.mark.parametrize(("editor", "marker"), [(False, "<textarea"), (True, 'id="yasgui"')])
def test_browser_gets_the_query_page(read_only: TestClient, monkeypatch: pytest.MonkeyPatch, editor: bool,
                                     marker: str) -> None:
    monkeypatch.setattr("server.pages.editor_available", lambda: editor)
    response = read_only.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert response.status_code == 200 and marker in response.text
    assets = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert assets and all(a.startswith(("http://testserver/", "?", "#")) for a in assets), assets  # nothing remote
