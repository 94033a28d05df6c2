"""Streamed answers: the pieces make the same document as the whole, in every format; over a real
uvicorn process, a 100k-row answer arrives in pieces, and one that stops half-way (deadline,
row cap, client gone) ends visibly and gives its worker back or replaces it."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest
from live_server import build_store, serving

from bench.goals import rows_query
from server import results

TIMEOUT = 3


MIXED = """SELECT ?n ?iri ?label ?typed ?none ?bnode WHERE {
  VALUES ?n { 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 }
  BIND(IRI(CONCAT("http://example.org/item/", STR(?n))) AS ?iri)
  BIND(STRLANG(CONCAT("näme \\"", STR(?n), "\\"\\n\\tx"), "en") AS ?label)
  BIND(STRDT(STR(?n), <http://www.w3.org/2001/XMLSchema#decimal>) AS ?typed)
  BIND(IF(?n > 20, BNODE("same"), ?undefined) AS ?bnode)
}"""
TRIPLES = """CONSTRUCT { ?iri <http://www.w3.org/2000/01/rdf-schema#label> ?label ; <http://example.org/n> ?n ;
                         <http://example.org/part> _:part . _:part <http://example.org/of> ?iri }
WHERE { VALUES ?n { 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 }
        BIND(IRI(CONCAT("http://example.org/item/", STR(?n))) AS ?iri)
        BIND(STRLANG(CONCAT("näme ", STR(?n)), "en") AS ?label) }"""
EMPTY = ox.Store()


def _streamed(make, *args) -> tuple[bytes, results.Serialized, int]:
    sent: list[bytes] = []
    answer = make(*args, emit=lambda media_type, data: sent.append(data), piece_rows=4)
    return b"".join(sent), answer, len(sent)


@pytest.mark.parametrize("fmt", [f for f in results.FRAMES if isinstance(f, ox.QueryResultsFormat)],
                         ids=lambda f: f.name)
def test_streamed_solutions_are_the_whole_document_byte_for_byte(fmt: ox.QueryResultsFormat) -> None:
    whole = EMPTY.query(MIXED).serialize(format=fmt)
    body, answer, pieces = _streamed(results.solutions, EMPTY.query(MIXED), fmt, 1000)
    assert answer.streamed and not answer.truncated and answer.body == b"" and pieces > 2
    assert body == whole
    assert results.solutions(EMPTY.query(MIXED), fmt, 1000).body == whole  # and unstreamed, too


@pytest.mark.parametrize("fmt", [f for f in results.FRAMES if isinstance(f, ox.RdfFormat)], ids=lambda f: f.name)
def test_streamed_triples_are_the_whole_graph(fmt: ox.RdfFormat) -> None:
    body, answer, pieces = _streamed(results.triples, EMPTY.query(TRIPLES), fmt, 1000)
    assert answer.streamed and pieces > 2
    got = _canonical(ox.parse(body, format=fmt))
    assert got == _canonical(EMPTY.query(TRIPLES)) and len(got) == 17 * 4


def _canonical(triples) -> set[str]:
    """The graph with its blank nodes named by its shape (each run of the query makes new ones)."""
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return {str(q) for q in dataset}


@pytest.mark.parametrize(("piece_rows", "max_rows", "streamed", "truncated", "kept"), [
    (30, 1000, False, False, 23),  # the answer in one piece: one document
    (4, 23, True, False, 23),  # the cap is the answer's size: all of it, not marked
    (4, 22, True, True, 22),  # the cap cuts a streamed answer at exactly the cap
    (4, 2, False, True, 2),  # the cap within the first piece: one document, marked
])
def test_pieces_and_the_row_cap(piece_rows: int, max_rows: int, streamed: bool, truncated: bool, kept: int) -> None:
    sent: list[bytes] = []
    answer = results.solutions(EMPTY.query(MIXED), ox.QueryResultsFormat.TSV, max_rows,
                               emit=lambda media_type, data: sent.append(data), piece_rows=piece_rows)
    assert (answer.streamed, answer.truncated) == (streamed, truncated)
    body = b"".join(sent) if streamed else answer.body
    assert body.count(b"\n") == kept + 1 and not (sent and not streamed)


# -- over HTTP, a real uvicorn process --------------------------------------------------------------

STALLS = ("SELECT ?x WHERE { { " + rows_query(10_000).removeprefix("SELECT ?n WHERE { ").removesuffix(" }")
          + " BIND(?n AS ?x) } UNION { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
          "FILTER(STR(?c) = CONCAT(STR(?f), STR(?i), 'never')) BIND(?a AS ?x) } }")


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = build_store(tmp_path_factory.mktemp("streaming") / "store")
    with serving(store, KG_QUERY_TIMEOUT=str(TIMEOUT), KG_WORKERS="2", KG_MAX_PENDING="2") as base:
        yield base


def _get(url: str, query: str, accept: str) -> tuple[httpx.Response, bytes, int, Exception | None]:
    """The response, the bytes that came, in how many reads, and the error that ended it."""
    chunks: list[bytes] = []
    with httpx.stream("GET", f"{url}/sparql", params={"query": query}, headers={"Accept": accept},
                      timeout=TIMEOUT * 10) as response:
        try:
            chunks.extend(response.iter_raw())
        except httpx.HTTPError as error:
            return response, b"".join(chunks), len(chunks), error
    return response, b"".join(chunks), len(chunks), None


def _metric(url: str, name: str) -> float:
    lines = httpx.get(f"{url}/metrics").text.splitlines()
    return sum(float(line.split()[-1]) for line in lines if line.startswith(name))


def test_a_100k_row_select_is_streamed_and_whole(url: str) -> None:
    query = rows_query(100_000)
    hits = _metric(url, "kg_result_cache_hits_total")
    for _ in range(2):  # over 4 MiB: not kept by the cache, so both are streamed by the engine
        response, body, reads, error = _get(url, query, "application/sparql-results+json")
        assert error is None and response.status_code == 200
        assert "content-length" not in response.headers and response.headers["transfer-encoding"] == "chunked"
        assert reads > 1 and body == EMPTY.query(query).serialize(format=ox.QueryResultsFormat.JSON)
        assert len(json.loads(body)["results"]["bindings"]) == 100_000
    assert _metric(url, "kg_result_cache_hits_total") == hits
    assert _metric(url, "kg_sparql_streamed_total") >= 2


def test_a_streamed_answer_that_ends_whole_is_kept_by_the_cache(url: str) -> None:
    query = rows_query(10_000)  # two pieces, well under 4 MiB
    hits = _metric(url, "kg_result_cache_hits_total")
    streamed, body, _, error = _get(url, query, "text/csv")
    assert error is None and "content-length" not in streamed.headers
    cached = httpx.get(f"{url}/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert cached.content == body and int(cached.headers["content-length"]) == len(body)
    assert _metric(url, "kg_result_cache_hits_total") == hits + 1


def test_a_cut_stream_is_not_kept(url: str) -> None:
    for _ in range(2):
        response, _, _, error = _get(url, rows_query(1_000_000), "text/tab-separated-values")
        assert response.status_code == 200 and isinstance(error, httpx.RemoteProtocolError)


def test_a_100k_triple_construct_is_streamed(url: str) -> None:
    query = rows_query(100_000).replace("SELECT ?n WHERE", "CONSTRUCT { ?s <http://example.org/n> ?n } WHERE", 1)
    query = query.removesuffix(" }") + ' BIND(IRI(CONCAT("http://example.org/", STR(?n))) AS ?s) }'
    response, body, reads, error = _get(url, query, "text/turtle")
    assert error is None and response.status_code == 200 and reads > 1
    assert len(list(ox.parse(body, format=ox.RdfFormat.TURTLE))) == 100_000


@pytest.mark.parametrize(("case", "query", "accept", "reason"), [
    ("deadline", STALLS, "text/tab-separated-values", "deadline"),
    ("row cap", rows_query(1_000_000), "text/csv", "cap"),
    ("row cap, json", rows_query(1_000_000), "application/sparql-results+json", "cap"),
])
def test_a_stream_that_stops_half_way_ends_visibly(url: str, case: str, query: str, accept: str, reason: str) -> None:
    cuts = _metric(url, f'kg_sparql_stream_cuts_total{{reason="{reason}"}}')
    response, body, _, error = _get(url, query, accept)
    assert response.status_code == 200, case  # the rows had started to arrive
    assert isinstance(error, httpx.RemoteProtocolError), f"{case}: the body must end unfinished, not look whole"
    rows_sent, cut = body.rstrip().rsplit(b"\n", 1)
    assert cut.startswith(b"# kg: answer cut: ") and len(rows_sent) > 20_000
    if "json" in accept:  # left unclosed: no JSON parser takes it for a whole answer
        with pytest.raises(ValueError):
            json.loads(rows_sent)
    assert _metric(url, f'kg_sparql_stream_cuts_total{{reason="{reason}"}}') == cuts + 1
    assert httpx.get(f"{url}/sparql", params={"query": rows_query(10)}).status_code == 200  # served again


def test_clients_that_leave_mid_stream_free_their_workers(url: str) -> None:
    """More clients leave half-way than there are workers and places in the queue together."""
    for _ in range(8):
        with httpx.stream("GET", f"{url}/sparql", params={"query": rows_query(1_000_000)},
                          headers={"Accept": "text/csv"}, timeout=TIMEOUT * 10) as response:
            assert response.status_code == 200
            next(response.iter_raw())
    answers = [httpx.get(f"{url}/sparql", params={"query": rows_query(10)}, timeout=TIMEOUT * 10) for _ in range(4)]
    assert [a.status_code for a in answers] == [200] * 4
    assert "2 engine workers" in httpx.get(f"{url}/health").text


def test_small_answers_are_still_one_document(url: str) -> None:
    response = httpx.get(f"{url}/sparql", params={"query": rows_query(100)}, headers={"Accept": "text/csv"})
    assert response.status_code == 200 and int(response.headers["content-length"]) == len(response.content)
    lines = response.text.splitlines()
    assert lines[0] == "n" and sorted(map(int, lines[1:])) == list(range(100))


