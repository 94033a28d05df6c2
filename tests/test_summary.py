"""The summary an entity page leads with, per type; association nodes named by what they state;
repeated rows merged; releases named. On the curated graph with a slice of HPO's shape added
(and on the full release, marked full_release)."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from kg.store import Store
from loaders.build import build
from server.names import Association, Node, Release, display_curie, names
from server.summary import kind_of, summarize
from server.tables import merge_rows

MONDO = "http://purl.obolibrary.org/obo/MONDO_0010626"
CD40LG = "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/11935"
NCBI_959 = "https://www.ncbi.nlm.nih.gov/gene/959"
OMIM = "https://omim.org/MIM:308230"
IGA = "http://purl.obolibrary.org/obo/HP_0002720"
NEUTROPENIA = "http://purl.obolibrary.org/obo/HP_0001875"
XLR = "http://purl.obolibrary.org/obo/HP_0001419"
ANNOTATION = "https://w3id.org/higm-kg/id/hpo-annotation/test-neutropenia"
GENE_ANNOTATION = "https://w3id.org/higm-kg/id/hpo-gene-annotation/test-neutropenia"
HPO_ANNOTATIONS = "https://w3id.org/higm-kg/graph/hpo-annotations"
HPO_GENES = "https://w3id.org/higm-kg/graph/hpo-genes"

# A slice of what the HPO loader writes, with its metadata: enough to meet every kind of node.
HPO_SLICE = f"""
@prefix biolink: <https://w3id.org/biolink/vocab/> .
@prefix kg: <https://w3id.org/higm-kg/vocab#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{HPO_ANNOTATIONS}> {{
  <{OMIM}> a biolink:Disease ; rdfs:label "Immunodeficiency, X-linked, with hyper-IgM" .
  <{ANNOTATION}> a biolink:DiseaseToPhenotypicFeatureAssociation ; biolink:subject <{OMIM}> ;
    biolink:predicate biolink:has_phenotype ; biolink:object <{NEUTROPENIA}> ; kg:evidenceCode "PCS" ; kg:aspect "P" ;
    biolink:has_count "39"^^xsd:integer ; biolink:has_total "61"^^xsd:integer ;
    biolink:publications <https://pubmed.ncbi.nlm.nih.gov/10228294>, <https://pubmed.ncbi.nlm.nih.gov/9255191> .
  <https://w3id.org/higm-kg/id/hpo-annotation/test-inheritance> a biolink:DiseaseToPhenotypicFeatureAssociation ;
    biolink:subject <{OMIM}> ; biolink:object <{XLR}> ; kg:evidenceCode "TAS" ; kg:aspect "I" .
  <https://w3id.org/higm-kg/id/hpo-annotation/test-iga> a biolink:DiseaseToPhenotypicFeatureAssociation ;
    biolink:subject <{OMIM}> ; biolink:object <{IGA}> ; kg:evidenceCode "TAS" ; kg:aspect "P" ; biolink:negated true .
}}
<{HPO_GENES}> {{
  <{NCBI_959}> a biolink:Gene ; rdfs:label "CD40LG" .
  <{GENE_ANNOTATION}> a biolink:GeneToPhenotypicFeatureAssociation ; biolink:subject <{NCBI_959}> ;
    biolink:object <{NEUTROPENIA}> ; biolink:disease_context_qualifier <{OMIM}> .
}}
<https://w3id.org/higm-kg/graph/metadata> {{
  <{HPO_ANNOTATIONS}> a <http://rdfs.org/ns/void#Dataset> ;
    <http://purl.org/dc/terms/title> "HPO disease annotations, release 2025-01-16" ; <https://schema.org/version> "2025-01-16" .
  <{HPO_GENES}> a <http://rdfs.org/ns/void#Dataset> ;
    <http://purl.org/dc/terms/title> "HPO gene annotations, release 2025-01-16" ; <https://schema.org/version> "2025-01-16" .
}}
"""


@pytest.fixture(scope="module")
def store() -> Iterator[Store]:
    """The curated graph and the HPO slice, in memory."""
    built = Store.open()
    build(built, with_hpo=False)
    built.engine.load(HPO_SLICE.encode(), format=ox.RdfFormat.TRIG)
    yield built


def texts(summary: object, key: str) -> list[str]:
    field = summary.field(key)  # type: ignore[attr-defined]
    return [] if field is None else [value.text for value in field.values]


SUMMARIES = [  # (IRI, kind, field, the texts it lists (in order), its count or None)
    (MONDO, "condition", "genes", ["CD40LG"], None),  # NCBI Gene 959 is the same gene: listed once
    (MONDO, "condition", "inheritance", ["X-linked recessive inheritance"], None),
    (MONDO, "condition", "frequency", ["an estimated 2 per 1,000,000 newborn boys"], None),
    (MONDO, "condition", "annotations", [], 3),  # HPO's annotations of its exact match, OMIM:308230
    (OMIM, "condition", "genes", ["CD40LG"], None),
    (OMIM, "condition", "inheritance", ["X-linked recessive inheritance"], None),  # from HPO's aspect I
    (CD40LG, "gene", "protein", ["CD40 ligand"], None),
    (CD40LG, "gene", "conditions", ["X-linked hyper IgM syndrome"], None),
    (CD40LG, "gene", "location", ["X", "Xq26.3"], None),
    (CD40LG, "gene", "phenotypes", [], 1),  # through its exact match NCBI Gene 959
    (NCBI_959, "gene", "conditions", ["X-linked hyper IgM syndrome"], None),
    (NEUTROPENIA, "phenotype", "diseases", [], 2),  # HIGM1 (curated) and OMIM:308230 (HPO)
    (NEUTROPENIA, "phenotype", "genes", [], 1),
    (IGA, "phenotype", "diseases", [], 2),
    (ANNOTATION, "association", "object", ["Neutropenia"], None),
    (ANNOTATION, "association", "frequency", ["39/61"], None),
    (ANNOTATION, "association", "references", ["PMID:9255191", "PMID:10228294"], None),
    (GENE_ANNOTATION, "association", "context", ["Immunodeficiency, X-linked, with hyper-IgM"], None),
]


@pytest.mark.parametrize(("iri", "kind", "key", "listed", "count"), SUMMARIES,
                         ids=[f"{s[1]}-{s[2]}-{s[0].rsplit('/', 1)[-1]}" for s in SUMMARIES])
def test_summary_fields(store: Store, iri: str, kind: str, key: str, listed: list[str], count: int | None) -> None:
    summary = summarize(store, iri)
    assert summary is not None and summary.kind == kind
    assert texts(summary, key) == listed
    field = summary.field(key)
    assert field is not None and field.count == count


def test_condition_summary_lists_names_and_identifiers(store: Store) -> None:
    summary = summarize(store, MONDO)
    assert summary is not None
    assert {"HIGM1", "Hyper-IgM syndrome 1", "Immunodeficiency, X-linked, with hyper-IgM"} <= set(texts(summary, "names"))
    assert {"MONDO:0010626", "OMIM:308230", "ORPHA:101088"} <= set(texts(summary, "identifiers")) | {
        v.curie for v in summary.field("identifiers").values}  # type: ignore[union-attr]


@pytest.mark.parametrize(("iri", "releases"), [
    (MONDO, {"HPO disease annotations, release 2025-01-16"}),
    (CD40LG, {"HPO gene annotations, release 2025-01-16"}),
    (ANNOTATION, {"HPO disease annotations, release 2025-01-16"}),
])
def test_summaries_name_the_releases_of_their_facts(store: Store, iri: str, releases: set[str]) -> None:
    summary = summarize(store, iri)
    assert summary is not None
    assert releases <= {release.name for release in summary.sources}
    as_json = summary.as_json()
    assert as_json["iri"] == iri and releases <= {source["name"] for source in as_json["sources"]}
    assert all("sources" in field for field in as_json["fields"].values())


def test_association_summary_says_what_it_states(store: Store) -> None:
    summary = summarize(store, ANNOTATION)
    assert summary is not None
    assert summary.statement == "HPO: Immunodeficiency, X-linked, with hyper-IgM → Neutropenia, 39/61, PCS, PMID:9255191, PMID:10228294"
    assert summary.as_json()["statement"] == summary.statement


def test_a_reified_statement_is_said_in_words(store: Store) -> None:
    [row] = store.query(f"SELECT ?s WHERE {{ ?s <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> <{CD40LG}> ; "
                        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> <https://w3id.org/higm-kg/vocab#encodes> }")
    summary = summarize(store, row["s"].value)
    assert summary is not None and summary.kind == "association"
    assert summary.statement == "CD40LG encodes CD40 ligand"


@pytest.mark.parametrize(("iri", "kind"), [
    ("http://purl.uniprot.org/uniprot/P29965", None),  # a protein: no summary of its own
    ("http://example.org/nothing", None),
])
def test_entities_without_a_summary(store: Store, iri: str, kind: str | None) -> None:
    assert summarize(store, iri) is None


NAMED = [  # (IRI, seen from, the words)
    (ANNOTATION, OMIM, "HPO: Neutropenia, 39/61, PCS, PMID:9255191, PMID:10228294"),
    (ANNOTATION, NEUTROPENIA, "HPO: Immunodeficiency, X-linked, with hyper-IgM, 39/61, PCS, PMID:9255191, PMID:10228294"),
    ("https://w3id.org/higm-kg/id/hpo-annotation/test-iga", OMIM, "HPO: not Decreased circulating IgA concentration, TAS"),
    ("https://w3id.org/higm-kg/id/hpo-annotation/test-iga", IGA, "HPO: Immunodeficiency, X-linked, with hyper-IgM (not), TAS"),
    (GENE_ANNOTATION, NCBI_959, "HPO: Neutropenia, in Immunodeficiency, X-linked, with hyper-IgM"),
    (GENE_ANNOTATION, OMIM, "HPO: CD40LG → Neutropenia"),
    (NEUTROPENIA, None, "Neutropenia"),  # a label is a name
]


@pytest.mark.parametrize(("iri", "seen_from", "words"), NAMED)
def test_association_nodes_are_named_by_their_meaning(store: Store, iri: str, seen_from: str | None, words: str) -> None:
    assert names(store, [iri], seen_from=seen_from) == {iri: words}


WORDS = [  # (an association's parts, seen from, the words)
    ({"subject": "s", "object": "o", "frequency": "HP:f", "evidence": "IEA", "references": [f"r{i}" for i in range(5)]},
     None, "HPO: S → O, very frequent, IEA, r0, r1, r2, +2 more"),
    ({"subject": "s", "object": "o", "negated": True}, "s", "HPO: not O"),
    ({"subject": "s", "object": "o", "context": "s"}, "s", "HPO: O"),  # the context is the page's own entity
    ({"subject": "s", "object": "o", "frequency": "12%"}, "o", "HPO: S, 12%"),
]


@pytest.mark.parametrize(("parts", "seen_from", "words"), WORDS)
def test_words_of_an_association(parts: dict[str, object], seen_from: str | None, words: str) -> None:
    association = Association("a", "https://w3id.org/biolink/vocab/DiseaseToPhenotypicFeatureAssociation", source="HPO",
                              **parts)  # type: ignore[arg-type]
    labels = {"s": "S", "o": "O", "HP:f": "very frequent"}
    assert association.words(labels, seen_from) == words


@pytest.mark.parametrize(("title", "version", "name", "short", "label"), [
    ("HPO disease annotations, release 2025-01-16", "2025-01-16", "HPO disease annotations, release 2025-01-16", "HPO",
     "HPO 2025-01-16"),
    ("Curated facts of HIGM1", "2026-11-23", "Curated facts of HIGM1, version 2026-11-23", "Curated facts",
     "Curated facts 2026-11-23"),
    ("Human Phenotype Ontology, release 2025-01-16", "2025-01-16", "Human Phenotype Ontology, release 2025-01-16",
     "Human Phenotype Ontology", "Human Phenotype Ontology 2025-01-16"),
    ("higm.ttl", None, "higm.ttl", "higm.ttl", "higm.ttl"),
])
def test_release_names(title: str, version: str | None, name: str, short: str, label: str) -> None:
    release = Release("https://w3id.org/higm-kg/graph/g", title, version)
    assert (release.name, release.short, release.label) == (name, short, label)


@pytest.mark.parametrize(("iri", "curie"), [
    ("https://pubmed.ncbi.nlm.nih.gov/9255191", "PMID:9255191"),
    ("https://omim.org/MIM:308230", "OMIM:308230"),
    ("http://purl.obolibrary.org/obo/HP_0001875", "HP:0001875"),
    ("http://example.org/x", None),
])
def test_curies_as_readers_write_them(iri: str, curie: str | None) -> None:
    assert display_curie(iri) == curie


def literal(value: str) -> Node:
    return Node("literal", value)


def cells(rows: list[tuple[tuple[Node | None, ...], ...]]) -> list[list[list[str | None]]]:
    return [[[None if n is None else n.value for n in cell] for cell in row] for row in rows]


MERGES = [  # (rows, merged)
    ([["Neutropenia", "39/61", "PMID:1"], ["Neutropenia", "39/61", "PMID:2"], ["Neutropenia", "39/61", "PMID:1"],
      ["Neutropenia", "39/61", "PMID:2"]], [[["Neutropenia"], ["39/61"], ["PMID:1", "PMID:2"]]]),  # four rows, one fact
    ([["a", "x"], ["b", "y"]], [[["a"], ["x"]], [["b"], ["y"]]]),  # nothing in common: unchanged
    ([["a", "x"], ["a", "y"], ["b", "x"], ["b", "y"]], [[["a", "b"], ["x", "y"]]]),  # a full cross product: one row
    ([["a", "x"], ["a", "y"], ["b", "x"]], [[["a"], ["x", "y"]], [["b"], ["x"]]]),  # not one: kept apart
    ([["a", None], ["a", "x"]], [[["a"], [None, "x"]]]),
    ([], []),
]


@pytest.mark.parametrize(("rows", "merged"), MERGES)
def test_repeated_rows_are_merged(rows: list[list[str | None]], merged: list[list[list[str | None]]]) -> None:
    nodes = [[None if value is None else literal(value) for value in row] for row in rows]
    assert cells(merge_rows(nodes)) == merged


@pytest.mark.parametrize(("iri", "types", "kind"), [
    (MONDO, {"https://w3id.org/higm-kg/vocab#Condition"}, "condition"),
    (OMIM, {"https://w3id.org/biolink/vocab/Disease"}, "condition"),
    (NCBI_959, {"https://w3id.org/biolink/vocab/Gene", "https://w3id.org/higm-kg/vocab#SourceDocument"}, "gene"),
    (NEUTROPENIA, {"http://www.w3.org/2002/07/owl#Class"}, "phenotype"),  # an HPO term
    (NEUTROPENIA, set(), None),  # the graph does not know it
    (ANNOTATION, {"https://w3id.org/biolink/vocab/DiseaseToPhenotypicFeatureAssociation"}, "association"),
    ("http://purl.uniprot.org/uniprot/P29965", {"https://w3id.org/higm-kg/vocab#Protein"}, None),
])
def test_kind_of(iri: str, types: set[str], kind: str | None) -> None:
    assert kind_of(iri, types) == kind


@pytest.mark.full_release
@pytest.mark.parametrize(("iri", "key", "expected"), [
    (MONDO, "genes", ["CD40LG"]),
    ("https://w3id.org/higm-kg/id/hpo-annotation/3ce1ffc54ace8a68f5db", "references", ["PMID:9255191", "PMID:10228294"]),
])
def test_summaries_on_the_full_release(full_store: Store, iri: str, key: str, expected: list[str]) -> None:
    summary = summarize(full_store, iri)
    assert summary is not None and texts(summary, key) == expected
    assert any(release.version == "2025-01-16" for release in summary.sources) or key == "genes"


@pytest.mark.full_release
def test_the_association_of_the_issue_is_named_as_it_asks(full_store: Store) -> None:
    iri = "https://w3id.org/higm-kg/id/hpo-annotation/3ce1ffc54ace8a68f5db"
    assert names(full_store, [iri], seen_from=OMIM) == {iri: "HPO: Neutropenia, 39/61, PCS, PMID:9255191, PMID:10228294"}
