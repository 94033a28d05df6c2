"""The SPARQL 1.1 Protocol at /sparql: queries by GET and POST, updates by POST with a token.

Handlers are plain `def`: FastAPI runs them in its thread pool, so waiting for a query worker
never holds the event loop. Queries run in the worker pool; updates run on the durable store,
after which the workers reload before their next query.
"""

from __future__ import annotations

import secrets

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request, Response

from kg.safety import check_dataset, check_query, check_update
from kg.terms import triples_to_ox
from ontology import PREFIXES

from .body import limited_body
from .description import service_triples
from .errors import Forbidden, Unauthorized
from .execution import Job
from .negotiation import GRAPH_FORMATS, negotiate, prefers_html
from .pages import query_page
from .protocol import Operation, from_params, from_post
from .using import with_using

router = APIRouter()
TRUNCATED = "X-Results-Truncated"


def format_override(request: Request) -> str | None:
    """SPARQLWrapper and others send `format` or `output`; both override Accept."""
    return request.query_params.get("format") or request.query_params.get("output")


def check_token(request: Request) -> None:
    """Writes need the server's token as a Bearer credential: 403 when off or wrong, 401 when absent."""
    token = request.app.state.settings.update_token
    if token is None:
        raise Forbidden("updates are disabled: start the server with KG_UPDATE_TOKEN set")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given:
        raise Unauthorized("updates need 'Authorization: Bearer <token>'")
    if not secrets.compare_digest(given.strip(), token):
        raise Forbidden("the update token is not valid")


def respond(job: Job, request: Request) -> Response:
    """A checked query run by a worker, within the deadline and the row cap."""
    result = request.app.state.pool.run(job)
    headers = {"Vary": "Accept"}
    if result.truncated:
        request.app.state.metrics.truncated.inc()
        headers[TRUNCATED] = f"true; limit={job.max_rows}"
    return Response(result.body, media_type=result.media_type, headers=headers)


def answer(operation: Operation, request: Request) -> Response:
    settings = request.app.state.settings
    check_query(operation.text, settings)
    check_dataset((*operation.default_graphs, *operation.named_graphs))
    return respond(Job(operation.text, operation.default_graphs, operation.named_graphs,
                       request.headers.get("accept"), format_override(request), settings.max_rows), request)


def write(operation: Operation, request: Request) -> Response:
    """An update on the durable store; the workers see it from the next query on."""
    check_token(request)
    settings = request.app.state.settings
    using = bool(operation.default_graphs or operation.named_graphs)
    check_update(operation.text, settings, using_parameters=using)
    check_dataset((*operation.default_graphs, *operation.named_graphs))
    request.app.state.store.update(with_using(operation.text, operation.default_graphs, operation.named_graphs))
    request.app.state.pool.invalidate()
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
    triples = triples_to_ox(service_triples(
        state.catalog, str(request.url.remove_query_params(["format", "output"])),
        updates=state.settings.update_token is not None, federation=state.settings.federation,
    ))
    return Response(ox.serialize(triples, format=fmt, prefixes=PREFIXES), media_type=fmt.media_type,
                    headers={"Vary": "Accept"})


@router.get("/sparql")
def sparql_get(request: Request) -> Response:
    operation = from_params(list(request.query_params.multi_items()), allow_update=False)
    return describe(request) if operation is None else run(operation, request)


@router.post("/sparql")
def sparql_post(request: Request, body: bytes = Depends(limited_body)) -> Response:
    params = list(request.query_params.multi_items())
    return run(from_post(request.headers.get("content-type"), params, body), request)
