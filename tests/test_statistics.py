"""The statistics: every figure against the data (each recounted here by a query of its own),
the VoID they become and read back, the class-to-class links on the full release, and a
count after each kind of write that reuses what it can and equals a count from scratch."""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox
import pytest

from kg import statistics, void
from kg.change import Change
from kg.products import Written
from kg.statistics import Figures, Statistics, Usage
from kg.store import Store
from kg.updates import run_update
from ontology import DERIVED_GRAPHS

CURATED = "https://w3id.org/higm-kg/graph/curated/x-linked-hyper-igm-syndrome"
ONTOLOGY = "https://w3id.org/higm-kg/graph/ontology"
METADATA = "https://w3id.org/higm-kg/graph/metadata"
NOT_DERIVED = "FILTER(?g NOT IN (" + ", ".join(f"<{g}>" for g in DERIVED_GRAPHS) + "))"
TYPED = "{ SELECT DISTINCT ?%s ?%s WHERE { GRAPH ?t { ?%s a ?%s } FILTER(isIRI(?%s) && ?t NOT IN (%s)) } }"


def _typed(node: str, cls: str) -> str:
    return TYPED % (node, cls, node, cls, cls, ", ".join(f"<{g}>" for g in DERIVED_GRAPHS))


def _scope(graph: str | None) -> str:
    """The data of one graph, or of every data graph."""
    return f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else f"GRAPH ?g {{ ?s ?p ?o }} {NOT_DERIVED}"


def _table(store: Store, query: str) -> dict[tuple[str, ...], int]:
    """Rows as (every value but the last) → the last, a count."""
    found = {}
    for row in store.query(query):
        *key, count = list(row)
        found[tuple(term.value for term in key)] = int(count.value)
    return found


def recounted(store: Store, graph: str | None) -> Figures:
    """The figures of a graph (or of the dataset), each from a query of its own."""
    where = _scope(graph)
    number = lambda select: next(iter(_table(store, select).values()), 0)
    classes = (f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s a ?c FILTER(isIRI(?c)) }} }} "
               "GROUP BY ?c" if graph else
               f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {_typed('s', 'c')} }} GROUP BY ?c")
    usage: dict[str, dict[str, Usage]] = {}
    for (cls, prop), count in _table(store, f"SELECT ?c ?p (COUNT(*) AS ?n) WHERE {{ {where} {_typed('s', 'c')} }} "
                                            "GROUP BY ?c ?p").items():
        usage.setdefault(cls, {})[prop] = Usage(count)
    for (cls, prop, target), count in _table(store, f"SELECT ?c ?p ?d (COUNT(*) AS ?n) WHERE {{ {where} "
                                                    f"{_typed('s', 'c')} {_typed('o', 'd')} }} GROUP BY ?c ?p ?d").items():
        usage[cls][prop].classes[target] = count
    for (cls, prop, datatype), count in _table(store, f"SELECT ?c ?p ?d (COUNT(*) AS ?n) WHERE {{ {where} "
                                                      f"FILTER(isLiteral(?o)) BIND(DATATYPE(?o) AS ?d) {_typed('s', 'c')} }} "
                                                      "GROUP BY ?c ?p ?d").items():
        usage[cls][prop].datatypes[datatype] = count
    return Figures(
        triples=number(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"),
        entities=number(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {where} FILTER(isIRI(?s)) }}"),
        distinct_subjects=number(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {where} }}"),
        distinct_objects=number(f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ {where} }}"),
        classes={c: n for (c,), n in _table(store, classes).items()},
        properties={p: n for (p,), n in _table(store, f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ {where} }} GROUP BY ?p").items()},
        usage=usage,
    )


FIELDS = ["triples", "entities", "distinct_subjects", "distinct_objects", "classes", "properties", "usage"]
SCOPES = [None, CURATED, ONTOLOGY, METADATA]


@pytest.fixture(scope="module")
def counted(default_store: Store) -> Statistics:
    return statistics.compute(default_store)


@pytest.mark.parametrize("scope", SCOPES, ids=["dataset", "curated", "ontology", "metadata"])
@pytest.mark.parametrize("field", FIELDS)
def test_each_figure_is_the_data_s(default_store: Store, counted: Statistics, scope: str | None, field: str) -> None:
    figures = counted.dataset if scope is None else counted.graphs[scope]
    assert getattr(figures, field) == getattr(recounted(default_store, scope), field)


def test_the_graphs_made_from_the_data_are_not_counted(default_store: Store, counted: Statistics) -> None:
    assert {str(g) for g in DERIVED_GRAPHS} <= set(default_store.graphs())
    assert not {str(g) for g in DERIVED_GRAPHS} & counted.graphs.keys()
    assert counted.dataset.triples == sum(counted.sizes.values())


def test_the_store_keeps_them_as_void_that_reads_back(default_store: Store, counted: Statistics) -> None:
    kept = void.stored_in(default_store)
    assert kept is not None and kept.generation == default_store.generation
    assert (kept.dataset, kept.graphs, kept.about) == (counted.dataset, counted.graphs, counted.about)
    assert void.read(void.triples(counted)) == counted


# -- after a write: what is counted again, and that it is right --------------------------------

EX = "http://example.org/"
MONDO = "http://purl.obolibrary.org/obo/MONDO_0010626"  # a subject of the curated graph


def _update(text: str) -> Callable[[Store], Change]:
    def write(store: Store) -> Change:
        copy = ox.Store()
        copy.extend(store.engine.quads_for_pattern(None, None, None, None))
        return run_update(copy, text)
    return write


def _put(store: Store) -> Change:
    """A Graph Store PUT of the curated graph: half of it again, and a typed node of its own."""
    kept = sorted(store.subject_quads(CURATED, MONDO), key=str)[::2]
    node = ox.Quad(ox.NamedNode(EX + "n"), statistics.RDF_TYPE, ox.NamedNode(EX + "Kind"), ox.NamedNode(CURATED))
    return Change(cleared=frozenset({CURATED}), added=frozenset({*kept, node}))


WRITES = [
    ("INSERT DATA into a new graph", _update(f"INSERT DATA {{ GRAPH <{EX}new> {{ <{EX}a> a <{EX}Kind> ; "
                                             f"<{EX}p> <{MONDO}>, 3 }} }}"), {f"{EX}new"}),
    ("INSERT DATA of blank-node subjects", _update(f"INSERT DATA {{ GRAPH <{EX}blank> {{ [] a <{EX}Kind> ; "
                                                   f"<{EX}p> [ <{EX}q> 1 ] }} }}"), {f"{EX}blank"}),
    ("a Graph Store PUT replacing a graph", _put, {CURATED, METADATA}),  # the metadata names nodes it types
    ("a type added to a node another graph uses", _update(f"INSERT DATA {{ GRAPH <{EX}types> {{ <{MONDO}> a <{EX}Kind> }} }}"),
     {f"{EX}types", CURATED}),
    ("a type removed from a node another graph uses", _update(
        f"DELETE WHERE {{ GRAPH <{CURATED}> {{ <{MONDO}> a ?c }} }}"), {CURATED}),
    ("a DROP of the graph that types the classes the others use", _update(f"DROP GRAPH <{ONTOLOGY}>"),
     {CURATED, METADATA}),
    ("a DROP of a graph whose nodes no other uses", _update(f"DROP GRAPH <{EX}alone>"), set()),
    ("nothing known of the write", _update(f"INSERT DATA {{ GRAPH <{EX}x> {{ <{EX}x> <{EX}p> 1 }} }}"), None),
]


@pytest.mark.parametrize(("case", "write", "recount"), WRITES, ids=[w[0] for w in WRITES])
def test_a_count_after_a_write_reuses_what_it_can_and_equals_a_count_from_scratch(
        fresh_store: Store, case: str, write: Callable[[Store], Change], recount: set[str] | None) -> None:
    fresh_store.apply(_update(f"INSERT DATA {{ GRAPH <{EX}alone> {{ <{EX}b> a <{EX}Lone> }} }}")(fresh_store))
    before, kept = statistics.compute_kept(fresh_store)
    change = write(fresh_store)
    fresh_store.apply(change)
    lines: list[str] = []
    written = None if recount is None else Written.of(change).graphs
    after, _ = statistics.compute_kept(fresh_store, previous=before, kept=kept, written=written,
                                             report=lines.append)
    scratch = statistics.compute(fresh_store)
    assert (after.generation, after.dataset, after.graphs, after.about) == \
        (scratch.generation, scratch.dataset, scratch.graphs, scratch.about)
    assert after.dataset == recounted(fresh_store, None)
    data = statistics.data_graphs(fresh_store)
    expected = len(data) if recount is None else len(recount & data)
    assert lines[0].startswith(f"statistics: {expected} of {len(data)} graphs to count"), lines[0]


# -- the full release ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def full_statistics(full_store: Store) -> Statistics:
    """The statistics as the full release's graph/void holds them (made when it was built)."""
    kept = void.stored_in(full_store)
    assert kept is not None and kept.generation == full_store.generation
    return kept


@pytest.mark.full_release
def test_every_class_to_class_link_exists_with_its_count_on_the_full_release(full_store: Store,
                                                                                full_statistics: Statistics) -> None:
    links = full_statistics.dataset.links()
    assert len(links) > 50
    data = sorted(statistics.data_graphs(full_store))
    for cls, prop, target, count in links:
        [row] = full_store.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ {{ SELECT DISTINCT ?s WHERE {{ ?s a <{cls}> }} }} "
            f"GRAPH ?g {{ ?s <{prop}> ?o }} {{ SELECT DISTINCT ?o WHERE {{ ?o a <{target}> }} }} }}",
            default_graphs=data, named_graphs=data)
        assert int(row["n"].value) == count, (cls, prop, target)
