"""SPARQL text split into the terminals the engine sees, exactly, in one linear pass.

The terminals follow the SPARQL 1.1 grammar (§19.8) as Oxigraph reads it: a comment runs
from `#` to the next CR or LF; codepoint escapes (`\\u`, `\\U`) count only inside IRIs and
strings; whitespace is space, tab, CR and LF. Anything else that is not a terminal is a
`LexError`, so a text is either split as the engine splits it, or refused.

Words and prefixes follow the two rules of `sparql_words`, because Oxigraph matches a keyword
with no word boundary after it: a word must be exactly a keyword, a function name, `a`, `true`
or `false` (`SERVICESILENT` is refused), and a prefix must not begin with a keyword that may
precede a prefixed name (`SILENTex:` is refused). Either would be read one way here and
another way by the engine.

The pass also bounds the text before any parser sees it: brackets may nest at most
`MAX_DEPTH` deep, and an operation may hold at most `MAX_TOKENS` terminals outside its data
blocks (`INSERT DATA` / `DELETE DATA`), because the engine's parser and optimiser recurse on
both and would exhaust a thread's stack.

>>> [(t.kind, t.text) for t in tokens('SELECT * WHERE { ?s <p> "} #" } # {')]
[('word', 'SELECT'), ('punct', '*'), ('word', 'WHERE'), ('open', '{'), ('var', '?s'), ('iri', '<p>'), ('string', '"} #"'), ('close', '}')]
>>> [t.text for t in tokens('# x\\rSERVICE')]
['SERVICE']
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .sparql_words import KEYWORDS, glued_keyword, is_word, keyword_split

MAX_DEPTH = 64  # brackets open at once: {, ( and [
MAX_TOKENS = 20_000  # terminals outside INSERT DATA / DELETE DATA blocks

_BASE = ("A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
         "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff")
_U = _BASE + "_"
_CHARS = _U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PREFIX = rf"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_LOCAL = rf"(?:[{_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"

_TERMINALS = re.compile(rf"""
    (?P<space>[ \t\r\n]+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|{_UCHAR})*>)
  | (?P<string>\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"|'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
      |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<var>[?$][{_U}0-9][{_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*)
  | (?P<bnode>_:[{_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?)
  | (?P<pname>(?:{_PREFIX})?:(?:{_LOCAL})?)
  | (?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*(?:--[a-zA-Z]+)?)
  | (?P<number>[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+|[0-9]+[eE][+-]?[0-9]+
      |[0-9]*\.[0-9]+|[0-9]+)
  | (?P<word>[A-Za-z][A-Za-z0-9_]*)
  | (?P<open>[{{(\[])
  | (?P<close>[}})\]])
  | (?P<punct>\^\^|&&|\|\||!=|<=|>=|<<|>>|\{{\||\|}}|[*+\-/|^!=<>?,;.~])
""", re.VERBOSE | re.DOTALL)

class LexError(ValueError):
    """Text the engine would not split into terminals, or that exceeds a bound."""

    def __init__(self, text: str, offset: int, message: str) -> None:
        line = text.count("\n", 0, offset) + text.count("\r", 0, offset) - text.count("\r\n", 0, offset) + 1
        column = offset - max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset))
        super().__init__(f"line {line}, column {column}: {message}")
        self.offset, self.reason = offset, message


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # iri, string, var, bnode, pname, langtag, number, word, open, close or punct
    text: str
    start: int
    depth: int  # brackets open before this token

    def is_word(self, *words: str) -> bool:
        """Whether this is one of `words`, as SPARQL keywords match: ignoring case."""
        return self.kind == "word" and self.text.upper() in words


def _character(text: str, offset: int) -> str:
    char = text[offset]
    return f"{char!r} (U+{ord(char):04X})" if char.isprintable() else f"U+{ord(char):04X}"


def _short(text: str, size: int = 40) -> str:
    return text if len(text) <= size else text[:size] + "…"


def _word_error(word: str) -> str:
    keywords = keyword_split(word)
    word = _short(word)
    if keywords:
        return f"{word!r} is not a SPARQL keyword; put a space between keywords: {' '.join(keywords)}"
    close = difflib.get_close_matches(word.upper(), KEYWORDS, n=1, cutoff=0.8)
    if close:
        return f"{word!r} is not a SPARQL keyword; did you mean {close[0]}?"
    return (f"{word!r} is not a SPARQL keyword; write a name as a prefixed name (ex:{word}), an IRI "
            f"(<…>) or a variable (?{word})")


def _prefix_error(prefix: str, keyword: str) -> str:
    prefix = _short(prefix)
    return (f"the prefix '{prefix}:' begins with the keyword {keyword}, which the engine may read as {keyword} "
            f"followed by '{prefix[len(keyword):]}:'; give the prefix a name that does not begin with a keyword")


def _checked(text: str, token: Token, previous: Token | None) -> None:
    """Refuse a word or a prefix that the engine could split differently (see `sparql_words`)."""
    if token.kind == "word" and not is_word(token.text):
        if previous is not None and previous.text == "<" and previous.start + 1 == token.start:
            raise LexError(text, previous.start, "expected a valid IRI: between < and > an IRI may hold no space "
                                                 "and none of the characters < > \" { } | ^ ` \\")
        raise LexError(text, token.start, _word_error(token.text))
    if token.kind == "pname" and (keyword := glued_keyword(prefix := token.text.partition(":")[0])):
        raise LexError(text, token.start, _prefix_error(prefix, keyword))


def tokens(text: str) -> Iterator[Token]:
    """The terminals of `text` in order, comments and whitespace left out; LexError otherwise."""
    depth = counted = 0
    in_data = False  # inside the braces of INSERT DATA / DELETE DATA
    data_depth = 0
    previous: Token | None = None
    position, end = 0, len(text)
    while position < end:
        match = _TERMINALS.match(text, position)
        if match is None:
            raise LexError(text, position, f"unexpected character {_character(text, position)}")
        kind = match.lastgroup or ""
        position = match.end()
        if kind in ("space", "comment"):
            continue
        if kind == "close":
            depth -= 1
            if depth < 0:
                raise LexError(text, match.start(), f"unbalanced {match.group()!r}")
        token = Token(kind, match.group(), match.start(), depth)
        _checked(text, token, previous)
        if kind == "open":
            if token.text == "{" and previous is not None and previous.is_word("DATA") and depth == 0:
                in_data, data_depth = True, depth
            depth += 1
            if depth > MAX_DEPTH:
                raise LexError(text, match.start(), f"brackets nest more than {MAX_DEPTH} deep")
        if in_data and kind == "close" and depth == data_depth:
            in_data = False
        if not in_data:
            counted += 1
            if counted > MAX_TOKENS:
                raise LexError(text, match.start(), f"more than {MAX_TOKENS} terminals outside data blocks")
        previous = token
        yield token


def split(text: str) -> list[Token]:
    """All terminals of `text`; LexError when it cannot be split or is out of bounds."""
    return list(tokens(text))
