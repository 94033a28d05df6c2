"""Messages a person can act on: the engine's SPARQL syntax errors in words, and the name
probably meant when a name is not known.

Oxigraph reports a syntax error as `error at LINE:COLUMN: expected one of …`, listing the
parser's raw terminals and character ranges. `explain` turns that into the line of the text
with a caret under the spot, and what was expected in words ("a variable, an IRI or a
prefixed name", "'{'", "the keyword WHERE"). An undeclared prefix is named, with the prefix
of our map it probably stands for. The server (plain text and problem+json) and the CLI both
show these messages.

>>> error = explain(SyntaxError("error at 1:10: expected CONSTRUCT"), "SELEC * WHERE { ?s ?p ?o }")
>>> print(error)
SPARQL syntax error at line 1, column 1: expected the keyword SELECT, CONSTRUCT, DESCRIBE, ASK, PREFIX or BASE (did you mean SELECT?)
  SELEC * WHERE { ?s ?p ?o }
  ^
>>> nearest("resolve-synonyms", ["resolve-synonym", "class-counts"])
'resolve-synonym'
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from functools import cache

from .sparql_lexer import LexError, split

ENGINE_ERROR = re.compile(r"error at (\d+):(\d+): expected (?:one of )?(.*)", re.DOTALL)
# One item of the engine's expected set: a quoted terminal, a character class, or a bare word.
ITEM = re.compile(r"\"(?:[^\"\\]|\\.)*\"|\[(?:'(?:[^'\\]|\\.)*'|[^\]'])*\]|[^,\s][^,]*")
PREFIX_NOT_FOUND = "Prefix not found"
ESCAPE = '"\\\\"'  # the engine's name for a backslash: expected only inside a string
WINDOW = 72  # characters of a long line shown around the spot
QUERY_STARTS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK", "PREFIX", "BASE")
UPDATE_STARTS = ("INSERT", "DELETE", "WITH", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "PREFIX", "BASE")
FIRST_WORD = re.compile(r"(?:\s|#[^\r\n]*)*(?:(?:PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)(?:\s|#[^\r\n]*)*)*"
                        r"([A-Za-z]+)", re.IGNORECASE)

# Terminals, as the engine names them, and what they stand for in words; in the order shown.
CATEGORIES: tuple[tuple[str, frozenset[str]], ...] = (
    ("a variable", frozenset({'"?"', '"$"'})),
    ("an IRI", frozenset({'"<"'})),
    ("a prefixed name", frozenset({'":"', "name"})),
    ("a literal", frozenset({'"\\""', '"\'"', '"\\"\\"\\""', '"\'\'\'"', '"true"', '"false"'})),
    ("a number", frozenset({"digits"})),
    ("a blank node", frozenset({'"_:"', '"["'})),
)
IGNORED = frozenset({"[_]", '"{|"', '"|}"', '"~"', '"<<"', '"<<("', '">>"', '")>>"', '"+"', '"-"'})
# The engine's built-in function names: when it lists some, an expression was expected.
FUNCTIONS = frozenset("""ABS AVG BNODE BOUND CEIL COALESCE CONCAT CONTAINS COUNT DATATYPE DAY ENCODE_FOR_URI EXISTS
FLOOR GROUP_CONCAT HOURS IF IN IRI ISBLANK ISIRI ISLITERAL ISNUMERIC ISURI LANG LANGMATCHES LCASE MAX MD5 MIN MINUTES
MONTH NOT NOW OBJECT PREDICATE RAND REGEX REPLACE ROUND SAMEterm SAMPLE SECONDS SHA1 SHA256 SHA384 SHA512 STR STRAFTER
STRBEFORE STRDT STRENDS STRLANG STRLEN STRSTARTS STRUUID SUBJECT SUBSTR SUM TIMEZONE TRIPLE TZ UCASE URI UUID YEAR
ISTRIPLE LANGDIR STRLANGDIR HASLANG HASLANGDIR""".upper().split())


class QuerySyntaxError(SyntaxError):
    """A SPARQL syntax error explained: where, the line with a caret, and what was expected."""

    def __init__(self, summary: str, text: str, line: int, column: int, expected: tuple[str, ...] = (),
                 prefix: str | None = None, suggestion: str | None = None) -> None:
        super().__init__(summary)
        self.lineno, self.offset = line, column
        self.summary, self.expected, self.prefix, self.suggestion = summary, expected, prefix, suggestion
        self.detail = f"SPARQL syntax error at line {line}, column {column}: {summary}\n{excerpt(text, line, column)}"

    def __str__(self) -> str:
        return self.detail

    def members(self) -> dict[str, object]:
        """Extension members of a problem+json document (RFC 9457) for this error."""
        found: dict[str, object] = {"line": self.lineno, "column": self.offset}
        if self.expected:
            found["expected"] = list(self.expected)
        if self.prefix is not None:
            found["prefix"] = self.prefix
        if self.suggestion is not None:
            found["suggestion"] = self.suggestion
        return found


def excerpt(text: str, line: int, column: int) -> str:
    """The line `line` of `text`, indented, and a caret under `column` (both 1-based; the
    engine counts lines at LF and columns in characters); a long line is cut around the spot."""
    lines = text.split("\n")
    content = lines[line - 1].rstrip("\r") if 0 < line <= len(lines) else ""
    index = max(0, min(column - 1, len(content)))
    start = max(0, index - WINDOW // 2) if len(content) > WINDOW else 0
    shown = content[start:start + WINDOW]
    lead = "…" if start else ""
    tail = "…" if start + WINDOW < len(content) else ""
    pad = "".join("\t" if char == "\t" else " " for char in lead + content[start:index])
    return f"  {lead}{printable(shown)}{tail}\n  {pad}^"


def printable(text: str) -> str:
    """Text with control characters other than tab shown as escapes."""
    return "".join(char if char.isprintable() or char == "\t" else f"\\x{ord(char):02x}" for char in text)


def offset_of(text: str, line: int, column: int) -> int:
    """The character offset of a 1-based line and column."""
    start = 0
    for _ in range(line - 1):
        found = text.find("\n", start)
        if found < 0:
            return len(text)
        start = found + 1
    return min(len(text), start + max(column - 1, 0))


def position_of(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column (in characters, lines at LF) of an offset."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def nearest(name: str, known: Iterable[str]) -> str | None:
    """The known name closest to `name` (ignoring case), or None when none is close."""
    by_key = {candidate.lower(): candidate for candidate in known}
    if name.lower() in by_key:
        return by_key[name.lower()]
    close = difflib.get_close_matches(name.lower(), list(by_key), n=1, cutoff=0.6)
    return by_key[close[0]] if close else None


@cache
def known_prefixes() -> dict[str, str]:
    """Prefix → namespace IRI: our vocabularies and the identifier sources (their preferred
    prefixes, as bioregistry spells them)."""
    from ontology import PREFIXES
    from ontology.identifiers import converter

    return {**{record.prefix: record.uri_prefix for record in converter().records}, **PREFIXES}


@cache
def prefix_spellings() -> dict[str, str]:
    """Every spelling of a known prefix (its synonyms too) → the preferred prefix."""
    from ontology.identifiers import converter

    found = {synonym: record.prefix for record in converter().records for synonym in record.prefix_synonyms}
    return {**found, **{prefix: prefix for prefix in known_prefixes()}}


def explain(error: SyntaxError, text: str, *, engine_text: str | None = None, shift: int = 0,
            skip: int = 0) -> QuerySyntaxError:
    """The engine's SyntaxError for `text`, explained. When the engine parsed another text (one
    operation of an update, with declarations put before it), `engine_text` is that text: its
    offsets from `skip` on are `text`'s offsets from `shift` on."""
    if isinstance(error, QuerySyntaxError):
        return error
    message = str(error.msg if error.msg else error)
    match = ENGINE_ERROR.match(message)
    if match is None:
        return QuerySyntaxError(message, text, 1, 1)
    parsed = engine_text if engine_text is not None else text
    at = offset_of(parsed, int(match.group(1)), int(match.group(2)))
    offset = shift + max(0, at - skip) if engine_text is not None else at
    items = tuple(item.strip() for item in ITEM.findall(match.group(3)))
    return (_undeclared(text, offset, PREFIX_NOT_FOUND in items) or _misspelt_start(text)
            or _expected(text, offset, items))


def _expected(text: str, offset: int, items: tuple[str, ...]) -> QuerySyntaxError:
    words = in_words(items)
    summary = f"expected {join_or(words)}" if words else "the text does not parse here"
    return QuerySyntaxError(summary, text, *position_of(text, offset), expected=tuple(words))


def in_words(items: Iterable[str]) -> list[str]:
    """The engine's expected terminals as a person would say them, without repeats."""
    items = list(items)
    if ESCAPE in items:  # inside a string: only its end or an escape can come
        return ["the closing quote of the string"]
    found: list[str] = []
    categories = {name: False for name, _ in CATEGORIES}
    for item in items:
        kind = _kind(item)
        if kind in IGNORED or kind == PREFIX_NOT_FOUND:
            continue
        category = next((name for name, members in CATEGORIES if kind in members), None)
        if category:
            categories[category] = True
        elif kind == "IRI parsing failed":
            found.append("a valid IRI")
        elif kind.upper() in FUNCTIONS:
            found.append("an expression")
        elif kind.startswith('"'):
            found.append(f"'{_unquote(kind)}'")
        elif kind.isidentifier():
            found.append(f"the keyword {kind}")
    words = [name for name, seen in categories.items() if seen] + found
    return list(dict.fromkeys(words))


def _kind(item: str) -> str:
    """Character classes by what they start: a name, digits, or a name's continuation (ignored)."""
    if not item.startswith("["):
        return item
    if item.startswith("['A'"):
        return "name"
    return "digits" if item.replace(" ", "") == "['0'..='9']" else "[_]"


def _unquote(item: str) -> str:
    return re.sub(r"\\(.)", r"\1", item[1:-1])


def join_or(words: list[str]) -> str:
    """'a', 'a or b', 'a, b or c'."""
    keywords = [w.removeprefix("the keyword ") for w in words if w.startswith("the keyword ")]
    if len(keywords) > 1:  # "one of the keywords X, Y" reads better than "the keyword X or the keyword Y"
        words = [w for w in words if not w.startswith("the keyword ")] + [f"one of the keywords {', '.join(keywords)}"]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _undeclared(text: str, offset: int, engine_says: bool) -> QuerySyntaxError | None:
    """The first prefixed name whose prefix the text does not declare: the one that ends at
    the engine's spot when the engine says a prefix is missing, else one not in our map."""
    try:
        tokens = split(text)
    except LexError:
        return None
    declared: set[str] = set()
    for index, token in enumerate(tokens):
        if token.is_word("PREFIX") and index + 1 < len(tokens) and tokens[index + 1].kind == "pname":
            declared.add(tokens[index + 1].text.partition(":")[0])
            continue
        prefix = token.text.partition(":")[0] if token.kind == "pname" else None
        if prefix is None or prefix in declared or (index and tokens[index - 1].is_word("PREFIX")):
            continue
        ends_at_spot = token.start <= offset <= token.start + len(token.text)
        if (engine_says and ends_at_spot) or (not engine_says and prefix not in known_prefixes()):
            return unknown_prefix(text, token.start, prefix)
    return None


def at(text: str, offset: int, summary: str, *, kind: type[QuerySyntaxError] = QuerySyntaxError) -> QuerySyntaxError:
    """A message about the spot `offset` of `text` (the safety check's own refusals of a text)."""
    return kind(summary, text, *position_of(text, offset))


def unknown_prefix(text: str, offset: int, prefix: str, *,
                   kind: type[QuerySyntaxError] = QuerySyntaxError) -> QuerySyntaxError:
    """The prefixed name at `offset` uses `prefix`, which nothing declares: named, with the prefix
    of our map it probably stands for."""
    known, spellings = known_prefixes(), prefix_spellings()
    spelt = prefix if prefix in spellings else nearest(prefix, spellings)
    meant = None if spelt is None else spellings[spelt]
    if meant is None:
        summary = f"the prefix '{prefix}:' is not declared; declare it before the query: PREFIX {prefix}: <…>"
    elif meant == prefix:
        summary = f"the prefix '{prefix}:' is not declared here; declare it: PREFIX {prefix}: <{known[meant]}>"
    else:
        summary = (f"the prefix '{prefix}:' is not declared; did you mean '{meant}:' <{known[meant]}>? "
                   f"Otherwise declare it: PREFIX {prefix}: <…>")
    return kind(summary, text, *position_of(text, offset), prefix=prefix,
                suggestion=None if meant is None else f"PREFIX {meant}: <{known[meant]}>")


def _misspelt_start(text: str) -> QuerySyntaxError | None:
    """A text whose first word (after its declarations) starts no query or update."""
    match = FIRST_WORD.match(text)
    if match is None or match.group(1).upper() in {*QUERY_STARTS, *UPDATE_STARTS}:
        return None
    word = match.group(1)
    starts = UPDATE_STARTS if nearest(word, UPDATE_STARTS[:-2]) and not nearest(word, QUERY_STARTS) else QUERY_STARTS
    meant = nearest(word, starts)
    hint = f" (did you mean {meant}?)" if meant else ""
    summary = f"expected the keyword {', '.join(starts[:-1])} or {starts[-1]}{hint}"
    return QuerySyntaxError(summary, text, *position_of(text, match.start(1)),
                            expected=tuple(f"the keyword {s}" for s in starts), suggestion=meant)


__all__ = ["QuerySyntaxError", "excerpt", "explain", "in_words", "join_or", "known_prefixes", "nearest", "position_of"]
