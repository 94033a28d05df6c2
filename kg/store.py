"""The store facade: the only module that knows the engine is Oxigraph.

Loaders hand it whole graphs to write in one transaction; the server and the CLI ask it
SPARQL questions. Queries see the union of all named graphs as their default graph unless a
dataset is given, as Fuseki's `unionDefaultGraph` does.

>>> store = Store.open()
>>> store.apply(Change(replace={"http://example.org/g": [
...     ox.Triple(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"),
...               ox.Literal("o"))]}))
>>> store.graph_sizes()
{'http://example.org/g': 1}
>>> bool(store.query("ASK { ?s ?p 'o' }"))
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ontology import PREFIXES

from .inspection import inspect_query

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


@dataclass(frozen=True)
class Change:
    """One atomic write: graphs to replace, subjects to retract, triples to add."""

    replace: Mapping[str, Sequence[ox.Triple]] = field(default_factory=dict)
    retract: Sequence[tuple[str, str]] = ()  # (graph IRI, subject IRI)
    add: Mapping[str, Sequence[ox.Triple]] = field(default_factory=dict)

    def to_update(self) -> str:
        """The SPARQL Update that performs this change as one transaction."""
        steps = [f"DROP SILENT GRAPH {ox.NamedNode(g)}" for g in self.replace]
        steps += [
            f"DELETE WHERE {{ GRAPH {ox.NamedNode(g)} {{ {ox.NamedNode(s)} ?p ?o }} }}"
            for g, s in self.retract
        ]
        blocks = [
            f"GRAPH {ox.NamedNode(g)} {{\n{ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode()}}}"
            for g, triples in (*self.replace.items(), *self.add.items())
            if triples
        ]
        if blocks:
            steps.append("INSERT DATA {\n" + "\n".join(blocks) + "\n}")
        return " ;\n".join(steps)


class Store:
    """An embedded RDF store: on disk when given a path, in memory otherwise."""

    def __init__(self, engine: ox.Store) -> None:
        self._engine = engine

    @classmethod
    def open(cls, path: Path | str | None = None) -> Store:
        """Open (creating if needed) the store at `path`, or a fresh in-memory store."""
        return cls(ox.Store(str(path)) if path is not None else ox.Store())

    def bulk_load(self, path: Path, format: ox.RdfFormat) -> None:
        """Load a large file fast, without a transaction: for a store nobody else is reading."""
        self._engine.bulk_load(path=str(path), format=format)
        self._engine.flush()

    def save_snapshot(self, path: Path) -> None:
        """Write every quad to `path` as N-Quads, for a worker to load with `from_snapshot`."""
        self._engine.dump(str(path), format=ox.RdfFormat.N_QUADS)

    @classmethod
    def from_snapshot(cls, path: Path) -> Store:
        """An in-memory store holding the quads of a snapshot file."""
        engine = ox.Store()
        engine.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
        return cls(engine)

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        substitutions: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
    ) -> QueryResult:
        """Run a SPARQL query; SyntaxError carries the parser's line and column.

        Without a dataset given here or in the query (FROM), the default graph is the union.
        """
        return self._engine.query(
            sparql,
            use_default_graph_as_union=default_graphs is None and not inspect_query(sparql).declares_dataset,
            default_graph=[ox.NamedNode(g) for g in default_graphs] if default_graphs else None,
            named_graphs=[ox.NamedNode(g) for g in named_graphs] if named_graphs else None,
            substitutions={ox.Variable(k): v for k, v in (substitutions or {}).items()},
        )

    def update(self, sparql: str) -> None:
        """Run a SPARQL update as one transaction; SyntaxError on a malformed update."""
        self._engine.update(sparql)
        self._engine.flush()

    def apply(self, change: Change) -> None:
        """Write a change atomically: all of it, or nothing if anything fails."""
        update = change.to_update()
        if update:
            self._engine.update(update)
        self._engine.flush()

    def graphs(self) -> list[str]:
        """The IRIs of the named graphs, sorted."""
        return sorted(g.value for g in self._engine.named_graphs() if isinstance(g, ox.NamedNode))

    def has_graph(self, graph: str) -> bool:
        """Whether a named graph exists and holds at least one triple."""
        return bool(self.query(f"ASK {{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}"))

    def graph_sizes(self) -> dict[str, int]:
        """Triples per named graph."""
        rows = self.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
        )
        return {row["g"].value: int(row["n"].value) for row in rows}

    def class_counts(self) -> dict[str, int]:
        """Distinct instances per class, over the union of all graphs."""
        rows = self.query(
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) ?c"
        )
        return {row["c"].value: int(row["n"].value) for row in rows}

    def triples(self, graph: str | None = None) -> list[ox.Triple]:
        """The distinct triples of one graph, or of the union of all graphs."""
        where = f"GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
        return list(self.query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ {where} }} }}"
        ))

    def serialize(self, format: ox.RdfFormat, graph: str | None = None) -> bytes:
        """Quad formats keep graph names; triple formats get one graph or the union."""
        if format.supports_datasets:
            name = ox.NamedNode(graph) if graph else None
            quads = self._engine.quads_for_pattern(None, None, None, name)
            return ox.serialize(quads, format=format, prefixes=PREFIXES)
        return ox.serialize(self.triples(graph), format=format, prefixes=PREFIXES)

    def __len__(self) -> int:
        return len(self._engine)
