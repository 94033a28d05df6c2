"""What a query's answer depends on, for keeping cached answers across writes: the predicates
it can match, or None (any) whenever a pattern could match quads of any predicate."""

from __future__ import annotations

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
    ("an empty GRAPH pattern", "SELECT ?g { GRAPH ?g {} }", None),
    ("DESCRIBE", "DESCRIBE ex:a", None),
    ("SERVICE", "SELECT * { SERVICE <http://example.org/sparql> { ?s ex:p ?o } }", None),
    ("what rdflib cannot read", "SELECT * { ?s ex:p ?o } LATERAL", None),
]


@pytest.mark.parametrize(("case", "query", "expected"), CASES, ids=[c[0] for c in CASES])
def test_predicates(case: str, query: str, expected: set[str] | None) -> None:
    found = predicates(EX + query)
    assert (None if found is None else set(found)) == expected, case
