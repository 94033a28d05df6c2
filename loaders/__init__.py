"""Bring data in: source → records → triples → store, each source in its own named graph.

`LOADERS` maps a loader name to a function from an input path (and options) to the graphs it
yields; `loader_for` picks one by the file; `write` puts graphs into the store atomically, with
provenance in the metadata graph.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from . import curated, hpo, medlineplus, rdf_file
from .errors import HEAD, LoadError, read_bytes
from .options import LoadOptions
from .write import GraphLoad, Notice, Outcome, write

Loader = Callable[[Path, LoadOptions], Iterable[GraphLoad | Notice]]

LOADERS: dict[str, Loader] = {
    curated.LOADER: curated.load,
    hpo.LOADER: hpo.load,
    medlineplus.LOADER: medlineplus.load,
    rdf_file.LOADER: rdf_file.read,
}


def loader_for(path: Path, options: LoadOptions) -> Loader:
    """By `--format` when given (medlineplus-text, -html, -xml, -json, or an RDF format), else by
    the file's content (HPO release files, NLM's MedlinePlus Genetics XML and JSON records),
    then its name: .obo and .hpoa for HPO, our YAML fact files, MedlinePlus pages (.txt,
    .html), and RDF for everything else."""
    head = read_bytes(path, HEAD) if options.format is None else b""
    if options.format is None and (hpo.kind(head) or path.suffix.lower() in hpo.SUFFIXES):
        return LOADERS[hpo.LOADER]
    if options.format in medlineplus.FORMATS or (options.format is None and (
            medlineplus.record_format(head) or path.suffix.lower() in medlineplus.SUFFIXES)):
        return LOADERS[medlineplus.LOADER]
    if options.format is None and path.suffix in {".yaml", ".yml"}:
        return LOADERS[curated.LOADER]
    return LOADERS[rdf_file.LOADER]


def graphs(items: Iterable[GraphLoad | Notice], notes: list[str] | None = None,
           reports: list[dict[str, Any]] | None = None) -> Iterator[GraphLoad]:
    """The graphs among what loaders yield, as they come; their notes and reports collected on
    the side when lists are given for them."""
    for item in items:
        if notes is not None:
            notes.extend(item.notes)
        if reports is not None and item.report is not None:
            reports.append(item.report)
        if isinstance(item, GraphLoad):
            yield item


def load_files(paths: Iterable[Path], options: Callable[[Path], LoadOptions]) -> Iterator[GraphLoad | Notice]:
    """Everything the loaders make of some files, one file after another, as it is read."""
    for path in paths:
        chosen = options(path)
        yield from loader_for(path, chosen)(path, chosen)


__all__ = ["LOADERS", "GraphLoad", "LoadError", "LoadOptions", "Notice", "Outcome", "graphs", "load_files",
           "loader_for", "write"]
