"""The one error a loader raises for bad input: it names the file, the line and the section."""

from __future__ import annotations

from dataclasses import dataclass


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
