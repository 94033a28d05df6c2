"""Linked data: every IRI of ours resolves here, and any entity of the graph can be browsed.

IRIs answer with 200 and content negotiation (no 303 redirect): a browser gets the entity page,
an RDF client gets Turtle, N-Triples, JSON-LD (compacted with /context.jsonld) or RDF/XML, and
every answer carries `Vary: Accept`. Paths under our base map to IRIs one to one
(`/id/…`, `/graph/…`, `/vocab`); `/id/{curie}` and `/resource?iri=` reach external entities.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from starlette.responses import MalformedRangeHeader

from kg import formats
from kg.dumps import Making, Manifest
from kg.iris import scheme
from kg.search_entities import Kind
from ontology import BASE, PREFIXES
from ontology.identifiers import expand_text

from . import entities, jsonld, reads
from .errors import BadRequest, NotFound
from .negotiation import negotiate, prefers_html
from .pages import templates
from .picture import svg
from .sparql import format_override

MAX_PAGE = 100_000

router = APIRouter()
ENTITY_FORMATS: tuple[ox.RdfFormat, ...] = formats.engines("entity")  # type: ignore[assignment]
VOCAB = BASE + "vocab"
SEARCH_INDEX = "X-Search-Index"  # says "being made" while there is no index yet


def href_for(request: Request) -> Callable[[str], str]:
    """Links to entity pages: our own IRIs by their path here, others through /resource."""
    root = str(request.url_for("home"))
    resource = request.url_for("resource")

    def href(iri: str) -> str:
        if iri.startswith(BASE) and "#" not in iri:
            return root + iri[len(BASE):]
        return str(resource.include_query_params(iri=iri))

    return href


def list_href(request: Request) -> Callable[[str, str, bool, int], str]:
    """Links to the paged list of an entity's neighbours by one predicate, one way."""
    resource = request.url_for("resource")

    def href(iri: str, predicate: str, outgoing: bool, page: int = 1) -> str:
        direction = "outgoing" if outgoing else "incoming"
        return str(resource.include_query_params(iri=iri, **{direction: predicate}, page=page))

    return href


def _rdf(request: Request, iri: str, triples: list[ox.Triple], fmt: ox.RdfFormat) -> Response:
    if fmt == ox.RdfFormat.JSON_LD:
        body = jsonld.compact(triples, str(request.url_for("context")))
    else:
        body = ox.serialize(triples, format=fmt, prefixes=PREFIXES)
    return Response(body, media_type=fmt.media_type, headers={"Vary": "Accept", "Content-Location": str(request.url)})


def _page(request: Request, entity: entities.Entity) -> HTMLResponse:
    href, lists = href_for(request), list_href(request)
    formats = [(f.name, str(request.url.include_query_params(format=f.file_extension))) for f in ENTITY_FORMATS]
    response = templates.TemplateResponse(request, "entity.html", {
        "entity": entity, "href": href, "formats": formats, "more": lists, "summary": entity.summary,
        "picture": svg(entity, href, lambda predicate, outgoing: lists(entity.iri, predicate, outgoing)),
        "rows_link": lambda table: _rows_link(request, table, entity.iri), "values_shown": entities.VALUES_SHOWN,
        "section_link": lambda table: section_href(request)(entity.iri, table.query),
    })
    response.headers["Vary"] = "Accept"
    return response


def _rows_link(request: Request, table: entities.Table, iri: str) -> str:
    """The query page running a section's saved query for the entity: every row, as the engine gives them."""
    saved = request.app.state.queries[table.query]
    return str(request.url_for("home").include_query_params(query=saved.bind({table.parameter: iri}, lines=True).strip()))


def section_href(request: Request) -> Callable[[str, str, int], str]:
    """Links to the paged list of a section's merged rows for an entity."""
    resource = request.url_for("resource")
    return lambda iri, query, page=1: str(resource.include_query_params(iri=iri, section=query, page=page))


def _page_number(request: Request) -> int:
    page = request.query_params.get("page", "1")
    if not page.isdigit() or not 1 <= int(page) <= MAX_PAGE:
        raise BadRequest(f"page must be a whole number from 1 to {MAX_PAGE}")
    return int(page)


def _section(request: Request, iri: str, name: str) -> Response:
    """One page of a section's merged rows for the entity (`?section=NAME&page=N`)."""
    saved = request.app.state.queries.get(name)
    if saved is None or saved.section is None:
        raise NotFound(f"no saved query named {name!r} has a section")
    found = request.app.state.pool.call(entities.section, iri, saved, _page_number(request))
    if found is None:
        raise NotFound(f"<{iri}> is not of a type the section {name!r} is for")
    return templates.TemplateResponse(request, "section.html", {
        "found": found, "href": href_for(request), "rows_link": _rows_link(request, found.table, iri),
        "page_of": lambda number: section_href(request)(iri, name, number),
    }, headers={"Vary": "Accept"})


def _neighbours(request: Request, iri: str) -> Response | None:
    """One page of an entity's neighbours by one predicate (`?incoming=P` or `?outgoing=P`,
    `&page=N`), as a page or as JSON; None when the request asks for no list."""
    params = request.query_params
    chosen = [(d, params[d]) for d in (*entities.DIRECTIONS, "section") if d in params]
    if not chosen:
        return None
    if len(chosen) > 1:
        raise BadRequest("ask for one list: incoming, outgoing or section")
    (direction, predicate), page = chosen[0], _page_number(request)
    if direction == "section":
        return _section(request, iri, predicate)
    found = request.app.state.pool.call(entities.listing, iri, checked_iri(predicate), direction, page)
    if found.count == 0:
        raise NotFound(f"nothing links <{iri}> by <{predicate}> that way")
    href, lists = href_for(request), list_href(request)
    if not prefers_html(request.headers.get("accept")):
        return JSONResponse({"count": found.count, "page": found.page, "pages": found.pages,
                             "items": [{**n.as_json(), "href": href(n.value)} if n.kind == "iri" else n.as_json()
                                       for n in found.items],
                             "sources": [r.as_json() for r in found.releases]}, headers={"Vary": "Accept"})
    page_of = lambda number: lists(iri, found.predicate.value, direction == "outgoing", number)
    return templates.TemplateResponse(request, "list.html", {"listing": found, "href": href, "page_of": page_of,
                                                             "sort_limit": entities.SORT_LIMIT}, headers={"Vary": "Accept"})


def entity_response(request: Request, iri: str) -> Response:
    """The entity at `iri`, as a page or as RDF by Accept; 404 when the graph does not know it.
    With `incoming` or `outgoing` (a predicate) and `page`, one page of that list instead."""
    listed = _neighbours(request, iri)
    if listed is not None:
        return listed
    accept, override = request.headers.get("accept"), format_override(request)
    pool = request.app.state.pool
    if prefers_html(accept) and not override:
        sections = tuple(q for q in request.app.state.queries.values() if q.section)
        entity = pool.call(entities.describe, iri, sections)
        if entity is None:
            raise NotFound(f"the graph says nothing about <{iri}>")
        return _page(request, entity)
    fmt = negotiate(accept, ENTITY_FORMATS, override, html=True)
    triples = pool.call(entities.triples, iri)
    if not triples:
        raise NotFound(f"the graph says nothing about <{iri}>")
    return _rdf(request, iri, triples, fmt)


@router.get("/resource", summary="Any entity of the graph, by its IRI")
def resource(request: Request, iri: str = Query(..., description="An absolute IRI")) -> Response:
    return entity_response(request, checked_iri(iri))


def checked_iri(iri: str) -> str:
    """`iri` if it is an absolute IRI; 400 otherwise."""
    try:
        ox.NamedNode(iri)
    except ValueError as error:
        raise BadRequest(f"not an IRI: {error}") from None
    if scheme(iri, None) is None:
        raise BadRequest(f"not an absolute IRI: {iri!r}")
    return iri


@router.get("/id/{path:path}", summary="An entity by CURIE (HGNC:11935) or by the path of one of our IRIs")
def identified(request: Request, path: str) -> Response:
    if ":" in path and "/" not in path:
        try:
            iri = expand_text(path)
        except ValueError as error:
            raise NotFound(str(error)) from None
        return entity_response(request, checked_iri(iri))  # a local part may hold what no IRI may (space, <)
    return entity_response(request, checked_iri(f"{BASE}id/{path}"))


@router.get("/graph/{path:path}", summary="A named graph: its description, or its triples as RDF")
def graph(request: Request, path: str) -> Response:
    iri = checked_iri(f"{BASE}graph/{path}")
    if prefers_html(request.headers.get("accept")):
        return entity_response(request, iri)
    fmt = negotiate(request.headers.get("accept"), ENTITY_FORMATS, format_override(request), html=True)
    triples = request.app.state.pool.call(reads.graph_triples, iri)
    if triples is None:
        return entity_response(request, iri)
    return _rdf(request, iri, triples, fmt)


@router.get("/vocab", summary="Our vocabulary: the ontology document")
def vocab(request: Request) -> Response:
    return graph(request, "ontology") if not prefers_html(request.headers.get("accept")) else entity_response(request, VOCAB)


@router.get("/context.jsonld", summary="The JSON-LD context of our documents")
def context() -> JSONResponse:
    return JSONResponse(jsonld.context(), media_type="application/ld+json")


@router.get("/api/search", summary="Entities by name, synonym, CURIE or definition: exact, prefix, words, typos")
def search(request: Request, response: Response,
           q: str = Query(..., min_length=1, description="Text to look for (plain text, never query syntax)"),
           types: Annotated[list[Kind] | None, Query(alias="type", description="Only these kinds (repeatable)")] = None,
           limit: int = Query(20, ge=1, le=100)) -> list[dict[str, Any]]:
    """From the search index made when data was written; until there is one, an empty list with
    `X-Search-Index: being made`."""
    searcher = request.app.state.searcher
    if not searcher.ready:
        response.headers[SEARCH_INDEX] = "being made"
        return []
    href = href_for(request)
    return [{**hit.as_json(), "href": href(hit.iri)} for hit in searcher.search(q, types=types, limit=limit)]


def _listing(request: Request) -> dict[str, Any]:
    folder = request.app.state.dumps
    manifest, making = Manifest.read(folder), Making.read(folder)
    files = [{**asdict(d), "url": str(request.url_for("dump", filename=d.name))} for d in manifest.files] if manifest else []
    return {"generation": manifest.generation if manifest else None, "date": manifest.date if manifest else None,
            "files": files, "making": making.as_json() if making else None}


def dump_links(request: Request) -> tuple[list[str], dict[str, str]]:
    """The URLs of the ready dumps: of the whole dataset (none or one), and of each named graph."""
    manifest = Manifest.read(request.app.state.dumps)
    whole, graphs = [], {}
    for d in manifest.files if manifest else ():
        url = str(request.url_for("dump", filename=d.name))
        if d.content == "dataset":
            whole.append(url)
        elif d.graph is not None:
            graphs[d.graph] = url
    return whole, graphs


@router.get("/dumps", summary="The dumps ready to download (gzip-compressed N-Quads), and what is being made")
def dumps(request: Request) -> Response:
    listing = _listing(request)
    if prefers_html(request.headers.get("accept")):
        return templates.TemplateResponse(request, "dumps.html", listing, headers={"Vary": "Accept"})
    return JSONResponse(listing, headers={"Vary": "Accept"})


class DumpFile(FileResponse):
    """Starlette's file response (one range, several as multipart/byteranges, If-Range, 416
    past the end), but a `Range` it cannot read (another unit, a range ending before it starts)
    is ignored and the whole file sent, as RFC 9110 §14.2 asks, instead of a 400."""

    @classmethod
    def _parse_range_header(cls, http_range: str, file_size: int) -> list[tuple[int, int]]:
        try:
            return super()._parse_range_header(http_range, file_size)
        except MalformedRangeHeader:
            return []


@router.get("/dumps/{filename}", summary="One dump file, streamed from disk (Range requests answered)")
def dump(request: Request, filename: str) -> FileResponse:
    manifest = Manifest.read(request.app.state.dumps)
    found = manifest.file(filename) if manifest else None  # only what the manifest lists: no other path
    if found is None or not (path := request.app.state.dumps / found.name).is_file():
        raise NotFound(f"no dump named {filename!r} is ready; GET /dumps lists them")
    return DumpFile(path, media_type="application/gzip", filename=found.name, headers={"ETag": f'"{found.sha256}"'})
