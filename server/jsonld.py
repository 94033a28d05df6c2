"""JSON-LD that reads naturally: compacted with a context of our own, served at /context.jsonld.

The context names every property of our vocabulary by its local name (`encodes`, `causes` …),
adds `label`, `synonyms`, `id` and `type`, and the prefixes, so a document reads as
`{"id": "hgnc:11935", "label": "CD40LG", "encodes": "uniprot:P29965"}`.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import OWL, RDF

from kg.terms import to_rdflib
from ontology import KG, ONTOLOGY_FILE
from ontology.identifiers import display_prefixes

GEN_DELIMS = (":", "/", "?", "#", "[", "]", "@")
ALIASES: dict[str, Any] = {
    "id": "@id",
    "type": "@type",
    "label": "http://www.w3.org/2000/01/rdf-schema#label",
    "synonyms": "http://www.w3.org/2004/02/skos/core#altLabel",
    "definition": "http://www.w3.org/2004/02/skos/core#definition",
    "exactMatch": {"@id": "http://www.w3.org/2004/02/skos/core#exactMatch", "@type": "@id", "@container": "@set"},
    "identifier": "http://purl.org/dc/terms/identifier",
    "title": "http://purl.org/dc/terms/title",
}


@cache
def context() -> dict[str, Any]:
    """The @context object: prefixes, aliases, and one term per property of our vocabulary."""
    ontology = Graph().parse(ONTOLOGY_FILE)
    terms: dict[str, Any] = {
        prefix: iri if iri.endswith(GEN_DELIMS) else {"@id": iri, "@prefix": True}  # JSON-LD 1.1 §4.1.5
        for prefix, iri in display_prefixes().items()
    }
    terms.update(ALIASES)
    for kind, typed in ((OWL.ObjectProperty, True), (OWL.DatatypeProperty, False)):
        for prop in sorted(ontology.subjects(RDF.type, kind)):
            if str(prop).startswith(str(KG)):
                name = str(prop)[len(str(KG)):]
                terms[name] = {"@id": str(prop), "@type": "@id"} if typed else str(prop)
    return {"@context": terms}


def compact(triples: list[ox.Triple], context_url: str) -> bytes:
    """The triples as JSON-LD compacted with our context, which is referenced by `context_url`."""
    graph = Graph()
    for t in triples:
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    document = json.loads(graph.serialize(format="json-ld", context=context()["@context"], auto_compact=True))
    document["@context"] = context_url
    return json.dumps(document, indent=2, ensure_ascii=False).encode()
