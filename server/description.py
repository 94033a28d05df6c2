"""The SPARQL Service Description and the VoID description of the dataset, built as RDF.

Statistics are computed in a worker, once per version of the store (see `cache.PerVersion`),
so a description request costs a few queries only after a change.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg.store import Store
from ontology import DCTERMS, GRAPH, PROV, RDF, SCHEMA, SD, VOID, XSD

from .negotiation import GRAPH_FORMATS, RESULT_FORMATS

Triple = tuple[Node, Node, Node]
DATASET = GRAPH["dataset"]
# What the metadata graph says of a named graph that belongs in its VoID description too.
ABOUT = (DCTERMS.title, SCHEMA.version, DCTERMS.license, DCTERMS.rights, PROV.wasDerivedFrom, DCTERMS.modified)
ABOUT_QUERY = f"""SELECT ?graph ?p ?o WHERE {{
  GRAPH <{GRAPH["metadata"]}> {{ ?graph a <{VOID.Dataset}> ; ?p ?o }}
  VALUES ?p {{ {" ".join(f"<{p}>" for p in ABOUT)} }}
}} ORDER BY ?graph ?p ?o"""


def _count(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


def _number(store: Store, select: str) -> int:
    [row] = list(store.query(select))
    return int(row["n"].value)


@dataclass(frozen=True)
class Statistics:
    """VoID's numbers for the union graph, and the size of each named graph."""

    triples: int
    entities: int
    distinct_subjects: int
    distinct_objects: int
    classes: dict[str, int]
    properties: dict[str, int]
    graphs: dict[str, int]
    about: dict[str, tuple[Triple, ...]]  # each named graph's title, version, licence, rights, sources

    @classmethod
    def of(cls, store: Store) -> Statistics:
        """The store's statistics; a few aggregate queries."""
        return cls(
            triples=_number(store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"),
            entities=_number(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o FILTER(isIRI(?s)) }"),
            distinct_subjects=_number(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"),
            distinct_objects=_number(store, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }"),
            classes=store.class_counts(),
            properties={row["p"].value: int(row["n"].value) for row in store.query(
                "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY DESC(?n) ?p")},
            graphs=store.graph_sizes(),
            about=_about(store),
        )


def _term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    return URIRef(term.value) if isinstance(term, ox.NamedNode) else BNode(term.value)


def _about(store: Store) -> dict[str, tuple[Triple, ...]]:
    found: dict[str, list[Triple]] = {}
    for row in store.query(ABOUT_QUERY):
        graph = row["graph"].value
        found.setdefault(graph, []).append((URIRef(graph), URIRef(row["p"].value), _term(row["o"])))
    return {graph: tuple(triples) for graph, triples in found.items()}


def statistics(store: Store) -> Statistics:
    """`Statistics.of`, as a function a worker can be asked to call."""
    return Statistics.of(store)


def void_triples(stats: Statistics, *, endpoint: str | None = None, dumps: Sequence[str] = (),
                 graph_dumps: Mapping[str, str] | None = None, dataset: URIRef = DATASET) -> Iterator[Triple]:
    """VoID statistics of the default dataset (the union graph) and of each named graph, with
    the dumps that are ready: of the whole (`dumps`) and of each graph (`graph_dumps`)."""
    graph_dumps = graph_dumps or {}
    yield dataset, RDF.type, VOID.Dataset
    if endpoint:
        yield dataset, VOID.sparqlEndpoint, URIRef(endpoint)
    for dump in dumps:
        yield dataset, VOID.dataDump, URIRef(dump)
    yield dataset, VOID.triples, _count(stats.triples)
    yield dataset, VOID.entities, _count(stats.entities)
    yield dataset, VOID.distinctSubjects, _count(stats.distinct_subjects)
    yield dataset, VOID.distinctObjects, _count(stats.distinct_objects)
    yield dataset, VOID.classes, _count(len(stats.classes))
    for index, (cls, count) in enumerate(stats.classes.items()):
        part = URIRef(f"{dataset}#class-{index}")
        yield dataset, VOID.classPartition, part
        yield part, VOID["class"], URIRef(cls)
        yield part, VOID.entities, _count(count)
    yield dataset, VOID.properties, _count(len(stats.properties))
    for index, (prop, count) in enumerate(stats.properties.items()):
        part = URIRef(f"{dataset}#property-{index}")
        yield dataset, VOID.propertyPartition, part
        yield part, VOID.property, URIRef(prop)
        yield part, VOID.triples, _count(count)
    for graph, size in stats.graphs.items():
        yield dataset, VOID.subset, URIRef(graph)
        yield URIRef(graph), RDF.type, VOID.Dataset
        yield URIRef(graph), VOID.triples, _count(size)
        if graph in graph_dumps:
            yield URIRef(graph), VOID.dataDump, URIRef(graph_dumps[graph])
        yield from stats.about.get(graph, ())


def service_triples(stats: Statistics, endpoint: str, *, updates: bool, federation: bool) -> Iterator[Triple]:
    """The Service Description of the endpoint at the URL it was asked at."""
    service, default_dataset, default_graph = BNode(), BNode(), BNode()
    yield service, RDF.type, SD.Service
    yield service, SD.endpoint, URIRef(endpoint)
    yield service, SD.supportedLanguage, SD.SPARQL11Query
    if updates:
        yield service, SD.supportedLanguage, SD.SPARQL11Update
    yield service, SD.feature, SD.UnionDefaultGraph
    if federation:
        yield service, SD.feature, SD.BasicFederatedQuery
    for fmt in (*RESULT_FORMATS, *GRAPH_FORMATS):
        yield service, SD.resultFormat, URIRef(fmt.iri)
    yield service, SD.defaultDataset, default_dataset
    yield default_dataset, RDF.type, SD.Dataset
    yield default_dataset, SD.defaultGraph, default_graph
    yield default_graph, RDF.type, SD.Graph
    yield default_graph, VOID.inDataset, DATASET
    for graph, size in stats.graphs.items():
        named, description = BNode(), BNode()
        yield default_dataset, SD.namedGraph, named
        yield named, RDF.type, SD.NamedGraph
        yield named, SD.name, URIRef(graph)
        yield named, SD.graph, description
        yield description, RDF.type, SD.Graph
        yield description, VOID.triples, _count(size)
    yield from void_triples(stats, endpoint=endpoint)
