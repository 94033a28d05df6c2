"""SHACL validation of graph data against ontology/shapes.ttl, with pyshacl."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pyshacl
from rdflib import Graph
from rdflib.namespace import SH

from . import SHAPES_FILE


@dataclass(frozen=True)
class Violation:
    """One failed constraint: which node, which path, what was wrong."""

    focus: str
    path: str | None
    message: str


@dataclass(frozen=True)
class Report:
    conforms: bool
    violations: tuple[Violation, ...]


@cache
def shapes() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


def validate(data: Graph) -> Report:
    """Validate `data` (which must include the ontology, for the enumeration individuals)."""
    conforms, results, _ = pyshacl.validate(data, shacl_graph=shapes(), inference="none")
    violations = tuple(sorted(
        (
            Violation(
                focus=str(results.value(r, SH.focusNode)),
                path=str(p) if (p := results.value(r, SH.resultPath)) is not None else None,
                message=str(results.value(r, SH.resultMessage)),
            )
            for r in results.subjects(SH.resultSeverity, SH.Violation)
        ),
        key=lambda v: (v.focus, v.path or "", v.message),
    ))
    return Report(conforms=bool(conforms), violations=violations)
