"""Write loaded graphs and their provenance into the store in one transaction.

A graph whose inputs have the same checksums as at its last load is left as it is, so loading
the same input twice changes nothing. Otherwise the graph is replaced whole, so its blank
nodes never pile up.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from kg.change import Change
from kg.store import Store
from kg.terms import triples_to_ox
from ontology import KG, PROV

from .provenance import METADATA_GRAPH, InputFile, LoadRecord, load_iri, metadata_triples


@dataclass(frozen=True)
class GraphLoad:
    """The new content of one named graph, and what it was read from."""

    graph: str
    triples: Sequence[ox.Triple]
    loader: str
    inputs: tuple[InputFile, ...]
    title: str | None = None
    version: str | None = None
    sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # what the loader skipped, for the user


@dataclass(frozen=True)
class Outcome:
    """What happened to one graph."""

    graph: str
    triples: int
    unchanged: bool


def recorded_inputs(store: Store, graph: str) -> dict[str, str]:
    """Input node IRI → SHA-256 of the inputs of the last load of `graph`."""
    rows = store.query(
        f"SELECT ?input ?sha WHERE {{ GRAPH {METADATA_GRAPH.n3()} {{ "
        f"{load_iri(graph).n3()} {PROV.used.n3()} ?input . ?input {KG.sha256.n3()} ?sha }} }}"
    )
    return {row["input"].value: row["sha"].value for row in rows}


def is_current(store: Store, load: GraphLoad, recorded: dict[str, str]) -> bool:
    same = sorted(recorded.values()) == sorted(f.sha256 for f in load.inputs)
    return same and store.has_graph(load.graph)


def write(store: Store, loads: Sequence[GraphLoad], *, force: bool = False) -> list[Outcome]:
    """Replace each changed graph and its metadata, all in one atomic change."""
    started = datetime.datetime.now(datetime.UTC)
    recorded = {load.graph: recorded_inputs(store, load.graph) for load in loads}
    pending = [load for load in loads if force or not is_current(store, load, recorded[load.graph])]
    ended = datetime.datetime.now(datetime.UTC)
    meta = str(METADATA_GRAPH)
    retracted = {
        quad
        for load in pending
        for subject in (load.graph, str(load_iri(load.graph)), *recorded[load.graph])
        for quad in store.subject_quads(meta, subject)
    }
    records = [
        LoadRecord(
            graph=load.graph, loader=load.loader, inputs=load.inputs, triples=len(load.triples),
            started=started, ended=ended, title=load.title, version=load.version,
            sources=load.sources,
        )
        for load in pending
    ]
    metadata = triples_to_ox({t for record in records for t in metadata_triples(record)})
    graph = ox.NamedNode(meta)
    store.apply(Change(
        cleared=frozenset(load.graph for load in pending),
        removed=frozenset(retracted),
        added=frozenset(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(load.graph))
                        for load in pending for t in load.triples)
        | frozenset(ox.Quad(t.subject, t.predicate, t.object, graph) for t in metadata),
    ))
    written = {id(load) for load in pending}
    return [Outcome(load.graph, len(load.triples), unchanged=id(load) not in written) for load in loads]
