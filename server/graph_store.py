"""The SPARQL 1.1 Graph Store HTTP Protocol at /store: graphs read and written whole.

`?graph=IRI` names a graph; `?default` is the default graph, which here is the union of the
named graphs (as for queries), so it can be read but not written (405). A request naming
neither reads the whole dataset (quad formats) or, by POST, creates a new graph (201 and
Location). Reads are open; writes need the update token, as updates do.
"""

from __future__ import annotations

import uuid

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request, Response

from kg.safety import check_dataset
from kg.store import Change
from ontology import GRAPH

from .body import limited_body
from .errors import BadRequest, MethodNotAllowed, NotFound, UnsupportedMediaType
from .negotiation import GRAPH_FORMATS, negotiate
from .sparql import check_token, format_override

router = APIRouter()
QUAD_FORMATS = tuple(f for f in GRAPH_FORMATS if f.supports_datasets)
DEFAULT = "default"


def _target(request: Request) -> str | None:
    """The graph IRI a request names; DEFAULT for ?default; None for the whole store."""
    params = request.query_params
    if "graph" in params and "default" in params:
        raise BadRequest("give either ?graph=IRI or ?default, not both")
    if "default" in params:
        return DEFAULT
    graph = params.get("graph")
    if graph is None:
        return None
    try:
        ox.NamedNode(graph)
    except ValueError:
        raise BadRequest(f"?graph must be an absolute IRI: {graph!r}") from None
    check_dataset([graph])
    return graph


def _read(request: Request, target: str | None, *, head: bool) -> Response:
    store = request.app.state.store
    offers = QUAD_FORMATS if target is None else GRAPH_FORMATS
    fmt = negotiate(request.headers.get("accept"), offers, format_override(request))
    if target not in (None, DEFAULT) and not store.has_graph(target):
        raise NotFound(f"no graph <{target}> in this store")
    body = b"" if head else store.serialize(fmt, None if target == DEFAULT else target)
    return Response(body, media_type=fmt.media_type, headers={"Vary": "Accept"})


def _parse(request: Request, body: bytes, graph: str) -> list[ox.Triple]:
    media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    fmt = ox.RdfFormat.from_media_type(media) if media else None
    if fmt is None:
        raise UnsupportedMediaType(f"send RDF: {', '.join(f.media_type for f in GRAPH_FORMATS)}")
    try:
        quads = list(ox.parse(body, format=fmt, base_iri=graph))
    except SyntaxError as error:
        raise BadRequest(f"the {fmt.name} body does not parse: {error}") from None
    if any(not isinstance(q.graph_name, ox.DefaultGraph) for q in quads):
        raise BadRequest("the body names graphs; send one graph's triples to one graph IRI")
    return [q.triple for q in quads]


def _write(request: Request, body: bytes, target: str | None, *, replace: bool) -> Response:
    check_token(request)
    if target == DEFAULT:
        raise MethodNotAllowed("the default graph is the union of the named graphs; write to ?graph=IRI")
    state = request.app.state
    created = target is None or not state.store.has_graph(target)
    graph = target or str(GRAPH[f"upload/{uuid.uuid4()}"])
    triples = _parse(request, body, graph)
    state.store.apply(Change(replace={graph: triples}) if replace else Change(add={graph: triples}))
    state.pool.invalidate()
    if not created:
        return Response(status_code=204)
    location = graph if target else str(request.url.include_query_params(graph=graph))
    return Response(status_code=201, headers={"Location": location})


@router.get("/store")
def read(request: Request) -> Response:
    return _read(request, _target(request), head=False)


@router.head("/store")
def head(request: Request) -> Response:
    return _read(request, _target(request), head=True)


@router.put("/store")
def put(request: Request, body: bytes = Depends(limited_body)) -> Response:
    target = _target(request)
    if target is None:
        raise MethodNotAllowed("PUT needs ?graph=IRI")
    return _write(request, body, target, replace=True)


@router.post("/store")
def post(request: Request, body: bytes = Depends(limited_body)) -> Response:
    return _write(request, body, _target(request), replace=False)


@router.delete("/store")
def delete(request: Request) -> Response:
    check_token(request)
    target = _target(request)
    if target in (None, DEFAULT):
        raise MethodNotAllowed("DELETE needs ?graph=IRI; the default graph is the union and cannot be dropped")
    if not request.app.state.store.has_graph(target):
        raise NotFound(f"no graph <{target}> in this store")
    request.app.state.store.apply(Change(replace={target: []}))
    request.app.state.pool.invalidate()
    return Response(status_code=204)

