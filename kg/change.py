"""A write's effect as data: graphs emptied or dropped, quads removed and added.

Every write — a loaded file, a Graph Store request, a SPARQL update — becomes one `Change`,
worked out once and then applied, identically and in order, to the durable store and to every
in-memory copy. Quads keep their blank-node labels, so every copy stays equal, not merely
isomorphic. A change is relative to the state before it; `then` composes two.

Applied in this order: empty `cleared`, remove `removed`, drop the names in `dropped`, add
`added`, bulk-load the N-Quads files of `added_files` (large loads, staged on disk), create
the names in `created`.

>>> a = ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), ox.Literal(1))
>>> first = Change(added=frozenset({a}))
>>> store = ox.Store()
>>> first.then(Change(removed=frozenset({a}))).apply(store)
>>> len(store)
0
>>> Change.decode(first.encode()) == first
True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

Graph = str | None  # a named graph's IRI, or None for the default graph


def graph_of(quad: ox.Quad) -> Graph:
    return None if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value


def graph_term(graph: Graph) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if graph is None else ox.NamedNode(graph)


def _nquads(quads: Iterable[ox.Quad]) -> bytes:
    return ox.serialize(sorted(quads, key=str), format=ox.RdfFormat.N_QUADS)


def _quads(data: bytes) -> frozenset[ox.Quad]:
    return frozenset(ox.parse(data, format=ox.RdfFormat.N_QUADS))


@dataclass(frozen=True)
class Change:
    cleared: frozenset[Graph] = frozenset()
    removed: frozenset[ox.Quad] = frozenset()
    dropped: frozenset[str] = frozenset()
    added: frozenset[ox.Quad] = frozenset()
    created: frozenset[str] = frozenset()
    added_files: tuple[str, ...] = ()

    @property
    def predicates(self) -> frozenset[str] | None:
        """The predicates of the quads it removes or adds; None when it may touch quads of any
        predicate (it empties or drops graphs, or loads files)."""
        if self.cleared or self.dropped or self.added_files:
            return None
        return frozenset(quad.predicate.value for quad in self.removed | self.added)

    @property
    def is_empty(self) -> bool:
        return not (self.cleared or self.removed or self.dropped or self.added or self.created or self.added_files)

    @property
    def size(self) -> int:
        """Quads named explicitly (emptied graphs count as one each)."""
        return len(self.removed) + len(self.added) + len(self.cleared)

    def then(self, later: Change) -> Change:
        """This change followed by `later`, as one change from the same starting state."""
        cleared = self.cleared | later.cleared
        added = frozenset(q for q in self.added - later.removed if graph_of(q) not in later.cleared) | later.added
        removed = frozenset(q for q in (self.removed | later.removed) - later.added if graph_of(q) not in cleared)
        revived = {graph_of(q) for q in later.added} | later.created
        dropped = (self.dropped | later.dropped) - revived
        created = (self.created - later.dropped) | later.created
        if self.added_files or later.added_files:
            raise ValueError("changes that load files are not composed")
        return Change(cleared, removed, frozenset(dropped), added, frozenset(created))

    def apply(self, store: ox.Store, *, bulk: bool = False) -> None:
        """Apply to an engine store; `bulk` adds without a transaction (for a store being built)."""
        for graph in self.cleared:
            store.clear_graph(graph_term(graph))
        for quad in self.removed:
            store.remove(quad)
        for graph in self.dropped:
            store.remove_graph(ox.NamedNode(graph))
        if bulk:
            store.bulk_extend(self.added)
        else:
            store.extend(self.added)
        for path in self.added_files:
            store.bulk_load(path=path, format=ox.RdfFormat.N_QUADS)
        for graph in self.created:
            store.add_graph(ox.NamedNode(graph))

    def encode(self) -> tuple:
        """A compact picklable form: graph lists and N-Quads (which keep blank-node labels)."""
        return (sorted(self.cleared, key=lambda g: g or ""), _nquads(self.removed), sorted(self.dropped),
                _nquads(self.added), sorted(self.created), list(self.added_files))

    @classmethod
    def decode(cls, data: tuple) -> Change:
        cleared, removed, dropped, added, created, files = data
        return cls(frozenset(cleared), _quads(removed), frozenset(dropped), _quads(added), frozenset(created),
                   tuple(files))


def difference(old: Iterable[ox.Quad], new: Iterable[ox.Quad]) -> Change:
    """The change from the quads `old` to the quads `new`: only what differs is removed and added
    (so a rewritten graph keeps the quads that stay, and a cache keyed by predicates keeps the
    answers that depend on none of those that moved)."""
    before, after = frozenset(old), frozenset(new)
    return Change(removed=before - after, added=after - before)


def fresh_blank_nodes(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The quads with each blank-node label replaced by a new one, as a new document's must be."""
    renamed: dict[str, ox.BlankNode] = {}

    def fresh(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if isinstance(term, ox.BlankNode):
            return renamed.setdefault(term.value, ox.BlankNode())
        return term

    return [ox.Quad(fresh(q.subject), q.predicate, fresh(q.object), q.graph_name) for q in quads]
