"""What is made from the graph when it is written: statistics, example queries, the search index, dumps.

Nothing a request answers is computed over the whole graph at request time; it is made here,
when data is written (`kg build`, `kg load`, `kg publish`, and in the server's background
after a write), and read back as it is. The files live in one folder beside the store,
`<store>.products/`; an in-memory store (tests) gets a temporary folder of its own, removed
with the process.

The products are a registry of steps (`STEPS`), run in order by `refresh`. Each step is told
what was written since the generation its product describes (`Writes`: the graphs and the
subjects of each write, by generation) and takes what it needs of it, so it works
incrementally: the statistics count again only the graphs that can have changed. A step may
return a derived write — the statistics as `graph/void`, the saved queries as
`graph/examples` — which the caller commits (the CLI to the store, the server through its
pool) without moving the store's generation, so it never triggers a refresh of its own.
Steps say what they do through `report`, one line at a time.

>>> from kg.store import Store
>>> folder_of(Store.open()).name.startswith("kg-products-")
True
>>> Writes().add(1, Written(frozenset({"g"}))).add(2, Written(frozenset({"h"}))).since(0, 2).graphs == {"g", "h"}
True
>>> Writes().add(2, Written(frozenset({"h"}))).since(0, 2) == EVERYTHING  # generation 1 is not known
True
"""

from __future__ import annotations

import atexit
import logging
import shutil
import tempfile
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ontology import EXAMPLES_GRAPH, VOID_GRAPH

from . import dumps, examples, search_index, statistics, void
from .change import Change, difference, graph_of
from .saved_queries import load_queries
from .settings import DEFAULT_QUERIES
from .store import Store

SUFFIX = ".products"
LOG_LENGTH = 256  # writes remembered; a refresh further behind makes everything again
_temporary: weakref.WeakKeyDictionary[Any, Path] = weakref.WeakKeyDictionary()
Report = Callable[[str], None]
log = logging.getLogger("kg.products")


def folder_of(store: Any) -> Path:
    """The products folder of `store`: `<store>.products/` beside an on-disk store, else a
    temporary folder kept for as long as the store object lives."""
    path = getattr(store, "path", None)
    if path is not None:
        return Path(path).with_name(Path(path).name + SUFFIX)
    folder = _temporary.get(store)
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="kg-products-"))
        _temporary[store] = folder
        weakref.finalize(store, shutil.rmtree, folder, True)
        atexit.register(shutil.rmtree, folder, True)
    return folder


# -- what was written ------------------------------------------------------------------------

@dataclass(frozen=True)
class Written:
    """The named graphs and the subjects (IRIs, N-Triples for blank nodes) some writes touched;
    None where that is not known (any may have been)."""

    graphs: frozenset[str] | None = None
    subjects: frozenset[str] | None = None

    def __or__(self, other: Written) -> Written:
        def union(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
            return None if a is None or b is None else a | b

        return Written(union(self.graphs, other.graphs), union(self.subjects, other.subjects))

    @classmethod
    def of(cls, change: Change) -> Written:
        """What a change touches. Files it loads are not read here: graphs and subjects unknown."""
        if change.added_files:
            return EVERYTHING
        quads = change.added | change.removed
        graphs = {graph_of(q) for q in quads} | set(change.cleared) | change.dropped | change.created
        subjects = None if change.cleared or change.dropped else frozenset(
            q.subject.value if isinstance(q.subject, ox.NamedNode) else str(q.subject) for q in quads)
        return cls(frozenset(g for g in graphs if g is not None), subjects)


EVERYTHING = Written()
NOTHING = Written(frozenset(), frozenset())


@dataclass(frozen=True)
class Writes:
    """What each write did, by the generation it made: what a refresh is told."""

    entries: tuple[tuple[int, Written], ...] = ()

    def add(self, generation: int, written: Written) -> Writes:
        return Writes((*self.entries, (generation, written))[-LOG_LENGTH:])

    def since(self, generation: int, until: int) -> Written:
        """What the writes after `generation` up to `until` touched; EVERYTHING when one is not known."""
        if generation == until:
            return NOTHING
        known = dict(self.entries)
        if generation > until or any(g not in known for g in range(generation + 1, until + 1)):
            return EVERYTHING
        found = NOTHING
        for g in range(generation + 1, until + 1):
            found |= known[g]
        return found

    def after(self, generation: int) -> Writes:
        """The writes a refresh that reached `generation` has not seen."""
        return Writes(tuple(entry for entry in self.entries if entry[0] > generation))


# -- the steps ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Made:
    """What a step made: a derived write to commit (or None), a line to show, and its product."""

    step: str
    change: Change | None
    summary: str
    product: Any = None


@dataclass(frozen=True)
class Context:
    folder: Path
    writes: Writes
    queries: Path
    report: Report
    derived: frozenset[str] = frozenset()  # graphs rewritten by the steps before, in this refresh


def _held(store: Store, graph: str) -> list[ox.Quad]:
    return list(store.engine.quads_for_pattern(None, None, None, ox.NamedNode(graph)))


def last_statistics(store: Store, folder: Path) -> tuple[statistics.Statistics | None, statistics.Remembered]:
    """The last statistics of this store: those kept in the products' `folder` when they are the
    ones its `graph/void` holds (the same generation, made at the same time: not a store built
    anew since), else those of `graph/void` itself, without what reusing them needs."""
    kept, remembered = statistics.load(folder / "statistics")
    stamp = void.stamp(store)
    if kept is not None and stamp == (kept.generation, kept.made):
        return kept, remembered
    return (void.stored_in(store) if stamp else None), statistics.Remembered()


def _statistics_current(store: Store, context: Context) -> bool:
    stamp = void.stamp(store)
    return stamp is not None and stamp[0] == store.generation


def _statistics(store: Store, context: Context) -> Made:
    """Count what changed (see `kg.statistics`), keep the figures, and write them as `graph/void`."""
    previous, remembered = last_statistics(store, context.folder)
    written = context.writes.since(previous.generation, store.generation) if previous else EVERYTHING
    stats, remembered = statistics.compute_kept(store, previous=previous, kept=remembered, written=written.graphs,
                                                report=context.report)
    statistics.save(context.folder / "statistics", stats, remembered)
    change = difference(_held(store, str(VOID_GRAPH)), void.stored(stats))
    return Made("statistics", change, f"statistics: generation {stats.generation} in {stats.seconds:.1f} s", stats)


def _examples_current(store: Store, context: Context) -> bool:
    return examples.is_current(store, load_queries(context.queries).values())


def _examples(store: Store, context: Context) -> Made:
    """The saved queries as `graph/examples` (see `kg.examples`), rewritten by its difference."""
    queries = load_queries(context.queries).values()
    change = difference(_held(store, str(EXAMPLES_GRAPH)), examples.quads(queries))
    return Made("examples", change, f"examples: {len(queries)} queries, {len(change.added)} quads written, "
                                    f"{len(change.removed)} removed")


def _kept_generation(context: Context, name: str) -> int | None:
    try:
        return int((context.folder / f"{name}.generation").read_text(encoding="utf-8").split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _search_current(store: Store, context: Context) -> bool:
    return (_kept_generation(context, "search") == store.generation
            and search_index.Searcher(context.folder / "search").ready)


def _search(store: Store, context: Context) -> Made:
    """The search index (see `kg.search_index`): the subjects written indexed again when the
    writes say which, else the whole built anew."""
    folder, generation = context.folder / "search", _kept_generation(context, "search")
    written = context.writes.since(generation, store.generation) if generation is not None else EVERYTHING
    if written.subjects is not None and search_index.Searcher(folder).ready:
        count = search_index.update(store, folder, written.subjects, report=context.report)
        summary = f"search: {len(written.subjects):,} subjects indexed again ({count:,} in the index)"
    else:
        count = search_index.build(store, folder, report=context.report)
        summary = f"search: {count:,} entities indexed"
    (context.folder / "search.generation").write_text(f"{store.generation}\n", encoding="utf-8")
    return Made("search", None, summary)


def _dumps_current(store: Store, context: Context) -> bool:
    manifest = dumps.Manifest.read(context.folder / "dumps")
    return manifest is not None and manifest.generation == store.generation and not context.derived


def _dumps(store: Store, context: Context) -> Made:
    """The dumps (see `kg.dumps`): the files of the graphs written (and of the graphs the steps
    before rewrote), and the whole; every file when the writes are not known."""
    folder = context.folder / "dumps"
    manifest = dumps.Manifest.read(folder)
    written = context.writes.since(manifest.generation, store.generation) if manifest else EVERYTHING
    graphs = None if written.graphs is None else written.graphs | context.derived
    made = dumps.write(store, folder, generation=store.generation, graphs=graphs, report=context.report)
    return Made("dumps", None, f"dumps: {len(made.files)} files of generation {made.generation}")


@dataclass(frozen=True)
class Step:
    """A product: whether it describes the store as it is (a few cheap reads), and its making."""

    current: Callable[[Store, Context], bool]
    make: Callable[[Store, Context], Made]


# In order: the dumps come last, after the graphs made from the data, which they hold too.
STEPS: dict[str, Step] = {
    "statistics": Step(_statistics_current, _statistics),
    "examples": Step(_examples_current, _examples),
    "search": Step(_search_current, _search),
    "dumps": Step(_dumps_current, _dumps),
}


def _context(folder: str | Path, writes: Writes, queries: str | Path | None, report: Report | None,
             derived: frozenset[str] = frozenset()) -> Context:
    return Context(Path(folder), writes, Path(queries) if queries else DEFAULT_QUERIES, report or log.info, derived)


def run_step(store: Store, name: str, folder: str, writes: Writes = Writes(), queries: str | None = None,
             report: Report | None = None, derived: frozenset[str] = frozenset()) -> Made:
    """One step, with plain arguments (what a server's background worker is asked to call): made,
    unless its product is current."""
    context, step = _context(folder, writes, queries, report, derived), STEPS[name]
    if step.current(store, context):
        product = last_statistics(store, context.folder)[0] if name == "statistics" else None
        return Made(name, None, f"{name}: current (generation {store.generation})", product)
    return step.make(store, context)


def refresh(store: Store, *, folder: Path | None = None, writes: Writes = Writes(), queries: Path | None = None,
            report: Report | None = None, apply: Callable[[Change], None] | None = None,
            steps: Iterable[str] | None = None) -> list[Made]:
    """Bring every product up to the store's generation, in order; a derived write is applied
    (by `apply`, the store's own derived write unless given) before the next step runs."""
    apply = apply or (lambda change: store.apply(change, derived=True))
    made: list[Made] = []
    derived: frozenset[str] = frozenset()
    for name in steps or STEPS:
        result = run_step(store, name, str(folder or folder_of(store)), writes, str(queries) if queries else None,
                          report, derived)
        if result.change is not None and not result.change.is_empty:
            apply(result.change)
            derived |= Written.of(result.change).graphs or frozenset()
        (report or log.info)(result.summary)
        made.append(result)
    return made


def current(store: Store, *, folder: Path | None = None, queries: Path | None = None) -> bool:
    """Whether every product describes the store as it is (a few cheap reads, no counting)."""
    context = _context(folder or folder_of(store), Writes(), queries, None)
    return all(step.current(store, context) for step in STEPS.values())
