"""The SPARQL Service Description and the VoID description of the dataset, as RDF.

Both are made from the statistics the server holds (see `refresher`), never by counting: a
request for either costs a serialisation. The VoID is `kg.void`'s (the shape of SIB's
void-generator), at the address the client asked; the Service Description names the endpoint,
its languages, features and formats, and takes the dataset and its named graphs from the VoID.
"""

from __future__ import annotations

import datetime
import email.utils
from collections.abc import Iterator, Mapping, Sequence

import pyoxigraph as ox

from kg import void
from kg.statistics import Statistics
from ontology import DATASET, DERIVED_GRAPHS, ENDPOINT, PREFIXES, RDF, SD, SH, VOID, VOID_EXT

from .negotiation import GRAPH_FORMATS, RESULT_FORMATS

Triple = ox.Triple
PREFIXES_OUT = {**PREFIXES, "sd": str(SD), "void-ext": str(VOID_EXT), "sh": str(SH)}  # for what is written here
_TYPE = ox.NamedNode(str(RDF.type))


def _sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(str(SD[name]))


def void_triples(stats: Statistics | None, *, endpoint: str, dumps: Sequence[str] = (),
                 graph_dumps: Mapping[str, str] | None = None) -> Iterator[Triple]:
    """The VoID of the dataset and of each named graph, with the dumps that are ready: of the
    whole (`dumps`) and of each graph (`graph_dumps`, by graph)."""
    derived = [str(g) for g in DERIVED_GRAPHS]
    if stats is None:  # figures are being made: the dataset, the endpoint and the dumps only
        dataset = ox.NamedNode(str(DATASET))
        yield Triple(dataset, _TYPE, ox.NamedNode(str(VOID.Dataset)))
        yield Triple(dataset, ox.NamedNode(str(VOID.sparqlEndpoint)), ox.NamedNode(endpoint))
        yield from (Triple(dataset, ox.NamedNode(str(VOID.dataDump)), ox.NamedNode(d)) for d in dumps)
        return
    yield from void.triples(stats, endpoint=endpoint, dumps=dumps, named=derived)
    for graph, url in (graph_dumps or {}).items():
        yield Triple(ox.NamedNode(graph), ox.NamedNode(str(VOID.dataDump)), ox.NamedNode(url))


def service_triples(stats: Statistics | None, endpoint: str, *, updates: bool, federation: bool) -> Iterator[Triple]:
    """The Service Description of the endpoint at the URL it was asked at: the service is named
    by its IRI of ours (`…/sparql`, where our IRIs resolve), its default dataset is the VoID's
    dataset, whose named graphs the VoID lists."""
    service, dataset = ox.NamedNode(str(ENDPOINT)), ox.NamedNode(str(DATASET))
    yield Triple(service, _TYPE, _sd("Service"))
    yield Triple(service, _sd("endpoint"), ox.NamedNode(endpoint))
    yield Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query"))
    if updates:
        yield Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Update"))
    yield Triple(service, _sd("feature"), _sd("UnionDefaultGraph"))
    if federation:
        yield Triple(service, _sd("feature"), _sd("BasicFederatedQuery"))
    for fmt in (*RESULT_FORMATS, *GRAPH_FORMATS):
        yield Triple(service, _sd("resultFormat"), ox.NamedNode(fmt.iri))
    yield Triple(service, _sd("defaultDataset"), dataset)
    yield Triple(dataset, _TYPE, _sd("Dataset"))
    if stats is None:
        default = ox.BlankNode()
        yield from (Triple(dataset, _sd("defaultGraph"), default), Triple(default, _TYPE, _sd("Graph")))
    yield from void_triples(stats, endpoint=endpoint)


def validators(stats: Statistics | None, dumps: Sequence[str] = ()) -> dict[str, str]:
    """`ETag` and `Last-Modified` of a description made from `stats` (and the dumps it names)."""
    if stats is None:
        return {"ETag": f'W/"none-{void.key(*dumps)}"'}
    made = datetime.datetime.fromisoformat(stats.made)
    return {"ETag": f'W/"g{stats.generation}-{void.key(stats.made, *dumps)}"',
            "Last-Modified": email.utils.format_datetime(made.astimezone(datetime.UTC), usegmt=True)}
