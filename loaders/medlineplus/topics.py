"""NLM's MedlinePlus Genetics records: the bulk XML (`ghr-summaries.xml`), per-topic XML and
per-topic JSON, read into `Topic` records. Pure: bytes in, records out, or a LoadError that
names the file, the line (XML) or the record.

The bulk file is read as a stream (lxml `iterparse`, each record cleared once read), so its
size does not matter. Element names are matched on their local names: the default namespace
carries the schema's release date and changes between releases. Any field may be absent;
unknown elements are ignored, and records of other kinds (chromosome summaries, for example)
are counted, not read.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from lxml import etree

from ..errors import LoadError, not_utf8

KINDS = {"health-condition-summary": "condition", "gene-summary": "gene"}
ROOTS = {"summaries", *KINDS}
SLUG = re.compile(r"/genetics/(?:condition|gene)/([A-Za-z0-9-]+)")


@dataclass(frozen=True)
class Text:
    """One `text` of a record: its role and its XHTML read as paragraphs and list items."""

    role: str
    paragraphs: tuple[str, ...]
    items: tuple[str, ...] = ()
    links: tuple[tuple[str, ...], ...] = ()
    line: int | None = None


@dataclass(frozen=True)
class Link:
    """A related gene or condition: the name (or symbol) and its page."""

    name: str
    page: str | None

    @property
    def slug(self) -> str | None:
        return topic_slug(self.page)


@dataclass(frozen=True)
class Inheritance:
    code: str | None
    memo: str | None


@dataclass(frozen=True)
class Topic:
    """A condition or gene record, whichever format it came in."""

    kind: str  # condition or gene
    id: str | None
    name: str
    page: str
    slug: str
    symbol: str | None = None
    full_name: str | None = None  # a gene's name ("CD40 ligand"); its `name` is the symbol
    reviewed: str | None = None
    published: str | None = None
    texts: tuple[Text, ...] = ()
    inheritance: tuple[Inheritance, ...] = ()
    related: tuple[Link, ...] = ()  # genes of a condition, conditions of a gene
    synonyms: tuple[str, ...] = ()
    db_keys: tuple[tuple[str, str], ...] = ()
    line: int | None = None
    format: str = "xml"


@dataclass
class Skipped:
    """Records of kinds this loader does not read, counted by kind."""

    kinds: Counter[str] = field(default_factory=Counter)


def topic_slug(page: str | None) -> str | None:
    match = SLUG.search(page or "")
    return match.group(1).lower() if match else None


def _record(file: str, kind: str, name: str | None, page: str | None, where: str) -> tuple[str, str]:
    """The name and slug every record needs, or a LoadError naming the record."""
    slug = topic_slug(page)
    if not name or not slug:
        missing = "name" if not name else "a ghr-page URL of the form …/genetics/<condition|gene>/<slug>"
        raise LoadError(file, f"{kind} record {where} has no {missing}")
    return name, slug


# -- XML ---------------------------------------------------------------------------------------


def local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _children(element: etree._Element, name: str) -> Iterator[etree._Element]:
    return (child for child in element if local(child) == name)


def _child(element: etree._Element | None, name: str) -> etree._Element | None:
    return next(_children(element, name), None) if element is not None else None


def _text(element: etree._Element | None, name: str) -> str | None:
    found = _child(element, name)
    text = " ".join("".join(found.itertext()).split()) if found is not None else ""
    return text or None


def _list(element: etree._Element, outer: str, inner: str) -> list[etree._Element]:
    return [item for holder in _children(element, outer) for item in _children(holder, inner)]


def _xhtml(role: str, html: etree._Element | None, line: int | None) -> Text:
    """Paragraphs and list items of a text's XHTML; the words of anything else are kept too."""
    paragraphs, items, links = [], [], []
    for element in html.iter() if html is not None else ():
        name = local(element)
        words = " ".join("".join(element.itertext()).split())
        if name == "li" and words:
            items.append(words)
            links.append(tuple(a.get("href") for a in element.iter() if local(a) == "a" and a.get("href")))
        elif name in {"p", "h2", "h3", "dd", "dt"} and words:
            paragraphs.append(words)
    if html is not None and not paragraphs and not items:
        loose = " ".join("".join(html.itertext()).split())
        paragraphs = [loose] if loose else []
    return Text(role, tuple(paragraphs), tuple(items), tuple(links), line)


def xml_topic(element: etree._Element, kind: str, file: str) -> Topic:
    """One record element → a Topic."""
    where = f"{element.get('id') or '(no id)'} at line {element.sourceline}"
    name = _text(element, "gene-symbol") if kind == "gene" else _text(element, "name")
    name, slug = _record(file, kind, name or _text(element, "name"), _text(element, "ghr-page"), where)
    related = ("related-gene-list", "related-gene") if kind == "condition" else \
        ("related-health-condition-list", "related-health-condition")
    return Topic(
        kind=kind, id=element.get("id"), name=name, page=_text(element, "ghr-page") or "", slug=slug,
        symbol=_text(element, "gene-symbol"), full_name=_text(element, "name") if kind == "gene" else None,
        reviewed=_text(element, "reviewed"),
        published=_text(element, "published"),
        texts=tuple(_xhtml(_text(t, "text-role") or "", _child(t, "html"), t.sourceline)
                    for t in _list(element, "text-list", "text")),
        inheritance=tuple(Inheritance(_text(i, "code"), _text(i, "memo"))
                          for i in _list(element, "inheritance-pattern-list", "inheritance-pattern")),
        related=tuple(Link(_text(r, "gene-symbol") or _text(r, "name") or "", _text(r, "ghr-page"))
                      for r in _list(element, *related)),
        synonyms=tuple(s for s in (" ".join("".join(e.itertext()).split())
                                   for e in _list(element, "synonym-list", "synonym")) if s),
        db_keys=tuple((db, key) for db, key in ((_text(k, "db"), _text(k, "key"))
                                                for k in _list(element, "db-key-list", "db-key")) if db and key),
        line=element.sourceline,
    )


def read_xml(source: BinaryIO, file: str, skipped: Skipped | None = None) -> Iterator[Topic]:
    """Every condition and gene record of a bulk or per-topic XML file, as it is read."""
    skipped = skipped if skipped is not None else Skipped()
    depth, root = 0, None
    events = etree.iterparse(source, events=("start", "end"), resolve_entities=False, no_network=True,
                             load_dtd=False, huge_tree=True, recover=False)
    try:
        for event, element in events:
            if event == "start":
                depth += 1
                if depth == 1:
                    root = local(element)
                    if root not in ROOTS:
                        raise LoadError(file, f"not a MedlinePlus Genetics XML file: the root is <{root}>, "
                                              "not <summaries> or a summary record", element.sourceline)
                continue
            depth -= 1
            record_depth = 1 if root in KINDS else 2
            if depth + 1 != record_depth:
                continue
            name = local(element)
            if name in KINDS:
                yield xml_topic(element, KINDS[name], file)
            elif name:
                skipped.kinds[name] += 1
            element.clear(keep_tail=False)
            while element.getprevious() is not None:  # the records already read
                del element.getparent()[0]
    except etree.XMLSyntaxError as error:
        line = error.lineno if error.lineno else None
        raise LoadError(file, f"malformed XML: {error.msg}", line) from None


# -- JSON --------------------------------------------------------------------------------------


def _many(value: Any) -> list[Any]:
    """A list, whether the file wrote one member as a list or as the member itself."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _field(value: Any, *names: str) -> Any:
    """A field by any of its spellings (`ghr-page` and `ghr_page` both occur)."""
    if not isinstance(value, dict):
        return None
    for name in names:
        for spelling in (name, name.replace("-", "_")):
            if spelling in value:
                return value[spelling]
    return None


def _string(value: Any) -> str | None:
    if isinstance(value, dict):  # {"#text": …} and similar wrappings of one value
        value = next((v for v in value.values() if isinstance(v, str)), None)
    text = " ".join(str(value).split()) if value is not None else ""
    return text or None


def _inner(value: Any, outer: str, inner: str) -> list[Any]:
    """`{outer: {inner: [...]}}`, `{outer: [...]}` or `{outer: {inner: {...}}}` as a list."""
    holder = _field(value, outer)
    if isinstance(holder, dict):
        return _many(_field(holder, inner))
    return [_field(item, inner) or item for item in _many(holder)]


def _json_html(role: str, html: Any) -> Text:
    if isinstance(html, str):
        try:
            fragment = etree.fromstring(f"<div>{html}</div>".encode(), etree.XMLParser(resolve_entities=False,
                                                                                     no_network=True, recover=True))
        except etree.XMLSyntaxError:
            fragment = None
        if fragment is not None:
            return _xhtml(role, fragment, None)
    text = _string(html)
    return Text(role, (text,) if text else ())


def json_topic(data: bytes, file: str) -> Topic:
    """A per-topic JSON file → a Topic."""
    try:
        value = json.loads(data)
    except UnicodeDecodeError as error:
        raise not_utf8(data, error.start, file, "a MedlinePlus Genetics JSON record") from None
    except json.JSONDecodeError as error:
        raise LoadError(file, f"malformed JSON: {error.msg}", error.lineno) from None
    for wrapper in KINDS:  # {"health-condition-summary": {...}}
        if isinstance(value, dict) and isinstance(_field(value, wrapper), dict):
            value = _field(value, wrapper)
    if not isinstance(value, dict):
        raise LoadError(file, f"expected a JSON object describing one condition or gene, not a JSON "
                              f"{type(value).__name__.replace('dict', 'object').replace('list', 'array')}", 1)
    page = _string(_field(value, "ghr-page"))
    kind = "gene" if _field(value, "gene-symbol") is not None and "/genetics/gene/" in (page or "/genetics/gene/") \
        else "condition"
    name = _string(_field(value, "gene-symbol")) if kind == "gene" else _string(_field(value, "name"))
    name, slug = _record(file, kind, name, page, "")
    related = ("related-gene-list", "related-gene") if kind == "condition" else \
        ("related-health-condition-list", "related-health-condition")
    return Topic(
        kind=kind, id=None, name=name, page=page or "", slug=slug, symbol=_string(_field(value, "gene-symbol")),
        full_name=_string(_field(value, "name")) if kind == "gene" else None,
        reviewed=_string(_field(value, "reviewed")), published=_string(_field(value, "published")),
        texts=tuple(_json_html(_string(_field(t, "text-role")) or "", _field(t, "html"))
                    for t in _inner(value, "text-list", "text")),
        inheritance=tuple(Inheritance(_string(_field(i, "code")), _string(_field(i, "memo")))
                          for i in _inner(value, "inheritance-pattern-list", "inheritance-pattern")),
        related=tuple(Link(_string(_field(r, "gene-symbol")) or _string(_field(r, "name")) or "",
                           _string(_field(r, "ghr-page"))) for r in _inner(value, *related)),
        synonyms=tuple(s for s in map(_string, _inner(value, "synonym-list", "synonym")) if s),
        db_keys=tuple((db, key) for db, key in ((_string(_field(k, "db")), _string(_field(k, "key")))
                                                for k in _inner(value, "db-key-list", "db-key")) if db and key),
        line=1, format="json",
    )


# -- detection ---------------------------------------------------------------------------------


def detect(head: bytes) -> str | None:
    """"xml" or "json" when the start of a file is a MedlinePlus Genetics record file."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<"):
        found = re.search(rb"<(?![?!])(?:[\w.-]+:)?([\w.-]+)", text)
        return "xml" if found and found.group(1).decode() in ROOTS else None
    if text.startswith((b"{", b"[")):
        return "json" if re.search(rb'"ghr[-_]page"|"health-condition-summary"|"gene-summary"', head) else None
    return None


def read(data: bytes | BinaryIO, file: str, fmt: str, skipped: Skipped | None = None) -> Iterator[Topic]:
    if fmt == "json":
        yield json_topic(data if isinstance(data, bytes) else data.read(), file)
    else:
        yield from read_xml(io.BytesIO(data) if isinstance(data, bytes) else data, file, skipped)
