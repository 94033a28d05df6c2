"""What an operation may not do here, decided on the terminals the engine will read.

Oxigraph fetches `SERVICE` endpoints and `LOAD` documents itself. So before the engine sees
an operation, its text is split by `sparql_lexer` exactly as the engine splits it; prefixed
names and relative IRIs are expanded and resolved as the engine does (same base, same
resolver). Every prefix of our map is predeclared (`sparql_prefixes`: the engine gets the same
map, and a text's own PREFIX wins); a prefixed name whose prefix is declared nowhere is refused
(the engine would try to read its letters as a keyword and a name instead). Then: `SERVICE` is refused unless its endpoint is on the allow-list; `LOAD` and
any `file:` IRI are refused; text that cannot be split, or is nested too deeply, is refused
as malformed. The server and the CLI both ask here; the server asks inside its workers, under
the deadline.

>>> from kg.settings import Settings
>>> check_query("SELECT * WHERE { # a comment\\rSERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o }\\n}", Settings())
Traceback (most recent call last):
...
kg.safety.Refused: SERVICE is disabled here (federation is off; see KG_SERVICE_ALLOW)
>>> check_query("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }", Settings()).declares_dataset
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ontology.identifiers import sparql_prefixes

from .iris import expand_local, resolve, scheme
from .messages import QuerySyntaxError, at, unknown_prefix
from .settings import Settings
from .sparql_lexer import LexError, Token, split
from .text_cache import TextCache


class Refused(ValueError):
    """An operation this service will not run (HTTP 403)."""


class Malformed(ValueError):
    """An operation that cannot be run as given (HTTP 400)."""


@dataclass(frozen=True)
class Shape:
    """The parts of an operation that decide whether, and how, it may run."""

    tokens: tuple[Token, ...] = field(repr=False)
    services: tuple[str, ...] = ()  # SERVICE endpoints, resolved; "?name" for a variable
    loads: int = 0  # LOAD operations
    file_iris: tuple[str, ...] = ()  # every IRI whose scheme is file:
    declares_dataset: bool = False  # FROM / FROM NAMED
    using_or_with: bool = False  # USING / USING NAMED / WITH
    predeclared: tuple[str, ...] = ()  # prefixes used as predeclared (a remote engine gets them declared)


@dataclass
class Prologue:
    """BASE and PREFIX declarations as they stand at a point of the text: the predeclared
    prefixes, then the text's own."""

    base: str | None
    prefixes: dict[str, str] = field(default_factory=sparql_prefixes)
    declared: set[str] = field(default_factory=set)  # prefixes the text declared itself

    def declare(self, tokens: Sequence[Token], index: int) -> int:
        """Record a BASE or PREFIX declaration starting at `index`; its length in tokens, or 0."""
        token = tokens[index]
        following = tokens[index + 1:index + 3]
        if token.is_word("BASE") and following and following[0].kind == "iri":
            self.base = self.iri(following[0])
            return 2
        if token.is_word("PREFIX") and [t.kind for t in following] == ["pname", "iri"] \
                and following[0].text.endswith(":"):
            self.prefixes[following[0].text[:-1]] = self.iri(following[1])
            self.declared.add(following[0].text[:-1])
            return 3
        return 0

    def iri(self, token: Token) -> str:
        """The absolute IRI an IRI or prefixed-name token stands for; ValueError if none."""
        if token.kind == "iri":
            return resolve(token.text[1:-1], self.base)
        prefix, _, local = token.text.partition(":")
        try:
            return expand_local(self.namespace(prefix), local)
        except Undeclared:
            raise Undeclared(prefix, token.start) from None

    def namespace(self, prefix: str) -> str:
        """The IRI a prefix stands for here; Undeclared, naming the prefix, if it has none."""
        if prefix in self.prefixes:
            return self.prefixes[prefix]
        raise Undeclared(prefix)

    def predeclared(self, prefix: str) -> bool:
        return prefix not in self.declared and prefix in self.prefixes

    def scheme(self, token: Token) -> str | None:
        if token.kind == "iri":
            return scheme(token.text[1:-1], self.base)
        namespace = self.prefixes.get(token.text.partition(":")[0])
        return scheme(namespace, None) if namespace else None


class Unreadable(QuerySyntaxError, Malformed):
    """A text the check will not pass as the engine would read it (a word that is not a keyword,
    a prefix nothing declares, a character no terminal takes): where, and why, in words."""


class Undeclared(ValueError):
    """A prefixed name whose prefix is neither predeclared nor declared by the text."""

    def __init__(self, prefix: str, offset: int = 0) -> None:
        super().__init__(f"the prefix {prefix!r} is not declared")
        self.prefix, self.offset = prefix, offset


def _service(prologue: Prologue, tokens: Sequence[Token], index: int) -> str:
    """The endpoint of the SERVICE keyword at `index`."""
    following = [t for t in tokens[index + 1:index + 3] if not t.is_word("SILENT")]
    target = following[0] if following else None
    if target is not None and target.kind == "var":
        return "?" + target.text[1:]
    if target is not None and target.kind in ("iri", "pname"):
        return prologue.iri(target)
    raise Malformed("SERVICE must be followed by an IRI or a variable")


def _shape(tokens: tuple[Token, ...], base: str | None) -> Shape:
    prologue = Prologue(base)
    services: list[str] = []
    files: list[str] = []
    predeclared: dict[str, None] = {}
    loads = 0
    dataset = using = False
    for index, token in enumerate(tokens):
        if token.kind == "word":
            prologue.declare(tokens, index)
            if token.is_word("SERVICE"):
                services.append(_service(prologue, tokens, index))
            loads += token.is_word("LOAD")
            dataset = dataset or token.is_word("FROM")
            using = using or token.is_word("USING", "WITH")
            continue
        if token.kind == "pname":
            prefix = token.text.partition(":")[0]
            if prefix not in prologue.prefixes:  # declared, or refused
                raise Undeclared(prefix, token.start)
            if prologue.predeclared(prefix):
                predeclared[prefix] = None
        if token.kind in ("iri", "pname") and prologue.scheme(token) == "file":
            files.append(token.text)
    return Shape(tokens, tuple(services), loads, tuple(files), dataset, using, tuple(predeclared))


CACHED_LENGTH = 20_000  # longer texts (data uploads) are not worth keeping
TOKEN_BYTES = 160  # a Token and its text, roughly, in memory
_SHAPES: TextCache[Shape] = TextCache(max_bytes=8 << 20)


def shape(text: str, base: str | None = None) -> Shape:
    """The shape of an operation; Malformed when it cannot be split or its IRIs do not resolve."""
    if len(text) > CACHED_LENGTH:
        return _new_shape(text, base)
    return _SHAPES.get_or_make(text, base, lambda: _new_shape(text, base),
                               size=lambda found: len(text) + TOKEN_BYTES * len(found.tokens))


def _new_shape(text: str, base: str | None) -> Shape:
    try:
        return _shape(tuple(split(text)), base)
    except (LexError, ValueError) as error:
        if isinstance(error, Malformed):
            raise
        if isinstance(error, LexError):  # read as the engine would read it: where, and why
            raise at(text, error.offset, error.reason, kind=Unreadable) from None
        if isinstance(error, Undeclared):
            raise unknown_prefix(text, error.offset, error.prefix, kind=Unreadable) from None
        raise Malformed(f"the operation cannot be checked: {error}") from None


def with_prefixes(text: str, operation: Shape) -> str:
    """`text` with a PREFIX line for each predeclared prefix it uses, for an engine that does not
    predeclare ours (a remote one). The lines come first, so the text's own declarations win.

    >>> with_prefixes("ASK { ?s a kg:Gene }", shape("ASK { ?s a kg:Gene }"))
    'PREFIX kg: <https://w3id.org/higm-kg/vocab#>\\nASK { ?s a kg:Gene }'
    """
    known = sparql_prefixes()
    return "".join(f"PREFIX {prefix}: <{known[prefix]}>\n" for prefix in operation.predeclared) + text


# -- the checks ----------------------------------------------------------------------------------


def _check_services(shape: Shape, settings: Settings) -> None:
    for endpoint in shape.services:
        if not settings.federation:
            raise Refused("SERVICE is disabled here (federation is off; see KG_SERVICE_ALLOW)")
        if not any(rule.admits(endpoint) for rule in settings.service_rules):
            raise Refused(f"SERVICE <{endpoint}> is not on the allow-list (KG_SERVICE_ALLOW)")


def _check(shape: Shape, settings: Settings) -> Shape:
    if shape.file_iris:
        raise Refused(f"file: IRIs are refused: {shape.file_iris[0]}")
    if shape.loads:
        raise Refused("LOAD is refused: data is never fetched on a client's behalf")
    _check_services(shape, settings)
    return shape


def check_dataset(iris: Iterable[str]) -> None:
    """Graph IRIs given as protocol parameters: absolute IRIs that name local graphs only."""
    for iri in iris:
        if scheme(iri, None) is None:
            raise Malformed(f"a graph must be named by an absolute IRI: {iri!r}")
        if scheme(iri, None) == "file":
            raise Refused(f"file: IRIs are refused: <{iri}>")
        try:
            resolve(iri, None)
        except ValueError as error:
            raise Malformed(str(error)) from None


UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")


def first_word(tokens: Sequence[Token]) -> str | None:
    """The first keyword after the prologue (BASE and PREFIX lines), upper case; None if none."""
    skip = 0
    for token in tokens:
        if skip:
            skip -= 1
        elif token.is_word("PREFIX", "BASE"):
            skip = 2 if token.is_word("PREFIX") else 1
        elif token.kind == "word":
            return token.text.upper()
    return None


def check_query(text: str, settings: Settings, *, base: str | None = None) -> Shape:
    """The query's shape; 403 (Refused) or 400 (Malformed) for a query this server will not run,
    or for an update sent as a query (said so, rather than the parser's 'expected SELECT')."""
    checked = _check(shape(text, base), settings)
    word = first_word(checked.tokens)
    if word in UPDATE_WORDS:
        raise Malformed(f"{word} begins an update, not a query: send it as an update (SPARQL 1.1 Protocol: "
                        f"POST update=…, with the update token); a query reads with SELECT, CONSTRUCT, ASK or DESCRIBE")
    return checked


def check_update(text: str, settings: Settings, *, using_parameters: bool, base: str | None = None) -> Shape:
    """As check_query, and 400 for using-graph-uri beside USING or WITH (SPARQL 1.1 Protocol 2.2.3)."""
    checked = _check(shape(text, base), settings)
    if using_parameters and checked.using_or_with:
        raise Malformed("using-graph-uri / using-named-graph-uri may not be combined with USING or WITH")
    return checked
