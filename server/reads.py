"""Small reads of the store that handlers ask a worker for (see `WorkerPool.call`).

Each is a plain function of the store and plain arguments, so it can be sent to a worker
and run there under the deadline.
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.store import Store
from ontology import PREFIXES

DEFAULT = "default"  # the default graph, as the Graph Store Protocol's ?default names it


def graph_exists(store: Store, graph: str) -> bool:
    """Whether a named graph exists (it may be empty)."""
    return store.contains_graph(graph)


def graph_triples(store: Store, graph: str) -> list[ox.Triple] | None:
    """A named graph's triples, or None when there is no such graph."""
    if not graph_exists(store, graph):
        return None
    return list(store.triples_of(graph))


def serialize(store: Store, extension: str, target: str | None) -> bytes | None:
    """A named graph, the default graph (DEFAULT) or, for None, every quad, in the format with
    that file extension; None when there is no such graph."""
    fmt = ox.RdfFormat.from_extension(extension)
    if target is None:
        return store.serialize(fmt)
    if target != DEFAULT and not store.contains_graph(target):
        return None
    return ox.serialize(store.triples_of(None if target == DEFAULT else target), format=fmt, prefixes=PREFIXES)


def named_graphs(store: Store) -> list[str]:
    return store.graphs()
