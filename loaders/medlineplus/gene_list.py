"""The page's own gene list, which ends every condition page's Causes section: "Learn more about
the genes associated with CONDITION" and the symbols (links to `/genetics/gene/<symbol>/` in
HTML). Pure: a section in, its prose and its list out.

In HTML the symbols are the texts of the gene-page links. In a text capture the list runs on
after the condition's name ("… associated with Zellweger spectrum disorder PEX1 PEX2 …"): the
name is cut off by the page's title; where the title is not found, only symbols HGNC is known to
have are taken from the end, and that is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .page import GENE_LIST, Section
from .symbols import is_symbol

GENE_PAGE = re.compile(r"(?:^|/)genetics/gene/[a-z0-9-]+/?(?:[?#].*)?$")


@dataclass(frozen=True)
class GeneList:
    text: str  # the list as the page gives it: the evidence of what it gives
    symbols: tuple[str, ...]
    warnings: tuple[str, ...] = ()


def split(section: Section, title: str, known: frozenset[str]) -> tuple[str, GeneList | None]:
    """The prose of a Causes section, and its gene list if it has one."""
    marker = GENE_LIST.search(section.text)
    if marker is None:
        return section.text, None
    prose, text = section.text[:marker.start()].strip(), section.text[marker.start():].strip()
    linked = [name for name, href in section.links if GENE_PAGE.search(href.strip())]
    if linked:
        symbols = [name for name in linked if is_symbol(name)]
        odd = [name for name in linked if not is_symbol(name)]
        warnings = [f"gene list: link text {name!r} is not a gene symbol, left out" for name in odd]
        return prose, GeneList(text, tuple(dict.fromkeys(symbols)), tuple(warnings))
    return prose, _from_text(text, marker, title, known)


def _from_text(text: str, marker: re.Match[str], title: str, known: frozenset[str]) -> GeneList:
    rest = text[len(marker.group(0)):].strip()
    if title and rest.lower().startswith(title.lower() + " "):
        words = rest[len(title):].split()
        odd = [w for w in words if not is_symbol(w)]
        warnings = tuple(f"gene list: {w!r} is not a gene symbol, left out" for w in odd)
        return GeneList(text, tuple(dict.fromkeys(w for w in words if is_symbol(w))), warnings)
    words = rest.split()
    end = len(words)
    while end > 0 and is_symbol(words[end - 1]) and words[end - 1] in known:
        end -= 1
    symbols = tuple(dict.fromkeys(words[end:]))
    return GeneList(text, symbols, ((f"gene list: the condition's name {title!r} is not where the list begins; "
                                    f"took the known symbols at its end: {', '.join(symbols) or 'none'}"),))
