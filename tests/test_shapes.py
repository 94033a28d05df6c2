"""SHACL: the default graph conforms, and the shapes catch what they are there to catch."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

from kg.store import Store
from ontology import DCTERMS, KG, RDF, RDFS, XSD
from ontology.validation import validate

MONDO = URIRef("http://purl.obolibrary.org/obo/MONDO_0010626")
PUB = URIRef("https://doi.org/10.1042/bst0300815")
LEVEL = URIRef("https://w3id.org/higm-kg/id/antibody-level/x-linked-hyper-igm-syndrome/igm")


@pytest.fixture(scope="module")
def data(default_store: Store) -> Graph:
    return Graph().parse(data=default_store.serialize(ox.RdfFormat.N_TRIPLES), format="nt")


def test_default_graph_conforms(data: Graph) -> None:
    report = validate(data)
    assert report.violations == ()
    assert report.conforms


BREAKAGES = [
    ("external condition without identifier", [], [(MONDO, DCTERMS.identifier, None)], MONDO, None),
    ("condition with two labels", [(MONDO, RDFS.label, Literal("another"))], [], MONDO, RDFS.label),
    ("publication without DOI or PMID", [], [(PUB, KG.doi, None)], PUB, None),
    ("frequency numerator not an integer",
     [(URIRef("https://w3id.org/higm-kg/id/frequency/x-linked-hyper-igm-syndrome"), KG.numerator, Literal("two"))],
     [(URIRef("https://w3id.org/higm-kg/id/frequency/x-linked-hyper-igm-syndrome"), KG.numerator, None)],
     URIRef("https://w3id.org/higm-kg/id/frequency/x-linked-hyper-igm-syndrome"), KG.numerator),
    ("antibody level pointing at a gene",
     [(LEVEL, KG.antibodyClass, URIRef("https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/11935"))],
     [(LEVEL, KG.antibodyClass, None)], LEVEL, KG.antibodyClass),
    ("gene typed but unlabelled", [(URIRef("http://example.org/g"), RDF.type, KG.Gene),
                                   (URIRef("http://example.org/g"), DCTERMS.identifier, Literal("hgnc:1", datatype=XSD.string)),
                                   (URIRef("http://example.org/g"), KG.symbol, Literal("G"))],
     [], URIRef("http://example.org/g"), RDFS.label),
]


@pytest.mark.parametrize(("case", "add", "remove", "focus", "path"), BREAKAGES, ids=[b[0] for b in BREAKAGES])
def test_shapes_catch(data: Graph, case: str, add: list, remove: list, focus: URIRef, path: URIRef | None) -> None:
    broken = Graph()
    for triple in data:
        broken.add(triple)
    for pattern in remove:
        broken.remove(pattern)
    for triple in add:
        broken.add(triple)
    report = validate(broken)
    assert not report.conforms, case
    assert any(v.focus == str(focus) and (path is None or v.path == str(path)) for v in report.violations)
