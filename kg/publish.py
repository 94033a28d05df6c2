"""Copy the named graphs of the local store to a remote engine, one graph at a time.

Each graph goes by a Graph Store PUT (replacing it whole), and the engine's triple count of it
is then checked against ours. The SHA-256 of what was sent is recorded on the engine, in the
graph `graph/publication` (`<graph> kg:sha256 "…"`), so publishing again skips a graph the
engine already has unchanged — as long as its count still agrees.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from ontology import GRAPH, KG

from .remote import EngineError, RemoteStore, checksum
from .store import Store

PUBLICATION = str(GRAPH["publication"])


@dataclass(frozen=True)
class Published:
    graph: str
    triples: int
    state: str  # sent, unchanged


def recorded(target: RemoteStore) -> dict[str, str]:
    rows = target.query(f"SELECT ?g ?sha WHERE {{ GRAPH <{PUBLICATION}> {{ ?g <{KG.sha256}> ?sha }} }}",
                        default_graphs=[PUBLICATION], named_graphs=[PUBLICATION])
    return {row["g"].value: row["sha"].value for row in rows}  # type: ignore[union-attr]


def publish(local: Store, target: RemoteStore, *, force: bool = False) -> Iterator[Published]:
    """Each named graph of `local` onto `target`; EngineError naming the graph that failed."""
    sizes, known = local.graph_sizes(), recorded(target)
    for graph in local.graphs():
        size, digest = sizes.get(graph, 0), checksum(local.triples_of(graph))
        if not force and known.get(graph) == digest and target.graph_size(graph) == size:
            yield Published(graph, size, "unchanged")
            continue
        try:
            target.put_graph(graph, local.triples_of(graph))
        except EngineError as error:
            raise EngineError(error.engine, f"graph {graph} was not published: {error}", kind=error.kind) from None
        if (held := target.graph_size(graph)) != size:
            raise EngineError(target.spec.name, f"graph {graph}: the engine holds {held} triples after the "
                                                f"upload, not {size}")
        name, record = ox.NamedNode(graph), ox.NamedNode(PUBLICATION)
        target.update(f"DELETE WHERE {{ GRAPH {record} {{ {name} <{KG.sha256}> ?sha }} }} ;\n"
                      f"INSERT DATA {{ GRAPH {record} {{ {name} <{KG.sha256}> {ox.Literal(digest)} }} }}")
        yield Published(graph, size, "sent")
