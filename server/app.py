"""The application factory: the store and the settings are injected, never global."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse

from kg import __version__
from kg.settings import Settings
from kg.store import Store

from . import errors, sparql
from .pages import query_page


def create_app(store: Store, settings: Settings | None = None) -> FastAPI:
    """A FastAPI app serving `store` over the SPARQL 1.1 Protocol."""
    app = FastAPI(title="HIGM knowledge graph", version=__version__)
    app.state.store = store
    app.state.settings = settings or Settings()
    errors.install(app)
    app.include_router(sparql.router)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request) -> HTMLResponse:
        return query_page(request)

    @app.get("/health", response_class=PlainTextResponse)
    def health(request: Request) -> str:
        return f"ok: {len(request.app.state.store)} quads\n"

    return app
