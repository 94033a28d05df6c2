"""Load any RDF file (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD) into named graphs.

The whole file is parsed before anything is written, so a syntax error leaves the store as it
was. Triples go into the graph given (or one named after the file); quads in a dataset format
keep their own graph unless a graph is given.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from kg import formats
from kg.messages import printable
from ontology import GRAPH

from .errors import LoadError, check_utf8, read_bytes
from .options import DEFAULT, LoadOptions
from .provenance import InputFile
from .write import GraphLoad

LOADER = "rdf-file"


def rdf_format(path: Path, name: str | None = None) -> ox.RdfFormat:
    """The format named, or else the one the file extension implies."""
    try:
        return formats.rdf_format(name or path.suffix.lstrip("."))
    except ValueError as error:
        raise LoadError(str(path), str(error)) from None


def default_graph_for(path: Path) -> str:
    return str(GRAPH[f"file/{path.stem}"])


class _Progress(io.RawIOBase):
    """A reader that reports how many bytes the parser has consumed."""

    def __init__(self, data: bytes, report: Callable[[int], None]) -> None:
        self._data = io.BytesIO(data)
        self._report = report

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        count = self._data.readinto(buffer)
        self._report(count)
        return count


def statement_start(text: bytes, line: int) -> str | None:
    """Where the statement holding an RDF syntax error starts: the first term of the nearest
    line at or before `line` that is not indented, a comment or a declaration."""
    lines = text.split(b"\n")[: max(line, 1)]
    for content in reversed(lines):
        if content[:1] and content[:1] not in b" \t#@" and not content.lower().startswith(b"prefix"):
            return printable(content.decode("utf-8", "replace").split()[0])
    return None


ENGINE_PLACE = re.compile(r"Parser error (?:at line \d+ )?(?:between (?:line \d+ )?columns? \d+ and (?:line \d+ )?"
                          r"(?:column )?\d+|at line \d+ column \d+)?:\s*")


def parse(data: bytes, path: Path, fmt: ox.RdfFormat,
          report: Callable[[int], None] | None = None) -> list[ox.Quad]:
    """All quads of a file, or a LoadError naming the file, line and statement."""
    check_utf8(data, str(path), fmt.name)
    if formats.declares_entities(fmt, data):
        raise LoadError(str(path), "RDF/XML with a DOCTYPE or entity declarations is refused (entities could "
                                   "expand without bound); remove the DTD")
    source = _Progress(data, report) if report else data
    try:
        quads = list(ox.parse(source, format=fmt, base_iri=path.resolve().as_uri()))
    except SyntaxError as error:
        line = error.lineno
        where = f"column {error.offset}: " if line and error.offset else ""
        message = where + ENGINE_PLACE.sub("", error.msg, count=1)
        raise LoadError(str(path), message, line=line, statement=statement_start(data, line) if line else None) from None
    if not quads:
        raise LoadError(str(path), "no triples found: the file is empty or holds only prefixes")
    return quads


def read(path: Path, options: LoadOptions = DEFAULT) -> list[GraphLoad]:
    """The graphs of one RDF file, ready to write."""
    graph = options.graph
    data = read_bytes(path)
    quads = parse(data, path, rdf_format(path, options.format), options.report)
    target = graph or default_graph_for(path)
    graphs: dict[str, list[ox.Triple]] = defaultdict(list)
    for quad in quads:
        name = quad.graph_name
        key = target if graph or not isinstance(name, ox.NamedNode) else name.value
        graphs[key].append(quad.triple)
    source = InputFile.of(path, data)
    return [
        GraphLoad(graph=g, triples=t, loader=LOADER, inputs=(source,), title=path.name)
        for g, t in graphs.items()
    ]
