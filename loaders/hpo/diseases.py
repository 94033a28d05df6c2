"""HPO's disease annotations: phenotype.hpoa read into records, and each record as a Biolink
`DiseaseToPhenotypicFeatureAssociation` node.

One node per row (its IRI a hash of what the row says, so a reload gives the same IRIs), with
the disease, the phenotype, negation, frequency (an HPO frequency term, n/m as two integers,
or a percentage as a decimal), onset, sex, modifiers, the evidence code, the aspect, the
references as IRIs and the biocuration entries. A row that cannot be read is reported with its
line (see `Problems`); in strict mode it stops the load.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ontology import BIOLINK, ID, KG, XSD

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
from .obo import Hierarchy, term_iri

COLUMNS = ("database_id", "disease_name", "qualifier", "hpo_id", "reference", "evidence", "onset", "frequency",
           "sex", "modifier", "aspect", "biocuration")
EVIDENCE = ("IEA", "PCS", "TAS", "ICE")
ASPECTS = ("P", "I", "C", "M", "H")
CURATION = re.compile(r"[^\[\]]+\[\d{4}-\d{2}-\d{2}\]")
ISBN = re.compile(r"ISBN(?:-1[03])?:([0-9Xx-]+)")
PHENOTYPIC_ABNORMALITY = "HP:0000118"


@dataclass(frozen=True, slots=True)
class Annotation:
    line: int
    disease: str
    disease_name: str
    negated: bool
    phenotype: str
    references: tuple[str, ...]
    evidence: str
    onset: str | None
    frequency: Frequency | None
    sex: str | None  # Male or Female
    modifiers: tuple[str, ...]
    aspect: str
    curation: tuple[str, ...]


@dataclass(frozen=True)
class Annotations:
    version: str | None
    rows: tuple[Annotation, ...]
    problems: Problems


def reference_iri(reference: str) -> str:
    """PMID/OMIM/ORPHA/DECIPHER as their IRIs, an ISBN as urn:isbn, a URL as itself."""
    if match := ISBN.fullmatch(reference):
        return "urn:isbn:" + match.group(1).replace("-", "")
    if reference.startswith(("http://", "https://")):
        try:
            return ox.NamedNode(reference).value
        except ValueError:
            raise Bad(f"{reference!r} is not an IRI") from None
    return curie_iri(reference)


def _split(value: str) -> tuple[str, ...]:
    """The entries of a `;` list, each once (the release repeats some curation entries)."""
    return tuple(dict.fromkeys(part.strip() for part in value.split(";") if part.strip()))


def parse_row(fields: list[str], line: int, known: set[str]) -> Annotation:
    """One data row as a record; Bad with the reason when it cannot be one."""
    if len(fields) != len(COLUMNS):
        raise Bad(f"{len(fields)} columns, {len(COLUMNS)} expected")
    disease, name, qualifier, phenotype, references, evidence, onset, freq, sex, modifiers, aspect, curation = fields
    disease_iri(disease, "database_id")
    if qualifier not in ("", "NOT"):
        raise Bad(f"qualifier {qualifier!r} is neither empty nor NOT")
    if evidence not in EVIDENCE:
        raise Bad(f"evidence {evidence!r} is not one of {', '.join(EVIDENCE)}")
    if aspect not in ASPECTS:
        raise Bad(f"aspect {aspect!r} is not one of {', '.join(ASPECTS)}")
    if sex.upper() not in ("", "MALE", "FEMALE"):
        raise Bad(f"sex {sex!r} is neither MALE nor FEMALE")
    for reference in _split(references):
        reference_iri(reference)
    entries = _split(curation)
    if not all(CURATION.fullmatch(entry) for entry in entries):
        raise Bad(f"biocuration {curation!r} is not curator[YYYY-MM-DD] entries")
    return Annotation(
        line=line, disease=disease, disease_name=name, negated=qualifier == "NOT",
        phenotype=known_term(phenotype, known, "hpo_id"), references=_split(references), evidence=evidence,
        onset=known_term(onset, known, "onset") if onset else None, frequency=frequency(freq, known),
        sex=sex.title() or None, modifiers=tuple(known_term(m, known, "modifier") for m in _split(modifiers)),
        aspect=aspect, curation=entries,
    )


def read(path: Path, known: set[str], *, strict: bool = False,
         report: Callable[[int], None] | None = None) -> Annotations:
    """The rows of a phenotype.hpoa file; malformed rows are skipped and counted (or, strict, fatal)."""
    table = read_table(path, COLUMNS[0], lambda fields, line: parse_row(fields, line, known), strict=strict,
                       report=report)
    if not table.rows:
        raise LoadError(str(path), "no annotation rows: this is not a phenotype.hpoa file")
    return Annotations(table.header.get("version"), table.rows, table.problems)


# -- triples ---------------------------------------------------------------------------------------

P = {name: iri(BIOLINK[name]) for name in (
    "subject", "predicate", "object", "negated", "onset_qualifier", "qualifiers", "publications", "has_phenotype")}
ASSOCIATION, DISEASE = iri(BIOLINK.DiseaseToPhenotypicFeatureAssociation), iri(BIOLINK.Disease)
OURS = {name: iri(KG[name]) for name in ("evidenceCode", "aspect", "biocuration", "sex", "phenotypeProfile",
                                         "phenotypeProfileSize")}
SEXES = {"Male": iri(KG.Male), "Female": iri(KG.Female)}
TRUE = ox.Literal("true", datatype=iri(XSD.boolean))
INTEGER = iri(XSD.integer)


def association_iri(row: Annotation) -> ox.NamedNode:
    """Stable across reloads: a hash of the whole row, so only rows repeated word for word (the
    release has a few) are one node."""
    key = "\t".join((row.disease, row.disease_name, str(row.negated), row.phenotype, ";".join(row.references),
                     row.evidence, row.onset or "", repr(row.frequency), row.sex or "", ";".join(row.modifiers),
                     row.aspect, ";".join(row.curation)))
    return iri(ID["hpo-annotation/" + hashlib.sha256(key.encode()).hexdigest()[:20]])


def annotation_triples(row: Annotation, node: ox.NamedNode) -> Iterator[ox.Triple]:
    yield ox.Triple(node, TYPE, ASSOCIATION)
    yield ox.Triple(node, P["subject"], iri(curie_iri(row.disease)))
    yield ox.Triple(node, P["predicate"], P["has_phenotype"])
    yield ox.Triple(node, P["object"], term_iri(row.phenotype))
    if row.negated:
        yield ox.Triple(node, P["negated"], TRUE)
    if row.frequency:
        yield from frequency_triples(node, row.frequency)
    if row.onset:
        yield ox.Triple(node, P["onset_qualifier"], term_iri(row.onset))
    if row.sex:
        yield ox.Triple(node, OURS["sex"], SEXES[row.sex])
    for modifier in row.modifiers:
        yield ox.Triple(node, P["qualifiers"], term_iri(modifier))
    yield ox.Triple(node, OURS["evidenceCode"], ox.Literal(row.evidence))
    yield ox.Triple(node, OURS["aspect"], ox.Literal(row.aspect))
    for reference in row.references:
        yield ox.Triple(node, P["publications"], iri(reference_iri(reference)))
    for entry in row.curation:
        yield ox.Triple(node, OURS["biocuration"], ox.Literal(entry))


def profiles(rows: Iterable[Annotation], hierarchy: Hierarchy) -> dict[str, set[str]]:
    """Each disease's phenotypic abnormalities (aspect P, not negated) closed under their
    ancestors, without Phenotypic abnormality itself and the terms above it, which every
    profile would share."""
    above = hierarchy.ancestors(PHENOTYPIC_ABNORMALITY)
    found: dict[str, set[str]] = {}
    for row in rows:
        if row.aspect == "P" and not row.negated:
            found.setdefault(row.disease, set()).update(hierarchy.ancestors(row.phenotype) - above)
    return found


def profile_triples(disease: str, terms: set[str]) -> Iterator[ox.Triple]:
    node = iri(curie_iri(disease))
    yield ox.Triple(node, OURS["phenotypeProfileSize"], ox.Literal(str(len(terms)), datatype=INTEGER))
    for term in sorted(terms):
        yield ox.Triple(node, OURS["phenotypeProfile"], term_iri(term))


def triples(rows: tuple[Annotation, ...], hierarchy: Hierarchy) -> Iterator[ox.Triple]:
    """Every association; each disease once with its type, the name the file gives it and its
    phenotype profile (what similar-conditions compares)."""
    named: set[str] = set()
    written: set[ox.NamedNode] = set()  # a row repeated word for word is one node, written once
    for row in rows:
        if row.disease not in named:
            named.add(row.disease)
            disease = iri(curie_iri(row.disease))
            yield ox.Triple(disease, TYPE, DISEASE)
            yield ox.Triple(disease, LABEL, ox.Literal(row.disease_name))
        if (node := association_iri(row)) not in written:
            written.add(node)
            yield from annotation_triples(row, node)
    for disease, terms in profiles(rows, hierarchy).items():
        yield from profile_triples(disease, terms)
