"""The SPARQL 1.1 Protocol's request rules: from an HTTP request's parts to one operation.

Pure functions of the method, the Content-Type, the URL parameters and the body, so that each
rule of the recommendation is one table row in the tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from .errors import BadRequest, MethodNotAllowed, UnsupportedMediaType

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"

Params = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Operation:
    """A query or an update, with the protocol's dataset parameters."""

    kind: str  # "query" or "update"
    text: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


def _one(params: Params, name: str) -> str | None:
    values = [v for k, v in params if k == name]
    if len(values) > 1:
        raise BadRequest(f"the '{name}' parameter may be given only once")
    return values[0] if values else None


def _all(params: Params, name: str) -> tuple[str, ...]:
    return tuple(v for k, v in params if k == name)


def from_params(params: Params, *, allow_update: bool) -> Operation | None:
    """The operation in URL or form parameters; None when there is none (a description request)."""
    query, update = _one(params, "query"), _one(params, "update")
    if query is not None and update is not None:
        raise BadRequest("send either 'query' or 'update', not both")
    if update is not None:
        if not allow_update:
            raise MethodNotAllowed("updates must be sent with POST")
        return Operation("update", update, _all(params, "using-graph-uri"), _all(params, "using-named-graph-uri"))
    if query is None:
        return None
    return Operation("query", query, _all(params, "default-graph-uri"), _all(params, "named-graph-uri"))


def decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("the request body is not UTF-8") from None


def from_post(content_type: str | None, params: Params, body: bytes) -> Operation:
    """The operation of a POST, by its Content-Type."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media == FORM:
        form = parse_qsl(decode(body), keep_blank_values=True)
        operation = from_params([*form, *params], allow_update=True)
        if operation is None:
            raise BadRequest("the form has neither 'query' nor 'update'")
        return operation
    if media == QUERY:
        return Operation("query", decode(body), _all(params, "default-graph-uri"), _all(params, "named-graph-uri"))
    if media == UPDATE:
        return Operation("update", decode(body), _all(params, "using-graph-uri"), _all(params, "using-named-graph-uri"))
    if not media:
        raise UnsupportedMediaType(f"a POST needs a Content-Type: {FORM}, {QUERY} or {UPDATE}")
    raise UnsupportedMediaType(f"unsupported Content-Type {media!r}; use {FORM}, {QUERY} or {UPDATE}")


# -- the same rules, described for the OpenAPI schema (/docs) ----------------------------------------

def _parameter(name: str, description: str, *, many: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "array", "items": {"type": "string"}} if many else {"type": "string"}
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


DATASET = [
    _parameter("default-graph-uri", "A graph for the default graph (replaces FROM)", many=True),
    _parameter("named-graph-uri", "A graph for the named graphs (replaces FROM NAMED)", many=True),
]
FORMAT = [_parameter("format", "A result format by name or media type; overrides Accept (also `output`)")]
GET_SPEC = {"parameters": [_parameter("query", "A SPARQL 1.1 query; without one: the service description"),
                           *DATASET, *FORMAT]}
POST_SPEC = {
    "parameters": [*DATASET, *FORMAT,
                   _parameter("using-graph-uri", "A graph for an update's WHERE default graph", many=True),
                   _parameter("using-named-graph-uri", "A graph for an update's WHERE named graphs", many=True)],
    "requestBody": {"required": True, "content": {
        FORM: {"schema": {"type": "object", "properties": {
            "query": {"type": "string"}, "update": {"type": "string"},
            "default-graph-uri": {"type": "array", "items": {"type": "string"}},
            "named-graph-uri": {"type": "array", "items": {"type": "string"}}}}},
        QUERY: {"schema": {"type": "string"}},
        UPDATE: {"schema": {"type": "string"}},
    }},
}

