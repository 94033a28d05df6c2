"""Build the default graph: the ontology and the curated facts, written in one transaction."""

from __future__ import annotations

from pathlib import Path

from kg.store import Store
from ontology import GRAPH, ONTOLOGY_FILE

from . import curated, rdf_file
from .options import LoadOptions
from .write import GraphLoad, Outcome, write

DATA_DIR = Path(__file__).parent / "data"
CURATED_FILES = (DATA_DIR / "x-linked-hyper-igm-syndrome.yaml",)
ONTOLOGY_GRAPH = str(GRAPH["ontology"])


def default_loads() -> list[GraphLoad]:
    """Everything the default graph is made of."""
    loads = rdf_file.read(ONTOLOGY_FILE, LoadOptions(graph=ONTOLOGY_GRAPH))
    for path in CURATED_FILES:
        loads += curated.load(path)
    return loads


def build(store: Store, *, force: bool = False) -> list[Outcome]:
    """Write the default graph; graphs whose inputs did not change are left alone."""
    return write(store, default_loads(), force=force)


def is_built(store: Store) -> bool:
    """Whether every graph of the default build is in the store."""
    return all(store.has_graph(load.graph) for load in default_loads())
