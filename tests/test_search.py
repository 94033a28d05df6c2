"""The search index (kg/search_index.py): what is indexed, the ranking, the type filter, hostile
text, and an index kept current by `update` while a Searcher reads it."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import search_index
from kg.change import Change
from kg.search_index import Searcher
from kg.store import Store

EX = "http://example.org/"
OBO = "http://purl.obolibrary.org/obo/"
DATA = """
@prefix ex: <http://example.org/> .
@prefix kg: <https://w3id.org/higm-kg/vocab#> .
@prefix biolink: <https://w3id.org/biolink/vocab/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix oio: <http://www.geneontology.org/formats/oboInOwl#> .
@prefix obo: <http://purl.obolibrary.org/obo/> .

ex:cd40 a kg:Gene ; rdfs:label "CD40" .
ex:tnfrsf5 a kg:Protein ; rdfs:label "Tumor necrosis factor receptor superfamily member 5" ; skos:altLabel "CD40" .
ex:cd40lg a biolink:Gene ; rdfs:label "CD40LG" .
ex:cd40l a kg:Protein ; rdfs:label "CD40 ligand" .
ex:paper a kg:Publication ; rdfs:label "CD40:CD40L interactions in hyper-IgM syndromes" .
ex:higm a kg:Condition ; rdfs:label "X-linked hyper IgM syndrome" ; skos:altLabel "HIGM1" ;
    dcterms:identifier "MONDO:0010626" .
ex:omim a biolink:Disease ; rdfs:label "IgM, hyper" .
ex:sjogren a biolink:Disease ; rdfs:label "Sjögren syndrome" .
obo:HP_0000118 a owl:Class ; rdfs:label "Phenotypic abnormality" .
obo:HP_0001875 a owl:Class ; rdfs:subClassOf obo:HP_0011991 ; rdfs:label "Neutropenia" ;
    oio:hasExactSynonym "Low neutrophil count" ; oio:id "HP:0001875" ; oio:hasAlternativeId "HP:0005515" ;
    obo:IAO_0000115 "An abnormally low number of neutrophils in the peripheral blood." .
obo:HP_0011991 a owl:Class ; rdfs:subClassOf obo:HP_0000118 ; rdfs:label "Abnormal neutrophil count" .
obo:HP_0001419 a owl:Class ; rdfs:subClassOf obo:HP_0000005 ; rdfs:label "X-linked recessive inheritance" .
ex:hostile rdfs:label "title:x OR *" .
ex:association-6b36 a biolink:DiseaseToPhenotypicFeatureAssociation ; biolink:subject ex:higm ;
    biolink:object obo:HP_0001875 .
<https://w3id.org/higm-kg/graph/examples#cd40-example> rdfs:label "CD40 example query" .
<https://w3id.org/higm-kg/graph/void#cd40-partition> rdfs:label "CD40 partition" .
"""
NAMED = 13  # every subject above but the association node and the endpoint's descriptions of itself


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, Path]:
    store = Store.open()
    store.engine.load(DATA.encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(EX + "g"))
    folder = tmp_path_factory.mktemp("search") / "search"
    assert search_index.build(store, folder) == NAMED
    return store, folder


def short(iri: str) -> str:
    return iri.removeprefix(EX).removeprefix(OBO)


RANKING = [  # (text, types, the hits expected, in order, as (IRI without its namespace, rank, kind))
    ("CD40", None, [("cd40", 0, "label"), ("tnfrsf5", 0, "synonym"), ("cd40lg", 1, "label"), ("cd40l", 1, "label"),
                    ("paper", 1, "label")]),
    ("ligand", None, [("cd40l", 2, "label")]),
    ("x-linked hyp", None, [("higm", 1, "label")]),
    ("hyper igm", None, [("higm", 2, "label"), ("paper", 2, "label"), ("omim", 2, "label")]),  # in order first
    ("abnormally low", None, [("HP_0001875", 2, "definition")]),
    ("neutrophil count", None, [("HP_0011991", 2, "label"), ("HP_0001875", 2, "synonym")]),
    ("neutropnia", None, [("HP_0001875", 3, "label")]),
    ("hyper igm sindrome", None, [("higm", 3, "label"), ("paper", 3, "label")]),
    ("SJOGREN SYNDROME", None, [("sjogren", 0, "label")]),
    ("sjögren", None, [("sjogren", 1, "label")]),
    ("  Neutropenia\t", None, [("HP_0001875", 0, "label")]),
    ("HP:0001875", None, [("HP_0001875", 0, "curie")]),
    ("hp:0005515", None, [("HP_0001875", 0, "curie")]),
    ("mondo:0010626", None, [("higm", 0, "curie")]),
    ("CD40", {"protein"}, [("tnfrsf5", 0, "synonym"), ("cd40l", 1, "label")]),
    ("CD40", {"gene", "publication"}, [("cd40", 0, "label"), ("cd40lg", 1, "label"), ("paper", 1, "label")]),
    ("x-linked", {"phenotype"}, []),  # an inheritance term of HPO is not a phenotype
    ("neutro", {"phenotype"}, [("HP_0001875", 1, "label"), ("HP_0011991", 2, "label")]),
    ("zzzqqqx", None, []),
    ("HP:0001975", None, []),  # no typos in identifiers
    ("title:x OR *", None, [("hostile", 0, "label")]),  # plain text, never query syntax
    ("title:x", None, [("hostile", 1, "label")]),
    ("*", None, []),
    ('"unclosed (phrase AND', None, []),
    ("cd40~1 OR neutro*", None, []),
    ("a" * 100_000, None, []),
    ("association-6b36", None, []),  # association nodes have no names: not indexed
    ("example query", None, []),  # the example queries and the VoID describe the endpoint, not the domain
    ("partition", None, []),
]


@pytest.mark.parametrize(("text", "types", "expected"), RANKING, ids=[f"{r[0][:30]}-{r[1]}" for r in RANKING])
def test_ranking(index: tuple[Store, Path], text: str, types: set[str] | None,
                 expected: list[tuple[str, int, str]]) -> None:
    hits = Searcher(index[1]).search(text, types=types)
    assert [(short(h.iri), h.rank, h.kind) for h in hits] == expected


def test_a_hit_says_what_it_is(index: tuple[Store, Path]) -> None:
    [hit] = Searcher(index[1]).search("low neutrophil count")
    assert hit.as_json() == {"iri": OBO + "HP_0001875", "curie": "HP:0001875", "label": "Neutropenia",
                             "matched": "Low neutrophil count", "kind": "synonym", "types": ["phenotype"], "rank": 0}
    [higm] = Searcher(index[1]).search("higm1")
    assert (higm.curie, higm.types) == ("MONDO:0010626", ("condition",))


@pytest.mark.parametrize("limit", [1, 2, 3, 100])
def test_limit_keeps_the_order(index: tuple[Store, Path], limit: int) -> None:
    every = Searcher(index[1]).search("cd40", limit=100)
    assert Searcher(index[1]).search("cd40", limit=limit) == every[:limit]


def test_unknown_types_are_refused(index: tuple[Store, Path]) -> None:
    with pytest.raises(ValueError, match="tissue"):
        Searcher(index[1]).search("cd40", types={"tissue"})


def _label(store: Store, subject: str, text: str, *, remove: bool = False) -> None:
    quad = ox.Quad(ox.NamedNode(subject), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal(text),
                   ox.NamedNode(EX + "g"))
    store.apply(Change(removed=frozenset({quad})) if remove else Change(added=frozenset({quad})))


def test_update_follows_writes_and_the_searcher_notices(tmp_path: Path) -> None:
    store = Store.open()
    store.engine.load(DATA.encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(EX + "g"))
    folder = tmp_path / "search"
    search_index.build(store, folder)
    searcher = Searcher(folder)
    assert searcher.search("Waldenström") == []
    _label(store, EX + "new", "Waldenström macroglobulinemia")
    _label(store, EX + "cd40l", "CD40 ligand", remove=True)
    assert search_index.update(store, folder, [EX + "new", EX + "cd40l", "not an IRI", EX + "new"]) == 1
    assert [short(h.iri) for h in searcher.search("waldenstrom")] == ["new"]
    assert "cd40l" not in [short(h.iri) for h in searcher.search("cd40")]
    search_index.build(store, folder)  # a rebuild is one commit too
    assert [short(h.iri) for h in searcher.search("waldenstrom")] == ["new"]


def test_an_index_of_another_schema_is_not_read_and_is_rebuilt(index: tuple[Store, Path], tmp_path: Path) -> None:
    folder = tmp_path / "search"
    search_index.build(index[0], folder)
    (folder / search_index.MARK).write_text(json.dumps({"schema": 0}), encoding="utf-8")
    searcher = Searcher(folder)
    assert not searcher.ready and searcher.search("cd40") == []
    with pytest.raises(FileNotFoundError):
        search_index.update(index[0], folder, [EX + "cd40"])
    search_index.build(index[0], folder)
    assert searcher.ready and searcher.search("cd40")[0].iri == EX + "cd40"


def test_no_index_finds_nothing(tmp_path: Path) -> None:
    searcher = Searcher(tmp_path / "none")
    assert not searcher.ready and searcher.search("cd40") == []
