"""The request being answered: its id, for log lines written anywhere below the handler, and
when it arrived, from which its one deadline runs.

Set by `middleware.Guard` for each request; copied into the threads that run handlers.
"""

from __future__ import annotations

import re
import time
import uuid
from contextvars import ContextVar

_CURRENT: ContextVar[str] = ContextVar("kg_request_id", default="-")
_ARRIVED: ContextVar[float | None] = ContextVar("kg_request_arrived", default=None)
_ACCEPTED = re.compile(r"[A-Za-z0-9._-]{1,64}")  # a client's own X-Request-Id, if it looks like one


def request_id() -> str:
    return _CURRENT.get()


def begin(given: str | None) -> str:
    """Start a request: the client's id when it is a plain token, a new one otherwise."""
    value = given if given and _ACCEPTED.fullmatch(given) else uuid.uuid4().hex
    _CURRENT.set(value)
    _ARRIVED.set(time.monotonic())
    return value


def deadline(timeout: float) -> float:
    """The time.monotonic() by which an operation of the request being answered must end:
    `timeout` seconds after the request arrived (after now, outside a request), so time spent
    waiting — for a thread, for admission, for a worker — counts against it.

    >>> abs(deadline(5.0) - time.monotonic() - 5.0) < 1.0
    True
    """
    arrived = _ARRIVED.get()
    return (time.monotonic() if arrived is None else arrived) + timeout
