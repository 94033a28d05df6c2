"""HTML pages, rendered with Jinja2 from server/templates; no asset comes from the network.

The query page is YASGUI when the Makefile has put its built files in static/vendor (from npm),
and a plain form otherwise. Its configuration — endpoint, prefixes, saved queries as examples,
our classes and properties for completion — is embedded as JSON, never as inline script.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from kg.iris import scheme
from kg.saved_queries import SavedQuery
from ontology.identifiers import display_prefixes

HERE = Path(__file__).parent
STATIC = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")
WEB_SCHEMES = ("http", "https")


def web(url: object) -> bool:
    """Whether `url` may be a live link: http(s) only, never javascript:, data: and the like."""
    return isinstance(url, str) and scheme(url, None) in WEB_SCHEMES


templates.env.tests["web"] = web
FIRST_EXAMPLE = "mechanism-path"


def editor_available() -> bool:
    return (STATIC / "vendor" / "yasgui.min.js").is_file()


def _example(saved: SavedQuery) -> dict[str, str]:
    values = {p.name: p.example for p in saved.parameters if p.required and p.example is not None}
    return {"name": saved.name, "summary": saved.summary, "query": saved.bind(values).strip()}


def page_config(request: Request) -> dict[str, Any]:
    state = request.app.state
    stats = state.products.statistics  # as they are: the page never waits for them
    queries = state.queries
    first = queries.get(FIRST_EXAMPLE) or next(iter(queries.values()), None)
    return {
        "endpoint": str(request.url_for("sparql_get")),
        "prefixes": display_prefixes(),
        "examples": [_example(q) for q in queries.values()],
        "first": _example(first)["query"] if first else "SELECT * WHERE { ?s ?p ?o } LIMIT 10",
        "classes": sorted(stats.classes) if stats else [],
        "properties": sorted(stats.properties) if stats else [],
    }


def query_page(request: Request) -> HTMLResponse:
    config = page_config(request)
    response = templates.TemplateResponse(request, "query.html", {
        "config": json.dumps(config).replace("</", "<\\/"),
        "endpoint": config["endpoint"],
        "graphs": list(stats.graphs) if (stats := request.app.state.products.statistics) else [],
        "example": config["first"],
        "examples": config["examples"],
        "editor": editor_available(),
    })
    response.headers["Vary"] = "Accept"
    return response
