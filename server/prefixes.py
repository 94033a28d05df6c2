"""The prefixes every query and update may use without declaring them, at `/prefixes`.

JSON (`{"kg": "https://w3id.org/higm-kg/vocab#", …}`) unless the client names an RDF format
above JSON (or does not take JSON); then RDF by Accept (Turtle first; 406 if none fits): the `@prefix` lines, and each prefix as SHACL's
`sh:declare` (as collections of SPARQL examples publish theirs), so a client can read them
as data. `?format=json` or `?format=ttl` … choose too. The list is `sparql_prefixes`: the map
the engine and the safety check are both given.
"""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from ontology import SH, XSD
from ontology.identifiers import sparql_prefixes

from .negotiation import GRAPH_FORMATS, negotiate, quality, rdf_quality
from .sparql import format_override

router = APIRouter()
JSON = "application/json"


def declarations(subject: str, prefixes: dict[str, str]) -> list[ox.Triple]:
    """`subject sh:declare [ sh:prefix "p" ; sh:namespace "iri"^^xsd:anyURI ]` for each prefix."""
    node, triples = ox.NamedNode(subject), []
    for prefix, namespace in sorted(prefixes.items()):
        declaration = ox.BlankNode()
        triples += [ox.Triple(node, ox.NamedNode(SH.declare), declaration),
                    ox.Triple(declaration, ox.NamedNode(SH.prefix), ox.Literal(prefix)),
                    ox.Triple(declaration, ox.NamedNode(SH.namespace), ox.Literal(namespace, datatype=ox.NamedNode(XSD.anyURI)))]
    return triples


def _json(accept: str | None, override: str | None) -> bool:
    """JSON, unless the client asks for an RDF format (by `format=`, or naming it above JSON)."""
    if override is not None:
        return override.strip().lower() in {"json", JSON}
    wanted = quality(accept, JSON)
    return wanted > 0 and wanted >= rdf_quality(accept)


@router.get("/prefixes", summary="The prefixes queries and updates may use without declaring them")
def prefixes(request: Request) -> Response:
    known, accept, override = sparql_prefixes(), request.headers.get("accept"), format_override(request)
    if _json(accept, override):
        return JSONResponse(known, headers={"Vary": "Accept"})
    fmt = negotiate(accept, GRAPH_FORMATS, override)
    body = ox.serialize(declarations(str(request.url_for("prefixes")), known), format=fmt,
                        prefixes={**known, "sh": str(SH), "xsd": str(XSD)})
    return Response(body, media_type=fmt.media_type, headers={"Vary": "Accept"})
