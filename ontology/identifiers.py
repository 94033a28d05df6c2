"""CURIE ⇄ IRI conversion with bioregistry's preferred prefixes.

The prefix map (`prefixes.json`) is generated from bioregistry by `python -m ontology.generate`
and checked against it by the tests, so the running system needs only `curies`.

>>> expand("HGNC:11935")
rdflib.term.URIRef('https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/11935')
>>> compress("http://purl.obolibrary.org/obo/MONDO_0010626")
'MONDO:0010626'
"""

from __future__ import annotations

import json
from functools import cache

import curies
from rdflib import URIRef

from . import HERE, PREFIXES

PREFIX_MAP_FILE = HERE / "prefixes.json"


@cache
def converter() -> curies.Converter:
    """Registry prefixes first, then the vocabularies of PREFIXES for everything else."""
    records = json.loads(PREFIX_MAP_FILE.read_text(encoding="utf-8"))
    registry = curies.Converter.from_extended_prefix_map(records)
    vocabularies = curies.Converter.from_prefix_map(PREFIXES)
    return curies.chain([registry, vocabularies])


def expand(curie: str) -> URIRef:
    """The canonical IRI of a CURIE; ValueError if its prefix is unknown or it is malformed."""
    return URIRef(expand_text(curie))


def expand_text(curie: str) -> str:
    """As `expand`, the IRI as text, not yet checked to be an IRI (a local part may hold a space)."""
    try:
        return converter().expand(curie, strict=True)
    except ValueError as error:  # curies raises ValueError subclasses only
        raise ValueError(f"not a CURIE with a known prefix: {curie!r}") from error


def compress(iri: str) -> str | None:
    """The standard CURIE of an IRI, or None if no known prefix matches."""
    return converter().compress(str(iri))


def standardize(curie: str) -> str:
    """The standard spelling of a CURIE, e.g. 'PMID:1' → 'pubmed:1'."""
    return converter().standardize_curie(curie, strict=True)


def display_prefixes() -> dict[str, str]:
    """Prefix → IRI prefix for showing IRIs as CURIEs: registry prefixes, then vocabularies.

    The catch-all `obo` is left out so that MONDO_, HP_, CL_ … IRIs show their own prefix.
    """
    canonical = {record.prefix: record.uri_prefix for record in converter().records}
    merged = {**canonical, **PREFIXES}
    merged.pop("obo", None)
    return merged


@cache
def _sparql_prefixes() -> tuple[tuple[str, str], ...]:
    records = converter().records
    registry = {name: record.uri_prefix for record in records for name in (record.prefix, *record.prefix_synonyms)}
    return tuple({**registry, **PREFIXES}.items())


def sparql_prefixes() -> dict[str, str]:
    """The prefixes every SPARQL query and update may use without declaring them (as Wikidata's
    service predeclares its own): our vocabularies (PREFIXES), and every registry prefix with its
    synonyms (`HGNC:`, `hgnc:`, `MONDO:` …). A query's own PREFIX wins.

    >>> sparql_prefixes()["kg"] == PREFIXES["kg"], sparql_prefixes()["HGNC"]
    (True, 'https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/')
    """
    return dict(_sparql_prefixes())
