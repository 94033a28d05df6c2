"""The SPARQL 1.1 Protocol's request rules: from an HTTP request's parts to one operation.

Pure functions of the method, the Content-Type, the URL parameters and the body, so that each
rule of the recommendation is one table row in the tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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
