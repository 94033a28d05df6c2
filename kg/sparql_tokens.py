"""A SPARQL text split into tokens just finely enough to find braces and keywords.

Strings, IRIs and comments are single tokens, so a brace or a keyword inside them is never
taken for syntax. Used to place generated clauses (USING, VALUES) into a text that the
engine parses afterwards.

>>> [t.text for t in tokens('SELECT * WHERE { ?s ?p "} WHERE" } # {')]
['SELECT', '*', 'WHERE', '{', '?', 's', '?', 'p', '"} WHERE"', '}']
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_TOKENS = re.compile(
    r'''(?P<skip>\#[^\n]*)|(?P<space>\s+)
      |(?P<literal>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
        |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'
        |<[^<>"{}|^`\\\x00-\x20]*>)
      |(?P<open>\{)|(?P<close>\})|(?P<word>[A-Za-z]+)|(?P<other>.)''',
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str  # literal, open, close, word or other
    text: str
    start: int
    depth: int  # braces open before this token


def tokens(sparql: str) -> Iterator[Token]:
    """The significant tokens of `sparql`, each with its brace depth; comments and space dropped."""
    depth = 0
    for match in _TOKENS.finditer(sparql):
        kind = match.lastgroup or "other"
        if kind in {"skip", "space"}:
            continue
        if kind == "close":
            depth -= 1
        yield Token(kind, match.group(), match.start(), depth)
        if kind == "open":
            depth += 1


def keyword(token: Token, word: str) -> bool:
    return token.kind == "word" and token.text.upper() == word
