"""Errors a person can act on: SPARQL syntax errors in words, one problem shape over HTTP,
the same text in the CLI, and loaders that say what a file is not."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli.main import app
from kg.messages import explain, in_words, nearest
from kg.settings import Settings
from kg.store import Store
from loaders import LoadError
from loaders.build import build
from server.app import create_app
from server.problems import MEDIA_TYPE

TOKEN = "errors-token"
MONDO = "http://purl.obolibrary.org/obo/MONDO_"


@pytest.fixture(scope="module")
def on_disk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("errors") / "store"
    assert CliRunner().invoke(app, ["build", "--without-hpo", "--store", str(path)]).exit_code == 0
    return path


@pytest.fixture(scope="module")
def client() -> TestClient:
    store = Store.open()
    build(store, with_hpo=False)
    with TestClient(create_app(store, Settings(update_token=TOKEN))) as test_client:
        yield test_client


# (query, line, column, words the message must hold)
SYNTAX = [
    ("SELECT * WHERE { ?s mondoo:x ?o }", 1, 21, ["the prefix 'mondoo:' is not declared", f"did you mean 'MONDO:' <{MONDO}>"]),
    ("SELECT * WHERE { ?s ?p ?o FILTER(?o = foaf:x) }", 1, 39, ["the prefix 'foaf:' is not declared", "PREFIX foaf: <…>"]),
    ("SELEC * WHERE { ?s ?p ?o }", 1, 1, ["'SELEC' is not a SPARQL keyword", "did you mean SELECT?"]),
    ("SELECT (COUNT(*) AS ?n WHERE { ?s ?p ?o }", 1, 24, ["expected ')'"]),
    ("SELECT * WHERE { ?s ?p ?o } ORDER ?s", 1, 37, ["expected the keyword BY"]),
    ("CONSTRUCT { ?s ?p } WHERE { ?s ?p ?o }", 1, 19, ["expected a variable, an IRI, a prefixed name, a literal"]),
    ("SELECT *\nWHERE { ?s ?p ?o }\nLIMIT", 3, 6, ["expected a number"]),
    ("SELECT * WHERE { ?s <bad iri> ?o }", 1, 21, ["expected a valid IRI"]),
    ("PREFIX ex: <http://example.org/>\nSELECT *\nWHERE {\n  ?s ex:p ?o .\n  FILTER(?o > )\n}", 6, 2, ["expected an expression"]),
]


@pytest.mark.parametrize(("query", "line", "column", "words"), SYNTAX, ids=[s[0][:30] for s in SYNTAX])
def test_a_syntax_error_shows_the_spot_and_says_what_was_expected(
        client: TestClient, on_disk: Path, query: str, line: int, column: int, words: list[str]) -> None:
    text = client.get("/sparql", params={"query": query})
    assert text.status_code == 400 and text.headers["content-type"].startswith("text/plain")
    head, shown, caret = text.text.rstrip("\n").split("\n")
    assert head.startswith(f"SPARQL syntax error at line {line}, column {column}: ")
    assert all(word in head for word in words), head
    assert shown == "  " + query.split("\n")[line - 1]
    assert caret == " " * (column + 1) + "^"
    assert "\\u{" not in text.text and "[_]" not in text.text  # none of the parser's raw character ranges
    problem = client.get("/sparql", params={"query": query}, headers={"Accept": MEDIA_TYPE})
    assert problem.headers["content-type"] == MEDIA_TYPE
    body = problem.json()
    assert (body["status"], body["line"], body["column"], body["title"]) == (400, line, column, "SPARQL syntax error")
    assert body["detail"] == text.text.rstrip("\n") and body["instance"] == "/sparql"
    result = CliRunner().invoke(app, ["query", query, "--store", str(on_disk)])
    assert result.exit_code == 1 and result.stderr == f"error: {body['detail']}\n"


def test_an_update_error_is_placed_in_the_whole_update(client: TestClient) -> None:
    update = 'INSERT DATA { <http://example.org/a> <http://example.org/b> "c" } ;\nINSERT DATA { <http://example.org/a> bad:b 1 }'
    response = client.post("/sparql", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 400
    assert response.text.startswith("SPARQL syntax error at line 2, column 38: the prefix 'bad:' is not declared")
    assert response.text.split("\n")[1] == "  " + update.split("\n")[1]


@pytest.mark.parametrize(("items", "words"), [
    (['"{"'], ["'{'"]),
    (["BY"], ["the keyword BY"]),
    (['"?"', '"$"', '"<"', '":"', "[_]", '"{|"'], ["a variable", "an IRI", "a prefixed name"]),
    (["ABS", "STRSTARTS", "isLITERAL"], ["an expression"]),
    (["['0'..='9']", "GROUP"], ["a number", "the keyword GROUP"]),
    (['"\\""', '"\\\\"', '"\\\\u"'], ["the closing quote of the string"]),
])
def test_the_engines_terminals_in_words(items: list[str], words: list[str]) -> None:
    assert in_words(items) == words


@pytest.mark.parametrize(("name", "known", "meant"), [
    ("resolve-synonyms", ["resolve-synonym", "class-counts"], "resolve-synonym"),
    ("CLASS-COUNTS", ["resolve-synonym", "class-counts"], "class-counts"),
    ("zzz", ["resolve-synonym", "class-counts"], None),
])
def test_the_nearest_name(name: str, known: list[str], meant: str | None) -> None:
    assert nearest(name, known) == meant


def test_an_unexplained_message_is_kept() -> None:
    error = explain(SyntaxError("something else entirely"), "ASK {}")
    assert str(error).startswith("SPARQL syntax error at line 1, column 1: something else entirely")


# (request, status, media type asked, what the problem document holds besides its core)
PROBLEMS = [
    (lambda c, h: c.get("/api/queries/resolve-synonym", headers=h), 422, None,
     {"parameter": "synonym", "detail": "the query parameter 'synonym' is required"}),
    (lambda c, h: c.get("/api/queries/publications", params={"fromYear": "soon"}, headers=h), 422, None,
     {"parameter": "fromYear"}),
    (lambda c, h: c.get("/api/queries/resolve-synonym", params={"synonym": ""}, headers=h), 422, None,
     {"parameter": "synonym"}),  # an empty value is no value
    (lambda c, h: c.get("/api/queries/nosuch", headers=h), 404, None, {"type": "about:blank", "title": "Not Found"}),
    (lambda c, h: c.get("/no/such/page", headers=h), 404, "application/json", {"type": "about:blank"}),
    (lambda c, h: c.put("/sparql", content=b"x", headers=h), 405, "application/problem+json",
     {"title": "Method Not Allowed"}),
    (lambda c, h: c.get("/sparql", params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"},
                        headers=h), 403, "application/json", {"title": "The operation is refused here"}),
    (lambda c, h: c.post("/sparql", data={"update": "CLEAR ALL"}, headers=h), 401, "application/json",
     {"type": "about:blank", "title": "Unauthorized"}),
    (lambda c, h: c.get("/sparql", params={"query": "SELECT (<http://example.org/f>(?s) AS ?f) WHERE { ?s ?p ?o } LIMIT 1"},
                        headers=h), 400, "application/json", {"title": "Bad Request"}),  # a function the engine lacks
    (lambda c, h: c.get("/sparql", params={"query": "PREFIX ex: <http://example.org/> insert DATA { ex:a ex:b ex:c }"},
                        headers=h), 400, "application/json",
     {"detail": "INSERT begins an update, not a query: send it as an update (SPARQL 1.1 Protocol: POST update=…, "
                "with the update token); a query reads with SELECT, CONSTRUCT, ASK or DESCRIBE"}),
]


@pytest.mark.parametrize(("call", "status", "accept", "members"), PROBLEMS)
def test_every_error_has_one_shape(client: TestClient, call, status: int, accept: str | None,
                                   members: dict[str, object]) -> None:
    response = call(client, {"Accept": accept} if accept else {})
    assert response.status_code == status and response.headers["content-type"] == MEDIA_TYPE, response.text
    body = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= body.keys() and body["status"] == status
    assert members.items() <= body.items()
    if status == 405:
        assert response.headers["allow"] == "GET, HEAD, OPTIONS, POST"


@pytest.mark.parametrize("accept", [None, "application/sparql-results+json, application/json", "text/html", "*/*"])
def test_sparql_and_other_clients_get_the_same_words_as_text(client: TestClient, accept: str | None) -> None:
    response = client.get("/no/such/page", headers={"Accept": accept} if accept else {})
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/plain")
    assert response.text == "nothing is here; GET / has the query page, /docs the API\n"


GARBAGE = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe"


@pytest.mark.parametrize(("name", "kind"), [
    ("x.ttl", "Turtle"), ("x.nt", "N-Triples"), ("x.nq", "N-Quads"), ("x.trig", "TriG"), ("x.jsonld", "JSON-LD"),
    ("x.rdf", "RDF/XML"), ("x.yaml", "a curated YAML file"), ("x.txt", "a MedlinePlus Genetics page"),
])
def test_binary_input_is_said_to_be_not_what_it_claims(tmp_path: Path, name: str, kind: str) -> None:
    path = tmp_path / name
    path.write_bytes(GARBAGE)
    result = CliRunner().invoke(app, ["load", str(path), "--store", str(tmp_path / "store")])
    assert result.exit_code == 1
    assert result.stderr == f"error: {path}:1: not {kind}: it is not UTF-8 text (byte 0x89 at offset 0)\n"


@pytest.mark.parametrize(("data", "shown"), [
    (b'<http://a> <http://b> "x" .\n<http://a> <http://b> "x" ; bad .\n', "(in the statement that starts '<http://a>')"),
    (b"ok \x01\x02 garbage", "(in the statement that starts 'ok')"),
])
def test_an_rdf_error_names_the_statement_and_no_unprintable_input(data: bytes, shown: str) -> None:
    from loaders.rdf_file import parse

    with pytest.raises(LoadError) as caught:
        parse(data, Path("x.nt"), ox.RdfFormat.N_TRIPLES)
    message = str(caught.value)
    assert shown in message and "section" not in message and message.isprintable()


def test_a_service_endpoint_not_reached_is_a_bad_gateway() -> None:
    """With federation on, an allowed endpoint that cannot be reached (`.invalid` never resolves,
    RFC 6761) is the other endpoint's failure, 502, not the engine's 500."""
    store = Store.open()
    build(store, with_hpo=False)
    settings = Settings(service_allow=("http://kg-unreachable.invalid/",))
    query = "SELECT * WHERE { SERVICE <http://kg-unreachable.invalid/sparql> { ?s ?p ?o } }"
    with TestClient(create_app(store, settings)) as client:
        response = client.get("/sparql", params={"query": query}, headers={"Accept": "application/json"})
    assert response.status_code == 502, response.text
    assert response.json()["detail"].startswith("a SERVICE endpoint could not be reached: ")
