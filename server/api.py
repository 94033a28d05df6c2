"""Saved queries as a REST API: a list at /api/queries, and one typed operation per query.

Each query becomes its own route, so the OpenAPI schema at /docs documents it with its own
typed parameters. Values are bound by the saved query (as RDF terms, never pasted text); the
query runs in the worker pool like any other, and pages come with `Link` headers.
"""

from __future__ import annotations

import datetime
import inspect
import logging
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import APIRouter, Query, Request, Response

from kg import formats
from kg.saved_queries import PYTHON_TYPES, ParameterError, SavedQuery

from . import jobs
from .errors import NotFound, Unprocessable
from .sparql import TRUNCATED, base_iri, format_override, respond

DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET = 100, 10_000, 1_000_000_000
TAG = "saved queries"
log = logging.getLogger("kg.api")


def _typed(saved: SavedQuery, name: str, value: str | None) -> Any:
    """A header default as the Python type FastAPI validates against."""
    kind = PYTHON_TYPES.get(saved.parameter(name).type, str)
    if value is None or kind is str:
        return value
    return datetime.date.fromisoformat(value) if kind is datetime.date else int(value)


def _signature(saved: SavedQuery) -> inspect.Signature:
    params = [inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request)]
    for p in saved.parameters:
        kind = PYTHON_TYPES.get(p.type, str)
        default = ... if p.required else _typed(saved, p.name, p.default)
        described = f"{p.description} (type: {p.type})".strip()
        params.append(inspect.Parameter(
            p.name, inspect.Parameter.KEYWORD_ONLY,
            annotation=kind if p.required else kind | None,
            default=Query(default, description=described, examples=[p.example] if p.example else None,
                          min_length=1 if kind is str else None),  # an empty value is no value
        ))
    params.append(inspect.Parameter("limit", inspect.Parameter.KEYWORD_ONLY, annotation=int,
                                    default=Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Rows per page")))
    params.append(inspect.Parameter("offset", inspect.Parameter.KEYWORD_ONLY, annotation=int,
                                    default=Query(0, ge=0, le=MAX_OFFSET, description="Rows to skip")))
    return inspect.Signature(params)


def _links(request: Request, limit: int, offset: int, more: bool) -> str:
    def page(start: int) -> str:
        return str(request.url.include_query_params(limit=limit, offset=start))

    links = [f'<{page(0)}>; rel="first"']
    if offset:
        links.append(f'<{page(max(0, offset - limit))}>; rel="prev"')
    if more:
        links.append(f'<{page(offset + limit)}>; rel="next"')
    return ", ".join(links)


def saved_job(saved: SavedQuery, values: Mapping[str, Any], limit: int, offset: int, *, accept: str | None = None,
              override: str | None = None, base: str | None = None) -> jobs.Query:
    """The job that runs one page of a saved query with `values` bound."""
    given = {k: v.isoformat() if isinstance(v, datetime.date) else str(v) for k, v in values.items() if v is not None}
    try:
        text = saved.bind(given, limit=limit + 1, offset=offset)
    except ParameterError as error:
        raise Unprocessable(str(error), parameter=error.name) from None
    return jobs.Query(text, accept=accept, override=override, max_rows=limit, base=base)


def run_saved(saved: SavedQuery, request: Request, values: Mapping[str, Any], limit: int, offset: int) -> Response:
    """Bind, check and run one saved query, one page of it."""
    job = saved_job(saved, values, limit, offset, accept=request.headers.get("accept"),
                    override=format_override(request), base=base_iri(request))
    response = respond(job, request, stream=False)
    more = TRUNCATED in response.headers
    if more:
        del response.headers[TRUNCATED]
    response.headers["Link"] = _links(request, limit, offset, more)
    return response


WARMED = (None, "text/csv")  # JSON, what a browser, SPARQLWrapper or curl gets; CSV, what the manual's examples ask


def warm(pool: Any, queries: Mapping[str, SavedQuery], run: Callable[..., Any]) -> int:
    """Answer the first page of each saved query once in each of WARMED, as the API asks for it
    by default (the example of each required parameter, the default of the others), through
    `pool`'s result cache with `run` as the executor (a low-priority worker): the first visitor
    finds it made. How many were answered."""
    answered = 0
    for saved in queries.values():
        values = {p.name: p.example if p.required else _typed(saved, p.name, p.default) for p in saved.parameters}
        if any(p.required and p.example is None for p in saved.parameters):
            continue
        try:
            for accept in WARMED:
                pool.run(saved_job(saved, values, DEFAULT_LIMIT, 0, accept=accept), method=run)
            answered += 1
        except Exception as error:  # noqa: BLE001 - a query that cannot be warmed is answered when asked
            log.warning("saved query %s was not warmed: %s", saved.name, error)
    return answered


def _endpoint(saved: SavedQuery) -> Callable[..., Response]:
    def endpoint(request: Request, limit: int = DEFAULT_LIMIT, offset: int = 0, **values: Any) -> Response:
        return run_saved(saved, request, values, limit, offset)

    endpoint.__signature__ = _signature(saved)  # type: ignore[attr-defined]
    endpoint.__name__ = f"query_{saved.name.replace('-', '_')}"
    return endpoint


def router(queries: Mapping[str, SavedQuery]) -> APIRouter:
    """The list, a route per saved query, and a 404 for any other name."""
    api = APIRouter(prefix="/api/queries", tags=[TAG])

    @api.get("", summary="The saved queries, with their parameters")
    def listing() -> list[dict[str, Any]]:
        return [saved.metadata() for saved in queries.values()]

    for saved in queries.values():
        api.add_api_route(f"/{saved.name}", _endpoint(saved), methods=["GET"], summary=saved.summary,
                          description=saved.description, tags=[TAG, *saved.tags],
                          operation_id=f"query_{saved.name.replace('-', '_')}", response_class=Response,
                          responses={200: {"content": {f.media_type: {} for f in (*formats.subset("results"),
                                                                                   *formats.subset("graph"))}}})

    @api.get("/{name}", include_in_schema=False)
    def unknown(name: str) -> Response:
        raise NotFound(f"no saved query named {name!r}; GET /api/queries lists them")

    return api
