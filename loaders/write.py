"""Write loaded graphs and their provenance into the store as one change.

A graph whose inputs have the same checksums as at its last load is left as it is, so loading
the same input twice changes nothing. Otherwise the graph is replaced whole, so its blank
nodes never pile up.

Each graph's triples are streamed from its loader into an N-Quads file staged in the store's
directory, counted on the way, and bulk-loaded by the engine; nothing holds a whole graph in
memory. The change (graphs emptied, old metadata removed, new metadata added, files loaded) is
journaled first, so a process killed half-way leaves the store as it was or as it will be.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.change import Change
from kg.store import Store
from kg.terms import triples_to_ox
from ontology import KG, PROV

from .provenance import METADATA_GRAPH, InputFile, LoadRecord, load_iri, metadata_triples


@dataclass(frozen=True)
class GraphLoad:
    """The new content of one named graph, and what it was read from.

    `triples` may be a generator, read once when the graph is written.
    """

    graph: str
    triples: Iterable[ox.Triple]
    loader: str
    inputs: tuple[InputFile, ...]
    title: str | None = None
    version: str | None = None
    sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # what the loader skipped, for the user
    license: str | None = None  # the licence's IRI
    rights: str | None = None  # the attribution the source asks for


@dataclass(frozen=True)
class Outcome:
    """What happened to one graph."""

    graph: str
    triples: int
    unchanged: bool


Progress = Callable[[str, int], None]  # (graph, triples written so far)


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


def _stage(load: GraphLoad, path: Path, progress: Progress | None) -> int:
    """Stream a graph's triples into an N-Quads file; how many there were."""
    graph = ox.NamedNode(load.graph)
    count = 0

    def quads() -> Iterator[ox.Quad]:
        nonlocal count
        for triple in load.triples:
            count += 1
            if progress and count % 100_000 == 0:
                progress(load.graph, count)
            yield ox.Quad(triple.subject, triple.predicate, triple.object, graph)

    ox.serialize(quads(), str(path), format=ox.RdfFormat.N_QUADS)
    return count


def _retracted(store: Store, pending: Sequence[GraphLoad], recorded: dict[str, dict[str, str]]) -> frozenset[ox.Quad]:
    """The metadata of the graphs about to be replaced."""
    meta = str(METADATA_GRAPH)
    return frozenset(
        quad
        for load in pending
        for subject in (load.graph, str(load_iri(load.graph)), *recorded[load.graph])
        for quad in store.subject_quads(meta, subject)
    )


def write(store: Store, loads: Sequence[GraphLoad], *, force: bool = False,
          progress: Progress | None = None) -> list[Outcome]:
    """Replace each changed graph and its metadata, all as one journaled change."""
    started = datetime.datetime.now(datetime.UTC)
    recorded = {load.graph: recorded_inputs(store, load.graph) for load in loads}
    pending = [load for load in loads if force or not is_current(store, load, recorded[load.graph])]
    counts: dict[str, int] = {}
    with store.staging() as folder:
        files = []
        for index, load in enumerate(pending):
            files.append(folder / f"{index}.nq")
            counts[load.graph] = _stage(load, files[-1], progress)
        ended = datetime.datetime.now(datetime.UTC)
        records = [
            LoadRecord(graph=load.graph, loader=load.loader, inputs=load.inputs, triples=counts[load.graph],
                       started=started, ended=ended, title=load.title, version=load.version,
                       sources=load.sources, license=load.license, rights=load.rights)
            for load in pending
        ]
        metadata = triples_to_ox({t for record in records for t in metadata_triples(record)})
        graph = ox.NamedNode(str(METADATA_GRAPH))
        store.apply(Change(
            cleared=frozenset(load.graph for load in pending),
            removed=_retracted(store, pending, recorded),
            added=frozenset(ox.Quad(t.subject, t.predicate, t.object, graph) for t in metadata),
            added_files=tuple(str(path) for path in files),
        ))
    return [Outcome(load.graph, counts.get(load.graph, _size(load)), unchanged=load.graph not in counts)
            for load in loads]


def _size(load: GraphLoad) -> int:
    """The size of a graph left unchanged, where the loader knows it without reading."""
    return len(load.triples) if isinstance(load.triples, Sequence) else 0
