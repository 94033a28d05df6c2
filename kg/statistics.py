"""Statistics of the graph: counted when data is written, kept with the generation they describe.

What is counted, for the dataset and for each named graph (the shape of SIB's void-generator):
triples, entities (distinct IRI subjects), distinct subjects and objects; instances per class
(class partitions); triples per property (property partitions); and, for the instances of each
class, the triples of each property with the classes of their objects and the datatypes of
their literals (per-class property partitions), which give the class-to-class links. The graphs
made from the data (`graph/void`, `graph/examples`) are left out of every figure.

How, and why so: a property partition per class with the classes of its objects, asked as one
SPARQL join, does not finish on the full graph in minutes. Here it is counted one named graph at
a time (as the void-generator does): the engine groups the graph's triples by (subject class,
property, object) — the subject's classes from every data graph — and the objects, far fewer
than the triples, are mapped to their classes here. A graph's figures depend on its own triples
and on the types of the nodes it uses, so they are kept and reused: after a write only the
graphs written are counted again, with the graphs that use a node whose types the write changed
(found through the typed nodes remembered per graph, see `TypedNodes`). Distinct subjects,
objects and entities of the whole dataset cannot be added up from the graphs' (the graphs
share nodes); they and the instances per class are counted again over the data graphs each time.

The dataset's `triples` (and each property's) is the sum over its named graphs — a triple in two
graphs counts twice — as the void-generator counts it; SIB's tools read it so.

>>> store = Store.open()
>>> compute(store).dataset.triples
0
"""

from __future__ import annotations

import datetime
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ontology import DCTERMS, DERIVED_GRAPHS, METADATA_GRAPH, PROV, RDF, SCHEMA, VOID

from .store import Store

Report = Callable[[str], None]
RDF_TYPE = ox.NamedNode(str(RDF.type))
TYPED_LIMIT = 50_000  # typed (node, class) pairs remembered per graph; a graph with more is "unknown"
READ_LIMIT = 300_000  # a graph of more triples has them grouped by the engine, fewer are read here
CHANGED_LIMIT = 20_000  # nodes whose types changed that are looked up one by one; more: count every graph
METADATA = str(METADATA_GRAPH)
# What the metadata graph says of a named graph that its VoID description repeats.
ABOUT = tuple(str(p) for p in (DCTERMS.title, SCHEMA.version, DCTERMS.license, DCTERMS.rights, PROV.wasDerivedFrom,
                               DCTERMS.modified))


@dataclass(frozen=True)
class Usage:
    """A property's triples from the instances of one class: in all, per class of their objects,
    and per datatype of their literals."""

    triples: int = 0
    classes: dict[str, int] = field(default_factory=dict)
    datatypes: dict[str, int] = field(default_factory=dict)

    def __add__(self, other: Usage) -> Usage:
        return Usage(self.triples + other.triples, _add(self.classes, other.classes),
                     _add(self.datatypes, other.datatypes))


def _add(a: Mapping[str, int], b: Mapping[str, int]) -> dict[str, int]:
    total = Counter(a)
    total.update(b)
    return dict(total)


@dataclass(frozen=True)
class Figures:
    """The VoID figures of one named graph, or of the dataset."""

    triples: int = 0
    entities: int = 0
    distinct_subjects: int = 0
    distinct_objects: int = 0
    classes: dict[str, int] = field(default_factory=dict)  # class → instances
    properties: dict[str, int] = field(default_factory=dict)  # property → triples
    usage: dict[str, dict[str, Usage]] = field(default_factory=dict)  # class → property → usage

    def links(self) -> list[tuple[str, str, str, int]]:
        """(subject class, property, object class, triples): the class-to-class links."""
        return sorted((cls, prop, target, count) for cls, props in self.usage.items()
                      for prop, use in props.items() for target, count in use.classes.items())

    def to_json(self) -> dict[str, Any]:
        usage = {c: {p: [u.triples, u.classes, u.datatypes] for p, u in ps.items()} for c, ps in self.usage.items()}
        return {"triples": self.triples, "entities": self.entities, "distinct_subjects": self.distinct_subjects,
                "distinct_objects": self.distinct_objects, "classes": self.classes, "properties": self.properties,
                "usage": usage}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Figures:
        usage = {c: {p: Usage(int(t), dict(oc), dict(dt)) for p, (t, oc, dt) in ps.items()}
                 for c, ps in data["usage"].items()}
        return cls(int(data["triples"]), int(data["entities"]), int(data["distinct_subjects"]),
                   int(data["distinct_objects"]), dict(data["classes"]), dict(data["properties"]), usage)


@dataclass(frozen=True)
class Statistics:
    """The figures of one generation of the data, and when they were made."""

    generation: int
    made: str  # ISO 8601, UTC: when they were counted
    dataset: Figures
    graphs: dict[str, Figures]
    about: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # graph → (predicate, object N-Triples)
    modified: str | None = None  # when the data reached this generation, if known
    seconds: float = field(default=0.0, compare=False)  # how long the counting took

    @property
    def classes(self) -> dict[str, int]:
        return self.dataset.classes

    @property
    def properties(self) -> dict[str, int]:
        return self.dataset.properties

    @property
    def sizes(self) -> dict[str, int]:
        """Triples per named graph."""
        return {graph: figures.triples for graph, figures in self.graphs.items()}

    def to_json(self) -> dict[str, Any]:
        return {"generation": self.generation, "made": self.made, "modified": self.modified, "seconds": self.seconds,
                "dataset": self.dataset.to_json(), "graphs": {g: f.to_json() for g, f in self.graphs.items()},
                "about": {g: [list(pair) for pair in pairs] for g, pairs in self.about.items()}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Statistics:
        return cls(int(data["generation"]), str(data["made"]), Figures.from_json(data["dataset"]),
                   {g: Figures.from_json(f) for g, f in data["graphs"].items()},
                   {g: [(p, o) for p, o in pairs] for g, pairs in data["about"].items()},
                   data.get("modified"), float(data.get("seconds", 0.0)))


# -- counting one graph ------------------------------------------------------------------------

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


def _dataset(store: Store, graphs: Mapping[str, Figures], data: frozenset[str]) -> Figures:
    """The dataset: sums of its graphs, and the distinct counts over all of them."""
    if not data:
        return Figures()
    dataset = sorted(data)
    [subjects] = store.query("SELECT (COUNT(*) AS ?n) (SUM(IF(isIRI(?s), 1, 0)) AS ?e) "
                             "WHERE { SELECT DISTINCT ?s WHERE { ?s ?p ?o } }", default_graphs=dataset)
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
    return Figures(sum(f.triples for f in graphs.values()), _int(subjects["e"]), _int(subjects["n"]),
                   _int(objects["n"]), classes, dict(properties), usage)


def _about(store: Store) -> dict[str, list[tuple[str, str]]]:
    """What the metadata graph says of each named graph that its VoID repeats."""
    rows = store.query(
        f"SELECT ?g ?p ?o WHERE {{ GRAPH {ox.NamedNode(METADATA)} {{ ?g a {ox.NamedNode(str(VOID.Dataset))} ; ?p ?o }} "
        f"VALUES ?p {{ {' '.join(str(ox.NamedNode(p)) for p in ABOUT)} }} FILTER(!isBlank(?o)) }} ORDER BY ?g ?p ?o",
        named_graphs=[METADATA])
    found: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        found.setdefault(row["g"].value, []).append((row["p"].value, str(row["o"])))
    return {graph: sorted(pairs) for graph, pairs in found.items()}


# -- which graphs to count again ---------------------------------------------------------------

@dataclass
class TypedNodes:
    """Per graph, the (node, class) pairs it states (N-Triples, IRI), or None when there are more
    than TYPED_LIMIT: what a later count compares to find the nodes whose types a write changed."""

    generation: int = -1
    graphs: dict[str, list[tuple[str, str]] | None] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"generation": self.generation, "graphs": self.graphs}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TypedNodes:
        graphs = {g: None if pairs is None else [(n, c) for n, c in pairs] for g, pairs in data["graphs"].items()}
        return cls(int(data["generation"]), graphs)


def typed_pairs(store: Store, graph: str) -> list[tuple[str, str]] | None:
    """The (node, class) pairs `graph` states; None when there are more than TYPED_LIMIT."""
    pairs = []
    for quad in store.engine.quads_for_pattern(None, RDF_TYPE, None, ox.NamedNode(graph)):
        if len(pairs) == TYPED_LIMIT:
            return None
        pairs.append((str(quad.subject), str(quad.object)))
    return sorted(pairs)


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
             typed: TypedNodes, now: dict[str, list[tuple[str, str]] | None]) -> frozenset[str]:
    """The data graphs whose figures must be counted again: every one without a reusable count,
    those written, and those using a node whose types the written graphs changed. `now` receives
    the typed pairs of the graphs written, as they are now."""
    if previous is None or written is None or typed.generation != previous.generation:
        return data
    if (previous.graphs.keys() - data) - written:  # gone without being written: not ours to reason about
        return data
    stale = (written & data) | (data - previous.graphs.keys())
    changed: set[str] = set()
    for graph in stale | (written & previous.graphs.keys()):
        before, now[graph] = typed.graphs.get(graph, []), typed_pairs(store, graph) if graph in data else []
        if before is None or now[graph] is None:
            return data
        changed.update(node for node, _ in set(before) ^ set(now[graph]))  # type: ignore[operator]
    if len(changed) > CHANGED_LIMIT:
        return data
    return stale | {graph for graph in data - stale if changed and _uses(store, graph, changed)}


# -- the whole ---------------------------------------------------------------------------------

def data_graphs(store: Store) -> frozenset[str]:
    """The named graphs counted: all but those made from the data."""
    derived = {str(g) for g in DERIVED_GRAPHS}
    return frozenset(g for g in store.graphs() if g not in derived)


def compute(store: Store, *, previous: Statistics | None = None, typed: TypedNodes | None = None,
            written: frozenset[str] | None = None, report: Report | None = None) -> Statistics:
    """The statistics of the store as it is. With the `previous` statistics and their `typed`
    nodes, and the graphs `written` since (None: unknown), the figures of graphs that cannot have
    changed are reused."""
    return compute_with_types(store, previous=previous, typed=typed, written=written, report=report)[0]


def compute_with_types(store: Store, *, previous: Statistics | None = None, typed: TypedNodes | None = None,
                       written: frozenset[str] | None = None,
                       report: Report | None = None) -> tuple[Statistics, TypedNodes]:
    """`compute`, and the typed nodes to give the next count."""
    started, say = time.monotonic(), report or (lambda _: None)
    generation, data = store.generation, data_graphs(store)
    typed = typed or TypedNodes()
    now: dict[str, list[tuple[str, str]] | None] = {}
    counting = to_count(store, data, written, previous, typed, now)
    graphs = {g: previous.graphs[g] for g in data - counting} if previous else {}
    say(f"statistics: {len(counting)} of {len(data)} graphs to count, {len(data) - len(counting)} reused")
    for graph in sorted(counting):
        began = time.monotonic()
        graphs[graph] = graph_figures(store, graph, data)
        if graph not in now:
            now[graph] = typed_pairs(store, graph)
        say(f"statistics: {graph}: {graphs[graph].triples:,} triples, {len(graphs[graph].usage)} classes used "
            f"({time.monotonic() - began:.1f} s)")
    dataset = _dataset(store, graphs, data)
    kept = {g: typed.graphs[g] for g in data - now.keys() if g in typed.graphs}
    modified = store.modified.astimezone(datetime.UTC).isoformat(timespec="seconds") if store.modified else None
    made = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    stats = Statistics(generation, made, dataset, dict(sorted(graphs.items())), _about(store), modified,
                       round(time.monotonic() - started, 3))
    say(f"statistics: {dataset.triples:,} triples, {len(dataset.classes)} classes, {len(dataset.properties)} "
        f"properties in {stats.seconds:.1f} s (generation {generation})")
    return stats, TypedNodes(generation, {**kept, **{g: p for g, p in now.items() if g in data}})


# -- kept in the products folder ---------------------------------------------------------------

STATISTICS_FILE, TYPED_FILE = "statistics.json", "typed-nodes.json"


def _write_json(path: Path, data: Any) -> None:
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(json.dumps(data, separators=(",", ":"), sort_keys=True), encoding="utf-8")
    partial.replace(path)


def save(folder: Path, stats: Statistics, typed: TypedNodes) -> None:
    """Keep the statistics (and the typed nodes) in `folder`, each file replaced whole."""
    folder.mkdir(parents=True, exist_ok=True)
    _write_json(folder / TYPED_FILE, typed.to_json())
    _write_json(folder / STATISTICS_FILE, stats.to_json())


def load(folder: Path) -> tuple[Statistics | None, TypedNodes]:
    """What `save` kept; (None, empty) when there is none or it cannot be read."""
    try:
        stats = Statistics.from_json(json.loads((folder / STATISTICS_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None, TypedNodes()
    try:
        typed = TypedNodes.from_json(json.loads((folder / TYPED_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        typed = TypedNodes()
    return stats, typed
