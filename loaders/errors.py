"""The one error a loader raises for bad input: it names the file, the line, and the part of
the file a reader knows it by (a curated file's or a page's section, an RDF file's statement).

Messages never carry the input's bytes as they are: a file that is not text is said to be not
text, and characters that would not print are shown escaped.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from kg.messages import printable


@dataclass
class LoadError(Exception):
    """Input that cannot be loaded. Nothing has been written when this is raised."""

    file: str
    message: str
    line: int | None = None
    section: str | None = None  # a curated file's top-level section, a MedlinePlus page's section
    statement: str | None = None  # an RDF file's statement: how it starts

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        part = f" (section {self.section!r})" if self.section else ""
        if self.statement:
            part = f" (in the statement that starts {self.statement!r})"
        return f"{where}{part}: {printable(self.message)}"


HEAD = 8192  # bytes read to tell a file's kind by its content


def read_bytes(path: Path, limit: int = -1) -> bytes:
    """A file's bytes (the first `limit` of them, if given), or a LoadError naming the file."""
    try:
        with path.open("rb") as file:
            return file.read(limit)
    except OSError as error:
        raise LoadError(str(path), error.strerror or str(error)) from None


def line_of_offset(data: bytes, offset: int) -> int:
    """The 1-based line of a byte offset."""
    return data.count(b"\n", 0, offset) + 1


def decode_utf8(data: bytes, file: str, kind: str) -> str:
    """UTF-8 text, or a LoadError saying the file is not `kind`, naming the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise not_utf8(data, error.start, file, kind) from None


def not_utf8(data: bytes, offset: int, file: str, kind: str) -> LoadError:
    return LoadError(file, f"not {kind}: it is not UTF-8 text (byte 0x{data[offset]:02x} at offset {offset})",
                     line=line_of_offset(data, offset))


CHUNK = 1 << 20  # bytes decoded at a time when only checking


def check_utf8(data: bytes, file: str, kind: str) -> None:
    """A LoadError saying the file is not `kind` when it is not UTF-8 text: the offset and value
    of the first bad byte, never the bytes themselves. Decoded a chunk at a time, kept nowhere."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    for start in range(0, len(data), CHUNK):
        pending = len(decoder.getstate()[0])  # bytes of a character the last chunk began
        try:
            decoder.decode(view[start:start + CHUNK], final=start + CHUNK >= len(data))
        except UnicodeDecodeError as error:
            raise not_utf8(data, start - pending + error.start, file, kind) from None
