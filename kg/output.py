"""How query results leave the CLI: the engine serialises every format but the terminal table."""

from __future__ import annotations

import enum

import pyoxigraph as ox
from rich.table import Table

from ontology import PREFIXES
from ontology.identifiers import compress

from . import formats
from .store import QueryResult

TRIPLES_INSTEAD = {"table": "ttl", "json": "jsonld", "xml": "rdf"}  # what a CONSTRUCT gives for these


OutputFormat = enum.StrEnum("OutputFormat", {"table": "table", **{f.name: f.name for f in formats.subset("cli")}})
OutputFormat.__doc__ = "The names `--format` accepts: the terminal table, and the CLI's formats of kg.formats."


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
        name = TRIPLES_INSTEAD.get(fmt.value, fmt.value)
        return ox.serialize(result, format=formats.rdf_format(name), prefixes=PREFIXES)
    if fmt.value == "table":
        return str(bool(result)).lower() if isinstance(result, ox.QueryBoolean) else table(result)
    found = formats.by_name(fmt.value, "results")
    if found is None:
        names = ", ".join(["table", *(f.name for f in formats.subset("results"))])
        raise ValueError(f"--format {fmt.value} is for CONSTRUCT and DESCRIBE; use {names}")
    return result.serialize(format=found.engine)
