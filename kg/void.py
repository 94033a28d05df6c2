"""The statistics as VoID, in the shape SIB's void-generator publishes, and read back from it.

The dataset (`graph/dataset`) and each named graph are `void:Dataset`s with their counts. Each
has class partitions (`void:classPartition`: `void:class`, `void:entities`), and each class
partition its property partitions (`void:propertyPartition`: `void:property`, `void:triples`)
with the classes of their objects (a nested `void:classPartition` with `void:triples`) and the
datatypes of their literals (`void-ext:datatypePartition`, `void-ext:datatype`). Property
partitions of the whole graph come too. Class-to-class links are `void:Linkset`s whose
`void:subjectsTarget` and `void:objectsTarget` are the dataset's class partitions, with
`void:linkPredicate` and `void:triples`. The graphs are also the `sd:NamedGraph`s of an
`sd:Dataset`, so tools that find partitions through `sd:graph` (SIB's sparql-editor) find them.

Every node has an IRI in `graph/void` (no blank nodes), the same for the same figure in every
generation, so the graph is rewritten by the difference from the last one. The generation the
figures describe is the dataset's `schema:version`; when they were made, `dcterms:created` of
`graph/void`.

>>> from kg.statistics import Figures, Statistics
>>> stats = Statistics(3, "2025-01-01T00:00:00+00:00", Figures(triples=1), {"http://example.org/g": Figures(triples=1)})
>>> read(triples(stats)) == stats
True
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import pyoxigraph as ox

from ontology import (
    DATASET,
    DCTERMS,
    DERIVED_GRAPHS,
    ENDPOINT,
    RDF,
    RDFS,
    SCHEMA,
    SD,
    VOID,
    VOID_EXT,
    VOID_GRAPH,
    XSD,
)

from .counting import ABOUT
from .figures import Figures, Statistics, Usage

Triple = ox.Triple
_TYPE = ox.NamedNode(str(RDF.type))
_V = {name: ox.NamedNode(str(VOID[name])) for name in (
    "Dataset", "Linkset", "DatasetDescription", "triples", "entities", "distinctSubjects", "distinctObjects",
    "classes", "properties", "classPartition", "propertyPartition", "class", "property", "subset",
    "sparqlEndpoint", "dataDump", "subjectsTarget", "objectsTarget", "linkPredicate", "inDataset")}
_DATATYPE_PARTITION, _DATATYPE = ox.NamedNode(str(VOID_EXT.datatypePartition)), ox.NamedNode(str(VOID_EXT.datatype))
_SD = {name: ox.NamedNode(str(SD[name])) for name in ("Dataset", "Graph", "NamedGraph", "namedGraph", "name", "graph",
                                                      "defaultGraph")}
_VERSION, _CREATED, _MODIFIED = (ox.NamedNode(str(t)) for t in (SCHEMA.version, DCTERMS.created, DCTERMS.modified))
_COMMENT = ox.NamedNode(str(RDFS.comment))
_INTEGER, _DATETIME = ox.NamedNode(str(XSD.integer)), ox.NamedNode(str(XSD.dateTime))
DESCRIPTION = ox.NamedNode(str(VOID_GRAPH))
NOTE = ("Figures of generation {generation} of the data. They leave out the graphs {derived}, which are made "
        "from the data. void:triples of the dataset and of its property partitions is the sum over its named "
        "graphs (a triple in two graphs counts twice); entities, distinct subjects and objects, and instances "
        "per class are counted over all the data graphs together.")


def _count(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_INTEGER)


def key(*parts: str) -> str:
    """A short stable digest of `parts`."""
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:16]


def _node(*parts: str) -> ox.NamedNode:
    """The IRI of a partition or a linkset: the same parts, the same IRI."""
    return ox.NamedNode(f"{VOID_GRAPH}#{key(*parts)}")


def _figures(subject: ox.NamedNode, figures: Figures, scope: str) -> Iterator[Triple]:
    """A dataset's counts, class partitions (with their property partitions) and property partitions."""
    yield Triple(subject, _TYPE, _V["Dataset"])
    for name, value in (("triples", figures.triples), ("entities", figures.entities),
                        ("distinctSubjects", figures.distinct_subjects), ("distinctObjects", figures.distinct_objects),
                        ("classes", len(figures.classes.keys() | figures.usage.keys())),
                        ("properties", len(figures.properties))):
        yield Triple(subject, _V[name], _count(value))
    for cls in sorted(figures.classes.keys() | figures.usage.keys()):
        partition = _node(scope, "class", cls)
        yield Triple(subject, _V["classPartition"], partition)
        yield Triple(partition, _TYPE, _V["Dataset"])
        yield Triple(partition, _V["class"], ox.NamedNode(cls))
        if cls in figures.classes:
            yield Triple(partition, _V["entities"], _count(figures.classes[cls]))
        for prop, use in sorted(figures.usage.get(cls, {}).items()):
            yield from _usage(partition, scope, cls, prop, use)
    for prop, count in sorted(figures.properties.items()):
        partition = _node(scope, "property", prop)
        yield Triple(subject, _V["propertyPartition"], partition)
        yield Triple(partition, _TYPE, _V["Dataset"])
        yield Triple(partition, _V["property"], ox.NamedNode(prop))
        yield Triple(partition, _V["triples"], _count(count))


def _usage(owner: ox.NamedNode, scope: str, cls: str, prop: str, use: Usage) -> Iterator[Triple]:
    partition = _node(scope, "class", cls, "property", prop)
    yield Triple(owner, _V["propertyPartition"], partition)
    yield Triple(partition, _TYPE, _V["Dataset"])
    yield Triple(partition, _V["property"], ox.NamedNode(prop))
    yield Triple(partition, _V["triples"], _count(use.triples))
    for target, count in sorted(use.classes.items()):
        node = _node(scope, "class", cls, "property", prop, "class", target)
        yield from (Triple(partition, _V["classPartition"], node), Triple(node, _TYPE, _V["Dataset"]),
                    Triple(node, _V["class"], ox.NamedNode(target)), Triple(node, _V["triples"], _count(count)))
    for datatype, count in sorted(use.datatypes.items()):
        node = _node(scope, "class", cls, "property", prop, "datatype", datatype)
        yield from (Triple(partition, _DATATYPE_PARTITION, node), Triple(node, _TYPE, _V["Dataset"]),
                    Triple(node, _DATATYPE, ox.NamedNode(datatype)), Triple(node, _V["triples"], _count(count)))


def _linksets(figures: Figures) -> Iterator[Triple]:
    """A void:Linkset per (subject class, property, object class), between the dataset's class partitions."""
    scope = str(DATASET)
    for cls, prop, target, count in figures.links():
        linkset = _node(scope, "links", cls, prop, target)
        yield from (Triple(linkset, _TYPE, _V["Linkset"]), Triple(linkset, _V["linkPredicate"], ox.NamedNode(prop)),
                    Triple(linkset, _V["subjectsTarget"], _node(scope, "class", cls)),
                    Triple(linkset, _V["objectsTarget"], _node(scope, "class", target)),
                    Triple(linkset, _V["triples"], _count(count)))


def _about(graph: ox.NamedNode, pairs: Sequence[tuple[str, str]]) -> Iterator[Triple]:
    for predicate, obj in pairs:
        [parsed] = ox.parse(f"<{graph.value}> <{predicate}> {obj} .", format=ox.RdfFormat.N_TRIPLES)
        yield parsed


def triples(stats: Statistics, *, endpoint: str | None = str(ENDPOINT), dumps: Iterable[str] = (),
            named: Iterable[str] = ()) -> Iterator[Triple]:
    """The VoID of `stats`: the dataset, each graph, the linksets; `named` graphs are listed as
    named graphs without figures (the graphs made from the data)."""
    dataset = ox.NamedNode(str(DATASET))
    derived = ", ".join(f"<{g}>" for g in DERIVED_GRAPHS)
    yield Triple(DESCRIPTION, _TYPE, _V["DatasetDescription"])
    yield Triple(DESCRIPTION, _CREATED, ox.Literal(stats.made, datatype=_DATETIME))
    yield Triple(dataset, _TYPE, _SD["Dataset"])
    yield Triple(dataset, _VERSION, _count(stats.generation))
    yield Triple(dataset, _COMMENT, ox.Literal(NOTE.format(generation=stats.generation, derived=derived), language="en"))
    if stats.modified:
        yield Triple(dataset, _MODIFIED, ox.Literal(stats.modified, datatype=_DATETIME))
    if endpoint:
        yield Triple(dataset, _V["sparqlEndpoint"], ox.NamedNode(endpoint))
    for dump in dumps:
        yield Triple(dataset, _V["dataDump"], ox.NamedNode(dump))
    yield from _figures(dataset, stats.dataset, str(DATASET))
    yield from _linksets(stats.dataset)
    union = _node(str(DATASET), "union")
    yield from (Triple(dataset, _SD["defaultGraph"], union), Triple(union, _TYPE, _SD["Graph"]),
                Triple(union, _V["inDataset"], dataset))
    for graph, figures in stats.graphs.items():
        name = ox.NamedNode(graph)
        yield Triple(dataset, _V["subset"], name)
        yield from _named(dataset, name)
        yield from _figures(name, figures, graph)
        yield from _about(name, stats.about.get(graph, ()))
    for graph in named:
        yield from _named(dataset, ox.NamedNode(graph))


def _named(dataset: ox.NamedNode, graph: ox.NamedNode) -> Iterator[Triple]:
    entry = _node(str(DATASET), "named", graph.value)
    yield from (Triple(dataset, _SD["namedGraph"], entry), Triple(entry, _TYPE, _SD["NamedGraph"]),
                Triple(entry, _SD["name"], graph), Triple(entry, _SD["graph"], graph), Triple(graph, _TYPE, _SD["Graph"]))


def stored(stats: Statistics) -> list[ox.Quad]:
    """The quads of `graph/void` for `stats`."""
    name = ox.NamedNode(str(VOID_GRAPH))
    derived = [str(g) for g in DERIVED_GRAPHS]
    return [ox.Quad(t.subject, t.predicate, t.object, name) for t in dict.fromkeys(triples(stats, named=derived))]


# -- read back ---------------------------------------------------------------------------------

def _index(found: Iterable[Triple]) -> dict[str, dict[str, list[ox.NamedNode | ox.Literal | ox.BlankNode]]]:
    index: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for t in found:
        index[str(t.subject)][t.predicate.value].append(t.object)
    return index


def _one(props: Mapping[str, list], name: str) -> int:
    values = props.get(str(VOID[name])) or [None]
    return int(values[0].value) if values[0] is not None else 0


def _figures_of(index: Mapping[str, Mapping[str, list]], subject: str) -> Figures:
    props = index.get(subject, {})
    classes, properties, usage = {}, {}, {}
    for partition in props.get(str(VOID.classPartition), []):
        part = index.get(str(partition), {})
        cls = part[str(VOID["class"])][0].value
        if str(VOID.entities) in part:
            classes[cls] = _one(part, "entities")
        uses = {}
        for sub in part.get(str(VOID.propertyPartition), []):
            sub_props = index.get(str(sub), {})
            targets = {index[str(n)][str(VOID["class"])][0].value: _one(index[str(n)], "triples")
                       for n in sub_props.get(str(VOID.classPartition), [])}
            datatypes = {index[str(n)][str(VOID_EXT.datatype)][0].value: _one(index[str(n)], "triples")
                         for n in sub_props.get(str(VOID_EXT.datatypePartition), [])}
            uses[sub_props[str(VOID.property)][0].value] = Usage(_one(sub_props, "triples"), targets, datatypes)
        if uses:
            usage[cls] = uses
    for partition in props.get(str(VOID.propertyPartition), []):
        part = index.get(str(partition), {})
        properties[part[str(VOID.property)][0].value] = _one(part, "triples")
    return Figures(_one(props, "triples"), _one(props, "entities"), _one(props, "distinctSubjects"),
                   _one(props, "distinctObjects"), classes, properties, usage)


def read(found: Iterable[Triple]) -> Statistics:
    """The statistics a VoID description made by `triples` states; ValueError when it is not one."""
    index = _index(found)
    dataset, description = str(ox.NamedNode(str(DATASET))), index.get(str(DESCRIPTION), {})
    try:
        generation = int(index[dataset][str(SCHEMA.version)][0].value)
        made = instant(description[str(DCTERMS.created)][0].value)
    except (KeyError, IndexError, ValueError) as error:
        raise ValueError(f"not the VoID of our statistics: {error}") from None
    modified = index[dataset].get(str(DCTERMS.modified))
    graphs = {g.value: _figures_of(index, str(g)) for g in index[dataset].get(str(VOID.subset), [])}
    about = {graph: [(p, str(o)) for p, values in index.get(str(ox.NamedNode(graph)), {}).items()
                     for o in values if p in ABOUT] for graph in graphs}
    return Statistics(generation, made, _figures_of(index, dataset), dict(sorted(graphs.items())),
                      {g: sorted(pairs) for g, pairs in about.items() if pairs},
                      instant(modified[0].value) if modified else None)


def stored_in(store: Any) -> Statistics | None:
    """The statistics kept in a store's (or a remote engine's) `graph/void`; None when there are none."""
    name = ox.NamedNode(str(VOID_GRAPH))
    found = list(store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {name} {{ ?s ?p ?o }} }}"))
    try:
        return read(found) if found else None
    except (ValueError, KeyError, IndexError):
        return None


def stamp(store: Any) -> tuple[int, str] | None:
    """The generation the store's `graph/void` describes and when it was made; None without one."""
    rows = list(store.query(
        f"SELECT ?version ?made WHERE {{ GRAPH <{VOID_GRAPH}> {{ <{DATASET}> <{SCHEMA.version}> ?version . "
        f"<{VOID_GRAPH}> <{DCTERMS.created}> ?made }} }}"))
    return (int(rows[0]["version"].value), instant(rows[0]["made"].value)) if len(rows) == 1 else None


def instant(text: str) -> str:
    """A time as `Statistics.made` writes it, however the engine spelt it (`Z` or `+00:00`)."""
    return datetime.datetime.fromisoformat(text).astimezone(datetime.UTC).isoformat(timespec="seconds")

