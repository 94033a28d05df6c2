"""Differential answers: every saved query, answered by pyoxigraph and by rdflib's own SPARQL
engine over the same default graph, compared as result sets.

Solutions are compared as multisets of rows; blank-node labels are ignored, numbers compared by
value, and a plain literal equals an xsd:string one. A disagreement the manual explains
(docs/operations/reliability.md) is listed in KNOWN with its reason; any other fails the suite,
and so does a KNOWN one that has gone.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.term import Node

from bench.workload import workload
from kg.store import Store
from loaders.build import build

from .measure import Outcome

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "long", "int")}
KNOWN: dict[str, str] = {}  # saved query → why the engines differ on it (also in the manual)


def _term(kind: str, value: str, datatype: str | None, language: str | None) -> tuple:
    if kind == "bnode":
        return ("bnode",)
    if kind == "literal" and datatype in NUMERIC:
        try:
            return ("number", Decimal(value))
        except InvalidOperation:
            pass
    if kind == "literal" and datatype == XSD + "string":
        datatype = None
    return (kind, value, datatype or "", (language or "").lower())


def _from_ox(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> tuple | None:
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        return _term("literal", term.value, None if term.language else term.datatype.value, term.language)
    return _term("bnode" if isinstance(term, ox.BlankNode) else "iri", term.value, None, None)


def _from_rdflib(term: Node | None) -> tuple | None:
    if term is None:
        return None
    if isinstance(term, Literal):
        return _term("literal", str(term), str(term.datatype) if term.datatype else None, term.language)
    return _term("bnode" if isinstance(term, BNode) else "iri", str(term), None, None)


def oxigraph_answer(store: Store, text: str) -> Counter:
    result = store.query(text)
    if isinstance(result, ox.QueryBoolean):
        return Counter([bool(result)])
    names = [v.value for v in result.variables]
    return Counter(tuple(_from_ox(row[n]) for n in names) for row in result)


def rdflib_answer(dataset: Dataset, text: str) -> Counter:
    result = dataset.query(text)
    if result.type == "ASK":
        return Counter([bool(result.askAnswer)])
    names = [str(v) for v in result.vars]
    return Counter(tuple(_from_rdflib(row[n]) if isinstance(row[n], URIRef | BNode | Literal) else None
                         for n in names) for row in result)


def differential(outcome: Outcome) -> None:
    store = Store.open()
    build(store, with_hpo=False)
    dataset = Dataset(default_union=True)
    dataset.parse(data=store.serialize(ox.RdfFormat.N_QUADS).decode(), format="nquads")
    for name, text in workload().items():
        outcome.requests += 1
        ours = oxigraph_answer(store, text)
        try:
            theirs = rdflib_answer(dataset, text)
        except Exception as error:  # noqa: BLE001 - rdflib's engine may refuse what it cannot do
            theirs = Counter([f"rdflib failed: {type(error).__name__}: {error}"])
        agree = ours == theirs
        if agree and name in KNOWN:
            outcome.failures.append(f"{name} is listed as a known disagreement but the engines now agree")
        elif not agree and name in KNOWN:
            outcome.notes.append(f"{name}: differs, as documented ({KNOWN[name]})")
        elif not agree:
            outcome.failures.append(f"{name}: pyoxigraph {sum(ours.values())} rows, rdflib {sum(theirs.values())} "
                                    f"rows; first differences {list((ours - theirs).items())[:2]} / "
                                    f"{list((theirs - ours).items())[:2]}")
