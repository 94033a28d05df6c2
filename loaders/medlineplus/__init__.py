"""The MedlinePlus Genetics loader: a condition or gene page (text capture or saved HTML) →
sections → facts with their sentences → triples → one named graph per page.

The graph's IRI comes from the page URL: `graph/medlineplus/<condition|gene>/<slug>`.
"""

from __future__ import annotations

from pathlib import Path

from kg.terms import triples_to_ox
from ontology import GRAPH

from ..errors import LoadError, decode_utf8
from ..options import DEFAULT, LoadOptions
from ..provenance import InputFile
from ..write import GraphLoad
from .extract import extract
from .lexicon import Lexicon
from .page import detect, read_html, read_text
from .records import Extraction
from .triples import to_triples

LOADER = "medlineplus"
READERS = {"medlineplus-text": read_text, "medlineplus-html": read_html}
SUFFIXES = {".txt", ".html", ".htm"}
SAMPLE = 3


def report(extraction: Extraction) -> str:
    """Counts, and a sample of the sentences that gave no fact."""
    line = (f"{len(extraction.facts)} facts and {len(extraction.citations)} references from "
            f"{extraction.sentences} sentences; {len(extraction.skipped)} sentences not understood")
    sample = "; ".join(f"[{section}] {sentence[:100]}" for section, sentence in extraction.skipped[:SAMPLE])
    return f"{line}, e.g. {sample}" if sample else line


def load(path: Path, options: LoadOptions = DEFAULT) -> list[GraphLoad]:
    """The graph of one page; LoadError when it is not a readable MedlinePlus Genetics page."""
    file = str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise LoadError(file, error.strerror or str(error)) from None
    text = decode_utf8(data, file)
    fmt = options.format or f"medlineplus-{detect(text)}"
    if fmt not in READERS:
        raise LoadError(file, f"unknown format {fmt!r}; use {' or '.join(READERS)}")
    page = READERS[fmt](text, file)
    lexicon = Lexicon.read()
    extraction = extract(page, lexicon)
    summary = report(extraction)
    if options.strict and extraction.skipped:
        section, _ = extraction.skipped[0]
        raise LoadError(file, f"--strict: {summary}", page.sections[section].line if section in page.sections else None,
                        section)
    triples = triples_to_ox(to_triples(page, extraction, lexicon))
    return [GraphLoad(
        graph=options.graph or str(GRAPH[f"medlineplus/{page.kind}/{page.slug}"]), triples=triples, loader=LOADER,
        inputs=(InputFile.of(path, data),), title=f"{page.title}: MedlinePlus Genetics", sources=(page.url,),
        notes=(f"{file}: {summary}",),
    )]


__all__ = ["LOADER", "READERS", "SUFFIXES", "load"]
