"""HTML pages, rendered with Jinja2 from server/templates; no asset comes from the network.

The query page is YASGUI when the Makefile has put its built files in static/vendor (from npm),
and a plain form otherwise. It shows the saved queries as examples grouped by their first tag,
with title and description, and the prefixes every query may use. Its configuration — endpoint, prefixes, examples, our classes and properties for
completion, the search API for entity completion — is embedded as JSON, never as inline script.
The page reads only what the server holds in memory: it never waits for the graph.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from kg.iris import scheme
from kg.saved_queries import SavedQuery
from ontology.identifiers import display_prefixes, sparql_prefixes

from .data_model import picture

HERE = Path(__file__).parent
STATIC = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")
WEB_SCHEMES = ("http", "https")
OTHER = "other"  # the group of examples without a tag


def web(url: object) -> bool:
    """Whether `url` may be a live link: http(s) only, never javascript:, data: and the like."""
    return isinstance(url, str) and scheme(url, None) in WEB_SCHEMES


templates.env.tests["web"] = web
FIRST_EXAMPLE = "mechanism-path"


def editor_available() -> bool:
    return (STATIC / "vendor" / "yasgui.min.js").is_file()


def example(saved: SavedQuery) -> dict[str, Any]:
    """A saved query as the page offers it: its title, description, tags, and its text with the
    example values bound, each VALUES block on a line of its own."""
    values = {p.name: p.example for p in saved.parameters if p.required and p.example is not None}
    return {"name": saved.name, "title": saved.summary, "description": saved.description.strip(),
            "tags": list(saved.tags), "query": saved.bind(values, lines=True).strip()}


def example_groups(queries: Mapping[str, SavedQuery]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The examples by their first tag: the largest group first, then by name."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for saved in queries.values():
        groups[saved.tags[0] if saved.tags else OTHER].append(example(saved))
    return sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))


def prefix_table() -> list[tuple[str, list[str]]]:
    """Each namespace with every prefix a query may use for it (HGNC, hgnc …), by prefix."""
    spellings: dict[str, list[str]] = defaultdict(list)
    for prefix, namespace in sorted(sparql_prefixes().items(), key=lambda item: item[0].casefold()):
        spellings[namespace].append(prefix)
    return sorted(((namespace, prefixes) for namespace, prefixes in spellings.items()),
                  key=lambda item: item[1][0].casefold())


def page_config(request: Request) -> dict[str, Any]:
    state = request.app.state
    stats = state.products.statistics  # as they are: the page never waits for them
    queries = state.queries
    first = queries.get(FIRST_EXAMPLE) or next(iter(queries.values()), None)
    return {
        "endpoint": str(request.url_for("sparql_get")),
        "search": str(request.url_for("search")),
        "resource": str(request.url_for("resource")),  # where an IRI of the results opens: its page here
        "prefixes": display_prefixes(),  # how results show IRIs
        "declared": sparql_prefixes(),  # what a query may use undeclared; the editor adds their PREFIX lines
        "examples": [example(q) for q in queries.values()],
        "first": example(first)["query"] if first else "SELECT * WHERE { ?s ?p ?o } LIMIT 10",
        "classes": sorted(stats.classes) if stats else [],
        "properties": sorted(stats.properties) if stats else [],
    }


def query_page(request: Request) -> HTMLResponse:
    config = page_config(request)
    response = templates.TemplateResponse(request, "query.html", {
        "config": json.dumps(config).replace("</", "<\\/"),
        "endpoint": config["endpoint"],
        "graphs": list(stats.graphs) if (stats := request.app.state.products.statistics) else [],
        "model": picture(stats, str(request.url_for("home"))) if stats else None,
        "counted": stats.made if stats else None,
        "example": config["first"],
        "groups": example_groups(request.app.state.queries),
        "prefixes": prefix_table(),
        "editor": editor_available(),
    })
    response.headers["Vary"] = "Accept"
    return response
