"""The REST API's documentation at /docs: Swagger UI from the installed npm package, no CDN.

The Makefile copies swagger-ui-dist's bundle and stylesheet into static/vendor (as it does
YASGUI); the page starts it from static/docs.js, so it runs under our Content-Security-Policy
(no inline script). Without the package, /docs is a plain page that links the OpenAPI schema.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from .pages import STATIC, templates

router = APIRouter()
BUNDLE = "vendor/swagger-ui-bundle.js"


@router.get("/docs", include_in_schema=False, response_class=HTMLResponse)
def swagger_ui_html(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "docs.html", {
        "schema": str(request.url_for("openapi")), "title": request.app.title,
        "swagger": (STATIC / BUNDLE).is_file(),
    })
