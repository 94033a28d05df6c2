"""The build's figures in the README and the manual, written from a measured run
(`python -m bench.build` writes `bench/results/build.json`), never typed by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import ROOT

RESULTS = ROOT / "bench" / "results" / "build.json"

# The HPO graphs: the build's stage name → (named graph, file, what it holds).
HPO_GRAPHS = {
    "hpo": ("graph/hpo", "hp.obo", "the terms, as OBO-in-OWL"),
    "hpo-annotations": ("graph/hpo-annotations", "phenotype.hpoa",
                        "a `biolink:DiseaseToPhenotypicFeatureAssociation` per row; each disease's name and phenotype profile"),
    "hpo-genes": ("graph/hpo-genes", "genes_to_phenotype.txt",
                  "a `biolink:GeneToPhenotypicFeatureAssociation` per row; each gene's symbol"),
}


def measured(path: Path = RESULTS) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def machine(figures: dict[str, Any]) -> str:
    """The machine in words: `a 2-core Intel Xeon … with 7.8 GiB of memory (Linux 6.1)`."""
    m = figures["machine"]
    return f"a {m['cores']}-core {m['processor']} with {m['memory_gib']} GiB of memory ({m['system']})"


def summary(figures: dict[str, Any]) -> str:
    """One sentence: what the build made, how long it took, where, and its peak memory."""
    return (f"`kg build` of the whole default graph wrote {figures['store_triples']:,} triples, "
            f"{figures['triples']['hpo-annotations']:,} of them in HPO's disease annotations, in "
            f"{figures['seconds']:,.0f} s with what is made from it (statistics, search index, dumps), "
            f"peak memory {figures['peak_mib']:,} MiB, on {machine(figures)}, load average "
            f"{figures['load_average']} (`python -m bench.build`, {figures['when'][:10]}).\n")


def hpo_table(figures: dict[str, Any]) -> str:
    lines = ["| named graph | from | holds | triples |", "|---|---|---|---|"]
    lines += [f"| `{graph}` | `{source}` | {holds} | {figures['triples'][stage]:,} |"
              for stage, (graph, source, holds) in HPO_GRAPHS.items()]
    return "\n".join(lines) + "\n"
