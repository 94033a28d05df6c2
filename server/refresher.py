"""The server's side of what is made from the graph: the last statistics, held in memory and
served at once, and the refresh of every product in the background after writes.

No request computes anything over the whole graph, nor waits for what does: the service
description, the VoID and the query page read `statistics` as it is — the figures of the last
refresh, with the generation and date they describe — and while a refresh runs, the previous
figures stay served. At start the figures are read from the products folder (when they are the
ones the store's `graph/void` holds) or from `graph/void`; none is computed on the way.

After each write of data the pool tells the refresher (`written`), which runs `kg.products`'
steps one by one, each as a job of its own in a background worker (nice 19, under
KG_REFRESH_TIMEOUT, outside admission), and commits each derived write (`graph/void`,
`graph/examples`) through the pool like any other write, without moving the generation. Only
one refresh runs at a time; writes made while it runs schedule one more, never a queue. A
failure is logged and kept for `/health`; the previous figures stay, and the next write tries
again. When a refresh has brought the products up to date for the first time, `ready` callbacks
run once (the warming of heavy saved queries).

Behind a remote engine nothing is computed: the figures are those of the engine's `graph/void`,
as `kg publish` put it there, read at start in the background.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kg import products
from kg.change import Change
from kg.statistics import Statistics

from .jobs import Call

log = logging.getLogger("kg.refresh")


def stored_statistics(store: Any, folder: str) -> Statistics | None:
    """The statistics kept for the store (see `products.last_statistics`); run in a worker (a small read)."""
    return products.last_statistics(store, Path(folder))[0]


class Refresher:
    """The statistics served now, and the single refresh that brings every product up to date."""

    def __init__(self, pool: Any, folder: str, queries: str, timeout: float, *, compute: bool = True) -> None:
        self._pool, self._folder, self._queries, self._timeout = pool, folder, queries, timeout
        self._compute = compute  # False behind a remote engine: read graph/void, never count
        self.statistics: Statistics | None = None
        self.failure: str | None = None
        self.refreshed: str | None = None  # when the last refresh ended well
        self.rounds = 0  # refreshes run to their end, well or not
        self._writes = products.Writes()
        self._lock = threading.Lock()
        self._running = self._again = self._closed = False
        self._ready: list[Callable[[], None]] = []
        self._was_ready = False

    # -- state -------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._running

    def when_ready(self, callback: Callable[[], None]) -> None:
        """Run `callback` once, after the first refresh that ends well."""
        self._ready.append(callback)

    def describe(self) -> str:
        """A line for /health."""
        stats = self.statistics
        figures = (f"statistics of generation {stats.generation}, made {stats.made}" if stats
                   else "no statistics yet")
        store = getattr(self._pool, "generation", None)
        parts = [figures + (f" (store at generation {store})" if store is not None else ""),
                 "refreshing" if self._running else "idle"]
        if self.failure:
            parts.append(f"last refresh failed: {self.failure}")
        return "products: " + "; ".join(parts)

    # -- life ----------------------------------------------------------------------------------

    def start(self) -> None:
        """Read the stored figures (a small read, before the first request), then bring the
        products up to date in the background."""
        try:
            self.statistics = self._pool.run(Call(stored_statistics, (self._folder,)))
        except Exception as error:  # noqa: BLE001 - the store may be unreachable (a remote engine); said in /health
            self._failed(error)
        if self._compute:
            self.schedule()

    def close(self) -> None:
        self._closed = True

    def written(self, change: Change, generation: int) -> None:
        """A write of data made the store's `generation`: refresh (the pool calls this)."""
        with self._lock:
            self._writes = self._writes.add(generation, products.Written.of(change))
        self.schedule()

    def schedule(self) -> None:
        """Start a refresh, or, while one runs, ask it for one more round."""
        with self._lock:
            if self._closed:
                return
            if self._running:
                self._again = True
                return
            self._running = True
        threading.Thread(target=self._loop, name="kg-refresh", daemon=True).start()

    def _loop(self) -> None:
        while True:
            try:
                self._refresh()
            except Exception as error:  # noqa: BLE001 - any failure is kept and shown; the next write tries again
                if not self._closed:  # a refresh cut short by the server stopping has not failed
                    self._failed(error)
            with self._lock:
                self.rounds += 1
                if not self._again or self._closed:
                    self._running = False
                    return
                self._again = False

    def _refresh(self) -> None:
        started = time.monotonic()
        derived: frozenset[str] = frozenset()  # graphs the steps before rewrote: the dumps hold them too
        for name in products.STEPS:
            with self._lock:
                if self._closed:
                    return
                writes = self._writes
            made = self._pool.background(
                Call(products.run_step, (name, self._folder, writes, self._queries, None, derived)),
                timeout=self._timeout)
            if made.change is not None and not made.change.is_empty:
                self._pool.commit(made.change, derived=True)
                derived |= products.Written.of(made.change).graphs or frozenset()
            if isinstance(made.product, Statistics):
                self.statistics = made.product
                with self._lock:
                    self._writes = self._writes.after(made.product.generation)
            log.info("%s", made.summary)
        self.failure = None
        self.refreshed = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        log.info("products refreshed in %.1f s", time.monotonic() - started)
        if not self._was_ready:
            self._was_ready = True
            for callback in self._ready:
                threading.Thread(target=callback, name="kg-products-ready", daemon=True).start()

    def _failed(self, error: BaseException) -> None:
        when = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        self.failure = f"{when}: {type(error).__name__}: {error}"
        log.error("refreshing what is made from the graph failed: %s", self.failure)
