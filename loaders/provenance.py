"""PROV-O and Dublin Core descriptions of every load, kept in the metadata graph.

For each named graph the metadata graph says what was read (file name and SHA-256), by which
loader and version, when, from which sources, and how many triples it holds.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.term import Node

from kg import __version__
from ontology import BASE, DCTERMS, GRAPH, ID, KG, PROV, RDF, RDFS, SCHEMA, VOID, XSD

AGENT = ID["agent/kg-loader"]

Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class InputFile:
    """One file a load read, by name and checksum."""

    name: str
    sha256: str

    @classmethod
    def of(cls, path: Path, data: bytes) -> InputFile:
        return cls(path.name, hashlib.sha256(data).hexdigest())


@dataclass(frozen=True)
class LoadRecord:
    """What one load did, for the metadata graph."""

    graph: str
    loader: str
    inputs: tuple[InputFile, ...]
    triples: int
    started: datetime.datetime
    ended: datetime.datetime
    title: str | None = None
    version: str | None = None
    sources: tuple[str, ...] = ()
    license: str | None = None
    rights: str | None = None


def slug(graph: str) -> str:
    """A readable, stable path segment for a graph: its path in our namespace, or a hash."""
    if graph.startswith(str(GRAPH)):
        return graph[len(str(GRAPH)):]
    return "external/" + hashlib.sha256(graph.encode()).hexdigest()[:16]


def load_iri(graph: str) -> URIRef:
    return ID[f"load/{slug(graph)}"]


def input_iri(graph: str, index: int) -> URIRef:
    return ID[f"load/{slug(graph)}/input/{index}"]


def timestamp(moment: datetime.datetime) -> Literal:
    return Literal(moment.isoformat(timespec="seconds"), datatype=XSD.dateTime)


def metadata_triples(record: LoadRecord) -> Iterator[Triple]:
    """The description of one load and of the graph it wrote."""
    graph, load = URIRef(record.graph), load_iri(record.graph)
    yield graph, RDF.type, VOID.Dataset
    yield graph, RDF.type, PROV.Entity
    yield graph, VOID.triples, Literal(record.triples, datatype=XSD.integer)
    yield graph, PROV.wasGeneratedBy, load
    yield graph, DCTERMS.modified, timestamp(record.ended)
    if record.title:
        yield graph, DCTERMS.title, Literal(record.title)
    if record.version:
        yield graph, SCHEMA.version, Literal(record.version)
    for source in record.sources:
        yield graph, PROV.wasDerivedFrom, URIRef(source)
    if record.license:
        yield graph, DCTERMS.license, URIRef(record.license)
    if record.rights:
        yield graph, DCTERMS.rights, Literal(record.rights)
    yield load, RDF.type, KG.Load
    yield load, RDFS.label, Literal(f"{record.loader} load of {slug(record.graph)}")
    yield load, PROV.startedAtTime, timestamp(record.started)
    yield load, PROV.endedAtTime, timestamp(record.ended)
    yield load, PROV.wasAssociatedWith, AGENT
    yield load, KG.tripleCount, Literal(record.triples, datatype=XSD.integer)
    for index, file in enumerate(record.inputs, start=1):
        node = input_iri(record.graph, index)
        yield load, PROV.used, node
        yield node, RDF.type, PROV.Entity
        yield node, DCTERMS.title, Literal(file.name)
        yield node, KG.sha256, Literal(file.sha256)
    yield AGENT, RDF.type, PROV.SoftwareAgent
    yield AGENT, RDFS.label, Literal("kg loader")
    yield AGENT, SCHEMA.version, Literal(__version__)
    yield AGENT, SCHEMA.url, URIRef(BASE)
