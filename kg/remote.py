"""A SPARQL 1.1 engine over HTTP, with the read and write API of the embedded `Store`.

Queries go out over the SPARQL 1.1 Protocol and come back as pyoxigraph's typed results
(`parse_query_results`, `parse`), so everything written against the embedded store — the
server's jobs and reads, the CLI — runs unchanged against Oxigraph's server, Virtuoso, Fuseki,
QLever or a managed cluster. Writes are `Change`s sent as SPARQL Update; whole graphs go by the
Graph Store Protocol (PUT, streamed).

Engines are named by a spec (`EngineSpec.parse`):
- `oxigraph:http://HOST:PORT` — `/query`, `/update`, `/store`; the union default graph by the
  query's `union-default-graph` option;
- `virtuoso:http://HOST:PORT` — `/sparql`, `/sparql-auth` and `/sparql-graph-crud-auth` with
  digest authentication; Virtuoso's default graph is already every graph, its own system graphs
  included, so queries without a dataset name ours as the dataset (`default-graph-uri` and
  `named-graph-uri`, one per graph);
- `sparql:QUERY_URL` with `update=` and `store=` URLs for anything else; its default graph is the
  engine's own (set the engine's union option, as Fuseki's `tdb2:unionDefaultGraph`).

Credentials come from the environment only: `KG_ENGINE_USER` and `KG_ENGINE_PASSWORD` (basic,
or digest for Virtuoso), or `KG_ENGINE_TOKEN` (bearer).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import httpx
import pyoxigraph as ox

from ontology import PREFIXES

from .change import Change, graph_of
from .safety import Shape, shape, with_prefixes

PROBLEMS = "application/problem+json;q=0.1"  # errors as RFC 9457 documents, from engines that have them (ours)
SOLUTIONS_ACCEPT = f"application/sparql-results+json, application/sparql-results+xml;q=0.9, {PROBLEMS}"
GRAPH_ACCEPT = f"application/n-triples, text/plain;q=0.9, text/turtle;q=0.8, application/rdf+xml;q=0.5, {PROBLEMS}"
SYSTEM_GRAPH_PREFIXES = ("http://www.openlinksw.com/", "http://localhost:8890/", "http://localuriqaserver/",
                         "http://www.w3.org/ns/ldp#",
                         "http://www.w3.org/2002/07/owl#", "urn:activitystreams-owl:map", "virtrdf:")
UPDATE_BATCH = 5_000  # quads per INSERT DATA / DELETE DATA request
NO_GRAPH = "urn:x-higm-kg:no-graph"  # a dataset of no graph at all
GRAPHS_TTL = 5.0  # seconds the list of graphs is reused (an engine may be written to by others)


class EngineError(Exception):
    """The engine failed: it is down, too slow, or answered something that is not SPARQL."""

    def __init__(self, engine: str, message: str, *, kind: str = "failed") -> None:
        super().__init__(f"{engine}: {message}")
        self.engine, self.kind = engine, kind  # kind: unavailable, timeout, failed


class EngineRefused(ValueError):
    """The engine refused the operation itself (a 4xx): the client's fault, not the engine's.
    `detail` is the engine's own words, when it sent a problem document (RFC 9457)."""

    def __init__(self, message: str, detail: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.detail, self.status = detail, status


@dataclass(frozen=True)
class EngineSpec:
    """Where an engine answers, and how to talk to it."""

    spec: str
    query: str
    update: str | None = None
    store: str | None = None
    union: str = "as-is"  # param (Oxigraph), dataset (Virtuoso), as-is (the engine's own default graph)
    digest: bool = False
    credentials: tuple[str, str] | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    predeclares: bool = False  # the engine knows our prefixes (our own server): the text goes as it is

    @classmethod
    def parse(cls, spec: str, *, update: str | None = None, store: str | None = None,
              env: Mapping[str, str] | None = None) -> EngineSpec:
        env = os.environ if env is None else env
        kind, sep, url = spec.partition(":")
        if not sep or not url.startswith(("http://", "https://")):
            raise ValueError(f"an engine is oxigraph:URL, virtuoso:URL or sparql:QUERY_URL, not {spec!r}")
        url = url.rstrip("/")
        user, password = env.get("KG_ENGINE_USER"), env.get("KG_ENGINE_PASSWORD")
        auth = {"credentials": (user, password or "") if user else None, "token": env.get("KG_ENGINE_TOKEN")}
        if kind == "oxigraph":
            return cls(spec, f"{url}/query", update or f"{url}/update", store or f"{url}/store", "param", **auth)
        if kind == "virtuoso":
            return cls(spec, f"{url}/sparql", update or f"{url}/sparql-auth", store or f"{url}/sparql-graph-crud-auth",
                       "dataset", digest=True, **auth)
        if kind == "sparql":
            return cls(spec, url, update, store, "as-is", **auth)
        raise ValueError(f"unknown engine kind {kind!r}: use oxigraph:, virtuoso: or sparql:")

    @property
    def name(self) -> str:
        return self.spec.split("://", 1)[-1].split("/", 1)[0] if "://" in self.spec else self.spec

    def client(self, timeout: float) -> httpx.Client:
        auth: httpx.Auth | None = None
        if self.credentials:
            auth = httpx.DigestAuth(*self.credentials) if self.digest else httpx.BasicAuth(*self.credentials)
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return httpx.Client(timeout=timeout, auth=auth, headers=headers)


class Triples(list[ox.Triple]):
    """The answer of a CONSTRUCT or DESCRIBE from a remote engine."""


class RemoteStore:
    """The `Store` API over a remote engine. `version` counts the writes made through it."""

    path: Path | None = None

    def __init__(self, spec: EngineSpec, timeout: float = 30.0, client: httpx.Client | None = None) -> None:
        self.spec, self.timeout = spec, timeout
        self._client = client or spec.client(timeout)
        self.version = 0
        self._graphs: tuple[int, float, list[str]] | None = None

    def close(self) -> None:
        self._client.close()

    # -- the protocol --------------------------------------------------------------------------

    def _post(self, url: str, *, data: Mapping[str, object] | None = None, params: Mapping[str, object] | None = None,
              content: bytes | Iterator[bytes] | None = None, headers: Mapping[str, str] | None = None,
              method: str = "POST", timeout: float | None = None) -> httpx.Response:
        try:
            response = self._client.request(method, url, data=data, params=params, content=content, headers=headers,
                                            timeout=timeout or self.timeout)
        except httpx.TimeoutException:
            raise EngineError(self.spec.name, f"no answer within {timeout or self.timeout:g} s", kind="timeout") from None
        except httpx.TransportError as error:
            raise EngineError(self.spec.name, f"unreachable ({error})", kind="unavailable") from None
        if 400 <= response.status_code < 500 and response.status_code not in {401, 403, 408, 429}:
            raise EngineRefused(f"{self.spec.name} refused it: {_message(response)}", _detail(response),
                                response.status_code)
        if response.status_code in {503, 429}:
            raise EngineError(self.spec.name, f"HTTP {response.status_code}", kind="unavailable")
        if response.status_code >= 300:
            raise EngineError(self.spec.name, f"HTTP {response.status_code}: {_message(response)}")
        return response

    def _dataset(self, operation: Shape, default_graphs: Sequence[str] | None,
                 named_graphs: Sequence[str] | None) -> dict[str, object]:
        params: dict[str, object] = {}
        if default_graphs or named_graphs:
            params["default-graph-uri"] = list(default_graphs or ())
            params["named-graph-uri"] = list(named_graphs or ())
        elif not operation.declares_dataset:  # the union of all graphs, as the embedded store
            if self.spec.union == "param":
                params["union-default-graph"] = ""
            elif self.spec.union == "dataset":
                graphs = self.graphs() or [NO_GRAPH]  # none yet: still not the engine's own graphs
                params["default-graph-uri"], params["named-graph-uri"] = graphs, graphs
        return params

    def _prefixed(self, sparql: str, operation: Shape) -> str:
        """The text to send: as it is to an engine that predeclares our prefixes (its errors then
        name the lines the user wrote), else with the PREFIX lines it needs."""
        return sparql if self.spec.predeclares else with_prefixes(sparql, operation)

    def query(self, sparql: str, *, default_graphs: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None, substitutions: Mapping[str, object] | None = None,
              base_iri: str | None = None, timeout: float | None = None) -> ox.QuerySolutions | ox.QueryBoolean | Triples:
        """A query's answer as typed results; the union of all graphs when no dataset is given. The
        predeclared prefixes it uses are declared in the text sent."""
        if substitutions:
            raise ValueError("a remote engine takes no substitutions: bind values in the text (VALUES)")
        operation = shape(sparql, base_iri)
        params = self._dataset(operation, default_graphs, named_graphs)
        result = self._results(self._post(self.spec.query, data={"query": self._prefixed(sparql, operation), **params},
                                          headers={"Accept": accept(operation)}, timeout=timeout))
        if form(operation) == "ASK" and isinstance(result, ox.QuerySolutions):
            return _boolean(result)  # Virtuoso 7 answers ASK as one row of ?__ASK_RETVAL
        return result

    def _results(self, response: httpx.Response) -> ox.QuerySolutions | ox.QueryBoolean | Triples:
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            results = ox.QueryResultsFormat.from_media_type(media)
            if results is not None:
                return ox.parse_query_results(response.content, format=results)
            rdf = ox.RdfFormat.from_media_type("application/n-triples" if media == "text/plain" else media)
            if rdf is not None:
                return Triples(q.triple if isinstance(q, ox.Quad) else q for q in ox.parse(response.content, format=rdf))
        except (SyntaxError, ValueError) as error:
            raise EngineError(self.spec.name, f"answered something that is not {media}: {error}") from None
        raise EngineError(self.spec.name, f"answered {media or 'no content type'}, not SPARQL results or RDF")

    def update(self, sparql: str, *, using_graphs: Sequence[str] = (), using_named_graphs: Sequence[str] = (),
               timeout: float | None = None, direct: bool = False) -> None:
        """Run an update: sent as a form, or (`direct`) as the body itself (application/sparql-update),
        which is smaller for data."""
        if not self.spec.update:
            raise EngineRefused(f"{self.spec.name} has no update endpoint (--engine-update)")
        if direct:
            self._post(self.spec.update, content=sparql.encode(), timeout=timeout,
                       params={"using-graph-uri": list(using_graphs), "using-named-graph-uri": list(using_named_graphs)},
                       headers={"Content-Type": "application/sparql-update"})
        else:
            data = {"update": sparql, "using-graph-uri": list(using_graphs),
                    "using-named-graph-uri": list(using_named_graphs)}
            self._post(self.spec.update, data=data, timeout=timeout)
        self.version += 1

    # -- reads, as the embedded store has them -------------------------------------------------

    def graphs(self) -> list[str]:
        """Our named graphs (an engine's own system graphs left out), sorted; asked again at most
        every GRAPHS_TTL seconds, and after every write made through this store."""
        cached = self._graphs
        if cached and cached[0] == self.version and time.monotonic() - cached[1] < GRAPHS_TTL:
            return cached[2]
        response = self._post(self.spec.query, data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
                              headers={"Accept": SOLUTIONS_ACCEPT})
        rows = self._results(response)
        found = sorted(g for g in (row["g"].value for row in rows) if not g.startswith(SYSTEM_GRAPH_PREFIXES))  # type: ignore[index, union-attr]
        self._graphs = (self.version, time.monotonic(), found)
        return found

    def has_graph(self, graph: str) -> bool:
        return bool(self.query(f"ASK {{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}"))

    def contains_graph(self, graph: str) -> bool:
        return graph in self.graphs() or self.has_graph(graph)

    def graph_size(self, graph: str) -> int:
        [row] = list(self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}"))
        return int(row["n"].value)

    def graph_sizes(self) -> dict[str, int]:
        return {graph: self.graph_size(graph) for graph in self.graphs()}

    def class_counts(self) -> dict[str, int]:
        rows = self.query("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) ?c")
        return {row["c"].value: int(row["n"].value) for row in rows}

    def triples_of(self, graph: str | None) -> Iterator[ox.Triple]:
        """The triples stored in one named graph, or (None) in the engine's own default graph (asked
        for with no dataset and no union option, so not through `query`)."""
        if graph is None:
            response = self._post(self.spec.query, data={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                                  headers={"Accept": GRAPH_ACCEPT})
            return iter(self._results(response))  # type: ignore[arg-type]
        return iter(self.triples(graph))

    def triples(self, graph: str | None = None) -> list[ox.Triple]:
        where = f"GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
        return list(self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }}"))  # type: ignore[arg-type]

    def quads(self) -> Iterator[ox.Quad]:
        for graph in self.graphs():
            g = ox.NamedNode(graph)
            yield from (ox.Quad(t.subject, t.predicate, t.object, g) for t in self.triples_of(graph))

    def subject_quads(self, graph: str, subject: str) -> list[ox.Quad]:
        rows = self.query(f"SELECT ?p ?o WHERE {{ GRAPH {ox.NamedNode(graph)} {{ {ox.NamedNode(subject)} ?p ?o }} }}")
        return [ox.Quad(ox.NamedNode(subject), row["p"], row["o"], ox.NamedNode(graph)) for row in rows]

    def serialize(self, format: ox.RdfFormat, graph: str | None = None) -> bytes:
        if format.supports_datasets:
            quads = self.quads() if graph is None else (
                ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph)) for t in self.triples_of(graph))
            return ox.serialize(quads, format=format, prefixes=PREFIXES)
        return ox.serialize(self.triples(graph), format=format, prefixes=PREFIXES)

    def dump(self, output: BinaryIO) -> None:
        ox.serialize(self.quads(), output, format=ox.RdfFormat.N_QUADS)

    def dump_file(self, path: str, format: ox.RdfFormat) -> None:
        ox.serialize(self.quads(), path, format=format, prefixes=PREFIXES)

    def __len__(self) -> int:
        [row] = list(self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"))
        return int(row["n"].value)

    # -- writes --------------------------------------------------------------------------------

    def apply(self, change: Change) -> None:
        """A change as SPARQL Update requests: graphs emptied, quads removed, graphs dropped, quads
        added, graphs created, in the order the embedded store applies them."""
        if change.added_files:
            raise ValueError("a change that loads files is published graph by graph (kg publish)")
        texts = list(change_updates(change))
        if texts:
            self.update(" ;\n".join(texts))  # one request: one transaction where the engine has them

    def put_graph(self, graph: str, triples: Iterable[ox.Triple]) -> None:
        """Replace one graph by the Graph Store Protocol (PUT), the body streamed as N-Triples."""
        if not self.spec.store:
            raise EngineRefused(f"{self.spec.name} has no Graph Store endpoint (--engine-store)")
        body: bytes | Iterator[bytes] = _ntriples(triples)
        if self.spec.digest and self.spec.credentials:  # digest answers 401 first: the body is sent twice
            body = b"".join(body)
        self._post(self.spec.store, method="PUT", params={"graph": graph}, content=body,
                   headers={"Content-Type": "application/n-triples"}, timeout=max(self.timeout, 600.0))
        self.version += 1


def form(operation: Shape) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the query form's keyword, the first of them in the text."""
    return next((t.text.upper() for t in operation.tokens if t.is_word("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")),
                "SELECT")


def accept(operation: Shape) -> str:
    """What to ask the engine for: solutions for SELECT and ASK, RDF for CONSTRUCT and DESCRIBE."""
    return GRAPH_ACCEPT if form(operation) in {"CONSTRUCT", "DESCRIBE"} else SOLUTIONS_ACCEPT


def _boolean(solutions: ox.QuerySolutions) -> ox.QueryBoolean:
    """An ASK answered as solutions: true when a row has a true or non-zero value."""
    value = any(term is not None and term.value not in {"0", "false"} for row in solutions for term in row)
    data = json.dumps({"head": {}, "boolean": value}).encode()
    return ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)  # type: ignore[return-value]


def change_updates(change: Change) -> Iterator[str]:
    """SPARQL Update texts that have the effect of a change on any engine."""
    for graph in sorted(change.cleared, key=lambda g: g or ""):
        yield "CLEAR SILENT DEFAULT" if graph is None else f"CLEAR SILENT GRAPH {ox.NamedNode(graph)}"
    yield from _data("DELETE DATA", change.removed)
    for graph in sorted(change.dropped):
        yield f"DROP SILENT GRAPH {ox.NamedNode(graph)}"
    yield from _data("INSERT DATA", change.added)
    for graph in sorted(change.created):
        yield f"CREATE SILENT GRAPH {ox.NamedNode(graph)}"


def _data(operation: str, quads: Iterable[ox.Quad]) -> Iterator[str]:
    batch: list[ox.Quad] = []
    for quad in sorted(quads, key=str):
        if operation == "DELETE DATA" and any(isinstance(t, ox.BlankNode) for t in (quad.subject, quad.object)):
            raise EngineRefused("blank nodes cannot be deleted by DELETE DATA on a remote engine")
        batch.append(quad)
        if len(batch) == UPDATE_BATCH:
            yield _block(operation, batch)
            batch = []
    if batch:
        yield _block(operation, batch)


def _block(operation: str, quads: list[ox.Quad]) -> str:
    by_graph: dict[str | None, list[str]] = {}
    for quad in quads:
        by_graph.setdefault(graph_of(quad), []).append(f"{quad.subject} {quad.predicate} {quad.object} .")
    parts = [" ".join(lines) if graph is None else f"GRAPH {ox.NamedNode(graph)} {{ {' '.join(lines)} }}"
             for graph, lines in by_graph.items()]
    return f"{operation} {{ {' '.join(parts)} }}"


def _ntriples(triples: Iterable[ox.Triple], chunk: int = 10_000) -> Iterator[bytes]:
    batch: list[ox.Triple] = []
    for triple in triples:
        batch.append(triple)
        if len(batch) == chunk:
            yield ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES)
            batch = []
    if batch:
        yield ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES)


def _message(response: httpx.Response) -> str:
    text = " ".join((_detail(response) or response.text).split())
    return text[:300] if text else f"HTTP {response.status_code}"


def _detail(response: httpx.Response) -> str | None:
    """The `detail` of a problem document (RFC 9457), as the engine wrote it."""
    if response.headers.get("content-type", "").split(";")[0].strip() != "application/problem+json":
        return None
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return None
    return detail if isinstance(detail, str) else None


def checksum(triples: Iterable[ox.Triple]) -> str:
    """SHA-256 of a graph's triples as N-Triples lines, in the order given (a store gives the same
    content in the same order), streamed."""
    digest = hashlib.sha256()
    for line in _ntriples(triples):
        digest.update(line)
    return digest.hexdigest()
