"""Saved queries: `.rq` files with a `#+` YAML header, read, checked and bound to values.

The header says what the query answers and which parameters it takes, each with a type.
Values are bound as RDF terms built and checked by the engine, and placed in a VALUES block
at the start of the query's WHERE group — and of every subquery's, since a subquery does not
see the bindings around it — where every filter of the group sees them. No value is ever
pasted into the text as a string.

>>> query = read_query_text("demo", '''#+ summary: Labels
... #+ description: Labels of one entity.
... #+ tags: [demo]
... #+ parameters:
... #+   - {name: entity, type: iri, required: true, example: "http://example.org/a"}
... #+ example: []
... SELECT ?label WHERE { ?entity <http://www.w3.org/2000/01/rdf-schema#label> ?label }
... ''')
>>> print(query.bind({"entity": "http://example.org/a"}))
SELECT ?label WHERE { VALUES (?entity) { (<http://example.org/a>) } ?entity <http://www.w3.org/2000/01/rdf-schema#label> ?label }
<BLANKLINE>
>>> query.bind({"entity": "http://example.org/a> } ; DROP ALL #"})
Traceback (most recent call last):
...
kg.saved_queries.ParameterError: entity: not an IRI: Invalid IRI code point '>'
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml
from pyparsing.exceptions import ParseException
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery

from ontology import GRAPH
from ontology.identifiers import expand

from .sparql_lexer import tokens

XSD_DATE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")
SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
HEADER_KEYS = {"summary", "description", "tags", "parameters", "example"}
OPTIONAL_KEYS = {"section"}
SECTION_KEYS = {"title", "types", "parameter"}
SECTION_OPTIONAL_KEYS = {"sources"}
GRAPH_NAME = re.compile(r"[a-z0-9][a-z0-9./-]*")
PARAMETER_KEYS = {"name", "type", "required", "default", "example", "description"}
FORMS = {"SelectQuery": "SELECT", "ConstructQuery": "CONSTRUCT", "AskQuery": "ASK", "DescribeQuery": "DESCRIBE"}

Term = ox.NamedNode | ox.Literal

# pyparsing leaves reference cycles through the frames it raised in; parsing on a thread of its
# own keeps the caller's frames (and any store they hold open) out of those cycles. One thread
# also keeps the parser, which is not thread-safe, to one parse at a time.
_PARSER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-sparql-parser")


def parse_query(sparql: str) -> Any:
    """rdflib's parse tree of a saved query; ParseException (with line and column) when malformed."""
    return _PARSER.submit(parseQuery, sparql).result()


class QueryFileError(ValueError):
    """A saved query that cannot be used, with its file and line."""

    def __init__(self, path: Path | str, line: int, message: str) -> None:
        super().__init__(f"{path}, line {line}: {message}")


class ParameterError(ValueError):
    """A value that does not fit its parameter."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name


def _iri(value: str) -> Term:
    if not SCHEME.match(value):
        raise ValueError("not an absolute IRI")
    try:
        return ox.NamedNode(value)
    except ValueError as error:
        raise ValueError(f"not an IRI: {error}") from None


def _curie(value: str) -> Term:
    return ox.NamedNode(str(expand(value)))


def _integer(value: str) -> Term:
    if not re.fullmatch(r"[+-]?\d+", value.strip()):
        raise ValueError(f"not an integer: {value!r}")
    return ox.Literal(int(value))


def _date(value: str) -> Term:
    try:
        return ox.Literal(datetime.date.fromisoformat(value).isoformat(), datatype=XSD_DATE)
    except ValueError:
        raise ValueError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _language(value: str) -> Term:
    if not LANGUAGE_TAG.fullmatch(value):
        raise ValueError(f"not a language tag: {value!r}")
    return ox.Literal(value.lower())


TYPES: dict[str, Callable[[str], Term]] = {
    "iri": _iri, "curie": _curie, "string": ox.Literal, "integer": _integer, "date": _date, "language": _language,
}
PYTHON_TYPES: dict[str, type] = {"integer": int, "date": datetime.date}  # the rest are str


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    required: bool = False
    default: str | None = None
    example: str | None = None
    description: str = ""

    def term(self, value: str) -> Term:
        """The RDF term for `value`; ParameterError when it does not fit the type."""
        try:
            return TYPES[self.type](str(value))
        except ValueError as error:
            raise ParameterError(self.name, str(error)) from None

    def metadata(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "required": self.required, "default": self.default,
                "example": self.example, "description": self.description}


@dataclass(frozen=True)
class Section:
    """A saved query shown on the page of every entity of one of `types`, with the entity's IRI
    as the value of `parameter`."""

    title: str
    types: tuple[str, ...]
    parameter: str
    sources: tuple[str, ...] = ()  # the named graphs (IRIs) its answer is read from, whose releases a page names


@dataclass(frozen=True)
class SavedQuery:
    name: str
    summary: str
    description: str
    tags: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    example: tuple[dict[str, str], ...]
    text: str
    form: str
    values_at: tuple[int, ...]  # where VALUES blocks go: the WHERE group and each subquery's
    path: str = field(default="", compare=False)
    section: Section | None = None

    def parameter(self, name: str) -> Parameter:
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        raise ParameterError(name, f"{self.name} has no such parameter")

    def terms(self, values: Mapping[str, str]) -> dict[str, Term]:
        """Each given or defaulted value as its term; ParameterError for a missing or bad one."""
        terms = {name: self.parameter(name).term(value) for name, value in values.items() if value is not None}
        for parameter in self.parameters:
            if parameter.name in terms:
                continue
            if parameter.default is not None:
                terms[parameter.name] = parameter.term(parameter.default)
            elif parameter.required:
                raise ParameterError(parameter.name, "required")
        return terms

    def bind(self, values: Mapping[str, str], *, limit: int | None = None, offset: int = 0,
             lines: bool = False) -> str:
        """The query text with the values bound, and LIMIT / OFFSET when paging. With `lines`,
        each VALUES block is a line of its own, indented as the line after it (for people)."""
        terms = self.terms(values)
        text = self.text
        if terms and self.values_at:
            names = " ".join(f"?{name}" for name in terms)
            row = " ".join(str(term) for term in terms.values())
            for at in reversed(self.values_at):
                block = f"VALUES ({names}) {{ ({row}) }}"
                text = f"{text[:at]}{_own_line(text, at, block) if lines else ' ' + block}{text[at:]}"
        if limit is not None:
            text += f"\nLIMIT {int(limit)} OFFSET {int(offset)}"
        return text

    def metadata(self) -> dict[str, Any]:
        return {"name": self.name, "summary": self.summary, "description": self.description,
                "tags": list(self.tags), "form": self.form,
                "parameters": [p.metadata() for p in self.parameters], "example": list(self.example),
                **({"section": dataclasses.asdict(self.section)} if self.section else {})}


def _own_line(text: str, at: int, block: str) -> str:
    """`block` on a line of its own at `at`, indented as the line that follows (two spaces more
    than the line it opens when the group goes on on the same line)."""
    following = re.match(r"[ \t]*\n([ \t]*)", text[at:])
    if following:
        return f"\n{following.group(1)}{block}"
    line_start = text.rfind("\n", 0, at) + 1
    indent = re.match(r"[ \t]*", text[line_start:]).group(0)  # type: ignore[union-attr]
    return f"\n{indent}  {block}\n{indent} "


def _values_positions(text: str) -> tuple[int, ...]:
    """Just inside the group after each WHERE (the query's and its subqueries'); without any
    WHERE, inside the first top-level group."""
    found, first_open, previous = [], None, None
    for token in tokens(text):
        if token.text == "{" and previous is not None and previous.is_word("WHERE"):
            found.append(token.start + 1)
        if token.text == "{" and token.depth == 0 and first_open is None:
            first_open = token.start + 1
        previous = token
    return tuple(found) or ((first_open,) if first_open is not None else ())


def _split(source: str) -> tuple[str, str, int]:
    """The `#+` header as YAML, the query text, and the number of header lines."""
    lines = source.splitlines(keepends=True)
    count = 0
    while count < len(lines) and lines[count].startswith("#+"):
        count += 1
    header = "".join(line[3:] if line.startswith("#+ ") else line[2:] for line in lines[:count])
    return header, "".join(lines[count:]), count


def _header(path: str, header: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(header) if header.strip() else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise QueryFileError(path, (mark.line + 1) if mark else 1, f"the #+ header is not YAML: {error}") from None
    if not isinstance(data, dict):
        raise QueryFileError(path, 1, "the file must start with a #+ YAML header (summary, description, …)")
    missing, unknown = HEADER_KEYS - data.keys(), data.keys() - HEADER_KEYS - OPTIONAL_KEYS
    if missing or unknown:
        raise QueryFileError(path, 1, f"header keys missing: {sorted(missing)}, unknown: {sorted(unknown)}")
    return data


def _parameter(path: str, spec: Any) -> Parameter:
    if not isinstance(spec, dict) or not {"name", "type"} <= spec.keys() or spec.keys() - PARAMETER_KEYS:
        raise QueryFileError(path, 1, f"a parameter needs name and type, and only {sorted(PARAMETER_KEYS)}: {spec!r}")
    if spec["type"] not in TYPES:
        raise QueryFileError(path, 1, f"parameter {spec['name']}: type must be one of {sorted(TYPES)}")
    text = {k: None if spec.get(k) is None else str(spec[k]) for k in ("default", "example")}
    parameter = Parameter(str(spec["name"]), spec["type"], bool(spec.get("required", False)),
                          text["default"], text["example"], str(spec.get("description", "")))
    for value in (parameter.default, parameter.example):
        if value is not None:
            try:
                parameter.term(value)
            except ParameterError as error:
                raise QueryFileError(path, 1, f"parameter {error}") from None
    return parameter


def _section(path: str, spec: Any, parameters: tuple[Parameter, ...]) -> Section | None:
    if spec is None:
        return None
    if (not isinstance(spec, dict) or not SECTION_KEYS <= spec.keys() <= SECTION_KEYS | SECTION_OPTIONAL_KEYS
            or not isinstance(spec["types"], list)):
        raise QueryFileError(path, 1, f"section needs {sorted(SECTION_KEYS)} (and may have {sorted(SECTION_OPTIONAL_KEYS)}), "
                                      f"types a list of IRIs: {spec!r}")
    if not any(p.name == spec["parameter"] and p.type == "iri" for p in parameters):
        raise QueryFileError(path, 1, f"section: {spec['parameter']!r} is not a parameter of type iri")
    try:
        types = tuple(ox.NamedNode(str(t)).value for t in spec["types"])
    except ValueError as error:
        raise QueryFileError(path, 1, f"section: a type is not an IRI: {error}") from None
    sources = spec.get("sources") or []
    if not isinstance(sources, list) or not all(isinstance(n, str) and GRAPH_NAME.fullmatch(n) for n in sources):
        raise QueryFileError(path, 1, f"section: sources must be a list of graph names (hpo-annotations): {sources!r}")
    return Section(str(spec["title"]), types, str(spec["parameter"]), tuple(str(GRAPH[name]) for name in sources))


@lru_cache(maxsize=256)
def read_query_text(name: str, source: str, path: str = "") -> SavedQuery:
    """A saved query from its file's text; QueryFileError names the file and line of a fault.

    Cached: the server and every CLI command check all files, and the text decides the result.
    """
    where = path or f"{name}.rq"
    header, text, offset = _split(source)
    data = _header(where, header)
    parameters = tuple(_parameter(where, spec) for spec in data["parameters"] or [])
    try:
        tree = parse_query(text)
    except ParseException as error:
        raise QueryFileError(where, offset + error.lineno, f"the query does not parse: {error.msg} (column {error.col})") from None
    try:
        translateQuery(tree)
    except Exception as error:  # noqa: BLE001 - rdflib raises plain Exceptions, e.g. for an unknown prefix
        raise QueryFileError(where, offset + 1, f"the query does not translate: {error}") from None
    query = tree[1]
    if "limitoffset" in query:
        raise QueryFileError(where, offset + 1, "leave LIMIT and OFFSET out: the caller pages")
    for parameter in parameters:
        if not re.search(rf"[?$]{re.escape(parameter.name)}\b", text):
            raise QueryFileError(where, offset + 1, f"parameter {parameter.name} is not a variable of the query")
    values_at = _values_positions(text)
    if parameters and not values_at:
        raise QueryFileError(where, offset + 1, "a query with parameters needs a WHERE group to bind them in")
    example = tuple({str(k): str(v) for k, v in row.items()} for row in data["example"] or [])
    return SavedQuery(name, str(data["summary"]), str(data["description"]), tuple(map(str, data["tags"] or [])),
                      parameters, example, text, FORMS.get(query.name, "SELECT"), values_at, where,
                      _section(where, data.get("section"), parameters))


def read_query(path: Path) -> SavedQuery:
    try:
        source = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise QueryFileError(path, 1, f"not UTF-8: {error}") from None
    return read_query_text(path.stem, source, str(path))


def load_queries(directory: Path) -> dict[str, SavedQuery]:
    """Every `*.rq` of `directory` by name, each checked; the first fault raises QueryFileError."""
    return {path.stem: read_query(path) for path in sorted(directory.glob("*.rq"))}

