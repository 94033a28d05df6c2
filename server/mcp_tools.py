"""The MCP tools: what an assistant may ask of the graph, each a typed schema and a function.

Every tool answers what the HTTP API answers, by the same code: queries and reads go to the
worker pool (`state.pool`: the deadline, admission, the row and byte caps, the safety check
with the predeclared prefixes, the result cache), search to the `Searcher`, an entity to
`entities.describe` (its page's description), a saved query through `api.saved_job` (values
bound as RDF terms). Nothing here writes. The functions block: call them from a thread.

`state` is the app's state (`app.state`): `pool`, `searcher`, `queries`, `settings`, and
`products` (the statistics the server holds).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator

from kg.saved_queries import SavedQuery
from kg.search_entities import KINDS
from ontology.identifiers import expand_text, sparql_prefixes

from . import entities, jobs
from .api import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, saved_job
from .errors import NotFound, Unprocessable
from .linked_data import checked_iri
from .mcp_render import ACCEPT, Table, answer_table, entity_json, iri_text
from .tables import PAGE_ROWS

SEARCH_LIMIT = 100  # as /api/search
TYPE_SCHEMAS: dict[str, dict[str, Any]] = {  # a saved query's parameter types (the `#+` header) as JSON Schema
    "iri": {"type": "string", "format": "iri", "description": "an absolute IRI"},
    "curie": {"type": "string", "description": "a CURIE such as HGNC:11935"},
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "date": {"type": "string", "format": "date", "description": "a date, YYYY-MM-DD"},
    "language": {"type": "string", "pattern": "^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$", "description": "a language tag"},
}


@dataclass(frozen=True)
class Answer:
    """A tool's answer: text for the model, and the same as data (a JSON object)."""

    text: str
    data: Any = None


@dataclass(frozen=True)
class Tool:
    """A tool: its name, title, description for a model, input schema, and its function.

    >>> tool = Tool("t", "T", "", _object({"a": {"type": "integer"}, "b": {"type": "string"}}, ("a", "b")), search)
    >>> tool.arguments({"c": 1})
    Traceback (most recent call last):
    ...
    server.errors.Unprocessable: the argument 'a' is required; the argument 'b' is required; Additional properties are not allowed ('c' was unexpected); this tool takes a, b
    """

    name: str
    title: str
    description: str
    schema: dict[str, Any]
    run: Callable[[Any, dict[str, Any]], Answer]

    def arguments(self, given: Mapping[str, Any] | None) -> dict[str, Any]:
        """The arguments, checked against the schema (Unprocessable, in words, when they do
        not fit), with the defaults filled in."""
        given = dict(given or {})
        problems = sorted(Draft202012Validator(self.schema).iter_errors(given), key=lambda e: list(e.absolute_path))
        if problems:
            said = dict.fromkeys(part for e in problems for part in _problem(e, self.schema))  # each once, in order
            raise Unprocessable("; ".join(said))
        defaults = {k: v["default"] for k, v in self.schema["properties"].items() if "default" in v}
        return {**defaults, **given}


def _problem(error: Any, schema: Mapping[str, Any]) -> list[str]:
    """What is wrong, in words (a schema error may name several missing arguments)."""
    if error.validator == "required":
        return [f"the argument {name!r} is required" for name in error.validator_value if name not in error.instance]
    if error.validator == "additionalProperties":
        return [f"{error.message}; this tool takes {', '.join(sorted(schema['properties'])) or 'no arguments'}"]
    where = ".".join(str(part) for part in error.absolute_path)
    return [f"the argument {where!r} is not valid: {error.message}"]


def _object(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(required), "additionalProperties": False}


def _limit(default: int, maximum: int) -> dict[str, Any]:
    return {"type": "integer", "minimum": 1, "maximum": maximum, "default": default, "description": "Rows at most"}


# -- search and describe ---------------------------------------------------------------------------

def search(state: Any, args: dict[str, Any]) -> Answer:
    searcher = state.searcher
    if not searcher.ready:
        return Answer("The search index is being made; try again shortly. 0 hits.", {"hits": []})
    hits = searcher.search(args["text"], types=args.get("types") or None, limit=args["limit"])
    table = Table(("entity", "label", "types", "matched"),
                  [(h.curie or h.iri, h.label or "", ", ".join(h.types), f"{h.kind}: {h.matched}") for h in hits])
    return Answer(table.text(), {"hits": [hit.as_json() for hit in hits]})


def entity_iri(text: str) -> str:
    """An entity's IRI from a CURIE (as `/id/{curie}` reads it) or an absolute IRI."""
    text = text.strip()
    if ":" in text and "/" not in text:
        try:
            text = expand_text(text)
        except ValueError as error:
            raise NotFound(str(error)) from None
    return checked_iri(text)


def describe(state: Any, args: dict[str, Any]) -> Answer:
    iri = entity_iri(args["entity"])
    sections = tuple(q for q in state.queries.values() if q.section)
    entity = state.pool.call(entities.describe, iri, sections, PAGE_ROWS)  # a page's worth: no link to click here
    if entity is None:
        raise NotFound(f"the graph says nothing about <{iri}>")
    described = entity_json(entity)
    return Answer(json.dumps(described, ensure_ascii=False, separators=(",", ":")), described)


# -- queries ----------------------------------------------------------------------------------------

def _run(state: Any, job: jobs.Query) -> Answer:
    result = state.pool.run(job)
    cap = f"at most {job.max_rows} rows and {state.settings.max_result_bytes:,} bytes"
    table = answer_table(result.body, result.media_type, cut=result.truncated, cap=cap)
    return Answer(table.text(), table.as_json())


def sparql(state: Any, args: dict[str, Any]) -> Answer:
    return _run(state, jobs.Query(args["query"], accept=ACCEPT, max_rows=args["limit"]))


def tool_name(saved: SavedQuery) -> str:
    """A saved query's tool, named as its operation in the OpenAPI schema."""
    return f"query_{saved.name.replace('-', '_')}"


def saved_runner(saved: SavedQuery) -> Callable[[Any, dict[str, Any]], Answer]:
    def run(state: Any, args: dict[str, Any]) -> Answer:
        values = {k: v for k, v in args.items() if k not in ("limit", "offset")}
        job = saved_job(saved, values, args["limit"], args["offset"], accept=ACCEPT)
        return _run(state, job)

    return run


def saved_schema(saved: SavedQuery) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for p in saved.parameters:
        spec = dict(TYPE_SCHEMAS.get(p.type, {"type": "string"}))
        spec["description"] = "; ".join(part for part in (p.description, spec.get("description", "")) if part)
        if p.default is not None:
            spec["default"] = int(p.default) if p.type == "integer" else p.default
        if p.example is not None:
            spec["examples"] = [p.example]
        properties[p.name] = spec
    properties["limit"] = _limit(DEFAULT_LIMIT, MAX_LIMIT)
    properties["offset"] = {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0,
                            "description": "Rows to skip (the next page: offset + limit)"}
    return _object(properties, tuple(p.name for p in saved.parameters if p.required))


def listing(state: Any, args: dict[str, Any]) -> Answer:
    rows, data = [], []
    for saved in state.queries.values():
        parameters = ", ".join(f"{p.name}: {p.type}{'' if p.required else '?'}" for p in saved.parameters)
        rows.append((tool_name(saved), saved.summary, parameters, ", ".join(saved.tags)))
        data.append({"tool": tool_name(saved), "resource": f"kg://queries/{saved.name}", **saved.metadata()})
    table = Table(("tool", "summary", "parameters", "tags"), rows)
    return Answer(table.text() + "\nEach query's text is the resource kg://queries/<name>.", {"queries": data})


# -- the schema -------------------------------------------------------------------------------------

LINKS_SHOWN = 200  # class-to-class links listed by the schema tool, the most used first


def _counted(counts: Mapping[str, int]) -> list[tuple[str, str]]:
    return [(iri_text(name), str(n)) for name, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def schema(state: Any, args: dict[str, Any]) -> Answer:
    """Classes and properties with counts (the statistics the server holds), the class-to-class
    links, the predeclared prefixes, and the saved queries."""
    stats = state.products.statistics
    prefixes = sparql_prefixes()
    data: dict[str, Any] = {"prefixes": prefixes, "saved_queries": {q.name: q.summary for q in state.queries.values()}}
    parts = ["Prefixes any query may use without declaring them:",
             "\n".join(f"{p}: <{iri}>" for p, iri in sorted(prefixes.items()))]
    if stats is None:
        parts.append("No statistics yet: they are being made.")
    else:
        figures = stats.dataset
        links = sorted(figures.links(), key=lambda link: (-link[3], link[:3]))[:LINKS_SHOWN]
        data.update(generation=stats.generation, made=stats.made, triples=figures.triples,
                    classes=figures.classes, properties=figures.properties,
                    links=[{"subject": s, "property": p, "object": o, "triples": n} for s, p, o, n in links])
        parts += [f"Statistics of generation {stats.generation}, made {stats.made}: {figures.triples:,} triples.",
                  Table(("class", "instances"), _counted(figures.classes)).text(),
                  Table(("property", "triples"), _counted(figures.properties)).text(),
                  Table(("subject class", "property", "object class", "triples"),
                        [(iri_text(s), iri_text(p), iri_text(o), str(n)) for s, p, o, n in links]).text()]
    parts.append(Table(("saved query", "summary"), [(q.name, q.summary) for q in state.queries.values()]).text())
    return Answer("\n\n".join(parts), data)


# -- the catalogue ----------------------------------------------------------------------------------

SEARCH = Tool("search_entities", "Search entities", (
    "Find entities of the HIGM1 knowledge graph (conditions, genes, proteins, HPO phenotypes, "
    "publications) by name, synonym, CURIE or definition; typos within one edit are forgiven. "
    "Answers one entity a row, best first: its CURIE (or IRI), label, kinds, and the name matched "
    "(label, synonym, curie or definition). "
    "Use the CURIE with describe_entity, or in SPARQL as it is."),
    _object({"text": {"type": "string", "minLength": 1, "maxLength": 200, "description": "What to look for: plain text"},
             "types": {"type": "array", "items": {"enum": list(KINDS)}, "uniqueItems": True,
                       "description": "Only entities of these kinds"},
             "limit": _limit(10, SEARCH_LIMIT)}, ("text",)), search)
DESCRIBE = Tool("describe_entity", "Describe an entity", (
    "Everything the graph says about one entity, as its web page shows it: label, types, synonyms, "
    "external links, each fact (predicate and object) with the source sentences it was read from, "
    "what points at it (counted, a sample named), and sections answered by saved queries for its "
    "type (a condition's genes and HPO's phenotype annotations, say). Answers JSON."),
    _object({"entity": {"type": "string", "minLength": 1, "maxLength": 2000,
                        "description": "A CURIE (MONDO:0010626, HGNC:11935, HP:0001875) or an absolute IRI"}},
            ("entity",)), describe)
LIST = Tool("list_saved_queries", "List the saved queries", (
    "The saved queries: curated, tested SPARQL queries, each a tool of its own (query_<name>) with "
    "typed parameters. Answers each one's tool name, summary, parameters (name: type; ? when "
    "optional) and tags. Prefer them to writing SPARQL."), _object({}), listing)
SPARQL = Tool("sparql_query", "Run a SPARQL query", (
    "Run a read-only SPARQL 1.1 query (SELECT, ASK, CONSTRUCT or DESCRIBE) over the union of all "
    "graphs. Every prefix of the schema tool is predeclared (kg:, biolink:, HGNC:, MONDO:, HP: …); "
    "a PREFIX in the query wins. Updates, SERVICE and LOAD are refused; the query stops at the "
    "server's deadline. Answers a table (tab-separated, IRIs as CURIEs) under a line counting the "
    "rows, which says when the answer was cut at `limit` rows (then use LIMIT and OFFSET in the query, or "
    "narrow it)."),
    _object({"query": {"type": "string", "minLength": 1, "description": "The SPARQL query"},
             "limit": _limit(DEFAULT_LIMIT, MAX_LIMIT)}, ("query",)), sparql)
SCHEMA = Tool("schema", "The data model", (
    "What the graph holds, to write SPARQL against it: the classes with their instance counts, the "
    "properties with their triple counts, the class-to-class links (subject class, property, "
    "object class, triples), the predeclared prefixes, and the saved queries."), _object({}), schema)


def catalogue(queries: Mapping[str, SavedQuery], max_rows: int) -> dict[str, Tool]:
    """Every tool by name: the fixed ones, and one per saved query."""
    sparql_tool = Tool(SPARQL.name, SPARQL.title, SPARQL.description,
                       _object({**SPARQL.schema["properties"], "limit": _limit(DEFAULT_LIMIT, max_rows)}, ("query",)),
                       sparql)
    tools = [SEARCH, DESCRIBE, LIST, sparql_tool, SCHEMA]
    for saved in queries.values():
        tools.append(Tool(tool_name(saved), saved.summary,
                          f"{saved.summary}. {' '.join(saved.description.split())} (The saved query "
                          f"{saved.name}; its text is the resource kg://queries/{saved.name}.) Answers a table "
                          f"under a line counting the rows, which says when there are more (page with offset).",
                          saved_schema(saved), saved_runner(saved)))
    return {tool.name: tool for tool in tools}
