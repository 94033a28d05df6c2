"""The W3C SPARQL 1.1 test suites for the Protocol (34 tests), the Service Description (3) and
the Graph Store Protocol, each written here as our own test of the behaviour it names.

The protocol tests send their requests to `/sparql/`, with the trailing slash, as the W3C
manifest does. Graphs they expect (`ut:graphData`) are put into the store first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from httpx import Response

from kg.settings import Settings
from kg.store import Store
from server.app import create_app

TOKEN = "w3c"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
KASEI = "http://kasei.us/2009/09/sparql/data/"
DATA = {n: f"{KASEI}data{n}.rdf" for n in (0, 1, 2, 3)}
FOAF_DOC = "<{iri}> a <http://xmlns.com/foaf/0.1/Document> ."
QUERY, UPDATE, FORM = ("application/sparql-query", "application/sparql-update", "application/x-www-form-urlencoded")


@pytest.fixture()
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Store.open(), Settings(update_token=TOKEN))) as test_client:
        for n in (1, 2, 3):  # the manifest's ut:graphData
            test_client.put("/store", params={"graph": DATA[n]}, content=FOAF_DOC.format(iri=DATA[n]),
                            headers={**AUTH, "Content-Type": "text/turtle"})
        yield test_client


def _ask(response: Response) -> bool:
    assert response.status_code == 200, response.text
    return response.json()["boolean"]


def _get(client: TestClient, query: str, **params: str | list[str]) -> Response:
    return client.get("/sparql/", params={"query": query, **params})


def _post(client: TestClient, body: str | bytes, media: str, path: str = "/sparql/", **headers: str) -> Response:
    return client.post(path, content=body, headers={"Content-Type": media, **AUTH, **headers})


def _graphs(*names: str, kind: str = "default-graph-uri") -> str:
    return "&".join(f"{kind}={quote(DATA[int(n)], safe='')}" for n in names)


TWO = f"ASK {{ <{DATA[1]}> a ?type . <{DATA[2]}> a ?type . }}"
TWO_NAMED = f"ASK {{ GRAPH ?g1 {{ <{DATA[1]}> a ?type }} GRAPH ?g2 {{ <{DATA[2]}> a ?type }} }}"
FULL = f"ASK {{ <{DATA[3]}> a ?type GRAPH ?g1 {{ <{DATA[1]}> a ?type }} GRAPH ?g2 {{ <{DATA[2]}> a ?type }} }}"
PREFIXES = "PREFIX dc: <http://purl.org/dc/terms/>\nPREFIX foaf: <http://xmlns.com/foaf/0.1/>\n"
SEED = (PREFIXES + "DROP ALL ;\nINSERT DATA {\n"
        + "".join(f"  GRAPH <{DATA[n]}> {{ <{DATA[n]}> a foaf:Document }}\n" for n in (1, 2, 3)) + "} ;\n")


def _update_then_ask(client: TestClient, update: str, params: str, ask: str) -> bool:
    response = _post(client, update, UPDATE, path=f"/sparql/?{params}")
    assert response.status_code in (200, 204), response.text
    return _ask(_post(client, ask, QUERY))


def _target(test: str) -> str:
    return f"http://example.org/protocol-update-dataset-{test}test/"


POSITIVE: list[tuple[str, Callable[[TestClient], bool]]] = [
    ("query_post_form", lambda c: _ask(c.post(f"/sparql/?{_graphs(0)}", content="query=ASK%20%7B%7D",
                                              headers={"Content-Type": FORM}))),
    ("query_dataset_default_graphs_get", lambda c: _ask(c.get(f"/sparql/?query={quote(TWO)}&{_graphs(1, 2)}"))),
    ("query_dataset_default_graphs_post", lambda c: _ask(_post(c, TWO, QUERY, path=f"/sparql/?{_graphs(1, 2)}"))),
    ("query_dataset_named_graphs_post",
     lambda c: _ask(_post(c, TWO_NAMED, QUERY, path=f"/sparql/?{_graphs(1, 2, kind='named-graph-uri')}"))),
    ("query_dataset_named_graphs_get",
     lambda c: _ask(c.get(f"/sparql/?query={quote(TWO_NAMED)}&{_graphs(1, 2, kind='named-graph-uri')}"))),
    ("query_dataset_full",
     lambda c: _ask(_post(c, FULL, QUERY, path=f"/sparql/?{_graphs(3)}&{_graphs(1, 2, kind='named-graph-uri')}"))),
    ("query_multiple_dataset",  # the protocol's dataset replaces the query's FROM
     lambda c: _ask(_post(c, f"ASK FROM <{DATA[3]}> {TWO_NAMED[4:]}", QUERY,
                          path=f"/sparql/?{_graphs(1, 2, kind='named-graph-uri')}"))),
    ("query_get", lambda c: _ask(c.get(f"/sparql/?query=ASK%20%7B%7D&{_graphs(0)}"))),
    ("query_content_type_select", lambda c: _post(c, "SELECT (1 AS ?value) {}", QUERY, path=f"/sparql/?{_graphs(0)}")
     .headers["content-type"].startswith(("application/sparql-results+", "text/csv", "text/tab-separated-values"))),
    ("query_content_type_ask", lambda c: _post(c, "ASK {}", QUERY, path=f"/sparql/?{_graphs(0)}")
     .headers["content-type"].startswith("application/sparql-results+")),
    ("query_content_type_describe", lambda c: ox.RdfFormat.from_media_type(
        _post(c, "DESCRIBE <http://example.org/>", QUERY, path=f"/sparql/?{_graphs(0)}").headers["content-type"]) is not None),
    ("query_content_type_construct", lambda c: len(list(ox.parse(
        (r := _post(c, "CONSTRUCT { <s> <p> 1 } WHERE {}", QUERY, path=f"/sparql/?{_graphs(0)}")).content,
        format=ox.RdfFormat.from_media_type(r.headers["content-type"])))) == 1),
    ("update_dataset_default_graph", lambda c: _update_then_ask(
        c, PREFIXES + f"CLEAR ALL ;\nINSERT DATA {{ GRAPH <{DATA[1]}> {{ <{DATA[1]}> a foaf:Document }} }} ;\n"
        f"INSERT {{ GRAPH <{_target('')}> {{ ?s a dc:BibliographicResource }} }} WHERE {{ ?s a foaf:Document }}",
        _graphs(1, kind="using-graph-uri"),
        f"ASK {{ GRAPH <{_target('')}> {{ <{DATA[1]}> a <http://purl.org/dc/terms/BibliographicResource> }} }}")),
    ("update_dataset_default_graphs", lambda c: _update_then_ask(
        c, SEED + f"INSERT {{ GRAPH <{_target('default-graphs-')}> {{ ?s a dc:BibliographicResource }} }} "
        "WHERE { ?s a foaf:Document }", _graphs(1, 2, kind="using-graph-uri"),
        f"ASK {{ GRAPH <{_target('default-graphs-')}> {{ <{DATA[1]}> a <http://purl.org/dc/terms/BibliographicResource> . "
        f"<{DATA[2]}> a <http://purl.org/dc/terms/BibliographicResource> }} FILTER NOT EXISTS {{ "
        f"GRAPH <{_target('default-graphs-')}> {{ <{DATA[3]}> a <http://purl.org/dc/terms/BibliographicResource> }} }} }}")),
    ("update_dataset_named_graphs", lambda c: _update_then_ask(
        c, SEED + f"INSERT {{ GRAPH <{_target('named-graphs-')}> {{ ?s a dc:BibliographicResource }} }} "
        "WHERE { GRAPH ?g { ?s a foaf:Document } }", _graphs(1, 2, kind="using-named-graph-uri"),
        f"ASK {{ GRAPH <{_target('named-graphs-')}> {{ <{DATA[1]}> a <http://purl.org/dc/terms/BibliographicResource> . "
        f"<{DATA[2]}> a <http://purl.org/dc/terms/BibliographicResource> }} FILTER NOT EXISTS {{ "
        f"GRAPH <{_target('named-graphs-')}> {{ <{DATA[3]}> a <http://purl.org/dc/terms/BibliographicResource> }} }} }}")),
    ("update_dataset_full", lambda c: _update_then_ask(
        c, SEED + f"INSERT {{ GRAPH <{_target('full-')}> {{ ?s <http://example.org/in> ?in }} }} WHERE {{ "
        "{ GRAPH ?g { ?s a foaf:Document } BIND(?g AS ?in) } UNION { ?s a foaf:Document . BIND(\"default\" AS ?in) } }",
        f"{_graphs(1, kind='using-graph-uri')}&{_graphs(2, kind='using-named-graph-uri')}",
        f"ASK {{ GRAPH <{_target('full-')}> {{ <{DATA[1]}> <http://example.org/in> \"default\" . "
        f"<{DATA[2]}> <http://example.org/in> <{DATA[2]}> }} FILTER NOT EXISTS {{ "
        f"GRAPH <{_target('full-')}> {{ <{DATA[3]}> ?p ?o }} }} }}")),
    ("update_post_form", lambda c: _post(c, "update=CLEAR+ALL", FORM).status_code in (200, 204)),
    ("update_post_direct", lambda c: _post(c, "CLEAR ALL", UPDATE).status_code in (200, 204)),
    ("update_base_uri", lambda c: _post(c, "CLEAR GRAPH <http://example.org/protocol-base-test/> ;\nINSERT DATA { GRAPH "
                                           "<http://example.org/protocol-base-test/> { <http://example.org/s> "
                                           "<http://example.org/p> <test> } }", UPDATE).status_code == 204
     and [b["o"] for b in _post(c, "SELECT ?o WHERE { GRAPH <http://example.org/protocol-base-test/> { "
                                   "<http://example.org/s> <http://example.org/p> ?o } }", QUERY).json()["results"]["bindings"]]
     == [{"type": "uri", "value": "http://testserver/test"}]),
    ("query_post_direct", lambda c: _ask(_post(c, "ASK {}", QUERY))),
]

NEGATIVE: list[tuple[str, Callable[[TestClient], Response]]] = [
    ("bad_query_method", lambda c: c.put(f"/sparql/?query=ASK%20%7B%7D&{_graphs(0)}", headers={"Content-Type": FORM})),
    ("bad_multiple_queries", lambda c: c.get("/sparql/?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D")),
    ("bad_query_wrong_media_type", lambda c: c.post("/sparql/", content="ASK {}", headers={"Content-Type": "text/plain"})),
    ("bad_query_missing_form_type", lambda c: c.post("/sparql/", content="query=ASK%20%7B%7D")),
    ("bad_query_missing_direct_type", lambda c: c.post("/sparql/", content="ASK {}")),
    ("bad_query_non_utf8", lambda c: c.post("/sparql/", content="ASK {}".encode("utf-16"),
                                            headers={"Content-Type": f"{QUERY}; charset=UTF-16"})),
    ("bad_query_syntax", lambda c: c.get("/sparql/?query=ASK%20%7B")),
    ("bad_update_get", lambda c: c.get("/sparql/?update=CLEAR%20ALL")),
    ("bad_multiple_updates", lambda c: _post(c, "update=CLEAR%20NAMED&update=CLEAR%20DEFAULT", FORM)),
    ("bad_update_wrong_media_type", lambda c: _post(c, "CLEAR NAMED", "text/plain")),
    ("bad_update_missing_form_type", lambda c: c.post("/sparql/", content="update=CLEAR%20NAMED", headers=AUTH)),
    ("bad_update_non_utf8", lambda c: _post(c, "CLEAR NAMED".encode("utf-16"), f"{UPDATE}; charset=UTF-16")),
    ("bad_update_syntax", lambda c: _post(c, "update=INSERT%20DATA%20%7B", FORM)),
    ("bad_update_dataset_conflict", lambda c: _post(
        c, PREFIXES + f"DROP ALL ; INSERT {{ GRAPH <{_target('conflict-')}> {{ ?s a dc:BibliographicResource }} }} "
        f"USING <{DATA[1]}> WHERE {{ ?s a foaf:Document }}", UPDATE, path=f"/sparql/?{_graphs(1, kind='using-graph-uri')}")),
]


def test_the_suite_is_whole() -> None:
    assert len(POSITIVE) + len(NEGATIVE) == 34


@pytest.mark.parametrize(("name", "check"), POSITIVE, ids=[p[0] for p in POSITIVE])
def test_protocol_positive(client: TestClient, name: str, check: Callable[[TestClient], bool]) -> None:
    assert check(client) is True


@pytest.mark.parametrize(("name", "call"), NEGATIVE, ids=[n[0] for n in NEGATIVE])
def test_protocol_negative(client: TestClient, name: str, call: Callable[[TestClient], Response]) -> None:
    response = call(client)
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert _ask(_post(client, f"ASK {{ GRAPH <{DATA[1]}> {{ ?s ?p ?o }} }}", QUERY))  # nothing was cleared


# -- Service Description: the 3 tests ---------------------------------------------------------------

SD = "http://www.w3.org/ns/sparql-service-description#"


@pytest.fixture()
def description(client: TestClient) -> tuple[Response, list[ox.Triple]]:
    response = client.get("/sparql/", headers={"Accept": "text/turtle"})
    return response, [q.triple for q in ox.parse(response.content, format=ox.RdfFormat.TURTLE)]


def test_sd_has_the_endpoint_triple(description: tuple[Response, list[ox.Triple]]) -> None:
    _, triples = description
    assert {t.object.value for t in triples if t.predicate.value == SD + "endpoint"} == {"http://testserver/sparql/"}


def test_sd_get_on_the_endpoint_returns_rdf(client: TestClient) -> None:
    for media in ("text/turtle", "application/rdf+xml", "application/n-triples", "application/ld+json"):
        response = client.get("/sparql/", headers={"Accept": media})
        assert response.status_code == 200 and response.headers["content-type"].startswith(media)
        assert list(ox.parse(response.content, format=ox.RdfFormat.from_media_type(media)))


def test_sd_conforms_to_the_schema(description: tuple[Response, list[ox.Triple]]) -> None:
    """Every property is used on a node of its domain class, with a value of its range."""
    _, triples = description
    types = {(t.subject, t.object.value) for t in triples if t.predicate.value.endswith("#type")}
    domains = {"endpoint": "Service", "supportedLanguage": "Service", "feature": "Service", "resultFormat": "Service",
               "defaultDataset": "Service", "defaultGraph": "Dataset", "namedGraph": "Dataset", "name": "NamedGraph",
               "graph": "NamedGraph"}
    ranges = {"supportedLanguage": "Language", "feature": "Feature", "defaultDataset": "Dataset",
              "defaultGraph": "Graph", "namedGraph": "NamedGraph", "graph": "Graph"}
    for t in triples:
        local = t.predicate.value[len(SD):] if t.predicate.value.startswith(SD) else None
        if local in domains:
            assert (t.subject, SD + domains[local]) in types, t
        if local in ranges and local not in ("supportedLanguage", "feature"):
            assert (t.object, SD + ranges[local]) in types, t
        if local in ("supportedLanguage", "feature", "endpoint", "resultFormat", "name"):
            assert isinstance(t.object, ox.NamedNode), t
    assert (next(t.subject for t in triples if t.predicate.value == SD + "endpoint"), SD + "Service") in types


# -- Graph Store HTTP Protocol: each test of the W3C manifest, indirect identification -------------

PERSON = "http://www.example/gsp/person/1.ttl"
TTL = {"Content-Type": "text/turtle; charset=utf-8"}
HEAD = "@prefix foaf: <http://xmlns.com/foaf/0.1/> . @prefix v: <http://www.w3.org/2006/vcard/ns#> .\n"
JOHN = HEAD + '<http://www.example/gsp/person/1> a foaf:Person; foaf:businessCard [ a v:VCard; v:fn "John Doe" ].'
JANE = HEAD + '<http://www.example/gsp/person/1> a foaf:Person; foaf:businessCard [ a v:VCard; v:fn "Jane Doe" ].'
ALICE = HEAD + '[] a foaf:Person; foaf:businessCard [ a v:VCard; v:given-name "Alice" ] .'
NAMES = HEAD + '<http://www.example/gsp/person/1> foaf:name "Jane Doe" .'
LAST = HEAD + '<http://www.example/gsp/person/1> foaf:familyName "Doe" .'
FIRST = HEAD + '<http://www.example/gsp/person/1> foaf:givenName "Jane" .'


def _canonical(turtle: bytes | str) -> set[ox.Quad]:
    data = turtle.encode() if isinstance(turtle, str) else turtle
    dataset = ox.Dataset(ox.parse(data, format=ox.RdfFormat.TURTLE))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


def _gsp(client: TestClient, method: str, body: str | bytes | None = None, headers: dict[str, str] | None = None,
         **params: str) -> Response:
    return client.request(method, "/store", params=params or {"graph": PERSON}, content=body,
                          headers={**AUTH, **(headers or {})})


def _read(client: TestClient, **params: str) -> Response:
    return client.get("/store", params=params or {"graph": PERSON}, headers={"Accept": "text/turtle"})


def _multipart(*parts: tuple[str, str]) -> tuple[bytes, dict[str, str]]:
    boundary = "a6fe4cd636164618814be9f8d3d1a0de"
    body = "".join(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}\"\r\n"
                   f"Content-Type: text/turtle; charset=utf-8\r\n\r\n{text}\r\n" for name, text in parts)
    return (body + f"--{boundary}--\r\n").encode(), {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def test_gsp_put_then_put_again(client: TestClient) -> None:
    assert _gsp(client, "PUT", JOHN, TTL).status_code == 201  # PUT - initial state
    read = _read(client)
    assert read.status_code == 200 and read.headers["content-type"].startswith("text/turtle")
    assert _canonical(read.content) == _canonical(JOHN)  # GET of PUT - initial state
    assert _gsp(client, "PUT", JANE, TTL).status_code in (200, 204)  # PUT - graph already in store
    assert _canonical(_read(client).content) == _canonical(JANE)  # GET of PUT - graph already in store


def test_gsp_put_and_get_the_default_graph(client: TestClient) -> None:
    assert _gsp(client, "PUT", ALICE, TTL, default="").status_code in (200, 201, 204)  # PUT - default graph
    assert _canonical(_read(client, default="").content) == _canonical(ALICE)  # GET of PUT - default graph


def test_gsp_put_of_a_mismatched_payload_is_refused(client: TestClient) -> None:
    assert _gsp(client, "PUT", JOHN, {"Content-Type": "application/rdf+xml"}).status_code == 400
    assert _read(client).status_code == 404


def test_gsp_delete(client: TestClient) -> None:
    _gsp(client, "PUT", ALICE, TTL)
    assert _gsp(client, "DELETE").status_code in (200, 204)  # DELETE - existing graph
    assert _read(client).status_code == 404  # GET of DELETE - existing graph
    assert _gsp(client, "DELETE").status_code == 404  # DELETE - non-existent graph


def test_gsp_post_merges(client: TestClient) -> None:
    _gsp(client, "PUT", JANE, TTL)
    assert _gsp(client, "POST", NAMES, TTL).status_code in (200, 204)  # POST - existing graph
    assert _canonical(_read(client).content) == _canonical(JANE + "\n" + NAMES[len(HEAD):])  # GET of POST - existing


def test_gsp_post_multipart_form_data(client: TestClient) -> None:
    _gsp(client, "PUT", JANE, TTL)
    body, headers = _multipart(("lastName.ttl", LAST), ("firstName.ttl", FIRST))
    assert _gsp(client, "POST", body, headers).status_code in (200, 204)  # POST - multipart/form-data
    expected = JANE + "\n" + LAST[len(HEAD):] + "\n" + FIRST[len(HEAD):]
    assert _canonical(_read(client).content) == _canonical(expected)  # GET of POST - multipart/form-data


def test_gsp_post_creates_a_new_graph(client: TestClient) -> None:
    created = client.post("/store", content=ALICE, headers={**AUTH, **TTL})
    assert created.status_code == 201  # POST - create new graph
    graph = created.headers["location"]
    assert _canonical(_read(client, graph=graph).content) == _canonical(ALICE)  # GET of POST - create new graph
    local = graph.replace("https://w3id.org/higm-kg/", "/")  # the IRI's own document, on this server
    assert _canonical(client.get(local, headers={"Accept": "text/turtle"}).content) == _canonical(ALICE)
    assert _gsp(client, "POST", "", TTL, graph=graph).status_code in (200, 204)  # a POST with nothing in it
    assert _canonical(_read(client, graph=graph).content) == _canonical(ALICE)  # GET of POST - after noop


def test_gsp_head(client: TestClient) -> None:
    _gsp(client, "PUT", JOHN, TTL)
    existing = client.head("/store", params={"graph": PERSON}, headers={"Accept": "text/turtle"})
    assert existing.status_code == 200 and existing.content == b""  # HEAD on an existing graph
    assert existing.headers["content-type"].startswith("text/turtle")
    assert client.head("/store", params={"graph": PERSON + "-none"}).status_code == 404  # HEAD on a non-existing graph


def test_gsp_a_graph_iri_with_percent_encoding(client: TestClient) -> None:
    graph = "http://www.example/gsp/person/caf%C3%A9%201.ttl"
    assert _gsp(client, "PUT", JOHN, TTL, graph=graph).status_code == 201
    assert _canonical(_read(client, graph=graph).content) == _canonical(JOHN)
