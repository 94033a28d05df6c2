"""What HPO's annotation files share: identifiers checked and expanded, frequencies read, and
the triples of a frequency."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import pyoxigraph as ox

from ontology import BIOLINK, RDF, RDFS, XSD
from ontology.identifiers import expand

from .obo import term_iri

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
