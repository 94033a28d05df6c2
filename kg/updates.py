"""A SPARQL update run on an in-memory copy of the store, and its effect worked out as a `Change`.

The update's text is split into its operations (at the top-level `;`), each carrying the
BASE and PREFIX declarations before it. Each operation runs on the copy in turn, as the
engine would run them in one request, and its effect is read off the copy:

- `INSERT DATA` / `DELETE DATA`: the data itself, read by the engine on an empty store;
- `CLEAR` / `DROP`: the graphs they empty or drop;
- everything else: the quads of the graphs the operation can write (its templates' graphs,
  the target of ADD / MOVE / COPY), compared before and after. A template with `GRAPH ?g`
  can write anywhere, so then the whole copy is compared.

The copy is changed along the way; the caller discards it if anything fails.

>>> store = ox.Store()
>>> change = run_update(store, 'PREFIX ex: <http://example.org/> INSERT DATA { ex:s ex:p "o" } ; '
...                            'INSERT { GRAPH ex:g { ?s ?p "copy" } } WHERE { ?s ?p "o" }')
>>> sorted(str(q) for q in change.added)
['<http://example.org/s> <http://example.org/p> "copy" <http://example.org/g>', '<http://example.org/s> <http://example.org/p> "o"']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from ontology.identifiers import sparql_prefixes

from .change import Change, Graph, graph_of, graph_term
from .messages import explain
from .safety import Malformed, Prologue, shape
from .sparql_lexer import Token

KINDS = ("INSERT DATA", "DELETE DATA", "DELETE WHERE", "MODIFY", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY",
         "LOAD")
ALL = "*"  # every graph, the default graph included
NAMED = "*named"  # every named graph
DATA_KINDS = ("INSERT DATA", "DELETE DATA")


@dataclass(frozen=True)
class Operation:
    kind: str  # INSERT DATA, DELETE DATA, DELETE WHERE, MODIFY, CLEAR, DROP, CREATE, ADD, MOVE, COPY, LOAD
    text: str  # what the engine runs: the declarations before it, then the operation
    tokens: tuple[Token, ...] = field(repr=False)  # its own, from its first keyword on
    prologue: Prologue = field(repr=False)  # the declarations in force for it
    keyword_at: int = 0  # where its first keyword starts in `text`
    source_at: int = 0  # where its own part (after the carried declarations) starts in the whole update
    own_at: int = 0  # where that part starts in `text`


def _kind(tokens: Sequence[Token]) -> str:
    first = tokens[0].text.upper() if tokens else ""
    second = tokens[1].text.upper() if len(tokens) > 1 and tokens[1].kind == "word" else ""
    if first in ("INSERT", "DELETE") and second in ("DATA", "WHERE") and (first, second) != ("INSERT", "WHERE"):
        return f"{first} {second}"
    if first in ("INSERT", "DELETE", "WITH"):
        return "MODIFY"
    return first


def operations(text: str, base: str | None = None) -> list[Operation]:
    """The operations of an update, each with the declarations it needs to run alone."""
    tokens = shape(text, base).tokens
    prologue = Prologue(base)
    carried = ""  # the declarations of earlier operations
    found = []
    for own in _split_at_semicolons(tokens):
        first = 0
        while first < len(own) and (size := prologue.declare(own, first)):
            first += size
        if first < len(own):
            end = own[-1].start + len(own[-1].text)
            operation_text = carried + text[own[0].start:end]
            keyword_at = len(carried) + own[first].start - own[0].start
            found.append(Operation(_kind(own[first:]), operation_text, tuple(own[first:]),
                                   Prologue(prologue.base, dict(prologue.prefixes)), keyword_at,
                                   own[0].start, len(carried)))
        if first:
            carried += text[own[0].start:own[first - 1].start + len(own[first - 1].text)] + "\n"
    return found


def _split_at_semicolons(tokens: Sequence[Token]) -> list[list[Token]]:
    parts: list[list[Token]] = [[]]
    for token in tokens:
        if token.text == ";" and token.depth == 0:
            parts.append([])
        else:
            parts[-1].append(token)
    return [part for part in parts if part]


# -- which graphs an operation can write ---------------------------------------------------------


def _group_end(tokens: Sequence[Token], open_at: int) -> int:
    """The index of the bracket closing the one at `open_at`."""
    depth = tokens[open_at].depth
    for index in range(open_at + 1, len(tokens)):
        if tokens[index].kind == "close" and tokens[index].depth == depth:
            return index
    raise Malformed("unbalanced brackets")


def _template_graphs(operation: Operation, open_at: int, default: Graph) -> set[Graph | str]:
    """The graphs a template (the group opening at `open_at`) writes into."""
    tokens, graphs = operation.tokens, set()
    index, end, level = open_at + 1, _group_end(operation.tokens, open_at), operation.tokens[open_at].depth + 1
    while index < end:
        token = tokens[index]
        if token.depth == level and token.is_word("GRAPH"):
            name = tokens[index + 1]
            graphs.add(ALL if name.kind == "var" else operation.prologue.iri(name))
            index = _group_end(tokens, index + 2) + 1
            continue
        if token.depth == level and token.text != ".":
            graphs.add(default)
        index += 1
    return graphs


def _modify_graphs(operation: Operation) -> set[Graph | str]:
    tokens, graphs = operation.tokens, set()
    default: Graph = None
    for index, token in enumerate(tokens):
        if token.depth:
            continue
        if token.is_word("WITH"):
            default = operation.prologue.iri(tokens[index + 1])
        elif token.is_word("INSERT", "DELETE") or (token.is_word("WHERE") and operation.kind == "DELETE WHERE"):
            following = index + 1
            if tokens[following].kind == "open":
                graphs |= _template_graphs(operation, following, default)
    return graphs


def _graph_ref(operation: Operation, index: int) -> tuple[Graph | str, int]:
    """A GraphRef / GraphRefAll / GraphOrDefault at `index`, and the index after it."""
    tokens = operation.tokens
    token = tokens[index]
    if token.is_word("DEFAULT"):
        return None, index + 1
    if token.is_word("NAMED", "ALL"):
        return (NAMED if token.is_word("NAMED") else ALL), index + 1
    if token.is_word("GRAPH"):
        index += 1
    return operation.prologue.iri(tokens[index]), index + 1


def written_graphs(operation: Operation) -> set[Graph | str]:
    """The graphs an operation can change: IRIs, None for the default graph, ALL for any."""
    try:
        return _written_graphs(operation)
    except (ValueError, IndexError) as error:  # a truncated or malformed operation
        raise Malformed(f"{operation.kind}: {error or 'the operation ends too soon'}") from None


def _written_graphs(operation: Operation) -> set[Graph | str]:
    if operation.kind in ("MODIFY", "DELETE WHERE"):
        return _modify_graphs(operation)
    index = 2 if len(operation.tokens) > 1 and operation.tokens[1].is_word("SILENT") else 1
    target, after = _graph_ref(operation, index)
    if operation.kind in ("ADD", "MOVE", "COPY"):
        second, _ = _graph_ref(operation, after + 1)  # after the TO keyword
        return {target, second}
    return {target}


# -- running an operation and reading its effect -------------------------------------------------


def _engine_update(store: ox.Store, text: str, base: str | None) -> None:
    """The engine runs one operation, with the predeclared prefixes."""
    store.update(text, base_iri=base, prefixes=sparql_prefixes())


def _quads(store: ox.Store, graphs: set[Graph | str]) -> set[ox.Quad]:
    if ALL in graphs or NAMED in graphs:
        return set(store)
    return {q for g in graphs for q in store.quads_for_pattern(None, None, None, graph_term(g))}


def _named_graphs(store: ox.Store) -> set[str]:
    return {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)}


def _data(store: ox.Store, operation: Operation, base: str | None) -> Change:
    """INSERT DATA / DELETE DATA: the engine reads the data into an empty store."""
    scratch = ox.Store()
    _engine_update(scratch, operation.text, base)  # checks the operation as written
    if operation.kind == "DELETE DATA":
        at = operation.keyword_at
        _engine_update(scratch, operation.text[:at] + "INSERT" + operation.text[at + len("DELETE"):], base)
        change = Change(removed=frozenset(q for q in scratch if q in store))
    else:  # the engine makes the graphs it inserts into, and they stay when emptied later
        named = _named_graphs(scratch) - _named_graphs(store)
        change = Change(added=frozenset(q for q in scratch if q not in store), created=frozenset(named))
    change.apply(store)
    return change


def _graph_management(store: ox.Store, operation: Operation, base: str | None) -> Change:
    """CLEAR, DROP and CREATE: the graphs they empty, and the names they drop or make.

    CLEAR of a named graph the store does not have is a no-op, as in stores that keep no empty
    graphs (the SPARQL 1.1 protocol tests expect it); DROP of one is an error unless SILENT.
    """
    before = _named_graphs(store)
    [target] = written_graphs(operation)
    if operation.kind == "CLEAR" and target not in (None, ALL, NAMED) and target not in before:
        return Change()
    _engine_update(store, operation.text, base)
    after = _named_graphs(store)
    emptied = {None} | before if target == ALL else before if target == NAMED else {target}
    return Change(cleared=frozenset() if operation.kind == "CREATE" else frozenset(emptied),
                  dropped=frozenset(before - after), created=frozenset(after - before))


def _compared(store: ox.Store, operation: Operation, base: str | None) -> Change:
    """Any other operation: its graphs before and after."""
    graphs = written_graphs(operation)
    names_before, before = _named_graphs(store), _quads(store, graphs)
    _engine_update(store, operation.text, base)
    after = _quads(store, graphs)
    names_after = _named_graphs(store)
    return Change(removed=frozenset(before - after), added=frozenset(after - before),
                  dropped=frozenset(names_before - names_after), created=frozenset(names_after - names_before))


class UpdateFailed(ValueError):
    """An operation the engine refused as it stands (a graph to DROP that does not exist …)."""


def run_operation(store: ox.Store, operation: Operation, base: str | None) -> Change:
    try:
        return _run(store, operation, base)
    except RuntimeError as error:
        raise UpdateFailed(f"{operation.kind}: {error}") from None


def _run(store: ox.Store, operation: Operation, base: str | None) -> Change:
    if operation.kind not in KINDS:  # never given to the engine: it would run what it can read
        raise Malformed(f"{operation.kind[:40] or 'the text'} does not start an update operation: one begins "
                        f"with INSERT, DELETE, WITH, LOAD, CLEAR, DROP, CREATE, ADD, MOVE or COPY")
    if operation.kind in DATA_KINDS:
        return _data(store, operation, base)
    if operation.kind in ("CLEAR", "DROP", "CREATE"):
        return _graph_management(store, operation, base)
    return _compared(store, operation, base)


class PartlyApplied(Exception):
    """An operation failed after earlier ones of the same update had changed the copy."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


def run_update(store: ox.Store, text: str, base: str | None = None) -> Change:
    """Run every operation of `text` on `store` (an in-memory copy) and return their effect.

    Each operation is atomic on the copy; when one fails after others have run, the error
    comes wrapped in PartlyApplied, and the copy must be discarded.
    """
    change = Change()
    for index, operation in enumerate(operations(text, base)):
        try:
            try:
                change = change.then(run_operation(store, operation, base))
            except SyntaxError as error:  # where the engine read it: in the operation; where it is: in `text`
                raise explain(error, text, engine_text=operation.text, shift=operation.source_at,
                              skip=operation.own_at) from None
        except BaseException as error:
            if index == 0 or isinstance(error, (SystemExit, KeyboardInterrupt)):
                raise
            raise PartlyApplied(error) from error
    return change


__all__ = ["ALL", "Operation", "PartlyApplied", "UpdateFailed", "graph_of", "operations", "run_update", "written_graphs"]
