"""The one table of formats, and the places that take their subsets from it."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg import dumps, formats
from kg.output import OutputFormat
from server import linked_data, negotiation

PLACES = [
    ("SPARQL results", negotiation.RESULT_FORMATS, "results"),
    ("SPARQL and Graph Store graphs", negotiation.GRAPH_FORMATS, "graph"),
    ("entity pages", linked_data.ENTITY_FORMATS, "entity"),
    ("dumps", (dumps.FORMAT,), "dump"),
]


@pytest.mark.parametrize(("place", "offers", "role"), PLACES, ids=[p[0] for p in PLACES])
def test_each_place_offers_its_subset_of_the_table(place: str, offers: tuple[object, ...], role: str) -> None:
    assert offers == formats.engines(role) and offers


def test_the_cli_names_are_the_table_and_the_terminal_table() -> None:
    assert [f.value for f in OutputFormat] == ["table", *(f.name for f in formats.subset("cli"))]


NAMES = [("turtle", ox.RdfFormat.TURTLE), ("TTL", ox.RdfFormat.TURTLE), ("application/n-triples", ox.RdfFormat.N_TRIPLES),
         ("text/plain", ox.RdfFormat.N_TRIPLES), ("rdfxml", ox.RdfFormat.RDF_XML), ("json", ox.QueryResultsFormat.JSON),
         ("application/json", ox.QueryResultsFormat.JSON), ("n-quads", ox.RdfFormat.N_QUADS), ("png", None)]


@pytest.mark.parametrize(("name", "engine"), NAMES, ids=[n[0] for n in NAMES])
def test_a_format_by_any_of_its_names(name: str, engine: object) -> None:
    found = formats.by_name(name)
    assert (found.engine if found else None) == engine


def test_names_are_unique() -> None:
    names = [n for f in formats.FORMATS for n in (f.name, *f.aliases, f.media_type, *f.media_aliases)]
    assert len(names) == len(set(names))
