"""What a SPARQL text asks for, read from rdflib's parse tree rather than from the text.

The store needs to know whether a query names its own dataset (the union default graph must
not override FROM); the server needs to know which remote endpoints, LOAD operations, file
IRIs, USING and WITH clauses an operation holds before it lets the engine near it.

>>> inspect_query("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }").declares_dataset
True
>>> inspect_query("SELECT * WHERE { ?s <http://example.org/from> ?o }").declares_dataset
False
>>> inspect_query("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }").services
('http://example.org/sparql',)
>>> inspect_update("LOAD <file:///etc/passwd>").loads
1
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache

from pyparsing import ParseResults
from pyparsing.exceptions import ParseException
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import URIRef, Variable

# Only these words can make an operation need a closer look; SPARQL has no way to spell a
# keyword or an IRI scheme without its letters, once codepoint escapes (\u, \U) are ruled out.
_WATCHED = re.compile(r"from|service|load|using|with|file:|\\u", re.IGNORECASE)


# pyparsing leaves reference cycles through the frames it raised in; parsing on a thread of its
# own keeps the caller's frames (and the store they hold open) out of those cycles. One thread
# also keeps the parser, which is not thread-safe, to one parse at a time.
_PARSER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-sparql-parser")


def parse_query(sparql: str) -> object:
    """rdflib's parse tree of a query; ParseException (with line and column) when malformed."""
    return _PARSER.submit(parseQuery, sparql).result()


def _parsed(parse: Callable[[str], object], sparql: str) -> Shape:
    try:
        return _shape(_PARSER.submit(parse, sparql).result())
    except ParseException:
        return Shape(parsed=False)


@dataclass(frozen=True)
class Shape:
    """The parts of an operation that decide how, and whether, it may run."""

    parsed: bool = True  # False when rdflib could not parse the text (the engine will judge it)
    declares_dataset: bool = False  # FROM / FROM NAMED in a query
    services: tuple[str, ...] = ()  # SERVICE endpoints; "?var" for a variable endpoint
    loads: int = 0  # LOAD operations
    file_iris: tuple[str, ...] = ()  # any file: IRI, anywhere
    using_or_with: bool = False  # USING / USING NAMED / WITH in an update


def _nodes(tree: object) -> Iterator[object]:
    """Every CompValue, list and term in a parse tree, depth first."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, CompValue):
            stack.extend(node.values())
        elif isinstance(node, (list, tuple, ParseResults)):
            stack.extend(node)


def _shape(tree: object) -> Shape:
    services: list[str] = []
    files: list[str] = []
    dataset = loads = using = False
    for node in _nodes(tree):
        if isinstance(node, URIRef) and node.lower().startswith("file:"):
            files.append(str(node))
        if not isinstance(node, CompValue):
            continue
        if node.name == "ServiceGraphPattern":
            term = node["term"]
            services.append(f"?{term}" if isinstance(term, Variable) else str(term))
        elif node.name == "Load":
            loads += 1
        elif node.name == "Modify" and ("using" in node or "withClause" in node):
            using = True
        elif node.name.endswith("Query") and "datasetClause" in node:
            dataset = True
    return Shape(True, dataset, tuple(services), int(loads), tuple(files), using)


@lru_cache(maxsize=2048)
def inspect_query(sparql: str) -> Shape:
    """The shape of a query; parsing is skipped when no watched word occurs."""
    return _parsed(parseQuery, sparql) if _WATCHED.search(sparql) else Shape()


@lru_cache(maxsize=256)
def inspect_update(sparql: str) -> Shape:
    """The shape of an update; parsing is skipped when no watched word occurs."""
    return _parsed(parseUpdate, sparql) if _WATCHED.search(sparql) else Shape()
