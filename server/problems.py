"""One shape for every error: RFC 9457 problem details for JSON clients, plain text otherwise.

A client gets `application/problem+json` when its Accept names `application/problem+json`,
or names `application/json` and no SPARQL results format, or when it asks a JSON API (any path
under `/api/`). Everyone else, SPARQL clients first of all, gets the same words as
`text/plain`. The document has `type`, `title`, `status`, `detail` and `instance` (the path
asked), and extension members where they help: `line`, `column`, `expected`, `prefix` and
`suggestion` for a SPARQL syntax error, `parameter` and `errors` for a request that does not
validate, and `request_id`, the id the server's log uses.

>>> wants_json("/sparql", "application/sparql-results+json, application/json")
False
>>> wants_json("/sparql", "application/problem+json")
True
>>> wants_json("/api/queries/x", None)
True
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, PlainTextResponse, Response

from ontology import PROBLEM

from .errors import HttpError, MethodNotAllowed, NotFound, Unprocessable
from .requests import request_id

MEDIA_TYPE = "application/problem+json"
JSON_TYPES = frozenset({MEDIA_TYPE, "application/json"})
# Problem types of our own (the others are `about:blank`: their status says it all), and their titles.
TYPES = {
    "sparql-syntax": "SPARQL syntax error",
    "invalid-parameter": "A parameter is missing or not valid",
    "refused": "The operation is refused here",
    "deadline": "The operation passed its deadline",
}


def wants_json(path: str, accept: str | None) -> bool:
    """Whether to answer an error as problem+json (see the module's docstring)."""
    if path.startswith("/api/"):
        return True
    asked = set()
    for part in (accept or "").lower().split(","):  # as sent: negotiation reads application/json as SPARQL JSON
        media, *params = (p.strip() for p in part.split(";"))
        if not any(p.replace(" ", "") in {"q=0", "q=0.0", "q=0.00", "q=0.000"} for p in params):
            asked.add(media)
    if MEDIA_TYPE in asked:
        return True
    return "application/json" in asked and not any(t.startswith("application/sparql-results") for t in asked)


def document(error: HttpError, instance: str) -> dict[str, Any]:
    """The problem details of an error (RFC 9457), its extension members last."""
    problem = error.problem if error.problem in TYPES else None
    title = TYPES[problem] if problem else HTTPStatus(error.status).phrase
    core = {"type": str(PROBLEM[problem]) if problem else "about:blank", "title": title, "status": error.status,
            "detail": error.message, "instance": instance, "request_id": request_id()}
    return {**core, **{k: v for k, v in error.members.items() if k not in core and v is not None}}


def render(request: Request, error: HttpError) -> Response:
    """The response for an error, in the shape the client takes."""
    headers = {**error.headers, **error.extra_headers, "Vary": "Accept"}
    if not wants_json(request.url.path, request.headers.get("accept")):
        return PlainTextResponse(error.message + "\n", status_code=error.status, headers=headers)
    return JSONResponse(document(error, request.url.path), status_code=error.status, headers=headers,
                        media_type=MEDIA_TYPE)


def framework_error(error: Exception, allowed: set[str] | None = None) -> HttpError:
    """FastAPI's request validation and Starlette's own errors (404, 405: `allowed` are the
    methods the path takes) as ours."""
    if isinstance(error, RequestValidationError):
        return invalid(error)
    if isinstance(error, HTTPException):
        headers = dict(error.headers or {})
        if error.status_code == 404:
            return NotFound("nothing is here; GET / has the query page, /docs the API", headers=headers)
        if error.status_code == 405:
            methods = ", ".join(sorted(allowed or ())) or headers.get("allow", "")
            return MethodNotAllowed(f"this method is not allowed here{f'; use {methods}' if methods else ''}",
                                    headers={**headers, "Allow": methods} if methods else headers)
        answered = HttpError(str(error.detail), headers=headers)
        answered.status = error.status_code
        return answered
    return HttpError("internal error; see the server's log")


def invalid(error: RequestValidationError) -> Unprocessable:
    """A request FastAPI did not validate: each parameter at fault, in words."""
    found = [_parameter(item) for item in error.errors()]
    detail = "; ".join(f"the {item['in'] or 'request'} parameter {item['parameter']!r} {item['message']}"
                       for item in found)
    return Unprocessable(detail or "the request is not valid", parameter=found[0]["parameter"] if found else None,
                         errors=found)


def _parameter(item: dict[str, Any]) -> dict[str, Any]:
    location = [str(part) for part in item.get("loc", ())]
    where = location[0] if location and location[0] in {"query", "path", "header", "body", "cookie"} else None
    name = ".".join(location[1:] if where else location) or "request"
    message = "is required" if item.get("type") == "missing" else f"is not valid: {item.get('msg', '')}"
    return {"parameter": name, "in": where, "message": message}
