"""Request bodies: read only once the request may write (when it says it writes), with the size
limit applied while reading, within a time, and only so many at once.

Without these, thousands of connections that each send a body the server would refuse anyway
hold a megabyte each. A write's token is checked on its head alone (Graph Store writes, and a
POST of `application/sparql-update`); a form POST must be read to know whether it writes, so
it is bounded by `KG_MAX_BODY`, `KG_BODY_TIMEOUT` and the `KG_BODY_READS` read at once. A
request that finds every reading place taken waits up to `SLOT_WAIT` seconds, then gets 503.
"""

from __future__ import annotations

import asyncio
import time

from fastapi import Request

from .auth import check_token
from .errors import BadRequest, PayloadTooLarge, RequestTimeout, ServiceUnavailable
from .protocol import UPDATE

SLOT_WAIT = 1.0  # seconds a request waits for one of the KG_BODY_READS places


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"the request body is over the {limit}-byte limit (KG_MAX_BODY)")


def _declared(request: Request, limit: int) -> None:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise BadRequest("Content-Length is not a number")
        if int(declared) > limit:
            raise _too_large(limit)


async def limited_body(request: Request) -> bytes:
    """The whole body, or 413 as soon as it passes KG_MAX_BODY, 408 when it is not all here
    within KG_BODY_TIMEOUT, 503 when KG_BODY_READS others are being read and none ends soon."""
    settings = request.app.state.settings
    _declared(request, settings.max_body)
    places: asyncio.Semaphore = request.app.state.body_reads
    started = time.monotonic()
    try:
        async with asyncio.timeout(min(SLOT_WAIT, settings.body_timeout)):
            await places.acquire()
    except TimeoutError:
        raise ServiceUnavailable(f"{settings.body_reads} request bodies are being read (KG_BODY_READS); "
                                 "try again shortly") from None
    try:
        async with asyncio.timeout(max(0.0, settings.body_timeout - (time.monotonic() - started))):
            return await _read(request, settings.max_body)
    except TimeoutError:
        raise RequestTimeout(f"the request body did not arrive within {settings.body_timeout:g} s "
                             "(KG_BODY_TIMEOUT)") from None
    finally:
        places.release()


async def _read(request: Request, limit: int) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


async def authorised_body(request: Request) -> bytes:
    """A write's body, read only when its token is right (401/403 on the head alone)."""
    check_token(request)
    return await limited_body(request)


async def operation_body(request: Request) -> bytes:
    """A SPARQL POST's body; an update sent as such is authorised first (a form is read to know)."""
    if (request.headers.get("content-type") or "").split(";")[0].strip().lower() == UPDATE:
        check_token(request)
    return await limited_body(request)
