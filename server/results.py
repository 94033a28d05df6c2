"""Results serialised by the engine, cut at a row cap and a byte cap without a Python loop over rows.

The engine writes line-per-row formats (TSV for solutions, N-Triples for triples) into a
writer that stops it one row past the row cap, or at the row that passes the byte cap; the
whole rows kept are then re-read by the engine and written in the format the client asked
for. Stopping the writer stops the evaluation too. The byte cap counts the rows in that
line form, so a JSON or XML answer may be somewhat larger.

>>> from collections.abc import Iterable

import pyoxigraph as ox
>>> store = ox.Store()
>>> store.extend(ox.Quad(ox.NamedNode(f"http://example.org/{i}"), ox.NamedNode("http://example.org/p"),
...              ox.Literal(i)) for i in range(5))
>>> capped = solutions(store.query("SELECT ?s WHERE { ?s ?p ?o }"), ox.QueryResultsFormat.CSV, 3)
>>> capped.truncated, capped.body.count(b"\\n")
(True, 4)
>>> big = solutions(store.query("SELECT (CONCAT(STR(?o), '12345678') AS ?x) WHERE { ?s ?p ?o }"),
...                 ox.QueryResultsFormat.TSV, 100, max_bytes=30)
>>> big.truncated, big.body.count(b"\\n")
(True, 3)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from ontology import PREFIXES

MAX_BYTES = 33_554_432


@dataclass(frozen=True)
class Serialized:
    body: bytes
    media_type: str
    truncated: bool = False


class _Full(Exception):
    """Raised inside the engine's serialiser once enough lines are written."""


class _LineWriter:
    """A binary sink that stops the writer after `limit` lines or once `max_bytes` are passed."""

    def __init__(self, limit: int, max_bytes: int) -> None:
        self.chunks: list[bytes] = []
        self.lines = self.size = 0
        self.limit, self.max_bytes = limit, max_bytes

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        self.lines += data.count(b"\n")
        self.size += len(data)
        if self.lines > self.limit or self.size > self.max_bytes:
            raise _Full
        return len(data)

    def flush(self) -> None:
        pass

    def head(self, keep: int) -> tuple[bytes, bool]:
        """Whole lines within both caps, never fewer than `keep`, and whether anything was cut."""
        data = b"".join(self.chunks)
        if self.lines <= self.limit and self.size <= self.max_bytes:
            return data, False
        cut = -1
        for count in range(self.limit):
            following = data.find(b"\n", cut + 1)
            if following < 0 or (following + 1 > self.max_bytes and count >= keep):
                break
            cut = following
        return data[: cut + 1], True


def _lines(write: object, limit: int, max_bytes: int, keep: int = 0) -> tuple[bytes, bool]:
    writer = _LineWriter(limit, max_bytes)
    try:
        write(writer)  # type: ignore[operator]
    except _Full:
        pass
    return writer.head(keep)


def solutions(result: ox.QuerySolutions, fmt: ox.QueryResultsFormat, max_rows: int,
              max_bytes: int = MAX_BYTES) -> Serialized:
    """SELECT results in `fmt`: at most `max_rows` rows, and rows within `max_bytes`."""
    tsv, truncated = _lines(lambda out: result.serialize(out, format=ox.QueryResultsFormat.TSV),
                            max_rows + 1, max_bytes, keep=1)  # the header line is always kept
    if fmt == ox.QueryResultsFormat.TSV:
        return Serialized(tsv, fmt.media_type, truncated)
    reread = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
    return Serialized(reread.serialize(format=fmt), fmt.media_type, truncated)


def triples(result: Iterable[ox.Triple], fmt: ox.RdfFormat, max_rows: int, max_bytes: int = MAX_BYTES) -> Serialized:
    """CONSTRUCT or DESCRIBE results in `fmt`: at most `max_rows` triples, within `max_bytes`."""
    nt, truncated = _lines(lambda out: ox.serialize(result, out, format=ox.RdfFormat.N_TRIPLES), max_rows, max_bytes)
    if fmt == ox.RdfFormat.N_TRIPLES:
        return Serialized(nt, fmt.media_type, truncated)
    reread = ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)
    return Serialized(ox.serialize(reread, format=fmt, prefixes=PREFIXES), fmt.media_type, truncated)


def boolean(result: ox.QueryBoolean, fmt: ox.QueryResultsFormat) -> Serialized:
    return Serialized(result.serialize(format=fmt), fmt.media_type)
