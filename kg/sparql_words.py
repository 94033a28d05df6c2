"""The words of SPARQL as Oxigraph reads them, and the two rules that keep our split of a text
the same as the engine's.

Oxigraph's parser (rust-peg, `spargebra/src/parser.rs`) matches a keyword by comparing the
next N characters with it, ignoring ASCII case, with no word boundary after it. So where the
grammar expects a keyword, `SERVICESILENT<x>` is `SERVICE SILENT <x>`, `GRAPHex:g` is
`GRAPH ex:g`, and a prefixed name whose prefix begins with a keyword (`SILENTex:x`) can be
that keyword followed by another prefixed name (`SILENT ex:x`). Our lexer reads a run of
letters as one word, and a prefix up to its colon. Two rules make both readings agree:

1. A word must be exactly a keyword or a function name (`KEYWORDS`, any case), or `a`, `true`
   or `false` (exactly: the engine matches those three case-sensitively). Any other word is
   refused, so a word the engine would cut into several is never read as one. No keyword is
   two others glued such that the grammar accepts the pair (`INTO` is `IN`+`TO`, but `IN`
   needs `(` next; `STRLANG` is `STR`+`LANG`, but `STR` needs `(`): a test checks it.
2. A prefix must not begin with a keyword of `GLUING` (any case): the keywords after which the
   grammar allows a prefixed name, an IRI or another keyword. After every other keyword the
   grammar wants `{`, `(`, `?var`, `*`, `<`, a number or a string, so a prefixed name there
   cannot be cut. `a`, `true` and `false` are left out: wherever the grammar tries them, it
   tries a prefixed name first, and a declared prefixed name wins (an undeclared one is refused
   by the check before any engine sees it).

>>> glued_keyword("SILENTex"), glued_keyword("uniprot")
('SILENT', None)
>>> keyword_split("SERVICESILENT")
['SERVICE', 'SILENT']
"""

from __future__ import annotations

# Every i("…") of the 0.5 grammar, upper-cased: keywords, then built-in functions and aggregates.
KEYWORDS = frozenset({
    "ADD", "ALL", "AS", "ASC", "ASK", "BASE", "BIND", "BY", "CLEAR", "CONSTRUCT", "COPY",
    "CREATE", "DATA", "DEFAULT", "DELETE", "DESC", "DESCRIBE", "DISTINCT", "DROP", "EXISTS",
    "FILTER", "FROM", "GRAPH", "GROUP", "HAVING", "IN", "INSERT", "INTO", "LATERAL", "LIMIT",
    "LOAD", "MINUS", "MOVE", "NAMED", "NOT", "OFFSET", "OPTIONAL", "ORDER", "PREFIX", "REDUCED",
    "SELECT", "SEPARATOR", "SERVICE", "SILENT", "TO", "UNDEF", "UNION", "USING", "VALUES",
    "VERSION", "WHERE", "WITH",
    "ABS", "ADJUST", "AVG", "BNODE", "BOUND", "CEIL", "COALESCE", "CONCAT", "CONTAINS", "COUNT",
    "DATATYPE", "DAY", "ENCODE_FOR_URI", "FLOOR", "GROUP_CONCAT", "HASLANG", "HASLANGDIR",
    "HOURS", "IF", "IRI", "ISBLANK", "ISIRI", "ISLITERAL", "ISNUMERIC", "ISTRIPLE", "ISURI",
    "LANG", "LANGDIR", "LANGMATCHES", "LCASE", "MAX", "MD5", "MIN", "MINUTES", "MONTH", "NOW",
    "OBJECT", "PREDICATE", "RAND", "REGEX", "REPLACE", "ROUND", "SAMETERM", "SAMPLE", "SECONDS",
    "SHA1", "SHA256", "SHA384", "SHA512", "STR", "STRAFTER", "STRBEFORE", "STRDT", "STRENDS",
    "STRLANG", "STRLANGDIR", "STRLEN", "STRSTARTS", "STRUUID", "SUBJECT", "SUBSTR", "SUM",
    "TIMEZONE", "TRIPLE", "TZ", "UCASE", "URI", "UUID", "YEAR",
})

MAX_KEYWORD = max(map(len, KEYWORDS))
SPLIT_LENGTH = 64  # longer words are not cut into keywords for a message
EXACT = frozenset({"a", "true", "false"})  # matched case-sensitively by the engine

# Keywords the grammar allows directly before a prefixed name, an IRI or another keyword
# (what may follow each, in the 0.5 grammar):
GLUING = (
    "SERVICE",  # SILENT, a variable or an IRI
    "SILENT",  # an IRI, a variable, GRAPH, DEFAULT, NAMED, ALL
    "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY",  # SILENT, GRAPH, DEFAULT …, an IRI
    "INTO", "TO", "DEFAULT",  # GRAPH, DEFAULT, TO, an IRI
    "GRAPH", "FROM", "NAMED", "USING", "WITH",  # NAMED, an IRI or a variable
    "PREFIX",  # the prefix being declared
    "SELECT", "CONSTRUCT", "ASK", "DESCRIBE",  # DISTINCT, REDUCED, FROM, WHERE, an IRI
    "INSERT", "DELETE",  # DATA, WHERE
    "FILTER", "HAVING", "ORDER", "GROUP", "BY", "DISTINCT",  # a function call by IRI, a built-in, BY
    "NOT",  # EXISTS, IN
    "UNDEF",  # the next value of a VALUES row: an IRI, UNDEF, true, false
)


def is_word(text: str) -> bool:
    """Whether the engine reads `text` (a run of letters, digits and `_`) as one word."""
    return text in EXACT or text.upper() in KEYWORDS


def glued_keyword(prefix: str) -> str | None:
    """The keyword of GLUING that `prefix` begins with (ignoring case), if any."""
    upper = prefix[:MAX_KEYWORD].upper()
    if not upper.startswith(GLUING):
        return None
    return next(keyword for keyword in GLUING if upper.startswith(keyword))


def keyword_split(word: str) -> list[str] | None:
    """`word` cut into keywords, as the engine might read it (for a message); None when it is
    not made of keywords, or is too long to be worth trying."""
    upper = word.upper()
    if len(upper) > SPLIT_LENGTH:
        return None
    cuts: list[list[str] | None] = [[]] + [None] * len(upper)  # cuts[i]: upper[:i] as keywords
    for end in range(1, len(upper) + 1):
        for start in range(end):
            head = cuts[start]
            if head is not None and upper[start:end] in KEYWORDS:
                cuts[end] = [*head, upper[start:end]]
                break
    return cuts[-1]
