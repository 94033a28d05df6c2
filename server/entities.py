"""One entity described: its summary, its facts both ways with their provenance and releases,
the saved-query sections for its types, the paged lists of its facts, and the triples an RDF
client gets.

Read from the durable store (the union of all graphs) with a few small queries per entity,
each bounded by the entity's own edges: counts of what points at it, at most SORT_LIMIT names
per list, a fixed number of samples. The description is plain data, so the HTML page, the
picture, the RDF forms and other clients all draw on it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.saved_queries import SavedQuery
from kg.store import Store
from ontology import DCTERMS, KG, PROV, RDF, RDFS, SKOS

from .names import Node, Release, names, node, releases, values
from .summary import Summary, summarize
from .tables import PAGE_ROWS, SHOWN_ROWS, Table, table

__all__ = ["Entity", "Fact", "Incoming", "Listing", "Node", "Section", "Table", "describe", "listing", "section",
           "triples"]

INCOMING_SAMPLES = 12  # subjects shown per incoming predicate; the count and a link give the rest
VALUES_SHOWN = 10  # objects shown per outgoing predicate
OUTGOING_LIMIT = 5000  # outgoing facts read for a page (none of ours has more)
INCOMING_TRIPLES = 1000  # incoming triples an RDF client gets (a class can have a million instances)
LIST_PAGE = 100  # items per page of a paged list
SORT_LIMIT = 500  # a list up to this long is sorted by name; a longer one comes in the engine's order
COUNT_LIMIT = 100_000  # incoming triples counted for a page; past it, counts are "at least"
RDF_TYPE, RDFS_LABEL, ALT_LABEL = str(RDF.type), str(RDFS.label), str(SKOS.altLabel)
LINK_PREDICATES = (str(SKOS.exactMatch), str(KG.xref))
REIFICATION = tuple(str(RDF[name]) for name in ("subject", "predicate", "object"))
DIRECTIONS = ("incoming", "outgoing")


def _iri(term: object) -> str:
    return str(ox.NamedNode(str(term)))


@dataclass(frozen=True)
class Source:
    section: str
    title: str | None
    page: str | None


@dataclass
class Fact:
    predicate: Node
    object: Node
    sources: list[Source] = field(default_factory=list)
    graphs: tuple[str, ...] = ()


@dataclass
class Incoming:
    predicate: Node
    count: int
    subjects: list[Node]
    graphs: tuple[str, ...] = ()
    at_least: bool = False  # the count stopped at COUNT_LIMIT triples


@dataclass
class Entity:
    iri: str
    facts: list[Fact]
    incoming: list[Incoming]
    tables: list[Table] = field(default_factory=list)
    summary: Summary | None = None
    releases: dict[str, Release] = field(default_factory=dict)

    def _objects(self, predicate: str) -> list[Node]:
        return [f.object for f in self.facts if f.predicate.value == predicate]

    @property
    def node(self) -> Node:
        return Node("iri", self.iri, self.label)

    @property
    def label(self) -> str | None:
        labels = self._objects(RDFS_LABEL)
        preferred = [n for n in labels if n.language in (None, "en")] or labels
        return preferred[0].value if preferred else (self.summary.label if self.summary else None)

    @property
    def types(self) -> list[Node]:
        return self._objects(RDF_TYPE)

    @property
    def synonyms(self) -> list[str]:
        return sorted(n.value for n in self._objects(ALT_LABEL))

    @property
    def links(self) -> list[str]:
        """External pages for this entity: its own IRI when external, and its matches."""
        own = [] if self.node.ours else [self.iri]
        return own + sorted({n.value for p in LINK_PREDICATES for n in self._objects(p) if n.kind == "iri"})

    def groups(self) -> list[tuple[Node, list[Fact], tuple[str, ...]]]:
        """The outgoing facts by predicate, in the order they were read, with their graphs."""
        found: dict[str, tuple[Node, list[Fact]]] = {}
        for fact in self.facts:
            found.setdefault(fact.predicate.value, (fact.predicate, []))[1].append(fact)
        return [(predicate, facts, tuple(sorted({g for f in facts for g in f.graphs})))
                for predicate, facts in found.values()]

    def sources(self, graphs: tuple[str, ...]) -> list[Release]:
        """The releases of `graphs` the metadata graph describes, each label once."""
        found = {self.releases[g].label: self.releases[g] for g in graphs if g in self.releases}
        return list(found.values())


def _provenance(store: Store, subject: str) -> dict[tuple[str, str], list[Source]]:
    rows = store.query(f"""SELECT ?p ?o ?source ?title ?page WHERE {{
        ?st {_iri(RDF.subject)} {_iri(subject)} ; {_iri(RDF.predicate)} ?p ; {_iri(RDF.object)} ?o ;
            {_iri(PROV.wasDerivedFrom)} ?source .
        OPTIONAL {{ ?source {_iri(DCTERMS.title)} ?title }} OPTIONAL {{ ?source {_iri(DCTERMS.isPartOf)} ?page }} }}""")
    found: dict[tuple[str, str], list[Source]] = defaultdict(list)
    for row in rows:
        title, page = row["title"], row["page"]
        source = Source(row["source"].value, title.value if title else None, page.value if page else None)
        if source not in found[(row["p"].value, row["o"].value)]:
            found[(row["p"].value, row["o"].value)].append(source)
    return found


def _facts(store: Store, iri: str, sources: dict[tuple[str, str], list[Source]]) -> list[Fact]:
    """Each (predicate, object) once, with every graph that states it."""
    rows = store.query(f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ {_iri(iri)} ?p ?o }} }} ORDER BY ?p ?o ?g "
                       f"LIMIT {OUTGOING_LIMIT}")
    found: dict[tuple[str, str], tuple[ox.NamedNode, object, list[str]]] = {}
    for row in rows:
        entry = found.setdefault((row["p"].value, str(row["o"])), (row["p"], row["o"], []))
        entry[2].append(row["g"].value)
    named = names(store, {p.value for p, _, _ in found.values()} |
                  {o.value for _, o, _ in found.values() if isinstance(o, ox.NamedNode)}, seen_from=iri)
    return [Fact(node(p, named.get(p.value)), node(o, named.get(o.value) if isinstance(o, ox.NamedNode) else None),
                 sources.get((p.value, o.value), []), tuple(dict.fromkeys(graphs)))
            for p, o, graphs in found.values()]


def _ordered(store: Store, iri: str, predicate: str, incoming: bool, count: int, start: int, size: int) -> list[Node]:
    """`size` of the nodes linked to `iri` by `predicate` from `start`: by name when there are
    at most SORT_LIMIT of them, else in the engine's order (stable for a version of the store)."""
    pattern = _pattern(iri, predicate, incoming)
    window = (0, SORT_LIMIT) if count <= SORT_LIMIT else (start, size)
    rows = store.query(f"SELECT DISTINCT ?n WHERE {{ {pattern} }} LIMIT {window[1]} OFFSET {window[0]}")
    terms = [row["n"] for row in rows]
    named = names(store, {t.value for t in terms if isinstance(t, ox.NamedNode)}, seen_from=iri)
    nodes = [node(t, named.get(t.value) if isinstance(t, ox.NamedNode) else None) for t in terms]
    if count <= SORT_LIMIT:
        nodes = sorted(nodes, key=lambda n: (n.text.casefold(), n.value))[start:start + size]
    return nodes


def _pattern(iri: str, predicate: str, incoming: bool, variable: str = "?n") -> str:
    return f"{variable} {_iri(predicate)} {_iri(iri)}" if incoming else f"{_iri(iri)} {_iri(predicate)} {variable}"


def _graphs(store: Store, iri: str, predicate: str, incoming: bool) -> tuple[str, ...]:
    """The named graphs with at least one such triple: one lookup per graph, never a scan."""
    rows = store.query(f"SELECT ?g WHERE {{ VALUES ?g {{ {values(store.graphs())} }} "
                       f"FILTER EXISTS {{ GRAPH ?g {{ {_pattern(iri, predicate, incoming)} }} }} }} ORDER BY ?g")
    return tuple(row["g"].value for row in rows)


def _incoming(store: Store, iri: str) -> list[Incoming]:
    """Per predicate, how many subjects point at the entity (read from at most COUNT_LIMIT
    triples), a few of them, and the graphs they are in."""
    skip = ", ".join(_iri(p) for p in REIFICATION)
    rows = list(store.query(f"SELECT ?p (COUNT(DISTINCT ?s) AS ?n) (COUNT(*) AS ?read) WHERE {{ {{ SELECT ?s ?p WHERE "
                            f"{{ ?s ?p {_iri(iri)} }} LIMIT {COUNT_LIMIT + 1} }} FILTER(?p NOT IN ({skip})) }} GROUP BY ?p"))
    capped = sum(int(row["read"].value) for row in rows) > COUNT_LIMIT
    counts = {row["p"].value: int(row["n"].value) for row in rows}
    named = names(store, counts)
    return [Incoming(Node("iri", p, named.get(p)), count, _ordered(store, iri, p, True, count, 0, INCOMING_SAMPLES),
                     _graphs(store, iri, p, True), capped) for p, count in sorted(counts.items())]


def describe(store: Store, iri: str, sections: tuple[SavedQuery, ...] = (), rows: int = SHOWN_ROWS) -> Entity | None:
    """The entity's summary, facts, incoming facts, and the answers of the saved queries with a
    section for one of its types (the first `rows` merged rows of each); None when the graph
    says nothing about it."""
    facts = _facts(store, iri, _provenance(store, iri))
    incoming = _incoming(store, iri)
    if not facts and not incoming:
        return None
    types = {fact.object.value for fact in facts if fact.predicate.value == RDF_TYPE}
    tables = [table(store, query, iri, size=rows) for query in sections
              if query.section and types & set(query.section.types)]
    return Entity(iri, facts, incoming, tables, summarize(store, iri), releases(store))


@dataclass(frozen=True)
class Listing:
    """One page of the nodes linked to an entity by one predicate, one way."""

    entity: Node
    predicate: Node
    direction: str  # incoming (the nodes point at the entity) or outgoing
    count: int
    page: int
    size: int
    items: tuple[Node, ...]
    releases: tuple[Release, ...] = ()
    at_least: bool = False  # more than COUNT_LIMIT: the count and the pages are a floor

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.size), self.page + (len(self.items) == self.size and self.at_least))


def listing(store: Store, iri: str, predicate: str, direction: str, page: int, size: int = LIST_PAGE) -> Listing:
    """Page `page` (from 1) of the nodes linked to `iri` by `predicate`, `direction` one of
    DIRECTIONS; counted up to COUNT_LIMIT."""
    incoming = direction == "incoming"
    [row] = store.query(f"SELECT (COUNT(DISTINCT ?n) AS ?count) WHERE {{ {{ SELECT ?n WHERE "
                        f"{{ {_pattern(iri, predicate, incoming)} }} LIMIT {COUNT_LIMIT + 1} }} }}")
    count = int(row["count"].value)
    named = names(store, [iri, predicate])
    items = _ordered(store, iri, predicate, incoming, count, (page - 1) * size, size) if count else []
    known = releases(store)
    return Listing(Node("iri", iri, named.get(iri)), Node("iri", predicate, named.get(predicate)), direction, count,
                   page, size, tuple(items), tuple(known[g] for g in _graphs(store, iri, predicate, incoming) if g in known),
                   count > COUNT_LIMIT)


@dataclass(frozen=True)
class Section:
    """A page of a section's merged rows, for one entity."""

    entity: Node
    table: Table
    releases: tuple[Release, ...]


def section(store: Store, iri: str, query: SavedQuery, page: int) -> Section | None:
    """Page `page` of a saved query's section for the entity, its rows merged; None when the
    entity is not of a type the section is for."""
    assert query.section is not None
    types = {row["t"].value for row in store.query(f"SELECT ?t WHERE {{ {_iri(iri)} {_iri(RDF.type)} ?t }}")}
    if not types & set(query.section.types):
        return None
    known = releases(store)
    return Section(Node("iri", iri, names(store, [iri]).get(iri)), table(store, query, iri, page, PAGE_ROWS),
                   tuple(known[g] for g in query.section.sources if g in known))


def triples(store: Store, iri: str) -> list[ox.Triple]:
    """What an RDF client gets: the entity's triples, its blank nodes' triples, at most
    INCOMING_TRIPLES triples that point at it, and the labels of its neighbours."""
    subject, label = _iri(iri), _iri(RDFS.label)
    return list(store.query(f"""CONSTRUCT {{
          {subject} ?p ?o . ?o ?p2 ?o2 . ?s ?q {subject} . ?o {label} ?ol . ?s {label} ?sl }}
        WHERE {{
          {{ {subject} ?p ?o
             OPTIONAL {{ FILTER(isBlank(?o)) ?o ?p2 ?o2 }}
             OPTIONAL {{ FILTER(isIRI(?o)) ?o {label} ?ol }} }}
          UNION
          {{ {{ SELECT ?s ?q WHERE {{ ?s ?q {subject} }} LIMIT {INCOMING_TRIPLES} }}
             OPTIONAL {{ ?s {label} ?sl }} }}
        }}"""))
