"""Dumps: the graph as gzip-compressed N-Quads, one file per named graph and one of the whole
dataset, made when data is written and never by a request.

N-Quads for every file: each line carries its graph's name, so a per-graph file loads back
into its own graph, and the per-graph files laid end to end are the whole dataset. Gzip allows
that at the byte level too (a file of several gzip members is one gzip stream, RFC 1952 §2.2),
so the whole dump is the per-graph files concatenated, never compressed twice, and a write to
one graph re-makes that graph's file and the concatenation only. Blank node labels are the
engine's own, the same in every file, so a node shared by two graphs stays one node.
Compression level 6 (zlib's default), chosen by measurement on the full default graph (1.13 GB
of N-Quads; `python -m bench.dumps`): level 1 gives 61.7 MB in 3.9 s, level 3 55.5 MB in 3.6 s,
level 6 48.1 MB in 7.9 s and level 9 45.4 MB in 21.5 s; reading the quads out of the store takes
one to two minutes on this machine, whatever the level.

The folder holds the files, `manifest.json` (written last, atomically: what is ready, with
size, SHA-256, the store generation each file was made at and its date) and, while a run is
under way, `making.json` (what is being made, since when, by which process). Files are written
under temporary names and moved into place just before the manifest that lists them; files of
graphs that are gone are removed after it. Runs in one folder take turns (a lock file).

>>> filename("https://w3id.org/higm-kg/graph/curated/x-linked-hyper-igm-syndrome")
'graph-curated.x-linked-hyper-igm-syndrome.nq.gz'
>>> filename("http://example.org/g")
'graph-example.org-g-d81c7dc68a.nq.gz'
"""

from __future__ import annotations

import datetime
import fcntl
import gzip
import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

import pyoxigraph as ox

from ontology import GRAPH

from . import formats
from .store import Store

Report = Callable[[str], None]
T = TypeVar("T")
FORMAT: ox.RdfFormat = formats.by_name("nq", "dump").engine  # type: ignore[union-attr, assignment]
LEVEL = 6
WHOLE, DEFAULT = "higm-kg.nq.gz", "default-graph.nq.gz"
MANIFEST, MAKING, LOCK = "manifest.json", "making.json", ".lock"
SUFFIX = f".{FORMAT.file_extension}.gz"
OURS = re.compile(r"[a-z0-9-]+(/[a-z0-9-]+)*")


def filename(graph: str) -> str:
    """The file of one named graph: our graphs by their path (`/` as `.`), others by a slug and
    a hash of the IRI, so that no two graphs share a file."""
    rest = graph.removeprefix(str(GRAPH))
    if rest != graph and OURS.fullmatch(rest):
        return f"graph-{rest.replace('/', '.')}{SUFFIX}"
    slug = re.sub(r"[^a-z0-9.]+", "-", graph.lower().partition("://")[2] or graph.lower()).strip("-.")[:60]
    return f"graph-{slug}-{hashlib.sha256(graph.encode()).hexdigest()[:10]}{SUFFIX}"


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Dump:
    name: str
    content: str  # "dataset", "named graph" or "default graph"
    graph: str | None  # the named graph's IRI; None for the whole dataset and the default graph
    size: int
    sha256: str
    generation: int  # the store's generation when the file was made
    date: str  # when it was made (ISO 8601, UTC)
    format: str = FORMAT.name
    media_type: str = FORMAT.media_type
    encoding: str = "gzip"


@dataclass(frozen=True)
class Manifest:
    generation: int  # what the files together hold
    date: str
    files: tuple[Dump, ...]

    @classmethod
    def read(cls, folder: Path) -> Manifest | None:
        """The manifest in `folder`, or None when there is none (or it cannot be read)."""
        return _load(Path(folder) / MANIFEST, lambda d: cls(d["generation"], d["date"], tuple(Dump(**e) for e in d["files"])))

    def file(self, name: str) -> Dump | None:
        return next((dump for dump in self.files if dump.name == name), None)

    def as_json(self) -> dict[str, Any]:
        return {"generation": self.generation, "date": self.date, "files": [asdict(dump) for dump in self.files]}


@dataclass(frozen=True)
class Making:
    """A run under way: its process, the generation it makes, when it began, the files it makes."""

    pid: int
    generation: int
    started: str
    files: tuple[str, ...]

    @classmethod
    def read(cls, folder: Path) -> Making | None:
        """The run under way in `folder`; None when there is none or its process is gone."""
        making = _load(Path(folder) / MAKING, lambda d: cls(d["pid"], d["generation"], d["started"], tuple(d["files"])))
        return making if making and _alive(making.pid) else None

    def as_json(self) -> dict[str, Any]:
        return {"generation": self.generation, "started": self.started, "files": list(self.files)}


def _load(path: Path, make: Callable[[Any], T]) -> T | None:
    """`make` of the JSON in `path`; None when it is missing, not JSON, or not of that shape."""
    try:
        return make(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _write_json(path: Path, data: dict[str, Any]) -> None:
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    partial.replace(path)


@contextmanager
def _run(folder: Path, making: Making) -> Iterator[None]:
    """One run at a time in `folder`; `making.json` says what is made while it lasts."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / LOCK).open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for left in folder.glob(".*.partial"):  # of a run that was killed
            left.unlink()
        _write_json(folder / MAKING, {**asdict(making), "files": list(making.files)})
        try:
            yield
        finally:
            (folder / MAKING).unlink(missing_ok=True)


def _quads(store: Any, graph: str | None) -> Iterable[ox.Quad]:
    if isinstance(store, Store):
        name = ox.NamedNode(graph) if graph else ox.DefaultGraph()
        return store.engine.quads_for_pattern(None, None, None, name)
    if graph is None:  # a remote engine's default graph is its own business (Virtuoso's is every graph)
        return iter(())
    node = ox.NamedNode(graph)
    return (ox.Quad(t.subject, t.predicate, t.object, node) for t in store.triples_of(graph))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _part(store: Any, graph: str | None, path: Path, generation: int) -> Dump | None:
    """One graph's quads into `path`, gzip-compressed; None (and no file) when it has none."""
    quads = iter(_quads(store, graph))
    first = next(quads, None)
    if first is None:
        return None
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", compresslevel=LEVEL, fileobj=raw, mtime=0) as out:
        ox.serialize(_chain(first, quads), out, format=FORMAT)
    content, name = ("named graph", filename(graph)) if graph else ("default graph", DEFAULT)
    return Dump(name, content, graph, path.stat().st_size, _sha256(path), generation, _now())


def _chain(first: ox.Quad, rest: Iterator[ox.Quad]) -> Iterator[ox.Quad]:
    yield first
    yield from rest


def _whole(parts: list[tuple[Dump, Path]], path: Path, generation: int) -> Dump:
    """The parts laid end to end: one gzip stream of several members, the whole dataset (an
    empty member when there are none)."""
    digest = hashlib.sha256()
    with path.open("wb") as out:
        if not parts:
            empty = gzip.compress(b"", mtime=0)
            digest.update(empty)
            out.write(empty)
        for _, source in parts:
            with source.open("rb") as file:
                while block := file.read(1 << 20):
                    digest.update(block)
                    out.write(block)
    return Dump(WHOLE, "dataset", None, path.stat().st_size, digest.hexdigest(), generation, _now())


def _previous(folder: Path) -> dict[str | None, Dump]:
    """The parts of the last run whose files are still there, by graph (None: the default graph)."""
    manifest = Manifest.read(folder)
    kept = manifest.files if manifest else ()
    return {d.graph: d for d in kept if d.content != "dataset" and (folder / d.name).is_file()}


def write(store: Any, folder: Path, *, generation: int, graphs: Iterable[str] | None = None,
          report: Report | None = None) -> Manifest:
    """Write the dumps of `store` into `folder`: every named graph's file (only those of `graphs`
    when given, and any that is missing), the default graph's when it has quads, and the whole;
    then the manifest. Returns the manifest."""
    folder = Path(folder)
    present = store.graphs()
    previous = _previous(folder)
    redo = set(present) if graphs is None else (set(graphs) & set(present)) | (set(present) - previous.keys())
    planned = (DEFAULT, *(filename(g) for g in sorted(redo)), WHOLE)
    with _run(folder, Making(os.getpid(), generation, _now(), planned)):
        parts: list[tuple[Dump, Path]] = []
        for graph in [None, *present]:
            if graph is not None and graph not in redo:
                parts.append((previous[graph], folder / previous[graph].name))
                continue
            started, path = time.monotonic(), folder / f".{filename(graph) if graph else DEFAULT}.partial"
            made = _part(store, graph, path, generation)
            if made is not None:
                parts.append((made, path))
                if report:
                    report(f"dumps: {made.name}: {made.size:,} bytes in {time.monotonic() - started:.1f} s")
        whole = _whole(parts, folder / f".{WHOLE}.partial", generation)
        return _publish(folder, [*parts, (whole, folder / f".{WHOLE}.partial")], generation)


def _publish(folder: Path, files: list[tuple[Dump, Path]], generation: int) -> Manifest:
    """Move the new files into place, write the manifest, and remove the files it no longer lists."""
    for dump, path in files:
        if path.name != dump.name:
            path.replace(folder / dump.name)
    manifest = Manifest(generation, _now(), tuple(dump for dump, _ in files))
    _write_json(folder / MANIFEST, manifest.as_json())
    listed = {dump.name for dump in manifest.files}
    for old in folder.glob(f"*{SUFFIX}"):
        if old.name not in listed:
            old.unlink()
    return manifest
