"""Records of a MedlinePlus page → rdflib triples, each fact with its evidence.

Evidence is RDF 1.1 reification, as in the curated graph: the statement node says which page
section the fact was read from (`prov:wasDerivedFrom`) and carries the sentence itself
(`kg:evidence`). Names become IRIs through the lexicon (canonical external IRIs) or, when the
lexicon does not know them, IRIs of our own, stable and readable: `id/<kind>/<slug>`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.term import Node

from ontology import DCTERMS, ID, KG, RDF, RDFS, VOCABULARIES, XSD
from ontology.identifiers import expand, standardize

from ..curated.triples import Assertion, reify
from .lexicon import Lexicon
from .page import Page
from .records import Citation, Extraction, Fact, Ref, Value

Triple = tuple[Node, Node, Node]
CLASSES = {"condition": KG.Condition, "gene": KG.Gene, "protein": KG.Protein, "receptor": KG.Protein,
           "cell": KG.CellType, "antibody": KG.AntibodyClass, "phenotype": KG.ClinicalFeature,
           "inheritance": KG.InheritancePattern, "level": KG.AntibodyLevel, "frequency": KG.FrequencyEstimate,
           "population": KG.Population, "resource": KG.InformationResource}


SECTION_SLUGS = {"Other Names for This Condition": "other-names", "Other Names for This Gene": "other-names",
                 "Additional Information & Resources": "resources",
                 "Health Conditions Related to Genetic Changes": "health-conditions"}


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def curie(name: str) -> URIRef:
    prefix, _, local = name.partition(":")
    return URIRef(VOCABULARIES[prefix][local])


@dataclass(frozen=True)
class Origin:
    """What the facts of one page or record cite: the document, and where its section nodes live."""

    document: URIRef
    sections: str  # the path of the section nodes under id/
    title: str

    @classmethod
    def of_page(cls, page: Page) -> Origin:
        return cls(URIRef(page.url), f"source/medlineplus/{page.slug}", f"{page.title}: MedlinePlus Genetics")

    @classmethod
    def of_record(cls, page: Page) -> Origin:
        path = f"source/medlineplus-record/{page.kind}/{page.slug}"
        return cls(ID[path], path, f"{page.title}: MedlinePlus Genetics record")


class Names:
    """IRIs for the names of one page or record."""

    def __init__(self, page: Page, lexicon: Lexicon, origin: Origin | None = None) -> None:
        self.page, self.lexicon = page, lexicon
        self.origin = origin or Origin.of_page(page)

    def iri(self, ref: Ref) -> URIRef:
        if ref.kind == "term":
            return KG[ref.name]
        if ref.kind in {"phenotype", "xref"}:
            return expand(ref.name)
        if known := self.lexicon.identifier(ref.kind, ref.name):
            return expand(known)
        return ID[self.minted(ref)]

    def minted(self, ref: Ref) -> str:
        page = self.page.slug
        if ref.kind == "level":
            return f"antibody-level/{page}/{slug(ref.name.split(' level ')[0])}"
        if ref.kind == "frequency":  # one per source: a page and a record may estimate differently
            return f"frequency/{page}" if self.origin.document == URIRef(self.page.url) else f"frequency/{page}/record"
        if ref.kind == "population":  # shared by every page that names the same group
            return f"population/{slug(population_key(ref.name.split(' (')[0], self.lexicon))}"
        if ref.kind == "resource":
            return f"resource/{page}/{slug(ref.name.split(': ')[1])}"
        return f"{ref.kind}/{ref.key or slug(ref.name)}"

    def section(self, heading: str) -> URIRef:
        """The section's node (a page's named as the curated graph names the same sections)."""
        return ID[f"{self.origin.sections}/{SECTION_SLUGS.get(heading, slug(heading))}"]

    def value(self, value: Value) -> Node:
        if isinstance(value, Ref):
            return self.iri(value)
        if isinstance(value, bool):
            return Literal(value)
        if isinstance(value, int):
            return Literal(value, datatype=XSD.integer)
        return Literal(value)


def population_key(text: str, lexicon: Lexicon) -> str:
    """"newborn boys" → "newborn males": life stage, then sex, when those are all the text says;
    otherwise the text itself ("people of northern European descent")."""
    terms = dict(lexicon.population(text))
    if not terms or len(text.split()) > len(terms):
        return text
    sex = {"Male": "males", "Female": "females"}.get(terms.get("kg:sex", ""), "people")
    return f"{terms.get('kg:lifeStage', '').lower()} {sex}".strip()


def fact_assertion(fact: Fact, names: Names) -> Assertion:
    qualifiers = tuple((curie(p), names.value(v)) for p, v in fact.qualifiers)
    evidence = (names.section(fact.section) if fact.section != "page" else names.origin.document,)
    return Assertion(names.iri(fact.subject), curie(fact.predicate), names.value(fact.object), evidence,
                     (*qualifiers, (KG.evidence, Literal(fact.sentence))))


def types(extraction: Extraction, names: Names) -> Iterator[Triple]:
    """The class of every node, and a label for those the lexicon did not name (ours)."""
    for fact in extraction.facts:
        for ref in (fact.subject, fact.object):
            if isinstance(ref, Ref) and ref.kind in CLASSES:
                iri = names.iri(ref)
                yield iri, RDF.type, CLASSES[ref.kind]
                if iri.startswith(str(ID)) and ref.kind not in {"level", "frequency", "population", "resource"}:
                    yield iri, RDFS.label, Literal(ref.name)
                elif label := names.lexicon.label(ref.kind, ref.name):
                    yield iri, RDFS.label, Literal(label)
                    yield iri, DCTERMS.identifier, Literal(standardize(names.lexicon.identifier(ref.kind, ref.name) or ""))


def source_triples(page: Page, names: Names) -> Iterator[Triple]:
    document = names.origin.document
    yield document, RDF.type, KG.SourceDocument
    yield document, DCTERMS.title, Literal(names.origin.title)
    if document != URIRef(page.url):  # a record: of the page it describes
        yield document, DCTERMS.source, URIRef(page.url)
        if page.modified:
            yield document, KG.reviewed, Literal(page.modified)
    for heading in page.sections:
        node = names.section(heading)
        yield node, RDF.type, KG.DocumentSection
        yield node, DCTERMS.title, Literal(heading)
        yield node, DCTERMS.isPartOf, document


def publication_iri(citation: Citation, names: Names) -> URIRef:
    if citation.doi:
        return URIRef(f"https://doi.org/{citation.doi}")
    if citation.pmid:
        return expand(f"pubmed:{citation.pmid}")
    first = slug(citation.authors[0].split()[0]) if citation.authors else "anonymous"
    return ID[f"publication/{first}-{citation.year}-{slug(citation.title)[:40]}"]


def publication_triples(citation: Citation, page: Page, names: Names) -> Iterator[Triple]:
    iri = publication_iri(citation, names)
    yield names.origin.document, DCTERMS.references, iri
    yield iri, RDF.type, KG.Publication
    yield iri, DCTERMS.title, Literal(citation.title)
    yield iri, RDFS.label, Literal(citation.title)
    yield iri, DCTERMS.bibliographicCitation, Literal(citation.text)
    if citation.year is not None:
        yield iri, KG.year, Literal(citation.year, datatype=XSD.integer)
    fields = {KG.journal: citation.journal, KG.volume: citation.volume, KG.issue: citation.issue,
              KG.pages: citation.pages, KG.doi: citation.doi, KG.pmid: citation.pmid, KG.pmcid: citation.pmcid,
              KG.bookshelfId: citation.bookshelf}
    for predicate, value in fields.items():
        if value:
            yield iri, predicate, Literal(value)
    for role, predicate, people in (("author", KG.authorship, citation.authors), ("editor", KG.editorship, citation.editors)):
        for position, person in enumerate(people, start=1):
            node = ID[f"publication/{slug(str(iri))[-60:]}/{role}/{position}"]
            yield iri, predicate, node
            yield node, RDF.type, KG.Authorship
            yield node, KG.position, Literal(position, datatype=XSD.integer)
            yield node, KG.personName, Literal(person)


def to_triples(page: Page, extraction: Extraction, lexicon: Lexicon, origin: Origin | None = None) -> set[Triple]:
    names = Names(page, lexicon, origin)
    triples: set[Triple] = set(source_triples(page, names))
    triples.update(types(extraction, names))
    for fact in extraction.facts:
        triples.update(reify(fact_assertion(fact, names)))
    for citation in extraction.citations:
        triples.update(publication_triples(citation, page, names))
    return triples
