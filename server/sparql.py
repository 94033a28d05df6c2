"""The SPARQL 1.1 Protocol at /sparql: queries by GET and POST, updates by POST with a token.

Handlers are plain `def`: FastAPI runs them in its thread pool, so a blocking engine call never
holds the event loop.
"""

from __future__ import annotations

import secrets

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request, Response

from kg.store import QueryResult, Store
from kg.terms import triples_to_ox
from ontology import PREFIXES

from .description import service_triples
from .errors import BadRequest, Forbidden, NotAcceptable, Unauthorized
from .negotiation import GRAPH_FORMATS, RESULT_FORMATS, choose, prefers_html
from .pages import query_page
from .protocol import Operation, from_params, from_post

router = APIRouter()


def _format_override(request: Request) -> str | None:
    """SPARQLWrapper and others send `format` or `output`; both override Accept."""
    return request.query_params.get("format") or request.query_params.get("output")


def serialize(result: QueryResult, request: Request) -> tuple[bytes, str] | None:
    """The engine's serialisation in the client's preferred format; None if none is acceptable."""
    accept, override = request.headers.get("accept"), _format_override(request)
    if isinstance(result, ox.QueryTriples):
        graph_format = choose(accept, GRAPH_FORMATS, override)
        if graph_format is None:
            return None
        return ox.serialize(result, format=graph_format, prefixes=PREFIXES), graph_format.media_type
    results_format = choose(accept, RESULT_FORMATS, override)
    if results_format is None:
        return None
    return result.serialize(format=results_format), results_format.media_type


def answer(store: Store, operation: Operation, request: Request) -> Response:
    """Query and serialise in this one thread: the engine's results may not cross threads."""
    result = store.query(
        operation.text,
        default_graphs=operation.default_graphs or None,
        named_graphs=operation.named_graphs or None,
    )
    try:
        serialized = serialize(result, request)
        offers = GRAPH_FORMATS if isinstance(result, ox.QueryTriples) else RESULT_FORMATS
    finally:
        del result
    if serialized is None:
        raise NotAcceptable("acceptable formats: " + ", ".join(f.media_type for f in offers))
    body, media = serialized
    return Response(body, media_type=media, headers={"Vary": "Accept"})


def check_token(request: Request) -> None:
    token = request.app.state.settings.update_token
    if token is None:
        raise Forbidden("updates are disabled: start the server with KG_UPDATE_TOKEN set")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given:
        raise Unauthorized("updates need 'Authorization: Bearer <token>'")
    if not secrets.compare_digest(given.strip(), token):
        raise Forbidden("the update token is not valid")


def run(operation: Operation, request: Request) -> Response:
    store: Store = request.app.state.store
    if operation.kind == "update":
        check_token(request)
        if operation.default_graphs or operation.named_graphs:
            raise BadRequest("using-graph-uri and using-named-graph-uri are not supported yet")
        store.update(operation.text)
        return Response(status_code=204, headers={"Vary": "Accept"})
    return answer(store, operation, request)


def describe(request: Request) -> Response:
    """No operation: the query page for a browser, the Service Description for RDF clients."""
    accept = request.headers.get("accept")
    if prefers_html(accept) and not _format_override(request):
        return query_page(request)
    fmt = choose(accept, GRAPH_FORMATS, _format_override(request))
    if fmt is None:
        raise NotAcceptable("acceptable formats: text/html, " + ", ".join(f.media_type for f in GRAPH_FORMATS))
    settings = request.app.state.settings
    triples = triples_to_ox(service_triples(
        request.app.state.store, str(request.url.remove_query_params(["format", "output"])),
        updates=settings.update_token is not None,
    ))
    return Response(ox.serialize(triples, format=fmt, prefixes=PREFIXES), media_type=fmt.media_type,
                    headers={"Vary": "Accept"})


@router.get("/sparql")
def sparql_get(request: Request) -> Response:
    operation = from_params(list(request.query_params.multi_items()), allow_update=False)
    return describe(request) if operation is None else run(operation, request)


async def raw_body(request: Request) -> bytes:
    return await request.body()


@router.post("/sparql")
def sparql_post(request: Request, body: bytes = Depends(raw_body)) -> Response:
    params = list(request.query_params.multi_items())
    return run(from_post(request.headers.get("content-type"), params, body), request)
