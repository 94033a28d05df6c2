"""The curated loader: our own YAML fact files → records → triples → one named graph."""

from __future__ import annotations

from pathlib import Path

from kg.terms import triples_to_ox
from ontology import GRAPH

from ..errors import decode_utf8, read_bytes
from ..options import DEFAULT, LoadOptions
from ..provenance import InputFile
from ..write import GraphLoad
from .read import CURATED, parse
from .triples import to_triples

LOADER = "curated"


def load(path: Path, options: LoadOptions = DEFAULT) -> list[GraphLoad]:
    """The graph of one curated file, ready to write; LoadError on any problem in it."""
    data = read_bytes(path)
    dataset = parse(decode_utf8(data, str(path), CURATED), str(path))
    triples = triples_to_ox(to_triples(dataset, str(path)))
    return [GraphLoad(
        graph=options.graph or str(GRAPH[dataset.graph]), triples=triples, loader=LOADER,
        inputs=(InputFile.of(path, data),), title=dataset.title, version=dataset.version,
        sources=tuple(source.iri for source in dataset.sources),
    )]


__all__ = ["LOADER", "load"]
