"""A MedlinePlus Genetics page read into its sections: from a text capture or from saved HTML.

Pure: text in, a `Page` out, or a LoadError naming what is missing. A text capture is one long
line with the site's navigation around the content and the headings inline; saved HTML marks
the headings up as `<h2>`. Either way the sections come out as plain text with the line of the
file they start on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree, html

from ..errors import LoadError

CONDITION_SECTIONS = ("Description", "Frequency", "Causes", "Inheritance", "Other Names for This Condition",
                      "Additional Information & Resources", "References")
GENE_SECTIONS = ("Normal Function", "Health Conditions Related to Genetic Changes", "Other Names for This Gene",
                 "Additional Information & Resources", "References")
REQUIRED = {"condition": ("Description", "Causes"), "gene": ("Normal Function",)}
URL = re.compile(r"https://medlineplus\.gov/genetics/(condition|gene)/([a-z0-9-]+)/?")
CONTENT_START = "To use the sharing features on this page, please enable JavaScript."
CONTENT_END = ("Enlarge image", "Related Health Topics", "Understanding Genetics", "Disclaimers", "Last updated")
LIST_SECTIONS = {"Other Names for This Condition", "Other Names for This Gene"}
GENE_LIST = re.compile(r"Learn more about the genes? associated with\b")  # ends Causes; not a heading


@dataclass(frozen=True)
class Section:
    heading: str
    text: str
    line: int
    items: tuple[str, ...] = ()  # list entries, when the markup has them (HTML)
    item_links: tuple[tuple[str, ...], ...] = ()  # the hrefs inside each list entry
    links: tuple[tuple[str, str], ...] = ()  # (text, href) of every link, in order (HTML)


@dataclass(frozen=True)
class Page:
    url: str
    kind: str  # condition or gene
    slug: str
    title: str
    sections: dict[str, Section]
    modified: str | None = None  # "Last updated" as the page gives it

    def section(self, heading: str) -> Section | None:
        return self.sections.get(heading)


def detect(text: str) -> str:
    """"html" or "text", by the content."""
    head = text.lstrip()[:500].lower()
    return "html" if head.startswith(("<!doctype html", "<html")) or "<body" in text[:5000].lower() else "text"


def _identity(text: str, file: str) -> tuple[str, str, str]:
    match = URL.search(text)
    if match is None:
        raise LoadError(file, "not a MedlinePlus Genetics page: no https://medlineplus.gov/genetics/… URL in it", 1)
    return match.group(0).rstrip("/") + "/", match.group(1), match.group(2)


def _require(page: Page, file: str) -> Page:
    missing = [h for h in REQUIRED[page.kind] if h not in page.sections]
    if not page.sections:
        expected = CONDITION_SECTIONS if page.kind == "condition" else GENE_SECTIONS
        raise LoadError(file, f"no recognisable sections: expected headings such as {', '.join(expected[:4])}", 1)
    if missing:
        raise LoadError(file, f"the page is incomplete: section(s) {', '.join(missing)} missing", 1,
                        section=list(page.sections)[-1])
    return page


# -- text captures -----------------------------------------------------------------------------


def read_text(text: str, file: str) -> Page:
    """A page from a text capture."""
    if not text.strip():
        raise LoadError(file, "the file is empty", 1)
    url, kind, slug = _identity(text, file)
    title = text.split(":", 1)[0].strip() if ": MedlinePlus Genetics" in text[:300] else slug.replace("-", " ")
    start = text.find(CONTENT_START)
    start = start + len(CONTENT_START) if start >= 0 else text.find(url) + len(url)
    ends = [i for i in (text.find(marker, start) for marker in CONTENT_END) if i >= 0]
    end = min(ends) if ends else len(text)
    headings = CONDITION_SECTIONS if kind == "condition" else GENE_SECTIONS
    found: list[tuple[str, int, int]] = []  # heading, start of heading, start of body
    position = start
    for heading in headings:
        match = re.compile(rf"(?<![\w-]){re.escape(heading)}(?=\s+\S)").search(text, position, end)
        if match:
            found.append((heading, match.start(), match.end()))
            position = match.end()
    sections = {}
    for index, (heading, _, body) in enumerate(found):
        stop = found[index + 1][1] if index + 1 < len(found) else end
        sections[heading] = Section(heading, " ".join(text[body:stop].split()), text.count("\n", 0, body) + 1)
    modified = re.search(r"Last updated ([A-Z][a-z]+ \d{1,2}, \d{4})", text)
    return _require(Page(url, kind, slug, title, sections, modified.group(1) if modified else None), file)


# -- saved HTML --------------------------------------------------------------------------------


SKIPPED = ("script", "style", "nav", "footer", "header", "noscript", "template", "svg", "form")
BLOCKS = {"p", "li", "br", "div", "section", "ul", "ol", "dd", "dt", "tr", "td", "h3", "h4", "article"}


@dataclass
class _Collected:
    heading: str
    line: int
    parts: list[str]
    items: list[str]
    links: list[tuple[str, ...]]
    anchors: list[tuple[str, str]]


def _words(element: html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def _is_heading(element: html.HtmlElement, tag: str, known: set[str]) -> bool:
    """An <h1>/<h2> (or an <h3> naming a known section), unless it introduces Causes' gene list."""
    if tag in {"h1", "h2"}:
        return not GENE_LIST.match(_words(element))
    return tag == "h3" and _words(element) in known


def _walk(root: html.HtmlElement, known: set[str]) -> dict[str, _Collected]:
    """The text under each known <h2> (or <h3> standing for one), in document order, whatever
    elements wrap the headings; an unknown heading ends the section before it."""
    sections: dict[str, _Collected] = {}
    current: _Collected | None = None
    inside_heading = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if _is_heading(element, tag, known):
                heading = _words(element)
                current = sections.setdefault(heading, _Collected(heading, element.sourceline or 1, [], [], [], [])) \
                    if heading in known else None
                inside_heading += 1
            elif not inside_heading and current is not None:
                if tag in BLOCKS:
                    current.parts.append(" ")
                if tag == "li" and element.find(".//li") is None and _words(element):
                    current.items.append(_words(element))
                    current.links.append(tuple(a.get("href") for a in element.iter("a") if a.get("href")))
                if tag == "a" and element.get("href"):
                    current.anchors.append((_words(element), element.get("href")))
                current.parts.append(element.text or "")
            continue
        if _is_heading(element, tag, known):
            inside_heading -= 1
        elif not inside_heading and current is not None and tag in BLOCKS:
            current.parts.append(" ")
        if not inside_heading and current is not None:
            current.parts.append(element.tail or "")
    return sections


def read_html(text: str, file: str) -> Page:
    """A page from saved HTML, read with lxml's HTML parser (libxml2: tolerant of real pages,
    element line numbers for error messages, no network)."""
    if not text.strip():
        raise LoadError(file, "the file is empty", 1)
    try:
        root = html.document_fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", text))
    except (etree.ParserError, ValueError) as error:
        raise LoadError(file, f"unreadable HTML: {error}", 1) from None
    canonical = next(iter(root.xpath('//link[@rel="canonical"]/@href')), "")
    etree.strip_elements(root, *SKIPPED, etree.Comment, with_tail=False)
    url, kind, slug = _identity(str(canonical) or text, file)
    known = set(CONDITION_SECTIONS if kind == "condition" else GENE_SECTIONS)
    sections = {
        heading: Section(heading, " ".join("".join(found.parts).split()), found.line, tuple(found.items),
                         tuple(found.links), tuple(found.anchors))
        for heading, found in _walk(root, known).items()
    }
    title = next((_words(h) for h in root.iter("h1") if _words(h)), slug.replace("-", " "))
    modified = re.search(r"Last updated ([A-Z][a-z]+ \d{1,2}, \d{4})", text)
    return _require(Page(url, kind, slug, title, sections, modified.group(1) if modified else None), file)
