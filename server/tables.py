"""A saved query's answer for one entity, as its page shows it: repeated rows merged.

A query that gives one row per reference (or meets a triple in two graphs) repeats the rest of
the row. Rows that are equal but for one column are one row here, with that column's values
together — applied to each column in turn, from the last. Every step keeps the set of rows the
table stands for: a merged row means every combination of its cells' values was a row.

>>> from server.names import Node
>>> a, b, x, y = (Node("literal", v) for v in "abxy")
>>> [[[n.value for n in cell] for cell in row] for row in merge_rows([(a, x), (a, y), (a, x), (b, x)])]
[[['a'], ['x', 'y']], [['b'], ['x']]]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from kg.saved_queries import SavedQuery
from kg.store import Store

from .names import Node, names, node

READ_ROWS = 500  # rows of a saved query read for a page; the query page gives them all
SHOWN_ROWS = 12  # merged rows shown on an entity's page
PAGE_ROWS = 100  # merged rows on a page of a section's own list

Cell = tuple[Node | None, ...]  # a column's values in one row (None: unbound)
Row = tuple[Cell, ...]


def _merge_column(rows: list[Row], column: int) -> list[Row]:
    merged: dict[Row, list[Node | None]] = {}
    for row in rows:
        key = row[:column] + ((),) + row[column + 1:]
        values = merged.setdefault(key, [])
        values.extend(value for value in row[column] if value not in values)
    return [key[:column] + (tuple(values),) + key[column + 1:] for key, values in merged.items()]


def merge_rows(rows: Sequence[Sequence[Node | None]]) -> list[Row]:
    """The rows with repeats dropped and rows equal but for one column merged, in their order."""
    merged: list[Row] = list(dict.fromkeys(tuple((cell,) for cell in row) for row in rows))
    width = len(merged[0]) if merged else 0
    for column in reversed(range(width)):
        merged = _merge_column(merged, column)
    return merged


@dataclass(frozen=True)
class Table:
    """A saved query's merged answer for one entity: the first SHOWN_ROWS rows, and how many."""

    title: str
    query: str  # the saved query's name
    parameter: str
    columns: tuple[str, ...]
    rows: list[Row]
    total: int  # merged rows among those read
    complete: bool  # every row of the answer was read (not cut at READ_ROWS)
    sources: tuple[str, ...] = ()  # the named graphs the section says it reads
    page: int = 1
    size: int = SHOWN_ROWS

    @property
    def more(self) -> int:
        return self.total - len(self.rows)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def table(store: Store, query: SavedQuery, iri: str, page: int = 1, size: int = SHOWN_ROWS) -> Table:
    """The section of `query` on the page of `iri` (page `page` of `size` merged rows): its answer
    bound to the entity, merged, with our own nodes (associations and the like) named by what
    they are."""
    assert query.section is not None
    result = store.query(query.bind({query.section.parameter: iri}, limit=READ_ROWS + 1))
    columns = tuple(variable.value for variable in result.variables)
    terms = [[row[name] for name in columns] for row in result]
    complete = len(terms) <= READ_ROWS
    ours = {t.value for row in terms for t in row if isinstance(t, ox.NamedNode) and Node("iri", t.value).ours}
    named = names(store, ours, seen_from=iri)
    rows = merge_rows([[None if t is None else node(t, named.get(t.value)) for t in row] for row in terms[:READ_ROWS]])
    start = (page - 1) * size
    return Table(query.section.title, query.name, query.section.parameter, columns, rows[start:start + size], len(rows),
                 complete, query.section.sources, page, size)
