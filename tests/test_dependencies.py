"""What a query's answer depends on, for keeping cached answers across writes: the predicates
it can match, or None (any) whenever a pattern could match quads of any predicate."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from server.dependencies import predicates

EX = "PREFIX ex: <http://example.org/> "
P, Q, R = "http://example.org/p", "http://example.org/q", "http://example.org/r"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

CASES = [
    ("a triple pattern", "SELECT * { ?s ex:p ?o }", {P}),
    ("'a'", "SELECT * { ?s a ex:C }", {TYPE}),
    ("a sequence, inverse and alternative", "SELECT * { ?s ex:p/^ex:q|ex:r ?o }", {P, Q, R}),
    ("one or more", "SELECT * { ?s ex:p+ ?o }", {P}),
    ("EXISTS and MINUS", "SELECT * { ?s ex:p ?o FILTER EXISTS { ?s ex:q ?x } MINUS { ?s ex:r ?y } }", {P, Q, R}),
    ("OPTIONAL, UNION, a subquery", "SELECT * { { SELECT ?s { ?s ex:p ?o } } UNION { ?s ex:q ?o } OPTIONAL { ?s ex:r ?z } }",
     {P, Q, R}),
    ("a named graph with patterns", "SELECT * { GRAPH ?g { ?s ex:p ?o } }", {P}),
    ("an aggregate over patterns", "SELECT (COUNT(*) AS ?n) { ?s ex:p ?o } GROUP BY ?s", {P}),
    ("CONSTRUCT and ASK", "CONSTRUCT { ?s ex:q ?o } WHERE { ?s ex:p ?o }", {P}),
    ("no pattern at all", "SELECT (1 AS ?one) {}", set()),
    ("a variable predicate", "SELECT * { ?s ?p ?o }", None),
    ("a variable predicate bound by VALUES", "SELECT * { VALUES ?p { ex:p } ?s ?p ?o }", None),
    ("a negated property set", "SELECT * { ?s !ex:p ?o }", None),
    ("zero or more between variables", "SELECT * { ?s ex:p* ?o }", None),
    ("zero or more inside a sequence", "SELECT * { ex:a ex:q/ex:p* ?o }", None),
    ("zero or more from an IRI (the engine matches it only if it is in the graph)", "SELECT * { ex:a ex:p* ?o }",
     None),
    ("zero or one to an IRI", "SELECT * { ?s ex:p? ex:b }", None),
    ("zero or more from a variable another pattern binds", "SELECT * { ?c ex:q ?f . ?f ex:p* ?b }", {P, Q}),
    ("zero or more, bound by another pattern, to an IRI", "SELECT * { ?c ex:q ?f . ?f ex:p* ex:b }", None),
    ("zero or more from a variable only VALUES binds", "SELECT * { VALUES ?f { ex:a } ?f ex:p* ?b }", None),
    ("zero or more, the other pattern optional", "SELECT * { ?f ex:p* ?b OPTIONAL { ?c ex:q ?f } }", None),
    ("an empty GRAPH pattern", "SELECT ?g { GRAPH ?g {} }", None),
    ("DESCRIBE", "DESCRIBE ex:a", None),
    ("SERVICE", "SELECT * { SERVICE <http://example.org/sparql> { ?s ex:p ?o } }", None),
    ("what rdflib cannot read", "SELECT * { ?s ex:p ?o } LATERAL", None),
]


@pytest.mark.parametrize(("case", "query", "expected"), CASES, ids=[c[0] for c in CASES])
def test_predicates(case: str, query: str, expected: set[str] | None) -> None:
    found = predicates(EX + query)
    assert (None if found is None else set(found)) == expected, case


def _answer(store: ox.Store, query: str) -> list[str]:
    result = store.query(EX + query, use_default_graph_as_union=True)
    if isinstance(result, ox.QueryBoolean):
        return [str(bool(result))]
    return sorted(str(row) for row in result)


@pytest.mark.parametrize(("case", "query", "expected"), [c for c in CASES if c[2] is not None],
                         ids=[c[0] for c in CASES if c[2] is not None])
def test_a_write_of_other_predicates_leaves_the_answer_as_it_was(case: str, query: str, expected: set[str]) -> None:
    """Checked against the engine itself: quads of another predicate, on the nodes the query
    reads and on new ones, in the default graph and a named one, change nothing."""
    ex = "http://example.org/"
    node = ox.NamedNode
    store = ox.Store()
    store.extend(ox.Quad(node(ex + s), node(p), node(ex + o), g) for s, p, o, g in [
        ("a", P, "b", ox.DefaultGraph()), ("b", P, "c", ox.DefaultGraph()), ("a", Q, "b", node(ex + "g")),
        ("c", R, "a", ox.DefaultGraph()), ("a", TYPE, "C", node(ex + "g"))])
    before = _answer(store, query)
    store.extend(ox.Quad(node(ex + s), node(ex + "other"), node(ex + o), g) for s, o, g in [
        ("a", "b", ox.DefaultGraph()), ("b", "new", node(ex + "g")), ("new", "C", node(ex + "h"))])
    assert _answer(store, query) == before, case
