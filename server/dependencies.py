"""What an answer depends on: the predicates whose quads a query can match.

A write that adds or removes only quads of other predicates cannot change the answer, so the
result cache keeps it across that write (see `result_cache`). The query is read by rdflib's
SPARQL parser into its algebra, and every triple pattern anywhere in it (EXISTS and MINUS
included) must have an IRI or a path of IRIs as its predicate. Anything that can match quads
of any predicate makes the answer depend on every write (`None`): a variable predicate, a
negated property set, a path that may be zero steps long (`*`, `?`: it matches nodes by any
predicate; but see `_patterns`), an empty `GRAPH` pattern (it lists graphs), `SERVICE`, `DESCRIBE`, and any text rdflib cannot
read. The analysis errs only towards `None`.

rdflib must read the terminals the engine reads. So it is given the text as our lexer splits
it (`kg.safety.shape`: the engine's terminals, with one space where the engine saw space or
comments, and our predeclared prefixes bound), never the client's text: rdflib would end a comment only at LF,
where the engine also ends it at CR. rdflib also expands `\\u` escapes over the whole text
before it parses, where the engine expands them only inside IRIs and strings, so a text
with any codepoint escape is not analysed. Neither is a long one (`MAX_CHARACTERS`,
`MAX_TERMINALS`): rdflib's time grows faster than the text (a 19 KB `IN` list costs it
seconds). rdflib runs under a deadline (`TIME_LIMIT`): a trace function on the analysing
thread stops it when the deadline passes. Whatever is not analysed depends on every write.
Results are kept by the text's digest (`TextCache`), never by the text.

>>> sorted(predicates("PREFIX ex: <http://example.org/> SELECT * { ?s a ex:C ; ex:p/ex:q+ ?o "
...                   "FILTER NOT EXISTS { ?s ex:r ?x } }"))
['http://example.org/p', 'http://example.org/q', 'http://example.org/r', 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type']
>>> predicates("SELECT * { ?s ?p ?o }") is None, predicates("SELECT * { ?s <http://example.org/p>* ?o }") is None
(True, True)
>>> predicates("SELECT (1 AS ?one) {}")
frozenset()
"""

from __future__ import annotations

import sys
import time
from typing import Any

from rdflib.paths import AlternativePath, InvPath, MulPath, Path, SequencePath
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.algebra import triples as flat_triples
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import BNode, URIRef, Variable

from kg.safety import Malformed, shape
from kg.text_cache import TextCache
from ontology.identifiers import sparql_prefixes

MAX_CHARACTERS = 8_000  # longer texts are not analysed (they depend on every write)
MAX_TERMINALS = 2_000
TIME_LIMIT = 2.0  # seconds rdflib may take over one text
OPEN_NODES = frozenset({"ServiceGraphPattern", "DescribeQuery"})
GRAPH_NODES = frozenset({"Graph", "GraphGraphPattern"})


class _Open(Exception):
    """The answer may depend on quads of any predicate."""


class _Late(BaseException):  # not an Exception: nothing in rdflib or pyparsing may catch it
    """rdflib ran past its deadline."""


_FOUND: TextCache[frozenset[str] | None] = TextCache(max_bytes=4 << 20)


def predicates(text: str, base: str | None = None) -> frozenset[str] | None:
    """The predicate IRIs the answer of the query `text` depends on; None for any."""
    return _FOUND.get_or_make(text, base, lambda: _analysed(text, base),
                              size=lambda found: sum(map(len, found or ())) + 64 * len(found or ()))


def _analysed(text: str, base: str | None) -> frozenset[str] | None:
    readable = _as_the_engine_reads(text, base)
    if readable is None:
        return None
    try:
        query = _within(TIME_LIMIT, lambda: translateQuery(parseQuery(readable), base=base, initNs=sparql_prefixes()))
    except _Late:
        return None
    except Exception:  # noqa: BLE001 - whatever rdflib cannot read depends on everything
        return None
    found: set[str] = set()
    try:
        _walk(query.algebra, found)
    except _Open:
        return None
    return frozenset(found)


def _as_the_engine_reads(text: str, base: str | None) -> str | None:
    """The engine's terminals of `text`, as they stand in it, each run of space and comments
    between two made one space; None when rdflib could read them otherwise (a codepoint escape) or the text is too long to analyse."""
    if len(text) > MAX_CHARACTERS:
        return None
    try:
        tokens = shape(text, base).tokens
    except Malformed:
        return None
    if len(tokens) > MAX_TERMINALS or any("\\u" in t.text or "\\U" in t.text for t in tokens):
        return None
    parts, end = [], 0
    for token in tokens:  # a space where the engine saw space or a comment: rdflib wants `<p>+` whole
        parts.append(token.text if token.start == end else " " + token.text)
        end = token.start + len(token.text)
    return "".join(parts)


def _within(seconds: float, work: Any) -> Any:
    """`work()`, stopped by `_Late` once `seconds` have passed (checked at each Python call)."""
    deadline = time.monotonic() + seconds

    def trace(frame: Any, event: str, arg: Any) -> None:
        if time.monotonic() > deadline:
            raise _Late
        # returning nothing: no tracing inside the frame

    previous = sys.gettrace()
    sys.settrace(trace)
    try:
        return work()
    finally:
        sys.settrace(previous)


def _walk(node: Any, found: set[str]) -> int:
    """Add the predicates under `node` to `found`; the number of triple patterns under it."""
    if isinstance(node, CompValue):
        if node.name in OPEN_NODES:
            raise _Open
        patterns = sum(_walk(value, found) for key, value in node.items() if key != "triples")
        triples = _triples(dict.get(node, "triples"))  # CompValue.get answers a missing key with its name
        _patterns(triples, found)
        patterns += len(triples)
        if node.name in GRAPH_NODES and not patterns:
            raise _Open
        return patterns
    if isinstance(node, (list, tuple)):
        return sum(_walk(item, found) for item in node)
    return 0


def _triples(given: Any) -> list[tuple[Any, Any, Any]]:
    """Triple patterns, from a pattern's list of triples or the parser's flat lists of terms."""
    try:
        return flat_triples(list(given)) if given else []
    except Exception:  # noqa: BLE001 - a shape we do not know
        raise _Open from None


def _patterns(triples: list[tuple[Any, Any, Any]], found: set[str]) -> None:
    """Add the predicates of one group's triple patterns. A `*` or `?` path between two
    variables is the exception to `_path`'s rule when one of the variables is also an end of
    another pattern of the group whose predicate is an IRI: the zero-step matches are then
    nodes that pattern found, whatever else the graph holds."""
    for index, (subject, predicate, object_) in enumerate(triples):
        if (isinstance(predicate, MulPath) and predicate.mod in "*?" and _variable(subject) and _variable(object_)
                and _anchored(triples, index, {subject, object_})):
            _path(predicate.path, found)
        else:
            _path(predicate, found)


def _variable(term: Any) -> bool:
    return isinstance(term, Variable | BNode)


def _anchored(triples: list[tuple[Any, Any, Any]], index: int, ends: set[Any]) -> bool:
    return any(other != index and isinstance(predicate, URIRef) and (subject in ends or object_ in ends)
               for other, (subject, predicate, object_) in enumerate(triples))


def _path(predicate: Any, found: set[str]) -> None:
    """Add a path's IRIs. A `*` or `?` step also matches zero steps, from any node of the graph
    (Oxigraph gives the zero-step match of an IRI only when the IRI is in the graph), so the
    answer then depends on quads of any predicate."""
    if isinstance(predicate, URIRef):
        found.add(str(predicate))
    elif isinstance(predicate, SequencePath | AlternativePath):
        for step in predicate.args:
            _path(step, found)
    elif isinstance(predicate, InvPath):
        _path(predicate.arg, found)
    elif isinstance(predicate, MulPath) and predicate.mod == "+":
        _path(predicate.path, found)
    elif isinstance(predicate, Path | object):  # a variable, a negated set, `*` or `?` …
        raise _Open
