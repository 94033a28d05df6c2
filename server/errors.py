"""Every error the server can answer with, and the one place they become HTTP responses."""

from __future__ import annotations

from typing import ClassVar

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse

from kg.safety import Malformed, Refused


class HttpError(Exception):
    """An error with its status code; the message is sent as plain text."""

    status = 500
    headers: ClassVar[dict[str, str]] = {}

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(HttpError):
    status = 400


class Unauthorized(HttpError):
    status = 401
    headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": 'Bearer realm="kg"'}


class Forbidden(HttpError):
    status = 403


class NotFound(HttpError):
    status = 404


class MethodNotAllowed(HttpError):
    status = 405


class NotAcceptable(HttpError):
    status = 406


class PayloadTooLarge(HttpError):
    status = 413


class Unprocessable(HttpError):
    status = 422


class UnsupportedMediaType(HttpError):
    status = 415


class EngineError(HttpError):
    status = 500


class ServiceUnavailable(HttpError):
    """Overloaded, or a query stopped at its deadline: try again later."""

    status = 503
    headers: ClassVar[dict[str, str]] = {"Retry-After": "1"}


class QueryTimeout(ServiceUnavailable):
    headers: ClassVar[dict[str, str]] = {}


async def _respond(request: Request, error: Exception) -> PlainTextResponse:
    if isinstance(error, SyntaxError):  # the engine's parser: message with line and column
        status, message, headers = 400, f"SPARQL syntax error: {error}", {}
    elif isinstance(error, (Refused, Malformed)):
        status, message, headers = 403 if isinstance(error, Refused) else 400, str(error), {}
    elif isinstance(error, HttpError):
        status, message, headers = error.status, error.message, error.headers
    else:
        raise error
    metrics = request.app.state.metrics
    metrics.errors.labels(str(status)).inc()
    if isinstance(error, QueryTimeout):
        metrics.timeouts.inc()
    return PlainTextResponse(message + "\n", status_code=status, headers={**headers, "Vary": "Accept"})


def install(app: FastAPI) -> None:
    """Map our errors and the engine's SyntaxError to responses."""
    app.add_exception_handler(HttpError, _respond)
    app.add_exception_handler(SyntaxError, _respond)
    app.add_exception_handler(Refused, _respond)
    app.add_exception_handler(Malformed, _respond)
