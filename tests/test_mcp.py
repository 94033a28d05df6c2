"""The MCP server, driven by the official SDK's own client: over stdio (`kg mcp` as a
subprocess, on a free store, and beside a running server, whose /mcp it relays), and over
streamable HTTP (`kg serve` on loopback, at /mcp)."""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from fastapi.testclient import TestClient
from live_server import build_store, serving
from mcp import Client, StdioServerParameters

from kg.settings import Settings
from kg.store import Store
from server.app import create_app

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 3  # KG_QUERY_TIMEOUT of the servers here, seconds
EXPLOSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
HIGM1 = "http://purl.obolibrary.org/obo/MONDO_0010626"
COUNT_LINE = re.compile(r"^(\d+) rows?(, cut)?")
TRANSPORTS = ["stdio", "http", "stdio-beside-server"]
Session = Callable[[Client], Awaitable[Any]]


def _products(store: Path) -> Path:
    return store.with_name(store.name + ".products")


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The default graph twice: one store left free (kg mcp opens it), one that kg serve holds."""
    free = build_store(tmp_path_factory.mktemp("mcp") / "store")
    held = free.parent / "held"
    shutil.copytree(free, held)
    shutil.copytree(_products(free), _products(held))
    return free, held


@pytest.fixture(scope="module")
def url(stores: tuple[Path, Path]) -> Iterator[str]:
    with serving(stores[1], KG_QUERY_TIMEOUT=str(TIMEOUT), KG_WORKERS="2") as base:
        yield base


def _stdio(store: Path) -> StdioServerParameters:
    return StdioServerParameters(command=sys.executable, args=["-m", "cli", "mcp", "--store", str(store)],
                                 cwd=str(ROOT), env={**os.environ, "KG_QUERY_TIMEOUT": str(TIMEOUT), "KG_WORKERS": "2"})


def connect(transport: str, stores: tuple[Path, Path], url: str) -> Client:
    server: str | StdioServerParameters = {
        "stdio": lambda: _stdio(stores[0]), "http": lambda: f"{url}/mcp", "stdio-beside-server": lambda: _stdio(stores[1]),
    }[transport]()
    return Client(server, read_timeout_seconds=120, cache=None)


def run(client: Client, session: Session) -> Any:
    async def main() -> Any:
        with anyio.fail_after(300):
            async with client:
                return await session(client)

    return anyio.run(main)


def table(result: Any) -> list[dict[str, str]]:
    """A tool's table, after checking its first line counts its rows."""
    assert not result.is_error, result.content[0].text
    data = result.structured_content
    head = COUNT_LINE.match(result.content[0].text)
    assert head and int(head.group(1)) == data["row_count"] == len(data["rows"])
    assert bool(head.group(2)) is data["cut"]
    return data["rows"]


def _saved_arguments(schema: dict[str, Any]) -> dict[str, Any]:
    """The examples of a saved query's required parameters."""
    return {name: spec["examples"][0] for name, spec in schema["properties"].items() if name in schema["required"]}


FIXED = {  # the fixed tools, with arguments, and a piece of what each answers
    "search_entities": ({"text": "hyper igm", "types": ["condition"]}, "MONDO:0010626"),
    "describe_entity": ({"entity": "HGNC:11935"}, '"label":"CD40LG"'),
    "list_saved_queries": ({}, "query_condition_genes"),
    "sparql_query": ({"query": "SELECT ?gene WHERE { ?gene kg:causes MONDO:0010626 }"}, "hgnc:11935"),
    "schema": ({}, "kg:Gene"),
}


@pytest.mark.live
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_every_tool_runs(stores: tuple[Path, Path], url: str, transport: str) -> None:
    async def session(client: Client) -> None:
        tools = (await client.list_tools()).tools
        assert {t.name for t in tools} >= set(FIXED)
        for tool in tools:
            assert tool.annotations and tool.annotations.read_only_hint and tool.description
            if tool.name in FIXED:
                arguments, expected = FIXED[tool.name]
                result = await client.call_tool(tool.name, arguments)
                assert not result.is_error and expected in result.content[0].text, result.content[0].text
            else:  # a saved query, with the examples of its required parameters
                result = await client.call_tool(tool.name, _saved_arguments(tool.input_schema))
                if tool.name == "query_federated_uniprot":  # it calls SERVICE, which is off here
                    assert result.is_error and "SERVICE is disabled" in result.content[0].text
                else:
                    table(result)

    run(connect(transport, stores, url), session)


ERRORS = [  # (tool, arguments, a piece of the message)
    ("sparql_query", {"query": "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }"},
     "INSERT begins an update, not a query"),
    ("sparql_query", {"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"},
     "SERVICE is disabled"),
    ("sparql_query", {"query": "LOAD <http://example.org/data.ttl>"}, "LOAD is refused"),
    ("sparql_query", {"query": "SELEC * WHERE { ?s ?p ?o }"}, "did you mean SELECT?"),
    ("sparql_query", {"query": EXPLOSIVE}, f"stopped at its {TIMEOUT} s deadline"),
    ("sparql_query", {}, "the argument 'query' is required"),
    ("sparql_query", {"query": "ASK {}", "limit": 0}, "the argument 'limit' is not valid: 0 is less than the minimum"),
    ("search_entities", {"text": "cd40", "types": ["planet"]}, "the argument 'types.0' is not valid"),
    ("describe_entity", {"entity": "NOPE:1"}, "not a CURIE with a known prefix: 'NOPE:1'"),
    ("describe_entity", {"entity": "http://example.org/nothing"}, "the graph says nothing about"),
    ("query_condition_genes", {"condition": "not an iri"}, "condition: not an absolute IRI"),
    ("query_condition_genes", {"condition": HIGM1, "colour": "red"}, "('colour' was unexpected)"),
    ("query_label_search", {}, "the argument 'text' is required"),
]


@pytest.mark.live
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_errors_are_tool_errors(stores: tuple[Path, Path], url: str, transport: str) -> None:
    """Each a tool result with isError and the HTTP API's words; the session goes on after each,
    and nothing was written."""

    async def session(client: Client) -> list[str]:
        messages = []
        for tool, arguments, _ in ERRORS:
            result = await client.call_tool(tool, arguments)
            assert result.is_error and result.structured_content["detail"] == result.content[0].text
            messages.append(result.content[0].text)
        after = await client.call_tool("sparql_query", {"query": "ASK { <http://example.org/a> ?p ?o }"})
        assert after.content[0].text == "ASK: false"
        return messages

    messages = run(connect(transport, stores, url), session)
    for (tool, arguments, expected), message in zip(ERRORS, messages, strict=True):
        assert expected in message, (tool, arguments, message)


@pytest.mark.live
@pytest.mark.parametrize("query", [
    "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }",
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o ",
    EXPLOSIVE,
])
def test_the_message_is_the_http_apis(stores: tuple[Path, Path], url: str, query: str) -> None:
    problem = httpx.get(f"{url}/sparql", params={"query": query}, headers={"Accept": "application/problem+json"},
                        timeout=60).json()

    async def session(client: Client) -> Any:
        return await client.call_tool("sparql_query", {"query": query})

    result = run(connect("http", stores, url), session)
    assert result.is_error and result.content[0].text == problem["detail"]
    assert result.structured_content["status"] == problem["status"]


@pytest.mark.live
@pytest.mark.parametrize(("limit", "count", "cut"), [(1, 1, True), (100, 2, False)])
def test_the_table_says_when_it_was_cut(stores: tuple[Path, Path], url: str, limit: int, count: int,
                                        cut: bool) -> None:
    async def session(client: Client) -> Any:
        return await client.call_tool("sparql_query", {"query": "SELECT ?gene WHERE { ?gene a kg:Gene }",
                                                       "limit": limit})

    result = run(connect("http", stores, url), session)
    rows = table(result)
    assert len(rows) == count and result.structured_content["cut"] is cut
    assert 'kg_mcp_tool_calls_total{outcome="ok",tool="sparql_query"}' in httpx.get(f"{url}/metrics").text


@pytest.mark.live
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_resources(stores: tuple[Path, Path], url: str, transport: str) -> None:
    async def session(client: Client) -> dict[str, str]:
        listed = (await client.list_resources()).resources
        texts = {}
        for uri in ("kg://model/ontology", "kg://model/summary", "kg://queries/condition-genes"):
            assert uri in {str(r.uri) for r in listed}
            texts[uri] = (await client.read_resource(uri)).contents[0].text
        return texts

    texts = run(connect(transport, stores, url), session)
    assert "owl:Class" in texts["kg://model/ontology"] and "kg:Gene" in texts["kg://model/summary"]
    assert texts["kg://queries/condition-genes"].startswith("# Genes of a condition")
    assert "?gene kg:causes ?condition" in texts["kg://queries/condition-genes"]


async def _genes_and_phenotypes(client: Client) -> tuple[set[str], set[str], dict[str, Any]]:
    """'Which genes cause HIGM1, and which HPO phenotypes does HPO annotate to it?', asked as an
    assistant would: find the condition, then its genes and HPO's annotations of it."""
    found = await client.call_tool("search_entities", {"text": "HIGM1", "types": ["condition"], "limit": 1})
    condition = found.structured_content["hits"][0]["iri"]
    genes = table(await client.call_tool("query_condition_genes", {"condition": condition}))
    annotations = table(await client.call_tool("query_hpo_annotations", {"condition": condition, "limit": 1000}))
    described = (await client.call_tool("describe_entity", {"entity": condition})).structured_content
    return {g["symbol"] for g in genes}, {a["phenotype"] for a in annotations}, described


@pytest.mark.live
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_genes_and_hpo_phenotypes_of_higm1(stores: tuple[Path, Path], url: str, transport: str) -> None:
    """On the default graph without HPO's release: CD40LG, and no HPO annotations (they come
    with the release; see the full_release test)."""
    genes, phenotypes, described = run(connect(transport, stores, url), _genes_and_phenotypes)
    assert genes == {"CD40LG"} and phenotypes == set()
    assert described["label"] == "X-linked hyper IgM syndrome"
    assert [v["label"] for v in described["summary"]["fields"]["genes"]["values"]] == ["CD40LG"]  # what its page leads with
    assert any("CD40LG" in s for i in described["incoming"] for s in i["subjects"])


@pytest.fixture(scope="module")
def full_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server over the default graph with HPO's whole release: built here (minutes), or a copy
    of the store KG_FULL_STORE names (its products folder beside it)."""
    target = tmp_path_factory.mktemp("mcp-full") / "store"
    given = os.environ.get("KG_FULL_STORE")
    if given:
        shutil.copytree(given, target)
        if _products(Path(given)).is_dir():
            shutil.copytree(_products(Path(given)), _products(target))
    else:
        build_store(target, hpo=True)
    with serving(target, KG_QUERY_TIMEOUT="60") as base:
        yield base


@pytest.mark.live
@pytest.mark.full_release
@pytest.mark.parametrize("transport", ["http"])
def test_genes_and_hpo_phenotypes_of_higm1_in_the_full_graph(full_url: str, transport: str) -> None:
    genes, phenotypes, described = run(Client(f"{full_url}/mcp", read_timeout_seconds=120, cache=None),
                                       _genes_and_phenotypes)
    assert "CD40LG" in genes
    assert {"HP:0001875", "HP:0002720"} <= phenotypes  # Neutropenia; decreased IgA (HPO's own examples)
    sections = {s["title"]: s for s in described["sections"]}
    assert any("HP:0001875" in row.get("phenotype", "") for row in sections["HPO's annotations"]["rows"])


# -- /mcp in the app, without a server process ------------------------------------------------------

@pytest.mark.parametrize(("method", "headers", "body", "status"), [
    ("POST", {"Host": "evil.example"}, b"{}", 400),  # trusted hosts, as for every path
    ("OPTIONS", {"Origin": "https://assistant.example", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type, mcp-protocol-version"}, b"", 200),  # CORS preflight
    ("POST", {}, b" " * 2049, 413),  # KG_MAX_BODY
    ("GET", {}, b"", 405),  # stateless: no stream that could hold a connection open for ever
    ("DELETE", {}, b"", 405),  # no session to end
    ("POST", {"Content-Type": "text/plain"}, b"{}", 415),  # a simple request a page elsewhere could send
    ("POST", {"Content-Type": "application/x-www-form-urlencoded"}, b"{}", 415),
])
def test_mcp_sits_behind_the_apps_middleware(default_store: Store, method: str, headers: dict[str, str], body: bytes,
                                             status: int) -> None:
    app = create_app(default_store, Settings(allowed_hosts=("127.0.0.1", "testserver"), max_body=2048))
    with TestClient(app) as client:
        response = client.request(method, "/mcp", headers={"Content-Type": "application/json",
                                                           "Accept": "application/json, text/event-stream", **headers},
                                  content=body)
    assert response.status_code == status, response.text
    assert "X-Request-Id" in response.headers  # the guard's
    if status == 415:  # the errors' one shape: a JSON client gets a problem document
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"] == "MCP messages are JSON: send Content-Type: application/json"
