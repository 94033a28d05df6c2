"""The dumps (kg/dumps.py): a file per graph and the whole as their concatenation, remade only
for the graphs a write touched, a manifest written last, and what is being made."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import dumps
from kg.change import Change
from kg.dumps import Making, Manifest
from kg.store import Store

A, B, C = "http://example.org/a", "https://w3id.org/higm-kg/graph/curated/b", "http://example.org/c"


def quad(s: str, o: str, graph: str | None) -> ox.Quad:
    name = ox.NamedNode(graph) if graph else ox.DefaultGraph()
    return ox.Quad(ox.NamedNode(f"http://example.org/{s}"), ox.NamedNode("http://example.org/p"), ox.Literal(o), name)


@pytest.fixture()
def store() -> Store:
    store = Store.open()
    shared = ox.BlankNode()
    quads = {quad("s", "1", A), quad("s", "2", B), quad("t", "é \"quoted\"\n", C), quad("d", "default", None),
             ox.Quad(shared, ox.NamedNode("http://example.org/p"), ox.Literal("x"), ox.NamedNode(A)),
             ox.Quad(shared, ox.NamedNode("http://example.org/p"), ox.Literal("y"), ox.NamedNode(B))}
    store.apply(Change(added=frozenset(quads)))
    return store


def loaded(data: bytes) -> Store:
    fresh = Store.open()
    fresh.engine.load(gzip.decompress(data), format=ox.RdfFormat.N_QUADS)
    return fresh


def same(one: Store, other: Store) -> bool:
    """The same quads, blank nodes aside; and one blank node in each (shared by two graphs)."""
    def plain(store: Store) -> set[tuple[str, ...]]:
        return {tuple("_" if isinstance(t, ox.BlankNode) else str(t) for t in q) for q in store.engine}

    def blank(store: Store) -> set[str]:
        return {q.subject.value for q in store.engine if isinstance(q.subject, ox.BlankNode)}

    return plain(one) == plain(other) and len(blank(one)) == len(blank(other)) == 1


def test_a_file_per_graph_and_the_whole(store: Store, tmp_path: Path) -> None:
    manifest = dumps.write(store, tmp_path, generation=4)
    assert Manifest.read(tmp_path) == manifest and manifest.generation == 4
    assert [(d.name, d.content, d.graph) for d in manifest.files] == [
        ("default-graph.nq.gz", "default graph", None), (dumps.filename(A), "named graph", A),
        (dumps.filename(C), "named graph", C), ("graph-curated.b.nq.gz", "named graph", B), ("higm-kg.nq.gz", "dataset", None)]
    for d in manifest.files:
        data = (tmp_path / d.name).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest(), d.generation) == (d.size, d.sha256, 4)
    whole = loaded((tmp_path / "higm-kg.nq.gz").read_bytes())
    assert same(whole, store)  # one blank node in two graphs stays one node
    parts = b"".join((tmp_path / d.name).read_bytes() for d in manifest.files[:-1])
    assert (tmp_path / "higm-kg.nq.gz").read_bytes() == parts
    only_b = loaded((tmp_path / "graph-curated.b.nq.gz").read_bytes())
    assert {q.graph_name.value for q in only_b.engine} == {B} and len(only_b) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([".lock", "manifest.json", *(d.name for d in manifest.files)])


def test_a_write_remakes_only_its_graphs(store: Store, tmp_path: Path) -> None:
    first = dumps.write(store, tmp_path, generation=1)
    store.apply(Change(added=frozenset({quad("u", "3", A)}), dropped=frozenset({C})))
    second = dumps.write(store, tmp_path, generation=2, graphs=[A, C])
    before, after = ({d.name: d for d in m.files} for m in (first, second))
    assert after.keys() == before.keys() - {dumps.filename(C)}
    assert not (tmp_path / dumps.filename(C)).exists()
    assert after[dumps.filename(A)].generation == 2 and after[dumps.filename(A)].sha256 != before[dumps.filename(A)].sha256
    assert after["graph-curated.b.nq.gz"] == before["graph-curated.b.nq.gz"]  # untouched: kept as it was
    assert after["default-graph.nq.gz"].generation == 2  # the default graph is always remade (no IRI names it)
    assert same(loaded((tmp_path / "higm-kg.nq.gz").read_bytes()), store)


def test_a_missing_file_is_remade(store: Store, tmp_path: Path) -> None:
    dumps.write(store, tmp_path, generation=1)
    (tmp_path / "graph-curated.b.nq.gz").unlink()
    again = dumps.write(store, tmp_path, generation=2, graphs=[])
    assert again.file("graph-curated.b.nq.gz").generation == 2  # type: ignore[union-attr]


def test_an_empty_store_has_an_empty_whole(tmp_path: Path) -> None:
    manifest = dumps.write(Store.open(), tmp_path, generation=0)
    assert [d.name for d in manifest.files] == ["higm-kg.nq.gz"]
    assert gzip.decompress((tmp_path / "higm-kg.nq.gz").read_bytes()) == b""


def test_what_is_being_made_is_said_until_the_manifest(store: Store, tmp_path: Path) -> None:
    seen: list[Making | None] = []
    dumps.write(store, tmp_path, generation=9, report=lambda _: seen.append(Making.read(tmp_path)))
    assert len(seen) == 4 and all(m and m.generation == 9 and m.pid == os.getpid() for m in seen)
    assert seen[0].files[-1] == "higm-kg.nq.gz"  # type: ignore[union-attr]
    assert Making.read(tmp_path) is None


def test_a_run_that_was_killed_leaves_nothing_said(store: Store, tmp_path: Path) -> None:
    dead = 4_194_304 + 1  # above Linux's largest PID: no process has it
    (tmp_path / "making.json").write_text(json.dumps({"pid": dead, "generation": 1, "started": "x", "files": []}))
    (tmp_path / ".higm-kg.nq.gz.partial").write_bytes(b"half")
    assert Making.read(tmp_path) is None
    dumps.write(store, tmp_path, generation=1)
    assert not (tmp_path / ".higm-kg.nq.gz.partial").exists() and not (tmp_path / "making.json").exists()


@pytest.mark.parametrize("text", ["", "{", '{"generation": 1}', "[]"])
def test_a_manifest_that_cannot_be_read_is_none(tmp_path: Path, text: str) -> None:
    (tmp_path / "manifest.json").write_text(text)
    assert Manifest.read(tmp_path) is None and Manifest.read(tmp_path / "missing") is None


NAMES = [
    ("https://w3id.org/higm-kg/graph/hpo-annotations", "graph-hpo-annotations.nq.gz"),
    ("https://w3id.org/higm-kg/graph/curated/x", "graph-curated.x.nq.gz"),
    ("https://w3id.org/higm-kg/graph/a.b", "graph-w3id.org-higm-kg-graph-a.b-"),
    ("https://w3id.org/higm-kg/graph/../../etc", "graph-w3id.org-higm-kg-graph-..-..-etc-"),
    ("urn:x:y", "graph-urn-x-y-"),
]


@pytest.mark.parametrize(("graph", "start"), NAMES, ids=[n[0] for n in NAMES])
def test_file_names_are_safe_and_distinct(graph: str, start: str) -> None:
    name = dumps.filename(graph)
    assert name.startswith(start) and name.endswith(".nq.gz") and "/" not in name and not name.startswith(".")
    assert name != dumps.filename(graph + "x")
