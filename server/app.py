"""The application factory: the store and the settings are injected, never global."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import pyoxigraph as ox
from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.middleware.trustedhost import TrustedHostMiddleware

from kg import __version__, dumps, search_index
from kg.dumps import Manifest
from kg.products import folder_of
from kg.remote import RemoteStore
from kg.sandbox import ALLOW_LIST, OFF, OPEN
from kg.saved_queries import load_queries
from kg.search_index import Searcher
from kg.settings import Settings
from kg.store import Store

from . import api, docs, entities, errors, graph_store, linked_data, prefixes, reads, sparql
from .description import PREFIXES_OUT, validators, void_triples
from .mcp_server import Endpoint, sessions
from .metrics import CONTENT_TYPE, Metrics
from .middleware import REQUEST_ID, ForwardedHeaders, Guard, Methods
from .negotiation import GRAPH_FORMATS, negotiate
from .pages import STATIC, query_page
from .refresher import Refresher
from .remote_pool import RemotePool
from .result_cache import CachingPool, ResultCache
from .workers import WorkerPool

CACHEABLE = frozenset({entities.describe, entities.listing, entities.triples, reads.serialize, reads.graph_triples, reads.graph_exists,
                       reads.named_graphs})  # the reads the result cache may answer (queries always may)
NETWORK = {OFF: "off the network", ALLOW_LIST: "on the network only towards the allow-list (supervised)",
           OPEN: "with network access"}  # what the engine processes may reach, in /health
EXPOSED_HEADERS = [sparql.TRUNCATED, linked_data.SEARCH_INDEX, "Retry-After", "Link", "Location", REQUEST_ID,
                   "Mcp-Session-Id"]
ALLOWED_HEADERS = ["Accept", "Content-Type", "Mcp-Protocol-Version", "Mcp-Session-Id", "Mcp-Method", "Mcp-Name",
                   "Last-Event-ID"]  # the MCP transport's, for assistants in a browser
log = logging.getLogger("kg.app")


def make_missing(store: RemoteStore) -> None:
    """Behind a remote engine, where no worker of ours can make them after writes: the search
    index and the dumps when there are none yet, in a thread of its own, so that the server
    answers meanwhile (search says "being made", /dumps lists what is being made)."""
    products = folder_of(store)
    if not Searcher(products / "search").ready:
        search_index.build(store, products / "search")
    if Manifest.read(products / "dumps") is None:
        dumps.write(store, products / "dumps", generation=getattr(store, "generation", 0))


def _lifespan(pool: WorkerPool | RemotePool, store: Store | RemoteStore, refresher: Refresher):
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(pool.start)
        await run_in_threadpool(lambda: app.state.searcher.ready)  # opens the index now, not at the first search
        await run_in_threadpool(refresher.start)  # the stored figures read; what is missing made in the background
        if isinstance(store, RemoteStore):
            threading.Thread(target=make_missing, args=(store,), name="kg-products", daemon=True).start()
        try:
            async with sessions(app):
                yield
        finally:
            refresher.close()
            await run_in_threadpool(pool.close)

    return lifespan


def create_app(store: Store | RemoteStore, settings: Settings | None = None,
               readers: Sequence[RemoteStore] = ()) -> FastAPI:
    """A FastAPI app serving `store` over the SPARQL 1.1 Protocol and the Graph Store Protocol:
    the embedded store through the worker pool, or a remote engine (and its read replicas)
    through the remote pool.

    Every saved query is read and checked first: a faulty one stops the app from being made.
    """
    settings = settings or Settings()
    queries = load_queries(settings.queries)
    pool: WorkerPool | RemotePool = (RemotePool(store, settings, readers) if isinstance(store, RemoteStore)
                                     else WorkerPool(store, settings))
    refresher = Refresher(pool, str(folder_of(store)), str(settings.queries), settings.refresh_timeout,
                          compute=isinstance(pool, WorkerPool))
    app = FastAPI(title="HIGM knowledge graph", version=__version__, lifespan=_lifespan(pool, store, refresher),
                  docs_url=None, redoc_url=None)
    app.state.products = refresher
    app.state.metrics = Metrics()
    app.state.body_reads = asyncio.Semaphore(settings.body_reads)  # see body.limited_body
    app.state.settings, app.state.queries = settings, queries
    app.state.pool = CachingPool(pool, app.state.metrics, CACHEABLE, ResultCache(settings.result_cache_mib << 20),
                                 timeout=settings.query_timeout)
    app.state.searcher = Searcher(folder_of(store) / "search")  # one per app: it follows the index's commits
    app.state.dumps = folder_of(store) / "dumps"
    _refreshed_after_writes(app, pool, refresher, settings)
    errors.install(app)
    for module in (sparql, graph_store, linked_data, docs, prefixes):
        app.include_router(module.router)
    app.include_router(api.router(queries))
    app.add_route("/mcp", Endpoint(), methods=["POST"], include_in_schema=False)  # stateless: no stream to GET,
    # no session to DELETE (405, as the transport allows)
    _add_pages(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _add_middleware(app, settings)
    return app


def _refreshed_after_writes(app: FastAPI, pool: WorkerPool | RemotePool, refresher: Refresher,
                            settings: Settings) -> None:
    """Each write of data refreshes what is made from the graph; once that is current for the
    first time, the heavy saved queries are answered ahead of their first visitor (a server on
    disk only: tests on in-memory stores make their own reads)."""
    if not isinstance(pool, WorkerPool):
        return
    pool.on_commit = refresher.written
    if pool.served_from_disk:
        refresher.when_ready(lambda: _warm(app, pool, settings))


def _warm(app: FastAPI, pool: WorkerPool, settings: Settings) -> None:
    answered = api.warm(app.state.pool, app.state.queries,
                        lambda job, timeout=None: pool.background(job, timeout=settings.refresh_timeout))
    log.info("%d saved queries answered ahead of their first visitor", answered)


def _add_middleware(app: FastAPI, settings: Settings) -> None:
    """Innermost first: HEAD and OPTIONS, CORS, trusted hosts, proxies, and the guard outside all."""
    app.add_middleware(Methods)
    app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins), allow_credentials=False,
                       allow_methods=["GET", "HEAD", "POST"], allow_headers=ALLOWED_HEADERS,
                       expose_headers=EXPOSED_HEADERS)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(settings.allowed_hosts))
    app.add_middleware(ForwardedHeaders, trusted=settings.forwarded_allow_ips)
    app.add_middleware(Guard)


def _add_pages(app: FastAPI) -> None:
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request) -> HTMLResponse:
        return query_page(request)

    @app.get("/health", response_class=PlainTextResponse)
    def health(request: Request) -> str:
        pool, products = request.app.state.pool, request.app.state.products.describe()
        if hasattr(pool, "engines"):  # a remote engine and its replicas
            engines = pool.engines()
            lines = "".join(f"{role}: {name} {'up' if up else 'down'}\n" for role, name, up in engines)
            state = "ok" if any(up for *_, up in engines) else "degraded"
            return f"{state}: version {pool.version}\n{lines}{products}\n"
        network = NETWORK.get(pool.network, pool.network)
        return f"ok: version {pool.version}, {pool.workers} engine workers, {network}\n{products}\n"

    @app.get("/metrics", response_class=PlainTextResponse)
    def metrics(request: Request) -> Response:
        return Response(request.app.state.metrics.render(), media_type=CONTENT_TYPE)

    @app.get("/.well-known/void")
    def void(request: Request) -> Response:
        """The VoID description of the dataset, in any RDF format by Accept: the statistics the
        server holds, at once, with the dumps that are ready, and `ETag` and `Last-Modified`
        from the figures' generation and date (and the dumps named)."""
        fmt = negotiate(request.headers.get("accept"), GRAPH_FORMATS, sparql.format_override(request))
        stats = request.app.state.products.statistics
        whole, graphs = linked_data.dump_links(request)
        headers = {"Vary": "Accept", **validators(stats, [*whole, *graphs.values()])}
        if request.headers.get("if-none-match") == headers["ETag"]:
            return Response(status_code=304, headers=headers)
        triples = void_triples(stats, endpoint=str(request.url_for("sparql_get")), dumps=whole, graph_dumps=graphs)
        return Response(ox.serialize(triples, format=fmt, prefixes=PREFIXES_OUT), media_type=fmt.media_type,
                        headers=headers)
