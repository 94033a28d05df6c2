"""What is made from the graph when it is written: the store's generation, the products refreshed
in order by `kg.products` and by the CLI, and the saved queries as SPARQL examples in the endpoint
(read back and each run against it)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli.main import app as cli
from kg import examples, products, void
from kg.change import Change
from kg.saved_queries import load_queries
from kg.settings import DEFAULT_QUERIES, Settings
from kg.store import JOURNAL, Store, _write_journal
from ontology import EXAMPLES_GRAPH, VOID_GRAPH
from server.app import create_app

runner = CliRunner()
EX = "http://example.org/"
QUERIES = load_queries(DEFAULT_QUERIES)


def _quad(n: int, graph: str = EX + "g") -> ox.Quad:
    return ox.Quad(ox.NamedNode(f"{EX}s{n}"), ox.NamedNode(EX + "p"), ox.Literal(n), ox.NamedNode(graph))


# -- the generation ----------------------------------------------------------------------------

def _derived(store: Store) -> None:
    store.apply(Change(added=frozenset({_quad(9, str(VOID_GRAPH))})), derived=True)


def _kept(store: Store) -> Store:
    """The store as another process opens it, read-only, beside this one."""
    return Store(ox.Store.read_only(str(store.path)), store.path)


def _snapshot(store: Store) -> Store:
    target = store.path.with_name("snapshot")
    store.checkpoint(target)
    return Store.open_snapshot(target)


GENERATIONS: list[tuple[str, Callable[[Store], object], int]] = [
    ("a write of data moves it", lambda s: s.apply(Change(added=frozenset({_quad(2)}))), 2),
    ("a derived write leaves it", _derived, 1),
    ("an empty change leaves it", lambda s: s.apply(Change()), 1),
    ("a write that removes data moves it", lambda s: s.apply(Change(removed=frozenset({_quad(1)}))), 2),
]


@pytest.mark.parametrize(("case", "act", "expected"), GENERATIONS, ids=[g[0] for g in GENERATIONS])
def test_the_generation_counts_the_writes_of_data(tmp_path: Path, case: str, act: Callable[[Store], object],
                                                  expected: int) -> None:
    store = Store.open(tmp_path / "store")
    store.apply(Change(added=frozenset({_quad(1)})))
    act(store)
    assert store.generation == expected
    assert _snapshot(store).generation == expected  # read-only snapshots see it
    assert _kept(store).generation == expected  # it is kept with the store


def test_a_journal_left_by_a_crash_makes_its_generation(tmp_path: Path) -> None:
    path = tmp_path / "store"
    store = Store.open(path)
    store.apply(Change(added=frozenset({_quad(1)})))
    _write_journal(path / JOURNAL, Change(added=frozenset({_quad(2)})), 7)  # killed after the journal was written
    del store
    reopened = Store.open(path)
    assert (reopened.generation, len(reopened)) == (7, 2) and not (path / JOURNAL).exists()


# -- the products --------------------------------------------------------------------------------

def test_refresh_makes_each_product_and_then_finds_them_current(fresh_store: Store) -> None:
    fresh_store.apply(Change(added=frozenset({_quad(1)})))
    assert not products.current(fresh_store)
    lines: list[str] = []
    made = products.refresh(fresh_store, writes=products.Writes().add(fresh_store.generation,
                                                                      products.Written(frozenset({EX + "g"}))),
                            report=lines.append)
    assert [m.step for m in made] == list(products.STEPS)
    assert any(line.startswith("statistics: 1 of 4 graphs to count") for line in lines), lines
    assert products.current(fresh_store)
    again = products.refresh(fresh_store, report=lambda _: None)
    assert all(m.change is None for m in again)
    assert void.stored_in(fresh_store).graphs[EX + "g"].triples == 1


WRITES = [
    ("nothing since", products.Writes().add(3, products.Written(frozenset({"a"}))), 3, 3, frozenset()),
    ("two writes", products.Writes().add(4, products.Written(frozenset({"a"}))).add(5, products.Written(frozenset({"b"}))),
     3, 5, frozenset({"a", "b"})),
    ("a write not known", products.Writes().add(5, products.Written(frozenset({"b"}))), 3, 5, None),
    ("a store older than the products", products.Writes(), 5, 3, None),
    ("a write of files", products.Writes().add(4, products.Written.of(Change(added_files=("x.nq",)))), 3, 4, None),
]


@pytest.mark.parametrize(("case", "writes", "since", "until", "graphs"), WRITES, ids=[w[0] for w in WRITES])
def test_what_a_step_is_told_was_written(case: str, writes: products.Writes, since: int, until: int,
                                         graphs: frozenset[str] | None) -> None:
    assert writes.since(since, until).graphs == graphs


# -- the CLI ---------------------------------------------------------------------------------------

def _bare(path: Path) -> None:
    """A store built before the products were made at build time."""
    from loaders.build import build

    build(Store.open(path), with_hpo=False)


CLI = [
    ("kg build makes them", lambda path: None, ["build", "--without-hpo"]),
    ("kg build --if-missing makes them for a store built before", _bare, ["build", "--without-hpo", "--if-missing"]),
    ("kg load refreshes them", lambda path: runner.invoke(cli, ["build", "--without-hpo", "--store", str(path)]),
     ["load", "TURTLE"]),
]


@pytest.mark.parametrize(("case", "before", "args"), CLI, ids=[c[0] for c in CLI])
def test_the_cli_makes_them_after_its_write(tmp_path: Path, case: str, before: Callable[[Path], object],
                                            args: list[str]) -> None:
    path = tmp_path / "store"
    before(path)
    data = tmp_path / "extra.ttl"
    data.write_text(f"<{EX}t> a <{EX}Kind> .\n", encoding="utf-8")
    result = runner.invoke(cli, [*(str(data) if a == "TURTLE" else a for a in args), "--store", str(path)])
    assert result.exit_code == 0, result.output
    assert "statistics:" in result.output and "examples:" in result.output
    store = Store.open(path)
    assert products.current(store)
    kept = void.stored_in(store)
    assert kept.generation == store.generation and kept.dataset.triples > 3000


# -- the examples graph -------------------------------------------------------------------------

EXAMPLES = f"""PREFIX sh: <http://www.w3.org/ns/shacl#>
PREFIX schema: <https://schema.org/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?example ?name ?comment ?text ?target ?form WHERE {{ GRAPH <{EXAMPLES_GRAPH}> {{
  ?example a sh:SPARQLExecutable, ?form ; schema:identifier ?name ; rdfs:comment ?comment ; schema:target ?target ;
     sh:select|sh:ask|sh:construct|<https://purl.expasy.org/sparql-examples/ontology#describe> ?text .
  FILTER(?form != sh:SPARQLExecutable)
}} }}"""
PREFIXES = f"""PREFIX sh: <http://www.w3.org/ns/shacl#>
SELECT ?prefix ?namespace WHERE {{ GRAPH <{EXAMPLES_GRAPH}> {{ ?example sh:prefixes/sh:declare [ sh:prefix ?prefix ;
  sh:namespace ?namespace ] }} VALUES ?example {{ ?it }} }}"""


@pytest.fixture(scope="module")
def client(default_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(default_store, Settings())) as test_client:
        yield test_client


def select(client: TestClient, query: str) -> list[dict[str, str]]:
    response = client.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]


@pytest.fixture(scope="module")
def published(client: TestClient) -> dict[str, dict[str, str]]:
    """The examples as the endpoint serves them, by name."""
    return {row["name"]: row for row in select(client, EXAMPLES)}


def test_every_saved_query_is_an_example_in_the_endpoint(published: dict[str, dict[str, str]]) -> None:
    assert published.keys() == QUERIES.keys()
    for name, row in published.items():
        saved = QUERIES[name]
        assert row["comment"] == saved.description and row["target"] == "https://w3id.org/higm-kg/sparql"
        assert row["form"].endswith(f"SPARQL{saved.form.title()}Executable")
        assert row["text"] == examples.runnable(saved)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_an_example_declares_its_prefixes_and_tags(client: TestClient, published: dict[str, dict[str, str]],
                                                   name: str) -> None:
    declared = select(client, PREFIXES.replace("?it", f"<{published[name]['example']}>"))
    assert {row["prefix"]: row["namespace"] for row in declared} == examples.declared_prefixes(published[name]["text"])
    tags = select(client, f"SELECT ?tag WHERE {{ <{published[name]['example']}> <https://schema.org/keywords> ?tag }}")
    assert sorted(row["tag"] for row in tags) == sorted(QUERIES[name].tags)


def _run(client: TestClient, text: str) -> tuple[int, list[dict[str, str]]]:
    response = client.post("/sparql", data={"query": text}, headers={"Accept": "application/sparql-results+json"})
    if response.status_code != 200:
        return response.status_code, []
    return 200, [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]


def _expected(name: str) -> tuple[int, list[dict[str, str]]]:
    saved = QUERIES[name]
    return (403, []) if "federated" in saved.tags else (200, list(saved.example))


ON_CURATED = sorted(n for n, q in QUERIES.items() if not {"hpo", "medlineplus"} & set(q.tags))
ON_FULL = sorted(n for n, q in QUERIES.items() if n not in ON_CURATED and not {"federated", "medlineplus"} & set(q.tags))


def assert_runs(client: TestClient, published: dict[str, dict[str, str]], name: str) -> None:
    status, found = _run(client, published[name]["text"])
    expected_status, rows = _expected(name)
    assert status == expected_status, name
    for row in rows:
        assert any(all(got.get(k) == v for k, v in row.items()) for got in found), (name, row)


@pytest.mark.parametrize("name", ON_CURATED)
def test_each_example_runs_against_the_endpoint(client: TestClient, published: dict[str, dict[str, str]],
                                                name: str) -> None:
    assert_runs(client, published, name)


@pytest.fixture(scope="module")
def full_client(full_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(full_store, Settings(query_timeout=120))) as test_client:
        yield test_client


@pytest.mark.full_release
@pytest.mark.parametrize("name", ON_FULL)
def test_each_hpo_example_runs_against_the_endpoint_on_the_full_release(full_client: TestClient, name: str) -> None:
    assert_runs(full_client, {row["name"]: row for row in select(full_client, EXAMPLES)}, name)


def test_the_examples_are_rebuilt_when_the_saved_queries_change(fresh_store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "queries"
    folder.mkdir()
    for name in ("condition-genes", "class-counts"):
        shutil.copy(DEFAULT_QUERIES / f"{name}.rq", folder)
    products.refresh(fresh_store, queries=folder, report=lambda _: None)
    named = {q.subject.value for q in fresh_store.engine.quads_for_pattern(None, None, None, ox.NamedNode(str(EXAMPLES_GRAPH)))
             if q.subject.value.startswith(f"{EXAMPLES_GRAPH}#") and "-prefix" not in q.subject.value}
    assert named == {f"{EXAMPLES_GRAPH}#condition-genes", f"{EXAMPLES_GRAPH}#class-counts"}
    assert products.current(fresh_store, queries=folder)
    (folder / "class-counts.rq").write_text((DEFAULT_QUERIES / "class-counts.rq").read_text(encoding="utf-8")
                                            .replace("Counts of entities by class", "Entities by class"), encoding="utf-8")
    assert not products.current(fresh_store, queries=folder)
    products.refresh(fresh_store, queries=folder, report=lambda _: None)
    labels = {q.object.value for q in fresh_store.engine.quads_for_pattern(
        ox.NamedNode(f"{EXAMPLES_GRAPH}#class-counts"), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), None, None)}
    assert labels == {"Entities by class"}
