"""The CLI beside a running `kg serve`: reads go through the server, writes too when they fit
in one request, and otherwise the exact commands that work are named."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from live_server import build_store, process_of, serving

from ontology import GRAPH

pytestmark = pytest.mark.live

TOKEN = "beside-token"
ONTOLOGY = str(GRAPH["ontology"])
LABELS = "SELECT ?label WHERE { ?gene a <https://w3id.org/higm-kg/vocab#Gene> ; " \
         "<http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?label"
ADDED = "http://example.org/beside/added"


def kg(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The CLI as a user runs it: another process, stdout and stderr not a terminal."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    return subprocess.run([sys.executable, "-m", "cli", *args], env={**clean, **env}, check=False,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("beside") / "store")


@pytest.fixture(scope="module")
def url(store: Path) -> Iterator[str]:
    with serving(store, KG_UPDATE_TOKEN=TOKEN, KG_WORKERS="1") as base:
        yield base


def reading(store: Path, url: str) -> str:
    return f"the store {store} is served by process {process_of(url).pid} at {url}: reading through it\n"


def sparql_count(url: str, where: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"
    return int(httpx.get(f"{url}/sparql", params={"query": query}).json()["results"]["bindings"][0]["n"]["value"])


def test_the_server_names_its_address_beside_its_pid(store: Path, url: str) -> None:
    assert (store / "kg.owner").read_text().split() == [str(process_of(url).pid), url]


@pytest.mark.parametrize(("args", "shown"), [
    (["query", LABELS, "-f", "csv"], "label\nCD40\nCD40LG\n"),
    (["query", "condition-names", "-f", "csv"], "X-linked hyper IgM syndrome"),
    (["stats"], "graph/ontology"),
    (["stats"], "kg:Condition"),
])
def test_reads_go_through_the_server_and_say_so(store: Path, url: str, args: list[str], shown: str) -> None:
    result = kg(*args, "--store", str(store))
    assert result.returncode == 0, result.stderr
    assert shown in result.stdout and result.stderr == reading(store, url)


def test_saved_queries_are_listed_beside_the_server(store: Path, url: str) -> None:
    result = kg("queries")
    assert result.returncode == 0 and "resolve-synonym" in result.stdout and result.stderr == ""


def test_stats_are_the_figures_the_server_serves(store: Path, url: str) -> None:
    result = kg("stats", "--store", str(store))
    rows = [[cell.strip() for cell in line.strip("│").split("│")] for line in result.stdout.splitlines()]
    sizes = {row[0]: row[1] for row in rows if row[0].startswith("https://")}
    assert int(sizes[ONTOLOGY]) == sparql_count(url, f"GRAPH <{ONTOLOGY}> {{ ?s ?p ?o }}")


@pytest.mark.parametrize(("args", "fmt", "where"), [
    (["-f", "nq"], ox.RdfFormat.N_QUADS, "GRAPH ?g { ?s ?p ?o }"),
    (["-f", "nt"], ox.RdfFormat.N_TRIPLES, "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }"),
    (["-f", "rdf"], ox.RdfFormat.RDF_XML, "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }"),
    (["-f", "ttl", "--graph", ONTOLOGY], ox.RdfFormat.TURTLE, f"GRAPH <{ONTOLOGY}> {{ ?s ?p ?o }}"),
])
def test_export_streams_from_the_server(store: Path, url: str, tmp_path: Path, args: list[str],
                                        fmt: ox.RdfFormat, where: str) -> None:
    output = tmp_path / f"out.{fmt.file_extension}"
    result = kg("export", *args, "-o", str(output), "--store", str(store))
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(reading(store, url))
    where = f"{{ {where} }}" if where.startswith("SELECT") else where
    assert len(list(ox.parse(path=str(output), format=fmt))) == sparql_count(url, where)


@pytest.mark.parametrize(("query", "said"), [
    ("SELECT * WHERE { ?s mondoo:x ?o }", "did you mean 'MONDO:'"),
    ("SELECT * WHERE { ?s kg:nope ?o", "line 1,"),  # a predeclared prefix: no PREFIX line is added before it
])
def test_a_syntax_error_reads_as_it_does_without_a_server(store: Path, url: str, tmp_path: Path, query: str,
                                                          said: str) -> None:
    beside = kg("query", query, "--store", str(store))
    alone = kg("query", query, "--store", str(build_store(tmp_path / "alone")))
    assert beside.returncode == alone.returncode == 1
    assert beside.stderr == reading(store, url) + alone.stderr
    assert said in alone.stderr and alone.stderr.endswith("^\n")


def write_data(tmp_path: Path, size: int = 3) -> Path:
    data = tmp_path / "added.ttl"
    data.write_text("".join(f'<{ADDED}> <http://example.org/p> "{n}" .\n' for n in range(size)))
    return data


@pytest.mark.parametrize(("env", "said"), [
    ({}, "KG_UPDATE_TOKEN is not set"),
    ({"KG_UPDATE_TOKEN": "wrong"}, "HTTP 403"),
    ({"KG_UPDATE_TOKEN": TOKEN, "KG_MAX_BODY": "200"}, "does not fit in one request"),
])
def test_a_write_that_cannot_go_through_names_the_command_that_works(
        store: Path, url: str, tmp_path: Path, env: dict[str, str], said: str) -> None:
    data = write_data(tmp_path)
    result = kg("load", str(data), "--store", str(store), **env)
    assert result.returncode == 1 and said in result.stderr
    pid = process_of(url).pid
    assert "Nothing was written. To write it, " in result.stderr
    assert result.stderr.rstrip().endswith(f"stop the server (kill {pid}), then run: kg load {data} --store {store}")
    assert sparql_count(url, f"<{ADDED}> ?p ?o") == 0


def test_a_write_that_fits_goes_through_the_server_with_the_token(store: Path, url: str, tmp_path: Path) -> None:
    data = write_data(tmp_path)
    first = kg("load", str(data), "--store", str(store), KG_UPDATE_TOKEN=TOKEN)
    assert first.returncode == 0, first.stderr
    assert "(written)" in first.stdout and f"through the server at {url}" in first.stderr
    assert sparql_count(url, f"<{ADDED}> ?p ?o") == 3
    again = kg("load", str(data), "--store", str(store), KG_UPDATE_TOKEN=TOKEN)
    assert again.returncode == 0 and "(unchanged)" in again.stdout
    built = kg("build", "--without-hpo", "--store", str(store), KG_UPDATE_TOKEN=TOKEN)
    assert built.returncode == 0 and built.stdout.count("(unchanged)") == 2


def test_a_store_held_by_a_process_that_serves_nothing_is_still_refused(tmp_path: Path) -> None:
    store = build_store(tmp_path / "held")
    hold = f"import time; from kg.store import Store; s = Store.open({str(store)!r}); print('held', flush=True); " \
           "time.sleep(60)"
    holder = subprocess.Popen([sys.executable, "-c", hold], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        result = kg("stats", "--store", str(store))
        assert result.returncode == 1
        assert f"in use by process {holder.pid};" in result.stderr and "Traceback" not in result.stderr
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
