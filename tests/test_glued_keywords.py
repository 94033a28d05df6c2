"""Keywords glued to their neighbours, prefixes that begin with keywords, predeclared prefixes and
codepoint escapes: a generated corpus given both to the check and to the raw engine.

Oxigraph takes a keyword where its letters end (`SERVICESILENT<x>` is `SERVICE SILENT <x>`).
Each text of the corpus runs on a raw engine (unconfined, with our predeclared prefixes) next
to two bait servers on loopback: A, which the allow-list names, and B, which it does not. The
test shows that every endpoint the engine contacts is one the check saw and allowed, and that
a text the check accepts is read the same way by the engine (it calls exactly the endpoints
the check saw). Then the issue's own spellings go through the server (federation on and off)
and the CLI: refused, and no bait hears anything.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox
import pytest
from bait import bait_server
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli.main import app as cli
from kg.safety import Malformed, Prologue, Refused, check_query, check_update, shape
from kg.settings import Settings
from kg.sparql_lexer import split
from kg.sparql_words import EXACT, GLUING, KEYWORDS, keyword_split
from kg.store import Store
from kg.updates import run_update
from ontology.identifiers import sparql_prefixes
from server.app import create_app

TOKEN = "s3cret"
Q = ["{", "?s", "?p", "?o", "}"]
EX = ["PREFIX", "ex:", "<{B}/pfx/>"]  # a prefix towards the bait B
TARGETS = ["<{B}/iri>", "ex:name"]
TEMPLATES = [  # (kind, tokens); {T} is the endpoint or document
    ("query", ["SELECT", "*", "WHERE", "{", "SERVICE", "SILENT", "{T}", *Q, "}"]),
    ("query", ["SELECT", "*", "WHERE", "{", "SERVICE", "{T}", *Q, "}"]),
    ("query", ["ASK", "FROM", "NAMED", "<http://e/g>", "WHERE", "{", "SERVICE", "SILENT", "{T}", *Q, "}"]),
    ("update", ["LOAD", "SILENT", "{T}", "INTO", "GRAPH", "<http://e/g>"]),
    ("update", ["LOAD", "{T}"]),
    ("update", ["ADD", "SILENT", "GRAPH", "{T}", "TO", "DEFAULT"]),
    ("update", ["INSERT", "{", "GRAPH", "<http://e/g>", *Q, "}", "WHERE", "{", "SERVICE", "SILENT", "{T}", *Q, "}"]),
]
CASES = {"upper": str.upper, "lower": str.lower, "title": str.title,
         "alternating": lambda w: "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(w))}


def _is_keyword(token: str) -> bool:
    return token.upper() in KEYWORDS


def _gluable(tokens: list[str], index: int) -> bool:
    """A keyword followed by something that begins like a keyword, an IRI or a prefixed name."""
    following = tokens[index + 1] if index + 1 < len(tokens) else ""
    return _is_keyword(tokens[index]) and (following[:1].isalpha() or following[:1] in "<{")


def _render(tokens: list[str], glued: set[int], case: str) -> str:
    words = [CASES[case](t) if _is_keyword(t) else t for t in tokens]
    return "".join(w + ("" if i in glued or i == len(words) - 1 else " ") for i, w in enumerate(words))


def glued_corpus() -> Iterator[tuple[str, str]]:
    """Each template with each target, with no glue, one glue at a time, and every glue at once,
    in every letter case; keywords glued to IRIs, prefixed names, SILENT, GRAPH, INTO and each other."""
    for (kind, template), target in itertools.product(TEMPLATES, TARGETS):
        tokens = [*(EX if target.startswith("ex:") else []), *(target if t == "{T}" else t for t in template)]
        spots = [i for i in range(len(tokens) - 1) if _gluable(tokens, i)]
        for glued, case in itertools.product([set(), *({i} for i in spots), set(spots)], CASES):
            yield kind, _render(tokens, glued, case)


LEADING = (*GLUING, "a", "true", "OPTIONAL", "MINUS", "VALUES", "BIND", "WHERE", "UNION", "ASC", "IN", "AS", "STR")


def prefix_corpus() -> Iterator[tuple[str, str]]:
    """Prefixes whose names begin with a keyword: each that may precede a name (refused), and
    others (`a`, `OPTIONAL` …: read as prefixed names by both), declared towards A next to `ex:`
    towards B, used where the keyword may stand."""
    for keyword, case in itertools.product(LEADING, ("upper", "lower")):
        name = (keyword if keyword in EXACT else CASES[case](keyword)) + "ex"
        declared = f"PREFIX {name}: <{{A}}/kw/> PREFIX ex: <{{B}}/pfx/> "
        yield "query", declared + f"SELECT * WHERE {{ SERVICE SILENT {name}:x {{ ?s ?p ?o }} }}"
        yield "query", declared + f"SELECT * WHERE {{ SERVICE {name}:x {{ ?s ?p ?o }} }}"
        yield "query", declared + f"SELECT * WHERE {{ {name}:x {{ ?s ?p ?o }} }}"
        yield "update", declared + f"LOAD SILENT {name}:x INTO GRAPH <http://e/g>"


ESCAPES = [
    ("query", "SELECT * WHERE { SERVICE <{B}\\u002Fescaped> { ?s ?p ?o } }"),
    ("query", "SELECT * WHERE { SERVICE <{A}\\u002F..\\u002F{B}> { ?s ?p ?o } }"),
    ("query", "PREFIX ex: <{B}\\u002Fpfx\\u002F> SELECT * WHERE { SERVICE ex:name { ?s ?p ?o } }"),
    ("query", "SELECT * WHERE { \\u0053ERVICE <{B}/kw> { ?s ?p ?o } }"),
    ("query", "SELECT * WHERE { SERVICE\\u0020<{B}/space> { ?s ?p ?o } }"),
    ("query", 'SELECT * WHERE { BIND("\\u0022" AS ?x) SERVICE <{B}/after-quote> { ?s ?p ?o } }'),
    ("update", "\\u004COAD <{B}/load>"),
    ("update", "LOAD <{B}\\u002Fload>"),
]
PREDECLARED = [  # our prefixes are predeclared; a text's own PREFIX wins
    ("query", "PREFIX kg: <{B}/kg/> SELECT * WHERE { SERVICE kg:x { ?s ?p ?o } }"),
    ("query", "PREFIX rdfs: <{A}/rdfs/> SELECT * WHERE { SERVICE SILENT rdfs:x { ?s ?p ?o } }"),
    ("update", "PREFIX HGNC: <{B}/hgnc/> LOAD HGNC:1"),
    ("query", "PREFIX ex: <{B}/> SELECT * WHERE { SERVICE ex:x { ?s a kg:Gene } }"),
]
CORPUS = [*glued_corpus(), *prefix_corpus(), *ESCAPES, *PREDECLARED]


@dataclass
class Baits:
    a: str
    b: str
    seen_a: list[str]
    seen_b: list[str]

    def fill(self, text: str) -> str:
        return text.replace("{A}", self.a).replace("{B}", self.b)

    def calls(self) -> set[str]:
        found = {self.a + p for p in self.seen_a} | {self.b + p for p in self.seen_b}
        self.seen_a.clear()
        self.seen_b.clear()
        return found


@pytest.fixture(scope="module")
def baits() -> Iterator[Baits]:
    with bait_server() as (a, seen_a), bait_server() as (b, seen_b):
        yield Baits(a, b, seen_a, seen_b)


def _engine_run(kind: str, text: str, base: str) -> bool:
    """Run `text` on a raw engine (it may fetch), with our predeclared prefixes; False when the
    engine refused to read it."""
    store = ox.Store()
    try:
        if kind == "update":
            store.update(text, base_iri=base, prefixes=sparql_prefixes())
        else:
            result = store.query(text, base_iri=base, prefixes=sparql_prefixes())
            list(result) if isinstance(result, ox.QuerySolutions) else bool(result)
    except SyntaxError:
        return False
    except (OSError, RuntimeError):  # the bait's 500, or a LOAD that fails
        pass
    return True


def _check(kind: str, text: str, base: str, settings: Settings) -> str:
    try:
        if kind == "update":
            check_update(text, settings, using_parameters=False, base=base)
        else:
            check_query(text, settings, base=base)
    except Refused:
        return "refused"
    except Malformed:
        return "malformed"
    return "accepted"


def test_the_corpus_is_bounded_and_covers_the_cases() -> None:
    assert 200 <= len(CORPUS) <= 2_000
    texts = [text for _, text in CORPUS]
    for spelling in ("SERVICESILENT<", "SERVICEex:", "loadsilent<", "IntoGraph<", "SILENTGRAPH", "FROMNAMED"):
        assert any(spelling.lower() in text.lower() for text in texts), spelling


@pytest.mark.parametrize(("kind", "text"), CORPUS, ids=[f"{kind}: {text[-70:]}" for kind, text in CORPUS])
def test_the_engine_contacts_only_what_the_check_saw_and_allowed(baits: Baits, kind: str, text: str) -> None:
    concrete, base = baits.fill(text), baits.b + "/base/"
    baits.calls()
    read = _engine_run(kind, concrete, base)
    called = baits.calls()
    outcome = _check(kind, concrete, base, Settings(service_allow=(baits.a + "/",)))
    if outcome == "malformed":
        return  # refused before any engine sees it
    seen = shape(concrete, base)
    assert called <= set(seen.services) or seen.loads, (called, seen.services)  # contacted: seen by the check
    if outcome == "accepted":
        assert all(url.startswith(baits.a + "/") for url in called), called  # … and allowed by it
    if read and not seen.loads:  # read the same way: the engine called exactly what the check saw
        assert called == set(seen.services), (called, seen.services)


# -- the rules themselves --------------------------------------------------------------------------


def test_no_keyword_is_two_others_the_grammar_would_accept_glued() -> None:
    """Rule 1 of `sparql_words`: a word that is exactly a keyword is never read as two. The cuts
    that exist (INTO = IN TO, STRLANG = STR LANG …) begin with a keyword that needs `(` next."""
    needs_bracket = KEYWORDS - set(GLUING) - {"WHERE", "UNION", "OPTIONAL", "MINUS", "EXISTS", "LATERAL", "DATA"}
    for word in KEYWORDS:
        cuts = [[word[:n], *rest] for n in range(1, len(word))
                if word[:n] in KEYWORDS and (rest := keyword_split(word[n:])) is not None]
        assert all(cut[0] in needs_bracket and cut[0] not in GLUING for cut in cuts), (word, cuts)


def test_no_predeclared_prefix_begins_with_a_keyword() -> None:
    for prefix in sparql_prefixes():
        assert not prefix.upper().startswith(GLUING), prefix
        assert [t.kind for t in split(f"{prefix}:x")] == ["pname"]


@pytest.mark.parametrize("prefix", sorted(sparql_prefixes()))
def test_the_check_and_the_engine_see_the_same_predeclared_prefixes(prefix: str) -> None:
    text = f"SELECT ?v WHERE {{ BIND({prefix}:local AS ?v) }}"
    [row] = list(Store.open().query(text))
    assert row["v"].value == Prologue(None).iri(split(f"{prefix}:local")[0])
    assert shape(text).predeclared == (prefix,)


def test_a_text_s_own_prefix_wins_for_both() -> None:
    text = "PREFIX kg: <http://example.org/mine#> SELECT ?v WHERE { BIND(kg:x AS ?v) }"
    [row] = list(Store.open().query(text))
    assert row["v"].value == "http://example.org/mine#x" and shape(text).predeclared == ()


@pytest.mark.parametrize(("text", "message"), [
    ("SELECT * WHERE { SERVICESILENT <http://e/> {} }", "put a space between keywords: SERVICE SILENT"),
    ("SELECT * WHERE { ?s ?p ?o } ORDERBY ?s", "ORDER BY"),
    ("SELECT * WHERE { ?s foo ?o }", "'foo' is not a SPARQL keyword"),
    ("PREFIX SILENTex: <http://e/> SELECT * {}", "begins with the keyword SILENT"),
    ("SELECT * WHERE { ?s a kgg:Gene }", "did you mean 'kg:' <https://w3id.org/higm-kg/vocab#>"),
    ("SELECT * WHERE { ?s a TRUE }", "'TRUE' is not a SPARQL keyword"),
])
def test_refusals_say_what_to_do(text: str, message: str) -> None:
    with pytest.raises(Malformed, match=message):
        shape(text)


@pytest.mark.parametrize("text", ["LOADSILENT<{B}/doc>", "SELECT * WHERE { SERVICE <{B}/q> { ?s ?p ?o } }"])
def test_an_update_not_recognised_never_reaches_the_engine(text: str) -> None:
    """The review saw `LOADSILENT<…>` fetch its document before being refused; an operation that
    does not begin with an update keyword is refused, never handed to the engine to explain."""
    with bait_server() as (b, seen):
        with pytest.raises(Malformed):
            run_update(ox.Store(), text.replace("{B}", b))
        assert seen == []


# -- the issue's spellings, through the server and the CLI ------------------------------------------

ISSUE = [
    ("query", "SELECT * WHERE { SERVICESILENT<{B}/x> { ?s ?p ?o } }", 400),
    ("query", "PREFIX ex: <{B}/> SELECT * WHERE { SERVICEex:x { ?s ?p ?o } }", 400),
    ("query", "PREFIX SILENTex: <{A}/> PREFIX ex: <{B}/> SELECT * WHERE { SERVICE SILENTex:x { ?s ?p ?o } }", 400),
    ("query", "SELECT * WHERE { SERVICE <{B}/plain> { ?s ?p ?o } }", 403),
    ("update", "LOADSILENT<{B}/doc>", 400),
    ("update", "LOAD SILENT <{B}/doc>", 403),
]


@pytest.mark.parametrize("federation", [True, False], ids=["federation on", "federation off"])
@pytest.mark.parametrize(("kind", "text", "status"), ISSUE, ids=[i[1][:40] for i in ISSUE])
def test_the_server_refuses_and_calls_nothing(default_store: Store, kind: str, text: str, status: int,
                                              federation: bool) -> None:
    """400 for what the engine would split otherwise (it was a 500 or a call), 403 for the rest."""
    with bait_server() as (a, seen_a), bait_server() as (b, seen_b):
        settings = Settings(update_token=TOKEN, service_allow=(a + "/",) if federation else ())
        with TestClient(create_app(default_store, settings)) as client:
            response = client.post("/sparql", data={kind: text.replace("{A}", a).replace("{B}", b)},
                                   headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == status, response.text
        assert seen_a == seen_b == []


@pytest.mark.parametrize("federation", [False, True])
@pytest.mark.parametrize("text", [i[1] for i in ISSUE if i[0] == "query"])
def test_kg_query_refuses_and_calls_nothing(tmp_path: object, monkeypatch: pytest.MonkeyPatch, text: str,
                                            federation: bool) -> None:
    with bait_server() as (a, seen_a), bait_server() as (b, seen_b):
        monkeypatch.setenv("KG_SERVICE_ALLOW", a + "/" if federation else "")
        result = CliRunner().invoke(cli, ["query", text.replace("{A}", a).replace("{B}", b),
                                          "--store", f"{tmp_path}/store"])
        assert result.exit_code == 1 and "error" in result.stderr
        assert seen_a == seen_b == []
