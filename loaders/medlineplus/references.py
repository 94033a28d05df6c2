"""Citations as MedlinePlus prints them, parsed into structured publications.

Two forms: the journal article (`Authors. Title. Journal. 2003 Oct;56(5):256-62. doi: ….`)
and the GeneReviews chapter (`Authors. Title. 2007 May 31 [updated …]. In: Editors, editors.
GeneReviews(R) [Internet]. Place: Publisher; 1993-2025. Available from …/books/NBK1402/`).

>>> c = parse_citation("Bhushan A, Covey LR. CD40:CD40L interactions in hyper-IgM syndromes. "
...                    "Immunol Res. 2001;24(3):311-24. doi: 10.1385/IR:24:3:311.")
>>> c.authors, c.journal, c.year, c.volume, c.issue, c.pages, c.doi
(('Bhushan A', 'Covey LR'), 'Immunol Res', 2001, '24', '3', '311-24', '10.1385/IR:24:3:311')
"""

from __future__ import annotations

import re

from .records import Citation

MARKERS = re.compile(r"\s*Citation on PubMed(?: or Free article on PubMed Central)?\s*")
ARTICLE = re.compile(
    r"^(?P<authors>.+?)\. (?P<title>.+?[.?!]) (?P<journal>[A-Z][^.;]*?(?: \([^)]*\))?)\. "
    r"(?P<year>\d{4})(?: [A-Z][a-z]{2}(?:-[A-Z][a-z]{2})?(?: \d{1,2})?)?;(?P<volume>[^(:;]+)?"
    r"(?:\((?P<issue>[^)]+)\))?:(?P<pages>[^.\s]+)\.(?P<rest>.*)$")
CHAPTER = re.compile(
    r"^(?P<authors>.+?)\. (?P<title>.+?[.?!]) (?P<year>\d{4})(?: [A-Z][a-z]{2}(?: \d{1,2})?)?"
    r"(?: \[updated [^\]]+\])?\. In: (?P<editors>.+?), editors\. (?P<book>.+?) \[Internet\]\. "
    r"(?P<place>[^:]+): (?P<publisher>[^;]+);[^.]*\.(?P<rest>.*)$")
DOI = re.compile(r"doi: (10\.\S+?)\.?(?:\s|$)")
PMID = re.compile(r"PMID: (\d+)")
PMCID = re.compile(r"PMCID: (PMC\d+)")
BOOKSHELF = re.compile(r"/books/(NBK\d+)")


def split_references(text: str) -> list[str]:
    """The citations of a References section in a text capture."""
    return [part.strip() for part in MARKERS.split(text) if part.strip()]


def _people(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())


def parse_citation(text: str, links: tuple[str, ...] = ()) -> Citation | None:
    """A citation; None when it has neither form. `links` are its hrefs, when the markup has them."""
    text = " ".join(text.split())
    hrefs = " ".join(links)
    pmid = PMID.search(text) or re.search(r"pubmed\.ncbi\.nlm\.nih\.gov/(\d+)", hrefs)
    pmcid = PMCID.search(text) or re.search(r"/pmc/articles/(PMC\d+)", hrefs)
    common = {"pmid": pmid.group(1) if pmid else None, "pmcid": pmcid.group(1) if pmcid else None}
    if chapter := CHAPTER.match(text):
        shelf = BOOKSHELF.search(text) or BOOKSHELF.search(hrefs)
        return Citation(text, _people(chapter["authors"]), chapter["title"], int(chapter["year"]),
                        journal=chapter["book"], editors=_people(chapter["editors"]),
                        bookshelf=shelf.group(1) if shelf else None,
                        publisher=chapter["publisher"].strip(), **common)
    if article := ARTICLE.match(text):
        doi = DOI.search(article["rest"])
        return Citation(text, _people(article["authors"]), article["title"], int(article["year"]),
                        journal=article["journal"], volume=(article["volume"] or "").strip() or None,
                        issue=article["issue"], pages=article["pages"], doi=doi.group(1) if doi else None, **common)
    return None
