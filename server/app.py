"""The application factory: the store and the settings are injected, never global."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pyoxigraph as ox
from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from kg import __version__
from kg.saved_queries import load_queries
from kg.settings import Settings
from kg.store import Store
from kg.terms import triples_to_ox
from ontology import PREFIXES

from . import api, errors, graph_store, linked_data, sparql
from .description import Catalog, void_triples
from .dumps import FILENAMES as DUMP_FILES
from .dumps import Dumps
from .metrics import CONTENT_TYPE, Metrics
from .middleware import ForwardedHeaders, SecurityHeaders
from .negotiation import GRAPH_FORMATS, negotiate
from .pages import STATIC, query_page
from .search import SearchIndex
from .workers import WorkerPool

EXPOSED_HEADERS = [sparql.TRUNCATED, "Retry-After", "Link", "Location"]


def _lifespan(pool: WorkerPool, dumps: Dumps):
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(pool.start)
        try:
            yield
        finally:
            await run_in_threadpool(pool.close)
            dumps.close()

    return lifespan


def create_app(store: Store, settings: Settings | None = None) -> FastAPI:
    """A FastAPI app serving `store` over the SPARQL 1.1 Protocol and the Graph Store Protocol.

    Every saved query is read and checked first: a faulty one stops the app from being made.
    """
    settings = settings or Settings()
    queries = load_queries(settings.queries)
    pool = WorkerPool(store, size=settings.workers, timeout=settings.query_timeout,
                      max_pending=settings.max_pending)
    dumps = Dumps(store, lambda: pool.version)
    app = FastAPI(title="HIGM knowledge graph", version=__version__, lifespan=_lifespan(pool, dumps))
    app.state.store, app.state.settings, app.state.pool = store, settings, pool
    app.state.catalog = Catalog(store, lambda: pool.version)
    app.state.search = SearchIndex(store, lambda: pool.version)
    app.state.dumps = dumps
    app.state.metrics = Metrics()
    app.state.queries = queries
    errors.install(app)
    app.include_router(sparql.router)
    app.include_router(graph_store.router)
    app.include_router(api.router(queries))
    app.include_router(linked_data.router)
    _add_pages(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(SecurityHeaders)
    app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins), allow_credentials=False,
                       allow_methods=["GET", "HEAD", "POST"], allow_headers=["Accept", "Content-Type"],
                       expose_headers=EXPOSED_HEADERS)
    app.add_middleware(ForwardedHeaders, trusted=settings.forwarded_allow_ips)
    return app


def _add_pages(app: FastAPI) -> None:
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request) -> HTMLResponse:
        return query_page(request)

    @app.get("/health", response_class=PlainTextResponse)
    def health(request: Request) -> str:
        return f"ok: {len(request.app.state.store)} quads\n"

    @app.get("/metrics", response_class=PlainTextResponse)
    def metrics(request: Request) -> Response:
        return Response(request.app.state.metrics.render(), media_type=CONTENT_TYPE)

    @app.get("/.well-known/void")
    def void(request: Request) -> Response:
        """The VoID description of the dataset, in any RDF format by Accept."""
        fmt = negotiate(request.headers.get("accept"), GRAPH_FORMATS, sparql.format_override(request))
        triples = void_triples(request.app.state.catalog.statistics(), endpoint=str(request.url_for("sparql_get")),
                               dumps=[str(request.url_for("dump", filename=name)) for name in DUMP_FILES])
        return Response(ox.serialize(triples_to_ox(triples), format=fmt, prefixes=PREFIXES),
                        media_type=fmt.media_type, headers={"Vary": "Accept"})
