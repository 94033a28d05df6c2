"""Typed records of the curated data file. They hold no RDF: `triples` turns them into it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

Value = str | int | bool | datetime.date


@dataclass(frozen=True)
class Evidence:
    """Where a statement comes from: a source key and, optionally, one of its sections."""

    source: str
    section: str | None = None

    @classmethod
    def parse(cls, text: str) -> Evidence:
        source, _, section = text.partition("#")
        return cls(source, section or None)


@dataclass(frozen=True)
class Source:
    """A document or record that statements are taken from."""

    key: str
    iri: str  # a URL, or a CURIE (`id:` in the file) expanded to its canonical IRI
    title: str
    line: int
    publisher: str | None = None
    modified: datetime.date | None = None
    version: str | None = None
    mint: str | None = None  # path under ID for the section nodes
    sections: tuple[tuple[str, str], ...] = ()  # (slug, heading)


@dataclass(frozen=True)
class Statement:
    """One subject-predicate-object statement with its evidence and statement qualifiers."""

    subject: str  # entity key, or a CURIE of a declared entity
    predicate: str  # a kg term name or a CURIE of a standard vocabulary
    evidence: tuple[Evidence, ...]
    line: int
    object: str | None = None  # entity key, kg individual or CURIE
    value: Value | None = None  # a literal, when object is None
    qualifiers: tuple[tuple[str, str], ...] = ()  # (kg property, kg individual)
    wording: str | None = None  # the words the source uses for the object


@dataclass(frozen=True)
class Entity:
    """A typed node: an external identifier (`id`) or a node we mint (`mint`)."""

    key: str
    type: str
    label: str
    evidence: tuple[Evidence, ...]
    line: int
    id: str | None = None
    mint: str | None = None
    synonyms: tuple[tuple[str, Evidence], ...] = ()
    exact_matches: tuple[tuple[str, Evidence], ...] = ()
    xrefs: tuple[tuple[str, Evidence], ...] = ()


@dataclass(frozen=True)
class Publication:
    """A cited publication, identified by its DOI, or by its PMID when it has no DOI."""

    key: str
    title: str
    authors: tuple[str, ...]
    journal: str
    year: int
    evidence: tuple[Evidence, ...]
    line: int
    issued: str | None = None  # 2002-08 or 2007-05-31, when more precise than the year
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    bookshelf: str | None = None
    editors: tuple[str, ...] = ()
    publisher: str | None = None
    id_evidence: tuple[Evidence, ...] = ()  # where PMID and PMCID were verified


@dataclass(frozen=True)
class Dataset:
    """A whole curated file."""

    graph: str
    title: str
    version: str
    sources: tuple[Source, ...]
    entities: tuple[Entity, ...]
    statements: tuple[Statement, ...]
    publications: tuple[Publication, ...]
