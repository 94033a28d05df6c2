"""Updates as Changes: the effect read off a copy equals what the engine does, and a change
applied to another copy (or to the durable store, through its journal) gives the same data."""

from __future__ import annotations

import pickle
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.change import Change, fresh_blank_nodes
from kg.store import JOURNAL, Store
from kg.updates import PartlyApplied, UpdateFailed, run_update

SEED = """PREFIX ex: <http://example.org/>
INSERT DATA { ex:a ex:p 1 . ex:b ex:p 2 . _:x ex:q ex:a .
  GRAPH ex:g1 { ex:a ex:p 10 . ex:c ex:r "x" } GRAPH ex:g2 { ex:d ex:p 20 } }"""
P = "PREFIX ex: <http://example.org/> "
UPDATES = [
    P + "DELETE DATA { ex:a ex:p 1 }",
    P + "DELETE DATA { GRAPH ex:g1 { ex:a ex:p 10 } } ; DELETE DATA { ex:nothing ex:p 1 }",
    P + "INSERT DATA { _:n ex:p _:m . GRAPH ex:g3 { ex:new ex:p [ ex:q 1 ] } }",
    P + "DELETE WHERE { ?s ex:p ?o }",
    P + "DELETE WHERE { GRAPH ?g { ?s ex:p ?o } }",
    P + "WITH ex:g1 DELETE { ?s ?p ?o } INSERT { ?s ?p 'new' } WHERE { ?s ?p ?o }",
    P + "INSERT { GRAPH ?g { ?s ex:copied [ ex:z 1 ] } } WHERE { GRAPH ?g { ?s ?p ?o } }",
    P + "INSERT { ?s ex:t _:b . _:b ex:u ?o } WHERE { ?s ex:p ?o }",
    P + "DELETE { ?s ?p ?o } INSERT { GRAPH ex:g2 { ?s ?p ?o } } USING ex:g1 WHERE { ?s ?p ?o }",
    P + "INSERT { ?s ex:at ?now } WHERE { ?s ex:p 1 BIND(NOW() AS ?now) }",
    "CLEAR DEFAULT", "CLEAR ALL", "CLEAR NAMED", "DROP ALL", "DROP NAMED",
    P + "DROP GRAPH ex:g1", P + "DROP SILENT GRAPH ex:absent", P + "CLEAR SILENT GRAPH ex:absent",
    P + "CLEAR GRAPH ex:g2",
    P + "CLEAR GRAPH ex:g1 ; INSERT DATA { GRAPH ex:g1 { ex:n ex:p 3 } }",
    P + "CREATE GRAPH ex:g3", P + "CREATE SILENT GRAPH ex:g1",
    P + "COPY ex:g1 TO ex:g2", P + "MOVE ex:g1 TO DEFAULT", P + "ADD DEFAULT TO GRAPH ex:g2",
    P + "COPY DEFAULT TO ex:g1 ; MOVE ex:g2 TO ex:g4",
    P + "INSERT DATA { ex:x ex:p 1 } ; DELETE DATA { ex:x ex:p 1 }",
    "BASE <http://example.org/> INSERT DATA { <rel> <p> 1 } ; INSERT { GRAPH <g9> { ?s <p> 2 } } WHERE { ?s <p> 1 }",
    P + "DELETE { GRAPH ex:g1 { ?s ?p ?o } } WHERE { GRAPH ex:g1 { ?s ?p ?o } } ; DROP GRAPH ex:g1 ; CREATE GRAPH ex:g1",
    P + "INSERT DATA { GRAPH ex:g5 { ex:a ex:p 1 } } ;\r# a comment ended by CR ; DROP ALL\rDELETE DATA { GRAPH ex:g5 { ex:a ex:p 1 } }",
]


def _seeded() -> ox.Store:
    store = ox.Store()
    store.update(SEED)
    return store


def _copy(store: ox.Store) -> ox.Store:
    copy = ox.Store()
    copy.extend(list(store))
    for graph in store.named_graphs():
        copy.add_graph(graph)
    return copy


def _canonical(store: ox.Store) -> set[ox.Quad]:
    dataset = ox.Dataset(list(store))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


def _names(store: ox.Store) -> set[str]:
    return {g.value for g in store.named_graphs()}


@pytest.mark.parametrize("update", UPDATES)
def test_the_change_is_what_the_engine_does(update: str) -> None:
    ours, engines, replica = _seeded(), _seeded(), None
    replica = _copy(ours)
    change = run_update(ours, update)
    engines.update(update)
    if "NOW()" not in update:  # two runs see two different times
        assert _canonical(ours) == _canonical(engines)
    assert len(ours) == len(engines)
    assert _names(ours) == _names(engines)
    Change.decode(change.encode()).apply(replica)  # shipped to another copy: equal, labels and all
    assert set(replica) == set(ours)
    assert _names(replica) == _names(ours)


def test_a_failure_after_a_change_is_marked() -> None:
    store = _seeded()
    with pytest.raises(PartlyApplied):
        run_update(store, P + "INSERT DATA { ex:z ex:p 1 } ; DROP GRAPH ex:absent")
    with pytest.raises(UpdateFailed, match="does not exist"):  # the first operation: nothing was changed
        run_update(_seeded(), P + "DROP GRAPH ex:absent ; INSERT DATA { ex:z ex:p 1 }")


def test_parsed_documents_get_fresh_blank_nodes() -> None:
    quads = list(ox.parse(b"_:a <http://e/p> 1 .", format=ox.RdfFormat.TURTLE))
    once, twice = fresh_blank_nodes(quads), fresh_blank_nodes(quads)
    assert once[0].subject != twice[0].subject != quads[0].subject


# -- the journal -------------------------------------------------------------------------------


def _change() -> Change:
    graph = ox.NamedNode("http://example.org/g")
    added = frozenset(ox.Quad(ox.NamedNode(f"http://example.org/{i}"), ox.NamedNode("http://example.org/p"),
                              ox.Literal(i), graph) for i in range(50))
    return Change(added=added)


def test_a_journal_left_by_a_crash_is_applied_on_open(tmp_path: Path) -> None:
    path = tmp_path / "store"
    Store.open(path)  # creates it; the process "stops" before writing anything else
    store_journal = path / JOURNAL
    from kg.store import _write_journal  # the first half of a write, as a killed process leaves it

    _write_journal(store_journal, _change())
    reopened = Store.open(path)
    assert len(reopened) == 50 and not store_journal.exists()


def test_a_half_written_journal_is_discarded(tmp_path: Path) -> None:
    path = tmp_path / "store"
    Store.open(path)
    payload = pickle.dumps(_change().encode())
    (path / (JOURNAL + ".tmp")).write_bytes(payload[: len(payload) // 2])
    reopened = Store.open(path)
    assert len(reopened) == 0 and not (path / (JOURNAL + ".tmp")).exists()
