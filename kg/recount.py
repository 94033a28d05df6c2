"""Which graphs' statistics a write can have changed, from what is remembered of each graph.

A graph's figures depend on its own triples, and on the classes of the nodes it uses (its
subjects' classes make its per-class partitions, its objects' classes its links), which other
graphs may state. So for each graph the (node, class) pairs it states are remembered
(`Remembered.typed`). After a write, the pairs of the graphs written are compared with what they
were: the nodes whose pairs differ are the nodes whose classes may have changed, and a graph that
uses one of them (as a subject or an object) is counted again with those written. When a graph
states more than TYPED_LIMIT pairs they are not kept, and a write to it counts every graph again;
so does a change of more than CHANGED_LIMIT nodes.

The blank-node subjects of each graph are remembered too (`Remembered.blank`, when there are at
most BLANK_LIMIT): the dataset's entities are then its distinct subjects but those, without the
engine testing every distinct subject of the dataset after each write.

>>> sorted(changed_nodes([("<a>", "<C>"), ("<b>", "<C>")], [("<a>", "<C>"), ("<b>", "<D>")]))
['<b>']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from .counting import RDF_TYPE
from .figures import Figures, Statistics
from .store import Store

TYPED_LIMIT = 50_000  # typed (node, class) pairs remembered per graph; a graph with more is "unknown"
BLANK_LIMIT = 50_000  # blank-node subjects remembered per graph
CHANGED_LIMIT = 20_000  # nodes whose types changed that are looked up one by one; more: count every graph
Pairs = list[tuple[str, str]]


@dataclass
class Remembered:
    """Per graph: the (node, class) pairs it states (N-Triples, IRI) and its blank-node subjects
    (N-Triples), or None where there were too many to keep; of the statistics of `generation`."""

    generation: int = -1
    typed: dict[str, Pairs | None] = field(default_factory=dict)
    blank: dict[str, list[str] | None] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"generation": self.generation, "typed": self.typed, "blank": self.blank}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Remembered:
        typed = {g: None if pairs is None else [(n, c) for n, c in pairs] for g, pairs in data["typed"].items()}
        return cls(int(data["generation"]), typed, dict(data["blank"]))

    def blank_subjects(self, graphs: Iterable[str]) -> set[str] | None:
        """Every blank-node subject of `graphs`; None when one of them has not been kept."""
        found: set[str] = set()
        for graph in graphs:
            nodes = self.blank.get(graph)
            if nodes is None:
                return None
            found.update(nodes)
        return found


def typed_pairs(store: Store, graph: str) -> Pairs | None:
    """The (node, class) pairs `graph` states; None when there are more than TYPED_LIMIT."""
    pairs = []
    for quad in store.engine.quads_for_pattern(None, RDF_TYPE, None, ox.NamedNode(graph)):
        if len(pairs) == TYPED_LIMIT:
            return None
        pairs.append((str(quad.subject), str(quad.object)))
    return sorted(pairs)


def blank_subjects(store: Store, graph: str, figures: Figures) -> list[str] | None:
    """The blank-node subjects of `graph` (none when its subjects are all IRIs); None past BLANK_LIMIT."""
    if figures.distinct_subjects == figures.entities:
        return []
    rows = store.query(f"SELECT ?s WHERE {{ {{ SELECT DISTINCT ?s WHERE {{ GRAPH {ox.NamedNode(graph)} "
                       f"{{ ?s ?p ?o }} }} }} FILTER(isBlank(?s)) }} LIMIT {BLANK_LIMIT + 1}")
    found = sorted(str(row["s"]) for row in rows)
    return None if len(found) > BLANK_LIMIT else found


def changed_nodes(before: Pairs, after: Pairs) -> set[str]:
    """The nodes whose (node, class) pairs differ."""
    return {node for node, _ in set(before) ^ set(after)}


def _node(text: str) -> ox.NamedNode | ox.BlankNode:
    return ox.BlankNode(text[2:]) if text.startswith("_:") else ox.NamedNode(text[1:-1])


def _uses(store: Store, graph: str, nodes: Iterable[str]) -> bool:
    """Whether `graph` has any of `nodes` as a subject or an object."""
    name = ox.NamedNode(graph)
    for text in nodes:
        node = _node(text)
        for pattern in ((node, None, None, name), (None, None, node, name)):
            if next(iter(store.engine.quads_for_pattern(*pattern)), None) is not None:
                return True
    return False


def to_count(store: Store, data: frozenset[str], written: frozenset[str] | None, previous: Statistics | None,
             kept: Remembered, now: dict[str, Pairs | None]) -> frozenset[str]:
    """The data graphs whose figures must be counted again: every one without a reusable count,
    those written, and those using a node whose types the written graphs changed. `now` receives
    the typed pairs of the graphs written, as they are now."""
    if previous is None or written is None or kept.generation != previous.generation:
        return data
    if (previous.graphs.keys() - data) - written:  # gone without being written: not ours to reason about
        return data
    stale = (written & data) | (data - previous.graphs.keys())
    changed: set[str] = set()
    for graph in stale | (written & previous.graphs.keys()):
        before, now[graph] = kept.typed.get(graph, []), typed_pairs(store, graph) if graph in data else []
        after = now[graph]
        if before is None or after is None:
            return data
        changed |= changed_nodes(before, after)
    if len(changed) > CHANGED_LIMIT:
        return data
    return stale | {graph for graph in data - stale if changed and _uses(store, graph, changed)}
