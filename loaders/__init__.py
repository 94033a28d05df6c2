"""Bring data in: source → records → triples → store, each source in its own named graph.

`LOADERS` maps a loader name to a function from an input path (and options) to the graphs it
yields; `loader_for` picks one by the file; `write` puts graphs into the store atomically, with
provenance in the metadata graph.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from . import curated, hpo, medlineplus, rdf_file
from .errors import LoadError
from .options import LoadOptions
from .write import GraphLoad, Outcome, write

Loader = Callable[[Path, LoadOptions], list[GraphLoad]]

LOADERS: dict[str, Loader] = {
    curated.LOADER: curated.load,
    hpo.LOADER: hpo.load,
    medlineplus.LOADER: medlineplus.load,
    rdf_file.LOADER: rdf_file.read,
}


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as file:
            return file.read(8192)
    except OSError as error:
        raise LoadError(str(path), error.strerror or str(error)) from None


def loader_for(path: Path, options: LoadOptions) -> Loader:
    """By `--format` when given (medlineplus-text, medlineplus-html, or an RDF format), else by
    the file's content (HPO release files), then its name: .obo and .hpoa for HPO, our YAML
    fact files, MedlinePlus pages (.txt, .html), and RDF for everything else."""
    if options.format is None and (hpo.kind(_head(path)) or path.suffix.lower() in hpo.SUFFIXES):
        return LOADERS[hpo.LOADER]
    if options.format in medlineplus.READERS or (options.format is None and path.suffix.lower() in medlineplus.SUFFIXES):
        return LOADERS[medlineplus.LOADER]
    if options.format is None and path.suffix in {".yaml", ".yml"}:
        return LOADERS[curated.LOADER]
    return LOADERS[rdf_file.LOADER]


__all__ = ["LOADERS", "GraphLoad", "LoadError", "LoadOptions", "Outcome", "loader_for", "write"]
