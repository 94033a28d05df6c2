"""Counting the statistics of one named graph, and of the dataset (see `kg.statistics`).

A property partition per class with the classes of its objects, asked as one SPARQL join, does
not finish on the full graph in minutes. So a large graph's triples are grouped by the engine by
(subject class, property, object) — the subject's classes from every data graph, each (node,
class) once — and the objects, far fewer than the triples, are mapped to their classes here; a
small graph is read in order instead (the engine's grouping first lists every typed node of the
dataset, which costs seconds however small the graph). The other figures are one aggregate
query each.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import pyoxigraph as ox

from ontology import DCTERMS, DERIVED_GRAPHS, METADATA_GRAPH, PROV, RDF, SCHEMA, VOID

from .figures import Figures, Usage
from .store import Store

RDF_TYPE = ox.NamedNode(str(RDF.type))
READ_LIMIT = 300_000  # a graph of more triples has them grouped by the engine, fewer are read here
METADATA = str(METADATA_GRAPH)
# What the metadata graph says of a named graph that its VoID description repeats.
ABOUT = tuple(str(p) for p in (DCTERMS.title, SCHEMA.version, DCTERMS.license, DCTERMS.rights, PROV.wasDerivedFrom,
                               DCTERMS.modified))


def data_graphs(store: Store) -> frozenset[str]:
    """The named graphs counted: all but those made from the data."""
    derived = {str(g) for g in DERIVED_GRAPHS}
    return frozenset(g for g in store.graphs() if g not in derived)


def _int(term: Any) -> int:
    return 0 if term is None else int(term.value)


def _types(store: Store, node: ox.NamedNode | ox.BlankNode, data: frozenset[str]) -> frozenset[str]:
    """The classes of a node, from the data graphs."""
    return frozenset(q.object.value for q in store.engine.quads_for_pattern(node, RDF_TYPE, None, None)
                     if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in data
                     and isinstance(q.object, ox.NamedNode))


class _Tally:
    """Triples by (subject class, property), and by object class or literal datatype."""

    def __init__(self) -> None:
        self.triples: Counter[tuple[str, str]] = Counter()
        self.targets: Counter[tuple[str, str, str, bool]] = Counter()
        self._classes: dict[Any, frozenset[str]] = {}

    def add(self, store: Store, data: frozenset[str], classes: Iterable[str], prop: str, obj: Any, count: int) -> None:
        if isinstance(obj, ox.Literal):
            targets, literal = (obj.datatype.value,), True
        else:
            if obj not in self._classes:
                self._classes[obj] = _types(store, obj, data)
            targets, literal = self._classes[obj], False
        for cls in classes:
            self.triples[cls, prop] += count
            for target in targets:
                self.targets[cls, prop, target, literal] += count

    def usage(self) -> dict[str, dict[str, Usage]]:
        usage: dict[str, dict[str, Usage]] = {}
        for (cls, prop), count in self.triples.items():
            usage.setdefault(cls, {})[prop] = Usage(count)
        for (cls, prop, target, literal), count in self.targets.items():
            (usage[cls][prop].datatypes if literal else usage[cls][prop].classes)[target] = count
        return usage


def _usage_grouped(store: Store, graph: str, data: frozenset[str]) -> dict[str, dict[str, Usage]]:
    """For a large graph: the engine groups its triples by (subject class, property, object) —
    each subject's classes from every data graph, each (node, class) once — and the objects,
    far fewer than the triples, are mapped to their classes here."""
    rows = store.query(
        f"SELECT ?c ?p ?o (COUNT(*) AS ?n) WHERE {{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} "
        "{ SELECT DISTINCT ?s ?c WHERE { ?s a ?c FILTER(isIRI(?c)) } } } GROUP BY ?c ?p ?o",
        default_graphs=sorted(data), named_graphs=[graph])
    tally = _Tally()
    for row in rows:
        tally.add(store, data, (row["c"].value,), row["p"].value, row["o"], _int(row["n"]))
    return tally.usage()


def _usage_read(store: Store, graph: str, data: frozenset[str]) -> dict[str, dict[str, Usage]]:
    """For a small graph: its quads read in order (a subject's together), each subject's and
    object's classes looked up once. The engine's grouping first lists every typed node of the
    dataset, which costs seconds however small the graph."""
    tally, subject, classes = _Tally(), None, frozenset[str]()
    for quad in store.engine.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
        if quad.subject != subject:
            subject, classes = quad.subject, _types(store, quad.subject, data)
        if classes:
            tally.add(store, data, classes, quad.predicate.value, quad.object, 1)
    return tally.usage()


def graph_figures(store: Store, graph: str, data: frozenset[str]) -> Figures:
    """The figures of one named graph; the classes of its nodes are read from every data graph."""
    name = ox.NamedNode(graph)
    where = f"GRAPH {name} {{ ?s ?p ?o }}"
    [subjects] = store.query(f"SELECT (COUNT(*) AS ?n) (SUM(IF(isIRI(?s), 1, 0)) AS ?e) "
                             f"WHERE {{ SELECT DISTINCT ?s WHERE {{ {where} }} }}")
    [objects] = store.query(f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ {where} }}")
    properties = {row["p"].value: _int(row["n"]) for row in store.query(
        f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ {where} }} GROUP BY ?p")}
    classes = {row["c"].value: _int(row["n"]) for row in store.query(
        f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH {name} {{ ?s a ?c FILTER(isIRI(?c)) }} }} GROUP BY ?c")}
    triples = sum(properties.values())
    usage = (_usage_read if triples <= READ_LIMIT else _usage_grouped)(store, graph, data)
    return Figures(triples, _int(subjects["e"]), _int(subjects["n"]), _int(objects["n"]), classes, properties, usage)


def dataset_figures(store: Store, graphs: Mapping[str, Figures], data: frozenset[str],
                    blank: Iterable[str] | None) -> Figures:
    """The dataset: sums of its graphs, and the distinct counts over all of them. `blank` is every
    blank-node subject of the data, when known: the entities are then the distinct subjects but
    those (which spares the engine testing each distinct subject)."""
    if not data:
        return Figures()
    dataset = sorted(data)
    if blank is None:
        [subjects] = store.query("SELECT (COUNT(*) AS ?n) (SUM(IF(isIRI(?s), 1, 0)) AS ?e) "
                                 "WHERE { SELECT DISTINCT ?s WHERE { ?s ?p ?o } }", default_graphs=dataset)
        distinct, entities = _int(subjects["n"]), _int(subjects["e"])
    else:
        [subjects] = store.query("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }", default_graphs=dataset)
        distinct = _int(subjects["n"])
        entities = distinct - len(set(blank))
    [objects] = store.query("SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }", default_graphs=dataset)
    classes = {row["c"].value: _int(row["n"]) for row in store.query(
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c",
        default_graphs=dataset)}
    properties: Counter[str] = Counter()
    usage: dict[str, dict[str, Usage]] = {}
    for figures in graphs.values():
        properties.update(figures.properties)
        for cls, props in figures.usage.items():
            into = usage.setdefault(cls, {})
            for prop, use in props.items():
                into[prop] = into[prop] + use if prop in into else use
    return Figures(sum(f.triples for f in graphs.values()), entities, distinct, _int(objects["n"]), classes,
                   dict(properties), usage)


def about(store: Store) -> dict[str, list[tuple[str, str]]]:
    """What the metadata graph says of each named graph that its VoID repeats."""
    rows = store.query(
        f"SELECT ?g ?p ?o WHERE {{ GRAPH {ox.NamedNode(METADATA)} {{ ?g a {ox.NamedNode(str(VOID.Dataset))} ; ?p ?o }} "
        f"VALUES ?p {{ {' '.join(str(ox.NamedNode(p)) for p in ABOUT)} }} FILTER(!isBlank(?o)) }} ORDER BY ?g ?p ?o",
        named_graphs=[METADATA])
    found: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        found.setdefault(row["g"].value, []).append((row["p"].value, str(row["o"])))
    return {graph: sorted(pairs) for graph, pairs in found.items()}
