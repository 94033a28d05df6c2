"""Results serialised by the engine, cut at a row cap without a Python loop over rows.

The engine writes line-per-row formats (TSV for solutions, N-Triples for triples) into a
writer that stops it one row past the cap; the kept rows are then re-read by the engine and
written in the format the client asked for. Stopping the writer stops the evaluation too.

>>> import pyoxigraph as ox
>>> store = ox.Store()
>>> store.extend(ox.Quad(ox.NamedNode(f"http://example.org/{i}"), ox.NamedNode("http://example.org/p"),
...              ox.Literal(i)) for i in range(5))
>>> capped = solutions(store.query("SELECT ?s WHERE { ?s ?p ?o }"), ox.QueryResultsFormat.CSV, 3)
>>> capped.truncated, capped.body.count(b"\\n")
(True, 4)
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from ontology import PREFIXES


@dataclass(frozen=True)
class Serialized:
    body: bytes
    media_type: str
    truncated: bool = False


class _Full(Exception):
    """Raised inside the engine's serialiser once enough lines are written."""


class _LineWriter:
    """A binary sink that keeps whole chunks and stops the writer after `limit` lines."""

    def __init__(self, limit: int) -> None:
        self.chunks: list[bytes] = []
        self.lines = 0
        self.limit = limit

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        self.lines += data.count(b"\n")
        if self.lines > self.limit:
            raise _Full
        return len(data)

    def flush(self) -> None:
        pass

    def head(self) -> tuple[bytes, bool]:
        """The first `limit` lines, and whether anything was cut."""
        data = b"".join(self.chunks)
        if self.lines <= self.limit:
            return data, False
        cut = -1
        for _ in range(self.limit):
            cut = data.index(b"\n", cut + 1)
        return data[: cut + 1], True


def _lines(write: object, limit: int) -> tuple[bytes, bool]:
    writer = _LineWriter(limit)
    try:
        write(writer)  # type: ignore[operator]
    except _Full:
        pass
    return writer.head()


def solutions(result: ox.QuerySolutions, fmt: ox.QueryResultsFormat, max_rows: int) -> Serialized:
    """SELECT results in `fmt`, at most `max_rows` rows."""
    tsv, truncated = _lines(lambda out: result.serialize(out, format=ox.QueryResultsFormat.TSV), max_rows + 1)
    if fmt == ox.QueryResultsFormat.TSV:
        return Serialized(tsv, fmt.media_type, truncated)
    reread = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
    return Serialized(reread.serialize(format=fmt), fmt.media_type, truncated)


def triples(result: ox.QueryTriples, fmt: ox.RdfFormat, max_rows: int) -> Serialized:
    """CONSTRUCT or DESCRIBE results in `fmt`, at most `max_rows` triples."""
    nt, truncated = _lines(lambda out: ox.serialize(result, out, format=ox.RdfFormat.N_TRIPLES), max_rows)
    if fmt == ox.RdfFormat.N_TRIPLES:
        return Serialized(nt, fmt.media_type, truncated)
    reread = ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)
    return Serialized(ox.serialize(reread, format=fmt, prefixes=PREFIXES), fmt.media_type, truncated)


def boolean(result: ox.QueryBoolean, fmt: ox.QueryResultsFormat) -> Serialized:
    return Serialized(result.serialize(format=fmt), fmt.media_type)
