"""Saved queries: every file runs and gives its header's example, on the CLI and over HTTP alike."""

from __future__ import annotations

import csv
import io
import logging
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli.main import app as cli
from kg.safety import Refused, check_query
from kg.saved_queries import QueryFileError, SavedQuery, load_queries, read_query_text
from kg.settings import DEFAULT_QUERIES, Settings
from kg.store import Store
from ontology import DERIVED_GRAPHS
from server.app import create_app

QUERIES = load_queries(DEFAULT_QUERIES)
LOCAL = {name: q for name, q in QUERIES.items() if "federated" not in q.tags}
ON_CURATED = {name: q for name, q in LOCAL.items() if not {"hpo", "medlineplus"} & set(q.tags)}
ON_RECORDS = {name: q for name, q in LOCAL.items() if "medlineplus" in q.tags}  # need more than one condition
RECORDS = Path(__file__).resolve().parent / "data" / "medlineplus-records" / "ghr-summaries.xml"
runner = CliRunner()


def required_examples(query: SavedQuery) -> dict[str, str]:
    return {p.name: p.example for p in query.parameters if p.required and p.example is not None}


def rows(store: Store, text: str) -> list[dict[str, str]]:
    result = store.query(text)
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]


@pytest.fixture(scope="module")
def client(default_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(default_store, Settings())) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def disk_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("saved") / "store"
    assert runner.invoke(cli, ["build", "--without-hpo", "--store", str(path)]).exit_code == 0
    return path


def test_there_are_enough_queries_and_each_is_documented() -> None:
    assert len(QUERIES) >= 15
    for query in QUERIES.values():
        assert query.summary and query.description and query.tags, query.name
        for parameter in query.parameters:
            assert parameter.example is not None, (query.name, parameter.name)


def assert_example(store: Store, query: SavedQuery) -> None:
    found = rows(store, query.bind(required_examples(query)))
    assert found, f"{query.name} returned nothing"
    for expected in query.example:
        assert any(all(row.get(k) == v for k, v in expected.items()) for row in found), (query.name, expected)


@pytest.mark.parametrize("name", sorted(ON_CURATED))
def test_query_returns_its_example(default_store: Store, name: str) -> None:
    assert_example(default_store, ON_CURATED[name])


@pytest.fixture(scope="module")
def records_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The default graph without HPO, and the bulk MedlinePlus fixture (12 conditions, 6 genes)."""
    path = tmp_path_factory.mktemp("records") / "store"
    assert runner.invoke(cli, ["build", "--without-hpo", "--store", str(path)]).exit_code == 0
    assert runner.invoke(cli, ["load", str(RECORDS), "--store", str(path)]).exit_code == 0
    return Store.open(path)


@pytest.mark.parametrize("name", sorted(ON_RECORDS))
def test_medlineplus_query_returns_its_example_on_many_conditions(records_store: Store, name: str) -> None:
    assert_example(records_store, ON_RECORDS[name])


@pytest.mark.full_release
@pytest.mark.parametrize("name", sorted(set(LOCAL) - set(ON_CURATED) - set(ON_RECORDS)))
def test_hpo_query_returns_its_example_on_the_full_release(full_store: Store, name: str) -> None:
    assert_example(full_store, LOCAL[name])


@pytest.mark.full_release
@pytest.mark.parametrize("name", sorted(n for n, q in LOCAL.items() if q.form == "SELECT"))
def test_no_row_is_answered_twice_on_the_full_release(full_store: Store, name: str) -> None:
    """HPO's graph repeats the curated graph's HP labels; the union must not double the rows."""
    query = LOCAL[name]
    answer = [tuple(sorted(row.items())) for row in rows(full_store, query.bind(required_examples(query)))]
    assert len(answer) == len(set(answer))


@pytest.mark.parametrize("name", sorted(set(QUERIES) - set(LOCAL)))
def test_federated_queries_are_refused_unless_enabled(name: str) -> None:
    text = QUERIES[name].bind({})
    with pytest.raises(Refused, match="federation is off"):
        check_query(text, Settings())
    check_query(text, Settings(service_allow=("https://sparql.uniprot.org/",)))


def _csv(text: str) -> list[tuple[str, ...]]:
    return sorted(tuple(row) for row in csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("name", sorted(LOCAL))
def test_cli_and_api_agree(client: TestClient, disk_store: Path, name: str) -> None:
    values = required_examples(LOCAL[name])
    args = [arg for k, v in values.items() for arg in ("--param", f"{k}={v}")]
    result = runner.invoke(cli, ["query", name, *args, "--store", str(disk_store), "-f", "csv"])
    assert result.exit_code == 0, result.output
    response = client.get(f"/api/queries/{name}", params={**values, "limit": 10_000}, headers={"Accept": "text/csv"})
    assert response.status_code == 200, response.text
    cli_rows, api_rows = _csv(result.stdout), _csv(response.text)
    if name == "graph-statistics":  # load times differ between the two stores
        cli_rows, api_rows = ([r[:2] for r in rs] for rs in (cli_rows, api_rows))
    assert cli_rows == api_rows


@pytest.mark.parametrize("store_name", ["default_store", "records_store"])
def test_graph_statistics_are_the_graph_sizes(request: pytest.FixtureRequest, store_name: str) -> None:
    """Read from the statistics, they are what the graphs hold; the derived graphs are listed uncounted."""
    store: Store = request.getfixturevalue(store_name)
    found = {row["graph"]: row.get("triples") for row in rows(store, QUERIES["graph-statistics"].bind({}))}
    derived = {str(graph) for graph in DERIVED_GRAPHS}
    expected = {graph: None if graph in derived else str(size) for graph, size in store.graph_sizes().items()}
    assert found == expected


def test_year_filter(default_store: Store) -> None:
    query = QUERIES["publications"]
    years = {int(row["year"]) for row in rows(default_store, query.bind({"fromYear": "2003"}))}
    assert years and min(years) >= 2003
    assert min(int(row["year"]) for row in rows(default_store, query.bind({}))) < 2003


# -- binding is safe ---------------------------------------------------------------------------

INJECTIONS = [
    ("a literal that closes the string", "label-search", {"text": 'x" ) } } ; DROP ALL ; SELECT * { ?s ?p "'}, 200),
    ("a literal with a newline and comment", "resolve-synonym", {"synonym": 'HIGM1"\n# }'}, 200),
    ("an IRI that closes itself", "condition-names", {"condition": "http://example.org/x> ?p ?o } #"}, 422),
    ("a CURIE with a space", "gene-conditions", {"gene": "HGNC:1 } UNION { ?s ?p ?o"}, 422),
    ("an integer with a clause", "publications", {"fromYear": "2000) || true || (1"}, 422),
]


@pytest.mark.parametrize(("case", "name", "values", "status"), INJECTIONS, ids=[c[0] for c in INJECTIONS])
def test_injection_is_only_a_value(client: TestClient, default_store: Store, case: str, name: str,
                                   values: dict[str, str], status: int) -> None:
    before = len(default_store)
    response = client.get(f"/api/queries/{name}", params=values)
    assert response.status_code == status, response.text
    if status == 200:
        assert response.json()["results"]["bindings"] == []  # matched as the plain value it is
    assert len(default_store) == before


def test_a_quote_in_a_value_is_matched_literally(default_store: Store) -> None:
    query = QUERIES["label-search"]
    assert rows(default_store, query.bind({"text": "ligand"}))
    assert rows(default_store, query.bind({"text": 'ligand"'})) == []


# -- the API -----------------------------------------------------------------------------------


def test_listing(client: TestClient) -> None:
    listing = client.get("/api/queries").json()
    assert {q["name"] for q in listing} == set(QUERIES)
    for entry in listing:
        assert {"name", "summary", "description", "tags", "parameters"} <= entry.keys()
        for parameter in entry["parameters"]:
            assert {"name", "type", "required", "default", "example"} <= parameter.keys()


def test_each_query_is_a_typed_openapi_operation(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for name, query in QUERIES.items():
        operation = paths[f"/api/queries/{name}"]["get"]
        assert operation["summary"] == query.summary
        declared = {p["name"]: p for p in operation["parameters"]}
        assert {"limit", "offset"} <= declared.keys()
        for parameter in query.parameters:
            assert declared[parameter.name]["required"] == parameter.required
    year = {p["name"]: p for p in paths["/api/queries/publications"]["get"]["parameters"]}["fromYear"]
    assert {"type": "integer"} in year["schema"]["anyOf"]


@pytest.mark.parametrize(("path", "params", "accept", "status", "media_type"), [
    ("/api/queries/condition-names", {}, None, 200, "application/sparql-results+json"),
    ("/api/queries/condition-names", {}, "text/csv", 200, "text/csv"),
    ("/api/queries/condition-names", {}, "text/tab-separated-values", 200, "text/tab-separated-values"),
    ("/api/queries/condition-names", {}, "text/turtle", 406, "application/problem+json"),
    ("/api/queries/no-such-query", {}, None, 404, "application/problem+json"),
    ("/api/queries/resolve-synonym", {}, None, 422, "application/problem+json"),
    ("/api/queries/publications", {"fromYear": "soon"}, None, 422, "application/problem+json"),
    ("/api/queries/condition-names", {"limit": "0"}, None, 422, "application/problem+json"),
])
def test_api_statuses_and_formats(client: TestClient, path: str, params: dict[str, str], accept: str | None,
                                  status: int, media_type: str) -> None:
    response = client.get(path, params=params, headers={"Accept": accept} if accept else {})
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(media_type)


def test_paging_with_link_headers(client: TestClient) -> None:
    first = client.get("/api/queries/condition-names", params={"limit": 2})
    assert len(first.json()["results"]["bindings"]) == 2
    assert 'rel="next"' in first.headers["link"] and 'rel="prev"' not in first.headers["link"]
    pages, url = [], "/api/queries/condition-names?limit=2"
    for _ in range(5):  # five names, two per page: three pages
        page = client.get(url)
        pages += [b["name"]["value"] for b in page.json()["results"]["bindings"]]
        nexts = [part for part in page.headers["link"].split(", ") if 'rel="next"' in part]
        if not nexts:
            break
        url = nexts[0].split(";")[0].strip("<>")
    assert len(pages) == 5 and len(set(pages)) == 5
    assert 'rel="prev"' in page.headers["link"]


# -- bad query files ---------------------------------------------------------------------------

GOOD_HEADER = "#+ summary: s\n#+ description: d\n#+ tags: [t]\n#+ parameters: []\n#+ example: []\n"
BAD_FILES = [
    ("no header", "SELECT * WHERE { ?s ?p ?o }", "line 1", "must start with"),
    ("header not YAML", "#+ summary: [unclosed\n" + "SELECT * WHERE { ?s ?p ?o }", "line", "not YAML"),
    ("missing key", "#+ summary: s\nSELECT * WHERE { ?s ?p ?o }", "line 1", "missing"),
    ("bad parameter type", GOOD_HEADER.replace("parameters: []", "parameters: [{name: x, type: float}]")
     + "SELECT ?x WHERE { ?x ?p ?o }", "line 1", "type must be one of"),
    ("bad example value", GOOD_HEADER.replace("parameters: []", "parameters: [{name: x, type: iri, example: 'not an iri'}]")
     + "SELECT ?x WHERE { ?x ?p ?o }", "line 1", "not an absolute IRI"),
    ("syntax error on line 7", GOOD_HEADER + "SELECT * WHERE {\n  ?s ?p ?o", "line 7", "does not parse"),
    ("unknown prefix", GOOD_HEADER + "SELECT * WHERE { ?s nope:p ?o }", "line 6", "does not translate"),
    ("own LIMIT", GOOD_HEADER + "SELECT * WHERE { ?s ?p ?o } LIMIT 3", "line 6", "LIMIT"),
    ("parameter not in the query", GOOD_HEADER.replace("parameters: []", "parameters: [{name: x, type: string, example: a}]")
     + "SELECT * WHERE { ?s ?p ?o }", "line 6", "not a variable"),
    ("section without types", GOOD_HEADER.replace("parameters: []", "parameters: [{name: x, type: iri}]\n#+ section: {title: t, parameter: x}")
     + "SELECT ?x WHERE { ?x ?p ?o }", "line 1", "section needs"),
    ("section with a source that is no graph name", GOOD_HEADER.replace("parameters: []", "parameters: [{name: x, type: iri}]\n"
     "#+ section: {title: t, types: ['http://example.org/C'], parameter: x, sources: ['<x> } DROP']}")
     + "SELECT ?x WHERE { ?x ?p ?o }", "line 1", "sources must be a list of graph names"),
    ("section on a string parameter", GOOD_HEADER.replace("parameters: []", "parameters: [{name: x, type: string}]\n"
     "#+ section: {title: t, types: ['http://example.org/C'], parameter: x}") + "SELECT ?x WHERE { ?x ?p ?o }",
     "line 1", "not a parameter of type iri"),
    ("section type not an IRI", GOOD_HEADER.replace("parameters: []", "parameters: [{name: x, type: iri}]\n"
     "#+ section: {title: t, types: ['a b'], parameter: x}") + "SELECT ?x WHERE { ?x ?p ?o }", "line 1", "not an IRI"),
]


@pytest.mark.parametrize(("case", "source", "line", "message"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_query_file_is_refused_with_file_and_line(tmp_path: Path, case: str, source: str, line: str,
                                                      message: str) -> None:
    with pytest.raises(QueryFileError, match=message) as caught:
        read_query_text("bad", source, "queries/bad.rq")
    assert str(caught.value).startswith(f"queries/bad.rq, {line}")
    (tmp_path / "bad.rq").write_text(source, encoding="utf-8")
    with pytest.raises(QueryFileError, match="bad.rq"):
        create_app(Store.open(), Settings(queries=tmp_path))
    result = runner.invoke(cli, ["queries"], env={"KG_QUERIES": str(tmp_path)})
    assert result.exit_code == 1 and "bad.rq" in result.stderr


def test_cli_lists_the_queries() -> None:
    result = runner.invoke(cli, ["queries"])
    assert result.exit_code == 0
    for name in QUERIES:
        assert name in result.stdout


@pytest.mark.parametrize(("args", "code", "message"), [
    (["resolve-synonym"], 2, "synonym: required"),
    (["publications", "--param", "fromYear=abc"], 2, "not an integer"),
    (["publications", "--param", "nonsense"], 2, "name=value"),
    (["publications", "--param", "color=red"], 2, "no such parameter"),
    (["federated-uniprot"], 1, "federation is off"),
])
def test_cli_parameter_errors(disk_store: Path, args: list[str], code: int, message: str) -> None:
    result = runner.invoke(cli, ["query", *args, "--store", str(disk_store)])
    assert result.exit_code == code and message in result.stderr


def test_saved_queries_are_answered_ahead_in_json_and_csv(disk_store: Path, tmp_path: Path,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    """On a store on disk, the server answers each saved query's first page ahead of its first
    visitor, in JSON and in CSV: both are then cache hits, whichever way CSV is asked for."""
    shutil.copytree(disk_store, tmp_path / "store")
    caplog.set_level(logging.INFO, logger="kg.app")
    with TestClient(create_app(Store.open(tmp_path / "store"), Settings())) as client:
        deadline = time.monotonic() + 120
        while "ahead of their first visitor" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.2)
        assert "ahead of their first visitor" in caplog.text
        before = _cache_counts(client)
        for request in ({"headers": {"Accept": "application/sparql-results+json"}}, {"headers": {"Accept": "text/csv"}},
                        {"params": {"format": "csv"}}):
            assert client.get("/api/queries/graph-statistics", **request).status_code == 200  # type: ignore[arg-type]
        after = _cache_counts(client)
    assert (after[0] - before[0], after[1] - before[1]) == (3, 0)  # hits, misses


def _cache_counts(client: TestClient) -> tuple[int, int]:
    text = client.get("/metrics").text
    found = dict(re.findall(r"^kg_result_cache_(hits|misses)_total (\S+)$", text, re.MULTILINE))
    return int(float(found["hits"])), int(float(found["misses"]))
