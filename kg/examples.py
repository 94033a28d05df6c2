"""The saved queries as SPARQL examples in the endpoint itself: the graph `graph/examples`.

Each saved query is published as SIB's sparql-examples publish theirs (UniProt, Bgee, Rhea):

- an `sh:SPARQLExecutable` and, by its form, an `sh:SPARQLSelectExecutable`,
  `sh:SPARQLConstructExecutable` or `sh:SPARQLAskExecutable` (a DESCRIBE, which SHACL has no
  term for, is a `spex:SPARQLDescribeExecutable`, as SIB's own ontology has it);
- its text in `sh:select`, `sh:construct`, `sh:ask` (or `spex:describe`), runnable as it stands:
  with its PREFIX lines, and the example value of each required parameter bound, as the query
  page shows it;
- `rdfs:label` its summary, `rdfs:comment` its description (in English), `schema:keywords` its
  tags, `schema:identifier` its name (the API's `/api/queries/{name}`), `schema:target` our
  endpoint, `spex:federatesWith` each `SERVICE` it calls;
- `sh:prefixes`: a node that `sh:declare`s each prefix the text declares (`sh:prefix`,
  `sh:namespace`), as SHACL-AF and SIB's editors read them.

Every node is an IRI in `graph/examples` (`…/graph/examples#condition-genes`), so the graph is
rewritten by its difference from the last one. It is rebuilt when the saved queries change:
the SHA-256 of what it is made from (`checksum`) is in it (`<graph/examples> kg:sha256 "…"`),
so whether it is current is one lookup, and it is so exactly when its content is.

>>> from kg.saved_queries import read_query_text
>>> saved = read_query_text("demo", "#+ summary: S\\n#+ description: D\\n#+ tags: [t]\\n#+ parameters: []\\n"
...                         "#+ example: []\\nPREFIX ex: <http://example.org/>\\nSELECT * WHERE { ?s ex:p ?o }\\n")
>>> sorted(t.predicate.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1] for t in example_triples(saved))[:4]
['comment', 'declare', 'identifier', 'keywords']
>>> sorted(declared_prefixes("PREFIX ex: <http://example.org/> SELECT * { ?s rdfs:label ?o }"))
['ex', 'rdfs']
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import pyoxigraph as ox

from ontology import ENDPOINT, EXAMPLES_GRAPH, KG, RDF, RDFS, SCHEMA, SH, SPEX, XSD

from .safety import Malformed, Prologue, shape
from .saved_queries import SavedQuery

Triple = ox.Triple
_TYPE = ox.NamedNode(str(RDF.type))
KINDS = {  # form → (class, property of the text)
    "SELECT": (SH.SPARQLSelectExecutable, SH.select),
    "CONSTRUCT": (SH.SPARQLConstructExecutable, SH.construct),
    "ASK": (SH.SPARQLAskExecutable, SH.ask),
    "DESCRIBE": (SPEX.SPARQLDescribeExecutable, SPEX.describe),
}


def _iri(term: object) -> ox.NamedNode:
    return ox.NamedNode(str(term))


def example_iri(name: str) -> ox.NamedNode:
    return ox.NamedNode(f"{EXAMPLES_GRAPH}#{name}")


def runnable(saved: SavedQuery) -> str:
    """The text as published: each required parameter bound to its example value."""
    values = {p.name: p.example for p in saved.parameters if p.required and p.example is not None}
    return saved.bind(values).strip() + "\n"


def declared_prefixes(text: str) -> dict[str, str]:
    """The prefixes a query's text needs, as the engine reads them: those it declares, and the
    predeclared ones it uses without declaring (so the published text runs elsewhere too)."""
    tokens = shape(text).tokens
    prologue = Prologue(None)
    for index in range(len(tokens)):
        prologue.declare(tokens, index)
    used = {t.text.split(":", 1)[0] for t in tokens if t.kind == "pname"}
    return {p: iri for p, iri in prologue.prefixes.items() if p in prologue.declared or p in used}


def _prefixes(subject: ox.NamedNode, name: str, prefixes: Mapping[str, str]) -> Iterator[Triple]:
    holder = ox.NamedNode(f"{EXAMPLES_GRAPH}#{name}-prefixes")
    yield Triple(subject, _iri(SH.prefixes), holder)
    for prefix, namespace in sorted(prefixes.items()):
        declaration = ox.NamedNode(f"{EXAMPLES_GRAPH}#{name}-prefix-{prefix or '_'}")
        yield Triple(holder, _iri(SH.declare), declaration)
        yield Triple(declaration, _iri(SH.prefix), ox.Literal(prefix))
        yield Triple(declaration, _iri(SH.namespace), ox.Literal(namespace, datatype=_iri(XSD.anyURI)))


def example_triples(saved: SavedQuery, *, endpoint: str = str(ENDPOINT)) -> Iterator[Triple]:
    """One saved query as a SPARQL example."""
    subject, text = example_iri(saved.name), runnable(saved)
    kind, holds = KINDS[saved.form]
    yield Triple(subject, _TYPE, _iri(SH.SPARQLExecutable))
    yield Triple(subject, _TYPE, _iri(kind))
    yield Triple(subject, _iri(holds), ox.Literal(text))
    yield Triple(subject, _iri(RDFS.label), ox.Literal(saved.summary, language="en"))
    yield Triple(subject, _iri(RDFS.comment), ox.Literal(saved.description, language="en"))
    yield Triple(subject, _iri(SCHEMA.identifier), ox.Literal(saved.name))
    yield Triple(subject, _iri(SCHEMA.target), ox.NamedNode(endpoint))
    for tag in saved.tags:
        yield Triple(subject, _iri(SCHEMA.keywords), ox.Literal(tag))
    try:
        found = shape(text)
    except Malformed:
        return
    for service in dict.fromkeys(found.services):
        if not service.startswith("?"):
            yield Triple(subject, _iri(SPEX.federatesWith), ox.NamedNode(service))
    yield from _prefixes(subject, saved.name, declared_prefixes(text))


def quads(queries: Iterable[SavedQuery], *, endpoint: str = str(ENDPOINT)) -> list[ox.Quad]:
    """Every saved query as the quads of `graph/examples`, and the checksum of them all."""
    graph, queries = _iri(EXAMPLES_GRAPH), list(queries)
    made = [ox.Quad(graph, _iri(KG.sha256), ox.Literal(checksum(queries, endpoint=endpoint)), graph)]
    return made + [ox.Quad(t.subject, t.predicate, t.object, graph)
                   for saved in queries for t in example_triples(saved, endpoint=endpoint)]


def is_current(store: Any, queries: Iterable[SavedQuery], *, endpoint: str = str(ENDPOINT)) -> bool:
    """Whether the store's `graph/examples` was made from these saved queries."""
    graph = _iri(EXAMPLES_GRAPH)
    stated = ox.Quad(graph, _iri(KG.sha256), ox.Literal(checksum(queries, endpoint=endpoint)), graph)
    return next(iter(store.engine.quads_for_pattern(stated.subject, stated.predicate, stated.object, graph)),
                None) is not None


def checksum(queries: Iterable[SavedQuery], *, endpoint: str = str(ENDPOINT)) -> str:
    """The SHA-256 of what the graph is made from: each saved query's header and text, and the endpoint."""
    digest = hashlib.sha256(endpoint.encode())
    for saved in sorted(queries, key=lambda q: q.name):
        digest.update(json.dumps([saved.metadata(), saved.text], sort_keys=True).encode() + b"\0")
    return digest.hexdigest()
