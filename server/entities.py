"""One entity described: its facts both ways, their provenance, and the triples an RDF client gets.

Read from the durable store (the union of all graphs), a few small queries per entity. The
description is plain data, so the HTML page, the picture and the RDF forms all draw on it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.saved_queries import SavedQuery
from kg.store import Store
from ontology import BASE
from ontology.identifiers import compress

INCOMING_SAMPLES = 12  # subjects shown per incoming predicate; the count tells the rest
INCOMING_TRIPLES = 1000  # incoming triples an RDF client gets (a class can have a million instances)
SECTION_ROWS = 100  # rows of a saved query shown on a page; the query itself gives them all
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"
RDF_TYPE = RDF + "type"
LINK_PREDICATES = ("http://www.w3.org/2004/02/skos/core#exactMatch", "https://w3id.org/higm-kg/vocab#xref")
REIFICATION = tuple(RDF + name for name in ("subject", "predicate", "object"))
PREFIXES = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


@dataclass(frozen=True)
class Node:
    """A term as a page shows it."""

    kind: str  # iri, literal or bnode
    value: str
    label: str | None = None
    datatype: str | None = None
    language: str | None = None

    @property
    def curie(self) -> str | None:
        return compress(self.value) if self.kind == "iri" else None

    @property
    def text(self) -> str:
        return self.label or self.curie or self.value

    @property
    def ours(self) -> bool:
        return self.kind == "iri" and self.value.startswith(BASE)


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


@dataclass
class Incoming:
    predicate: Node
    count: int
    subjects: list[Node]


@dataclass(frozen=True)
class Table:
    """A saved query's answer for one entity, as a page shows it."""

    title: str
    query: str  # the saved query's name
    parameter: str
    columns: tuple[str, ...]
    rows: list[tuple[Node | None, ...]]
    more: bool  # there are more than the rows shown


@dataclass
class Entity:
    iri: str
    facts: list[Fact]
    incoming: list[Incoming]
    tables: list[Table] = field(default_factory=list)

    def _objects(self, predicate: str) -> list[Node]:
        return [f.object for f in self.facts if f.predicate.value == predicate]

    @property
    def node(self) -> Node:
        return Node("iri", self.iri, self.label)

    @property
    def label(self) -> str | None:
        labels = self._objects(RDFS_LABEL)
        preferred = [n for n in labels if n.language in (None, "en")] or labels
        return preferred[0].value if preferred else None

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


def _node(term: ox.NamedNode | ox.BlankNode | ox.Literal, label: ox.Literal | None = None) -> Node:
    if isinstance(term, ox.Literal):
        datatype = None if term.language else term.datatype.value
        return Node("literal", term.value, None, datatype, term.language)
    kind = "bnode" if isinstance(term, ox.BlankNode) else "iri"
    return Node(kind, term.value, label.value if label is not None else None)


def _provenance(store: Store, subject: ox.NamedNode) -> dict[tuple[str, str], list[Source]]:
    rows = store.query(PREFIXES + f"""SELECT ?p ?o ?source ?title ?page WHERE {{
        ?st rdf:subject {subject} ; rdf:predicate ?p ; rdf:object ?o ; prov:wasDerivedFrom ?source .
        OPTIONAL {{ ?source dcterms:title ?title }} OPTIONAL {{ ?source dcterms:isPartOf ?page }} }}""")
    found: dict[tuple[str, str], list[Source]] = defaultdict(list)
    for row in rows:
        title, page = row["title"], row["page"]
        found[(row["p"].value, row["o"].value)].append(
            Source(row["source"].value, title.value if title else None, page.value if page else None))
    return found


def describe(store: Store, iri: str, sections: tuple[SavedQuery, ...] = ()) -> Entity | None:
    """The entity's facts, and the answers of the saved queries with a section for one of its
    types; None when the graph says nothing about it."""
    subject = ox.NamedNode(iri)
    sources = _provenance(store, subject)
    facts: dict[tuple[str, str], Fact] = {}
    for row in store.query(PREFIXES + f"""SELECT ?p ?o (SAMPLE(?pl) AS ?plabel) (SAMPLE(?ol) AS ?olabel) WHERE {{
            {subject} ?p ?o . OPTIONAL {{ ?p rdfs:label ?pl }} OPTIONAL {{ ?o rdfs:label ?ol }} }}
            GROUP BY ?p ?o ORDER BY ?p ?o"""):
        key = (row["p"].value, row["o"].value)
        facts[key] = Fact(_node(row["p"], row["plabel"]), _node(row["o"], row["olabel"]), sources.get(key, []))
    incoming = _incoming(store, subject)
    if not facts and not incoming:
        return None
    types = {fact.object.value for fact in facts.values() if fact.predicate.value == RDF_TYPE}
    tables = [_table(store, query, iri) for query in sections
              if query.section and types.intersection(query.section.types)]
    return Entity(iri, list(facts.values()), incoming, tables)


def _table(store: Store, query: SavedQuery, iri: str) -> Table:
    assert query.section is not None
    result = store.query(query.bind({query.section.parameter: iri}, limit=SECTION_ROWS + 1))
    names = [variable.value for variable in result.variables]
    rows = [tuple(None if row[name] is None else _node(row[name]) for name in names) for row in result]
    return Table(query.section.title, query.name, query.section.parameter, tuple(names), rows[:SECTION_ROWS],
                 len(rows) > SECTION_ROWS)


def _incoming(store: Store, subject: ox.NamedNode) -> list[Incoming]:
    skip = " ".join(str(ox.NamedNode(p)) for p in REIFICATION)
    counts = {row["p"].value: (int(row["n"].value), row["pl"]) for row in store.query(PREFIXES + f"""
        SELECT ?p (COUNT(DISTINCT ?s) AS ?n) (SAMPLE(?l) AS ?pl) WHERE {{
          ?s ?p {subject} FILTER(?p NOT IN ({skip.replace(' ', ', ')})) OPTIONAL {{ ?p rdfs:label ?l }} }}
        GROUP BY ?p ORDER BY ?p""")}
    groups = []
    for predicate, (count, label) in counts.items():
        rows = store.query(PREFIXES + f"""SELECT ?s (SAMPLE(?l) AS ?sl) WHERE {{
            ?s {ox.NamedNode(predicate)} {subject} OPTIONAL {{ ?s rdfs:label ?l }} }}
            GROUP BY ?s ORDER BY ?s LIMIT {INCOMING_SAMPLES}""")
        groups.append(Incoming(_node(ox.NamedNode(predicate), label), count,
                               [_node(row["s"], row["sl"]) for row in rows]))
    return groups


def triples(store: Store, iri: str) -> list[ox.Triple]:
    """What an RDF client gets: the entity's triples, its blank nodes' triples, at most
    INCOMING_TRIPLES triples that point at it, and the labels of its neighbours."""
    subject = ox.NamedNode(iri)
    return list(store.query(PREFIXES + f"""CONSTRUCT {{
          {subject} ?p ?o . ?o ?p2 ?o2 . ?s ?q {subject} . ?o rdfs:label ?ol . ?s rdfs:label ?sl }}
        WHERE {{
          {{ {subject} ?p ?o
             OPTIONAL {{ FILTER(isBlank(?o)) ?o ?p2 ?o2 }}
             OPTIONAL {{ FILTER(isIRI(?o)) ?o rdfs:label ?ol }} }}
          UNION
          {{ {{ SELECT ?s ?q WHERE {{ ?s ?q {subject} }} LIMIT {INCOMING_TRIPLES} }}
             OPTIONAL {{ ?s rdfs:label ?sl }} }}
        }}"""))
