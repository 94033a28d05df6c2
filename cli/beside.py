"""The CLI beside a running server: a store that `kg serve` holds is read, and written, through it.

`kg serve` writes its address next to its pid in the store's owner file (`Store.announce`).
A command that finds the store in use and the server's address there says so in one line on
stderr and goes through the server, which is a SPARQL 1.1 engine like any other
(`RemoteStore`):

- `kg query` asks its `/sparql`;
- `kg stats` reads the statistics the server serves (its service description), never
  whole-graph aggregates, which would pass the server's deadline on a large graph;
- `kg export` streams the dump the server has ready (gzipped N-Quads, of the whole dataset or
  of one graph), else its Graph Store (`/store`);
- `kg load` and `kg build` send their change as one SPARQL Update with `KG_UPDATE_TOKEN`,
  atomic on the server, when it fits in one request (`KG_MAX_BODY`, `KG_MAX_CHANGE`); else
  nothing is written and the exact commands that work are named.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
import shlex
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import httpx
import pyoxigraph as ox

from kg.change import Change, graph_of
from kg.remote import EngineError, EngineRefused, EngineSpec, RemoteStore, change_updates
from kg.settings import Settings
from kg.store import StoreInUse
from ontology import PREFIXES, SD, VOID

TIMEOUT = 60.0  # seconds for one request to the server
LISTING_TIMEOUT = 10.0  # seconds for the list of dumps: without one ready, the Graph Store is asked
Note = Callable[[str], None]


class NotSent(Exception):
    """A write the running server cannot take; nothing was written."""


def address(host: str, port: int) -> str:
    """The URL a process on this machine reaches a server bound to `host` at: a wildcard
    address is reached on loopback."""
    host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)
    return f"http://{f'[{host}]' if ':' in host else host}:{port}"


def command() -> str:
    """The command being run, as the user would type it again."""
    return shlex.join(["kg", *sys.argv[1:]])


def remote(busy: StoreInUse, token: str | None = None) -> RemoteStore:
    """The server holding a store, as an engine: its own endpoints, and no engine credentials
    from the environment (they are for `--engine`), only the update token when writing."""
    url = (busy.url or "").rstrip("/")
    spec = EngineSpec.parse(f"sparql:{url}/sparql", update=f"{url}/sparql", store=f"{url}/store",
                            env={"KG_ENGINE_TOKEN": token} if token else {})
    return RemoteStore(dataclasses.replace(spec, predeclares=True), TIMEOUT)


def through(busy: StoreInUse, note: Note, doing: str = "reading") -> RemoteStore:
    """The server in front of a store in use; said in one line. StoreInUse again when the
    process holding the store serves no address."""
    if busy.url is None:
        raise busy
    note(f"the store {busy.path} is served by process {busy.pid} at {busy.url}: {doing} through it")
    return remote(busy, Settings.from_env().update_token if doing == "writing" else None)


# -- kg stats ------------------------------------------------------------------------------------

GRAPH_SIZES = f"""SELECT ?name ?n WHERE {{ ?named <{SD.name}> ?name ; <{SD.graph}> ?graph . ?graph <{VOID.triples}> ?n }}
ORDER BY ?name"""
# The dataset's own class partitions: not a named graph's, a subset's or a partition's.
CLASS_COUNTS = f"""SELECT ?class (MAX(?n) AS ?count) WHERE {{
  ?dataset <{VOID.classPartition}> ?part . ?part <{VOID["class"]}> ?class ; <{VOID.entities}> ?n .
  FILTER NOT EXISTS {{ ?named <{SD.graph}> ?dataset }}
  FILTER NOT EXISTS {{ ?whole <{VOID.subset}> ?dataset }}
  FILTER NOT EXISTS {{ ?outer <{VOID.classPartition}>|<{VOID.propertyPartition}> ?dataset }}
}} GROUP BY ?class ORDER BY DESC(?count) ?class"""


def served_statistics(server: RemoteStore) -> tuple[dict[str, int], dict[str, int]]:
    """Triples per named graph and instances per class, as the server's service description
    states them (figures it keeps, not counted for this request)."""
    url = server.spec.query
    try:
        response = httpx.get(url, headers={"Accept": "application/n-triples"}, timeout=TIMEOUT)
    except httpx.HTTPError as error:
        raise EngineError(server.spec.name, f"no service description: {error}", kind="unavailable") from None
    if response.status_code != 200:
        raise EngineError(server.spec.name, f"no service description: HTTP {response.status_code}: "
                                            f"{' '.join(response.text.split())[:200]}")
    description = ox.Store()
    description.load(response.content, format=ox.RdfFormat.N_TRIPLES)
    graphs = {row["name"].value: int(row["n"].value) for row in description.query(GRAPH_SIZES)}  # type: ignore[index, union-attr]
    classes = {row["class"].value: int(row["count"].value) for row in description.query(CLASS_COUNTS)}  # type: ignore[index, union-attr]
    return graphs, classes


# -- kg export -----------------------------------------------------------------------------------

class _Chunks(io.RawIOBase):
    """A response body as a file the engine's parser reads."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks, self._left = chunks, b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._left:
            self._left = next(self._chunks, b"")
            if not self._left:
                return 0
        count = min(len(buffer), len(self._left))
        buffer[:count], self._left = self._left[:count], self._left[count:]
        return count


def ready_dump(base: str, graph: str | None) -> str | None:
    """The URL of the server's gzipped N-Quads dump of the whole dataset (or of one named
    graph), when it lists one ready and is remaking none; None otherwise, or when it does not
    answer at once."""
    try:
        listing = httpx.get(f"{base}/dumps", headers={"Accept": "application/json"}, timeout=LISTING_TIMEOUT).json()
    except (httpx.HTTPError, ValueError):
        return None
    if not isinstance(listing, Mapping) or listing.get("making") or not isinstance(listing.get("files"), list):
        return None  # a run under way: the files listed may be older than the store
    content = "dataset" if graph is None else "named graph"
    for entry in listing["files"]:
        if (isinstance(entry, Mapping) and entry.get("content") == content and entry.get("graph") == graph
                and entry.get("media_type") == ox.RdfFormat.N_QUADS.media_type and entry.get("encoding") == "gzip"
                and isinstance(entry.get("url"), str)):
            return str(entry["url"])
    return None


def _body(url: str, headers: Mapping[str, str]) -> Iterator[bytes]:
    """A GET's body as it comes; EngineError on any status but 200."""
    with httpx.stream("GET", url, headers=dict(headers), timeout=TIMEOUT) as response:
        if response.status_code != 200:
            response.read()
            raise EngineError(url, f"HTTP {response.status_code}: {' '.join(response.text.split())[:300]}")
        yield from response.iter_bytes()


def _gunzipped(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Gzip's members one after another, as one stream (as the dumps are made)."""
    with gzip.GzipFile(fileobj=io.BufferedReader(_Chunks(chunks))) as file:
        while block := file.read(1 << 16):
            yield block


def export(server: RemoteStore, fmt: ox.RdfFormat, graph: str | None, output: BinaryIO) -> None:
    """The whole dataset (or one graph) in `fmt`, streamed from the server into `output`: from
    a ready dump when there is one, else from the Graph Store. Triple formats of the whole
    dataset get the union of the graphs, each triple once."""
    base = server.spec.query.removesuffix("/sparql")
    dump = ready_dump(base, graph)
    store = f"{base}/store" + ("" if graph is None else f"?{httpx.QueryParams(graph=graph)}")
    if dump is None and (graph is not None or fmt.supports_datasets):
        output.writelines(_body(store, {"Accept": fmt.media_type}))
        return
    nquads = _gunzipped(_body(dump, {})) if dump else _body(store, {"Accept": ox.RdfFormat.N_QUADS.media_type})
    if fmt == ox.RdfFormat.N_QUADS:
        output.writelines(nquads)
        return
    quads = ox.parse(_Chunks(nquads), format=ox.RdfFormat.N_QUADS)
    if fmt.supports_datasets:
        ox.serialize(quads, output, format=fmt, prefixes=PREFIXES)
    else:
        triples = (quad.triple for quad in quads)
        ox.serialize(triples if graph else _distinct(triples), output, format=fmt, prefixes=PREFIXES)


def _distinct(triples: Iterator[ox.Triple]) -> Iterator[ox.Triple]:
    seen: set[bytes] = set()
    for triple in triples:
        key = hashlib.blake2b(str(triple).encode(), digest_size=16).digest()
        if key not in seen:
            seen.add(key)
            yield triple


# -- kg load and kg build ------------------------------------------------------------------------

class ServerWriter:
    """What `loaders.write` needs of a store, over the server holding it: reads by SPARQL, and
    the change sent as one SPARQL Update with the token, if it fits in one request."""

    path: Path | None = None

    def __init__(self, busy: StoreInUse, note: Note, settings: Settings | None = None) -> None:
        self.busy, self.note = busy, note
        self.settings = settings or Settings.from_env()
        self.server = through(busy, note, "writing")

    def query(self, sparql: str, **options: object) -> object:
        return self.server.query(sparql, **options)  # type: ignore[arg-type]

    def has_graph(self, graph: str) -> bool:
        return self.server.has_graph(graph)

    def subject_quads(self, graph: str, subject: str) -> list[ox.Quad]:
        return self.server.subject_quads(graph, subject)

    @contextmanager
    def staging(self) -> Iterator[Path]:
        with tempfile.TemporaryDirectory(prefix="kg-staging-") as folder:
            yield Path(folder)

    def apply(self, change: Change) -> None:
        """The change as one update request; NotSent, with the way out, when it cannot go."""
        if change.is_empty and not change.added_files:
            return
        if self.settings.update_token is None:
            raise self.refusal("writes go through it with the server's token, and KG_UPDATE_TOKEN is not set",
                               "set KG_UPDATE_TOKEN to the server's token and run the same command again")
        files = [Path(name) for name in change.added_files]
        quads = sum(_lines(path) for path in files) + len(change.removed)
        size = sum(path.stat().st_size for path in files)
        if quads > self.settings.max_change or size > self.settings.max_body:
            raise self.refusal(f"this write ({quads:,} quads, {size:,} bytes) does not fit in one request "
                               f"(KG_MAX_CHANGE is {self.settings.max_change:,} quads, KG_MAX_BODY "
                               f"{self.settings.max_body:,} bytes)")
        added = frozenset(q for path in files for q in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))
        text = update_text(Change(cleared=change.cleared, removed=change.removed, dropped=change.dropped,
                                  created=change.created), added)
        try:
            self.server.update(text, direct=True, timeout=max(TIMEOUT, self.settings.query_timeout * 2))
        except EngineRefused as error:
            raise self.refusal(f"the server refused the write: {error.detail or error}") from None
        except EngineError as error:
            token = any(f"HTTP {status}" in str(error) for status in (401, 403))
            raise self.refusal(f"the write failed: {error}", "give KG_UPDATE_TOKEN the server's token and run the "
                                                             "same command again" if token else None) from None
        self.note(f"wrote {len(added):,} quads through the server at {self.busy.url}")

    def refusal(self, why: str, instead: str | None = None) -> NotSent:
        stop = f"stop the server (kill {self.busy.pid}), then run: {command()}"
        return NotSent(f"the store {self.busy.path} is served by process {self.busy.pid} at {self.busy.url}; "
                       f"{why}. Nothing was written. To write it, {f'{instead}, or ' if instead else ''}{stop}")


def _lines(path: Path) -> int:
    """Quads in an N-Quads file: one a line."""
    with path.open("rb") as file:
        return sum(1 for _ in file)


def update_text(change: Change, added: frozenset[ox.Quad]) -> str:
    """A change as one SPARQL Update: graphs emptied and quads removed first, then every added
    quad in one INSERT DATA (its blank nodes are one request's, so never split across two)."""
    parts = list(change_updates(change))
    if added:
        parts.append(f"INSERT DATA {{ {' '.join(_blocks(added))} }}")
    return " ;\n".join(parts)


def _blocks(quads: Sequence[ox.Quad] | frozenset[ox.Quad]) -> Iterator[str]:
    by_graph: dict[str | None, list[str]] = {}
    for quad in quads:
        by_graph.setdefault(graph_of(quad), []).append(f"{quad.subject} {quad.predicate} {quad.object} .")
    for graph, lines in sorted(by_graph.items(), key=lambda item: item[0] or ""):
        body = "\n".join(lines)
        yield body if graph is None else f"GRAPH {ox.NamedNode(graph)} {{\n{body}\n}}"
