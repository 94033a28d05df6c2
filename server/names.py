"""What a page calls a term: its label, or, for a node that has none, what it means.

Association nodes (HPO's `biolink:*Association`) and reified statements (`rdf:Statement`)
have hash IRIs and no label; they are named by what they state, e.g. "HPO: Neutropenia, 39/61,
PCS, PMID:9255191" — said from the side of the entity whose page shows it (the disease's page
names the phenotype, the phenotype's page the disease). Everything is looked up for a batch of
IRIs at once: a few queries per page whatever the number of nodes, each bounded by the batch.

The named graphs' releases (title and version, from the metadata graph) are read here too, so
that a page can say which release each fact comes from.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.store import Store
from ontology import BASE, BIOLINK, DCTERMS, GRAPH, KG, RDF, RDFS, SCHEMA, VOID
from ontology.identifiers import compress

ASSOCIATIONS = frozenset(str(BIOLINK[name]) for name in (
    "DiseaseToPhenotypicFeatureAssociation", "GeneToPhenotypicFeatureAssociation"))
STATEMENT = str(RDF.Statement)
CURIE_SPELLING = {"pubmed": "PMID", "omim": "OMIM"}  # the spelling HPO's own files use
SHOWN_REFERENCES = 3  # references named in a meaning; the rest are counted
METADATA = str(GRAPH["metadata"])


def _iri(term: object) -> str:
    return str(ox.NamedNode(str(term)))


def values(iris: Iterable[str]) -> str:
    """A VALUES row of IRIs, each checked by the engine's own term type."""
    return " ".join(str(ox.NamedNode(iri)) for iri in iris)


def display_curie(iri: str) -> str | None:
    """The CURIE a reader expects (PMID:9255191, OMIM:308230), or None."""
    curie = compress(iri)
    if curie is None:
        return None
    prefix, _, local = curie.partition(":")
    return f"{CURIE_SPELLING.get(prefix, prefix)}:{local}"


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
        return display_curie(self.value) if self.kind == "iri" else None

    @property
    def text(self) -> str:
        return self.label or self.curie or self.value

    @property
    def ours(self) -> bool:
        return self.kind == "iri" and self.value.startswith(BASE)

    def as_json(self) -> dict[str, str]:
        if self.kind != "iri":
            return {"value": self.value, **({"language": self.language} if self.language else {}),
                    **({"datatype": self.datatype} if self.datatype else {})}
        return {"iri": self.value, "label": self.text, **({"curie": self.curie} if self.curie else {})}


def node(term: ox.NamedNode | ox.BlankNode | ox.Literal, label: str | None = None) -> Node:
    if isinstance(term, ox.Literal):
        datatype = None if term.language else term.datatype.value
        return Node("literal", term.value, None, datatype, term.language)
    return Node("bnode" if isinstance(term, ox.BlankNode) else "iri", term.value, label)


# -- releases ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Release:
    """A named graph as its load recorded it: what it is, and which version of its source."""

    graph: str
    title: str | None = None
    version: str | None = None

    @property
    def name(self) -> str:
        title = self.title or compress(self.graph) or self.graph
        return title if not self.version or self.version in title else f"{title}, version {self.version}"

    @property
    def short(self) -> str:
        """The source's acronym when its title starts with one (HPO), else the title up to its
        first comma or " of " (Human Phenotype Ontology, Curated facts)."""
        title = self.title or self.name
        first = title.split(" ", 1)[0].rstrip(",")
        if len(first) > 1 and first.isalpha() and first.isupper():
            return first
        return title.split(",", 1)[0].split(" of ", 1)[0]

    @property
    def label(self) -> str:
        """The short name with the version: HPO 2025-01-16."""
        return f"{self.short} {self.version}" if self.version else self.short

    def as_json(self) -> dict[str, str | None]:
        return {"graph": self.graph, "name": self.name, "label": self.label, "version": self.version}


def releases(store: Store) -> dict[str, Release]:
    """Every named graph the metadata graph describes, with its title and version."""
    rows = store.query(f"""SELECT ?g (SAMPLE(?t) AS ?title) (SAMPLE(?v) AS ?version) WHERE {{
        GRAPH {_iri(METADATA)} {{ ?g a {_iri(VOID.Dataset)}
          OPTIONAL {{ ?g {_iri(DCTERMS.title)} ?t }} OPTIONAL {{ ?g {_iri(SCHEMA.version)} ?v }} }} }} GROUP BY ?g""")
    return {row["g"].value: Release(row["g"].value, row["title"].value if row["title"] else None,
                                    row["version"].value if row["version"] else None) for row in rows}


# -- labels and meanings -----------------------------------------------------------------------

def labels(store: Store, iris: Iterable[str]) -> dict[str, str]:
    """The rdfs:label of each IRI that has one (English or untagged first)."""
    wanted = sorted(set(iris))
    found: dict[str, tuple[int, str]] = {}
    if not wanted:
        return {}
    for row in store.query(f"SELECT ?s ?l WHERE {{ VALUES ?s {{ {values(wanted)} }} ?s {_iri(RDFS.label)} ?l }}"):
        label = row["l"]
        rank = 0 if getattr(label, "language", None) in (None, "en") else 1
        key = row["s"].value
        if key not in found or (rank, label.value) < found[key]:
            found[key] = (rank, label.value)
    return {iri: text for iri, (_, text) in found.items()}


@dataclass
class Association:
    """What an association node or a reified statement says, gathered from its own triples."""

    iri: str
    kind: str  # the class: one of ASSOCIATIONS, or STATEMENT
    graph: str | None = None  # the named graph it is in
    source: str | None = None  # that graph's short name
    subject: str | None = None
    predicate: str | None = None
    object: str | None = None
    negated: bool = False
    frequency: str | None = None  # an HPO frequency term's IRI, or "n/m", or "p%"
    evidence: str | None = None
    references: list[str] = field(default_factory=list)
    context: str | None = None  # the disease a gene-phenotype association was seen in
    literals: set[str] = field(default_factory=set)  # the roles whose value is a literal, not an IRI

    def iris(self) -> set[str]:
        """The IRIs its words need names for."""
        roles = {"subject", "predicate", "object", "context", "frequency"} - self.literals
        return {value for role in roles if (value := getattr(self, role)) and "://" in value}

    def words(self, names: Mapping[str, str], seen_from: str | None = None) -> str:
        """The statement in words, leaving out the end that is `seen_from`."""
        def name(value: str) -> str:
            return names.get(value) or ("://" in value and display_curie(value)) or value

        subject, obj = name(self.subject or ""), ("not " if self.negated else "") + name(self.object or "")
        if self.kind == STATEMENT:
            parts = [f"{subject} {name(self.predicate or '')} {obj}"]
        elif seen_from is not None and seen_from == self.subject:
            parts = [obj]
        elif seen_from is not None and seen_from == self.object:
            parts = [subject + (" (not)" if self.negated else "")]
        else:
            parts = [f"{subject} → {obj}"]
        if self.frequency:
            parts.append(name(self.frequency))
        if self.evidence:
            parts.append(self.evidence)
        if self.context and self.context != seen_from:
            parts.append(f"in {name(self.context)}")
        references = [display_curie(r) or r for r in self.references]
        parts += references[:SHOWN_REFERENCES]
        if len(references) > SHOWN_REFERENCES:
            parts.append(f"+{len(references) - SHOWN_REFERENCES} more")
        source = self.source if self.source and self.kind != STATEMENT else None  # a statement's source is its section
        return (f"{source}: " if source else "") + ", ".join(parts)


ROLES = {str(BIOLINK.subject): "subject", str(BIOLINK.object): "object", str(BIOLINK.disease_context_qualifier): "context",
         str(RDF.subject): "subject", str(RDF.predicate): "predicate", str(RDF.object): "object",
         str(BIOLINK.frequency_qualifier): "frequency"}


def _read(association: Association, predicate: str, value: ox.NamedNode | ox.Literal, counts: dict[str, str]) -> None:
    if predicate in ROLES:
        setattr(association, ROLES[predicate], value.value)
        if isinstance(value, ox.Literal):
            association.literals.add(ROLES[predicate])
    elif predicate == str(BIOLINK.negated):
        association.negated = value.value == "true"
    elif predicate == str(KG.evidenceCode):
        association.evidence = value.value
    elif predicate == str(BIOLINK.publications):
        association.references.append(value.value)
    elif predicate in (str(BIOLINK.has_count), str(BIOLINK.has_total), str(BIOLINK.has_percentage)):
        counts[predicate.rsplit("/", 1)[-1]] = value.value


def _frequency(counts: Mapping[str, str]) -> str | None:
    if "has_count" in counts and "has_total" in counts:
        return f"{counts['has_count']}/{counts['has_total']}"
    return f"{counts['has_percentage']}%" if "has_percentage" in counts else None


def associations(store: Store, iris: Iterable[str], sources: Mapping[str, Release]) -> dict[str, Association]:
    """The association nodes and reified statements among `iris`, read from their own triples."""
    wanted = sorted({iri for iri in iris if iri.startswith(BASE)})
    if not wanted:
        return {}
    rows = list(store.query(f"SELECT ?a ?p ?o ?g WHERE {{ VALUES ?a {{ {values(wanted)} }} GRAPH ?g {{ ?a ?p ?o }} }}"))
    kinds = {(row["a"].value): (row["o"].value, row["g"].value) for row in rows
             if row["p"].value == str(RDF.type) and row["o"].value in ASSOCIATIONS | {STATEMENT}}
    found = {iri: Association(iri, kind, graph, sources[graph].short if graph in sources else None)
             for iri, (kind, graph) in kinds.items()}
    counts: dict[str, dict[str, str]] = defaultdict(dict)
    for row in rows:
        if (association := found.get(row["a"].value)) is not None and not isinstance(row["o"], ox.BlankNode):
            _read(association, row["p"].value, row["o"], counts[association.iri])
    for iri, association in found.items():
        association.frequency = association.frequency or _frequency(counts[iri])
        association.references.sort(key=lambda r: (len(r), r))  # PMID:9255191 before PMID:10228294
    return found


def names(store: Store, iris: Iterable[str], *, seen_from: str | None = None,
          sources: Mapping[str, Release] | None = None) -> dict[str, str]:
    """A name for each IRI that has one: its label, or the words of what it states."""
    wanted = set(iris)
    named = labels(store, wanted)
    unnamed = wanted - named.keys()
    meanings = associations(store, unnamed, releases(store) if sources is None else sources)
    needed = set().union(*(a.iris() for a in meanings.values())) - named.keys() if meanings else set()
    named.update(labels(store, needed))
    for iri, association in meanings.items():
        named[iri] = association.words(named, seen_from)
    return {iri: named[iri] for iri in wanted if iri in named}
