"""HPO's gene annotations: genes_to_phenotype.txt read into records, and each record as a Biolink
`GeneToPhenotypicFeatureAssociation` node: an NCBI Gene, a phenotype, its frequency, and the
disease in which HPO links them. Each gene gets the symbol the file gives it as its label."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ontology import BIOLINK, ID

from ..errors import LoadError
from ..problems import Problems
from .common import (
    LABEL,
    TYPE,
    Bad,
    Frequency,
    curie_iri,
    disease_iri,
    frequency,
    frequency_triples,
    iri,
    known_term,
    read_table,
)
from .obo import term_iri

COLUMNS = ("ncbi_gene_id", "gene_symbol", "hpo_id", "hpo_name", "frequency", "disease_id")


@dataclass(frozen=True, slots=True)
class GeneAnnotation:
    line: int
    gene: str  # the NCBI Gene id, digits
    symbol: str
    phenotype: str
    frequency: Frequency | None
    disease: str


@dataclass(frozen=True)
class GeneAnnotations:
    rows: tuple[GeneAnnotation, ...]
    problems: Problems


def parse_row(fields: list[str], line: int, known: set[str]) -> GeneAnnotation:
    if len(fields) != len(COLUMNS):
        raise Bad(f"{len(fields)} columns, {len(COLUMNS)} expected")
    gene, symbol, phenotype, _name, freq, disease = fields
    if not gene.isdigit():
        raise Bad(f"ncbi_gene_id {gene!r} is not a number")
    disease_iri(disease, "disease_id")
    return GeneAnnotation(line, gene, symbol, known_term(phenotype, known, "hpo_id"), frequency(freq, known), disease)


def read(path: Path, known: set[str], *, strict: bool = False,
         report: Callable[[int], None] | None = None) -> GeneAnnotations:
    table = read_table(path, COLUMNS[0], lambda fields, line: parse_row(fields, line, known), strict=strict,
                       report=report)
    if not table.rows:
        raise LoadError(str(path), "no rows: this is not a genes_to_phenotype.txt file")
    return GeneAnnotations(table.rows, table.problems)


P = {name: iri(BIOLINK[name]) for name in ("subject", "predicate", "object", "has_phenotype", "disease_context_qualifier")}
ASSOCIATION, GENE = iri(BIOLINK.GeneToPhenotypicFeatureAssociation), iri(BIOLINK.Gene)


def gene_iri(gene: str) -> ox.NamedNode:
    return iri(curie_iri(f"NCBIGene:{gene}"))


def association_iri(row: GeneAnnotation) -> ox.NamedNode:
    key = f"{row.gene}\t{row.phenotype}\t{row.disease}\t{row.frequency!r}"
    return iri(ID["hpo-gene-annotation/" + hashlib.sha256(key.encode()).hexdigest()[:20]])


def association_triples(row: GeneAnnotation, node: ox.NamedNode) -> Iterator[ox.Triple]:
    yield ox.Triple(node, TYPE, ASSOCIATION)
    yield ox.Triple(node, P["subject"], gene_iri(row.gene))
    yield ox.Triple(node, P["predicate"], P["has_phenotype"])
    yield ox.Triple(node, P["object"], term_iri(row.phenotype))
    yield ox.Triple(node, P["disease_context_qualifier"], iri(curie_iri(row.disease)))
    if row.frequency:
        yield from frequency_triples(node, row.frequency)


def triples(rows: Iterable[GeneAnnotation]) -> Iterator[ox.Triple]:
    """Every association, and each gene once with its type and symbol."""
    named: set[str] = set()
    written: set[ox.NamedNode] = set()  # a row repeated is one node, written once
    for row in rows:
        if row.gene not in named:
            named.add(row.gene)
            yield ox.Triple(gene_iri(row.gene), TYPE, GENE)
            yield ox.Triple(gene_iri(row.gene), LABEL, ox.Literal(row.symbol))
        if (node := association_iri(row)) not in written:
            written.add(node)
            yield from association_triples(row, node)
