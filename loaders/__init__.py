"""Bring data in: source → records → triples → store, each source in its own named graph.

`LOADERS` maps a loader name to a function from an input path (and options) to the graphs it
yields; `loader_for` picks one by the file; `write` puts graphs into the store atomically, with
provenance in the metadata graph.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from . import curated, rdf_file
from .errors import LoadError
from .options import LoadOptions
from .write import GraphLoad, Outcome, write

Loader = Callable[[Path, LoadOptions], list[GraphLoad]]

LOADERS: dict[str, Loader] = {
    curated.LOADER: curated.load,
    rdf_file.LOADER: rdf_file.read,
}


def loader_for(path: Path, options: LoadOptions) -> Loader:
    """The curated loader for our YAML fact files, the RDF loader for everything else."""
    if options.format is None and path.suffix in {".yaml", ".yml"}:
        return LOADERS[curated.LOADER]
    return LOADERS[rdf_file.LOADER]


__all__ = ["LOADERS", "GraphLoad", "LoadError", "LoadOptions", "Outcome", "loader_for", "write"]
