"""The MedlinePlus Genetics loader.

Two kinds of input, told apart by their content:
- pages (a text capture or saved HTML) → sections → facts with their sentences, one graph per
  page: `graph/medlineplus/<condition|gene>/<slug>/page`;
- NLM's records (the bulk `ghr-summaries.xml`, per-topic XML or JSON) → `Topic`s → the same
  facts, from the texts by the same sentence extractors and from the lists directly, one graph
  per record: `graph/medlineplus/<condition|gene>/<slug>`. The bulk file is streamed: each
  record's graph is produced as the record is read.

The same condition or gene is one node whichever inputs describe it; each input's facts cite
its own source (the page, or the record and the file it came in).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from pathlib import Path

from kg.terms import triples_to_ox
from ontology import GRAPH

from ..errors import HEAD, LoadError, decode_utf8, read_bytes
from ..options import DEFAULT, LoadOptions
from ..provenance import InputFile
from ..write import GraphLoad, Notice
from . import topics
from .extract import extract
from .lexicon import Lexicon
from .page import Page, detect, read_html, read_text
from .records import Extraction, Ref
from .structured import page_of, structured
from .triples import Origin, to_triples

LOADER = "medlineplus"
READERS = {"medlineplus-text": read_text, "medlineplus-html": read_html}
RECORD_FORMATS = {"medlineplus-xml": "xml", "medlineplus-json": "json"}
FORMATS = (*READERS, *RECORD_FORMATS)
SUFFIXES = {".txt", ".html", ".htm"}
SAMPLE = 3
LEXICON_KINDS = {"condition", "gene", "protein", "receptor", "cell", "antibody", "inheritance"}


def record_format(head: bytes) -> str | None:
    """"medlineplus-xml" or "medlineplus-json" when a file's first bytes are an NLM record file."""
    found = topics.detect(head)
    return f"medlineplus-{found}" if found else None


FOUND_AS = {"StatedCause": "stated cause", "Deletion": "deletion", "StatedAssociation": "stated association",
            "ListedAssociation": "listed association"}


def genes_found(extraction: Extraction) -> dict[str, list[str]]:
    """The condition's genes by how they were found, each once (by the strongest way)."""
    found: dict[str, list[str]] = {label: [] for label in FOUND_AS.values()}
    for symbol, basis in extraction.genes.items():
        found[FOUND_AS[basis]].append(symbol)
    return found


def summary(extraction: Extraction) -> str:
    """Counts, and a sample of the sentences that gave no fact."""
    genes = "".join(f", {len(symbols)} {label}" for label, symbols in genes_found(extraction).items() if symbols)
    line = (f"{len(extraction.facts)} facts and {len(extraction.citations)} references from "
            f"{extraction.sentences} sentences; {len(extraction.genes)} genes{genes}; "
            f"{len(extraction.skipped)} sentences not understood")
    sample = "; ".join(f"[{section}] {sentence[:100]}" for section, sentence in extraction.skipped[:SAMPLE])
    return f"{line}, e.g. {sample}" if sample else line


def report(source: str, page: Page, extraction: Extraction, lexicon: Lexicon) -> dict[str, object]:
    """What one page or record gave, for `kg load --report`."""
    facts: dict[str, int] = {}
    for fact in extraction.facts:
        facts[fact.predicate] = facts.get(fact.predicate, 0) + 1
    unknown = {(ref.kind, ref.name) for fact in extraction.facts for ref in (fact.subject, fact.object)
               if isinstance(ref, Ref) and ref.kind in LEXICON_KINDS and not lexicon.identifier(ref.kind, ref.name)}
    return {
        "source": source, "topic": f"{page.kind}/{page.slug}", "facts": dict(sorted(facts.items())),
        "references": len(extraction.citations), "sentences": extraction.sentences,
        "genes": {label: len(symbols) for label, symbols in genes_found(extraction).items()},
        "genes_found": genes_found(extraction),
        "not_understood": [{"section": s, "sentence": t} for s, t in extraction.skipped],
        "not_in_lexicon": [{"kind": k, "name": n} for k, n in sorted(unknown)],
        "warnings": list(extraction.warnings),
    }


def _strict(extraction: Extraction, page: Page, file: str) -> None:
    if extraction.skipped or extraction.warnings:
        section, _ = extraction.skipped[0] if extraction.skipped else (None, "")
        problem = summary(extraction) if extraction.skipped else extraction.warnings[0]
        line = page.sections[section].line if section in page.sections else None
        raise LoadError(file, f"--strict: {problem}", line, section)


def load_page(path: Path, fmt: str | None, options: LoadOptions) -> GraphLoad:
    """The graph of one page; LoadError when it is not a readable MedlinePlus Genetics page."""
    file, data = str(path), read_bytes(path)
    text = decode_utf8(data, file, "a MedlinePlus Genetics page")
    fmt = fmt or f"medlineplus-{detect(text)}"
    page = READERS[fmt](text, file)
    lexicon = Lexicon.read()
    extraction = extract(page, lexicon)
    if options.strict:
        _strict(extraction, page, file)
    return GraphLoad(
        graph=options.graph or str(GRAPH[f"medlineplus/{page.kind}/{page.slug}/page"]),
        triples=triples_to_ox(to_triples(page, extraction, lexicon)), loader=LOADER,
        inputs=(InputFile.of(path, data),), title=f"{page.title}: MedlinePlus Genetics", sources=(page.url,),
        notes=(f"{file}: {summary(extraction)}",), report=report(file, page, extraction, lexicon),
    )


def record_load(topic: topics.Topic, file: str, name: str, options: LoadOptions) -> GraphLoad:
    """The graph of one NLM record."""
    lexicon = Lexicon.read()
    page = page_of(topic)
    extraction = structured(topic, lexicon, extract(page, lexicon))
    where = f"{file} (record {topic.id or topic.slug}, line {topic.line})" if topic.format == "xml" else file
    if options.strict:
        _strict(extraction, page, where)
    origin = Origin.of_record(page)
    content = dataclasses.replace(topic, line=None, texts=tuple(dataclasses.replace(t, line=None) for t in topic.texts))
    checksum = hashlib.sha256(repr(content).encode()).hexdigest()  # the record's content, not its place in the file
    return GraphLoad(
        graph=options.graph or str(GRAPH[f"medlineplus/{topic.kind}/{topic.slug}"]),
        triples=triples_to_ox(to_triples(page, extraction, lexicon, origin)), loader=LOADER,
        inputs=(InputFile(f"{name}#{topic.kind}/{topic.slug}", checksum),), title=origin.title,
        sources=(topic.page,), report=report(where, page, extraction, lexicon),
    )


def load_records(path: Path, fmt: str, options: LoadOptions) -> Iterator[GraphLoad | Notice]:
    """One graph per condition or gene record of an XML or JSON file, as the file is read."""
    file, skipped = str(path), topics.Skipped()
    try:
        with path.open("rb") as source:
            for count, topic in enumerate(topics.read(source, file, RECORD_FORMATS[fmt], skipped)):
                if count and options.graph:
                    raise LoadError(file, "--graph names one graph, and this file has a graph per record; "
                                          "leave --graph out", topic.line)
                yield record_load(topic, file, path.name, options)
    except OSError as error:
        raise LoadError(file, error.strerror or str(error)) from None
    if skipped.kinds:
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(skipped.kinds.items()))
        yield Notice(notes=(f"{file}: records of other kinds skipped: {kinds}",),
                     report={"source": file, "skipped_records": dict(skipped.kinds)})


def load(path: Path, options: LoadOptions = DEFAULT) -> Iterator[GraphLoad | Notice]:
    """The graphs of a page or of an NLM record file."""
    if options.format is not None and options.format not in FORMATS:
        raise LoadError(str(path), f"unknown format {options.format!r}; use {' or '.join(FORMATS)}")
    fmt = options.format or record_format(read_bytes(path, HEAD))
    if fmt in RECORD_FORMATS:
        yield from load_records(path, fmt, options)
    else:
        yield load_page(path, fmt, options)


__all__ = ["FORMATS", "LOADER", "READERS", "SUFFIXES", "load", "record_format"]
