"""Streamed answers: a large SELECT or CONSTRUCT goes to the client piece by piece as the engine
makes it, so neither the worker nor the server holds it whole.

A streamed answer has already sent its status (200) and headers when it starts, so an answer
that stops before its end — at the deadline, at the row or byte cap, or on an engine error —
cannot become an error status. It ends visibly instead: a last line `# kg: answer cut: …`
(a comment in N-Triples and Turtle; in JSON or XML the document is left unclosed anyway), and
then the response is left unfinished — the connection closes without HTTP's last chunk, so
every HTTP client (curl, httpx, requests, SPARQLWrapper, Jena) reports an incomplete body
rather than a short answer that looks whole.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from starlette.responses import StreamingResponse
from starlette.types import Send

from .requests import request_id

if TYPE_CHECKING:
    from .metrics import Metrics

log = logging.getLogger("kg.server")


class StreamCut(Exception):
    """A streamed answer stopped before its end; `reason` is one of deadline, cap, engine."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason, self.message = reason, message


class Streamed:
    """An answer in pieces: the first, then the rest from `pieces` (a started generator, which
    gives its worker back or replaces it when it ends or is closed). Iterating blocks: Starlette
    runs it on a thread. `keep(limit, done)` asks for the whole answer, when it ended whole and
    within `limit` bytes, to be given to `done` as it ends (the result cache keeps it)."""

    def __init__(self, media_type: str, first: bytes, pieces: Iterator[bytes]) -> None:
        self.media_type, self._first, self._pieces = media_type, first, pieces
        self._keep: tuple[int, Callable[[bytes], None]] | None = None

    def keep(self, limit: int, done: Callable[[bytes], None]) -> None:
        self._keep = (limit, done)

    def __iter__(self) -> Iterator[bytes]:
        kept: list[bytes] | None = [] if self._keep else None
        size = 0
        for piece in itertools.chain([self._first], self._pieces):
            if kept is not None and self._keep is not None:
                size += len(piece)
                if size <= self._keep[0]:
                    kept.append(piece)
                else:
                    kept = None
            yield piece
        if kept is not None and self._keep is not None:  # not cut, not closed early: whole
            self._keep[1](b"".join(kept))

    def close(self) -> None:
        """Stop early: the worker is replaced and its place freed. A piece still being read on
        another thread (the client left mid-piece) ends the same way once that read returns
        and the answer is dropped."""
        with contextlib.suppress(ValueError):  # "generator already executing"
            self._pieces.close()  # type: ignore[attr-defined]


class StreamedResponse(StreamingResponse):
    """A `Streamed` answer as a chunked response that ends unfinished when the answer is cut."""

    def __init__(self, answer: Streamed, headers: dict[str, str], metrics: Metrics) -> None:
        super().__init__(answer, media_type=answer.media_type, headers=headers)
        self.answer, self.metrics = answer, metrics

    async def stream_response(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        self.metrics.streamed.inc()
        try:
            async for chunk in self.body_iterator:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except StreamCut as cut:
            self.metrics.stream_cuts.labels(cut.reason).inc()
            log.warning("request %s: a streamed answer was cut: %s", request_id(), cut.message)
            await send({"type": "http.response.body", "body": f"\n# kg: answer cut: {cut.message}\n".encode(),
                        "more_body": True})
            return  # unfinished: the server closes the connection without the last chunk
        finally:
            self.answer.close()
        await send({"type": "http.response.body", "body": b"", "more_body": False})
