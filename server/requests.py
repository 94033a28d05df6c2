"""The id of the request being answered, for log lines written anywhere below the handler.

Set by `middleware.Guard` for each request; copied into the threads that run handlers.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

_CURRENT: ContextVar[str] = ContextVar("kg_request_id", default="-")
_ACCEPTED = re.compile(r"[A-Za-z0-9._-]{1,64}")  # a client's own X-Request-Id, if it looks like one


def request_id() -> str:
    return _CURRENT.get()


def begin(given: str | None) -> str:
    """Start a request: the client's id when it is a plain token, a new one otherwise."""
    value = given if given and _ACCEPTED.fullmatch(given) else uuid.uuid4().hex
    _CURRENT.set(value)
    return value
