"""The SPARQL 1.1 Protocol at /sparql: queries by GET and POST, updates by POST with a token.

Handlers are plain `def`: FastAPI runs them in its thread pool, so waiting for an engine
worker never holds the event loop. Queries and updates both run in the worker pool, checked
and bounded there; an update's effect is then committed to the durable store. Relative IRIs
resolve against the endpoint's URL (SPARQL 1.1 Protocol allows the service to choose a base).
"""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request, Response

from kg.safety import check_dataset

from .auth import check_token
from .body import operation_body
from .description import PREFIXES_OUT, service_triples, validators
from .jobs import Query, Update
from .negotiation import GRAPH_FORMATS, negotiate, prefers_html
from .pages import query_page
from .protocol import GET_SPEC, POST_SPEC, Operation, from_params, from_post
from .streaming import Streamed, StreamedResponse

router = APIRouter()
TRUNCATED = "X-Results-Truncated"


def format_override(request: Request) -> str | None:
    """SPARQLWrapper and others send `format` or `output`; both override Accept."""
    return request.query_params.get("format") or request.query_params.get("output")


def base_iri(request: Request) -> str:
    """The base for relative IRIs in operations: the endpoint's own URL."""
    return str(request.url_for("sparql_get"))


def respond(job: Query, request: Request, *, stream: bool = True) -> Response:
    """A query run by a worker: checked there, within the deadline and the caps; a large answer
    is streamed (see `streaming`) unless `stream` is off (pages, whose cut means 'more')."""
    pool = request.app.state.pool
    result = pool.stream(job) if stream else pool.run(job)
    headers = {"Vary": "Accept"}
    if isinstance(result, Streamed):
        return StreamedResponse(result, headers, request.app.state.metrics)
    if result.truncated:
        request.app.state.metrics.truncated.inc()
        headers[TRUNCATED] = f"true; limit={job.max_rows}"
    return Response(result.body, media_type=result.media_type, headers=headers)


def answer(operation: Operation, request: Request) -> Response:
    check_dataset((*operation.default_graphs, *operation.named_graphs))
    return respond(Query(operation.text, operation.default_graphs, operation.named_graphs,
                         request.headers.get("accept"), format_override(request),
                         request.app.state.settings.max_rows, base_iri(request)), request)


def write(operation: Operation, request: Request) -> Response:
    """An update: run on a worker's copy under the deadline, then committed; the next query sees it."""
    check_token(request)
    check_dataset((*operation.default_graphs, *operation.named_graphs))
    request.app.state.pool.update(Update(operation.text, operation.default_graphs, operation.named_graphs,
                                         base_iri(request)))
    return Response(status_code=204, headers={"Vary": "Accept"})


def run(operation: Operation, request: Request) -> Response:
    metrics = request.app.state.metrics
    metrics.operations.labels(operation.kind).inc()
    with metrics.latency.time():
        return write(operation, request) if operation.kind == "update" else answer(operation, request)


def describe(request: Request) -> Response:
    """No operation: the query page for a browser, the Service Description for RDF clients."""
    accept = request.headers.get("accept")
    if prefers_html(accept) and not format_override(request):
        return query_page(request)
    fmt = negotiate(accept, GRAPH_FORMATS, format_override(request), html=True)
    state = request.app.state
    stats = state.products.statistics  # the figures held: never counted here, never waited for
    triples = service_triples(stats, str(request.url.remove_query_params(["format", "output"])),
                              updates=state.settings.update_token is not None, federation=state.settings.federation)
    return Response(ox.serialize(triples, format=fmt, prefixes=PREFIXES_OUT), media_type=fmt.media_type,
                    headers={"Vary": "Accept", **validators(stats)})


@router.get("/sparql/", include_in_schema=False)  # as the W3C tests ask; registered after the canonical path
@router.get("/sparql", openapi_extra=GET_SPEC, summary="A SPARQL query, or the service description")
def sparql_get(request: Request) -> Response:
    operation = from_params(list(request.query_params.multi_items()), allow_update=False)
    return describe(request) if operation is None else run(operation, request)


@router.post("/sparql/", include_in_schema=False)
@router.post("/sparql", openapi_extra=POST_SPEC, summary="A SPARQL query or update")
def sparql_post(request: Request, body: bytes = Depends(operation_body)) -> Response:
    params = list(request.query_params.multi_items())
    return run(from_post(request.headers.get("content-type"), params, body), request)
