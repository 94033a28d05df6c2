"""The answer an entity page leads with: a summary for the entity's type, as plain data.

- a condition: its causal genes, inheritance, frequency, other names, identifiers, and the
  number of HPO's annotations;
- a gene: its protein, conditions and location;
- a phenotype: its definition, parents, and how many diseases and genes HPO annotates with it;
- an association (or a reified statement): what it states, in words, and its parts.

`summarize(store, iri)` reads it with a few small queries, each bounded by the entity's own
edges (and its exact matches'): no query scans the graph. Each field names the named graphs
its facts come from, and the summary the releases of those graphs. `Summary.as_json()` is the
form other clients (the MCP tools) get.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kg.store import Store
from ontology import BIOLINK, DCTERMS, DEFINITION, KG, OBO, OBO_IN_OWL, RDF, RDFS, SKOS

from .names import (
    ASSOCIATIONS,
    STATEMENT,
    Association,
    Node,
    Release,
    associations,
    names,
    node,
    releases,
    values,
)

CONDITIONS = frozenset({str(KG.Condition), str(BIOLINK.Disease)})
GENES = frozenset({str(KG.Gene), str(BIOLINK.Gene)})
PHENOTYPES = frozenset({str(KG.ClinicalFeature)})
HPO_TERM = str(OBO["HP_"])
DISEASE_ASSOCIATION = str(BIOLINK.DiseaseToPhenotypicFeatureAssociation)
GENE_ASSOCIATION = str(BIOLINK.GeneToPhenotypicFeatureAssociation)
MAX_VALUES = 50  # values a field lists; its count says how many there are


@dataclass(frozen=True)
class Field:
    """One line of a summary: a title, its values (or only a count), and where they come from."""

    key: str
    title: str
    values: tuple[Node, ...] = ()
    count: int | None = None  # how many, when the values are not listed (or not all)
    graphs: tuple[str, ...] = ()
    within: tuple[str, str, str] | None = None  # (entity, predicate, incoming/outgoing): the list counted

    def as_json(self, sources: Mapping[str, Release]) -> dict[str, Any]:
        return {"title": self.title, "values": [v.as_json() for v in self.values],
                **({"count": self.count} if self.count is not None else {}),
                **({"list": dict(zip(("iri", "predicate", "direction"), self.within, strict=True))} if self.within else {}),
                "sources": [sources[g].name if g in sources else g for g in self.graphs]}


@dataclass(frozen=True)
class Summary:
    iri: str
    kind: str  # condition, gene, phenotype or association
    label: str | None
    fields: tuple[Field, ...]
    statement: str | None = None  # an association's meaning, in words
    sources: tuple[Release, ...] = ()

    def field(self, key: str) -> Field | None:
        return next((f for f in self.fields if f.key == key), None)

    def as_json(self) -> dict[str, Any]:
        by_graph = {release.graph: release for release in self.sources}
        return {"iri": self.iri, "kind": self.kind, "label": self.label,
                **({"statement": self.statement} if self.statement else {}),
                "fields": {f.key: f.as_json(by_graph) for f in self.fields},
                "sources": [release.as_json() for release in self.sources]}


# -- reading -----------------------------------------------------------------------------------

Found = list[tuple[ox.NamedNode | ox.Literal, str]]  # (value, the graph it is in)


def _iri(term: object) -> str:
    return str(ox.NamedNode(str(term)))


def _found(store: Store, where: str) -> Found:
    """(?v, ?g) for a pattern that binds both, each pair once, in a stable order."""
    rows = store.query(f"SELECT DISTINCT ?v ?g WHERE {{ {where} }}")
    return sorted(((row["v"], row["g"].value) for row in rows if not isinstance(row["v"], ox.BlankNode)),
                  key=lambda pair: (pair[0].value, pair[1]))


def _count(store: Store, where: str) -> tuple[int, tuple[str, ...]]:
    """The number of distinct ?v, and the graphs they are found in."""
    found = _found(store, where)
    return len({value for value, _ in found}), tuple(sorted({graph for _, graph in found}))


def _busiest(store: Store, where: str) -> str | None:
    """The ?x with the most distinct ?v (the entity whose list a count links to)."""
    rows = store.query(f"SELECT ?x (COUNT(DISTINCT ?v) AS ?n) WHERE {{ {where} }} GROUP BY ?x ORDER BY DESC(?n) ?x LIMIT 1")
    return next((row["x"].value for row in rows), None)


def _is(variable: str, value: object) -> str:
    """A constant as a filter: a constant in a pattern can make the engine start from it."""
    return f"FILTER({variable} = {_iri(value)})"


def _out(subjects: Iterable[str], predicate: object) -> str:
    return f"VALUES ?x {{ {values(subjects)} }} GRAPH ?g {{ ?x {_iri(predicate)} ?v }}"


def _types(store: Store, iri: str) -> set[str]:
    return {row["t"].value for row in store.query(f"SELECT ?t WHERE {{ {_iri(iri)} {_iri(RDF.type)} ?t }}")}


def _matches(store: Store, iri: str) -> list[str]:
    """The entity and its exact matches, either way."""
    match = _iri(SKOS.exactMatch)
    rows = store.query(f"SELECT DISTINCT ?m WHERE {{ {{ {_iri(iri)} {match} ?m }} UNION {{ ?m {match} {_iri(iri)} }} "
                       "FILTER(isIRI(?m)) }")
    return [iri, *sorted(row["m"].value for row in rows if row["m"].value != iri)]


def _distinct_entities(store: Store, found: Found) -> Found:
    """`found` without the IRIs that are an exact match of one listed before them."""
    iris = [value.value for value, _ in found if isinstance(value, ox.NamedNode)]
    if len(set(iris)) < 2:
        return found
    pairs = {(row["a"].value, row["b"].value) for row in store.query(
        f"SELECT ?a ?b WHERE {{ VALUES ?a {{ {values(set(iris))} }} ?a {_iri(SKOS.exactMatch)} ?b }}")}
    kept: list[str] = []
    for iri in sorted(set(iris), key=iris.index):
        if not any((iri, other) in pairs or (other, iri) in pairs for other in kept):
            kept.append(iri)
    return [(value, graph) for value, graph in found if not isinstance(value, ox.NamedNode) or value.value in kept]


def _field(key: str, title: str, found: Found, count: int | None = None) -> Field:
    """A field listing the distinct values found (at most MAX_VALUES), in their order."""
    seen: dict[str, Node] = {}
    for value, _ in found:
        seen.setdefault(value.value, node(value))
    listed = tuple(seen.values())
    total = count if count is not None else (len(listed) if len(listed) > MAX_VALUES else None)
    return Field(key, title, listed[:MAX_VALUES], total, tuple(sorted({graph for _, graph in found})))


# -- one reader per kind -----------------------------------------------------------------------

def _condition(store: Store, iri: str) -> list[Field]:
    matches = _matches(store, iri)
    diseases = f"VALUES ?d {{ {values(matches)} }}"
    genes = _found(store, f"{diseases} {{ GRAPH ?g {{ ?v {_iri(KG.causes)} ?d }} }} UNION {{ GRAPH ?g {{ "
                          f"?a {_iri(BIOLINK.disease_context_qualifier)} ?d ; {_iri(BIOLINK.subject)} ?v }} }}")
    inheritance = _found(store, f"{diseases} {{ GRAPH ?g {{ ?d {_iri(KG.hasModeOfInheritance)} ?v }} }} UNION "
                                f"{{ GRAPH ?g {{ ?a {_iri(BIOLINK.subject)} ?d ; {_iri(KG.aspect)} ?aspect ; "
                                f"{_iri(BIOLINK.object)} ?v }} FILTER(?aspect = \"I\") }}")
    other_names = _found(store, f"VALUES ?x {{ {_iri(iri)} }} GRAPH ?g {{ ?x {_iri(SKOS.altLabel)} ?v }}")
    other_names += [(v, g) for v, g in _found(store, _out(matches[1:], RDFS.label))] if len(matches) > 1 else []
    identifiers = _found(store, _out([iri], DCTERMS.identifier)) + _found(store, _out([iri], SKOS.exactMatch))
    annotated = (f"VALUES ?x {{ {values(matches)} }} GRAPH ?g {{ ?v {_iri(BIOLINK.subject)} ?x ; {_iri(RDF.type)} ?t }} "
                 f"{_is('?t', DISEASE_ASSOCIATION)}")
    annotations, graphs = _count(store, annotated)
    busiest = _busiest(store, annotated)
    return [_field("genes", "Causal genes", _distinct_entities(store, genes)),
            _field("inheritance", "Inheritance", _distinct_entities(store, inheritance)),
            _field("frequency", "Frequency", _found(store, _out([iri], KG.hasFrequency))),
            _field("names", "Other names", other_names),
            _field("identifiers", "Identifiers", identifiers),
            Field("annotations", "HPO annotations", (), annotations, graphs,
                  (busiest, str(BIOLINK.subject), "incoming") if busiest else None)]


def _gene(store: Store, iri: str) -> list[Field]:
    matches = _matches(store, iri)
    conditions = _found(store, f"VALUES ?x {{ {values(matches)} }} {{ GRAPH ?g {{ ?x {_iri(KG.causes)} ?v }} }} "
                               f"UNION {{ GRAPH ?g {{ ?a {_iri(BIOLINK.subject)} ?x ; "
                               f"{_iri(BIOLINK.disease_context_qualifier)} ?v }} }}")
    location = _found(store, _out(matches, KG.chromosome)) + _found(store, _out(matches, KG.cytogeneticLocation))
    annotated = (f"VALUES ?x {{ {values(matches)} }} GRAPH ?g {{ ?a {_iri(BIOLINK.subject)} ?x ; {_iri(RDF.type)} ?t ; "
                 f"{_iri(BIOLINK.object)} ?v }} {_is('?t', GENE_ASSOCIATION)}")
    phenotypes, graphs = _count(store, annotated)
    busiest = _busiest(store, annotated)
    return [_field("protein", "Protein", _found(store, _out(matches, KG.encodes))),
            _field("conditions", "Conditions", _distinct_entities(store, conditions)),
            _field("location", "Location", location),
            Field("phenotypes", "HPO phenotypes", (), phenotypes, graphs,
                  (busiest, str(BIOLINK.subject), "incoming") if busiest else None)]


def _annotated(store: Store, iri: str) -> dict[str, tuple[int, tuple[str, ...]]]:
    """Per association class, how many distinct subjects have an association whose object is
    `iri`, and in which graphs: one pass over the term's own associations."""
    rows = store.query(f"""SELECT ?t ?g (COUNT(DISTINCT ?v) AS ?n) WHERE {{
        GRAPH ?g {{ ?a {_iri(BIOLINK.object)} {_iri(iri)} ; {_iri(BIOLINK.subject)} ?v ; {_iri(RDF.type)} ?t }} }}
        GROUP BY ?t ?g""")
    found: dict[str, tuple[int, tuple[str, ...]]] = {}
    for row in rows:
        count, graphs = found.get(row["t"].value, (0, ()))
        found[row["t"].value] = (count + int(row["n"].value), tuple(sorted({*graphs, row["g"].value})))
    return found


def _phenotype(store: Store, iri: str) -> list[Field]:
    annotated = _annotated(store, iri)
    diseases, disease_graphs = annotated.get(DISEASE_ASSOCIATION, (0, ()))
    curated, curated_graphs = _count(store, f"GRAPH ?g {{ ?v {_iri(KG.hasPhenotype)} {_iri(iri)} }}")
    genes, gene_graphs = annotated.get(GENE_ASSOCIATION, (0, ()))
    return [_field("definition", "Definition", _found(store, _out([iri], DEFINITION))),
            _field("parents", "Parents", _found(store, _out([iri], RDFS.subClassOf))),
            _field("synonyms", "Synonyms", _found(store, _out([iri], OBO_IN_OWL.hasExactSynonym))),
            Field("diseases", "Diseases", (), diseases + curated, tuple(sorted({*disease_graphs, *curated_graphs})),
                  (iri, str(BIOLINK.object), "incoming") if diseases else None),
            Field("genes", "Genes", (), genes, gene_graphs, (iri, str(BIOLINK.object), "incoming") if genes else None)]


def _association_fields(meaning: Association, graphs: tuple[str, ...]) -> list[Field]:
    def one(key: str, title: str, value: str | None) -> list[Field]:
        if not value:
            return []
        term = ox.Literal(value) if key in meaning.literals or "://" not in value else ox.NamedNode(value)
        return [Field(key, title, (node(term),), None, graphs)]

    fields = [*one("subject", "Subject", meaning.subject), *one("predicate", "Predicate", meaning.predicate),
              *one("object", "Object", meaning.object), *one("frequency", "Frequency", meaning.frequency),
              *one("evidence", "Evidence", meaning.evidence), *one("context", "Seen in", meaning.context)]
    if meaning.negated:
        fields.append(Field("negated", "Negated", (node(ox.Literal(True)),), None, graphs))
    if meaning.references:
        fields.append(Field("references", "References", tuple(node(ox.NamedNode(r)) for r in meaning.references),
                            None, graphs))
    return fields


READERS = {"condition": _condition, "gene": _gene, "phenotype": _phenotype}


def kind_of(iri: str, types: set[str]) -> str | None:
    """Which summary an entity gets, from its types (an HPO term is a phenotype)."""
    if types & (ASSOCIATIONS | {STATEMENT}):
        return "association"
    for kind, classes in (("condition", CONDITIONS), ("gene", GENES), ("phenotype", PHENOTYPES)):
        if types & classes:
            return kind
    return "phenotype" if iri.startswith(HPO_TERM) and types else None


BY_CURIE = frozenset({"identifiers", "references"})  # fields whose IRIs are shown as CURIEs, not by name


def _with_names(store: Store, fields: list[Field], sources: Mapping[str, Release], seen_from: str) -> list[Field]:
    iris = {v.value for f in fields if f.key not in BY_CURIE for v in f.values if v.kind == "iri"}
    named = names(store, iris, seen_from=seen_from, sources=sources)
    return [Field(f.key, f.title, tuple(Node(v.kind, v.value, named.get(v.value), v.datatype, v.language)
                                        for v in f.values), f.count, f.graphs, f.within)
            for f in fields if f.values or f.count]


def summarize(store: Store, iri: str) -> Summary | None:
    """The summary of the entity at `iri`, or None when its types call for none."""
    kind = kind_of(iri, _types(store, iri))
    if kind is None:
        return None
    sources = releases(store)
    statement = None
    if kind == "association":
        meaning = associations(store, [iri], sources).get(iri)
        if meaning is None:
            return None
        fields = _association_fields(meaning, (meaning.graph,) if meaning.graph else ())
        named = names(store, meaning.iris(), sources=sources)
        statement = meaning.words(named)
    else:
        fields = READERS[kind](store, iri)
    fields = _with_names(store, fields, sources, iri)
    used = sorted({g for f in fields for g in f.graphs})
    label = names(store, [iri], sources=sources).get(iri)
    return Summary(iri, kind, label, tuple(fields), statement, tuple(sources[g] for g in used if g in sources))
