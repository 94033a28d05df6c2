"""A MedlinePlus Genetics record (`Topic`) → the `Page` its texts make, and facts read directly
from its structured fields. Pure: records in, records out.

The texts become the sections a page of the site has (description → Description, function →
Normal Function …), so the sentence extractors read them as they read pages. The lists become
facts without reading any prose: related genes and conditions (both directions, so a condition
and a gene are linked whichever record comes first), other names, inheritance codes mapped to
HPO, and database keys as cross-references. Each list is a section of the record, cited as the
source of what it gave.
"""

from __future__ import annotations

import re

from .lexicon import Lexicon
from .page import Page, Section
from .records import Extraction, Fact, Ref
from .topics import Topic

HEADINGS = {"description": "Description", "frequency": "Frequency", "causes": "Causes",
            "inheritance": "Inheritance", "function": "Normal Function",
            "health-conditions": "Health Conditions Related to Genetic Changes"}
OTHER_NAMES = {"condition": "Other Names for This Condition", "gene": "Other Names for This Gene"}
RELATED = {"condition": "Related Genes", "gene": "Related Health Conditions"}
INHERITANCE = "Inheritance Patterns"
KEYS = "Database Keys"


def subject(topic: Topic) -> Ref:
    return Ref(topic.kind, topic.name, topic.slug)


def page_of(topic: Topic) -> Page:
    """The record as the page it describes: its texts as sections, its lists as list sections."""
    sections: dict[str, Section] = {}
    for text in topic.texts:
        heading = HEADINGS.get(text.role, text.role.replace("-", " ").capitalize() or "Text")
        body = " ".join((*text.paragraphs, *text.items))
        sections[heading] = Section(heading, body, text.line or topic.line or 1, text.items, text.links)
    lists = {OTHER_NAMES[topic.kind]: topic.synonyms, RELATED[topic.kind]: tuple(r.name for r in topic.related),
             INHERITANCE: tuple(i.memo or i.code or "" for i in topic.inheritance),
             KEYS: tuple(f"{db} {key}" for db, key in topic.db_keys)}
    for heading, items in lists.items():
        if items:
            sections[heading] = Section(heading, "; ".join(items), topic.line or 1, items)
    title = f"{topic.name} gene" if topic.kind == "gene" else topic.name
    return Page(topic.page, topic.kind, topic.slug, title, sections, topic.reviewed)


def unread_roles(topic: Topic) -> list[str]:
    return [f"text role {t.role!r} is not read" for t in topic.texts if t.role not in HEADINGS]


LISTED = (("kg:linkBasis", Ref("term", "ListedAssociation")),)


def related(topic: Topic) -> list[Fact]:
    """A condition's genes and a gene's conditions, stated both ways: listed associations."""
    me, facts = subject(topic), []
    heading = RELATED[topic.kind]
    for link in topic.related:
        if not link.name:
            continue
        kind = "gene" if topic.kind == "condition" else "condition"
        other = Ref(kind, link.name, link.slug)
        gene, condition = (other, me) if kind == "gene" else (me, other)
        facts += [Fact(condition, "kg:relatedGene", gene, heading, link.name, LISTED),
                  Fact(gene, "kg:relatedCondition", condition, heading, link.name, LISTED),
                  Fact(other, "rdfs:label", link.name, heading, link.name)]
        if kind == "gene":
            facts.append(Fact(other, "kg:symbol", link.name, heading, link.name))
    return facts


def inheritance(topic: Topic, lexicon: Lexicon, warnings: list[str]) -> list[Fact]:
    facts = []
    for pattern in topic.inheritance:
        phrase = lexicon.inheritance_phrase(pattern.code, pattern.memo)
        if phrase is None:
            warnings.append(f"inheritance pattern {pattern.code or ''} {pattern.memo or ''!r} has no HPO term here")
            continue
        facts.append(Fact(subject(topic), "kg:hasModeOfInheritance", Ref("inheritance", phrase), INHERITANCE,
                          pattern.memo or pattern.code or phrase))
    return facts


def cross_references(topic: Topic, lexicon: Lexicon, warnings: list[str]) -> list[Fact]:
    """Each db-key as a cross-reference: an IRI where the identifier space has canonical ones, the
    code as text for UMLS and ICD-10-CM; keys of unknown databases or shapes are reported, not guessed."""
    facts = []
    for db, key in topic.db_keys:
        entry = lexicon.database(db)
        code = re.sub(r"^[A-Za-z-]+:", "", key.strip())
        if entry is None:
            warnings.append(f"database key {db} {key}: database not known here, left out")
        elif not re.match(entry["key"], code):
            warnings.append(f"database key {db} {key}: not the shape of a {db} key, left out")
        elif entry.get("literal"):
            facts.append(Fact(subject(topic), "oboInOwl:hasDbXref", f"{entry['prefix']}:{code}", KEYS, f"{db} {key}"))
        else:
            facts.append(Fact(subject(topic), "kg:xref", Ref("xref", f"{entry['prefix']}:{code}"), KEYS, f"{db} {key}"))
    return facts


def structured(topic: Topic, lexicon: Lexicon, extraction: Extraction) -> Extraction:
    """`extraction` (of the record's texts) with the facts of the record's lists added."""
    if topic.full_name and topic.full_name != topic.name:
        extraction.facts.append(Fact(subject(topic), "skos:altLabel", topic.full_name, "page", topic.full_name))
    extraction.facts += related(topic)
    for link in topic.related if topic.kind == "condition" else ():
        if link.name:
            extraction.genes.setdefault(link.name, "ListedAssociation")
    extraction.facts += inheritance(topic, lexicon, extraction.warnings)
    extraction.facts += cross_references(topic, lexicon, extraction.warnings)
    extraction.warnings += unread_roles(topic)
    return extraction
