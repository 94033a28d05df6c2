"""Every error the server can answer with, and the one place they become HTTP responses.

The classes carry their status code. Errors raised inside an engine worker cross the process
boundary as a `Failure` (a kind and a message) and become one of these classes again here.
This module imports no web framework at import time, so the workers can use it too.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from kg.remote import EngineRefused
from kg.safety import Malformed, Refused
from kg.updates import PartlyApplied, UpdateFailed

if TYPE_CHECKING:
    from fastapi import FastAPI, Request
    from starlette.responses import Response


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


class UnsupportedMediaType(HttpError):
    status = 415


class Unprocessable(HttpError):
    status = 422


class EngineError(HttpError):
    status = 500


class WorkerCrashed(EngineError):
    """The engine process running the operation died."""


class ServiceUnavailable(HttpError):
    """Overloaded, or a query stopped at its deadline: try again later."""

    status = 503
    headers: ClassVar[dict[str, str]] = {"Retry-After": "1"}


class QueryTimeout(ServiceUnavailable):
    headers: ClassVar[dict[str, str]] = {}


class BadGateway(HttpError):
    """A remote engine answered with an error or with something that is not SPARQL."""

    status = 502


class EngineUnavailable(ServiceUnavailable):
    """No remote engine is up to do it."""


class GatewayTimeout(HttpError):
    """A remote engine did not answer within the deadline."""

    status = 504


@dataclass(frozen=True)
class Failure:
    """Why a job in a worker gave no answer: an error kind and its message, and whether the
    worker's copy of the store was left changed (an update that failed half-way)."""

    kind: str
    message: str
    dirty: bool = False


# Exceptions a job may raise, by the kind they travel as; anything else is "engine".
KINDS: tuple[tuple[type[BaseException], str], ...] = (
    (Refused, "refused"), (Malformed, "malformed"), (SyntaxError, "syntax"), (NotAcceptable, "not-acceptable"),
    (PayloadTooLarge, "too-large"), (NotFound, "not-found"), (BadRequest, "malformed"), (UpdateFailed, "malformed"),
    (PermissionError, "network"),  # a job's only outside access is the engine's HTTP client: the sandbox said no
)
RAISED = {"refused": Forbidden, "malformed": BadRequest, "syntax": BadRequest, "not-acceptable": NotAcceptable,
          "too-large": PayloadTooLarge, "not-found": NotFound, "network": Forbidden, "engine": EngineError}


def failure(error: BaseException) -> Failure:
    """What a worker sends back for an error its job raised."""
    if isinstance(error, PartlyApplied):
        return dataclasses.replace(failure(error.cause), dirty=True)
    kind = next((kind for cls, kind in KINDS if isinstance(error, cls)), "engine")
    message = str(error) or type(error).__name__
    if kind == "syntax":
        message = f"SPARQL syntax error: {message}"
    elif kind == "network":
        message = f"the engine may not reach the network (KG_SERVICE_ALLOW): {message}"
    elif kind == "engine":
        message = f"the engine failed: {type(error).__name__}: {message}"
    return Failure(kind, message)


def raised(fail: Failure) -> HttpError:
    """The HTTP error for a worker's Failure."""
    return RAISED.get(fail.kind, EngineError)(fail.message)


def status_of(error: Exception) -> tuple[int, str, dict[str, str]]:
    """Status, message and headers for an error we answer."""
    if isinstance(error, SyntaxError):  # the engine's parser: message with line and column
        return 400, f"SPARQL syntax error: {error}", {}
    if isinstance(error, (Refused, Malformed)):
        return (403 if isinstance(error, Refused) else 400), str(error), {}
    if isinstance(error, EngineRefused):  # a remote engine's 4xx: the operation, not the engine
        return 400, str(error), {}
    if isinstance(error, HttpError):
        return error.status, error.message, error.headers
    return 500, "internal error; see the server's log", {}


async def _respond(request: Request, error: Exception) -> Response:
    from starlette.responses import PlainTextResponse

    status, message, headers = status_of(error)
    metrics = request.app.state.metrics
    metrics.errors.labels(str(status)).inc()
    if isinstance(error, QueryTimeout):
        metrics.timeouts.inc()
    if isinstance(error, WorkerCrashed):
        metrics.crashes.inc()
    return PlainTextResponse(message + "\n", status_code=status, headers={**headers, "Vary": "Accept"})


def install(app: FastAPI) -> None:
    """Map our errors and the engine's SyntaxError to responses."""
    for kind in (HttpError, SyntaxError, Refused, Malformed, EngineRefused):
        app.add_exception_handler(kind, _respond)
