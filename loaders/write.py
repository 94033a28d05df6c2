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
from typing import Any

import pyoxigraph as ox

from kg.change import Change
from kg.store import Store
from kg.terms import triples_to_ox
from ontology import KG, METADATA_GRAPH, PROV

from .provenance import InputFile, LoadRecord, load_iri, metadata_triples


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
    report: dict[str, Any] | None = None  # what the loader read and did not, for `kg load --report`
    license: str | None = None  # the licence's IRI
    rights: str | None = None  # the attribution the source asks for


@dataclass(frozen=True)
class Outcome:
    """What happened to one graph."""

    graph: str
    triples: int
    unchanged: bool


@dataclass(frozen=True)
class Notice:
    """What a loader has to say that is not a graph (records of kinds it skipped, say)."""

    notes: tuple[str, ...] = ()
    report: dict[str, Any] | None = None


Progress = Callable[[str, int], None]  # (graph, triples staged so far); then (STORE, quads) as the store is written
STORE = "store"  # the stage of a write after every graph is staged: the engine loading them
CHUNK_QUADS = 50_000  # quads per bulk load: bounds the engine's memory during a load


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


def _stage(load: GraphLoad, record: Callable[[int], LoadRecord], path: Path, progress: Progress | None) -> int:
    """Stream a graph's triples, then its metadata, into an N-Quads file; how many triples it has."""
    graph, meta = ox.NamedNode(load.graph), ox.NamedNode(str(METADATA_GRAPH))
    count = 0

    def quads() -> Iterator[ox.Quad]:
        nonlocal count
        for triple in load.triples:
            count += 1
            if progress and count % 100_000 == 0:
                progress(load.graph, count)
            yield ox.Quad(triple.subject, triple.predicate, triple.object, graph)
        for triple in triples_to_ox(metadata_triples(record(count))):
            yield ox.Quad(triple.subject, triple.predicate, triple.object, meta)

    ox.serialize(quads(), str(path), format=ox.RdfFormat.N_QUADS)
    if progress:
        progress(load.graph, count)
    return count


def _retracted(store: Store, load: GraphLoad, recorded: dict[str, str]) -> list[ox.Quad]:
    """The metadata of a graph about to be replaced."""
    meta = str(METADATA_GRAPH)
    return [quad for subject in (load.graph, str(load_iri(load.graph)), *recorded)
            for quad in store.subject_quads(meta, subject)]


def _chunked(folder: Path, files: list[Path]) -> tuple[str, ...]:
    """The staged files rewritten as files of at most CHUNK_QUADS quads each, for the engine's
    bulk loader, whose memory grows with the size of what it is given: thousands of small graphs
    become a few bulk loads, and a graph of millions of quads several bounded ones. (N-Quads
    holds one quad per line.)"""
    chunks: list[str] = []
    out, lines = None, 0
    try:
        for path in files:
            with path.open("rb") as part:
                for line in part:
                    if out is None or lines == CHUNK_QUADS:
                        if out is not None:
                            out.close()
                        chunks.append(str(folder / f"chunk-{len(chunks)}.nq"))
                        out, lines = open(chunks[-1], "wb"), 0  # noqa: SIM115 - closed as the chunk fills
                    out.write(line)
                    lines += 1
            path.unlink()
    finally:
        if out is not None:
            out.close()
    return tuple(chunks)


def write(store: Store, loads: Iterable[GraphLoad], *, force: bool = False,
          progress: Progress | None = None) -> list[Outcome]:
    """Replace each changed graph and its metadata, all as one journaled change.

    `loads` is read once, one graph at a time, so a loader may produce them as it reads its
    input. When the same graph comes twice, the later load is the one written.
    """
    started = datetime.datetime.now(datetime.UTC)
    outcomes: dict[str, Outcome] = {}
    staged: dict[str, Path] = {}
    retracted: dict[str, list[ox.Quad]] = {}  # by graph: its old metadata, removed when it is replaced
    with store.staging() as folder:
        for index, load in enumerate(loads):
            if load.graph in staged:  # the same graph again: the later load is the one written
                staged.pop(load.graph).unlink()
                retracted.pop(load.graph, None)
            recorded = recorded_inputs(store, load.graph)
            if not force and is_current(store, load, recorded):
                outcomes[load.graph] = Outcome(load.graph, _size(load), unchanged=True)
                continue

            def record(count: int, load: GraphLoad = load) -> LoadRecord:
                return LoadRecord(graph=load.graph, loader=load.loader, inputs=load.inputs, triples=count,
                                  started=started, ended=datetime.datetime.now(datetime.UTC), title=load.title,
                                  version=load.version, sources=load.sources, license=load.license,
                                  rights=load.rights)

            staged[load.graph] = folder / f"{index}.nq"
            outcomes[load.graph] = Outcome(load.graph, _stage(load, record, staged[load.graph], progress), False)
            retracted[load.graph] = _retracted(store, load, recorded)
        if progress and staged:
            progress(STORE, sum(o.triples for o in outcomes.values() if not o.unchanged))
        store.apply(Change(cleared=frozenset(staged), removed=frozenset(q for qs in retracted.values() for q in qs),
                           added_files=_chunked(folder, list(staged.values()))))
    return list(outcomes.values())


def _size(load: GraphLoad) -> int:
    """The size of a graph left unchanged, where the loader knows it without reading."""
    return len(load.triples) if isinstance(load.triples, Sequence) else 0
