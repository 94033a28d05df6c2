"""How query results leave the CLI: the engine serialises every format but the terminal table."""

from __future__ import annotations

import enum

import pyoxigraph as ox
from rich.table import Table

from ontology import PREFIXES
from ontology.identifiers import compress

from .store import QueryResult


class OutputFormat(enum.StrEnum):
    """The names `--format` accepts; each but `table` is a file extension the engine knows."""

    table = "table"
    json = "json"
    xml = "xml"
    csv = "csv"
    tsv = "tsv"
    turtle = "ttl"
    ntriples = "nt"
    jsonld = "jsonld"
    rdfxml = "rdf"


RDF_FORMATS = {"turtle": "ttl", "ttl": "ttl", "nt": "nt", "ntriples": "nt", "nq": "nq",
               "trig": "trig", "jsonld": "jsonld", "rdfxml": "rdf", "rdf": "rdf"}


def rdf_format(name: str) -> ox.RdfFormat:
    """An RDF serialisation by its CLI name or extension; ValueError if unknown."""
    found = ox.RdfFormat.from_extension(RDF_FORMATS.get(name.lower(), name.lower()))
    if found is None:
        raise ValueError(f"unknown RDF format {name!r}; use one of {', '.join(sorted(RDF_FORMATS))}")
    return found


def show_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    """A term for a person: IRIs as CURIEs, literals with their language or datatype."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compress(term.value) or f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if term.language:
        return f"{term.value} @{term.language}"
    datatype = term.datatype.value
    if datatype.endswith(("#string", "#integer", "#boolean", "#decimal")):
        return term.value
    return f"{term.value} ^^{compress(datatype) or datatype}"


def table(result: ox.QuerySolutions) -> Table:
    variables = [v.value for v in result.variables]
    grid = Table(*variables, show_lines=False)
    for row in result:
        grid.add_row(*(show_term(row[v]) for v in variables))
    return grid


def serialize(result: QueryResult, fmt: OutputFormat) -> bytes | Table | str:
    """The result in the format asked for; ValueError if it does not fit the query form. Triples
    are the embedded engine's QueryTriples or a remote engine's list."""
    if not isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
        if fmt in {OutputFormat.table, OutputFormat.json, OutputFormat.xml}:
            fmt = {OutputFormat.json: OutputFormat.jsonld, OutputFormat.xml: OutputFormat.rdfxml}.get(fmt, OutputFormat.turtle)
        return ox.serialize(result, format=rdf_format(fmt.value), prefixes=PREFIXES)
    if fmt is OutputFormat.table:
        return str(bool(result)).lower() if isinstance(result, ox.QueryBoolean) else table(result)
    results_format = ox.QueryResultsFormat.from_extension(fmt.value)
    if results_format is None:
        raise ValueError(f"--format {fmt.value} is for CONSTRUCT and DESCRIBE; use table, json, xml, csv or tsv")
    return result.serialize(format=results_format)
