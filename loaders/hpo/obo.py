"""HPO's terms: hp.obo read with fastobo into records, and the records as OBO-in-OWL triples.

fastobo (a Rust OBO 1.4 parser with Python bindings) reads the whole release in about a second,
checks the syntax strictly and reports the line of a fault, and gives typed clauses, so there
is no OBO parsing here. The triples are those of HPO's own `hp.owl`: `owl:Class`, `rdfs:label`,
`rdfs:subClassOf`, the definition as IAO:0000115, synonyms by scope, `oboInOwl:hasDbXref`, and
`owl:deprecated` with IAO:0100001 (term replaced by) for obsolete terms.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import fastobo
import pyoxigraph as ox

from ontology import DEFINITION, OBO, OBO_IN_OWL, OWL, RDF, RDFS, TERM_REPLACED_BY, XSD

from ..errors import LoadError

SYNONYMS = {scope: ox.NamedNode(str(OBO_IN_OWL[f"has{scope.title()}Synonym"]))
            for scope in ("EXACT", "RELATED", "BROAD", "NARROW")}
_N = {name: ox.NamedNode(str(term)) for name, term in {
    "type": RDF.type, "class": OWL.Class, "label": RDFS.label, "subclass": RDFS.subClassOf,
    "comment": RDFS.comment, "definition": DEFINITION, "deprecated": OWL.deprecated,
    "replaced_by": TERM_REPLACED_BY, "consider": OBO_IN_OWL.consider, "xref": OBO_IN_OWL.hasDbXref,
    "id": OBO_IN_OWL.id, "alt_id": OBO_IN_OWL.hasAlternativeId,
}.items()}
TRUE = ox.Literal("true", datatype=ox.NamedNode(str(XSD.boolean)))


@dataclass(frozen=True, slots=True)
class Term:
    id: str  # HP:0001875
    label: str | None = None
    definition: str | None = None
    comment: str | None = None
    synonyms: tuple[tuple[str, str], ...] = ()  # (scope, text)
    xrefs: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()
    alt_ids: tuple[str, ...] = ()
    obsolete: bool = False
    replaced_by: tuple[str, ...] = ()
    consider: tuple[str, ...] = ()


@dataclass(frozen=True)
class Release:
    """hp.obo: its version, licence and attribution, and its terms."""

    version: str | None
    license: str | None
    rights: str | None
    terms: tuple[Term, ...]

    def ids(self) -> set[str]:
        return {term.id for term in self.terms}

    def hierarchy(self) -> Hierarchy:
        return Hierarchy({term.id: term.parents for term in self.terms})


class Hierarchy:
    """The is_a graph of a release: each term's ancestors (itself included), computed once."""

    def __init__(self, parents: dict[str, tuple[str, ...]]) -> None:
        self._parents = parents
        self._closed: dict[str, frozenset[str]] = {}

    def ancestors(self, term: str) -> frozenset[str]:
        if term not in self._closed:
            found, stack = {term}, [term]
            while stack:
                for parent in self._parents.get(stack.pop(), ()):
                    if parent not in found:
                        found.add(parent)
                        stack.append(parent)
            self._closed[term] = frozenset(found)
        return self._closed[term]


def _term(frame: fastobo.term.TermFrame) -> Term:
    fields: dict[str, list] = {"synonyms": [], "xrefs": [], "parents": [], "alt_ids": [], "replaced_by": [],
                               "consider": []}
    single: dict[str, object] = {}
    for clause in frame:
        kind = type(clause).__name__
        if kind == "NameClause":
            single["label"] = clause.name
        elif kind == "DefClause":
            single["definition"] = clause.definition
        elif kind == "CommentClause":
            single["comment"] = clause.comment
        elif kind == "SynonymClause":
            fields["synonyms"].append((clause.synonym.scope, clause.synonym.desc))
        elif kind == "XrefClause":
            fields["xrefs"].append(str(clause.xref.id))
        elif kind == "IsAClause":
            fields["parents"].append(str(clause.term))
        elif kind == "AltIdClause":
            fields["alt_ids"].append(str(clause.alt_id))
        elif kind == "IsObsoleteClause":
            single["obsolete"] = bool(clause.obsolete)
        elif kind == "ReplacedByClause":
            fields["replaced_by"].append(str(clause.term))
        elif kind == "ConsiderClause":
            fields["consider"].append(str(clause.term))
    return Term(str(frame.id), **single, **{k: tuple(v) for k, v in fields.items()})  # type: ignore[arg-type]


def _header(doc: fastobo.doc.OboDoc) -> dict[str, str]:
    found = {}
    for clause in doc.header:
        kind = type(clause).__name__
        if kind == "DataVersionClause":
            found["version"] = clause.version.rsplit("/", 1)[-1]
        elif kind == "PropertyValueClause":
            relation, _, value = clause.raw_value().partition(" ")
            if relation in ("terms:license", "dcterms:license"):
                found["license"] = value.strip().split()[0]
            elif relation == "dc:rights":
                found["rights"] = value.strip().rsplit(" xsd:", 1)[0].strip('"')
    return found


def read(path: Path) -> Release:
    """The release in `path`; LoadError (with the line) for a file fastobo cannot read."""
    try:
        doc = fastobo.load(str(path))
    except SyntaxError as error:
        raise LoadError(str(path), f"not OBO: {error.msg}", line=error.lineno) from None
    except (OSError, ValueError) as error:
        raise LoadError(str(path), f"not OBO: {error}") from None
    terms = tuple(_term(frame) for frame in doc if type(frame).__name__ == "TermFrame")
    if not terms:
        raise LoadError(str(path), "no [Term] frames: this is not an ontology release")
    header = _header(doc)
    return Release(header.get("version"), header.get("license"), header.get("rights"), terms)


def term_iri(curie: str) -> ox.NamedNode:
    prefix, _, local = curie.partition(":")
    return ox.NamedNode(f"{OBO}{prefix}_{local}")


def _literal(text: str) -> ox.Literal:
    return ox.Literal(text)


def term_triples(term: Term) -> Iterator[ox.Triple]:
    """One term, as hp.owl writes it."""
    iri = term_iri(term.id)
    yield ox.Triple(iri, _N["type"], _N["class"])
    yield ox.Triple(iri, _N["id"], _literal(term.id))
    if term.label:
        yield ox.Triple(iri, _N["label"], _literal(term.label))
    if term.definition:
        yield ox.Triple(iri, _N["definition"], _literal(term.definition))
    if term.comment:
        yield ox.Triple(iri, _N["comment"], _literal(term.comment))
    for scope, text in term.synonyms:
        yield ox.Triple(iri, SYNONYMS.get(scope, SYNONYMS["RELATED"]), _literal(text))
    for xref in term.xrefs:
        yield ox.Triple(iri, _N["xref"], _literal(xref))
    for alt in term.alt_ids:
        yield ox.Triple(iri, _N["alt_id"], _literal(alt))
    for parent in term.parents:
        yield ox.Triple(iri, _N["subclass"], term_iri(parent))
    if term.obsolete:
        yield ox.Triple(iri, _N["deprecated"], TRUE)
    for target in term.replaced_by:
        yield ox.Triple(iri, _N["replaced_by"], term_iri(target))
    for target in term.consider:  # a literal CURIE in hp.owl, unlike the IRI of "replaced by"
        yield ox.Triple(iri, _N["consider"], _literal(target))


def triples(terms: Iterable[Term]) -> Iterator[ox.Triple]:
    for term in terms:
        yield from term_triples(term)
