"""What the server asks of an engine worker: a query, an update, or a call of a read function.

Jobs are run inside a worker process, on its in-memory copy of the store, under the deadline.
Everything that touches the engine happens here: the safety check of the text (so it is
bounded by the same deadline and admission as the engine's own work), the query, the
choice of format and the serialisation. Only bytes and plain data leave the worker.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kg.messages import explain
from kg.safety import check_dataset, check_query, check_update
from kg.settings import Settings
from kg.store import Store
from kg.updates import PartlyApplied, run_update

from . import results
from .errors import PayloadTooLarge
from .negotiation import GRAPH_FORMATS, RESULT_FORMATS, negotiate
from .using import with_using

LOWEST = 19  # nice


@dataclass(frozen=True)
class Query:
    """A query as the worker needs it: text, dataset, base, and what the client accepts."""

    text: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    accept: str | None = None
    override: str | None = None
    max_rows: int = 100_000
    base: str | None = None

    def run(self, store: Store, settings: Settings, emit: results.Emit | None = None) -> results.Serialized:
        """The answer; a large one goes out in pieces through `emit` when it is given."""
        check_query(self.text, settings, base=self.base)
        check_dataset((*self.default_graphs, *self.named_graphs))
        try:
            result = store.query(self.text, default_graphs=self.default_graphs or None,
                                 named_graphs=self.named_graphs or None, base_iri=self.base)
        except SyntaxError as error:
            raise explain(error, self.text) from None
        try:
            return _serialize(result, self, settings.max_result_bytes, emit)
        finally:
            del result


def _serialize(result: ox.QuerySolutions | ox.QueryBoolean | Iterable[ox.Triple], job: Query,
               max_bytes: int, emit: results.Emit | None) -> results.Serialized:
    """Solutions, a boolean, or triples (the embedded engine's QueryTriples or a remote engine's list)."""
    if isinstance(result, ox.QuerySolutions):
        fmt = negotiate(job.accept, RESULT_FORMATS, job.override)
        return results.solutions(result, fmt, job.max_rows, max_bytes, emit=emit)
    if isinstance(result, ox.QueryBoolean):
        return results.boolean(result, negotiate(job.accept, RESULT_FORMATS, job.override))
    return results.triples(result, negotiate(job.accept, GRAPH_FORMATS, job.override), job.max_rows, max_bytes,
                           emit=emit)


@dataclass(frozen=True)
class Update:
    """A SPARQL update, with the protocol's using-graph-uri parameters."""

    text: str
    using_graphs: tuple[str, ...] = ()
    using_named_graphs: tuple[str, ...] = ()
    base: str | None = None

    def run(self, store: Store, settings: Settings) -> tuple:
        """The update's effect, encoded; the copy it ran on is changed (or to be discarded)."""
        using = bool(self.using_graphs or self.using_named_graphs)
        check_update(self.text, settings, using_parameters=using, base=self.base)
        check_dataset((*self.using_graphs, *self.using_named_graphs))
        text = with_using(self.text, self.using_graphs, self.using_named_graphs)
        change = run_update(store.engine, text, self.base)
        if change.size > settings.max_change:
            raise PartlyApplied(PayloadTooLarge(f"the update would change {change.size} quads; the limit is "
                                                f"{settings.max_change} (KG_MAX_CHANGE)"))
        return change.encode()


@dataclass(frozen=True)
class Call:
    """A module-level read function of the store, called with plain arguments."""

    function: Callable[..., Any]
    args: tuple[Any, ...] = ()

    def run(self, store: Store, settings: Settings) -> Any:
        return self.function(store, *self.args)


@dataclass(frozen=True)
class Lowered:
    """A job run at the lowest CPU priority: every thread of the worker at nice 19 (a worker of
    its own, ended after the job, so no other job inherits it)."""

    job: Query | Call

    def run(self, store: Store, settings: Settings) -> Any:
        for task in os.listdir("/proc/self/task"):
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, int(task), LOWEST)
        return self.job.run(store, settings)


Job = Query | Update | Call | Lowered
