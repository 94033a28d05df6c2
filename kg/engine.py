"""The engine seam: what the CLI, the loaders' writes and the server's jobs ask of a store.

Two implementations: the embedded Oxigraph store (`kg.store.Store`) and any SPARQL 1.1 engine
over HTTP (`kg.remote.RemoteStore`). Queries see the union of all graphs as their default graph
unless a dataset is given; `version` goes up on every write made through the store.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import BinaryIO, Protocol

import pyoxigraph as ox

from .change import Change


class Engine(Protocol):
    version: int

    def query(self, sparql: str, *, default_graphs: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None, substitutions: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
              base_iri: str | None = None) -> object:
        """Solutions, a boolean, or an iterable of triples."""

    def apply(self, change: Change) -> None: ...

    def graphs(self) -> list[str]: ...

    def has_graph(self, graph: str) -> bool: ...

    def contains_graph(self, graph: str) -> bool: ...

    def graph_sizes(self) -> dict[str, int]: ...

    def class_counts(self) -> dict[str, int]: ...

    def triples_of(self, graph: str | None) -> Iterator[ox.Triple]: ...

    def triples(self, graph: str | None = None) -> list[ox.Triple]: ...

    def subject_quads(self, graph: str, subject: str) -> list[ox.Quad]: ...

    def serialize(self, format: ox.RdfFormat, graph: str | None = None) -> bytes: ...

    def dump(self, output: BinaryIO) -> None: ...

    def dump_file(self, path: str, format: ox.RdfFormat) -> None: ...
