"""What the MedlinePlus loader reads out of a page, before any IRI is chosen."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Ref:
    """Something the page names: resolved to an IRI later, through the lexicon or by minting."""

    kind: str  # condition, gene, protein, cell, antibody, phenotype, inheritance, term, xref
    name: str
    key: str | None = None  # the topic's page slug, when known: the same node whatever its name


Value = Ref | str | int | bool


@dataclass(frozen=True)
class Fact:
    """One statement, with the section and the sentence it was read from."""

    subject: Ref
    predicate: str  # a CURIE: kg:encodes, skos:altLabel …
    object: Value
    section: str
    sentence: str
    qualifiers: tuple[tuple[str, Value], ...] = ()


@dataclass(frozen=True)
class Citation:
    """A reference, parsed."""

    text: str
    authors: tuple[str, ...]
    title: str
    year: int | None
    journal: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    editors: tuple[str, ...] = ()
    bookshelf: str | None = None
    publisher: str | None = None


@dataclass
class Extraction:
    """Everything read from one page, and the sentences that gave nothing."""

    facts: list[Fact] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (section, sentence)
    sentences: int = 0
    warnings: list[str] = field(default_factory=list)
    genes: dict[str, str] = field(default_factory=dict)  # symbol → how it was found (kg: link basis)
