"""What the search index knows of an entity, read from the graph: its names, CURIEs, definitions
and filter kinds.

Names are `rdfs:label` and the synonyms (`skos:altLabel`, and oboInOwl's exact, related, broad
and narrow synonyms, as HPO writes them). CURIEs are the entity's own (`dcterms:identifier` where
the graph gives one, else the IRI compressed with our prefix map) and the identifiers HPO gives
its terms (`oboInOwl:id`, `oboInOwl:hasAlternativeId`). Definitions are IAO's
(`obo:IAO_0000115`, as OBO ontologies write them) and `skos:definition` (our vocabulary's).
The filter kinds come from the entity's types: `kg:Condition`/`biolink:Disease` (HPO's OMIM and
Orphanet diseases) are conditions, and so on; HPO's terms are typed `owl:Class` only, so a term
under "Phenotypic abnormality" (HP:0000118) is a phenotype, while its inheritance or onset terms
are not. Only IRIs with a name, an identifier, a definition or a kind are entities here: the
association nodes of HPO's annotations have none and are left out.

Everything is read by SPARQL over the union of the graphs, so the embedded store and a remote
engine are read the same way.

>>> entity = Entity("http://purl.obolibrary.org/obo/HP_0001875", labels=["Neutropenia"],
...                 identifiers=["HP:0005515"], kinds={"phenotype"})
>>> entity.label, entity.curie, [(n.kind, n.text) for n in entity.names()]
('Neutropenia', 'HP:0001875', [('label', 'Neutropenia'), ('curie', 'HP:0001875'), ('curie', 'HP:0005515')])
>>> normalize("  Sjögren   SYNDROME ")
'sjogren syndrome'
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import pyoxigraph as ox

from ontology import (
    BIOLINK,
    DCTERMS,
    DEFINITION,
    DERIVED_GRAPHS,
    KG,
    OBO_IN_OWL,
    PHENOTYPIC_ABNORMALITY,
    RDF,
    RDFS,
    SKOS,
)
from ontology.identifiers import compress

Kind = Literal["condition", "gene", "protein", "phenotype", "publication"]
KINDS: tuple[str, ...] = get_args(Kind)
NameKind = Literal["label", "synonym", "curie", "definition"]
NAME_KINDS: tuple[str, ...] = get_args(NameKind)  # in the order they rank within one rank

KIND_OF_CLASS = {
    str(KG.Condition): "condition", str(BIOLINK.Disease): "condition",
    str(KG.Gene): "gene", str(BIOLINK.Gene): "gene",
    str(KG.Protein): "protein", str(BIOLINK.Protein): "protein",
    str(KG.ClinicalFeature): "phenotype", str(BIOLINK.PhenotypicFeature): "phenotype",
    str(KG.Publication): "publication", str(BIOLINK.Publication): "publication",
}
SYNONYMS = (SKOS.altLabel, OBO_IN_OWL.hasExactSynonym, OBO_IN_OWL.hasRelatedSynonym,
            OBO_IN_OWL.hasBroadSynonym, OBO_IN_OWL.hasNarrowSynonym)
ROLE_OF_PREDICATE = {
    str(RDFS.label): "label", **{str(p): "synonym" for p in SYNONYMS},
    str(DCTERMS.identifier): "identifier", str(OBO_IN_OWL.id): "other-identifier",
    str(OBO_IN_OWL.hasAlternativeId): "other-identifier",
    str(DEFINITION): "definition", str(SKOS.definition): "definition",
}
BATCH = 500  # subjects per query when reading some of them


def _iri(term: object) -> str:
    return str(ox.NamedNode(str(term)))


def _values(subjects: Sequence[str] | None) -> str:
    return "" if subjects is None else "VALUES ?s { " + " ".join(_iri(s) for s in subjects) + " }"


def names_query(subjects: Sequence[str] | None = None) -> str:
    predicates = " ".join(_iri(p) for p in ROLE_OF_PREDICATE)
    return (f"SELECT ?s ?p ?o WHERE {{ {_values(subjects)} VALUES ?p {{ {predicates} }} ?s ?p ?o "
            f"FILTER(isIRI(?s) && isLiteral(?o)) }}")


def kinds_query(subjects: Sequence[str] | None = None) -> str:
    classes = " ".join(_iri(c) for c in KIND_OF_CLASS)
    return (f"SELECT DISTINCT ?s ?t WHERE {{ {_values(subjects)} VALUES ?t {{ {classes} }} "
            f"?s {_iri(RDF.type)} ?t FILTER(isIRI(?s)) }}")


def phenotypes_query(subjects: Sequence[str] | None = None) -> str:
    return (f"SELECT DISTINCT ?s WHERE {{ {_values(subjects)} "
            f"?s {_iri(RDFS.subClassOf)}* {_iri(PHENOTYPIC_ABNORMALITY)} FILTER(isIRI(?s)) }}")


def normalize(text: str) -> str:
    """Case folded, diacritics dropped, runs of white space made one space."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


@dataclass(frozen=True)
class Name:
    kind: str  # one of NAME_KINDS
    text: str


@dataclass
class Entity:
    iri: str
    labels: list[str] = field(default_factory=list)
    synonyms: list[str] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)  # dcterms:identifier first, then HPO's
    own_identifiers: list[str] = field(default_factory=list)  # dcterms:identifier
    definitions: list[str] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        """The shortest label (then the first in code-point order), else the CURIE, else the IRI."""
        if self.labels:
            return min(self.labels, key=lambda label: (len(label), label))
        return self.curie or self.iri

    @property
    def curie(self) -> str | None:
        return min(self.own_identifiers) if self.own_identifiers else compress(self.iri)

    def names(self) -> list[Name]:
        """Each distinct name once (by its normalised form), labels first, then synonyms,
        CURIEs and definitions."""
        seen: set[str] = set()
        found = []
        curies = [self.curie] if self.curie else []
        for kind, texts in (("label", self.labels), ("synonym", self.synonyms),
                            ("curie", curies + self.identifiers), ("definition", self.definitions)):
            for text in texts:
                key = (kind == "definition", normalize(text))
                if key[1] and key not in seen:
                    seen.add(key)
                    found.append(Name(kind, text))
        return found

    def as_record(self) -> dict[str, Any]:
        return {"iri": self.iri, "label": self.label, "curie": self.curie, "types": sorted(self.kinds)}


def _add(entities: dict[str, Entity], subject: str, role: str, text: str) -> None:
    entity = entities.setdefault(subject, Entity(subject))
    target = {"label": entity.labels, "synonym": entity.synonyms, "identifier": entity.own_identifiers,
              "other-identifier": entity.identifiers, "definition": entity.definitions}[role]
    if text not in target:
        target.append(text)


DESCRIPTIONS = tuple(f"{graph}#" for graph in DERIVED_GRAPHS)  # the nodes of what the endpoint says of itself


def read(store: Any, subjects: Sequence[str] | None = None) -> dict[str, Entity]:
    """The entities among `subjects` (every entity of the graph when None), by IRI: not the
    nodes of the VoID or of the example queries, which describe the endpoint, not the domain."""
    entities: dict[str, Entity] = {}
    for row in store.query(names_query(subjects)):
        if not row["s"].value.startswith(DESCRIPTIONS):
            _add(entities, row["s"].value, ROLE_OF_PREDICATE[row["p"].value], row["o"].value)
    for row in store.query(kinds_query(subjects)):
        entities.setdefault(row["s"].value, Entity(row["s"].value)).kinds.add(KIND_OF_CLASS[row["t"].value])
    for row in store.query(phenotypes_query(subjects)):
        entities.setdefault(row["s"].value, Entity(row["s"].value)).kinds.add("phenotype")
    for entity in entities.values():
        for texts in (entity.labels, entity.synonyms, entity.own_identifiers, entity.identifiers, entity.definitions):
            texts.sort()
        entity.identifiers[:0] = entity.own_identifiers
    return entities


def batches(subjects: Iterable[str]) -> Iterable[list[str]]:
    """The valid IRIs among `subjects`, sorted and deduplicated, in lists of BATCH."""
    valid = []
    for subject in set(subjects):
        try:
            valid.append(ox.NamedNode(subject).value)
        except (TypeError, ValueError):
            continue
    valid.sort()
    for start in range(0, len(valid), BATCH):
        yield valid[start:start + BATCH]
