"""Bring data in: source → records → triples → store, each source in its own named graph.

`LOADERS` maps a loader name to a function from an input path to the graphs it yields;
`write` puts them into the store atomically, with provenance in the metadata graph.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from . import curated, rdf_file
from .errors import LoadError
from .write import GraphLoad, Outcome, write

LOADERS: dict[str, Callable[[Path], list[GraphLoad]]] = {
    curated.LOADER: curated.load,
    rdf_file.LOADER: rdf_file.read,
}

__all__ = ["LOADERS", "GraphLoad", "LoadError", "Outcome", "write"]
