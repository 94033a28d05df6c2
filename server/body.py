"""Request bodies, read with the size limit applied while reading."""

from __future__ import annotations

from fastapi import Request

from .errors import BadRequest, PayloadTooLarge


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"the request body is over the {limit}-byte limit (KG_MAX_BODY)")


async def limited_body(request: Request) -> bytes:
    """The whole body, or 413 as soon as it passes KG_MAX_BODY."""
    limit = request.app.state.settings.max_body
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise BadRequest("Content-Length is not a number")
        if int(declared) > limit:
            raise _too_large(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)
