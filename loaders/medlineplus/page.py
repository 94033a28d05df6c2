"""A MedlinePlus Genetics page read into its sections: from a text capture or from saved HTML.

Pure: text in, a `Page` out, or a LoadError naming what is missing. A text capture is one long
line with the site's navigation around the content and the headings inline; saved HTML marks
the headings up as `<h2>`. Either way the sections come out as plain text with the line of the
file they start on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

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


@dataclass(frozen=True)
class Section:
    heading: str
    text: str
    line: int
    items: tuple[str, ...] = ()  # list entries, when the markup has them (HTML)
    item_links: tuple[tuple[str, ...], ...] = ()  # the hrefs inside each list entry


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


class _Sections(HTMLParser):
    """Collects the text, list items and links under each <h2>, and the <h1> title."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.canonical = ""
        self.current: str | None = None
        self.parts: dict[str, list[str]] = {}
        self.items: dict[str, list[str]] = {}
        self.links: dict[str, list[tuple[str, ...]]] = {}
        self.lines: dict[str, int] = {}
        self._in: list[str] = []
        self._heading: list[str] = []
        self._item: list[str] | None = None
        self._hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "link" and attributes.get("rel") == "canonical":
            self.canonical = attributes.get("href") or ""
        if tag in {"h1", "h2"}:
            self._heading = []
        if tag in {"script", "style", "nav", "footer", "header"}:
            self._in.append(tag)
        if tag == "li" and self.current:
            self._item, self._hrefs = [], []
        if tag == "a" and self._item is not None and attributes.get("href"):
            self._hrefs.append(attributes["href"] or "")
        if tag in {"p", "li", "br", "div"} and self.current:
            self.parts[self.current].append(" ")
        self._in.append(tag) if tag in {"h1", "h2"} else None

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "nav", "footer", "header", "h1", "h2"} and tag in self._in:
            self._in.remove(tag)
        if tag == "h1" and not self.title:
            self.title = " ".join("".join(self._heading).split())
        if tag == "h2":
            heading = " ".join("".join(self._heading).split())
            self.current = heading
            self.parts[heading], self.items[heading], self.links[heading] = [], [], []
            self.lines[heading] = self.getpos()[0]
        if tag == "li" and self._item is not None and self.current:
            item = " ".join("".join(self._item).split())
            if item:
                self.items[self.current].append(item)
                self.links[self.current].append(tuple(self._hrefs))
            self._item = None

    def handle_data(self, data: str) -> None:
        if any(t in self._in for t in ("script", "style", "nav", "footer", "header")):
            return
        if "h1" in self._in or "h2" in self._in:
            self._heading.append(data)
            return
        if self.current:
            self.parts[self.current].append(data)
            if self._item is not None:
                self._item.append(data)


def read_html(text: str, file: str) -> Page:
    """A page from saved HTML."""
    if not text.strip():
        raise LoadError(file, "the file is empty", 1)
    parser = _Sections()
    parser.feed(text)
    parser.close()
    url, kind, slug = _identity(parser.canonical or text, file)
    known = set(CONDITION_SECTIONS if kind == "condition" else GENE_SECTIONS)
    sections = {
        heading: Section(heading, " ".join("".join(parser.parts[heading]).split()), parser.lines[heading],
                         tuple(parser.items[heading]), tuple(parser.links[heading]))
        for heading in parser.parts if heading in known
    }
    modified = re.search(r"Last updated ([A-Z][a-z]+ \d{1,2}, \d{4})", text)
    page = Page(url, kind, slug, parser.title or slug.replace("-", " "), sections, modified.group(1) if modified else None)
    return _require(page, file)
