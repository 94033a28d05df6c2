"""The one error a loader raises for bad input: it names the file, the line and the section."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class LoadError(Exception):
    """Input that cannot be loaded. Nothing has been written when this is raised."""

    file: str
    message: str
    line: int | None = None
    section: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        section = f" (section {self.section!r})" if self.section else ""
        return f"{where}{section}: {self.message}"


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


def decode_utf8(data: bytes, file: str) -> str:
    """UTF-8 text, or a LoadError naming the line of the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise LoadError(
            file, f"not UTF-8: byte 0x{data[error.start]:02x} cannot be decoded",
            line=line_of_offset(data, error.start),
        ) from None
