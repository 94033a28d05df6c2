"""The one table of formats: each with its names, the engine's format enum (which knows the
media type and file extension), and the places it is offered. Content negotiation, the CLI,
the RDF loader, the routers, the dumps and the OpenAPI content lists all take their subsets
from here.

>>> [f.name for f in subset("results")]
['json', 'xml', 'csv', 'tsv']
>>> by_name("turtle").engine.file_extension
'ttl'
>>> engines("dump")[0].media_type
'application/n-quads'
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

Engine = ox.RdfFormat | ox.QueryResultsFormat


@dataclass(frozen=True)
class Format:
    name: str  # what --format and format= accept first
    engine: Engine
    roles: frozenset[str]  # results, graph (a SPARQL or Graph Store answer), entity, dump (gzip-compressed), load, cli
    aliases: tuple[str, ...] = ()  # other names for it
    media_aliases: tuple[str, ...] = ()  # media types clients send that are not the registered one

    @property
    def media_type(self) -> str:
        return self.engine.media_type.split(";")[0]

    @property
    def extension(self) -> str:
        return self.engine.file_extension

    @property
    def is_dataset(self) -> bool:
        return isinstance(self.engine, ox.RdfFormat) and self.engine.supports_datasets


def _f(name: str, engine: Engine, roles: str, aliases: tuple[str, ...] = (), media: tuple[str, ...] = ()) -> Format:
    return Format(name, engine, frozenset(roles.split()), aliases, media)


R, Q = ox.RdfFormat, ox.QueryResultsFormat
FORMATS: tuple[Format, ...] = (
    _f("json", Q.JSON, "results cli", ("srj",), ("application/json",)),
    _f("xml", Q.XML, "results cli", ("srx",), ("application/xml", "text/xml")),
    _f("csv", Q.CSV, "results cli"),
    _f("tsv", Q.TSV, "results cli"),
    _f("ttl", R.TURTLE, "graph entity load cli", ("turtle",), ("application/x-turtle",)),
    _f("nt", R.N_TRIPLES, "graph entity load cli", ("ntriples", "n-triples"), ("text/plain",)),
    _f("jsonld", R.JSON_LD, "graph entity load cli", ("json-ld",)),
    _f("rdf", R.RDF_XML, "graph entity load cli", ("rdfxml", "rdf/xml", "owl")),
    _f("nq", R.N_QUADS, "graph dump load cli", ("nquads", "n-quads")),
    _f("trig", R.TRIG, "graph load cli"),
)


def subset(role: str) -> tuple[Format, ...]:
    """The formats offered in one place, in order of preference."""
    return tuple(f for f in FORMATS if role in f.roles)


def engines(role: str) -> tuple[Engine, ...]:
    return tuple(f.engine for f in subset(role))


def by_name(name: str, role: str | None = None) -> Format | None:
    """A format by name, alias, file extension or media type (of one role, when given)."""
    key = name.strip().lower()
    for fmt in subset(role) if role else FORMATS:
        if key in {fmt.name, fmt.extension, fmt.media_type, *fmt.aliases, *fmt.media_aliases}:
            return fmt
    return None


def rdf_format(name: str) -> ox.RdfFormat:
    """An RDF serialisation by name or extension; ValueError naming the choices if unknown."""
    found = by_name(name, "load")
    if found is None or not isinstance(found.engine, ox.RdfFormat):
        names = sorted({n for f in subset("load") for n in (f.name, *f.aliases)})
        raise ValueError(f"unknown RDF format {name!r}; use one of {', '.join(names)}")
    return found.engine


XML_DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY")  # a DTD, whose entities could expand without bound


def declares_entities(fmt: ox.RdfFormat, data: bytes) -> bool:
    """Whether `data` is RDF/XML with a DOCTYPE or entity declarations, refused before any parser
    reads it (by the Graph Store and by `kg load` alike).

    >>> declares_entities(ox.RdfFormat.RDF_XML, b'<!DOCTYPE r [<!ENTITY a "aaaa">]><r/>')
    True
    """
    return fmt == ox.RdfFormat.RDF_XML and any(declaration in data for declaration in XML_DECLARATIONS)


MEDIA_ALIASES = {alias: fmt.media_type for fmt in FORMATS for alias in fmt.media_aliases}
