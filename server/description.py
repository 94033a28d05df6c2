"""The SPARQL Service Description and the VoID description of the dataset, built as RDF."""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg.store import Store
from ontology import GRAPH, RDF, SD, VOID, XSD

from .negotiation import GRAPH_FORMATS, RESULT_FORMATS

Triple = tuple[Node, Node, Node]
DATASET = GRAPH["dataset"]


def _count(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


def _number(store: Store, select: str) -> int:
    [row] = list(store.query(select))
    return int(row["n"].value)


def void_triples(store: Store, dataset: URIRef = DATASET) -> Iterator[Triple]:
    """VoID statistics of the default dataset (the union graph) and of each named graph."""
    yield dataset, RDF.type, VOID.Dataset
    yield dataset, VOID.triples, _count(_number(store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"))
    yield dataset, VOID.entities, _count(_number(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o FILTER(isIRI(?s)) }"))
    yield dataset, VOID.distinctSubjects, _count(_number(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"))
    yield dataset, VOID.distinctObjects, _count(_number(store, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }"))
    classes = store.class_counts()
    yield dataset, VOID.classes, _count(len(classes))
    for index, (cls, count) in enumerate(classes.items()):
        part = URIRef(f"{dataset}#class-{index}")
        yield dataset, VOID.classPartition, part
        yield part, VOID["class"], URIRef(cls)
        yield part, VOID.entities, _count(count)
    properties = {row["p"].value: int(row["n"].value) for row in store.query(
        "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY DESC(?n) ?p")}
    yield dataset, VOID.properties, _count(len(properties))
    for index, (prop, count) in enumerate(properties.items()):
        part = URIRef(f"{dataset}#property-{index}")
        yield dataset, VOID.propertyPartition, part
        yield part, VOID.property, URIRef(prop)
        yield part, VOID.triples, _count(count)
    for graph, size in store.graph_sizes().items():
        yield dataset, VOID.subset, URIRef(graph)
        yield URIRef(graph), RDF.type, VOID.Dataset
        yield URIRef(graph), VOID.triples, _count(size)


def service_triples(store: Store, endpoint: str, *, updates: bool) -> Iterator[Triple]:
    """The Service Description of the endpoint at the URL it was asked at."""
    service, default_dataset, default_graph = BNode(), BNode(), BNode()
    yield service, RDF.type, SD.Service
    yield service, SD.endpoint, URIRef(endpoint)
    yield service, SD.supportedLanguage, SD.SPARQL11Query
    if updates:
        yield service, SD.supportedLanguage, SD.SPARQL11Update
    yield service, SD.feature, SD.UnionDefaultGraph
    for fmt in (*RESULT_FORMATS, *GRAPH_FORMATS):
        yield service, SD.resultFormat, URIRef(fmt.iri)
    yield service, SD.defaultDataset, default_dataset
    yield default_dataset, RDF.type, SD.Dataset
    yield default_dataset, SD.defaultGraph, default_graph
    yield default_graph, RDF.type, SD.Graph
    yield default_graph, VOID.inDataset, DATASET
    for graph, size in store.graph_sizes().items():
        named, description = BNode(), BNode()
        yield default_dataset, SD.namedGraph, named
        yield named, RDF.type, SD.NamedGraph
        yield named, SD.name, URIRef(graph)
        yield named, SD.graph, description
        yield description, RDF.type, SD.Graph
        yield description, VOID.triples, _count(size)
    yield from void_triples(store)
