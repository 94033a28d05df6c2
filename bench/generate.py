"""A graph of the default graph's shape, about as large as asked: the curated graph copied.

Copy i renames every IRI of a node (subjects, and objects other than classes and our
vocabulary) with a `/copy-i` suffix, so each copy is a separate island with the same
structure; the ontology is kept once. Literals stay as they are, so label searches match
once per copy, as they would in a graph of many conditions.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.store import Store
from loaders.build import ONTOLOGY_GRAPH, build, default_loads
from ontology import GRAPH, KG

GENERATED_GRAPH = ox.NamedNode(str(GRAPH["generated"]))
KEEP = (str(KG), "http://www.w3.org/")


def _renamed(term: ox.NamedNode | ox.BlankNode | ox.Literal, suffix: str) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, ox.NamedNode) and not term.value.startswith(KEEP):
        return ox.NamedNode(term.value + suffix)
    if isinstance(term, ox.BlankNode):
        return ox.BlankNode(term.value + suffix.replace("/", "_").replace("-", "_"))
    return term


def _copy(triples: list[ox.Triple], index: int) -> list[ox.Quad]:
    suffix = f"/copy-{index}"
    quads = []
    for t in triples:
        obj = t.object if t.predicate.value.endswith("#type") else _renamed(t.object, suffix)
        quads.append(ox.Quad(_renamed(t.subject, suffix), t.predicate, obj, GENERATED_GRAPH))
    return quads


def generate(target: Path, triples: int) -> int:
    """Write an N-Quads file of about `triples` triples (the default graph, then copies); its size."""
    source = Store.open()
    build(source, with_hpo=False)  # the curated graph and our vocabulary: HPO's release is the "full" size
    curated = [t for load in default_loads(with_hpo=False) if load.graph != ONTOLOGY_GRAPH
               for t in source.triples(load.graph)]
    copies = max(0, (triples - len(source)) // len(curated))
    with target.open("wb") as out:
        out.write(source.serialize(ox.RdfFormat.N_QUADS))
        for index in range(1, copies + 1):
            out.write(ox.serialize(_copy(curated, index), format=ox.RdfFormat.N_QUADS))
    return len(source) + copies * len(curated)

