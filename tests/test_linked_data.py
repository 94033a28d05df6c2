"""Linked data: IRIs that resolve, entity pages, RDF by Accept, JSON-LD with our context, dumps, search."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import until
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from kg import dumps, search_index
from kg.products import folder_of
from kg.settings import Settings
from kg.store import Store
from kg.terms import to_rdflib
from loaders.build import build
from ontology import BASE
from server.app import create_app

TOKEN = "t"
HTML = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"
CD40LG = "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/11935"
MONDO = "http://purl.obolibrary.org/obo/MONDO_0010626"
CAUSES = "/id/source/medlineplus/x-linked-hyper-igm-syndrome/causes"


@pytest.fixture(scope="module")
def client(default_store: Store) -> Iterator[TestClient]:
    """The app over the default graph, its search index and dumps made with it (as a load makes them)."""
    assert search_index.Searcher(folder_of(default_store) / "search").ready
    with TestClient(create_app(default_store, Settings(workers=1))) as test_client:
        yield test_client


def parsed(text: str, media_type: str) -> Graph:
    """The engine's reading of a document (the JSON-LD context inline: no fetching), as an rdflib graph."""
    return graph_of([q.triple for q in ox.parse(text.encode(), format=ox.RdfFormat.from_media_type(media_type))])


def graph_of(triples: list[ox.Triple]) -> Graph:
    graph = Graph()
    for t in triples:
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return graph


LOCATIONS = ["/id/HGNC:11935", f"/resource?iri={MONDO}", CAUSES, "/graph/ontology", "/vocab"]
RDF_MEDIA = [("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld"),
             ("application/rdf+xml", "xml")]  # (media type, a short name for the test ids)


@pytest.mark.parametrize("location", LOCATIONS)
@pytest.mark.parametrize(("accept", "rdflib_format"), RDF_MEDIA)
def test_rdf_by_accept(client: TestClient, location: str, accept: str, rdflib_format: str) -> None:
    response = client.get(location, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(accept)
    assert "Accept" in response.headers["vary"]
    text = response.text
    if rdflib_format == "json-ld":  # parse offline: the context is ours, given inline
        document = json.loads(text)
        assert document["@context"] == "http://testserver/context.jsonld"
        document["@context"] = client.get("/context.jsonld").json()["@context"]
        text = json.dumps(document)
    assert len(parsed(text, accept)) > 0


@pytest.mark.parametrize("location", LOCATIONS)
def test_html_and_406(client: TestClient, location: str) -> None:
    page = client.get(location, headers={"Accept": HTML})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Accept" in page.headers["vary"]
    assert client.get(location, headers={"Accept": "image/png"}).status_code == 406


@pytest.mark.parametrize(("location", "status"), [
    ("/resource?iri=http://example.org/nothing", 404),
    ("/resource?iri=not an iri", 400),
    ("/resource", 422),
    ("/id/NOPE:1", 404),
    ("/id/statement/does-not-exist", 404),
])
def test_unknown_entities(client: TestClient, location: str, status: int) -> None:
    assert client.get(location, headers={"Accept": "text/turtle"}).status_code == status


def test_all_formats_describe_the_same_graph(client: TestClient) -> None:
    graphs = {}
    for accept, rdflib_format in RDF_MEDIA:
        text = client.get("/id/HGNC:11935", headers={"Accept": accept}).text
        if rdflib_format == "json-ld":
            document = json.loads(text)
            document["@context"] = client.get("/context.jsonld").json()["@context"]
            text = json.dumps(document)
        graphs[accept] = parsed(text, accept)
    reference = graphs.pop("text/turtle")
    for accept, graph in graphs.items():
        assert isomorphic(graph, reference), accept


def test_json_ld_reads_naturally(client: TestClient) -> None:
    document = client.get("/id/HGNC:11935", headers={"Accept": "application/ld+json"}).json()
    [gene] = [node for node in document["@graph"] if node.get("id") == CD40LG]
    assert gene["label"] == "CD40LG"
    assert gene["encodes"] == "uniprot:P29965"
    assert "HIGM1" in gene["synonyms"]
    assert gene["type"] == "kg:Gene"


def test_every_iri_of_ours_resolves(client: TestClient, default_store: Store) -> None:
    rows = default_store.query(f"SELECT DISTINCT ?iri WHERE {{ {{ ?iri ?p ?o }} UNION {{ ?s ?p ?iri }} "
                               f"FILTER(isIRI(?iri) && STRSTARTS(STR(?iri), '{BASE}')) }}")
    iris = sorted({row["iri"].value.split("#")[0] for row in rows})
    assert len(iris) > 100
    failures = []
    for iri in iris:
        path = "/" + iri[len(BASE):]
        response = client.get(path, headers={"Accept": "application/n-triples"})
        described = f"<{iri}" in response.text or (path.startswith("/graph/") and response.text)  # a graph: its triples
        if response.status_code != 200 or not described:
            failures.append((path, response.status_code))
    assert failures == []


def test_the_page_holds_the_facts(client: TestClient) -> None:
    page = client.get("/id/HGNC:11935", headers={"Accept": HTML}).text
    for expected in ("<h1>CD40LG</h1>", "hgnc:11935", "HIGM1", "CD154",  # label, CURIE, synonyms
                     "CD40 ligand", "X-linked hyper IgM syndrome", "Xq26.3",  # facts, with labels
                     "https://www.ncbi.nlm.nih.gov/gene/959",  # external links
                     ">Causes</a>",  # provenance: the section each fact was read from
                     '<svg class="neighbourhood"'):  # the picture
        assert expected in page, expected
    assert page.count('<a class="node"') >= 3


def test_large_inverse_sets_are_counted(client: TestClient, default_store: Store) -> None:
    [row] = default_store.query("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a <https://w3id.org/higm-kg/vocab#Authorship> }")
    count = int(row["n"].value)
    page = client.get("/resource", params={"iri": "https://w3id.org/higm-kg/vocab#Authorship"}, headers={"Accept": HTML}).text
    assert f"({count} in all)" in page


def test_context_names_our_properties(client: TestClient) -> None:
    response = client.get("/context.jsonld")
    assert response.headers["content-type"].startswith("application/ld+json")
    context = response.json()["@context"]
    assert context["encodes"] == {"@id": "https://w3id.org/higm-kg/vocab#encodes", "@type": "@id"}
    assert context["label"] == "http://www.w3.org/2000/01/rdf-schema#label"
    assert context["MONDO"] == {"@id": "http://purl.obolibrary.org/obo/MONDO_", "@prefix": True}


# -- dumps -------------------------------------------------------------------------------------


def test_dumps_list_and_reload_to_the_same_graph(client: TestClient, default_store: Store, tmp_path: Path) -> None:
    listing = client.get("/dumps", headers={"Accept": "application/json"}).json()
    graphs = default_store.graphs()
    assert {d["name"] for d in listing["files"]} == {"higm-kg.nq.gz", *(dumps.filename(g) for g in graphs)}
    assert listing["generation"] == default_store.generation and listing["making"] is None
    for entry in listing["files"]:
        response = client.get(entry["url"])
        assert response.status_code == 200 and response.headers["content-type"] == "application/gzip"
        assert len(response.content) == entry["size"] and response.headers["etag"] == f'"{entry["sha256"]}"'
        assert hashlib.sha256(response.content).hexdigest() == entry["sha256"]
        assert (entry["format"], entry["media_type"], entry["encoding"]) == ("N-Quads", "application/n-quads", "gzip")
        fresh = Store.open()
        downloaded = tmp_path / "dump.nq"
        downloaded.write_bytes(gzip.decompress(response.content))
        fresh.bulk_load(downloaded, ox.RdfFormat.N_QUADS)
        for graph in [entry["graph"]] if entry["graph"] else graphs:
            assert fresh.graphs() == ([graph] if entry["graph"] else graphs)
            assert isomorphic(graph_of(fresh.triples(graph)), graph_of(default_store.triples(graph))), graph


def test_dumps_page_and_void_point_to_them(client: TestClient) -> None:
    page = client.get("/dumps", headers={"Accept": HTML}).text
    assert "higm-kg.nq.gz" in page and "SHA-256" in page and "graph/hpo" not in page
    void = parsed(client.get("/.well-known/void", headers={"Accept": "text/turtle"}).text, "text/turtle")
    data_dump = URIRef("http://rdfs.org/ns/void#dataDump")
    assert set(void.objects(URIRef(BASE + "graph/dataset"), data_dump)) == {URIRef("http://testserver/dumps/higm-kg.nq.gz")}
    ontology = URIRef(BASE + "graph/ontology")
    assert set(void.objects(ontology, data_dump)) == {URIRef("http://testserver/dumps/graph-ontology.nq.gz")}


@pytest.mark.parametrize("path", ["/dumps/nothing.nq.gz", "/dumps/manifest.json", "/dumps/making.json",
                                  "/dumps/..%2Fmanifest.json", "/dumps/.lock"])
def test_only_listed_dumps_are_served(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404


def _whole(client: TestClient) -> bytes:
    return client.get("/dumps/higm-kg.nq.gz").content


RANGES = [  # (Range, status, the part of the file expected as (start, end) or None)
    ("bytes=0-99", 206, (0, 100)),
    ("bytes=100-", 206, (100, None)),
    ("bytes=-50", 206, (-50, None)),
    ("bytes=0-0", 206, (0, 1)),
    ("bytes=999999999-", 416, None),
    ("bytes=-0", 416, None),
    ("items=0-5", 200, (0, None)),  # a unit it does not know: ignored, the whole file sent (RFC 9110 §14.2)
    ("bytes=9-2", 200, (0, None)),  # not a range: ignored the same way
    ("bytes=x-y", 200, (0, None)),
]


@pytest.mark.parametrize(("header", "status", "part"), RANGES, ids=[r[0] for r in RANGES])
def test_dumps_answer_ranges(client: TestClient, header: str, status: int, part: tuple[int, int | None] | None) -> None:
    whole = _whole(client)
    response = client.get("/dumps/higm-kg.nq.gz", headers={"Range": header})
    assert response.status_code == status
    if part is None:
        assert response.headers["content-range"] == f"bytes */{len(whole)}"
        return
    start, end = part
    expected = whole[start:end]
    first = start % len(whole)
    assert response.content == expected
    if status == 206:
        assert response.headers["content-range"] == f"bytes {first}-{first + len(expected) - 1}/{len(whole)}"


def test_dumps_answer_several_ranges_and_if_range(client: TestClient) -> None:
    whole = _whole(client)
    several = client.get("/dumps/higm-kg.nq.gz", headers={"Range": "bytes=0-9,20-29"})
    assert several.status_code == 206 and several.headers["content-type"].startswith("multipart/byteranges")
    assert whole[0:10] in several.content and whole[20:30] in several.content
    etag = client.head("/dumps/higm-kg.nq.gz").headers["etag"]
    resumed = client.get("/dumps/higm-kg.nq.gz", headers={"Range": "bytes=10-", "If-Range": etag})
    assert resumed.status_code == 206 and resumed.content == whole[10:]
    changed = client.get("/dumps/higm-kg.nq.gz", headers={"Range": "bytes=10-", "If-Range": '"another"'})
    assert changed.status_code == 200 and changed.content == whole


def test_dumps_say_what_is_being_made(fresh_store: Store) -> None:
    folder = folder_of(fresh_store) / "dumps"
    with TestClient(create_app(fresh_store, Settings(workers=1))) as client:
        until(lambda: not client.app.state.products.running)  # made with the store, current
        made = client.get("/dumps", headers={"Accept": "application/json"}).json()
        assert made["files"] and made["generation"] == fresh_store.generation
        seen = []

        def report(_: str) -> None:
            seen.append(client.get("/dumps", headers={"Accept": "application/json"}).json()["making"])

        dumps.write(fresh_store, folder, generation=3, report=report)
        listing = client.get("/dumps", headers={"Accept": "application/json"}).json()
    assert seen and all(m["generation"] == 3 and "higm-kg.nq.gz" in m["files"] for m in seen)
    assert listing["making"] is None and listing["generation"] == 3


# -- search ------------------------------------------------------------------------------------


def test_search_ranks_exact_then_prefix_then_words(client: TestClient) -> None:
    hits = client.get("/api/search", params={"q": "cd40"}).json()
    ranks = [hit["rank"] for hit in hits]
    assert ranks == sorted(ranks) and ranks[0] == 0 and 1 in ranks and 2 in ranks
    assert {hit["label"] for hit in hits if hit["rank"] == 0} >= {"CD40"}
    assert any(hit["iri"] == CD40LG and hit["rank"] == 1 and hit["types"] == ["gene"] for hit in hits)
    assert all(hit["href"] and hit["kind"] in {"label", "synonym", "curie", "definition"} for hit in hits)


SEARCHES = [  # (parameters, status, the first hit's (IRI, kind) or None for no hit)
    ({"q": "HIGM1"}, 200, (MONDO, "synonym")),
    ({"q": "hgnc:11935"}, 200, (CD40LG, "curie")),
    ({"q": "CD40", "type": "protein"}, 200, ("http://purl.uniprot.org/uniprot/P25942", "synonym")),
    ({"q": "CD40", "type": ["protein", "gene"], "limit": 1}, 200, ("https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/11919", "label")),
    ({"q": "title:x OR *"}, 200, None),
    ({"q": "CD40", "type": "tissue"}, 422, None),
    ({"q": ""}, 422, None),
    ({"q": "cd40", "limit": 0}, 422, None),
]


@pytest.mark.parametrize(("params", "status", "first"), SEARCHES, ids=[str(s[0]) for s in SEARCHES])
def test_search_over_http(client: TestClient, params: dict[str, object], status: int,
                          first: tuple[str, str] | None) -> None:
    response = client.get("/api/search", params=params)
    assert response.status_code == status
    if status == 200:
        hits = response.json()
        assert ((hits[0]["iri"], hits[0]["kind"]) if hits else None) == first
        assert len(hits) <= int(params.get("limit", 20))  # type: ignore[call-overload]


def test_search_before_the_index_and_after_writes() -> None:
    """A store without an index, where none can be made yet: "being made". A write refreshes what
    is made from the graph in the background: the whole index built, then a later write's
    subjects indexed again."""
    store = Store.open()
    build(store, with_hpo=False)
    blocked = folder_of(store) / "search"
    blocked.write_text("not a folder", encoding="utf-8")
    writes = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(create_app(store, Settings(workers=1, update_token=TOKEN))) as client:
        until(lambda: not client.app.state.products.running)
        waiting = client.get("/api/search", params={"q": "HIGM1"})
        assert waiting.json() == [] and waiting.headers["x-search-index"] == "being made"
        blocked.unlink()
        typed = b"<http://example.org/t> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.org/C> ."
        put = client.put("/store", params={"graph": "http://example.org/g"}, content=typed,
                         headers={**writes, "Content-Type": "application/n-triples"})
        assert put.status_code in (201, 204), put.text
        until(lambda: not client.app.state.products.running)
        ready = client.get("/api/search", params={"q": "HIGM1"})
        assert ready.json()[0]["iri"] == MONDO and "x-search-index" not in ready.headers
        update = client.post("/sparql", data={"update": 'INSERT DATA { GRAPH <http://example.org/g> { '
                                                        '<http://example.org/s> <http://www.w3.org/2000/01/rdf-schema#label> '
                                                        '"Sjögren syndrome" } }'}, headers=writes)
        assert update.status_code == 204, update.text
        until(lambda: not client.app.state.products.running)
        hits = client.get("/api/search", params={"q": "SJOGREN"}).json()
        assert [(hit["iri"], hit["rank"]) for hit in hits] == [("http://example.org/s", 1)]


def test_from_a_search_to_a_query(client: TestClient) -> None:
    """The README's two steps: the IRIs of the hits in a VALUES block."""
    hits = client.get("/api/search", params={"q": "HIGM1", "type": "condition"}).json()
    iris = " ".join(str(ox.NamedNode(hit["iri"])) for hit in hits)
    query = f"""PREFIX kg: <https://w3id.org/higm-kg/vocab#>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    SELECT ?condition ?label WHERE {{
      VALUES ?condition {{ {iris} }}
      ?condition kg:hasPhenotype ?feature . ?feature rdfs:label ?label
    }} ORDER BY ?label"""
    response = client.post("/sparql", data={"query": query}, headers={"Accept": "text/csv"})
    rows = response.text.splitlines()
    assert rows[0] == "condition,label" and f"{MONDO},Neutropenia" in rows and len(rows) > 10
