"""Content negotiation: a pure choice among the engine's format enums by Accept and `format=`.

>>> import pyoxigraph as ox
>>> choose("text/csv;q=0.5, application/sparql-results+xml", RESULT_FORMATS)
<QueryResultsFormat SPARQL Results in XML>
>>> choose("image/png", RESULT_FORMATS) is None
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

import pyoxigraph as ox

from kg import formats

from .errors import NotAcceptable

Format = TypeVar("Format", ox.QueryResultsFormat, ox.RdfFormat)

RESULT_FORMATS: tuple[ox.QueryResultsFormat, ...] = formats.engines("results")  # type: ignore[assignment]
GRAPH_FORMATS: tuple[ox.RdfFormat, ...] = formats.engines("graph")  # type: ignore[assignment]
ALIASES = formats.MEDIA_ALIASES  # media types clients send that are not the registered ones


@dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header."""

    type: str
    q: float

    def matches(self, media_type: str) -> bool:
        if self.type in {"*/*", media_type}:
            return True
        major, _, minor = self.type.partition("/")
        return minor == "*" and media_type.startswith(major + "/")

    @property
    def specificity(self) -> int:
        return 0 if self.type == "*/*" else 1 if self.type.endswith("/*") else 2


def parse_accept(header: str | None, *, aliased: bool = True) -> list[MediaRange]:
    """Media ranges, most preferred first; a missing or empty header accepts anything. Media types
    clients send for ours (application/json …) are read as ours unless `aliased` is off."""
    ranges = []
    for part in (header or "*/*").split(","):
        media, *params = (p.strip() for p in part.split(";"))
        if not media:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(ALIASES.get(media.lower(), media.lower()) if aliased else media.lower(), q))
    return sorted(ranges, key=lambda r: (-r.q, -r.specificity))


def media_type(offer: ox.QueryResultsFormat | ox.RdfFormat) -> str:
    """The bare media type of a format, without parameters such as charset."""
    return offer.media_type.split(";")[0]


def by_name(name: str, offers: Sequence[Format]) -> Format | None:
    """A `format=` override: a media type, an extension, or a name such as json or turtle."""
    found = formats.by_name(name)
    return found.engine if found is not None and found.engine in offers else None  # type: ignore[return-value]


def choose(accept: str | None, offers: Sequence[Format], override: str | None = None) -> Format | None:
    """The best offer for the client, the first offer on a tie or a wildcard, None for 406."""
    if override:
        return by_name(override, offers)
    ranges = parse_accept(accept)
    refused = {r.type for r in ranges if r.q <= 0}
    for media_range in ranges:
        if media_range.q <= 0:
            break
        for offer in offers:
            if media_range.matches(media_type(offer)) and media_type(offer) not in refused:
                return offer
    return None


def acceptable(offers: Sequence[ox.QueryResultsFormat | ox.RdfFormat], *, html: bool = False) -> str:
    """The message of a 406: what could have been asked for."""
    return "acceptable formats: " + ", ".join([*(["text/html"] if html else []), *(f.media_type for f in offers)])


def negotiate(accept: str | None, offers: Sequence[Format], override: str | None = None, *, html: bool = False) -> Format:
    """`choose`, or 406 naming the offers (and text/html, where a page is offered too)."""
    fmt = choose(accept, offers, override)
    if fmt is None:
        raise NotAcceptable(acceptable(offers, html=html))
    return fmt


def quality(accept: str | None, media: str) -> float:
    """The q a client gives one media type as it is written (no alias), wildcards included; 0 when
    it refuses it by name.

    >>> quality("text/turtle, */*;q=0.2", "application/json"), quality("*/*, application/json;q=0", "application/json")
    (0.2, 0.0)
    """
    ranges = parse_accept(accept, aliased=False)
    if any(r.type == media and r.q <= 0 for r in ranges):
        return 0.0
    return max((r.q for r in ranges if r.matches(media)), default=0.0)


def rdf_quality(accept: str | None) -> float:
    """The highest q a client gives an RDF format it names (wildcards not counted)."""
    return max((r.q for r in parse_accept(accept) for f in GRAPH_FORMATS if r.type == media_type(f)), default=0.0)


def prefers_html(accept: str | None) -> bool:
    """Whether a client names text/html at least as highly as any RDF format (a browser)."""
    ranges = parse_accept(accept)
    html = max((r.q for r in ranges if r.type in {"text/html", "application/xhtml+xml"}), default=0.0)
    return html > 0 and html >= rdf_quality(accept)
