"""The safety check against the engine itself: what the check sees is what the engine runs.

A corpus of tricky texts (line ends, comments, strings, escapes, relative and prefixed IRIs,
nesting) is given both to the check and to the raw engine, with a bait server on loopback.
Every endpoint the engine really calls must be one the check saw; and through the server,
where the check refuses them and the engines are off the network, the bait hears nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from bait import bait_server
from fastapi.testclient import TestClient

from kg.allow_list import Endpoint
from kg.safety import Malformed, Refused, check_query, check_update, shape
from kg.settings import Settings
from kg.sparql_lexer import MAX_DEPTH, MAX_TOKENS, LexError, split
from kg.store import Store
from loaders.build import build
from server.app import create_app

TOKEN = "s3cret"
Q = "{ ?s ?p ?o }"

# (name, text with {B} for the bait's base URL, what the engine does: "call", "none" or "error")
QUERIES = [
    ("plain", "SELECT * WHERE { SERVICE <{B}/plain> " + Q + " }", "call"),
    ("lower case", "select * where { service <{B}/lower> " + Q + " }", "call"),
    ("SILENT", "SELECT * WHERE { SERVICE SILENT <{B}/silent> " + Q + " }", "call"),
    ("comment ended by CR", "SELECT * WHERE { # x\rSERVICE <{B}/cr> " + Q + "\n}", "call"),
    ("comment ended by CRLF", "SELECT * WHERE { # x\r\nSERVICE <{B}/crlf> " + Q + " }", "call"),
    ("comment ended by LF", "SELECT * WHERE { # x\nSERVICE <{B}/lf> " + Q + " }", "call"),
    ("SERVICE inside a comment", "SELECT * WHERE { ?s ?p ?o # SERVICE <{B}/commented> " + Q + "\n}", "none"),
    ("vertical tab does not end a comment", "SELECT * WHERE { ?s ?p ?o # x\x0bSERVICE <{B}/vt> " + Q + "\n}", "none"),
    ("form feed does not end a comment", "SELECT * WHERE { ?s ?p ?o # x\x0cSERVICE <{B}/ff> " + Q + "\n}", "none"),
    ("line separator does not end a comment", "SELECT * WHERE { ?s ?p ?o # x\u2028SERVICE <{B}/ls> " + Q + "\n}", "none"),
    ("escaped newline in a comment", "SELECT * WHERE { ?s ?p ?o # x\\u000ASERVICE <{B}/unl> " + Q + "\n}", "none"),
    ("hash inside an IRI", "SELECT * WHERE { BIND(<http://e/p#x> AS ?x) SERVICE <{B}/hashiri> " + Q + " }", "call"),
    ("hash inside a string", 'SELECT * WHERE { BIND("# x" AS ?x) SERVICE <{B}/hashstr> ' + Q + " }", "call"),
    ("escaped quote in a string", 'SELECT * WHERE { BIND("\\" # x" AS ?x) SERVICE <{B}/esc> ' + Q + " }", "call"),
    ("long string with quotes and CR", 'SELECT * WHERE { BIND("""a""b\r#c""" AS ?x) SERVICE <{B}/long> ' + Q + " }", "call"),
    ("SERVICE inside a long string", 'SELECT * WHERE { BIND("""\nSERVICE <{B}/instr> { }\n""" AS ?x) }', "none"),
    ("single-quoted long string", "SELECT * WHERE { BIND('''it''s''' AS ?x) SERVICE <{B}/sq> " + Q + " }", "call"),
    ("codepoint escape in the IRI", "SELECT * WHERE { SERVICE <{B}\\u002Fucp> " + Q + " }", "call"),
    ("long codepoint escape in the IRI", "SELECT * WHERE { SERVICE <{B}\\U0000002FUcp> " + Q + " }", "call"),
    ("codepoint escape as the keyword", "SELECT * WHERE { \\u0053ERVICE <{B}/kw> " + Q + " }", "error"),
    ("escaped opening bracket", "SELECT * WHERE { SERVICE \\u003C{B}/lt> " + Q + " }", "error"),
    ("escaped hash outside a string", "SELECT * WHERE { \\u0023 x\nSERVICE <{B}/uhash> " + Q + " }", "error"),
    ("escaped quote opening a string", 'SELECT * WHERE { BIND("\\u0022 AS ?x) SERVICE <{B}/uq> ' + Q + ' }', "error"),
    ("relative to BASE", "BASE <{B}/base/> SELECT * WHERE { SERVICE <rel> " + Q + " }", "call"),
    ("relative to a relative BASE", "BASE <{B}/a/> BASE <../b/> SELECT * WHERE { SERVICE <c> " + Q + " }", "call"),
    ("relative to the endpoint", "SELECT * WHERE { SERVICE <endpoint-relative> " + Q + " }", "call"),
    ("dot segments", "SELECT * WHERE { SERVICE <{B}/x/../dots> " + Q + " }", "call"),
    ("prefixed name", "PREFIX b: <{B}/pfx/> SELECT * WHERE { SERVICE b:name " + Q + " }", "call"),
    ("prefixed with a local escape", "PREFIX b: <{B}/> SELECT * WHERE { SERVICE b:a\\~b " + Q + " }", "call"),
    ("prefixed, percent-encoded", "PREFIX b: <{B}/> SELECT * WHERE { SERVICE b:pct%41 " + Q + " }", "call"),
    ("prefix named SERVICE (refused: it begins with a keyword)", "PREFIX SERVICE: <{B}/> SELECT * WHERE { ?s ?p SERVICE:x }", "none refused"),
    ("inside OPTIONAL", "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <{B}/opt> " + Q + " } }", "call"),
    ("inside EXISTS", "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <{B}/exists> " + Q + " } }", "call"),
    ("inside a subquery", "SELECT * WHERE { { SELECT * WHERE { SERVICE <{B}/sub> " + Q + " } } }", "call"),
    ("inside GRAPH and UNION", "SELECT * WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { SERVICE <{B}/union> " + Q + " } }", "call"),
    ("after a comparison", "SELECT * WHERE { ?s ?p ?o FILTER(?o<2) SERVICE <{B}/cmp> " + Q + " }", "call"),
    ("comparisons without spaces", "SELECT * WHERE { ?s ?p ?o FILTER(?o<=?o&&?o>0)SERVICE<{B}/nospace>{?s ?p ?o} }", "call"),
    ("no-break space before SERVICE", "SELECT * WHERE {\u00a0SERVICE <{B}/nbsp> " + Q + " }", "error"),
    ("two services", "SELECT * WHERE { SERVICE <{B}/one> " + Q + " SERVICE <{B}/two> " + Q + " }", "call"),
]
UPDATES = [
    ("LOAD", "LOAD <{B}/load>", "call"),
    ("LOAD after a CR comment", "# x\rLOAD <{B}/loadcr>\n", "call"),
    ("LOAD SILENT into a graph", "LOAD SILENT <{B}/silent> INTO GRAPH <http://example.org/g>", "call"),
    ("LOAD as the second operation", "INSERT DATA { <http://e/s> <http://e/p> 1 } ;\rLOAD <{B}/second>", "call"),
    ("SERVICE in an update's WHERE", "INSERT { ?s ?p ?o } WHERE { # x\rSERVICE <{B}/upd> " + Q + "\n}", "call"),
    ("LOAD in a string", 'INSERT DATA { <http://e/s> <http://e/p> "LOAD <{B}/str>" }', "none"),
]


def _engine_calls(text: str, base: str, kind: str) -> list[str]:
    """Run `text` on a raw engine (not ours: it may fetch) and return the paths it fetched."""
    with bait_server() as (address, seen):
        store = ox.Store()
        store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal(1)))
        try:
            if kind == "update":
                store.update(text.replace("{B}", address), base_iri=base.replace("{B}", address))
            else:
                result = store.query(text.replace("{B}", address), base_iri=base.replace("{B}", address))
                list(result) if isinstance(result, ox.QuerySolutions) else bool(result)
        except (SyntaxError, OSError, RuntimeError):
            pass
        return list(seen), address


def _checked(text: str, base: str) -> tuple[str, ...] | None:
    try:
        return shape(text, base).services
    except Malformed:
        return None


@pytest.mark.parametrize(("kind", "name", "text", "expected"),
                         [("query", *q) for q in QUERIES] + [("update", *u) for u in UPDATES],
                         ids=[q[0] for q in QUERIES] + [u[0] for u in UPDATES])
def test_the_check_sees_what_the_engine_calls(kind: str, name: str, text: str, expected: str) -> None:
    base = "{B}/endpoint"
    called, address = _engine_calls(text, base, kind)
    assert bool(called) == expected.startswith("call"), f"the engine's behaviour changed: {called}"
    concrete = text.replace("{B}", address)
    services = _checked(concrete, base.replace("{B}", address))
    if expected == "error" or expected.endswith("refused"):
        assert services is None  # the check refuses what the engine cannot read either
        return
    assert services is not None
    loads = shape(concrete, address).loads
    seen_paths = {s[len(address):] for s in services if s.startswith(address)}
    assert set(called) <= seen_paths or loads, (called, services)


@pytest.fixture(scope="module")
def server() -> Iterator[TestClient]:
    store = Store.open()
    build(store, with_hpo=False)
    with TestClient(create_app(store, Settings(update_token=TOKEN))) as client:
        yield client


@pytest.mark.parametrize(("kind", "name", "text", "expected"),
                         [("query", *q) for q in QUERIES] + [("update", *u) for u in UPDATES],
                         ids=[q[0] for q in QUERIES] + [u[0] for u in UPDATES])
def test_the_server_sends_nothing_out(server: TestClient, kind: str, name: str, text: str, expected: str) -> None:
    """Through the server, federation off: refused or harmless, and the bait hears nothing."""
    with bait_server() as (address, seen):
        response = server.post("/sparql", data={kind: text.replace("{B}", address)},
                               headers={"Authorization": f"Bearer {TOKEN}"})
        if expected == "call":
            assert response.status_code == 403, response.text
        elif expected.endswith("refused"):
            assert response.status_code == 400, response.text
        else:
            assert response.status_code in (200, 204, 400), response.text
        assert seen == []


# -- the lexer's bounds ----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "message"), [
    ("SELECT * WHERE " + "{" * (MAX_DEPTH + 1) + "}" * (MAX_DEPTH + 1), "nest"),
    ("SELECT * WHERE { FILTER(" + "(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1) + ") }", "nest"),
    ("SELECT (" + "+".join(["1"] * MAX_TOKENS) + " AS ?x) WHERE {}", "terminals"),
    ("SELECT * WHERE { ?s ?p ?o } }", "unbalanced"),
    ("SELECT * WHERE { ?s ?p ?o }\x00", r"U\+0000"),
    ("SELECT * WHERE { ?s ?p 'unterminated }", "unexpected character"),
])
def test_lexer_refuses(text: str, message: str) -> None:
    with pytest.raises(LexError, match=message):
        split(text)


def test_data_blocks_are_not_counted() -> None:
    data = " ".join(f"<http://e/s{i}> <http://e/p> {i} ." for i in range(MAX_TOKENS))
    assert len(split(f"INSERT DATA {{ {data} }}")) > MAX_TOKENS


@pytest.mark.parametrize(("text", "kinds"), [
    ('?s <p> "x"@en-GB--ltr', ["var", "iri", "string", "langtag"]),
    ("ex:a\\#b ex: :x _:b1 $v", ["pname", "pname", "pname", "bnode", "var"]),
    ("1 1.5 .5e3 1e-2 'a' '''b'''", ["number"] * 4 + ["string"] * 2),
    ("<< ?s ?p ?o >> ^^ && || != <= >=", ["punct", "var", "var", "var", "punct", "punct", "punct", "punct", "punct", "punct", "punct"]),
])
def test_lexer_terminals(text: str, kinds: list[str]) -> None:
    assert [t.kind for t in split(text)] == kinds


# -- the decisions --------------------------------------------------------------------------------

FEDERATED = Settings(service_allow=("http://allowed.example/sparql",))


@pytest.mark.parametrize(("text", "settings", "outcome"), [
    ("SELECT * WHERE { SERVICE <http://allowed.example/sparql> {} }", FEDERATED, "ok"),
    ("SELECT * WHERE { SERVICE <http://allowed.example/sparql/sub> {} }", FEDERATED, "ok"),
    ("SELECT * WHERE { SERVICE <http://allowed.example.evil/sparql> {} }", FEDERATED, Refused),
    ("SELECT * WHERE { SERVICE <http://allowed.example/sparqlx> {} }", FEDERATED, Refused),
    ("SELECT * WHERE { SERVICE <http://allowed.example/sparql/../admin> {} }", FEDERATED, Refused),
    ("SELECT * WHERE { SERVICE <http://u@allowed.example/sparql> {} }", FEDERATED, Refused),
    ("SELECT * WHERE { SERVICE ?endpoint {} }", FEDERATED, Refused),
    ("SELECT * WHERE { SERVICE <http://allowed.example/sparql> {} }", Settings(), Refused),
    ("SELECT * FROM <file:///etc/passwd> WHERE {}", Settings(), Refused),
    ("BASE <file:///etc/> SELECT * WHERE { <passwd> ?p ?o }", Settings(), Refused),
    ("PREFIX f: <file:///etc/> SELECT * WHERE { f:passwd ?p ?o }", Settings(), Refused),
    ("SELECT * WHERE { SERVICE <relative> {} }", FEDERATED, Malformed),
    ("SELECT * WHERE { SERVICE u:x {} }", FEDERATED, Malformed),
])
def test_query_decisions(text: str, settings: Settings, outcome: object) -> None:
    if outcome == "ok":
        check_query(text, settings)
    else:
        with pytest.raises(outcome):  # type: ignore[call-overload]
            check_query(text, settings)


def test_dataset_declared_behind_a_cr_comment_is_seen() -> None:
    assert shape("SELECT * # x\rFROM <http://example.org/g>\nWHERE { ?s ?p ?o }").declares_dataset


def test_using_parameters_beside_with_are_refused() -> None:
    with pytest.raises(Malformed):
        check_update("WITH <http://e/g> # x\rINSERT { ?s ?p ?o } WHERE { ?s ?p ?o }", Settings(), using_parameters=True)


@pytest.mark.parametrize(("entry", "url", "admitted"), [
    ("https://sparql.uniprot.org/", "https://sparql.uniprot.org/sparql", True),
    ("https://sparql.uniprot.org/sparql", "https://sparql.uniprot.org:443/sparql", True),
    ("https://sparql.uniprot.org/sparql", "http://sparql.uniprot.org/sparql", False),
    ("https://sparql.uniprot.org/sparql", "https://sparql.uniprot.org:8443/sparql", False),
    ("https://sparql.uniprot.org/sparql", "https://SPARQL.uniprot.org/sparql", True),
    ("https://sparql.uniprot.org/sparql", "https://sparql.uniprot.org/%2e%2e/admin", False),
])
def test_allow_list_compares_parsed_urls(entry: str, url: str, admitted: bool) -> None:
    assert Endpoint.parse(entry).admits(url) is admitted


@pytest.mark.parametrize("entry", ["ftp://example.org/", "http://user:pw@example.org/", "not a url"])
def test_allow_list_entries_must_be_plain_http_urls(entry: str) -> None:
    with pytest.raises(ValueError, match="KG_SERVICE_ALLOW"):
        Settings(service_allow=(entry,))
