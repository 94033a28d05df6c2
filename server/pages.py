"""HTML pages, rendered with Jinja2 from server/templates; no asset comes from the network."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ontology import PREFIXES

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")

EXAMPLE = "\n".join(f"PREFIX {p}: <{PREFIXES[p]}>" for p in ("kg", "rdfs", "skos")) + """
SELECT ?gene ?protein ?cell ?receptor ?receptorCell WHERE {
  ?condition skos:altLabel "HIGM1" .
  ?g kg:causes ?condition ; kg:encodes ?p ; rdfs:label ?gene .
  ?p rdfs:label ?protein ; kg:locatedOnSurfaceOf/rdfs:label ?cell ; kg:hasReceptor ?r .
  ?r rdfs:label ?receptor ; kg:locatedOnSurfaceOf/rdfs:label ?receptorCell }"""


def query_page(request: Request) -> HTMLResponse:
    response = templates.TemplateResponse(request, "query.html", {
        "endpoint": str(request.url_for("sparql_get")),
        "graphs": request.app.state.store.graphs(),
        "example": EXAMPLE,
    })
    response.headers["Vary"] = "Accept"
    return response
