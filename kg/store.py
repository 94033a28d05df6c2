"""The store facade: the only module that opens the engine's store.

Queries see the union of all graphs as their default graph unless a dataset is given (as
Fuseki's `unionDefaultGraph` does). Every write is a `Change`, applied as one unit: on disk it
is first written to a journal inside the store's directory, so a process killed half-way
leaves a store that reopens as exactly the old or exactly the new version.

The store's `generation` counts the writes of data it has ever taken: it is kept in the store's
directory (`kg.generation`), recorded in the journal with the change that moves it (so recovery
leaves the two consistent), and copied into every checkpoint, so read-only snapshots see it.
What is made from the data (statistics, the search index, dumps) records the generation it
describes. A derived write — the statistics written back as `graph/void`, say — is data made
from data: it leaves the generation as it is.

>>> store = Store.open()
>>> quad = ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"),
...                ox.Literal("o"), ox.NamedNode("http://example.org/g"))
>>> store.apply(Change(added=frozenset({quad})))
>>> store.graph_sizes(), store.generation
({'http://example.org/g': 1}, 1)
>>> bool(store.query("ASK { ?s ?p 'o' }"))
True
"""

from __future__ import annotations

import datetime
import hashlib
import os
import pickle
import shutil
import tempfile
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from ontology import PREFIXES
from ontology.identifiers import sparql_prefixes

from .change import Change
from .safety import shape

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
JOURNAL, OWNER, STAGING, GENERATION = "kg.journal", "kg.owner", "kg-staging", "kg.generation"
BULK_QUADS = 100_000  # a change adding more quads than this goes through the engine's bulk path


class StoreInUse(OSError):
    """Another process has the store open: `pid` says which (when it said), `url` where it
    serves the store (when it is `kg serve`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.pid, self.url = owner(path)
        holder = self.pid or "another process"
        served = f" (kg serve at {self.url})" if self.url else ""
        super().__init__(f"the store {path} is in use by process {holder}{served}; stop that process (kg serve "
                         f"holds its store while it runs), or give another --store")


def owner(path: Path) -> tuple[str | None, str | None]:
    """The pid of the process that last opened the store at `path`, and the URL it serves the
    store at, if it said (see `Store.announce`)."""
    try:
        lines = (path / OWNER).read_text(encoding="utf-8").split()
    except (OSError, UnicodeDecodeError):
        return None, None
    url = lines[1] if len(lines) > 1 and lines[1].startswith(("http://", "https://")) else None
    return (lines[0] if lines else None), url


class Store:
    """An embedded RDF store: on disk when given a path, in memory otherwise."""

    def __init__(self, engine: ox.Store, path: Path | None = None) -> None:
        self._engine = engine
        self.path = path
        self.version = 0  # up by one on every change applied through this store
        self.generation, self.modified = _read_generation(path)  # the data's, kept with it on disk

    @classmethod
    def open(cls, path: Path | str | None = None) -> Store:
        """Open (creating if needed) the store at `path`, or a fresh in-memory store.

        A journal left by a process that stopped half-way through a write is applied first.
        """
        if path is None:
            return cls(ox.Store())
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)  # var/ of a fresh clone
        try:
            engine = ox.Store(str(path))
        except OSError as error:
            if "lock" in str(error).lower():
                raise StoreInUse(path) from None
            raise
        (path / OWNER).write_text(f"{os.getpid()}\n", encoding="utf-8")
        store = cls(engine, path)
        store._recover()
        return store

    def announce(self, url: str) -> None:
        """Say, beside this process's pid, the URL this store is served at: a process that finds
        the store in use can then read (and write) through the server instead."""
        if self.path is not None:
            (self.path / OWNER).write_text(f"{os.getpid()}\n{url}\n", encoding="utf-8")

    @classmethod
    def open_snapshot(cls, path: Path | str, *, writable: bool = False) -> Store:
        """A copy made by `checkpoint`: read-only, or writable (its own files from then on)."""
        return cls(ox.Store(str(path)) if writable else ox.Store.read_only(str(path)), Path(path))

    def checkpoint(self, target: Path) -> None:
        """A copy of the store as it is now, in `target`: the engine's checkpoint, made of hard
        links to its immutable files, so it takes milliseconds and almost no disk; with the
        store's generation."""
        self._engine.backup(str(target))
        _write_generation(Path(target), self.generation, self.modified)

    # -- reading -----------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        substitutions: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a SPARQL query; SyntaxError carries the parser's line and column.

        Without a dataset given here or in the query (FROM), the default graph is the union.
        Every prefix of `sparql_prefixes` is predeclared; the query's own PREFIX wins.
        """
        union = default_graphs is None and not shape(sparql, base_iri).declares_dataset
        return self._engine.query(
            sparql,
            base_iri=base_iri,
            prefixes=sparql_prefixes(),
            use_default_graph_as_union=union,
            default_graph=[ox.NamedNode(g) for g in default_graphs] if default_graphs else None,
            named_graphs=[ox.NamedNode(g) for g in named_graphs] if named_graphs else None,
            substitutions={ox.Variable(k): v for k, v in (substitutions or {}).items()},
        )

    @property
    def engine(self) -> ox.Store:
        """The engine's store itself, for the code that runs operations on an in-memory copy."""
        return self._engine

    def subject_quads(self, graph: str, subject: str) -> list[ox.Quad]:
        """The quads of one subject in one named graph."""
        return list(self._engine.quads_for_pattern(ox.NamedNode(subject), None, None, ox.NamedNode(graph)))

    def dump(self, output: BinaryIO) -> None:
        """Every quad as N-Quads, streamed into `output`."""
        self._engine.dump(output, format=ox.RdfFormat.N_QUADS)

    def contains_graph(self, graph: str) -> bool:
        """Whether a named graph exists (it may be empty)."""
        return self._engine.contains_named_graph(ox.NamedNode(graph))

    def triples_of(self, graph: str | None) -> Iterator[ox.Triple]:
        """The triples stored in one named graph, or (None) in the default graph itself."""
        name = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
        return (quad.triple for quad in self._engine.quads_for_pattern(None, None, None, name))

    def dump_file(self, path: str, format: ox.RdfFormat) -> None:
        """Every quad into a file, in a dataset format."""
        self._engine.dump(path, format=format)

    def graphs(self) -> list[str]:
        """The IRIs of the named graphs, sorted."""
        return sorted(g.value for g in self._engine.named_graphs() if isinstance(g, ox.NamedNode))

    def has_graph(self, graph: str) -> bool:
        """Whether a named graph exists and holds at least one triple."""
        return bool(self.query(f"ASK {{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}"))

    def graph_sizes(self) -> dict[str, int]:
        """Triples per named graph."""
        rows = self.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
        )
        return {row["g"].value: int(row["n"].value) for row in rows}

    def class_counts(self) -> dict[str, int]:
        """Distinct instances per class, over the union of all graphs."""
        rows = self.query(
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) ?c"
        )
        return {row["c"].value: int(row["n"].value) for row in rows}

    def triples(self, graph: str | None = None) -> list[ox.Triple]:
        """The distinct triples of one graph, or of the union of all graphs."""
        where = f"GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
        return list(self.query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ {where} }} }}"
        ))

    def serialize(self, format: ox.RdfFormat, graph: str | None = None) -> bytes:
        """Quad formats keep graph names; triple formats get one graph or the union."""
        if format.supports_datasets:
            name = ox.NamedNode(graph) if graph else None
            quads = self._engine.quads_for_pattern(None, None, None, name)
            return ox.serialize(quads, format=format, prefixes=PREFIXES)
        return ox.serialize(self.triples(graph), format=format, prefixes=PREFIXES)

    def __len__(self) -> int:
        return len(self._engine)

    # -- writing -----------------------------------------------------------------------------

    def bulk_load(self, path: Path, format: ox.RdfFormat) -> None:
        """Load a large file fast, without a transaction: for a store nobody else is using."""
        self._engine.bulk_load(path=str(path), format=format)
        self._engine.flush()
        self._moved(self.generation + 1)

    def apply(self, change: Change, *, derived: bool = False) -> None:
        """Apply a change as one unit: on disk, journaled first, so a crash cannot leave half of it.

        The generation moves unless the change is `derived` (made from the data, as the statistics are)."""
        if change.is_empty:
            return
        self.version += 1
        generation = self.generation if derived else self.generation + 1
        if self.path is None:
            change.apply(self._engine)
            self._moved(generation)
            return
        journal = self.path / JOURNAL
        _write_journal(journal, change, generation)
        self._apply_journaled(change, journal, generation)

    def _apply_journaled(self, change: Change, journal: Path, generation: int) -> None:
        change.apply(self._engine, bulk=len(change.added) > BULK_QUADS or bool(change.added_files))
        self._engine.flush()
        self._moved(generation)
        journal.unlink()

    def _moved(self, generation: int) -> None:
        """Record `generation` (on disk, before the journal that names it goes)."""
        if generation != self.generation:
            self.generation, self.modified = generation, datetime.datetime.now(datetime.UTC)
            if self.path is not None:
                _write_generation(self.path, generation, self.modified)

    @contextmanager
    def staging(self) -> Iterator[Path]:
        """A folder for the files a change will load, kept until the change is applied: inside
        the store's directory, so a journal that names them finds them after a crash."""
        if self.path is None:
            with tempfile.TemporaryDirectory(prefix="kg-staging-") as folder:
                yield Path(folder)
            return
        folder = self.path / STAGING / uuid.uuid4().hex
        folder.mkdir(parents=True)
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _recover(self) -> None:
        assert self.path is not None
        (self.path / (JOURNAL + ".tmp")).unlink(missing_ok=True)  # never completed: never applied
        journal = self.path / JOURNAL
        if journal.exists():
            change, generation = _read_journal(journal)
            self._apply_journaled(change, journal, self.generation + 1 if generation is None else generation)
        shutil.rmtree(self.path / STAGING, ignore_errors=True)  # files of writes now applied or never begun


def _durably(path: Path, data: bytes) -> None:
    """Write `data` as `path` whole or not at all: a sibling file, synced, renamed, the folder synced."""
    partial = path.with_name(path.name + ".tmp")
    with partial.open("wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    partial.replace(path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _write_journal(journal: Path, change: Change, generation: int | None = None) -> None:
    """The change, and the generation it makes (None: the next), checksummed."""
    payload = pickle.dumps((change.encode(), generation), protocol=pickle.HIGHEST_PROTOCOL)
    _durably(journal, hashlib.sha256(payload).digest() + payload)


def _read_journal(journal: Path) -> tuple[Change, int | None]:
    data = journal.read_bytes()
    digest, payload = data[:32], data[32:]
    if hashlib.sha256(payload).digest() != digest:
        raise OSError(f"the write journal {journal} is damaged; the store may hold part of a write")
    loaded = pickle.loads(payload)
    encoded, generation = (loaded, None) if len(loaded) == len(Change().encode()) else loaded  # an older journal
    return Change.decode(encoded), generation


def _write_generation(folder: Path, generation: int, modified: datetime.datetime | None) -> None:
    when = (modified or datetime.datetime.now(datetime.UTC)).isoformat()
    _durably(folder / GENERATION, f"{generation} {when}\n".encode())


def _read_generation(folder: Path | None) -> tuple[int, datetime.datetime | None]:
    """The generation kept in a store's folder and when it was reached; (0, None) for a store
    that has none yet (new, in memory, or made before generations were kept)."""
    if folder is None:
        return 0, None
    try:
        number, _, when = (folder / GENERATION).read_text(encoding="utf-8").partition(" ")
        return int(number), datetime.datetime.fromisoformat(when.strip())
    except (OSError, ValueError):
        return 0, None
