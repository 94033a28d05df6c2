"""Results serialised by the engine, cut at a row cap and a byte cap without a Python loop over rows,
and streamed in pieces when they are large.

The engine writes line-per-row formats (TSV for solutions, N-Triples for triples) into a sink
that hands whole lines on in pieces and stops the engine one row past the row cap, or at the
row that passes the byte cap (stopping the writer stops the evaluation too). Each piece is
re-read by the engine and written in the format the client asked for. An answer of one piece
is one document, as the cache keeps it. An answer of more pieces, when the caller can `emit`,
goes out as it is made: the first piece's document without its closing part, then the rows of
each further piece (the part of its document between head and tail, `Frame`), then the closing
part — byte for byte the document the whole answer would have made, for the results formats.
The byte cap counts the rows in their line form, so a JSON or XML answer may be somewhat larger.

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
>>> sent = []
>>> streamed = solutions(store.query("SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o"), ox.QueryResultsFormat.JSON, 100,
...                      emit=lambda media_type, data: sent.append(data), piece_rows=2)
>>> streamed.streamed, len(sent), b"".join(sent).count(b'"value"')
(True, 4, 5)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from ontology import PREFIXES

MAX_BYTES = 33_554_432
PIECE_ROWS = 8_192  # rows per streamed piece
PIECE_BYTES = 1_048_576  # or bytes of rows in line form, whichever comes first
Emit = Callable[[str, bytes], None]  # (media type, bytes): sends a piece of a streamed answer


@dataclass(frozen=True)
class Serialized:
    body: bytes  # empty when `streamed`: the body went out through `emit`
    media_type: str
    truncated: bool = False
    streamed: bool = False


class _Full(Exception):
    """Raised inside the engine's serialiser once enough lines are written."""


class _Lines:
    """A binary sink for the engine's line-per-row writer: whole lines go on to `take` a piece
    at a time, within `limit` lines and `max_bytes` bytes (but never fewer than `keep` lines)."""

    def __init__(self, take: Callable[[bytes, bool], None], limit: int, max_bytes: int, keep: int,
                 piece_rows: int, piece_bytes: int) -> None:
        self.take, self.limit, self.max_bytes, self.keep = take, limit, max_bytes, keep
        self.piece_rows, self.piece_bytes = piece_rows, piece_bytes
        self.pending = bytearray()
        self.pending_lines = self.lines = self.size = 0
        self.truncated = False

    def write(self, data: bytes) -> int:
        if self.truncated:  # the engine may write again after the stop; nothing more is taken
            raise _Full
        data = bytes(data)
        self.pending += data
        self.pending_lines += data.count(b"\n")
        while self.pending_lines >= self.piece_rows or (len(self.pending) >= self.piece_bytes
                                                       and self.pending_lines > self._least() - 1):
            self._hand_on(self._piece_end())
        if self.lines + self.pending_lines > self.limit or self.size + len(self.pending) > self.max_bytes:
            self._hand_on(self.pending.rfind(b"\n") + 1, cut=True)  # a row (maybe unfinished) is over a cap
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        """The engine is done: hand on what is left."""
        if self.pending:
            self._hand_on(len(self.pending), last=True)

    def _least(self) -> int:
        """Lines the next piece needs: a row, and the header with the first."""
        return max(1, self.keep + 1 - self.lines)

    def _piece_end(self) -> int:
        """Where the next piece ends: after `piece_rows` lines, or the last whole line within
        `piece_bytes` (but a row at least)."""
        end, least = 0, self._least()
        for count in range(self.piece_rows):
            following = self.pending.find(b"\n", end)
            if following < 0 or (count >= least and following + 1 > self.piece_bytes):
                break
            end = following + 1
        return end

    def _hand_on(self, end: int, *, last: bool = False, cut: bool = False) -> None:
        piece = bytes(self.pending[:end])
        del self.pending[:end]
        lines = piece.count(b"\n")
        self.pending_lines -= lines
        if cut or self.lines + lines > self.limit or self.size + len(piece) > self.max_bytes:
            piece, self.truncated = self._within(piece), True
        self.lines += piece.count(b"\n")
        self.size += len(piece)
        if piece:
            self.take(piece, last or self.truncated)
        if self.truncated:
            raise _Full

    def _within(self, piece: bytes) -> bytes:
        cut = -1
        for count in range(self.limit - self.lines):
            following = piece.find(b"\n", cut + 1)
            if following < 0 or (self.size + following + 1 > self.max_bytes and self.lines + count >= self.keep):
                break
            cut = following
        return piece[: cut + 1]


@dataclass(frozen=True)
class Frame:
    """Where the rows sit in a document of one format: after the head (its length is `head` of
    the document), before `tail`; the rows of two pieces join with `sep`."""

    head: Callable[[bytes], int]
    tail: bytes = b""
    sep: bytes = b""

    def rows(self, doc: bytes) -> tuple[bytes, bytes]:
        """A document's head and rows."""
        start, end = self.head(doc), len(doc) - len(self.tail)
        if not doc.endswith(self.tail) or start > end:
            raise RuntimeError("the engine wrote a document of an unexpected shape; it cannot be streamed")
        return doc[:start], doc[start:end]


def _after(*marks: bytes) -> Callable[[bytes], int]:
    def head(doc: bytes) -> int:
        at = 0
        for mark in marks:
            at = doc.index(mark, at) + len(mark)
        return at
    return head


def _prefix_lines(doc: bytes) -> int:
    at = 0
    while doc.startswith(b"@prefix ", at):
        at = doc.index(b"\n", at) + 1
    return at


Q, R = ox.QueryResultsFormat, ox.RdfFormat
FRAMES: dict[ox.QueryResultsFormat | ox.RdfFormat, Frame] = {
    Q.JSON: Frame(_after(b'"bindings":['), b"]}}", b","),
    Q.XML: Frame(_after(b"<results>"), b"</results></sparql>"),
    Q.CSV: Frame(_after(b"\n")),
    Q.TSV: Frame(_after(b"\n")),
    R.N_TRIPLES: Frame(_after()),
    R.N_QUADS: Frame(_after()),
    R.TURTLE: Frame(_prefix_lines),
    R.TRIG: Frame(_prefix_lines),
    R.JSON_LD: Frame(_after(b"["), b"]", b","),
    R.RDF_XML: Frame(_after(b"<rdf:RDF", b">\n"), b"</rdf:RDF>"),
}


class _Document:
    """Pieces of rows in line form, made into one document by `convert` (header and rows in line
    form to a document). With `emit`, a piece that is not the last starts the stream: from then
    on every piece is sent on as it comes; an answer in one piece stays one document."""

    def __init__(self, convert: Callable[[bytes], bytes], fmt: ox.QueryResultsFormat | ox.RdfFormat,
                 emit: Emit | None, header_lines: int) -> None:
        self.convert, self.frame, self.emit = convert, FRAMES[fmt], emit
        self.media_type = fmt.media_type
        self.header: bytes | None = None if header_lines else b""
        self.kept: list[bytes] = []
        self.tail: bytes | None = None  # set once streaming

    def take(self, piece: bytes, last: bool) -> None:
        if self.header is None:  # the first line of the first piece
            end = piece.index(b"\n") + 1
            self.header, piece = piece[:end], piece[end:]
        if self.tail is not None:
            self._send(piece)
        elif self.emit is not None and not last:
            self._start(piece)
        else:
            self.kept.append(piece)

    def _start(self, piece: bytes) -> None:
        head, rows = self.frame.rows(self.convert(self.header + piece))  # type: ignore[operator]
        self.tail = self.frame.tail
        self._out(head + rows)

    def _send(self, piece: bytes) -> None:
        if piece:
            self._out(self.frame.sep + self.frame.rows(self.convert(self.header + piece))[1])

    def _out(self, data: bytes) -> None:
        self.emit(self.media_type, data)  # type: ignore[misc]

    def finish(self, truncated: bool) -> Serialized:
        if self.tail is not None:
            if not truncated:  # a cut answer is left unclosed: it must not look whole
                self._out(self.tail)
            return Serialized(b"", self.media_type, truncated, streamed=True)
        return Serialized(self.convert((self.header or b"") + b"".join(self.kept)), self.media_type, truncated)


def _written(write: Callable[[_Lines], None], doc: _Document, limit: int, max_bytes: int, keep: int,
             piece_rows: int) -> Serialized:
    if doc.emit is None:  # nothing to stream to: one piece, cut only by the caps
        piece_rows, piece_bytes = limit + 1, max_bytes + 1
    else:
        piece_bytes = PIECE_BYTES
    sink = _Lines(doc.take, limit, max_bytes, keep, piece_rows, piece_bytes)
    try:
        write(sink)
        sink.close()
    except _Full:
        pass
    return doc.finish(sink.truncated)


def solutions(result: ox.QuerySolutions, fmt: ox.QueryResultsFormat, max_rows: int, max_bytes: int = MAX_BYTES,
              *, emit: Emit | None = None, piece_rows: int = PIECE_ROWS) -> Serialized:
    """SELECT results in `fmt`: at most `max_rows` rows, and rows within `max_bytes`; streamed
    through `emit` (when given) if they are more than a piece."""
    def convert(tsv: bytes) -> bytes:
        if fmt == ox.QueryResultsFormat.TSV:
            return tsv
        return ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV).serialize(format=fmt)

    return _written(lambda out: result.serialize(out, format=ox.QueryResultsFormat.TSV),
                    _Document(convert, fmt, emit, header_lines=1), max_rows + 1, max_bytes, 1, piece_rows)


def triples(result: Iterable[ox.Triple], fmt: ox.RdfFormat, max_rows: int, max_bytes: int = MAX_BYTES,
            *, emit: Emit | None = None, piece_rows: int = PIECE_ROWS) -> Serialized:
    """CONSTRUCT or DESCRIBE results in `fmt`: at most `max_rows` triples, within `max_bytes`;
    streamed through `emit` (when given) if they are more than a piece."""
    def convert(nt: bytes) -> bytes:
        if fmt == ox.RdfFormat.N_TRIPLES:
            return nt
        return ox.serialize(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES), format=fmt, prefixes=PREFIXES)

    return _written(lambda out: ox.serialize(result, out, format=ox.RdfFormat.N_TRIPLES),
                    _Document(convert, fmt, emit, header_lines=0), max_rows, max_bytes, 0, piece_rows)


def boolean(result: ox.QueryBoolean, fmt: ox.QueryResultsFormat) -> Serialized:
    return Serialized(result.serialize(format=fmt), fmt.media_type)
