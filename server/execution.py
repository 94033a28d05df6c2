"""One query, run and serialised inside a worker: everything that touches the engine's results.

The engine's result iterators may not cross threads or processes, so the query, the choice of
format and the serialisation happen together here, and only bytes leave.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.store import Store

from . import results
from .negotiation import GRAPH_FORMATS, RESULT_FORMATS, acceptable, choose


@dataclass(frozen=True)
class Job:
    """A query as the worker needs it: text, dataset, and what the client accepts."""

    text: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    accept: str | None = None
    override: str | None = None
    max_rows: int = 100_000


@dataclass(frozen=True)
class Failure:
    """Why a job gave no answer: "syntax", "not-acceptable" or "engine"."""

    kind: str
    message: str


def _serialize(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, job: Job) -> results.Serialized | Failure:
    formats = GRAPH_FORMATS if isinstance(result, ox.QueryTriples) else RESULT_FORMATS
    fmt = choose(job.accept, formats, job.override)
    if fmt is None:
        return Failure("not-acceptable", acceptable(formats))
    if isinstance(result, ox.QueryTriples):
        return results.triples(result, fmt, job.max_rows)
    if isinstance(result, ox.QuerySolutions):
        return results.solutions(result, fmt, job.max_rows)
    return results.boolean(result, fmt)


def execute(store: Store, job: Job) -> results.Serialized | Failure:
    """Run `job` on `store`; engine errors become a Failure, never an exception."""
    try:
        result = store.query(job.text, default_graphs=job.default_graphs or None,
                             named_graphs=job.named_graphs or None)
        try:
            return _serialize(result, job)
        finally:
            del result
    except SyntaxError as error:
        return Failure("syntax", f"SPARQL syntax error: {error}")
    except (OSError, ValueError, TypeError) as error:
        return Failure("engine", f"the query failed: {error}")
