"""What HPO's annotation files share: identifiers checked and expanded, frequencies read, and
the triples of a frequency."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Generic, TypeVar

import pyoxigraph as ox

from ontology import BIOLINK, RDF, RDFS, XSD
from ontology.identifiers import expand

from ..errors import LoadError
from ..problems import Problems
from .obo import term_iri

Row = TypeVar("Row")

DISEASES = ("OMIM", "ORPHA", "DECIPHER")
HPO_ID = re.compile(r"HP:\d{7}")
FREQUENCY = re.compile(r"(HP:\d{7})|(\d+)/(\d+)|(\d+(?:\.\d+)?)%")


def iri(term: object) -> ox.NamedNode:
    return ox.NamedNode(str(term))


TYPE, LABEL = iri(RDF.type), iri(RDFS.label)
INTEGER, DECIMAL = iri(XSD.integer), iri(XSD.decimal)
FREQUENCIES = {name: iri(BIOLINK[name]) for name in ("frequency_qualifier", "has_count", "has_total", "has_percentage")}


class Bad(ValueError):
    """What is wrong with a row."""


@dataclass(frozen=True, slots=True)
class Frequency:
    term: str | None = None  # an HPO frequency term
    count: int | None = None  # n of n/m
    total: int | None = None  # m of n/m
    percent: Decimal | None = None


@lru_cache(maxsize=65536)
def curie_iri(curie: str) -> str:
    """The canonical IRI of a CURIE of our identifier spaces; Bad otherwise."""
    try:
        return str(expand(curie))
    except ValueError:
        raise Bad(f"{curie!r} is not a CURIE of a known identifier space") from None


def disease_iri(curie: str, what: str) -> str:
    if curie.partition(":")[0] not in DISEASES:
        raise Bad(f"{what} {curie!r} is not an OMIM, ORPHA or DECIPHER id")
    return curie_iri(curie)


def known_term(value: str, known: set[str], what: str) -> str:
    if not HPO_ID.fullmatch(value):
        raise Bad(f"{what} {value!r} is not an HPO id")
    if value not in known:
        raise Bad(f"{what} {value} is not a term of the ontology")
    return value


def frequency(value: str, known: set[str]) -> Frequency | None:
    if value in ("", "-"):
        return None
    match = FREQUENCY.fullmatch(value)
    if match is None:
        raise Bad(f"frequency {value!r} is neither an HPO term, n/m nor a percentage")
    term, count, total, percent = match.groups()
    if term:
        return Frequency(term=known_term(term, known, "frequency"))
    if count is not None:
        if int(count) > int(total) or int(total) == 0:
            raise Bad(f"frequency {value!r}: n/m needs 0 < m and n ≤ m")
        return Frequency(count=int(count), total=int(total))
    if Decimal(percent) > 100:
        raise Bad(f"frequency {value!r} is over 100%")
    return Frequency(percent=Decimal(percent))


def frequency_triples(node: ox.NamedNode, frequency: Frequency) -> Iterator[ox.Triple]:
    if frequency.term:
        yield ox.Triple(node, FREQUENCIES["frequency_qualifier"], term_iri(frequency.term))
    elif frequency.count is not None:
        yield ox.Triple(node, FREQUENCIES["has_count"], ox.Literal(str(frequency.count), datatype=INTEGER))
        yield ox.Triple(node, FREQUENCIES["has_total"], ox.Literal(str(frequency.total), datatype=INTEGER))
    else:
        yield ox.Triple(node, FREQUENCIES["has_percentage"], ox.Literal(str(frequency.percent), datatype=DECIMAL))


@dataclass(frozen=True)
class Table(Generic[Row]):
    """The rows of a tab-separated release file, its `#key: value` header lines, and the rows it skipped."""

    rows: tuple[Row, ...]
    header: dict[str, str]
    problems: Problems


def read_table(path: Path, columns: str, parse: Callable[[list[str], int], Row], *, strict: bool,
               report: Callable[[int], None] | None) -> Table[Row]:
    """Each data row of `path` through `parse` (after the `#` lines and the `columns` line);
    a row `parse` rejects is counted in `problems` (or, strict, fatal)."""
    problems, rows, header = Problems(str(path), strict), [], {}
    try:
        with path.open(encoding="utf-8") as file:
            for number, text in enumerate(file, start=1):
                if report:
                    report(len(text.encode()))
                if text.startswith("#"):
                    key, _, value = text[1:].partition(":")
                    header[key.strip()] = value.strip()
                elif text.strip() and not text.startswith(columns):
                    try:
                        rows.append(parse(text.rstrip("\r\n").split("\t"), number))
                    except Bad as error:
                        problems.add(number, str(error))
    except UnicodeDecodeError as error:
        raise LoadError(str(path), f"not UTF-8: {error.reason}") from None
    return Table(tuple(rows), header, problems)
