"""The protocol's using-graph-uri / using-named-graph-uri, applied as USING clauses.

SPARQL 1.1 Protocol §2.2.3: the parameters give each DELETE/INSERT … WHERE operation its
dataset, as USING and USING NAMED would. The engine has no such parameter for updates, so the
clauses are written into the text before every WHERE that ends a DELETE/INSERT template.
Updates that already carry USING or WITH are refused earlier.

>>> with_using('INSERT { ?s a ?o } WHERE { ?s ?p "} WHERE" }', ["http://example.org/g"], [])
'INSERT { ?s a ?o } USING <http://example.org/g> WHERE { ?s ?p "} WHERE" }'
>>> with_using("DELETE WHERE { ?s ?p ?o }", ["http://example.org/g"], [])
'DELETE WHERE { ?s ?p ?o }'
"""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox

from kg.sparql_lexer import tokens


def _where_positions(update: str) -> list[int]:
    """Offsets of each top-level WHERE that directly follows a closing brace (a template's)."""
    positions, previous = [], ""
    for token in tokens(update):
        if token.depth == 0 and token.is_word("WHERE") and previous == "}":
            positions.append(token.start)
        previous = token.text
    return positions


def with_using(update: str, default_graphs: Sequence[str], named_graphs: Sequence[str]) -> str:
    """`update` with USING / USING NAMED clauses for the given graphs."""
    if not default_graphs and not named_graphs:
        return update
    clauses = "".join(f"USING {ox.NamedNode(g)} " for g in default_graphs)
    clauses += "".join(f"USING NAMED {ox.NamedNode(g)} " for g in named_graphs)
    for position in reversed(_where_positions(update)):
        update = update[:position] + clauses + update[position:]
    return update
