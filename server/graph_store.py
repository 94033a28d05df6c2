"""The SPARQL 1.1 Graph Store HTTP Protocol at /store: graphs read and written whole.

`?graph=IRI` names a named graph; `?default` names the store's own default graph, which is
writable. Queries without a dataset see the union of the default graph and every named graph,
so `?default` is one part of what a query sees, not all of it. A request naming neither reads
the whole dataset (quad formats) or, by POST, creates a new graph (201, with the new graph's
IRI in Location). A POST may carry several documents as multipart/form-data, each part in
its own media type; all are merged into the target. Reads run in a worker under the deadline;
writes need the update token.
"""

from __future__ import annotations

import uuid
from email.parser import BytesParser
from email.policy import HTTP

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request, Response

from kg.change import Change, fresh_blank_nodes
from kg.formats import declares_entities
from kg.safety import check_dataset
from ontology import GRAPH

from . import reads
from .auth import check_token
from .body import authorised_body
from .errors import BadRequest, MethodNotAllowed, NotFound, UnsupportedMediaType
from .negotiation import GRAPH_FORMATS, negotiate
from .reads import DEFAULT
from .sparql import format_override

router = APIRouter()
QUAD_FORMATS = tuple(f for f in GRAPH_FORMATS if f.supports_datasets)
MULTIPART = "multipart/form-data"


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
    check_dataset([graph])
    return graph


def _read(request: Request, target: str | None) -> Response:
    offers = QUAD_FORMATS if target is None else GRAPH_FORMATS
    fmt = negotiate(request.headers.get("accept"), offers, format_override(request))
    body = request.app.state.pool.call(reads.serialize, fmt.file_extension, target)
    if body is None:
        raise NotFound(f"no graph <{target}> in this store")
    return Response(body, media_type=fmt.media_type, headers={"Vary": "Accept"})


def _documents(content_type: str | None, body: bytes) -> list[tuple[str, bytes]]:
    """(media type, bytes) of each RDF document sent: the body, or each part of multipart/form-data."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media != MULTIPART:
        return [(media, body)]
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + (content_type or "").encode("latin-1")
                                                   + b"\r\n\r\n" + body)
    if not message.is_multipart():
        raise BadRequest("the multipart/form-data body has no parts")
    return [(part.get_content_type(), part.get_payload(decode=True) or b"") for part in message.iter_parts()]


def _parse_one(media: str, body: bytes, base: str) -> list[ox.Quad]:
    fmt = ox.RdfFormat.from_media_type(media) if media else None
    if fmt is None:
        raise UnsupportedMediaType(f"send RDF: {', '.join(f.media_type for f in GRAPH_FORMATS)}, or {MULTIPART}")
    if declares_entities(fmt, body):
        raise BadRequest("RDF/XML with a DOCTYPE or entity declarations is refused")
    try:
        quads = list(ox.parse(body, format=fmt, base_iri=base))
    except (SyntaxError, ValueError) as error:
        raise BadRequest(f"the {fmt.name} body does not parse: {error}") from None
    if any(not isinstance(q.graph_name, ox.DefaultGraph) for q in quads):
        raise BadRequest("the body names graphs; send one graph's triples to one graph")
    return fresh_blank_nodes(quads)  # each document's blank nodes are its own


def _parse(request: Request, body: bytes, graph: ox.NamedNode | ox.DefaultGraph, base: str) -> list[ox.Quad]:
    """The triples of every document sent, put into `graph`."""
    return [ox.Quad(q.subject, q.predicate, q.object, graph)
            for media, document in _documents(request.headers.get("content-type"), body)
            for q in _parse_one(media, document, base)]


def _write(request: Request, body: bytes, target: str | None, *, replace: bool) -> Response:
    """A write whose token `authorised_body` checked before reading its body."""
    pool = request.app.state.pool
    graph = target or str(GRAPH[f"upload/{uuid.uuid4()}"])
    term = ox.DefaultGraph() if graph == DEFAULT else ox.NamedNode(graph)
    base = str(request.url_for("read")) if graph == DEFAULT else graph
    quads = _parse(request, body, term, base)
    created = graph != DEFAULT and not pool.call(reads.graph_exists, graph)
    cleared = frozenset({None if graph == DEFAULT else graph}) if replace else frozenset()
    pool.commit(Change(cleared=cleared, added=frozenset(quads), created=frozenset({graph} if created else ())))
    if not created:
        return Response(status_code=204)
    return Response(status_code=201, headers={"Location": graph})


@router.get("/store")
def read(request: Request) -> Response:
    return _read(request, _target(request))


@router.head("/store")
def head(request: Request) -> Response:
    response = _read(request, _target(request))
    return Response(b"", media_type=response.media_type, headers={**response.headers,
                                                                   "Content-Length": str(len(response.body))})


@router.put("/store")
def put(request: Request, body: bytes = Depends(authorised_body)) -> Response:
    target = _target(request)
    if target is None:
        raise MethodNotAllowed("PUT needs ?graph=IRI or ?default")
    return _write(request, body, target, replace=True)


@router.post("/store")
def post(request: Request, body: bytes = Depends(authorised_body)) -> Response:
    return _write(request, body, _target(request), replace=False)


@router.delete("/store")
def delete(request: Request) -> Response:
    check_token(request)
    target = _target(request)
    pool = request.app.state.pool
    if target is None:
        raise MethodNotAllowed("DELETE needs ?graph=IRI or ?default")
    if target == DEFAULT:
        pool.commit(Change(cleared=frozenset({None})))
        return Response(status_code=204)
    if not pool.call(reads.graph_exists, target):
        raise NotFound(f"no graph <{target}> in this store")
    pool.commit(Change(cleared=frozenset({target}), dropped=frozenset({target})))
    return Response(status_code=204)
