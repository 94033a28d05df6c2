"""Loading: atomic, idempotent, with provenance; bad input is refused and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.store import Store
from loaders import LoadError, LoadOptions, loader_for, write
from loaders.build import CURATED_FILES, build

GOOD_TTL = b"@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:d [ ex:e 1 ] .\n"


def load_file(store: Store, path: Path, graph: str | None = None) -> None:
    options = LoadOptions(graph=graph)
    write(store, loader_for(path, options)(path, options))


def snapshot(store: Store) -> bytes:
    return store.serialize(ox.RdfFormat.N_QUADS)


def test_build_twice_changes_nothing(fresh_store: Store) -> None:
    before = snapshot(fresh_store)
    outcomes = build(fresh_store, with_hpo=False)
    assert all(o.unchanged for o in outcomes)
    assert snapshot(fresh_store) == before


def test_forced_rebuild_gives_the_same_data(fresh_store: Store) -> None:
    data_graphs = [g for g in fresh_store.graphs() if not g.endswith("/metadata")]
    before = {g: set(map(str, fresh_store.triples(g))) for g in data_graphs}
    build(fresh_store, force=True, with_hpo=False)
    assert {g: set(map(str, fresh_store.triples(g))) for g in data_graphs} == before


def test_reloading_a_file_with_blank_nodes_does_not_duplicate_them(tmp_path: Path) -> None:
    path = tmp_path / "blank.ttl"
    path.write_bytes(GOOD_TTL)
    store = Store.open()
    load_file(store, path)
    load_file(store, path)
    path.write_bytes(GOOD_TTL + b"ex:f ex:g ex:h .\n")
    load_file(store, path)
    assert store.graph_sizes()["https://w3id.org/higm-kg/graph/file/blank"] == 4


def test_metadata_describes_every_load(fresh_store: Store) -> None:
    rows = list(fresh_store.query("""
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX kg: <https://w3id.org/higm-kg/vocab#>
        PREFIX void: <http://rdfs.org/ns/void#>
        SELECT ?graph ?triples ?file ?sha ?when WHERE { GRAPH <https://w3id.org/higm-kg/graph/metadata> {
          ?graph void:triples ?triples ; prov:wasGeneratedBy ?load .
          ?load prov:used [ <http://purl.org/dc/terms/title> ?file ; kg:sha256 ?sha ] ; prov:endedAtTime ?when } }"""))
    files = {row["file"].value for row in rows}
    assert files == {"higm.ttl", CURATED_FILES[0].name}
    sizes = fresh_store.graph_sizes()
    assert all(int(row["triples"].value) == sizes[row["graph"].value] for row in rows)


def test_loading_into_a_named_graph(tmp_path: Path) -> None:
    path = tmp_path / "x.nt"
    path.write_text('<http://example.org/s> <http://example.org/p> "o" .\n', encoding="utf-8")
    store = Store.open()
    load_file(store, path, graph="http://example.org/graph")
    assert "http://example.org/graph" in store.graphs()


BAD_RDF = [
    ("malformed.ttl", b"@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b ex:c ex:d .\n", 3, "ex:a"),
    ("truncated.ttl", b"@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:x ex:y \"unfinished", 3, "ex:x"),
    ("latin1.nt", b'<http://example.org/a> <http://example.org/b> "ok" .\n<http://example.org/a> <http://example.org/b> "caf\xe9" .\n', 2, None),
    ("empty.ttl", b"", None, None),
    ("bad.xyz", b"whatever", None, None),
]


@pytest.mark.parametrize(("name", "data", "line", "statement"), BAD_RDF, ids=[b[0] for b in BAD_RDF])
def test_bad_rdf_is_refused_and_the_store_is_unchanged(
        fresh_store: Store, tmp_path: Path, name: str, data: bytes, line: int | None, statement: str | None) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    before = snapshot(fresh_store)
    with pytest.raises(LoadError) as caught:
        load_file(fresh_store, path)
    assert caught.value.file == str(path)
    assert caught.value.line == line
    assert caught.value.statement == statement
    assert name in str(caught.value) and "section" not in str(caught.value)
    assert snapshot(fresh_store) == before


def curated_variant(old: str, new: str) -> bytes:
    text = CURATED_FILES[0].read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1).encode()


BAD_CURATED = [
    ("unknown predicate", curated_variant("{p: affects, o: immune-system}", "{p: afects, o: immune-system}"),
     "'afects' is not a term of the kg vocabulary", "statements"),
    ("unknown entity", curated_variant("{p: affects, o: immune-system}", "{p: affects, o: immune-sys}"),
     "'immune-sys' is neither an entity key nor a CURIE", "statements"),
    ("undeclared CURIE", curated_variant("{p: hasPhenotype, o: HP:0002028,", "{p: hasPhenotype, o: HP:9999999,"),
     "'HP:9999999' is not declared under entities", "statements"),
    ("unknown source section", curated_variant("from: page#frequency}", "from: page#frequencies}"),
     "source 'page' has no section 'frequencies'", "statements"),
    ("unknown identifier prefix", curated_variant("id: CL:0000084", "id: XX:0000084"),
     "not a CURIE with a known prefix", "entities"),
    ("duplicate key", curated_variant("    type: BodySystem\n", "    type: BodySystem\n    type: Gene\n"),
     "duplicate key 'type'", "entities"),
    ("YAML syntax", curated_variant("  igm-level:\n", "  igm-level: [\n"),
     "YAML syntax", "entities"),
    ("publication without identifier", curated_variant("    doi: 10.1042/bst0300815\n", ""),
     "needs a doi or a pmid", "publications"),
    ("not UTF-8", CURATED_FILES[0].read_bytes().replace(b"National Library", b"Biblioth\xe8que", 1),
     "not UTF-8", None),
]


@pytest.mark.parametrize(("case", "data", "message", "section"), BAD_CURATED, ids=[b[0] for b in BAD_CURATED])
def test_bad_curated_file_is_refused_with_file_line_and_section(
        fresh_store: Store, tmp_path: Path, case: str, data: bytes, message: str, section: str | None) -> None:
    path = tmp_path / "facts.yaml"
    path.write_bytes(data)
    before = snapshot(fresh_store)
    with pytest.raises(LoadError) as caught:
        load_file(fresh_store, path)
    error = caught.value
    assert message in error.message, case
    assert error.section == section
    assert error.line is not None and 0 < error.line <= data.count(b"\n") + 1
    assert snapshot(fresh_store) == before
