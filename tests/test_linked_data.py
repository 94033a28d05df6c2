"""Linked data: IRIs that resolve, entity pages, RDF by Accept, JSON-LD with our context, dumps, search."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from kg.settings import Settings
from kg.store import Store
from kg.terms import to_rdflib
from ontology import BASE
from server.app import create_app

TOKEN = "t"
HTML = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"
CD40LG = "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/11935"
MONDO = "http://purl.obolibrary.org/obo/MONDO_0010626"
CAUSES = "/id/source/medlineplus/x-linked-hyper-igm-syndrome/causes"


@pytest.fixture(scope="module")
def client(default_store: Store) -> Iterator[TestClient]:
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
    assert {d["file"] for d in listing} == {"higm-kg.ttl", "higm-kg.nt", "higm-kg.nq", "higm-kg.jsonld"}
    union = graph_of(default_store.triples())
    for entry in listing:
        response = client.get(entry["url"])
        assert response.status_code == 200
        assert len(response.content) == entry["size"]
        assert hashlib.sha256(response.content).hexdigest() == entry["sha256"]
        fmt = ox.RdfFormat.from_media_type(entry["media_type"])
        downloaded = tmp_path / entry["file"]
        downloaded.write_bytes(response.content)
        fresh = Store.open()
        fresh.bulk_load(downloaded, fmt)
        if fmt.supports_datasets:
            for graph in default_store.graphs():
                assert isomorphic(graph_of(fresh.triples(graph)), graph_of(default_store.triples(graph))), graph
        assert isomorphic(graph_of(fresh.triples()), union), entry["file"]


def test_dumps_page_and_void_point_to_them(client: TestClient) -> None:
    page = client.get("/dumps", headers={"Accept": HTML}).text
    assert "higm-kg.nq" in page and "SHA-256" in page
    void = parsed(client.get("/.well-known/void", headers={"Accept": "text/turtle"}).text, "text/turtle")
    dumps = {str(o) for o in void.objects(None, URIRef("http://rdfs.org/ns/void#dataDump"))}
    assert "http://testserver/dumps/higm-kg.nq" in dumps and len(dumps) == 4
    assert client.get("/dumps/nothing.ttl").status_code == 404


# -- search ------------------------------------------------------------------------------------


def test_search_ranks_exact_then_prefix_then_substring(client: TestClient) -> None:
    hits = client.get("/api/search", params={"q": "cd40"}).json()
    ranks = [hit["rank"] for hit in hits]
    assert ranks == sorted(ranks) and ranks[0] == 0 and 1 in ranks and 2 in ranks
    assert {hit["label"] for hit in hits if hit["rank"] == 0} >= {"CD40"}
    assert any(hit["iri"] == CD40LG and hit["rank"] == 1 for hit in hits)
    assert all(hit["href"] for hit in hits)


def test_search_ignores_case_and_diacritics(fresh_store: Store) -> None:
    with TestClient(create_app(fresh_store, Settings(workers=1, update_token=TOKEN))) as client:
        data = '<http://example.org/s> <http://www.w3.org/2000/01/rdf-schema#label> "Sjögren syndrome" .'
        client.put("/store", params={"graph": "http://example.org/g"}, content=data,
                   headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/n-triples"})
        hits = client.get("/api/search", params={"q": "SJOGREN"}).json()
        assert [hit["iri"] for hit in hits] == ["http://example.org/s"]
        assert client.get("/api/search", params={"q": "HIGM1"}).json()[0]["rank"] == 0
        assert client.get("/api/search", params={"q": ""}).status_code == 422


def test_dataset_dump_keeps_graph_names(client: TestClient, default_store: Store) -> None:
    quads = ox.parse(client.get("/dumps/higm-kg.nq").content, format=ox.RdfFormat.N_QUADS)
    assert {q.graph_name.value for q in quads} == set(default_store.graphs())
