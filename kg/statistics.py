"""Statistics of the graph: counted when data is written, kept with the generation they describe.

What is counted, for the dataset and for each named graph (the shape of SIB's void-generator):
triples, entities (distinct IRI subjects), distinct subjects and objects; instances per class
(class partitions); triples per property (property partitions); and, for the instances of each
class, the triples of each property with the classes of their objects and the datatypes of
their literals (per-class property partitions), which give the class-to-class links. The graphs
made from the data (`graph/void`, `graph/examples`) are left out of every figure. A node's
classes are read from every data graph.

How: one named graph at a time (`kg.counting`), as the void-generator counts, and a graph's
figures are kept and reused until a write can have changed them (`kg.recount`). Distinct
subjects, objects and instances per class of the whole dataset cannot be added up from the
graphs' (the graphs share nodes); they are counted again over the data graphs each time, in
three aggregates. The dataset's `triples` (and each property's) is the sum over its named graphs —
a triple in two graphs counts twice — as the void-generator counts it, and SIB's tools read it so.

The figures are kept as JSON in the products folder (`save`, `load`), with what `kg.recount`
remembers, and as VoID in the store (`kg.void`).

>>> from kg.store import Store
>>> compute(Store.open()).dataset.triples
0
"""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .counting import ABOUT, RDF_TYPE, about, data_graphs, dataset_figures, graph_figures
from .figures import Figures, Statistics, Usage
from .recount import Remembered, blank_subjects, to_count, typed_pairs
from .store import Store

__all__ = ["ABOUT", "RDF_TYPE", "Figures", "Remembered", "Statistics", "Usage", "compute", "compute_kept",
           "data_graphs", "load", "save"]
Report = Callable[[str], None]
STATISTICS_FILE, REMEMBERED_FILE = "statistics.json", "remembered.json"


def compute(store: Store, *, previous: Statistics | None = None, kept: Remembered | None = None,
            written: frozenset[str] | None = None, report: Report | None = None) -> Statistics:
    """The statistics of the store as it is. With the `previous` statistics and what was `kept`
    with them, and the graphs `written` since (None: not known), the figures of graphs that
    cannot have changed are reused."""
    return compute_kept(store, previous=previous, kept=kept, written=written, report=report)[0]


def compute_kept(store: Store, *, previous: Statistics | None = None, kept: Remembered | None = None,
                 written: frozenset[str] | None = None,
                 report: Report | None = None) -> tuple[Statistics, Remembered]:
    """`compute`, and what to keep for the next count."""
    started, say = time.monotonic(), report or (lambda _: None)
    generation, data, kept = store.generation, data_graphs(store), kept or Remembered()
    typed: dict[str, list[tuple[str, str]] | None] = {}
    counting = to_count(store, data, written, previous, kept, typed)
    graphs = {g: previous.graphs[g] for g in data - counting} if previous else {}
    blank = {g: kept.blank[g] for g in data - counting if g in kept.blank}
    say(f"statistics: {len(counting)} of {len(data)} graphs to count, {len(data) - len(counting)} reused")
    for graph in sorted(counting):
        began = time.monotonic()
        graphs[graph] = graph_figures(store, graph, data)
        blank[graph] = blank_subjects(store, graph, graphs[graph])
        if graph not in typed:
            typed[graph] = typed_pairs(store, graph)
        say(f"statistics: {graph}: {graphs[graph].triples:,} triples, {len(graphs[graph].usage)} classes used "
            f"({time.monotonic() - began:.1f} s)")
    remembered = Remembered(generation, {**{g: kept.typed[g] for g in data - typed.keys() if g in kept.typed},
                                         **{g: p for g, p in typed.items() if g in data}}, blank)
    dataset = dataset_figures(store, graphs, data, remembered.blank_subjects(data))
    stats = Statistics(generation, _now(), dataset, dict(sorted(graphs.items())), about(store),
                       _instant(store.modified), round(time.monotonic() - started, 3))
    say(f"statistics: {dataset.triples:,} triples, {len(dataset.classes)} classes, {len(dataset.properties)} "
        f"properties in {stats.seconds:.1f} s (generation {generation})")
    return stats, remembered


def _now() -> str:
    return _instant(datetime.datetime.now(datetime.UTC)) or ""


def _instant(moment: datetime.datetime | None) -> str | None:
    """A time as the statistics write it: UTC, to the second (as the engine gives xsd:dateTime back)."""
    return moment.astimezone(datetime.UTC).isoformat(timespec="seconds") if moment else None


# -- kept in the products folder ---------------------------------------------------------------

def _write_json(path: Path, data: Any) -> None:
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(json.dumps(data, separators=(",", ":"), sort_keys=True), encoding="utf-8")
    partial.replace(path)


def save(folder: Path, stats: Statistics, kept: Remembered) -> None:
    """Keep the statistics (and what is remembered with them) in `folder`, each file replaced whole."""
    folder.mkdir(parents=True, exist_ok=True)
    _write_json(folder / REMEMBERED_FILE, kept.to_json())
    _write_json(folder / STATISTICS_FILE, stats.to_json())


def load(folder: Path) -> tuple[Statistics | None, Remembered]:
    """What `save` kept; (None, nothing remembered) when there is none or it cannot be read."""
    try:
        stats = Statistics.from_json(json.loads((folder / STATISTICS_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None, Remembered()
    try:
        kept = Remembered.from_json(json.loads((folder / REMEMBERED_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        kept = Remembered()
    return stats, kept
