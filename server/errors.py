"""Every error the server can answer with, and the one place they become HTTP responses.

The classes carry their status code. Errors raised inside an engine worker cross the process
boundary as a `Failure` (a kind, a message and its details) and become one of these classes
again here. Every error, FastAPI's request validation and Starlette's 404 and 405 included,
answers in one shape (see `problems`): RFC 9457 `application/problem+json` for JSON clients,
the same words as plain text for everyone else. This module imports no web framework at
import time, so the workers can use it too.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from kg.messages import QuerySyntaxError
from kg.remote import EngineRefused
from kg.safety import Malformed, Refused
from kg.updates import PartlyApplied, UpdateFailed

if TYPE_CHECKING:
    from fastapi import FastAPI, Request
    from starlette.responses import Response


class HttpError(Exception):
    """An error with its status code and its problem type (see `problems`); `members` are the
    problem document's extension members (a parameter's name, a line and column)."""

    status = 500
    problem: ClassVar[str | None] = None  # a problem type of `problems.TYPES`; None: the status alone
    headers: ClassVar[dict[str, str]] = {}

    def __init__(self, message: str, *, headers: dict[str, str] | None = None, **members: Any) -> None:
        super().__init__(message)
        self.message, self.members = message, members
        self.extra_headers = headers or {}  # this one's own (a 405's Allow), beside the class's


class BadRequest(HttpError):
    status = 400


class SparqlSyntax(BadRequest):
    problem = "sparql-syntax"


class InvalidParameter(BadRequest):
    problem = "invalid-parameter"


class Unauthorized(HttpError):
    status = 401
    headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": 'Bearer realm="kg"'}


class Forbidden(HttpError):
    status = 403


class Refusal(Forbidden):
    """An operation this service will not run (SERVICE, LOAD, file: IRIs)."""

    problem = "refused"


class NotFound(HttpError):
    status = 404


class MethodNotAllowed(HttpError):
    status = 405


class NotAcceptable(HttpError):
    status = 406


class RequestTimeout(HttpError):
    """The request (its body) did not arrive in time."""

    status = 408
    headers: ClassVar[dict[str, str]] = {"Connection": "close"}


class PayloadTooLarge(HttpError):
    status = 413


class UnsupportedMediaType(HttpError):
    status = 415


class Unprocessable(HttpError):
    status = 422
    problem = "invalid-parameter"


class EngineError(HttpError):
    status = 500


class WorkerCrashed(EngineError):
    """The engine process running the operation died."""


class ServiceUnavailable(HttpError):
    """Overloaded, or a query stopped at its deadline: try again later."""

    status = 503
    headers: ClassVar[dict[str, str]] = {"Retry-After": "1"}


class QueryTimeout(ServiceUnavailable):
    problem = "deadline"
    headers: ClassVar[dict[str, str]] = {}


class OutOfMemory(ServiceUnavailable):
    """The operation needed more memory than an engine worker may use (KG_WORKER_MEMORY_MIB)."""

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
    members: tuple[tuple[str, Any], ...] = ()  # what the problem document adds (line, column, expected)


# Exceptions a job may raise, by the kind they travel as; anything else is "engine".
KINDS: tuple[tuple[type[BaseException], str], ...] = (
    (Refused, "refused"), (SyntaxError, "syntax"), (Malformed, "malformed"), (NotAcceptable, "not-acceptable"),
    (PayloadTooLarge, "too-large"), (NotFound, "not-found"), (BadRequest, "malformed"), (UpdateFailed, "malformed"),
    (MemoryError, "memory"),
    (PermissionError, "network"),  # a job's only outside access is the engine's HTTP client: the sandbox said no
)
RAISED = {"refused": Refusal, "malformed": BadRequest, "syntax": SparqlSyntax, "not-acceptable": NotAcceptable,
          "too-large": PayloadTooLarge, "not-found": NotFound, "memory": OutOfMemory, "network": Refusal,
          "engine": EngineError}


def failure(error: BaseException) -> Failure:
    """What a worker sends back for an error its job raised."""
    if isinstance(error, PartlyApplied):
        return dataclasses.replace(failure(error.cause), dirty=True)
    kind = next((kind for cls, kind in KINDS if isinstance(error, cls)), "engine")
    message = str(error) or type(error).__name__
    if isinstance(error, QuerySyntaxError):
        return Failure(kind, message, members=tuple(error.members().items()))
    if kind == "syntax":
        message = f"SPARQL syntax error: {message}"
    elif kind == "memory":
        message = "the operation needed more memory than an engine worker may use (KG_WORKER_MEMORY_MIB)"
    elif kind == "network":
        message = f"the engine may not reach the network (KG_SERVICE_ALLOW): {message}"
    elif kind == "engine":
        message = f"the engine failed: {type(error).__name__}: {message}"
    return Failure(kind, message)


def raised(fail: Failure) -> HttpError:
    """The HTTP error for a worker's Failure."""
    return RAISED.get(fail.kind, EngineError)(fail.message, **dict(fail.members))


def as_http(error: Exception) -> HttpError:
    """Any error we answer as one of our classes: the engine's and the checks' errors by kind,
    anything unknown as a 500 that tells nothing of the server's inside."""
    if isinstance(error, HttpError):
        return error
    if isinstance(error, QuerySyntaxError):
        return SparqlSyntax(str(error), **error.members())
    if isinstance(error, SyntaxError):  # the engine's parser, where nothing explained it
        return SparqlSyntax(f"SPARQL syntax error: {error}")
    if isinstance(error, Refused):
        return Refusal(str(error))
    if isinstance(error, (Malformed, EngineRefused)):  # EngineRefused: a remote engine's 4xx, the operation's fault
        return BadRequest(str(error))
    return HttpError("internal error; see the server's log")


async def _respond(request: Request, error: Exception) -> Response:
    from .problems import render

    answered = as_http(error)
    metrics = request.app.state.metrics
    metrics.errors.labels(str(answered.status)).inc()
    if isinstance(error, QueryTimeout):
        metrics.timeouts.inc()
    if isinstance(error, WorkerCrashed):
        metrics.crashes.inc()
    return render(request, answered)


def install(app: FastAPI) -> None:
    """Map our errors, the engine's SyntaxError, and the framework's own errors to responses."""
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException

    from .middleware import allowed_methods
    from .problems import framework_error

    async def from_framework(request: Request, error: Exception) -> Response:
        return await _respond(request, framework_error(error, allowed_methods(request.scope)))

    for kind in (HttpError, SyntaxError, Refused, Malformed, EngineRefused):
        app.add_exception_handler(kind, _respond)
    for kind in (RequestValidationError, HTTPException):
        app.add_exception_handler(kind, from_framework)
