"""Turn curated records into triples. Pure: records in, rdflib triples out.

Every statement that has evidence is also reified (RDF 1.1 reification): a stable
`id/statement/<hash>` node says which source section it was derived from (`prov:wasDerivedFrom`)
and carries any statement qualifiers, such as how often a phenotype occurs.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.term import Node

from ontology import DCTERMS, ID, KG, PROV, RDF, RDFS, SCHEMA, SKOS, VOCABULARIES, XSD
from ontology.identifiers import expand, standardize

from ..errors import LoadError
from .records import Dataset, Entity, Evidence, Publication, Source, Statement, Value

Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class Assertion:
    """A triple with the source nodes it was derived from and its statement qualifiers."""

    subject: URIRef
    predicate: URIRef
    object: Node
    evidence: tuple[URIRef, ...] = ()
    qualifiers: tuple[tuple[URIRef, Node], ...] = ()


class Resolver:
    """Resolves the names a curated file uses (keys, CURIEs, vocabulary terms) to IRIs."""

    def __init__(self, dataset: Dataset, file: str) -> None:
        self.file = file
        self.sources = {s.key: s for s in dataset.sources}
        self.entities: dict[str, URIRef] = {}
        for entity in dataset.entities:
            self.entities[entity.key] = self.entity_iri(entity)
        self.declared = set(self.entities.values())
        self.described = self.declared | {self.external(publication_curie(p), p.line, "publications")
                                          for p in dataset.publications}

    def fail(self, message: str, line: int, section: str) -> LoadError:
        return LoadError(self.file, message, line=line, section=section)

    def entity_iri(self, entity: Entity) -> URIRef:
        if entity.mint:
            return ID[entity.mint]
        try:
            return expand(entity.id or "")
        except ValueError as error:
            raise self.fail(str(error), entity.line, "entities") from None

    def term(self, name: str, line: int, section: str) -> URIRef:
        """A vocabulary term: `Name` is kg:Name; `skos:broader` names another vocabulary."""
        prefix, _, local = name.rpartition(":")
        namespace = VOCABULARIES.get(prefix or "kg")
        if namespace is None:
            raise self.fail(f"unknown vocabulary prefix in {name!r}", line, section)
        try:
            return getattr(namespace, local)
        except AttributeError:
            raise self.fail(f"{name!r} is not a term of the {prefix or 'kg'} vocabulary", line, section) from None

    def node(self, ref: str, line: int, section: str) -> URIRef:
        """An entity by key or by its CURIE, or an individual of a vocabulary such as kg:Male."""
        if ref in self.entities:
            return self.entities[ref]
        prefix = ref.partition(":")[0]
        if prefix in VOCABULARIES:
            return self.term(ref, line, section)
        try:
            iri = expand(ref)
        except ValueError:
            raise self.fail(f"{ref!r} is neither an entity key nor a CURIE", line, section) from None
        if iri not in self.declared:
            raise self.fail(f"{ref!r} is not declared under entities", line, section)
        return iri

    def external(self, curie: str, line: int, section: str) -> URIRef:
        try:
            return expand(curie)
        except ValueError as error:
            raise self.fail(str(error), line, section) from None

    def evidence(self, evidence: Iterable[Evidence], line: int, section: str) -> tuple[URIRef, ...]:
        return tuple(self.evidence_node(e, line, section) for e in evidence)

    def evidence_node(self, evidence: Evidence, line: int, section: str) -> URIRef:
        source = self.sources.get(evidence.source)
        if source is None:
            raise self.fail(f"unknown source {evidence.source!r}", line, section)
        if evidence.section is None:
            return URIRef(source.iri)
        if evidence.section not in dict(source.sections):
            raise self.fail(f"source {source.key!r} has no section {evidence.section!r}", line, section)
        return section_iri(source, evidence.section)


def section_iri(source: Source, slug: str) -> URIRef:
    return ID[f"{source.mint}/{slug}"]


def literal(value: Value) -> Literal:
    """A typed literal: integers, booleans and dates keep their XSD type."""
    if isinstance(value, bool):
        return Literal(value, datatype=XSD.boolean)
    if isinstance(value, int):
        return Literal(value, datatype=XSD.integer)
    if isinstance(value, datetime.date):
        return Literal(value.isoformat(), datatype=XSD.date)
    return Literal(value)


def source_assertions(source: Source, names: Resolver) -> Iterator[Assertion]:
    iri = URIRef(source.iri)
    yield Assertion(iri, RDF.type, KG.SourceDocument)
    if iri not in names.described:  # a record of a thing we describe is named by its own label or title
        yield Assertion(iri, DCTERMS.title, Literal(source.title))
    if source.publisher:
        yield Assertion(iri, DCTERMS.publisher, names.node(source.publisher, source.line, "sources"))
    if source.modified:
        yield Assertion(iri, DCTERMS.modified, literal(source.modified))
    if source.version:
        yield Assertion(iri, SCHEMA.version, Literal(source.version))
    for slug, heading in source.sections:
        section = section_iri(source, slug)
        yield Assertion(section, RDF.type, KG.DocumentSection)
        yield Assertion(section, DCTERMS.title, Literal(heading))
        yield Assertion(section, DCTERMS.isPartOf, iri)
        yield Assertion(iri, KG.section, section)


def entity_assertions(entity: Entity, names: Resolver) -> Iterator[Assertion]:
    iri, line = names.entities[entity.key], entity.line
    evidence = names.evidence(entity.evidence, line, "entities")
    yield Assertion(iri, RDF.type, names.term(entity.type, line, "entities"))
    yield Assertion(iri, RDFS.label, Literal(entity.label), evidence)
    if entity.id:  # the IRI's own CURIE: no source to credit
        yield Assertion(iri, DCTERMS.identifier, Literal(standardize(entity.id)))
    for name, source in entity.synonyms:
        yield Assertion(iri, SKOS.altLabel, Literal(name), names.evidence([source], line, "entities"))
    for predicate, pairs in ((SKOS.exactMatch, entity.exact_matches), (KG.xref, entity.xrefs)):
        for curie, source in pairs:
            target = names.external(curie, line, "entities")
            yield Assertion(iri, predicate, target, names.evidence([source], line, "entities"))


def statement_assertion(statement: Statement, names: Resolver) -> Assertion:
    line, section = statement.line, "statements"
    obj = (
        names.node(statement.object, line, section)
        if statement.object is not None
        else literal(statement.value)  # type: ignore[arg-type]  # the reader ensures one of them
    )
    qualifiers = tuple((names.term(k, line, section), names.node(v, line, section)) for k, v in statement.qualifiers)
    wording = ((KG.wording, Literal(statement.wording)),) if statement.wording else ()
    return Assertion(
        names.node(statement.subject, line, section),
        names.term(statement.predicate, line, section),
        obj,
        names.evidence(statement.evidence, line, section),
        qualifiers + wording,
    )


def citation(pub: Publication) -> str:
    """A citation string in the NLM style, built from the fields."""
    authors = ", ".join(pub.authors)
    where = f"{pub.volume}({pub.issue})" if pub.issue else (pub.volume or "")
    tail = f";{where}:{pub.pages}" if pub.pages else ""
    ids = f" doi: {pub.doi}." if pub.doi else ""
    ids += f" PMID: {pub.pmid}." if pub.pmid else ""
    return f"{authors}. {pub.title} {pub.journal}. {pub.year}{tail}.{ids}"


def issued(pub: Publication) -> Literal:
    if pub.issued and len(pub.issued) == 10:
        return Literal(pub.issued, datatype=XSD.date)
    if pub.issued and len(pub.issued) == 7:
        return Literal(pub.issued, datatype=XSD.gYearMonth)
    return Literal(str(pub.year), datatype=XSD.gYear)


def people(iri: URIRef, pub: Publication, role: str, predicate: URIRef, names_: tuple[str, ...],
           evidence: tuple[URIRef, ...]) -> Iterator[Assertion]:
    for position, name in enumerate(names_, start=1):
        node = ID[f"publication/{pub.key}/{role}/{position}"]
        yield Assertion(iri, predicate, node, evidence)
        yield Assertion(node, RDF.type, KG.Authorship)
        yield Assertion(node, KG.position, literal(position))
        yield Assertion(node, KG.personName, Literal(name), evidence)


def publication_curie(pub: Publication) -> str:
    return f"doi:{pub.doi}" if pub.doi else f"pubmed:{pub.pmid}"


def publication_assertions(pub: Publication, names: Resolver) -> Iterator[Assertion]:
    curie, line = publication_curie(pub), pub.line
    iri = names.external(curie, line, "publications")
    evidence = names.evidence(pub.evidence, line, "publications")
    verified = names.evidence(pub.id_evidence, line, "publications")
    yield Assertion(iri, RDF.type, KG.Publication)
    yield Assertion(iri, DCTERMS.identifier, Literal(standardize(curie)))
    for source in pub.evidence:
        yield Assertion(URIRef(names.sources[source.source].iri), DCTERMS.references, iri, evidence)
    fields = {
        DCTERMS.title: pub.title, KG.journal: pub.journal, KG.volume: pub.volume,
        KG.issue: pub.issue, KG.pages: pub.pages, KG.doi: pub.doi, KG.bookshelfId: pub.bookshelf,
    }
    for predicate, value in fields.items():
        if value:
            yield Assertion(iri, predicate, Literal(value), evidence)
    yield Assertion(iri, RDFS.label, Literal(pub.title), evidence)
    yield Assertion(iri, KG.year, literal(pub.year), evidence)
    yield Assertion(iri, DCTERMS.issued, issued(pub), evidence)
    yield Assertion(iri, DCTERMS.bibliographicCitation, Literal(citation(pub)))  # composed here, not printed so
    if pub.publisher:
        yield Assertion(iri, DCTERMS.publisher, names.node(pub.publisher, line, "publications"), evidence)
    for predicate, prefix, value in ((KG.pmid, "pubmed", pub.pmid), (KG.pmcid, "pmc", pub.pmcid)):
        if value:
            yield Assertion(iri, predicate, Literal(value), verified)
            if iri != names.external(f"{prefix}:{value}", line, "publications"):
                yield Assertion(iri, SKOS.exactMatch, names.external(f"{prefix}:{value}", line, "publications"), verified)
    if pub.bookshelf:
        yield Assertion(iri, KG.xref, names.external(f"ncbibook:{pub.bookshelf}", line, "publications"), evidence)
    yield from people(iri, pub, "author", KG.authorship, pub.authors, evidence)
    yield from people(iri, pub, "editor", KG.editorship, pub.editors, evidence)


def assertions(dataset: Dataset, file: str) -> Iterator[Assertion]:
    """Every assertion of a curated dataset; LoadError on a name that does not resolve."""
    names = Resolver(dataset, file)
    for source in dataset.sources:
        yield from source_assertions(source, names)
    for entity in dataset.entities:
        yield from entity_assertions(entity, names)
    for statement in dataset.statements:
        yield statement_assertion(statement, names)
    for pub in dataset.publications:
        yield from publication_assertions(pub, names)


def statement_iri(a: Assertion) -> URIRef:
    """A stable node for a statement: the same triple always gets the same IRI."""
    key = f"{a.subject.n3()} {a.predicate.n3()} {a.object.n3()}"
    return ID["statement/" + hashlib.sha256(key.encode()).hexdigest()[:20]]


def reify(assertion: Assertion) -> Iterator[Triple]:
    """The triple itself, and, when it has evidence, its statement node."""
    yield assertion.subject, assertion.predicate, assertion.object
    if not assertion.evidence and not assertion.qualifiers:
        return
    node = statement_iri(assertion)
    yield node, RDF.type, RDF.Statement
    yield node, RDF.subject, assertion.subject
    yield node, RDF.predicate, assertion.predicate
    yield node, RDF.object, assertion.object
    for source in assertion.evidence:
        yield node, PROV.wasDerivedFrom, source
    for predicate, value in assertion.qualifiers:
        yield node, predicate, value


def to_triples(dataset: Dataset, file: str) -> set[Triple]:
    """All triples of a curated dataset, deduplicated."""
    return {t for a in assertions(dataset, file) for t in reify(a)}
